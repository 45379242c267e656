//! The cold request: what a person waits for when their click meets a new
//! execution environment. Init (process start → first `/next`, with burst
//! CPU), then the process moves into the CPU quota of its memory size
//! (`cpu.rs`), then its first request (the TLS handshake to the emulators'
//! TLS front, `tls.rs`, the first use of the crypto library, signing), then
//! warm requests under the same quota. Every case is started once per
//! round, the cases interleaved round after round, so drift on the machine
//! hits them alike; medians with their spread.

use crate::cpu::{self, FULL_VCPU_MB, Quota};
use crate::init::Figure;
use crate::tls::Ca;
use crate::{Env, ms, peak_rss_kb, spawn_with};
use invites_devtools::proxy;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Warm requests per started process.
const WARM: usize = 5;

/// One thing to start cold: a binary (or an interpreter with its script)
/// with variables added to its environment, and the event of its `i`-th
/// request (every `i` is used once).
pub struct Case<'a> {
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The memory size whose CPU share it runs with after init.
    pub memory_mb: u64,
    /// When set, the process is then frozen (`SIGSTOP`) this long, as
    /// Lambda freezes an environment between requests, thawed, and sent
    /// one more request: "after a pause".
    pub pause: Option<Duration>,
    pub event: Box<dyn Fn(usize) -> Value + 'a>,
}

impl<'a> Case<'a> {
    pub fn new(label: &str, program: PathBuf, memory_mb: u64, event: impl Fn(usize) -> Value + 'a) -> Self {
        Self {
            label: label.into(),
            program,
            args: Vec::new(),
            env: Vec::new(),
            memory_mb,
            pause: None,
            event: Box::new(event),
        }
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    pub fn env(mut self, env: &[(String, String)]) -> Self {
        self.env.extend(env.iter().cloned());
        self
    }

    pub fn pause(mut self, pause: Duration) -> Self {
        self.pause = Some(pause);
        self
    }
}

#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    cold: Vec<Duration>,
    warm: Vec<Duration>,
    init_waited: Vec<Duration>,
    first_waited: Vec<Duration>,
    cold_waited: Vec<Duration>,
    cold_own: Vec<Duration>,
    warm_own: Vec<Duration>,
    first_throttled: Vec<Duration>,
    first_cpu: Vec<Duration>,
    warm_waited: Vec<Duration>,
    after_pause: Vec<Duration>,
    after_pause_connections: Vec<u64>,
    rss_kb: Vec<u64>,
}

pub struct Measured {
    /// Whether the process ran under its memory size's CPU quota (needs
    /// cgroup v1's `cpu` controller, writable: root).
    pub quota: bool,
    pub init: Figure,
    pub first: Figure,
    pub cold: Figure,
    pub warm: Figure,
    /// Of the first request: the time spent waiting for the emulators'
    /// answers (the union of the counting proxies' calls), waiting for the next
    /// CFS period with the quota spent, and on the CPU.
    pub first_waited: Figure,
    /// Of init (its priming calls), and of init and the first request.
    pub init_waited: Figure,
    pub cold_waited: Figure,
    /// The cold and the warm request without the emulators' answers: this
    /// process's own time (each round's difference, then the median).
    pub cold_own: Figure,
    pub warm_own: Figure,
    pub first_throttled: Figure,
    pub first_cpu: Figure,
    /// Of the median warm request, the time spent waiting for the emulators.
    pub warm_waited: Figure,
    /// The request after the case's pause, when it has one, and the
    /// connections the TLS fronts accepted for it (median).
    pub after_pause: Option<Figure>,
    pub after_pause_connections: u64,
    pub rss_mb: f64,
}

