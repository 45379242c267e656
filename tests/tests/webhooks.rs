//! Signed webhooks through the real binaries: changes made through the API,
//! the table's stream read as Lambda reads it, the `publish-events` binary
//! queueing one delivery per event and endpoint, the `deliver-webhooks`
//! binary posting them, and a receiver that verifies every delivery with
//! the npm `standardwebhooks` package (`tests/webhook-receiver.mjs`). One
//! endpoint is down for the first rounds (503), then comes back, and ten
//! deliveries are queued twice: every event arrives exactly once per
//! endpoint. Forged and replayed deliveries
//! are refused by the receiver; a rotation signs with both secrets; an
//! endpoint that stays down has its deliveries parked, is switched off, and
//! a redrive brings them in once it is back.

use invites_devtools::local_http::request;
use invites_domain::events;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

struct Receiver {
    _child: tokio::process::Child,
    base: String,
}

impl Receiver {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("webhook-receiver.mjs");
        let child = tokio::process::Command::new("node")
            .arg(script)
            .arg(port.to_string())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs the receiver");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if request("GET", &format!("{base}/log"), &[], None).await.is_ok() {
                return Self { _child: child, base };
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the webhook receiver did not start");
    }

    fn url(&self, name: &str) -> String {
        format!("{}/hooks/{name}", self.base)
    }

    async fn control(&self, name: &str, state: Value) {
        let r = request("PUT", &format!("{}/control/{name}", self.base), &[], Some(&state.to_string())).await.unwrap();
        assert_eq!(r.status, 204);
    }

    async fn log(&self, name: &str) -> Value {
        let r = request("GET", &format!("{}/log", self.base), &[], None).await.unwrap();
        serde_json::from_str::<Value>(&r.body).unwrap()[name].clone()
    }

    /// A delivery sent by hand (the forged and replayed ones): the receiver's status.
    async fn post(&self, name: &str, headers: &Value, body: &str) -> u16 {
        let headers: Vec<(&str, &str)> =
            headers.as_object().unwrap().iter().map(|(k, v)| (k.as_str(), v.as_str().unwrap())).collect();
        request("POST", &self.url(name), &headers, Some(body)).await.unwrap().status
    }
}

/// A test's table, bus, webhook queues and receiver.
struct Stage {
    h: Harness,
    bus: String,
    queue: String,
    dead: String,
    receiver: Receiver,
}

async fn stage() -> Stage {
    let h = Harness::new().await;
    let (bus, _seen) = h.event_bus().await;
    let template = invites_devtools::load_template(&invites_devtools::template_path()).unwrap();
    let (queue, dead) = invites_devtools::create_webhook_queues(&h.sqs, &template, &h.table).await.unwrap();
    Stage { h, bus, queue, dead, receiver: Receiver::start().await }
}

