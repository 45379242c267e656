//! The fault-injected proof: N invites through the real binaries
//! (`create-invite`, `send-invite-email`, `sweep-invites`, debug builds,
//! each under a Lambda Runtime API) against the local stack, while faults
//! are injected by proxies in front of SQS and SES:
//!
//! - the queue is down for a window of creates (their e-mails are queued
//!   again by the sweep),
//! - the worker is killed between its claim and the SES call (the message
//!   comes back after its visibility timeout, the claim is stale by then),
//! - SES throttles a burst of calls (beyond the SDK's own retries the
//!   messages go back to the queue) and refuses some addresses for good,
//! - SQS delivers messages twice (within a batch and whole batches again).
//!
//! Afterwards every invite has exactly one e-mail in the inbox, or is
//! recorded as refused; none has two. The figures are printed.
//!
//! The functions read the link key as deployed: through (a stand-in for) the
//! Parameters and Secrets extension, once per process.

use invites_devtools::proxy::{Inject, Proxy, Rule};
use invites_devtools::secrets_extension::SecretsExtension;
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const N: usize = 200;
/// Creates from this one to `QUEUE_DOWN.end` find the queue down.
const QUEUE_DOWN: std::ops::Range<usize> = 60..100;
/// How long a received message stays invisible (seconds); above the claim period.
const VISIBILITY: i32 = 5;
const CLAIM_SECS: &str = "3";

/// The link key's secret, as the template names it.
const KEY_SECRET: &str = "arn:aws:secretsmanager:us-east-1:000000000000:secret:invites/link-key-AbCdEf";

/// What each function runs against: the stack behind proxies and the key's
/// secret behind the extension.
struct Env<'a> {
    h: &'a Harness,
    sqs: &'a Proxy,
    ses: &'a Proxy,
    secrets: &'a SecretsExtension,
}

/// A function binary under its own Runtime API, against the stack behind
/// the proxies and the key behind the extension.
async fn start(name: &str, Env { h, sqs, ses, secrets }: &Env<'_>) -> Function {
    let env = |k: &str| std::env::var(k).unwrap();
    let mut vars = secrets.env();
    vars.extend([
        ("AWS_ENDPOINT_URL_DYNAMODB", env("AWS_ENDPOINT_URL_DYNAMODB")),
        ("AWS_ENDPOINT_URL_SQS", sqs.url.clone()),
        ("AWS_ENDPOINT_URL_SESV2", ses.url.clone()),
        ("INVITES_TABLE", h.table.clone()),
        ("INVITES_QUEUE_URL", h.queue_url.clone()),
        ("INVITES_TOKEN_KEY_SECRET", KEY_SECRET.into()),
        ("INVITES_ACCEPT_URL", ACCEPT_URL.into()),
        ("INVITES_SENDER", SENDER.into()),
        ("INVITES_SEAT_LIMIT", "1000".into()),
        ("INVITES_DAILY_INVITE_LIMIT", "1000".into()),
        ("INVITES_USER_DAILY_INVITE_LIMIT", "1000".into()),
        ("INVITES_REQUEUE_AFTER_SECS", "10".into()),
        ("INVITES_CLAIM_SECS", CLAIM_SECS.into()),
    ]);
    Function::start(name, vars).await
}

