//! Bulk invites (`POST …/invites/batch`) against the local stack: one line
//! per entry with the single-invite rules, idempotent replays, batches
//! racing single invites for the last seats, and a hundred entries in a
//! handful of calls.

use invites_devtools::proxy::Proxy;
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn batch_req(rid: &str, by: (&str, &str), invites: Value, key: Option<&str>) -> Req {
    let req = Req::event("create-invite-batch").user(by.0, by.1).path("rid", rid).body(json!({ "invites": invites }));
    match key {
        Some(k) => req.header("idempotency-key", k),
        None => req.without_header("idempotency-key"),
    }
}

async fn batch(h: &Harness, rid: &str, invites: Value, key: Option<&str>) -> Resp {
    call(create_invite::handle, &h.api, &batch_req(rid, OWNER, invites, key)).await
}

/// `outcome` or the refusal's code, per line.
fn outcomes(r: &Resp) -> Vec<String> {
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["error"]["code"].as_str().unwrap_or(l["outcome"].as_str().unwrap()).to_owned())
        .collect()
}

fn entry(email: &str) -> Value {
    json!({"email": email, "role": "read_only"})
}

#[tokio::test]
async fn every_entry_gets_its_own_answer_under_the_single_invite_rules() {
    let h = Harness::with_limits(Limits { seat_limit: 5, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-member", "member@example.com", "read_only").await;
    assert_eq!(invite(&h, &rid, OWNER, "pending@example.com", "admin").await.status, 201);
    h.queued().await;
    // The member and the pending invite hold 2 of 5 seats (the owner takes
    // none): 3 more fit.
    let r = batch(
        &h,
        &rid,
        json!([
            entry("one@example.com"),
            entry("Pending@Example.com"),
            entry("member@example.com"),
            {"email": "not an address", "role": "read_only"},
            {"email": "bad-role@example.com", "role": "owner"},
            entry("two@example.com"),
            entry("ONE@example.com"),
            {"email": "three@example.com", "role": "admin", "message": "Welcome!", "locale": "de"},
            entry("four@example.com"),
        ]),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        outcomes(&r),
        [
            "created",
            "already_pending",
            "already_member",
            "invalid_email",
            "invalid_role",
            "created",
            "duplicate_entry",
            "created",
            "seat_limit_reached"
        ]
    );
    assert_eq!((r.body["created"].as_u64(), r.body["refused"].as_u64()), (Some(3), Some(6)));
    let lines = r.body["results"].as_array().unwrap();
    assert_eq!(lines[7]["invite"]["locale"], "de");
    assert_eq!(lines[7]["emailQueued"], true);
    assert!(lines[0]["url"].as_str().unwrap().contains("#token="));
    assert_eq!(lines[3]["email"], "not an address");
    assert_eq!(lines.iter().map(|l| l["index"].as_u64().unwrap()).collect::<Vec<_>>(), (0..9).collect::<Vec<_>>());
    // One e-mail per created invite, and the same audit trail as singles.
    let queued: Vec<String> = h.queued().await.iter().map(|m| m["inviteId"].as_str().unwrap().to_owned()).collect();
    let created: Vec<String> =
        lines.iter().filter_map(|l| l["invite"]["id"].as_str()).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(queued.len(), 3);
    assert!(created.iter().all(|id| queued.contains(id)));
    assert_eq!(seats_used(&h, &rid).await, 5);
}

#[tokio::test]
async fn the_whole_request_fails_when_the_caller_may_not_invite_or_the_batch_is_malformed() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    let before = h.dump().await.len();
    let reader = call(
        create_invite::handle,
        &h.api,
        &batch_req(&rid, ("user-reader", "reader@example.com"), json!([entry("x@example.com")]), None),
    )
    .await;
    assert_error(&reader, 403, "forbidden");
    let stranger = call(
        create_invite::handle,
        &h.api,
        &batch_req(&rid, ("user-stranger", "stranger@example.com"), json!([entry("x@example.com")]), None),
    )
    .await;
    assert_eq!(stranger.status, 404);
    let empty = batch(&h, &rid, json!([]), None).await;
    assert_error(&empty, 422, "invalid_batch");
    let too_many: Vec<Value> = (0..101).map(|i| entry(&format!("p{i}@example.com"))).collect();
    let r = batch(&h, &rid, json!(too_many), None).await;
    assert_error(&r, 422, "invalid_batch");
    let not_a_list = call(
        create_invite::handle,
        &h.api,
        &Req::event("create-invite-batch").user(OWNER.0, OWNER.1).path("rid", &rid).body(json!({"invites": "a@b.c"})),
    )
    .await;
    assert_eq!(not_a_list.status, 422);
    assert_eq!(h.dump().await.len(), before, "refused requests change nothing");
}

#[tokio::test]
async fn a_replay_creates_nothing_twice_and_a_key_binds_to_one_batch() {
    let h = Harness::with_limits(Limits { seat_limit: 2, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let entries = json!([entry("a@example.com"), entry("b@example.com"), entry("c@example.com")]);
    let first = batch(&h, &rid, entries.clone(), Some("batch-key-1")).await;
    assert_eq!(outcomes(&first), ["created", "created", "seat_limit_reached"]);
    assert_eq!(h.queued().await.len(), 2);
    // A seat frees up; the replay answers the first two as before (same
    // invites, same links, no new e-mail) and tries the third again.
    let revoke = Req::event("revoke-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", &rid)
        .path("id", first.body["results"][1]["invite"]["id"].as_str().unwrap());
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    let replay = batch(&h, &rid, entries.clone(), Some("batch-key-1")).await;
    assert_eq!(outcomes(&replay), ["created", "created", "created"]);
    for i in 0..2 {
        assert_eq!(replay.body["results"][i]["invite"]["id"], first.body["results"][i]["invite"]["id"]);
        assert_eq!(replay.body["results"][i]["url"], first.body["results"][i]["url"]);
    }
    assert_eq!(h.queued().await.len(), 1, "only the newly created invite is e-mailed");
    // The same key with another batch is refused whole, before anything is written.
    let before = h.dump().await.len();
    let other = batch(&h, &rid, json!([entry("d@example.com")]), Some("batch-key-1")).await;
    assert_error(&other, 422, "idempotency_key_reused");
    assert_eq!(h.dump().await.len(), before);
    // Keys are per caller and resource: another resource may reuse it.
    let rid2 = new_resource(&h).await;
    assert_eq!(outcomes(&batch(&h, &rid2, json!([entry("d@example.com")]), Some("batch-key-1")).await), ["created"]);
}

#[tokio::test]
async fn batches_racing_single_invites_never_exceed_the_seats() {
    const ROUNDS: usize = 4;
    const SEATS: u32 = 10;
    for round in 0..ROUNDS {
        let h = Harness::with_limits(Limits { seat_limit: SEATS, ..Limits::default() }).await;
        let rid = new_resource(&h).await;
        // Two batches of 8 and 8 singles want 24 seats.
        let batch_of = |tag: &str| json!((0..8).map(|i| entry(&format!("{tag}-{i}@example.com"))).collect::<Vec<_>>());
        let (b1, b2) = (batch_of("first"), batch_of("second"));
        let singles = futures::future::join_all((0..8).map(|i| {
            let (h, rid) = (&h, &rid);
            async move { invite(h, rid, OWNER, &format!("single-{i}@example.com"), "read_only").await }
        }));
        let (r1, r2, singles) = tokio::join!(batch(&h, &rid, b1, None), batch(&h, &rid, b2, None), singles);
        let mut tally = BTreeMap::new();
        for o in outcomes(&r1).into_iter().chain(outcomes(&r2)) {
            *tally.entry(o).or_insert(0) += 1;
        }
        for s in &singles {
            let o = if s.status == 201 { "created" } else { s.body["error"]["code"].as_str().unwrap() };
            *tally.entry(o.to_owned()).or_insert(0) += 1;
        }
        assert_eq!(tally.get("created"), Some(&(SEATS as i32)), "round {round}: {tally:?}");
        assert_eq!(tally.get("seat_limit_reached"), Some(&(24 - SEATS as i32)), "round {round}: {tally:?}");
        assert_eq!(seats_used(&h, &rid).await, SEATS as u64);
        assert_eq!(h.queued().await.len(), SEATS as usize);
    }
}

#[tokio::test]
async fn a_hundred_entries_take_a_handful_of_transactions_and_one_queue_call() {
    let h = Harness::with_limits(Limits { seat_limit: 200, daily_invites: 1000, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let table = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap()).await;
    let sqs = Proxy::start(&std::env::var("AWS_ENDPOINT_URL_SQS").unwrap()).await;
    let mut f = h.function_through("create-invite", &table.url).await;
    let _ = (table.take(), sqs.take());
    let run = invites_domain::ids::new_ulid().to_lowercase();
    let entries: Vec<Value> = (0..100).map(|i| entry(&format!("hundred-{i}-{run}@example.com"))).collect();
    let req = batch_req(&rid, OWNER, json!(entries), Some("hundred"));
    let answer = f.invoke(&req.0).await.expect("the function runs");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(answer["statusCode"], 200, "{body}");
    assert_eq!(body["created"], 100, "{body}");
    let calls = table.take().calls;
    let transactions = calls.get("transactwriteitems").copied().unwrap_or(0);
    let all: u64 = calls.values().sum();
    assert!(transactions <= 8 && all <= 10, "DynamoDB calls for 100 entries: {calls:?}");
    assert_eq!(seats_used(&h, &rid).await, 100);
    // Ten messages of ten invites, which one SendMessageBatch queues.
    let messages = h.queued_messages().await;
    assert_eq!(messages.len(), 10);
    assert!(messages.iter().all(|m| m["type"] == "invites.send" && m["invites"].as_array().unwrap().len() == 10));
    assert!(body["results"].as_array().unwrap().iter().all(|l| l["emailQueued"] == true));
    // The audit trail holds one entry per invite, as for single invites.
    let audit = h
        .dump()
        .await
        .into_iter()
        .filter(|i| i.get("action").and_then(|a| a.as_s().ok()).is_some_and(|a| a == "invite.created"))
        .count();
    assert_eq!(audit, 100);
}

#[tokio::test]
async fn a_group_refuses_only_its_failing_entries_and_stops_exactly_at_the_budget() {
    let h = Harness::with_limits(Limits { seat_limit: 100, daily_invites: 20, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    assert_eq!(invite(&h, &rid, OWNER, "taken@example.com", "read_only").await.status, 201);
    // Entry 3's address is taken, so the group is cancelled: entry 3 is
    // refused on its own, the others go in again as a group.
    let mut entries: Vec<Value> = (0..14).map(|i| entry(&format!("group-{i}@example.com"))).collect();
    entries[3] = entry("taken@example.com");
    let mut want = vec!["created"; 14];
    want[3] = "already_pending";
    assert_eq!(outcomes(&batch(&h, &rid, json!(entries), None).await), want);
    // The resource's budget (20 a day) has 6 left: a group of 10 does not
    // fit, so they go one at a time up to the budget, then 429.
    let entries: Vec<Value> = (0..10).map(|i| entry(&format!("budget-{i}@example.com"))).collect();
    let mut want = vec!["created"; 10];
    for w in &mut want[6..] {
        *w = "rate_limited";
    }
    assert_eq!(outcomes(&batch(&h, &rid, json!(entries), None).await), want);
    assert_eq!(seats_used(&h, &rid).await, 20);
    assert_eq!(h.queued().await.len(), 20);
}

#[tokio::test]
async fn an_entry_a_group_refuses_is_answered_in_its_turn_not_after_the_rest() {
    use invites_domain::invite::{NewInvite, NewInviteBody};
    use invites_domain::ports::{CreateInvite, CreateInvites};
    use invites_domain::time::{DAY, now};
    // Four seats, one held by x's invite of eight days ago (expired, not yet
    // reclaimed); three e-mails left in today's budget.
    let h = Harness::with_limits(Limits { seat_limit: 4, daily_invites: 3, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let owner = invites_domain::Identity {
        sub: OWNER.0.into(),
        email: Some(invites_domain::Email::parse(OWNER.1).unwrap()),
        email_verified: true,
        name: None,
    };
    let body = NewInviteBody { email: "x@example.com".into(), role: "read_only".into(), ..Default::default() };
    let cmd = CreateInvite {
        rid: invites_domain::ResourceId::parse(&rid).unwrap(),
        invite: NewInvite::validate(body, &Default::default()).unwrap(),
        idempotency_key: None,
    };
    h.store().create_invite(&owner, cmd, now() - 8 * DAY).await.unwrap();
    // x's address is held, so the first group is cancelled on it: x is
    // answered then (its old invite reclaimed, a new one made), before c,
    // as one at a time would: a, x, b take the budget, c is the one refused.
    let entries =
        json!([entry("a@example.com"), entry("x@example.com"), entry("b@example.com"), entry("c@example.com")]);
    assert_eq!(outcomes(&batch(&h, &rid, entries, None).await), ["created", "created", "created", "rate_limited"]);
    assert_eq!(seats_used(&h, &rid).await, 3);
}
