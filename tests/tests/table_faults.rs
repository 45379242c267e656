//! The table's faults in the fault-injected proof: invites created, accepted,
//! revoked and resent through the real binaries (`create-invite`,
//! `accept-invite`, `revoke-invite`, `manage-invite`, several sandboxes of
//! each at once) while a proxy in front of DynamoDB throttles calls
//! (`ProvisionedThroughputExceededException`, `ThrottlingException`),
//! answers 500, and, worst of all, forwards a `TransactWriteItems` and cuts
//! the connection before its answer (the change committed, the answer lost).
//! Clients do what the API tells them: on 503 or a lost connection they try
//! again, creates with the same `Idempotency-Key`.
//!
//! Afterwards, with the faults off: seats used equal pending plus accepted
//! invites, every change has exactly one audit entry (so one event), every
//! pending invite gets exactly one e-mail, and nothing was answered 500.

use futures::future::join_all;
use invites_devtools::proxy::{Inject, Proxy, Rule};
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

const N: usize = 60;
/// Sandboxes of each function that run at once.
const SANDBOXES: usize = 3;
/// Tries of one request by its client (503 or a lost connection: again).
const TRIES: usize = 8;

/// What the table does while the faults are on, by the order of calls: a
/// throttle every 7th call, a 500 every 11th, and every 4th
/// `TransactWriteItems` committed with its answer lost.
#[derive(Default)]
struct Counts {
    calls: AtomicU64,
    transactions: AtomicU64,
    throttled: AtomicU64,
    failed: AtomicU64,
    lost: AtomicU64,
    on: AtomicBool,
}

fn table_faults(counts: Arc<Counts>) -> Rule {
    Arc::new(move |request: &str| {
        if !counts.on.load(Ordering::SeqCst) {
            return None;
        }
        let n = counts.calls.fetch_add(1, Ordering::SeqCst);
        if request.contains("DynamoDB_20120810.TransactWriteItems")
            && counts.transactions.fetch_add(1, Ordering::SeqCst) % 4 == 3
        {
            counts.lost.fetch_add(1, Ordering::SeqCst);
            return Some(Inject::ForwardThenCut);
        }
        if n % 7 == 3 {
            counts.throttled.fetch_add(1, Ordering::SeqCst);
            let (error_type, message) = if n.is_multiple_of(2) {
                (
                    "ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput is exceeded.",
                )
            } else {
                ("ThrottlingException", "Rate of requests exceeds the allowed throughput.")
            };
            return Some(Inject::Answer { status: 400, error_type, message });
        }
        if n % 11 == 5 {
            counts.failed.fetch_add(1, Ordering::SeqCst);
            return Some(Inject::Answer {
                status: 500,
                error_type: "InternalServerError",
                message: "Internal server error",
            });
        }
        None
    })
}

/// An invite the test made: its number, id and link token.
type Made = (usize, String, String);

/// What the clients saw.
#[derive(Default, Debug)]
struct Seen {
    requests: u64,
    answered_503: u64,
    answered_500: u64,
}