/// Registers an endpoint through the service route: (id, secret).
async fn register(h: &Harness, url: &str, types: &[&str]) -> (String, String) {
    let req = Req::event("register-webhook").body(json!({"url": url, "eventTypes": types}));
    let r = call(webhooks::handle, &h.api, &req).await;
    assert_eq!(r.status, 201, "{}", r.body);
    (r.body["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
}

async fn service(h: &Harness, event: &str, id: &str, body: Option<Value>) -> Resp {
    let mut req = Req::event(event).path("id", id);
    if let Some(b) = body {
        req = req.body(b);
    }
    call(webhooks::handle, &h.api, &req).await
}

fn aws_env(h: &Harness, queue: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL_DYNAMODB", stack("AWS_ENDPOINT_URL_DYNAMODB")),
        ("AWS_ENDPOINT_URL_SQS", stack("AWS_ENDPOINT_URL_SQS")),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", stack("AWS_ENDPOINT_URL_EVENTBRIDGE")),
        ("INVITES_TABLE", h.table.clone()),
        ("INVITES_ACCEPT_URL", ACCEPT_URL.into()),
        ("INVITES_WEBHOOK_QUEUE_URL", queue.into()),
        // The receiver is plain http on loopback.
        ("INVITES_WEBHOOK_ALLOW_HTTP", "true".into()),
    ]
}

#[derive(Default, Debug)]
struct Rounds {
    invocations: u32,
    messages: u32,
    failed: u32,
}

/// What Lambda's SQS trigger does: the queue's visible messages to the
/// worker (with their receive counts), the finished ones deleted, until the
/// queue stays empty for `quiet` seconds.
async fn deliver_all(h: &Harness, queue: &str, worker: &mut Function, quiet: u64) -> Rounds {
    deliver_for(h, queue, worker, quiet, std::time::Duration::MAX).await
}

/// The same, stopping after `max` at the latest.
async fn deliver_for(h: &Harness, queue: &str, worker: &mut Function, quiet: u64, max: std::time::Duration) -> Rounds {
    use aws_sdk_sqs::types::MessageSystemAttributeName as A;
    let mut rounds = Rounds::default();
    let started = std::time::Instant::now();
    let mut idle_since = started;
    while idle_since.elapsed().as_secs() < quiet && started.elapsed() < max {
        let out = h
            .sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .visibility_timeout(30)
            .message_system_attribute_names(A::ApproximateReceiveCount)
            .send()
            .await
            .unwrap();
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            continue;
        }
        idle_since = std::time::Instant::now();
        let event = invites_devtools::pump::sqs_event(&messages, "arn:aws:sqs:us-east-1:000000000000:t-webhooks");
        let answer = worker.invoke(&event).await.expect("the worker answered");
        let failed: Vec<&str> = answer["batchItemFailures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["itemIdentifier"].as_str().unwrap())
            .collect();
        rounds.invocations += 1;
        rounds.messages += messages.len() as u32;
        rounds.failed += failed.len() as u32;
        for m in messages.iter().filter(|m| !failed.contains(&m.message_id().unwrap())) {
            h.sqs.delete_message().queue_url(queue).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
    }
    rounds
}

/// The events the table's audit trail says were published.
async fn expected(h: &Harness) -> Vec<events::Event> {
    h.dump()
        .await
        .into_iter()
        .filter_map(|item| invites_adapters::store::items::AuditItem::from_image(serde_dynamo::Item::from(item)))
        .flat_map(|(rid, id, entry)| events::from_audit(&rid, &id, &entry))
        .collect()
}

/// Accepted ids per count: 0 missing and 0 doubled when every expected id is there once.
fn tally(accepted: &Value) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for a in accepted.as_array().unwrap() {
        *ids.entry(a["id"].as_str().unwrap().to_owned()).or_insert(0) += 1;
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_reaches_each_endpoint_once_through_an_outage_verified_by_standardwebhooks() {
    let Stage { h, bus, queue, dead, receiver } = stage().await;
    let (a, secret_a) = register(&h, &receiver.url("a"), &[]).await;
    let (_, secret_b) = register(&h, &receiver.url("b"), &["invite.accepted", "member.joined"]).await;
    assert!(secret_a.starts_with("whsec_") && secret_a != secret_b);
    // a is down (503) for the first rounds; b is up.
    receiver.control("a", json!({"secret": secret_a, "down": true})).await;
    receiver.control("b", json!({"secret": secret_b, "down": false})).await;

    // Changes of several kinds through the API.
    let rid = new_resource(&h).await;
    let mut tokens = Vec::new();
    for i in 0..4 {
        let created = invite(&h, &rid, OWNER, &format!("w{i}@example.com"), "read_only").await;
        assert_eq!(created.status, 201, "{}", created.body);
        tokens.push(token_of(&created));
    }
    assert_eq!(accept(&h, &tokens[0], "user-w0", "w0@example.com").await.status, 200);
    assert_eq!(accept(&h, &tokens[1], "user-w1", "w1@example.com").await.status, 200);

    let mut env = aws_env(&h, &queue);
    env.push(("INVITES_EVENT_BUS", bus.clone()));
    let mut publisher = Function::start("publish-events", env).await;
    h.publish_stream(&mut publisher).await;
    let mut env = aws_env(&h, &queue);
    env.extend([
        ("INVITES_WEBHOOK_DLQ_URL", dead.clone()),
        // 1 s between attempts instead of 5 s to 10 h; eight attempts.
        ("INVITES_WEBHOOK_RETRY_SCHEDULE", "1,1,1,1,1,1,1".into()),
    ]);
    let mut worker = Function::start("deliver-webhooks", env).await;

    // A publisher's retry queues deliveries twice: copy ten of them.
    let copies = h
        .sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    let copies = copies.messages.unwrap_or_default();
    for m in &copies {
        h.sqs.send_message().queue_url(&queue).message_body(m.body().unwrap()).send().await.unwrap();
    }
    assert_eq!(copies.len(), 10);

    // The outage, 2.5 s (two or three attempts of the eight): a's
    // deliveries fail and wait; b's arrive.
    let during = deliver_for(&h, &queue, &mut worker, 3, std::time::Duration::from_millis(2500)).await;
    assert!(receiver.log("a").await["down503"].as_u64().unwrap() > 0, "a was tried while down");
    receiver.control("a", json!({"down": false})).await;
    let after = deliver_all(&h, &queue, &mut worker, 4).await;

    let published = expected(&h).await;
    let all: Vec<&str> = published.iter().map(|e| e.id.as_str()).collect();
    let wanted_by_b: Vec<&str> = published
        .iter()
        .filter(|e| ["invite.accepted", "member.joined"].contains(&e.kind.as_str()))
        .map(|e| e.id.as_str())
        .collect();
    for (name, want) in [("a", &all), ("b", &wanted_by_b)] {
        let log = receiver.log(name).await;
        let ids = tally(&log["accepted"]);
        let missing: Vec<_> = want.iter().filter(|id| !ids.contains_key(**id)).collect();
        let doubled: Vec<_> = ids.iter().filter(|(_, n)| **n > 1).collect();
        let unexpected: Vec<_> = ids.keys().filter(|id| !want.contains(&id.as_str())).collect();
        assert!(
            missing.is_empty() && doubled.is_empty() && unexpected.is_empty(),
            "{name}: missing {missing:?}, doubled {doubled:?}, unexpected {unexpected:?}"
        );
        assert_eq!(log["refused"].as_array().unwrap().len(), 0, "{name}: every delivery verified: {}", log["refused"]);
        println!(
            "webhooks {name}: {} events, {} accepted, {} answered 503 while down and retried, 0 missing, 0 doubled",
            want.len(),
            ids.len(),
            log["down503"]
        );
    }
    println!("webhooks: worker rounds during the outage {during:?}, after {after:?}");
    // What a delivery carries is the event: never a link token, never an
    // address in full beyond the event's own masked one.
    for delivery in receiver.log("a").await["accepted"].as_array().unwrap() {
        let body = delivery["body"].as_str().unwrap();
        assert!(tokens.iter().all(|t| !body.contains(t.as_str())) && !body.contains("#token="), "{body}");
        assert!((0..4).all(|i| !body.contains(&format!("w{i}@example.com"))), "{body}");
    }
    assert!(during.failed > 0, "the outage made attempts fail and wait");

    // Every attempt is recorded per endpoint: a's first attempts failed with 503, then 2xx.
    let attempts = service(&h, "list-webhook-attempts", &a, None).await;
    assert_eq!(attempts.status, 200, "{}", attempts.body);
    let items = attempts.body["items"].as_array().unwrap();
    assert!(items.iter().any(|x| x["statusCode"] == 503 && x["next"] == "retry" && x["retryAt"].is_string()));
    assert!(items.iter().any(|x| x["delivered"] == true && x["statusCode"] == 204 && x["next"] == "done"));
    assert!(items.iter().all(|x| x["latencyMs"].is_u64() && x["at"].is_string()));

    // Forged and replayed deliveries are refused by the receiver.
    let first = receiver.log("a").await["accepted"][0].clone();
    let body = first["body"].as_str().unwrap();
    assert_eq!(receiver.post("a", &first["headers"], body).await, 409, "a replay of an accepted delivery");
    let forged = body.replace("\"type\":", "\"forged\":true,\"type\":");
    assert_eq!(receiver.post("a", &first["headers"], &forged).await, 400, "a changed body");
    let mut stale = first["headers"].clone();
    stale["webhook-timestamp"] = json!((invites_domain::time::now() - 600).to_string());
    assert_eq!(receiver.post("a", &stale, body).await, 400, "an old timestamp (outside the 5-minute tolerance)");
    let refused = receiver.log("a").await["refused"].as_array().unwrap().len();
    println!("webhooks: forged and replayed deliveries refused by the receiver: {refused} of 3");
    assert_eq!(refused, 3);

    // A rotation: deliveries carry both signatures; the receiver verifies with the new secret alone.
    let rotated = service(&h, "rotate-webhook-secret", &a, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret_a);
    receiver.control("a", json!({"secret": new_secret})).await;
    assert_eq!(invite(&h, &rid, OWNER, "after-rotation@example.com", "read_only").await.status, 201);
    h.publish_stream(&mut publisher).await;
    deliver_all(&h, &queue, &mut worker, 2).await;
    let last = receiver.log("a").await["accepted"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["type"], "invite.created");
    assert_eq!(last["signatures"], 2, "the new secret and the old one during the overlap");
    // A receiver still holding the old secret verifies the same delivery too.
    receiver.control("a-old", json!({"secret": secret_a, "down": false})).await;
    assert_eq!(
        receiver.post("a-old", &last["headers"], last["body"].as_str().unwrap()).await,
        204,
        "the old secret verifies it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_that_stays_down_is_parked_switched_off_and_redriven() {
    let Stage { h, bus, queue, dead, receiver } = stage().await;
    let (id, secret) = register(&h, &receiver.url("down"), &["resource.created", "invite.created"]).await;
    receiver.control("down", json!({"secret": secret, "down": true})).await;

    let rid = new_resource(&h).await;
    assert_eq!(invite(&h, &rid, OWNER, "parked@example.com", "read_only").await.status, 201);
    let mut env = aws_env(&h, &queue);
    env.push(("INVITES_EVENT_BUS", bus));
    let mut publisher = Function::start("publish-events", env).await;
    h.publish_stream(&mut publisher).await;
    let mut env = aws_env(&h, &queue);
    env.extend([
        ("INVITES_WEBHOOK_DLQ_URL", dead.clone()),
        ("INVITES_WEBHOOK_RETRY_SCHEDULE", "1,1".into()),
        // Switched off after 2 s of failures instead of a day.
        ("INVITES_WEBHOOK_DISABLE_AFTER_SECS", "2".into()),
    ]);
    let mut worker = Function::start("deliver-webhooks", env).await;
    // Quiet for 6 s: the retries come back after 1 s each, later on a
    // loaded machine (3 s once missed the last retry under the full suite).
    deliver_all(&h, &queue, &mut worker, 6).await;

    // Three attempts each (the first and two retries), then parked.
    let attempts = service(&h, "list-webhook-attempts", &id, None).await.body;
    let items = attempts["items"].as_array().unwrap();
    assert_eq!(items.iter().filter(|x| x["next"] == "parked").count(), 2, "{attempts}");
    assert!(items.iter().all(|x| x["delivered"] == false));
    assert_eq!(items.iter().map(|x| x["attempt"].as_u64().unwrap()).max(), Some(3));
    let endpoint = service(&h, "get-webhook", &id, None).await.body;
    assert_eq!(
        (endpoint["enabled"].as_bool(), endpoint["disabledReason"].as_str()),
        (Some(false), Some("failing")),
        "{endpoint}"
    );
    assert!(endpoint["failingSince"].is_string());

    // Fixed: switched on again, the dead-letter queue redriven: each event arrives once.
    receiver.control("down", json!({"down": false})).await;
    let on = service(&h, "change-webhook", &id, Some(json!({"enabled": true}))).await;
    assert_eq!((on.status, on.body["enabled"].as_bool()), (200, Some(true)), "{}", on.body);
    // The operator's command, as the README gives it.
    let redrive = std::process::Command::new(binary("invites-dev"))
        .args(["dlq", "--redrive", "--queue-url", &queue, "--dlq-url", &dead])
        .output()
        .expect("invites-dev runs");
    let said = String::from_utf8_lossy(&redrive.stdout);
    assert!(
        redrive.status.success() && said.contains("moved 2 message(s)"),
        "{said}{}",
        String::from_utf8_lossy(&redrive.stderr)
    );
    deliver_all(&h, &queue, &mut worker, 2).await;
    let ids = tally(&receiver.log("down").await["accepted"]);
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(ids.values().all(|n| *n == 1));

    // Removed: its deliveries are dropped, the route answers 404.
    assert_eq!(service(&h, "remove-webhook", &id, None).await.status, 204);
    assert_eq!(service(&h, "get-webhook", &id, None).await.status, 404);
}

#[tokio::test]
async fn registrations_are_checked_and_counted() {
    let h = Harness::new().await;
    let bad = |body: Value| {
        let h = &h;
        async move { call(webhooks::handle, &h.api, &Req::event("register-webhook").body(body)).await }
    };
    assert_error(&bad(json!({"url": "ftp://hooks.example.com"})).await, 422, "invalid_webhook_url");
    assert_error(
        &bad(json!({"url": "https://hooks.example.com", "eventTypes": ["invite.nope"]})).await,
        422,
        "invalid_event_type",
    );
    assert_error(&bad(json!({"url": "https://hooks.example.com", "secret": "x"})).await, 422, "invalid_request");
    assert!(h.dump().await.is_empty(), "refusals change nothing");
    for i in 0..20 {
        let (_, s) = register(&h, &format!("https://hooks{i}.example.com/x"), &[]).await;
        assert!(s.starts_with("whsec_"));
    }
    assert_error(&bad(json!({"url": "https://one-too-many.example.com"})).await, 409, "too_many_webhooks");
    let list = call(webhooks::handle, &h.api, &Req::event("list-webhooks")).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 20);
    assert!(!list.body.to_string().contains("whsec_"), "secrets are never listed");
    // An end user's token is not a service.
    let user = Req::event("list-webhooks").user(OWNER.0, OWNER.1);
    assert_error(&call(webhooks::handle, &h.api, &user).await, 403, "service_only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_the_configuration_names_is_registered_and_signs_with_its_secret() {
    let Stage { h, bus, queue, dead, receiver } = stage().await;
    // The operator's secret (Secrets Manager, template parameter WebhookSecretId).
    let secret = invites_domain::webhooks::Secret::generate().encode();
    receiver.control("cfg", json!({"secret": secret, "down": false})).await;

    new_resource(&h).await;
    let mut env = aws_env(&h, &queue);
    env.extend([
        ("INVITES_EVENT_BUS", bus),
        ("INVITES_WEBHOOK_URL", receiver.url("cfg")),
        ("INVITES_WEBHOOK_SECRET", secret.clone()),
        ("INVITES_WEBHOOK_EVENT_TYPES", "resource.created".into()),
    ]);
    let mut publisher = Function::start("publish-events", env).await;
    h.publish_stream(&mut publisher).await;
    let mut env = aws_env(&h, &queue);
    env.push(("INVITES_WEBHOOK_DLQ_URL", dead));
    let mut worker = Function::start("deliver-webhooks", env).await;
    deliver_all(&h, &queue, &mut worker, 2).await;

    let log = receiver.log("cfg").await;
    let accepted = log["accepted"].as_array().unwrap();
    assert_eq!((accepted.len(), accepted[0]["type"].as_str()), (1, Some("resource.created")), "{log}");
    assert_eq!(accepted[0]["signatures"], 1);
    let listed = call(webhooks::handle, &h.api, &Req::event("list-webhooks")).await.body;
    assert_eq!(listed["items"][0]["id"], invites_domain::webhooks::CONFIGURED_ID, "{listed}");
    assert_eq!(listed["items"][0]["eventTypes"], json!(["resource.created"]));
}
