//! The mail worker against SQS (moto), DynamoDB Local and the SES v2
//! emulator; SES failures through a scripted stand-in.

use futures::future::join_all;
use invites_tests::*;
use send_invite_email::Outcome;
use serde_json::json;

#[tokio::test]
async fn queued_invite_arrives_in_the_inbox_and_its_link_works() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("jane");
    let created = invite_to(&h, &rid, &to, json!({"message": "Welcome <b>aboard</b>!"})).await;
    let worker = h.worker().await;
    let response = worker.handle(h.take_batch().await).await;
    assert!(response.batch_item_failures.is_empty());

    let mails = inbox(&to).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail["from"], SENDER);
    assert_eq!(mail["subject"], format!("User {} invited you to Marketing site", OWNER.0));
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(
        text.contains("as Read-only (can see everything, change nothing)") && text.contains("Welcome <b>aboard</b>!"),
        "{text}"
    );
    let html = mail["body"]["html"].as_str().unwrap();
    assert!(
        html.contains("Welcome &lt;b&gt;aboard") && !html.contains("<b>aboard"),
        "the inviter's message is escaped"
    );
    // The link in the e-mail (HTML attribute, entity-encoded) is the one the
    // create call returned, and it works.
    let href = html.split("href=\"").nth(1).unwrap().split('"').next().unwrap();
    let link = href.replace("&#x2f;", "/").replace("&amp;", "&").replace("&#x3d;", "=");
    assert_eq!(link, created.body["url"].as_str().unwrap());
    let token = link.split("token=").nth(1).unwrap();
    assert_eq!(lookup(&h, token).await.body["status"], "pending");
    assert_eq!(accept(&h, token, "user-jane", &to).await.status, 200);

    // The send is recorded on the invite.
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let item = h.store().invite_item(&rid, iid).await.unwrap().unwrap();
    assert!(item.ses_message_id.is_some() && item.sent_at.is_some());
}

#[tokio::test]
async fn german_invite_is_rendered_in_german() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("de");
    invite_to(&h, &rid, &to, json!({"locale": "de"})).await;
    h.worker().await.handle(h.take_batch().await).await;
    let mail = &inbox(&to).await[0];
    assert_eq!(mail["subject"], format!("User {} hat Sie zu Marketing site eingeladen", OWNER.0));
    assert!(mail["body"]["text"].as_str().unwrap().contains("Einladung annehmen"));
}

#[tokio::test]
async fn a_message_delivered_twice_sends_one_email() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("twice");
    invite_to(&h, &rid, &to, json!({})).await;
    let batch = h.take_batch().await;
    let worker = h.worker().await;
    // The same message three times in one batch, then again later.
    let mut dup = batch.clone();
    dup.records.extend(batch.records.clone());
    dup.records.extend(batch.records.clone());
    let outcomes = join_all(dup.records.iter().map(|r| worker.process(r))).await;
    assert_eq!(outcomes.iter().filter(|o| **o == Outcome::Sent).count(), 1, "{outcomes:?}");
    assert_eq!(worker.process(&batch.records[0]).await, Outcome::Skipped("already sent"));
    assert_eq!(inbox(&to).await.len(), 1);
}

#[tokio::test]
async fn a_bulk_invites_message_sends_each_of_its_invites_once() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to: Vec<String> = (0..3).map(|i| unique_email(&format!("group{i}"))).collect();
    let entries: Vec<_> = to.iter().map(|e| json!({"email": e, "role": "read_only"})).collect();
    let req = Req::event("create-invite-batch")
        .user(OWNER.0, OWNER.1)
        .path("rid", &rid)
        .without_header("idempotency-key")
        .body(json!({ "invites": entries }));
    let r = call(create_invite::handle, &h.api, &req).await;
    assert_eq!(r.body["created"], 3, "{}", r.body);
    // The second is revoked before the worker runs.
    let revoke = Req::event("revoke-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", &rid)
        .path("id", r.body["results"][1]["invite"]["id"].as_str().unwrap());
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    let batch = h.take_batch().await;
    assert_eq!(batch.records.len(), 1, "one message for the three");
    let worker = h.worker().await;
    // Delivered twice: each e-mail still goes out once.
    let mut twice = batch.clone();
    twice.records.extend(batch.records.clone());
    assert!(worker.handle(twice).await.batch_item_failures.is_empty());
    assert_eq!(worker.process(&batch.records[0]).await, Outcome::Skipped("already sent"));
    let counts: Vec<usize> = join_all(to.iter().map(|e| async move { inbox(e).await.len() })).await;
    assert_eq!(counts, [1, 0, 1]);
}