/// Sends `req` through `f` until it is answered with something other than
/// 503 (a lost connection the SDK could not make good is a 503 too).
async fn call_until_answered(f: &mut Function, req: &Req, seen: &mut Seen) -> (u16, Value) {
    for _ in 0..TRIES {
        seen.requests += 1;
        let answer = f.invoke(&req.0).await.expect("the function runs");
        let status = answer["statusCode"].as_u64().unwrap_or(0) as u16;
        let body: Value = answer["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
        match status {
            503 => {
                seen.answered_503 += 1;
                assert!(answer["headers"]["retry-after"].is_string(), "{answer}");
            }
            500 => {
                seen.answered_500 += 1;
                return (status, body);
            }
            _ => return (status, body),
        }
    }
    panic!("still unavailable after {TRIES} tries: {}", req.0["routeKey"]);
}

fn email(i: usize, run: &str) -> String {
    format!("table-{i}-{run}@example.com")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_failing_under_the_binaries_loses_nothing_and_doubles_nothing() {
    let limits = Limits { seat_limit: 1000, daily_invites: 1000, user_daily_invites: 1000, ..Limits::default() };
    let h = Harness::with_limits(limits).await;
    let rid = new_resource(&h).await;
    let run = invites_domain::ids::new_ulid().to_lowercase();
    let proxy = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap()).await;
    let counts = Arc::new(Counts::default());
    proxy.set_rule(Some(table_faults(counts.clone())));
    let started = Instant::now();

    let fleet = |name: &'static str| {
        let (h, proxy) = (&h, &proxy);
        async move { join_all((0..SANDBOXES).map(|_| h.function_through(name, &proxy.url))).await }
    };
    let mut creates = fleet("create-invite").await;
    let mut accepts = fleet("accept-invite").await;
    let mut revokes = fleet("revoke-invite").await;
    let mut resends = fleet("manage-invite").await;
    counts.on.store(true, Ordering::SeqCst);

    // N creates, three sandboxes at once, each with its Idempotency-Key.
    let per = N.div_ceil(SANDBOXES);
    let created: Vec<(Seen, Vec<Made>)> = join_all(creates.iter_mut().enumerate().map(|(s, f)| {
        let (rid, run) = (rid.clone(), run.clone());
        async move {
            let mut seen = Seen::default();
            let mut out = Vec::new();
            for i in (s * per)..((s + 1) * per).min(N) {
                let req = Req::event("create-invite")
                    .user(OWNER.0, OWNER.1)
                    .path("rid", &rid)
                    .header("idempotency-key", &format!("table-{run}-{i}"))
                    .body(json!({"email": email(i, &run), "role": "read_only"}));
                let (status, body) = call_until_answered(f, &req, &mut seen).await;
                assert_eq!(status, 201, "create {i}: {body}");
                let token = body["url"].as_str().unwrap().split("token=").nth(1).unwrap().to_owned();
                out.push((i, body["invite"]["id"].as_str().unwrap().to_owned(), token));
            }
            (seen, out)
        }
    }))
    .await;
    let mut seen = Seen::default();
    let mut invites = Vec::new();
    for (s, out) in created {
        (seen.requests, seen.answered_503, seen.answered_500) =
            (seen.requests + s.requests, seen.answered_503 + s.answered_503, seen.answered_500 + s.answered_500);
        invites.extend(out);
    }
    invites.sort();

    // Then at once: a quarter accepted, a quarter revoked, a quarter resent.
    let accept_some: Vec<_> = invites.iter().filter(|(i, ..)| i % 4 == 0).cloned().collect();
    let revoke_some: Vec<_> = invites.iter().filter(|(i, ..)| i % 4 == 1).cloned().collect();
    let resend_some: Vec<_> = invites.iter().filter(|(i, ..)| i % 4 == 2).cloned().collect();
    let share = |list: &[Made], s: usize| -> Vec<Made> { list.iter().skip(s).step_by(SANDBOXES).cloned().collect() };
    let accepting = accepts.iter_mut().enumerate().map(|(s, f)| {
        let (mine, run) = (share(&accept_some, s), run.clone());
        async move {
            let mut seen = Seen::default();
            for (i, _, token) in mine {
                let req = Req::event("accept-invite")
                    .user(&format!("user-table-{i}"), &email(i, &run))
                    .body(json!({ "token": token }));
                let (status, body) = call_until_answered(f, &req, &mut seen).await;
                assert_eq!(status, 200, "accept {i}: {body}");
            }
            seen
        }
    });
    let revoking = revokes.iter_mut().enumerate().map(|(s, f)| {
        let (mine, rid) = (share(&revoke_some, s), rid.clone());
        async move {
            let mut seen = Seen::default();
            for (i, iid, _) in mine {
                let (status, body) = call_until_answered(f, &on_invite("revoke-invite", &rid, &iid), &mut seen).await;
                assert_eq!(status, 204, "revoke {i}: {body}");
            }
            seen
        }
    });
    let resending = resends.iter_mut().enumerate().map(|(s, f)| {
        let (mine, rid) = (share(&resend_some, s), rid.clone());
        async move {
            let mut seen = Seen::default();
            for (i, iid, _) in mine {
                let req = on_invite("resend-invite", &rid, &iid).body(json!({}));
                let tries = seen.requests;
                let (status, body) = call_until_answered(f, &req, &mut seen).await;
                // Tried again after a 503 whose round had committed (its
                // answer lost after the commit): the resend happened, and
                // the retry is told so (429, once per 5 minutes); the
                // counts below prove it was not doubled.
                let retried = seen.requests - tries > 1;
                assert!(status == 202 || (status == 429 && retried), "resend {i}: {status} {body}");
            }
            seen
        }
    });
    let (a, r, s) = tokio::join!(join_all(accepting), join_all(revoking), join_all(resending));
    for x in a.into_iter().chain(r).chain(s) {
        seen.requests += x.requests;
        seen.answered_503 += x.answered_503;
        seen.answered_500 += x.answered_500;
    }
    counts.on.store(false, Ordering::SeqCst);

    // The table as it is now, read without faults.
    let items = h.dump().await;
    let s = |i: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, k: &str| {
        i.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
    };
    let n = |i: &HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, k: &str| {
        i.get(k).and_then(|v| v.as_n().ok()).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
    };
    let stored: Vec<_> = items.iter().filter(|i| s(i, "entity") == "invite").collect();
    assert_eq!(stored.len(), N, "one invite per create, however often it was sent");
    let status_of: HashMap<String, String> = stored.iter().map(|i| (s(i, "inviteId"), s(i, "status"))).collect();
    let count = |status: &str| status_of.values().filter(|v| *v == status).count();
    let (pending, accepted, revoked) = (count("pending"), count("accepted"), count("revoked"));
    assert_eq!((accepted, revoked), (accept_some.len(), revoke_some.len()));
    let resource = items.iter().find(|i| s(i, "entity") == "resource").unwrap();
    let seats_off = (n(resource, "seatsUsed") as i64 - (pending + accepted) as i64).unsigned_abs();

    // Every change exactly once in the audit trail.
    let mut audited: HashMap<(String, String), u64> = HashMap::new();
    for a in items.iter().filter(|i| s(i, "entity") == "audit") {
        *audited.entry((s(a, "action"), s(a, "subject"))).or_default() += 1;
    }
    let mut audit_off = 0;
    for i in &stored {
        let iid = s(i, "inviteId");
        let once = |action: &str| audited.get(&(action.to_owned(), iid.clone())).copied().unwrap_or(0);
        audit_off += usize::from(once("invite.created") != 1);
        match s(i, "status").as_str() {
            "accepted" => audit_off += usize::from(once("invite.accepted") != 1),
            "revoked" => audit_off += usize::from(once("invite.revoked") != 1),
            _ => {}
        }
        audit_off += usize::from(once("invite.resent") != n(i, "resendCount"));
    }

    // The mail: whatever a create could not queue, the sweep queues again;
    // then the worker sends what is current.
    let sweeper = sweep_invites::Sweeper { store: h.store().clone(), queue: h.api.queue.clone().unwrap(), limits };
    sweeper.run(invites_domain::time::now() + 3600).await.unwrap();
    let worker = h.worker().await;
    loop {
        let batch = h.take_batch().await;
        if batch.records.is_empty() {
            break;
        }
        assert!(worker.handle(batch).await.batch_item_failures.is_empty());
    }
    // One e-mail per pending invite (a resend before the worker ran
    // supersedes the first send); none for those accepted or revoked
    // before the worker ran.
    let mut emails_off = 0;
    for (i, iid, _) in &invites {
        let got = inbox(&email(*i, &run)).await.len();
        emails_off += usize::from(got != usize::from(status_of[iid] == "pending"));
    }

    let resent: u64 = stored.iter().map(|i| n(i, "resendCount")).sum();
    println!(
        "{} requests under table faults ({} throttled, {} answered 500 by the table, {} lost answers; \
         {} answered 503 and tried again, {resent} resends committed, {} s): {seats_off} seats off, \
         {audit_off} audit entries doubled or missing, {emails_off} e-mails doubled or missing, {} answered 500",
        seen.requests,
        counts.throttled.load(Ordering::SeqCst),
        counts.failed.load(Ordering::SeqCst),
        counts.lost.load(Ordering::SeqCst),
        seen.answered_503,
        started.elapsed().as_secs(),
        seen.answered_500,
    );
    assert!(counts.lost.load(Ordering::SeqCst) > 0 && counts.throttled.load(Ordering::SeqCst) > 0);
    assert_eq!((seats_off, audit_off, emails_off, seen.answered_500), (0, 0, 0, 0));
    assert_eq!(resent, resend_some.len() as u64, "each resend committed once");
}
