//! The cold request: what a person waits for when their click meets a new
//! execution environment. Init (process start → first `/next`, with burst
//! CPU), then the process moves into the CPU quota of its memory size
//! (`cpu.rs`), then its first request (the TLS handshake to the emulators'
//! TLS front, `tls.rs`, the first use of the crypto library, signing), then
//! warm requests under the same quota. Every case is started once per
//! round, the cases interleaved round after round, so drift on the machine
//! hits them alike; medians with their spread.

use crate::cpu::Quota;
use crate::init::Figure;
use crate::{Env, ms, peak_rss_kb, spawn_with};
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
    pub event: Box<dyn Fn(usize) -> Value + 'a>,
}

impl<'a> Case<'a> {
    pub fn new(label: &str, program: PathBuf, memory_mb: u64, event: impl Fn(usize) -> Value + 'a) -> Self {
        Self { label: label.into(), program, args: Vec::new(), env: Vec::new(), memory_mb, event: Box::new(event) }
    }

    pub fn args(mut self, args: &[&str]) -> Self {
        self.args = args.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    pub fn env(mut self, env: &[(String, String)]) -> Self {
        self.env.extend(env.iter().cloned());
        self
    }
}

#[derive(Default)]
struct Samples {
    init: Vec<Duration>,
    first: Vec<Duration>,
    cold: Vec<Duration>,
    warm: Vec<Duration>,
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
    pub rss_mb: f64,
}

/// `rounds` rounds of every case; `next` hands out the request numbers.
pub async fn measure(env: &Env, cases: &[Case<'_>], rounds: usize) -> BTreeMap<String, Measured> {
    let mut quotas: BTreeMap<u64, Option<Quota>> = BTreeMap::new();
    for c in cases {
        quotas.entry(c.memory_mb).or_insert_with(|| Quota::new(c.memory_mb));
    }
    let mut samples: BTreeMap<String, Samples> = BTreeMap::new();
    let mut i = 0;
    for round in 0..rounds {
        eprintln!("bench: cold requests, round {} of {rounds}...", round + 1);
        for case in cases {
            let (mut child, api, init) = spawn_with(env, &case.program, &case.args, &case.env).await;
            let pid = child.id().unwrap();
            if let Some(q) = &quotas[&case.memory_mb] {
                q.enter(pid);
            }
            let invoke = async |i: usize| {
                let out = api.invoke((case.event)(i).to_string()).await;
                let status = serde_json::from_str::<Value>(&out.body).ok().and_then(|v| v["statusCode"].as_u64());
                assert!(!out.error && status.is_none_or(|s| s < 400), "{}: {}", case.label, out.body);
                out.latency
            };
            let first = invoke(i).await;
            let mut warm = Vec::with_capacity(WARM);
            for k in 1..=WARM {
                warm.push(invoke(i + k).await);
            }
            i += WARM + 1;
            warm.sort();
            let s = samples.entry(case.label.clone()).or_default();
            s.init.push(init);
            s.first.push(first);
            s.cold.push(init + first);
            s.warm.push(warm[WARM / 2]);
            s.rss_kb.push(peak_rss_kb(pid));
            let _ = child.kill().await;
            let _ = child.wait().await;
        }
    }
    let held: BTreeMap<&str, bool> = cases.iter().map(|c| (c.label.as_str(), quotas[&c.memory_mb].is_some())).collect();
    samples
        .into_iter()
        .map(|(label, s)| {
            let mut rss = s.rss_kb.clone();
            rss.sort();
            let m = Measured {
                quota: held[label.as_str()],
                init: Figure::of(s.init),
                first: Figure::of(s.first),
                cold: Figure::of(s.cold),
                warm: Figure::of(s.warm),
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