/// SES as the worker sees it: a burst of throttling, permanent refusals
/// for `refuse-` addresses, and the worker killed at its first `kill-` send.
fn ses_faults(worker_pid: Arc<AtomicU32>) -> Rule {
    let (sends, killed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    Arc::new(move |request: &str| {
        if !request.starts_with("POST /v2/email/outbound-emails") {
            return None;
        }
        if request.contains("kill-") && !killed.swap(true, Ordering::SeqCst) {
            let pid = worker_pid.load(Ordering::SeqCst).to_string();
            let _ = std::process::Command::new("/usr/bin/kill").args(["-9", &pid]).status();
            return Some(Inject::Cut);
        }
        if request.contains("refuse-") {
            return Some(Inject::Answer {
                status: 400,
                error_type: "MessageRejected",
                message: "Email address is not verified.",
            });
        }
        let n = sends.fetch_add(1, Ordering::SeqCst);
        (40..70).contains(&n).then_some(Inject::Answer {
            status: 429,
            error_type: "TooManyRequestsException",
            message: "Maximum sending rate exceeded.",
        })
    })
}

fn address(i: usize, run: &str) -> String {
    let kind = match i {
        7 => "kill",
        i if i % 50 == 13 => "refuse",
        _ => "faults",
    };
    format!("{kind}-{i}-{run}@example.com")
}

/// The invites of the table: email → (sent or refused, refused).
async fn settled(h: &Harness) -> HashMap<String, (bool, bool)> {
    h.dump()
        .await
        .into_iter()
        .filter(|i| i.get("entity").and_then(|e| e.as_s().ok()).is_some_and(|e| e == "invite"))
        .map(|i| {
            let s = |k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned();
            let done = s("sentSendId").is_some() && s("sentSendId") == s("sendId");
            (s("email").unwrap(), (done, s("deliveryError").is_some()))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_invite_gets_exactly_one_email_despite_injected_faults() {
    let h = Harness::with_limits(Limits {
        seat_limit: 1000,
        daily_invites: 1000,
        user_daily_invites: 1000,
        ..Limits::default()
    })
    .await;
    let rid = new_resource(&h).await;
    let run = invites_domain::ids::new_ulid().to_lowercase();
    let sqs = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_SQS").unwrap()).await;
    let ses = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_SESV2").unwrap()).await;
    let secrets = SecretsExtension::start(&[(KEY_SECRET, TOKEN_KEY_B64)]).await;
    let env = Env { h: &h, sqs: &sqs, ses: &ses, secrets: &secrets };
    let started = Instant::now();

    // N creates through the real binary; the queue is down for a window.
    let mut create = start("create-invite", &env).await;
    let (mut not_queued, mut kill_id) = (0, String::new());
    for i in 0..N {
        sqs.set_down(QUEUE_DOWN.contains(&i));
        let req = Req::event("create-invite")
            .user(OWNER.0, OWNER.1)
            .path("rid", &rid)
            .without_header("idempotency-key")
            .body(json!({"email": address(i, &run), "role": "read_only"}));
        let answer = create.invoke(&req.0).await.expect("create-invite runs");
        assert_eq!(answer["statusCode"], 201, "{answer}");
        let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
        not_queued += usize::from(body["emailQueued"] == false);
        if address(i, &run).starts_with("kill-") {
            kill_id = body["invite"]["id"].as_str().unwrap().to_owned();
        }
    }
    sqs.set_down(false);
    assert_eq!(not_queued, QUEUE_DOWN.len(), "the queue was down for these creates");

    // Lambda's SQS trigger, by hand: batches of 10, some delivered twice,
    // the worker restarted when it dies; the sweep every 3 s.
    let pid = Arc::new(AtomicU32::new(0));
    ses.set_rule(Some(ses_faults(pid.clone())));
    let mut worker = start("send-invite-email", &env).await;
    pid.store(worker.child.id().unwrap(), Ordering::SeqCst);
    let mut sweep = start("sweep-invites", &env).await;
    let (mut batches, mut restarts, mut retried, mut requeued) = (0, 0, 0, 0);
    let mut last_sweep = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(150);
    loop {
        let received = h
            .sqs
            .receive_message()
            .queue_url(&h.queue_url)
            .max_number_of_messages(10)
            .visibility_timeout(VISIBILITY)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap()
            .messages
            .unwrap_or_default();
        if !received.is_empty() {
            // The message whose send the worker dies in goes alone, so the kill
            // lands between its claim and its SES call and no other message of
            // the process is between SES's answer and its record (a crash
            // there sends that e-mail again: see README, "The mail worker").
            let (alone, rest): (Vec<_>, Vec<_>) =
                received.iter().partition(|m| m.body().is_some_and(|b| b.contains(kill_id.as_str())));
            for group in [alone, rest].into_iter().filter(|g| !g.is_empty()) {
                batches += 1;
                let mut records: Vec<Value> = group
                    .iter()
                    .map(|m| json!({"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}))
                    .collect();
                records.push(records[0].clone());
                let event = json!({ "Records": records });
                let times = if batches % 4 == 0 { 2 } else { 1 };
                let mut failed: Option<Vec<String>> = Some(Vec::new());
                for _ in 0..times {
                    match worker.invoke(&event).await {
                        Some(answer) => {
                            let ids = answer["batchItemFailures"].as_array().cloned().unwrap_or_default();
                            if let Some(f) = failed.as_mut() {
                                f.extend(ids.iter().filter_map(|x| x["itemIdentifier"].as_str().map(str::to_owned)));
                            }
                        }
                        None => {
                            // Died mid-batch: nothing is deleted; a new sandbox starts.
                            failed = None;
                            restarts += 1;
                            worker = start("send-invite-email", &env).await;
                            pid.store(worker.child.id().unwrap(), Ordering::SeqCst);
                            break;
                        }
                    }
                }
                if let Some(failed) = failed {
                    retried += failed.len();
                    for m in group.iter().filter(|m| !failed.iter().any(|f| Some(f.as_str()) == m.message_id())) {
                        let handle = m.receipt_handle().unwrap();
                        h.sqs.delete_message().queue_url(&h.queue_url).receipt_handle(handle).send().await.unwrap();
                    }
                }
            }
            continue;
        }
        if last_sweep.elapsed() >= Duration::from_secs(3) {
            last_sweep = Instant::now();
            let summary = sweep.invoke(&json!({"source": "aws.scheduler"})).await.expect("the sweep runs");
            requeued += summary["requeued"].as_u64().unwrap_or(0);
        }
        let state = settled(&h).await;
        if state.len() == N && state.values().all(|(done, _)| *done) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not settled in time: {} of {N} sent or refused",
            state.values().filter(|(d, _)| *d).count()
        );
    }

    // Exactly one e-mail per address, or a recorded refusal.
    let base = std::env::var("INVITES_SES_INBOX_URL").unwrap();
    let store: Value = serde_json::from_str(&http_get(&format!("{base}/store")).await).unwrap();
    let mut inbox: HashMap<String, usize> = HashMap::new();
    for mail in store["emails"].as_array().unwrap() {
        for to in mail["destination"]["to"].as_array().into_iter().flatten() {
            *inbox.entry(to.as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    let state = settled(&h).await;
    let (mut emails, mut refused, mut duplicates, mut lost) = (0, 0, 0, 0);
    for i in 0..N {
        let to = address(i, &run);
        let got = inbox.get(&to).copied().unwrap_or(0);
        let (_, was_refused) = state[&to];
        emails += got;
        refused += usize::from(was_refused && got == 0);
        duplicates += usize::from(got > 1);
        lost += usize::from(got == 0 && !was_refused);
    }
    println!(
        "fault-injected run: {N} invites, {emails} e-mails, {refused} refused and recorded, {duplicates} duplicates, \
         {lost} lost ({} s; queue down for {} creates, {requeued} queued again by the sweep; worker killed and \
         restarted {restarts}×; {retried} messages back to the queue after SES throttling; {batches} batches, \
         every 4th delivered twice and one message twice in each)",
        started.elapsed().as_secs(),
        QUEUE_DOWN.len(),
    );
    assert_eq!((duplicates, lost), (0, 0));
    assert_eq!(emails + refused, N);
    assert_eq!(refused, (0..N).filter(|i| i % 50 == 13).count());
    assert_eq!(restarts, 1, "the worker was killed once between claim and send");
    assert!(requeued >= QUEUE_DOWN.len() as u64, "the sweep queued the lost sends again");
    assert!(retried > 0, "throttling sent messages back to the queue");
    // One key read per process that minted links: create, the worker and the
    // restarted worker (the sweep never reads it).
    assert_eq!(secrets.reads(), 3, "each sandbox reads the key once");
}
