//! SES delivery events (the configuration set's SNS records) against
//! DynamoDB Local: the e-mail state an admin sees, bounces and complaints
//! that end an invite and suppress the address, duplicates, late and
//! out-of-order events, and foreign mail.

use delivery_events::Handler;
use futures::future::join_all;
use invites_domain::delivery::Record;
use invites_tests::*;
use serde_json::{Value, json};

struct Sent {
    rid: String,
    iid: String,
    email: String,
    message_id: String,
}

/// A resource with one invite whose e-mail the worker sent (SES emulator).
async fn sent_invite(h: &Harness, tag: &str) -> Sent {
    let rid = new_resource(h).await;
    let email = unique_email(tag);
    let created = invite(h, &rid, OWNER, &email, "read_only").await;
    assert_eq!(created.status, 201, "{}", created.body);
    let iid = created.body["invite"]["id"].as_str().unwrap().to_owned();
    h.worker().await.handle(h.take_batch().await).await;
    let message_id = h.store().invite_item(&rid, &iid).await.unwrap().unwrap().ses_message_id.clone().unwrap();
    Sent { rid, iid, email, message_id }
}

async fn handler(h: &Harness) -> Handler {
    Handler { store: h.store().clone() }
}

async fn record(handler: &Handler, message: &str) -> Record {
    handler.record(message).await.unwrap().expect("an invite event")
}

async fn invite_view(h: &Harness, rid: &str, iid: &str) -> Value {
    let req = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", rid).path("id", iid);
    let r = call(list_invites::handle, &h.api, &req).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn audit_actions(h: &Harness, rid: &str) -> Vec<String> {
    let req = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", rid).no_query();
    let r = call(resources::handle, &h.api, &req).await;
    r.body["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_invite_shows_sent_then_delivered_and_a_late_delay_changes_nothing() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "delivered").await;
    let handler = handler(&h).await;
    assert_eq!(invite_view(&h, &s.rid, &s.iid).await["emailStatus"], "sent");

    let delivered = ses_event("ses-delivery", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &delivered).await, Record::Apply { undeliverable: false, suppress: false });
    let view = invite_view(&h, &s.rid, &s.iid).await;
    assert_eq!(view["emailStatus"], "delivered");
    assert!(view["emailStatusAt"].is_string());
    // Again, and a delay that arrives after the delivery: nothing changes.
    assert_eq!(record(&handler, &delivered).await, Record::Ignore("already recorded"));
    let delay = ses_event("ses-delivery-delay", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &delay).await, Record::Ignore("already recorded"));
    assert_eq!(invite_view(&h, &s.rid, &s.iid).await["emailStatus"], "delivered");
    // The list route shows it too.
    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &s.rid).no_query();
    let r = call(list_invites::handle, &h.api, &list).await;
    assert_eq!(r.body["items"][0]["emailStatus"], "delivered", "{}", r.body);
}

#[tokio::test]
async fn a_hard_bounce_ends_the_invite_frees_its_seat_and_suppresses_the_address() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "bounce").await;
    let handler = handler(&h).await;
    assert_eq!(seats_used(&h, &s.rid).await, 1);

    let bounce = ses_event("ses-bounce-hard", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &bounce).await, Record::Apply { undeliverable: true, suppress: true });
    let view = invite_view(&h, &s.rid, &s.iid).await;
    assert_eq!(view["status"], "undeliverable");
    assert_eq!(view["emailStatus"], "bounced");
    assert_eq!(view["bounceType"], "hard");
    assert!(view["deliveryError"].as_str().unwrap().contains("550 5.1.1"), "{view}");
    assert_eq!(seats_used(&h, &s.rid).await, 0, "the seat is free");
    assert_eq!(audit_actions(&h, &s.rid).await.iter().filter(|a| *a == "invite.bounced").count(), 1);

    // Resend respects the suppression unless the admin overrides it.
    let r = resend(&h, &s.rid, &s.iid, json!({})).await;
    assert_error(&r, 409, "email_suppressed");
    let r = resend(&h, &s.rid, &s.iid, json!({"ignoreSuppression": true})).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["invite"]["status"], "pending");
    assert_eq!(r.body["invite"]["emailStatus"], "queued", "a new send starts over");
    assert_eq!(seats_used(&h, &s.rid).await, 1, "pending again, with a seat");
    // The old message's events no longer touch the invite.
    assert_eq!(record(&handler, &bounce).await, Record::Ignore("another message"));
}

