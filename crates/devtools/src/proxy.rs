//! An HTTP proxy in front of a local emulator, for the benchmark and the
//! fault-injected tests. It counts the AWS API calls that pass (by
//! `x-amz-target`, or method and path) and the time spent waiting for their
//! answers, and it can add latency to every call (as a region's network
//! would), refuse connections for a window (the service is down), or answer
//! or cut chosen requests itself (throttling, a permanent refusal, a process
//! killed mid-call), all without touching the functions.
//!
//! In front of DynamoDB Local it can also contend as DynamoDB does: Local
//! runs transactions one after another, so overlapping transactions all
//! succeed there, where DynamoDB cancels a `TransactWriteItems` that touches
//! an item another transaction in flight holds (`TransactionCanceledException`,
//! reason `TransactionConflict`). With contention on, the proxy does that.

use crate::local_http::{Incoming, Reply, reply, serve_connection};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

#[derive(Default, Clone, Debug)]
pub struct Stats {
    pub calls: BTreeMap<String, u64>,
    pub busy: Duration,
    /// When each answered call started and ended: where calls overlap (on
    /// several connections, or on several proxies) their union is the
    /// time spent waiting, not `busy`'s sum.
    pub spans: Vec<(Instant, Instant)>,
    /// Items DynamoDB read for the answers: each Query's and Scan's
    /// `ScannedCount` (before any filter), plus one per item a GetItem found.
    pub items_read: u64,
}

/// What the proxy does with a request instead of forwarding it.
pub enum Inject {
    /// Answer with this status, AWS error type and message.
    Answer { status: u16, error_type: &'static str, message: &'static str },
    /// Close the connection without an answer.
    Cut,
    /// Forward the request (it takes effect upstream), then close the
    /// connection without its answer: a commit whose answer was lost.
    ForwardThenCut,
    /// Hold the request this long, then forward it: a write whose reads
    /// came before a change another client makes meanwhile (a race, made
    /// to happen every time).
    Hold(Duration),
}

/// Decides per request (its head and body as text) whether to inject.
pub type Rule = Arc<dyn Fn(&str) -> Option<Inject> + Send + Sync>;

#[derive(Default)]
struct Faults {
    down: AtomicBool,
    delay_us: AtomicU64,
    rule: Mutex<Option<Rule>>,
    contention: AtomicBool,
    /// Items that transactions in flight hold (`table|key`).
    held: Mutex<std::collections::HashSet<String>>,
    conflicts: AtomicU64,
}

/// The items a `TransactWriteItems` request writes or checks, as
/// `table|key` (its key attributes in a stable order); empty for any other
/// request.
pub fn transaction_items(body: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return Vec::new() };
    let Some(items) = v["TransactItems"].as_array() else { return Vec::new() };
    items
        .iter()
        .filter_map(|item| {
            let (_, op) = item.as_object()?.iter().next()?;
            let key = op.get("Key").or_else(|| op.get("Item"))?.as_object()?;
            let mut parts: Vec<String> =
                ["PK", "SK"].iter().filter_map(|k| key.get(*k).map(|v| format!("{k}={v}"))).collect();
            parts.sort();
            Some(format!("{}|{}", op["TableName"].as_str().unwrap_or(""), parts.join(",")))
        })
        .collect()
}

/// DynamoDB's answer to a transaction that overlapped one in flight:
/// `TransactionConflict` for the items held, `None` for the others.
fn conflict_answer(items: &[String], held: &std::collections::HashSet<String>) -> Reply {
    let reasons: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            if held.contains(i) {
                serde_json::json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"})
            } else {
                serde_json::json!({"Code": "None"})
            }
        })
        .collect();
    let body = serde_json::json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
        "CancellationReasons": reasons,
    });
    reply(
        400,
        &[("content-type", "application/x-amz-json-1.0"), ("x-amzn-errortype", "TransactionCanceledException")],
        body.to_string(),
    )
}

#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    stats: Arc<Mutex<Stats>>,
    faults: Arc<Faults>,
}