#[tokio::test]
async fn a_batch_near_its_deadline_starts_no_email_and_goes_back_to_the_queue() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("late");
    invite_to(&h, &rid, &to, json!({})).await;
    let batch = h.take_batch().await;
    let worker = h.worker().await;
    let soon = std::time::SystemTime::now() + send_invite_email::RESERVE / 2;
    let response = worker.handle_until(batch.clone(), Some(soon)).await;
    assert_eq!(response.batch_item_failures.len(), 1, "back to the queue");
    assert!(inbox(&to).await.is_empty());
    // With time left, it goes out.
    let later = std::time::SystemTime::now() + 6 * send_invite_email::RESERVE;
    assert!(worker.handle_until(batch, Some(later)).await.batch_item_failures.is_empty());
    assert_eq!(inbox(&to).await.len(), 1);
}

#[tokio::test]
async fn revoke_before_the_worker_runs_means_no_email() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("revoked");
    let created = invite_to(&h, &rid, &to, json!({})).await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    let batch = h.take_batch().await;
    assert_eq!(batch.records.len(), 1);
    let response = h.worker().await.handle(batch).await;
    assert!(response.batch_item_failures.is_empty(), "dropped, not retried");
    assert!(inbox(&to).await.is_empty());
}

#[tokio::test]
async fn malformed_messages_are_dropped_not_retried() {
    let h = Harness::new().await;
    let worker = h.worker().await;
    let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
    for (i, body) in [
        "not json",
        r#"{"v":2,"type":"invite.send","resourceId":"x","inviteId":"y","sendId":"z"}"#,
        r#"{"v":1,"type":"invite.send","resourceId":"../x","inviteId":"y","sendId":"z"}"#,
        r#"{"v":1,"type":"invites.send","resourceId":"x","invites":[]}"#,
        r#"{"v":1,"type":"invites.send","resourceId":"x","invites":"y"}"#,
    ]
    .iter()
    .enumerate()
    {
        let mut m = aws_lambda_events::event::sqs::SqsMessage::default();
        m.message_id = Some(format!("m{i}"));
        m.body = Some(body.to_string());
        event.records.push(m);
    }
    let response = worker.handle(event).await;
    assert!(response.batch_item_failures.is_empty());
}

#[tokio::test]
async fn throttling_is_retried_then_a_permanent_refusal_is_recorded() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite_to(&h, &rid, &unique_email("bounce"), json!({})).await;
    let iid = created.body["invite"]["id"].as_str().unwrap().to_owned();
    let ses = FaultySes::start(vec![(429, "TooManyRequestsException"), (400, "MessageRejected")]).await;
    let mut worker = h.worker().await;
    worker.channel = send_invite_email::Channel::Ses(ses.mailer());
    let batch = h.take_batch().await;
    let id = batch.records[0].message_id.clone().unwrap();

    // Throttled: reported as a batch item failure, so SQS delivers it again.
    let response = worker.handle(batch.clone()).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(response.batch_item_failures[0].item_identifier, id);
    // Redelivered: SES refuses for good; recorded, audited, not retried.
    let response = worker.handle(batch.clone()).await;
    assert!(response.batch_item_failures.is_empty());
    let item = h.store().invite_item(&rid, &iid).await.unwrap().unwrap();
    assert!(item.delivery_error.as_deref().unwrap().contains("rejected"), "{:?}", item.delivery_error);
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let r = call(resources::handle, &h.api, &audit).await;
    assert_eq!(r.body["items"][0]["action"], "invite.delivery_failed");
    let one = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &iid);
    assert!(call(list_invites::handle, &h.api, &one).await.body["deliveryError"].is_string());
    // A third delivery sends nothing more.
    assert!(worker.handle(batch).await.batch_item_failures.is_empty());
    assert_eq!(ses.requests.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// `invites-dev dlq`: shows what waits in the dead-letter queue, leaves it
/// there, and `--redrive` moves it back to the mail queue, where the worker
/// sends it once.
#[tokio::test]
async fn the_dead_letter_queue_is_shown_and_redriven() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("dlq");
    invite_to(&h, &rid, &to, json!({})).await;
    let dlq_url = format!("{}-dlq", h.queue_url);
    // As if five deliveries had failed: the message sits in the DLQ.
    let batch = h.take_batch().await;
    let body = batch.records[0].body.clone().unwrap();
    h.sqs.send_message().queue_url(&dlq_url).message_body(&body).send().await.unwrap();
    let handle = batch.records[0].receipt_handle.clone().unwrap();
    h.sqs.delete_message().queue_url(&h.queue_url).receipt_handle(handle).send().await.unwrap();

    let (total, dead) = invites_devtools::dlq::show(&h.sqs, &dlq_url, 10).await.unwrap();
    assert_eq!((total, dead.len()), (1, 1));
    assert_eq!(dead[0].body["resourceId"], rid.as_str());
    assert!(!dead[0].body.to_string().contains(&to), "no address in what it shows");
    let moved = invites_devtools::dlq::redrive(&h.sqs, &dlq_url, &h.queue_url).await.unwrap();
    assert_eq!(moved, 1, "shown, not taken away");
    assert_eq!(invites_devtools::dlq::show(&h.sqs, &dlq_url, 10).await.unwrap().1.len(), 0);
    h.worker().await.handle(h.take_batch().await).await;
    assert_eq!(inbox(&to).await.len(), 1);
}