#[tokio::test]
async fn a_new_invite_to_a_suppressed_address_needs_the_override() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "complaint").await;
    let handler = handler(&h).await;
    let complaint = ses_event("ses-complaint", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &complaint).await, Record::Apply { undeliverable: true, suppress: true });
    assert_eq!(invite_view(&h, &s.rid, &s.iid).await["emailStatus"], "complained");
    let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &s.rid).path("id", &s.iid);
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);

    let again = invite(&h, &s.rid, OWNER, &s.email, "read_only").await;
    assert_error(&again, 409, "email_suppressed");
    let req = Req::event("create-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", &s.rid)
        .without_header("idempotency-key")
        .body(json!({"email": s.email, "role": "read_only", "ignoreSuppression": true}));
    assert_eq!(call(create_invite::handle, &h.api, &req).await.status, 201);
}

#[tokio::test]
async fn soft_bounces_and_rejects_are_shown_but_keep_the_invite() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "soft").await;
    let handler = handler(&h).await;
    let soft = ses_event("ses-bounce-soft", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &soft).await, Record::Apply { undeliverable: false, suppress: false });
    let view = invite_view(&h, &s.rid, &s.iid).await;
    assert_eq!((view["status"].as_str(), view["emailStatus"].as_str()), (Some("pending"), Some("bounced")));
    assert_eq!(view["bounceType"], "soft");
    assert_eq!(seats_used(&h, &s.rid).await, 1);
    let reject = ses_event("ses-reject", &s.rid, &s.iid, &s.message_id);
    assert_eq!(record(&handler, &reject).await, Record::Apply { undeliverable: false, suppress: false });
    let view = invite_view(&h, &s.rid, &s.iid).await;
    assert_eq!((view["status"].as_str(), view["emailStatus"].as_str()), (Some("pending"), Some("rejected")));
    assert!(view.get("bounceType").is_none());
    // Not suppressed: a resend goes out without the override.
    assert_eq!(resend(&h, &s.rid, &s.iid, json!({})).await.status, 202);
}

#[tokio::test]
async fn unknown_and_foreign_messages_change_nothing() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "foreign").await;
    let handler = handler(&h).await;
    let other_message = ses_event("ses-bounce-hard", &s.rid, &s.iid, "not-our-message");
    assert_eq!(record(&handler, &other_message).await, Record::Ignore("another message"));
    let unknown_invite = ses_event("ses-bounce-hard", &s.rid, "01JC8Z4F2H7Q9B3D5K8M1P6R0C", &s.message_id);
    assert_eq!(record(&handler, &unknown_invite).await, Record::Ignore("unknown invite"));
    let foreign = r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent"},"mail":{"messageId":"x","tags":{}}}"#;
    assert!(handler.record(foreign).await.unwrap().is_err());
    assert!(handler.record("{").await.unwrap().is_err());
    let view = invite_view(&h, &s.rid, &s.iid).await;
    assert_eq!((view["status"].as_str(), view["emailStatus"].as_str()), (Some("pending"), Some("sent")));
}

/// SNS delivers at least once: the same bounce eight times at once ends
/// the invite once, frees one seat and writes one audit entry.
#[tokio::test]
async fn a_bounce_delivered_eight_times_at_once_counts_once() {
    let h = Harness::new().await;
    let s = sent_invite(&h, "dup").await;
    // A second pending invite, so a double seat release would show.
    assert_eq!(invite(&h, &s.rid, OWNER, &unique_email("other"), "read_only").await.status, 201);
    let handler = handler(&h).await;
    let bounce = ses_event("ses-bounce-hard", &s.rid, &s.iid, &s.message_id);
    let outcomes = join_all((0..8).map(|_| record(&handler, &bounce))).await;
    let applied = outcomes.iter().filter(|o| matches!(o, Record::Apply { .. })).count();
    assert_eq!(applied, 1, "{outcomes:?}");
    assert_eq!(seats_used(&h, &s.rid).await, 1);
    assert_eq!(audit_actions(&h, &s.rid).await.iter().filter(|a| *a == "invite.bounced").count(), 1);
}

#[tokio::test]
async fn every_ses_sample_event_is_an_sns_record_the_function_reads() {
    let h = Harness::new().await;
    let handler = handler(&h).await;
    let mut seen = 0;
    for entry in std::fs::read_dir(events_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path.file_name().unwrap().to_string_lossy().starts_with("ses-") {
            continue;
        }
        let event: aws_lambda_events::event::sns::SnsEvent =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // The samples' invite does not exist here: read, matched, ignored.
        handler.handle(event.clone()).await.unwrap();
        let outcome = handler.record(&event.records[0].sns.message).await.unwrap();
        assert_eq!(outcome, Ok(Record::Ignore("unknown invite")), "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 6);
}