impl Proxy {
    /// A proxy to `upstream` (`host:port` or `http://host:port`) on a free port.
    pub async fn start(upstream: &str) -> Self {
        let upstream = format!("http://{}", upstream.trim_start_matches("http://").trim_end_matches('/'));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let proxy = Self { url, stats: Arc::default(), faults: Arc::default() };
        let shared = proxy.clone();
        let client = reqwest::Client::new();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if shared.faults.down.load(Ordering::SeqCst) {
                    drop(stream);
                    continue;
                }
                let (p, up, client) = (shared.clone(), upstream.clone(), client.clone());
                tokio::spawn(serve_connection(stream, move |req| {
                    let (p, up, client) = (p.clone(), up.clone(), client.clone());
                    async move { p.pass(req, &up, &client).await }
                }));
            }
        });
        proxy
    }

    /// Stats since the last call, then reset.
    pub fn take(&self) -> Stats {
        std::mem::take(&mut *self.stats.lock().unwrap())
    }

    /// While down, new connections are refused (closed at once) and
    /// requests on open ones closed without an answer.
    pub fn set_down(&self, down: bool) {
        self.faults.down.store(down, Ordering::SeqCst);
    }

    /// Latency added before each call is forwarded.
    pub fn set_delay(&self, delay: Duration) {
        self.faults.delay_us.store(delay.as_micros() as u64, Ordering::SeqCst);
    }

    /// Contends as DynamoDB does: a transaction overlapping one in flight
    /// is cancelled with `TransactionConflict`.
    pub fn set_contention(&self, on: bool) {
        self.faults.contention.store(on, Ordering::SeqCst);
    }

    /// Transactions cancelled for a conflict so far.
    pub fn conflicts(&self) -> u64 {
        self.faults.conflicts.load(Ordering::SeqCst)
    }

    /// Answers or cuts the requests `rule` picks.
    pub fn set_rule(&self, rule: Option<Rule>) {
        *self.faults.rule.lock().unwrap() = rule;
    }

    /// One request: counted, delayed, answered or cut by the rule, or
    /// forwarded as it came (headers, the signed `host` among them, and body).
    async fn pass(&self, req: Incoming, upstream: &str, client: &reqwest::Client) -> Option<Reply> {
        // Down: a connection kept alive from before is closed too, as a
        // service that went away would.
        if self.faults.down.load(Ordering::SeqCst) {
            return None;
        }
        let text = req.text();
        *self.stats.lock().unwrap().calls.entry(call_name(&text)).or_default() += 1;
        let delay = self.faults.delay_us.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_micros(delay)).await;
        }
        let rule = self.faults.rule.lock().unwrap().clone();
        let mut lose_answer = false;
        match rule.and_then(|r| r(&text)) {
            Some(Inject::Cut) => return None,
            Some(Inject::ForwardThenCut) => lose_answer = true,
            Some(Inject::Hold(wait)) => tokio::time::sleep(wait).await,
            Some(Inject::Answer { status, error_type, message }) => {
                let body = format!("{{\"message\":\"{message}\"}}");
                return Some(reply(
                    status,
                    &[("content-type", "application/json"), ("x-amzn-errortype", error_type)],
                    body,
                ));
            }
            None => {}
        }
        // Contention: hold the transaction's items while it is in flight.
        let held = if self.faults.contention.load(Ordering::SeqCst) {
            let items = transaction_items(&req.body);
            let mut all = self.faults.held.lock().unwrap();
            if items.iter().any(|i| all.contains(i)) {
                self.faults.conflicts.fetch_add(1, Ordering::SeqCst);
                return Some(conflict_answer(&items, &all));
            }
            all.extend(items.iter().cloned());
            items
        } else {
            Vec::new()
        };
        let started = Instant::now();
        let answer = crate::local_http::forward(client, upstream, req).await;
        if !held.is_empty() {
            let mut all = self.faults.held.lock().unwrap();
            for i in &held {
                all.remove(i);
            }
        }
        let answer = answer.ok()?;
        let mut stats = self.stats.lock().unwrap();
        stats.busy += started.elapsed();
        stats.spans.push((started, Instant::now()));
        stats.items_read += items_read(&answer.body);
        drop(stats);
        (!lose_answer).then(|| answer.reply())
    }
}

