//! All hands at once, with the table contending as DynamoDB does: DynamoDB
//! Local runs transactions one after another (300 on one item from 50
//! threads all succeed there), where DynamoDB cancels a transaction that
//! overlaps another in flight (`TransactionConflict`). The proxy in front
//! of the table does the same (`Proxy::set_contention`), so the conflict
//! path runs: the round is run again after a jittered back-off.
//!
//! 500 people join through one team link from 50 sandboxes of the real
//! `team-links` binary, and 100 invites go to the same resource from 25
//! sandboxes of `create-invite`, all at once. Every person is in exactly
//! once, the seats are exact, nothing is answered 500, and no conflict is
//! answered as a refusal.
//!
//! One resource's seat counter is one item, so its commits are one after
//! another: about 20 a second here (debug binaries and DynamoDB Local on two
//! cores). A crowd larger than that can serve within a request's budget
//! (`ROUNDS_BUDGET`, 7 s) is answered 503 with `Retry-After`, and the
//! clients here try again as the API asks; the count is printed.

use futures::future::join_all;
use invites_devtools::proxy::Proxy;
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const JOINS: usize = 500;
const JOIN_SANDBOXES: usize = 50;
const INVITES: usize = 100;
const INVITE_SANDBOXES: usize = 25;

/// One request's answer (tried again after `Retry-After` while it is 503),
/// how long it took in all, and how many 503s it met.
async fn timed(f: &mut Function, req: &Req) -> (u16, Value, Duration, u32) {
    let started = Instant::now();
    let mut busy = 0;
    loop {
        let answer = f.invoke(&req.0).await.expect("the function runs");
        let status = answer["statusCode"].as_u64().unwrap_or(0) as u16;
        let body = answer["body"].as_str().and_then(|b| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
        if status != 503 || busy == 20 {
            return (status, body, started.elapsed(), busy);
        }
        busy += 1;
        let wait: u64 = answer["headers"]["retry-after"].as_str().and_then(|s| s.parse().ok()).unwrap_or(1);
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_hands_join_and_invite_at_once_while_the_table_contends() {
    let seats = (JOINS + INVITES) as u32;
    let h = Harness::with_limits(Limits { seat_limit: seats, daily_invites: 1000, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let link = Req::event("create-team-link")
        .user(OWNER.0, OWNER.1)
        .path("rid", &rid)
        .body(json!({"role": "read_only", "maxUses": 1000}));
    let made = call(team_links::handle, &h.api, &link).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let token = made.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();

    let table = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap()).await;
    table.set_contention(true);
    let mut joiners = join_all((0..JOIN_SANDBOXES).map(|_| h.function_through("team-links", &table.url))).await;
    let mut inviters = join_all((0..INVITE_SANDBOXES).map(|_| h.function_through("create-invite", &table.url))).await;
    let run = invites_domain::ids::new_ulid().to_lowercase();
    let started = Instant::now();

    let joining = joiners.iter_mut().enumerate().map(|(s, f)| {
        let (token, run) = (token.clone(), run.clone());
        async move {
            let mut out = Vec::new();
            for i in (s..JOINS).step_by(JOIN_SANDBOXES) {
                let req = Req::event("join-team-link")
                    .user(&format!("user-hand-{i}"), &format!("hand-{i}-{run}@example.com"))
                    .body(json!({ "token": token }));
                out.push(timed(f, &req).await);
            }
            out
        }
    });
    let inviting = inviters.iter_mut().enumerate().map(|(s, f)| {
        let (rid, run) = (rid.clone(), run.clone());
        async move {
            let mut out = Vec::new();
            for i in (s..INVITES).step_by(INVITE_SANDBOXES) {
                let req = Req::event("create-invite")
                    .user(OWNER.0, OWNER.1)
                    .path("rid", &rid)
                    .without_header("idempotency-key")
                    .body(json!({"email": format!("invited-{i}-{run}@example.com"), "role": "read_only"}));
                out.push(timed(f, &req).await);
            }
            out
        }
    });
    let (joined, invited) = tokio::join!(join_all(joining), join_all(inviting));
    let took = started.elapsed();
    let joined: Vec<_> = joined.into_iter().flatten().collect();
    let invited: Vec<_> = invited.into_iter().flatten().collect();
    let conflicts = table.conflicts();
    table.set_contention(false);

    for (status, body, ..) in &joined {
        assert_eq!(*status, 200, "a join: {body}");
    }
    for (status, body, ..) in &invited {
        assert_eq!(*status, 201, "an invite: {body}");
    }
    assert!(conflicts > 0, "the table contended");

    // Each person in once, the seats exact, the link's uses exact.
    let items = h.dump().await;
    let entity =
        |e: &str| items.iter().filter(|i| i.get("entity").and_then(|v| v.as_s().ok()).is_some_and(|v| v == e)).count();
    assert_eq!(entity("member"), JOINS + 1, "every person once, and the owner");
    assert_eq!(entity("invite"), INVITES);
    assert_eq!(seats_used(&h, &rid).await, seats as u64, "every seat taken exactly");
    let links = Req::event("list-team-links").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert_eq!(call(team_links::handle, &h.api, &links).await.body["items"][0]["uses"], JOINS);
    // The resource is full now: the next one is refused for that reason.
    let late = Req::event("join-team-link").user("user-late", "late@example.com").body(json!({ "token": token }));
    assert_error(&call(team_links::handle, &h.api, &late).await, 409, "seat_limit_reached");

    let busy: u32 = joined.iter().chain(&invited).map(|(.., b)| *b).sum();
    let mut times: Vec<Duration> = joined.iter().chain(&invited).map(|(_, _, t, _)| *t).collect();
    times.sort();
    println!(
        "all hands: {JOINS} joins through one link from {JOIN_SANDBOXES} sandboxes and {INVITES} invites from \
         {INVITE_SANDBOXES}, at once, in {:.1} s: {conflicts} transactions cancelled for a conflict and run again, \
         {busy} answers 503 tried again after Retry-After; p50 {} ms, p99 {} ms (with those waits); \
         0 answered 500, 0 refused, seats {seats} of {seats}",
        took.as_secs_f64(),
        percentile(&times, 0.5).as_millis(),
        percentile(&times, 0.99).as_millis(),
    );
}
