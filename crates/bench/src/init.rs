//! Init measured steadily: cold starts interleaved with the floor's
//! (floor, function, floor, next function, …, round after round), so drift
//! on the machine hits every binary alike; medians with their spread, the
//! absolute gap to the floor next to the ratio.

use crate::{Env, ms, percentile, root, spawn};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// One binary to start, with variables added to (or overriding) the
/// function's environment.
pub struct Start {
    pub label: String,
    pub path: PathBuf,
    pub env: Vec<(String, String)>,
}

impl Start {
    pub fn release(bin: &str) -> Self {
        Self { label: bin.into(), path: root().join("target/release").join(bin), env: Vec::new() }
    }

    pub fn with(mut self, label: &str, env: &[(&str, &str)]) -> Self {
        self.label = label.into();
        self.env = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self
    }
}

#[derive(Clone, Debug)]
pub struct Figure {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Figure {
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Self { median: percentile(&samples, 0.5), min: samples[0], max: samples[samples.len() - 1] }
    }

    pub fn spread(&self) -> String {
        format!("{} ms ({}–{})", ms(self.median), ms(self.min), ms(self.max))
    }
}

pub struct Inits {
    pub floor: Figure,
    pub each: BTreeMap<String, Figure>,
}

impl Inits {
    /// Median gap to the floor's median, in milliseconds.
    pub fn gap_ms(&self, label: &str) -> f64 {
        (self.each[label].median.as_secs_f64() - self.floor.median.as_secs_f64()) * 1000.0
    }

    pub fn ratio(&self, label: &str) -> f64 {
        self.each[label].median.as_secs_f64() / self.floor.median.as_secs_f64()
    }

    pub fn print(&self, starts: &[Start], rounds: usize) {
        println!("| binary | init median (min–max) | gap to the floor | ÷ floor |");
        println!("| --- | ---: | ---: | ---: |");
        println!("| hello-floor ({} starts) | {} | – | 1.0× |", rounds * starts.len(), self.floor.spread());
        for s in starts {
            println!(
                "| {} | {} | {:+.2} ms | {:.1}× |",
                s.label,
                self.each[&s.label].spread(),
                self.gap_ms(&s.label),
                self.ratio(&s.label)
            );
        }
    }
}

/// `rounds` rounds of: for each entry, a floor cold start, then the entry's.
pub async fn interleaved(env: &Env, starts: &[Start], rounds: usize) -> Inits {
    let floor = root().join("target/release/hello-floor");
    let mut floor_samples = Vec::new();
    let mut samples: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for _ in 0..rounds {
        for s in starts {
            let (mut child, _, init) = spawn(env, &floor, &[]).await;
            floor_samples.push(init);
            let _ = child.kill().await;
            let (mut child, _, init) = spawn(env, &s.path, &s.env).await;
            samples.entry(s.label.clone()).or_default().push(init);
            let _ = child.kill().await;
        }
    }
    Inits { floor: Figure::of(floor_samples), each: samples.into_iter().map(|(k, v)| (k, Figure::of(v))).collect() }
}
