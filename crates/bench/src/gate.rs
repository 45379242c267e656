//! The regression gate: `make bench` compares this run's figures with the
//! committed baseline (`crates/bench/baseline.json`) and fails on a
//! regression beyond the tolerances below. `BENCH_UPDATE_BASELINE=1 make
//! bench` writes this run's figures as the new baseline, on purpose.

use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What one run measured, by figure and name.
#[derive(Default)]
pub struct Figures {
    /// Stripped binary size, MB.
    pub size_mb: BTreeMap<String, f64>,
    /// Init median minus the floor's, in the same interleaved run, ms.
    pub init_gap_ms: BTreeMap<String, f64>,
    /// AWS calls of one warm request.
    pub calls: BTreeMap<String, f64>,
    /// Items DynamoDB reads for one page, by page and history.
    pub items_read: BTreeMap<String, f64>,
    /// Cold request (init + first request) under the 128 MB CPU model over
    /// TLS, median, ms.
    pub cold_ms: BTreeMap<String, f64>,
    /// Warm request under the same model, median, ms.
    pub warm_quota_ms: BTreeMap<String, f64>,
    /// The cold request without the emulators' answers (init's priming and
    /// the first request's): the function's own time, median, ms.
    pub cold_own_ms: BTreeMap<String, f64>,
}

/// How far a figure may move up before the gate fails: size by 5 %, the
/// init gap by 1.5 ms or half of it (whichever is more: interleaved medians
/// still move by about a millisecond between runs), calls not at all, items
/// read by 10 % plus 2, the cold request under the CPU quota by half or 5 ms
/// and the warm one under it by half or 3 ms, the cold request's own time
/// (without the emulators' answers) by half or 3 ms (a 7 % share of a vCPU
/// turns the machine's jitter into milliseconds).
fn allowed(figure: &str, base: f64) -> f64 {
    match figure {
        "size_mb" => base * 1.05,
        "init_gap_ms" => base + (base * 0.5).max(1.5),
        "calls" => base,
        "cold_ms" => base + (base * 0.5).max(5.0),
        "warm_quota_ms" | "cold_own_ms" => base + (base * 0.5).max(3.0),
        _ => base * 1.1 + 2.0,
    }
}

fn path() -> PathBuf {
    crate::root().join("crates/bench/baseline.json")
}

impl Figures {
    fn sets(&self) -> [(&'static str, &BTreeMap<String, f64>); 7] {
        [
            ("size_mb", &self.size_mb),
            ("init_gap_ms", &self.init_gap_ms),
            ("calls", &self.calls),
            ("items_read", &self.items_read),
            ("cold_ms", &self.cold_ms),
            ("warm_quota_ms", &self.warm_quota_ms),
            ("cold_own_ms", &self.cold_own_ms),
        ]
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (figure, set) in self.sets() {
            let rounded: Map<String, Value> =
                set.iter().map(|(k, v)| (k.clone(), json!((v * 100.0).round() / 100.0))).collect();
            out.insert(figure.into(), Value::Object(rounded));
        }
        Value::Object(out)
    }

    /// This run against `base`: whether nothing regressed, and one table row
    /// per figure.
    fn compare(&self, base: &Value) -> (bool, Vec<String>) {
        let mut ok = true;
        let mut rows = Vec::new();
        for (figure, set) in self.sets() {
            for (name, now) in set {
                let Some(was) = base[figure][name].as_f64() else {
                    rows.push(format!("| {figure} | {name} | – | {now:.2} | – | new |"));
                    continue;
                };
                let limit = allowed(figure, was);
                let verdict = if *now > limit + 1e-9 {
                    ok = false;
                    "**regression**"
                } else {
                    "ok"
                };
                rows.push(format!("| {figure} | {name} | {was:.2} | {now:.2} | {limit:.2} | {verdict} |"));
            }
        }
        (ok, rows)
    }

    /// Prints the comparison; `false` when a figure regressed. Writes the
    /// baseline instead when asked to (or when there is none yet).
    pub fn check(&self) -> bool {
        let update = std::env::var("BENCH_UPDATE_BASELINE").is_ok_and(|v| v == "1");
        let base: Option<Value> = std::fs::read_to_string(path()).ok().and_then(|t| serde_json::from_str(&t).ok());
        let Some(base) = base.filter(|_| !update) else {
            let text = serde_json::to_string_pretty(&self.to_json()).unwrap() + "\n";
            std::fs::write(path(), text).unwrap();
            println!("Baseline written to crates/bench/baseline.json: commit it.");
            return true;
        };
        let (ok, rows) = self.compare(&base);
        println!("| figure | name | baseline | now | allowed up to | |");
        println!("| --- | --- | ---: | ---: | ---: | --- |");
        for row in rows {
            println!("{row}");
        }
        println!();
        println!(
            "{}",
            if ok {
                "Gate: no regression beyond the tolerances."
            } else {
                "Gate: REGRESSION. Fix it, or if it is the price of a change made on purpose, run \
                 `BENCH_UPDATE_BASELINE=1 make bench` and commit crates/bench/baseline.json with the reason."
            }
        );
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(figure: &str, value: f64) -> Figures {
        let mut f = Figures::default();
        let set = match figure {
            "size_mb" => &mut f.size_mb,
            "init_gap_ms" => &mut f.init_gap_ms,
            "calls" => &mut f.calls,
            "cold_ms" => &mut f.cold_ms,
            "warm_quota_ms" => &mut f.warm_quota_ms,
            "cold_own_ms" => &mut f.cold_own_ms,
            _ => &mut f.items_read,
        };
        set.insert("x".into(), value);
        f
    }

    #[test]
    fn the_gate_fails_beyond_each_tolerance_and_only_there() {
        let base = |figure: &str, v: f64| json!({ figure: { "x": v } });
        for (figure, was, passes, fails) in [
            ("size_mb", 10.0, 10.5, 10.6),
            ("init_gap_ms", 1.0, 2.5, 2.6),
            ("init_gap_ms", 4.0, 6.0, 6.1),
            ("calls", 2.0, 2.0, 3.0),
            ("items_read", 50.0, 57.0, 57.5),
            ("cold_ms", 20.0, 30.0, 30.1),
            ("cold_ms", 4.0, 9.0, 9.1),
            ("warm_quota_ms", 10.0, 15.0, 15.1),
            ("cold_own_ms", 4.0, 7.0, 7.1),
            ("cold_own_ms", 10.0, 15.0, 15.1),
        ] {
            assert!(one(figure, passes).compare(&base(figure, was)).0, "{figure} {was} -> {passes}");
            assert!(!one(figure, fails).compare(&base(figure, was)).0, "{figure} {was} -> {fails}");
        }
        // A figure the baseline does not have yet is new, not a regression.
        let (ok, rows) = one("calls", 9.0).compare(&json!({}));
        assert!(ok && rows[0].ends_with("new |"));
    }
}
