//! The functions' own metrics as CloudWatch embedded-metric-format (EMF)
//! log lines: one JSON line per invocation on stdout, which CloudWatch Logs
//! turns into metrics in the `Invites` namespace with a `Function`
//! dimension. No SDK call and no added latency.

use serde_json::{Map, Value, json};

pub const NAMESPACE: &str = "Invites";

/// The EMF line for these counts (`None` when every count is zero, so idle
/// invocations write nothing).
pub fn line(function: &str, counts: &[(&str, u64)], timestamp_ms: i64) -> Option<String> {
    if counts.iter().all(|(_, c)| *c == 0) {
        return None;
    }
    let metrics: Vec<Value> = counts.iter().map(|(name, _)| json!({"Name": name, "Unit": "Count"})).collect();
    let mut out = Map::new();
    out.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": [["Function"]], "Metrics": metrics}],
        }),
    );
    out.insert("Function".into(), function.into());
    for (name, count) in counts {
        out.insert((*name).into(), (*count).into());
    }
    Some(Value::Object(out).to_string())
}

/// Writes the EMF line for these counts, if any is not zero.
pub fn emit(function: &str, counts: &[(&str, u64)]) {
    let now_ms = invites_domain::time::now() * 1000;
    if let Some(l) = line(function, counts, now_ms) {
        println!("{l}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_json_line_cloudwatch_reads_as_metrics() {
        let l = super::line("send-invite-email", &[("EmailsSent", 3), ("EmailsFailed", 0)], 1_700_000_000_000).unwrap();
        assert!(!l.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&l).unwrap();
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Namespace"], "Invites");
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0][0], "Function");
        assert_eq!(v["_aws"]["CloudWatchMetrics"][0]["Metrics"][1]["Name"], "EmailsFailed");
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!((v["Function"].as_str(), v["EmailsSent"].as_u64()), (Some("send-invite-email"), Some(3)));
        assert_eq!(super::line("f", &[("A", 0)], 0), None);
    }
}