/// The time covered by at least one of `spans` (each `(start, end)`).
pub fn union(mut spans: Vec<(Instant, Instant)>) -> Duration {
    spans.sort();
    let mut total = Duration::ZERO;
    let mut open: Option<(Instant, Instant)> = None;
    for (start, end) in spans {
        open = match open {
            Some((s, e)) if start <= e => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e - s;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    total + open.map_or(Duration::ZERO, |(s, e)| e - s)
}

/// What a DynamoDB answer's body says was read: `"ScannedCount":N` of a query or
/// scan, one for a GetItem that found its item, and the items a
/// BatchGetItem found (its `Responses`).
fn items_read(answer: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(answer);
    let scanned: u64 = text
        .match_indices("\"ScannedCount\":")
        .filter_map(|(at, m)| text[at + m.len()..].split(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .sum();
    let batched: u64 = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| {
            let tables = v.get("Responses")?.as_object()?;
            Some(tables.values().filter_map(|items| items.as_array()).map(|items| items.len() as u64).sum())
        })
        .unwrap_or(0);
    scanned + text.matches("{\"Item\":").count() as u64 + batched
}

fn call_name(head: &str) -> String {
    for line in head.lines() {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("x-amz-target:") {
            return v.trim().rsplit('.').next().unwrap_or("").to_owned();
        }
    }
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    format!("{} {}", first.next().unwrap_or(""), first.next().unwrap_or("").split('?').next().unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::{items_read, union};
    use std::time::{Duration, Instant};

    #[test]
    fn overlapping_calls_count_once_and_gaps_not_at_all() {
        let t = Instant::now();
        let at = |ms: u64| t + Duration::from_millis(ms);
        // 0–10 and 5–12 overlap (12 ms), 20–25 stands apart (5 ms), 21–22 lies inside it.
        let spans = vec![(at(20), at(25)), (at(0), at(10)), (at(5), at(12)), (at(21), at(22))];
        assert_eq!(union(spans), Duration::from_millis(17));
        assert_eq!(union(Vec::new()), Duration::ZERO);
    }

    #[test]
    fn items_read_counts_queries_gets_and_batched_gets() {
        let answer = |body: &str| body.to_owned();
        assert_eq!(items_read(answer(r#"{"Count":1,"Items":[{}],"ScannedCount":40}"#).as_bytes()), 40);
        assert_eq!(items_read(answer(r#"{"Item":{"PK":{"S":"a"}}}"#).as_bytes()), 1);
        assert_eq!(items_read(answer(r#"{}"#).as_bytes()), 0);
        let batch = r#"{"Responses":{"t":[{"PK":{"S":"a"}},{"PK":{"S":"b"}}]},"UnprocessedKeys":{}}"#;
        assert_eq!(items_read(answer(batch).as_bytes()), 2);
    }

    #[test]
    fn a_transaction_names_every_item_it_touches() {
        let body = br#"{"TransactItems":[
            {"Update":{"TableName":"t","Key":{"SK":{"S":"RESOURCE"},"PK":{"S":"RES#1"}}}},
            {"Put":{"TableName":"t","Item":{"PK":{"S":"RES#1"},"SK":{"S":"MEMBER#u"},"role":{"S":"admin"}}}},
            {"ConditionCheck":{"TableName":"t","Key":{"PK":{"S":"RES#1"},"SK":{"S":"LINK#l"}}}}]}"#;
        let items = super::transaction_items(body);
        assert_eq!(items.len(), 3);
        assert_eq!(items[0], r#"t|PK={"S":"RES#1"},SK={"S":"RESOURCE"}"#);
        assert!(super::transaction_items(br#"{"TableName":"t","Key":{}}"#).is_empty());
    }
}
