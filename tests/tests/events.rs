//! Lifecycle events through the real binaries: changes made through the API
//! (one of them by a `create-invite` process killed right after its write),
//! the table's stream read as Lambda's event source mapping reads it, the
//! `publish-events` binary, the bus (moto) and a queue its rule fills.
//! Every committed change is on the bus exactly once; failed writes publish
//! nothing; a refused PutEvents is retried without repeating what went out.
//! And the operator's channel: the worker publishes the link instead of
//! sending an e-mail.

use invites_devtools::proxy::{Inject, Proxy, Rule};
use invites_domain::events::{self, Event};
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// The events the table's audit trail says must be on the bus.
async fn expected(h: &Harness) -> Vec<Event> {
    h.dump()
        .await
        .into_iter()
        .filter_map(|item| {
            let image = serde_dynamo::Item::from(item);
            invites_adapters::store::items::AuditItem::from_image(image)
        })
        .flat_map(|(rid, id, entry)| events::from_audit(&rid, &id, &entry))
        .collect()
}

async fn on_the_bus(h: &Harness, seen: &str) -> Vec<Value> {
    invites_devtools::take_events(&h.sqs, seen).await.unwrap()
}

async fn publisher(bus: &str, eventbridge: &str) -> Function {
    Function::start(
        "publish-events",
        vec![("INVITES_EVENT_BUS", bus.into()), ("AWS_ENDPOINT_URL_EVENTBRIDGE", eventbridge.into())],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_committed_change_is_published_once_also_when_the_writer_dies_after_its_write() {
    let h = Harness::with_limits(Limits { seat_limit: 20, ..Limits::default() }).await;
    let (bus, seen) = h.event_bus().await;
    let rid = new_resource(&h).await;

    // Changes of every kind, through the handlers; and writes that fail.
    add_member(&h, &rid, "user-m", "m@example.com", "read_only").await;
    let change = Req::event("change-member-role").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", "user-m");
    let r = call(members::handle, &h.api, &change.body(json!({"role": "admin"}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let revoked = invite(&h, &rid, OWNER, "r@example.com", "read_only").await;
    let iid = revoked.body["invite"]["id"].as_str().unwrap();
    let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    for i in 0..12 {
        assert_eq!(invite(&h, &rid, OWNER, &format!("p{i}@example.com"), "read_only").await.status, 201);
    }
    assert_eq!(invite(&h, &rid, OWNER, "m@example.com", "read_only").await.status, 409, "already a member");
    assert_eq!(invite(&h, &rid, OWNER, "p0@example.com", "read_only").await.status, 409, "already invited");
    assert_eq!(invite(&h, &rid, ("user-x", "x@example.com"), "y@example.com", "read_only").await.status, 404);

    // A create through the real binary, killed when it queues the e-mail:
    // after the transaction that wrote the invite and its audit entry.
    let pid = Arc::new(AtomicU32::new(0));
    let sqs = Proxy::start(&stack("AWS_ENDPOINT_URL_SQS")).await;
    let killer = pid.clone();
    let rule: Rule = Arc::new(move |request: &str| {
        request.contains("AmazonSQS.SendMessage").then(|| {
            let pid = killer.load(Ordering::SeqCst).to_string();
            let _ = std::process::Command::new("/usr/bin/kill").args(["-9", &pid]).status();
            Inject::Cut
        })
    });
    sqs.set_rule(Some(rule));
    let mut create = Function::start(
        "create-invite",
        vec![
            ("AWS_ENDPOINT_URL_DYNAMODB", stack("AWS_ENDPOINT_URL_DYNAMODB")),
            ("AWS_ENDPOINT_URL_SQS", sqs.url.clone()),
            ("INVITES_TABLE", h.table.clone()),
            ("INVITES_QUEUE_URL", h.queue_url.clone()),
            ("INVITES_TOKEN_KEY", TOKEN_KEY_B64.into()),
            ("INVITES_ACCEPT_URL", ACCEPT_URL.into()),
            ("INVITES_SEAT_LIMIT", "20".into()),
        ],
    )
    .await;
    pid.store(create.pid(), Ordering::SeqCst);
    let req = Req::event("create-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", &rid)
        .without_header("idempotency-key")
        .body(json!({"email": "killed@example.com", "role": "read_only"}));
    assert!(create.invoke(&req.0).await.is_none(), "create-invite died before answering");
    let table = h.dump().await;
    assert!(
        table.iter().any(|i| i.get("email").and_then(|e| e.as_s().ok()).is_some_and(|e| e == "killed@example.com")),
        "its write was committed"
    );

    // The publisher; the bus refuses its second PutEvents call once.
    let calls = Arc::new(AtomicU64::new(0));
    let eventbridge = Proxy::start(&stack("AWS_ENDPOINT_URL_EVENTBRIDGE")).await;
    let counter = calls.clone();
    eventbridge.set_rule(Some(Arc::new(move |request: &str| {
        let put = request.contains("AWSEvents.PutEvents");
        (put && counter.fetch_add(1, Ordering::SeqCst) == 1).then_some(Inject::Answer {
            status: 400,
            error_type: "AccessDeniedException",
            message: "not this time",
        })
    })));
    let mut publish = publisher(&bus, &eventbridge.url).await;
    h.publish_stream(&mut publish).await;
    assert!(calls.load(Ordering::SeqCst) >= 3, "the refused call was followed by more");

    let want = expected(&h).await;
    let got = on_the_bus(&h, &seen).await;
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for e in &got {
        *count.entry(e["id"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "published more than once: {twice:?}");
    let mut want_ids: Vec<_> = want.iter().map(|e| e.id.clone()).collect();
    want_ids.sort();
    assert_eq!(count.keys().cloned().collect::<Vec<_>>(), want_ids, "exactly the committed changes");
    for e in &want {
        let on_bus = got.iter().find(|g| g["id"] == e.id.as_str()).unwrap();
        assert_eq!(on_bus, &serde_json::to_value(e).unwrap(), "published as the audit entry says");
    }
    let kinds = |k: &str| got.iter().filter(|e| e["type"] == k).count();
    assert_eq!(kinds("invite.created"), 1 + 1 + 12 + 1, "m, r, p0..p11 and the killed create");
    assert_eq!((kinds("invite.accepted"), kinds("member.joined")), (1, 1));
    assert_eq!((kinds("invite.revoked"), kinds("member.role_changed"), kinds("resource.created")), (1, 1, 1));
    let joined = got.iter().find(|e| e["type"] == "member.joined").unwrap();
    assert_eq!((joined["userId"].as_str(), joined["resourceId"].as_str()), (Some("user-m"), Some(rid.as_str())));
    let changes = want.iter().filter(|e| !e.id.ends_with(".joined")).count();
    println!("lifecycle events: {changes} changes committed, {} events on the bus, each once", got.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_channel_gets_the_link_instead_of_an_email() {
    let h = Harness::new().await;
    let (bus, seen) = h.event_bus().await;
    let rid = new_resource(&h).await;
    let email = unique_email("channel");
    let created = invite(&h, &rid, OWNER, &email, "admin").await;
    assert_eq!(created.status, 201, "{}", created.body);
    let batch = serde_json::to_value(h.take_batch().await).unwrap();

    // The real worker, configured for the operator's channel: no sender.
    let mut worker = Function::start(
        "send-invite-email",
        vec![
            ("AWS_ENDPOINT_URL_DYNAMODB", stack("AWS_ENDPOINT_URL_DYNAMODB")),
            ("AWS_ENDPOINT_URL_EVENTBRIDGE", stack("AWS_ENDPOINT_URL_EVENTBRIDGE")),
            ("INVITES_TABLE", h.table.clone()),
            ("INVITES_TOKEN_KEY", TOKEN_KEY_B64.into()),
            ("INVITES_ACCEPT_URL", ACCEPT_URL.into()),
            ("INVITES_DELIVERY", "events".into()),
            ("INVITES_EVENT_BUS", bus.clone()),
        ],
    )
    .await;
    let answer = worker.invoke(&batch).await.expect("the worker runs");
    assert_eq!(answer["batchItemFailures"], json!([]), "{answer}");
    // SQS delivers the message again: the claim keeps it to one event.
    assert_eq!(worker.invoke(&batch).await.unwrap()["batchItemFailures"], json!([]));

    let got = on_the_bus(&h, &seen).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let request = &got[0];
    assert_eq!(request["type"], events::DELIVERY_REQUESTED);
    assert_eq!((request["email"].as_str(), request["role"].as_str()), (Some(email.as_str()), Some("admin")));
    assert_eq!(request["link"], created.body["url"], "the same link the admin can copy");
    assert!(request["text"].as_str().unwrap().contains(created.body["url"].as_str().unwrap()), "the rendered text");
    assert_eq!(lookup(&h, &token_of(&created)).await.status, 200, "the link opens the invite");
    assert!(inbox(&email).await.is_empty(), "no e-mail went out");

    let iid = created.body["invite"]["id"].as_str().unwrap();
    let get = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
    let view = call(list_invites::handle, &h.api, &get).await;
    assert!(view.body["emailSentAt"].is_string(), "recorded as sent: {}", view.body);
}

#[tokio::test]
async fn the_sample_stream_event_becomes_two_events() {
    let h = Harness::new().await;
    let (bus, seen) = h.event_bus().await;
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let publisher = publish_events::Publisher {
        bus: invites_adapters::EventBus::new(&sdk, bus),
        webhooks: None,
        configured: None,
        configured_done: Default::default(),
    };
    let sample = std::fs::read_to_string(events_dir().join("publish-events.json")).unwrap();
    let answer = publisher.handle(serde_json::from_str(&sample).unwrap()).await;
    assert!(answer.batch_item_failures.is_empty());
    let got = on_the_bus(&h, &seen).await;
    let kinds: Vec<_> = got.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["invite.accepted", "member.joined"]);
}