/// `rounds` rounds of every case; `next` hands out the request numbers.
pub async fn measure(env: &Env, ca: &Ca, cases: &[Case<'_>], rounds: usize) -> BTreeMap<String, Measured> {
    let held = Quota::new(FULL_VCPU_MB).is_some();
    let mut samples: BTreeMap<String, Samples> = BTreeMap::new();
    let mut i = 0;
    for round in 0..rounds {
        eprintln!("bench: cold requests, round {} of {rounds}...", round + 1);
        for case in cases {
            let (mut child, api, init) = spawn_with(env, &case.program, &case.args, &case.env).await;
            let pid = child.id().unwrap();
            // A group of its own: no period's quota spent by the case before.
            let quota = if held { Quota::new(case.memory_mb) } else { None };
            if let Some(q) = &quota {
                q.enter(pid);
            }
            let throttled = || quota.as_ref().map(Quota::throttled).unwrap_or_default();
            // The time the proxies spent waiting for answers since the last
            // look (init's priming, then each request's), calls that
            // overlapped counted once.
            let waited = || proxy::union([&env.ddb, &env.sqs, &env.ses].iter().flat_map(|p| p.take().spans).collect());
            let init_waited = waited();
            let invoke = async |i: usize| {
                let out = api.invoke((case.event)(i).to_string()).await;
                let status = serde_json::from_str::<Value>(&out.body).ok().and_then(|v| v["statusCode"].as_u64());
                assert!(!out.error && status.is_none_or(|s| s < 400), "{}: {}", case.label, out.body);
                out.latency
            };
            let (throttled_before, cpu_before) = (throttled(), cpu::used(pid));
            let first = invoke(i).await;
            let s = samples.entry(case.label.clone()).or_default();
            s.init_waited.push(init_waited);
            s.first_waited.push(waited());
            s.cold_waited.push(init_waited + *s.first_waited.last().unwrap());
            s.first_throttled.push(throttled() - throttled_before);
            s.first_cpu.push(cpu::used(pid).saturating_sub(cpu_before));
            let mut warm = Vec::with_capacity(WARM);
            for k in 1..=WARM {
                let took = invoke(i + k).await;
                warm.push((took, waited()));
            }
            i += WARM + 1;
            warm.sort();
            if let Some(pause) = case.pause {
                // As Lambda does: frozen while idle, the next event waiting
                // when it thaws, so the request races the connections'
                // news of the service's close.
                signal(pid, "-STOP");
                tokio::time::sleep(pause).await;
                let opened = ca.accepted();
                let (took, ()) = tokio::join!(invoke(i), async { signal(pid, "-CONT") });
                s.after_pause.push(took);
                s.after_pause_connections.push(ca.accepted() - opened);
                waited();
                i += 1;
            }
            s.init.push(init);
            s.first.push(first);
            s.cold.push(init + first);
            s.warm.push(warm[WARM / 2].0);
            s.warm_waited.push(warm[WARM / 2].1);
            s.cold_own.push((init + first).saturating_sub(*s.cold_waited.last().unwrap()));
            s.warm_own.push(warm[WARM / 2].0.saturating_sub(warm[WARM / 2].1));
            s.rss_kb.push(peak_rss_kb(pid));
            let _ = child.kill().await;
            let _ = child.wait().await;
        }
    }
    samples
        .into_iter()
        .map(|(label, s)| {
            let mut rss = s.rss_kb.clone();
            rss.sort();
            let m = Measured {
                quota: held,
                init: Figure::of(s.init),
                first: Figure::of(s.first),
                cold: Figure::of(s.cold),
                warm: Figure::of(s.warm),
                first_waited: Figure::of(s.first_waited),
                init_waited: Figure::of(s.init_waited),
                cold_waited: Figure::of(s.cold_waited),
                cold_own: Figure::of(s.cold_own),
                warm_own: Figure::of(s.warm_own),
                first_throttled: Figure::of(s.first_throttled),
                first_cpu: Figure::of(s.first_cpu),
                warm_waited: Figure::of(s.warm_waited),
                after_pause: (!s.after_pause.is_empty()).then(|| Figure::of(s.after_pause)),
                after_pause_connections: {
                    let mut c = s.after_pause_connections.clone();
                    c.sort();
                    c.get(c.len() / 2).copied().unwrap_or(0)
                },
                rss_mb: rss[rss.len() / 2] as f64 / 1024.0,
            };
            (label, m)
        })
        .collect()
}

pub fn print(cases: &[Case<'_>], measured: &BTreeMap<String, Measured>) {
    println!(
        "| case | CPU after init | init | first request | **cold request** (init + first) | warm (median of {WARM}) | peak RSS |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for c in cases {
        let m = &measured[&c.label];
        let cpu = match m.quota {
            true => format!("{} MB, {:.1} %", c.memory_mb, Quota::quota_us(c.memory_mb) as f64 / 1000.0),
            false => "full CPU (no cgroup quota)".into(),
        };
        println!(
            "| {} | {cpu} | {} | {} | **{}** | {} | {:.0} MB |",
            c.label,
            m.init.spread(),
            m.first.spread(),
            m.cold.spread(),
            m.warm.spread(),
            m.rss_mb
        );
    }
}

/// Where each case's cold and warm requests went (medians): waiting for
/// the emulators' answers (DynamoDB Local, moto, the SES emulator, as the
/// counting proxies measure it: init's priming calls and the first
/// request's), and the rest, which is this process's own; of the first
/// request, the wait for the next CFS period with the quota spent and the
/// process's CPU time. Calls that overlap (the worker sends five e-mails at
/// a time) count once.
pub fn print_breakdown(cases: &[Case<'_>], measured: &BTreeMap<String, Measured>) {
    println!(
        "| case | cold request | of it waiting for the emulators (init's priming + first request) | **without that wait** | first request: waiting for the next CPU period | first request: own CPU | warm | of it waiting for the emulators | **without that wait** |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for c in cases {
        let m = &measured[&c.label];
        println!(
            "| {} | {} ms | {} ms ({} + {}) | **{} ms** | {} ms | {} ms | {} ms | {} ms | **{} ms** |",
            c.label,
            ms(m.cold.median),
            ms(m.cold_waited.median),
            ms(m.init_waited.median),
            ms(m.first_waited.median),
            ms(m.cold_own.median),
            ms(m.first_throttled.median),
            ms(m.first_cpu.median),
            ms(m.warm.median),
            ms(m.warm_waited.median),
            ms(m.warm_own.median),
        );
    }
}

fn signal(pid: u32, which: &str) {
    let ok = std::process::Command::new("kill").args([which, &pid.to_string()]).status().is_ok_and(|s| s.success());
    assert!(ok, "kill {which} {pid}");
}

/// Lambda's price per GB-second (us-east-1, 2026) and per million requests.
const X86_GB_S: f64 = 0.000_016_666_7;
const ARM_GB_S: f64 = 0.000_013_333_4;
const PER_MILLION: f64 = 0.20;

/// Dollars per 1,000 warm requests of `took` at `memory_mb` (billed by the
/// millisecond, rounded up).
pub fn cost_per_1000(memory_mb: u64, took: Duration, arm: bool) -> f64 {
    let billed_s = (took.as_secs_f64() * 1000.0).ceil() / 1000.0;
    let gb_s = billed_s * memory_mb as f64 / 1024.0;
    1000.0 * (gb_s * if arm { ARM_GB_S } else { X86_GB_S } + PER_MILLION / 1e6)
}

pub fn print_memory(label: &str, sizes: &[(u64, String)], measured: &BTreeMap<String, Measured>) {
    println!(
        "| {label} at | CPU share | cold request | warm | $ per 1,000 warm requests, x86_64 | arm64 | $ per 1,000 cold requests, arm64 |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (mb, key) in sizes {
        let m = &measured[key];
        println!(
            "| {mb} MB | {:.1} % | {} ms | {} ms | {:.5} | {:.5} | {:.5} |",
            Quota::quota_us(*mb) as f64 / 1000.0,
            ms(m.cold.median),
            ms(m.warm.median),
            cost_per_1000(*mb, m.warm.median, false),
            cost_per_1000(*mb, m.warm.median, true),
            cost_per_1000(*mb, m.cold.median, true),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_billed_by_the_millisecond_at_its_memory_size() {
        // 10.2 ms at 128 MB bills 11 ms of 0.125 GB, plus the request.
        let c = cost_per_1000(128, Duration::from_micros(10_200), false);
        assert!((c - 1000.0 * (0.011 * 0.125 * X86_GB_S + 0.2e-6)).abs() < 1e-12, "{c}");
        assert_eq!(Quota::quota_us(128), 7235);
        assert_eq!(Quota::quota_us(1769), 100_000);
        assert_eq!(Quota::quota_us(4096), 100_000);
    }
}
