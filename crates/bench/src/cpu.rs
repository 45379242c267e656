//! Lambda's CPU model: init runs with burst CPU, then the function gets the
//! share of a vCPU its memory size buys (1,769 MB is one vCPU; 128 MB about
//! 7.2 %). A cgroup v1 `cpu` group with that quota per 100 ms period; the
//! benchmark moves a process into it once init is over.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The CPU time a process's threads have had so far (the first field of
/// each thread's `schedstat`, nanoseconds).
pub fn used(pid: u32) -> Duration {
    let threads = std::fs::read_dir(format!("/proc/{pid}/task")).into_iter().flatten().flatten();
    let ns: u64 = threads
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

const ROOT: &str = "/sys/fs/cgroup/cpu";
const PERIOD_US: u64 = 100_000;
/// The memory size at which Lambda gives a function one full vCPU.
pub const FULL_VCPU_MB: u64 = 1769;

pub struct Quota {
    dir: PathBuf,
}

impl Quota {
    /// A group for `memory_mb`; `None` (with the reason on stderr) where
    /// cgroup v1's `cpu` controller is not mounted or not writable.
    pub fn new(memory_mb: u64) -> Option<Self> {
        static MADE: AtomicU64 = AtomicU64::new(0);
        let n = MADE.fetch_add(1, Ordering::SeqCst);
        let dir = PathBuf::from(ROOT).join(format!("invites-bench-{}-{n}-{memory_mb}", std::process::id()));
        let made = std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(dir.join("cpu.cfs_period_us"), PERIOD_US.to_string()))
            .and_then(|_| std::fs::write(dir.join("cpu.cfs_quota_us"), Self::quota_us(memory_mb).to_string()));
        match made {
            Ok(()) => Some(Self { dir }),
            Err(e) => {
                eprintln!(
                    "bench: no CPU quota ({}: {e}); the cold-request tables need cgroup v1's cpu controller",
                    dir.display()
                );
                None
            }
        }
    }

    /// CPU time per 100 ms period for a memory size.
    pub fn quota_us(memory_mb: u64) -> u64 {
        (PERIOD_US * memory_mb / FULL_VCPU_MB).clamp(1000, PERIOD_US)
    }

    /// The time the group's processes have waited for a next period, their
    /// quota spent (`cpu.stat`'s `throttled_time`), since the group was made.
    pub fn throttled(&self) -> Duration {
        let stat = std::fs::read_to_string(self.dir.join("cpu.stat")).unwrap_or_default();
        let ns = stat.lines().find_map(|l| l.strip_prefix("throttled_time ")).and_then(|v| v.trim().parse().ok());
        Duration::from_nanos(ns.unwrap_or(0))
    }

    /// Moves a process (all its threads) into the group.
    pub fn enter(&self, pid: u32) {
        std::fs::write(self.dir.join("cgroup.procs"), pid.to_string()).expect("move a process into the CPU group");
    }
}

impl Drop for Quota {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}
