//! The scheduled sweep against DynamoDB Local, SQS (moto) and the SES v2
//! emulator, with the clock moved forward: an e-mail whose queue send was
//! lost goes out once, and each invite gets its one reminder exactly once,
//! never when turned off or to a suppressed address.

use futures::future::join_all;
use invites_domain::limits::Limits;
use invites_domain::time::{DAY, now};
use invites_tests::*;
use serde_json::json;
use sweep_invites::{Summary, Sweeper};

fn sweeper(h: &Harness) -> Sweeper {
    Sweeper { store: h.store().clone(), queue: h.api.queue.clone().unwrap(), limits: Limits::default() }
}

/// Sweeps at `at` three times at once, as overlapping scheduled runs would,
/// and adds up what they did.
async fn sweep_thrice(h: &Harness, at: i64) -> Summary {
    let s = sweeper(h);
    let runs = join_all((0..3).map(|_| s.run(at))).await;
    runs.into_iter().map(Result::unwrap).fold(Summary::default(), |a, r| Summary {
        due: a.due.max(r.due),
        requeued: a.requeued + r.requeued,
        reminders: a.reminders + r.reminders,
        suppressed: a.suppressed + r.suppressed,
        later: a.later + r.later,
        done: a.done + r.done,
        over_budget: a.over_budget + r.over_budget,
        expired: a.expired + r.expired,
        lost: a.lost + r.lost,
        errors: a.errors + r.errors,
        email_cap_used_percent: r.email_cap_used_percent,
        deleted_items_removed: a.deleted_items_removed + r.deleted_items_removed,
        deleted_resources_finished: a.deleted_resources_finished + r.deleted_resources_finished,
    })
}

/// Runs the worker over what is queued; each message is delivered twice.
async fn deliver_twice(h: &Harness) {
    let worker = h.worker().await;
    let mut batch = h.take_batch().await;
    batch.records.extend(batch.records.clone());
    let r = worker.handle(batch).await;
    assert!(r.batch_item_failures.is_empty());
}

async fn create(h: &Harness, rid: &str, email: &str, extra: serde_json::Value) -> String {
    invite_to(h, rid, email, extra).await.body["invite"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_email_whose_queue_send_was_lost_is_queued_again_and_sent_once() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("lost");
    let t0 = now();
    create(&h, &rid, &to, json!({})).await;
    // The message never reaches the worker (as if the queue send had failed).
    assert_eq!(h.take_batch().await.records.len(), 1);

    let early = sweep_thrice(&h, t0 + 60).await;
    assert_eq!((early.due, early.requeued), (0, 0), "not due before requeue_after_secs: {early:?}");
    let swept = sweep_thrice(&h, t0 + Limits::default().requeue_after_secs + 1).await;
    assert_eq!(swept.requeued, 1, "queued again once across overlapping sweeps: {swept:?}");
    deliver_twice(&h).await;
    assert_eq!(inbox(&to).await.len(), 1);
    // Sent: nothing is due again until the reminder's day.
    let after = sweep_thrice(&h, t0 + 2 * Limits::default().requeue_after_secs + 2).await;
    assert_eq!(after.due, 0, "{after:?}");
}

#[tokio::test]
async fn reminders_go_out_exactly_once_and_never_when_off_or_suppressed() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let t0 = now();
    let remind = unique_email("remind");
    let opted_out = unique_email("optout");
    let suppressed = unique_email("suppressed");
    let remind_id = create(&h, &rid, &remind, json!({"locale": "de"})).await;
    create(&h, &rid, &opted_out, json!({"reminder": false})).await;
    let suppressed_id = create(&h, &rid, &suppressed, json!({})).await;
    // A second resource that turned reminders off.
    let quiet = new_resource(&h).await;
    let patch =
        Req::event("update-resource").user(OWNER.0, OWNER.1).path("rid", &quiet).body(json!({"reminders": false}));
    let r = call(resources::handle, &h.api, &patch).await;
    assert_eq!((r.status, &r.body["reminders"]), (200, &json!(false)), "{}", r.body);
    let quiet_to = unique_email("quiet");
    create(&h, &quiet, &quiet_to, json!({})).await;
    deliver_twice(&h).await;

    // The third address bounces for good; the admin sends to it anyway.
    let mid = h.store().invite_item(&rid, &suppressed_id).await.unwrap().unwrap().ses_message_id.clone().unwrap();
    let handler = delivery_events::Handler { store: h.store().clone() };
    handler.record(&ses_event("ses-bounce-hard", &rid, &suppressed_id, &mid)).await.unwrap().unwrap();
    assert_eq!(resend(&h, &rid, &suppressed_id, json!({"ignoreSuppression": true})).await.status, 202);
    deliver_twice(&h).await;
    let sent = [(&remind, 1), (&opted_out, 1), (&suppressed, 2), (&quiet_to, 1)];
    for (to, n) in sent {
        assert_eq!(inbox(to).await.len(), n, "{to}");
    }

    // The day before the reminder: nothing.
    let day = t0 + (7 - Limits::default().reminder_days) * DAY;
    let before = sweep_thrice(&h, day - 3600).await;
    assert_eq!((before.reminders, before.suppressed), (0, 0), "{before:?}");
    // Its day, with three sweeps at once: one reminder, one suppressed, one
    // off (back at its expiry, for the seat).
    let swept = sweep_thrice(&h, day + 60).await;
    assert_eq!((swept.reminders, swept.suppressed, swept.later), (1, 1, 1), "{swept:?}");
    deliver_twice(&h).await;
    let mails = inbox(&remind).await;
    assert_eq!(mails.len(), 2);
    assert!(mails[1]["subject"].as_str().unwrap().starts_with("Erinnerung:"), "{}", mails[1]["subject"]);
    for (to, n) in &sent[1..] {
        assert_eq!(inbox(to).await.len(), *n, "no reminder for {to}");
    }
    // Later sweeps find nothing; the invite shows when it was reminded.
    for at in [day + 3600, day + DAY] {
        let later = sweep_thrice(&h, at).await;
        assert_eq!((later.due, later.reminders), (0, 0), "{later:?}");
    }
    deliver_twice(&h).await;
    assert_eq!(inbox(&remind).await.len(), 2, "exactly one reminder");
    let view = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &remind_id);
    let v = call(list_invites::handle, &h.api, &view).await.body;
    assert!(v["remindedAt"].is_string() && v["reminder"] == json!(true), "{v}");
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let actions = call(resources::handle, &h.api, &audit).await.body;
    assert_eq!(actions["items"].as_array().unwrap().iter().filter(|a| a["action"] == "invite.reminded").count(), 1);
}

#[tokio::test]
async fn a_reminder_counts_against_the_resources_daily_budget_and_waits_a_day_when_it_is_spent() {
    let limits = Limits { daily_invites: 3, deployment_daily_emails: 10, ..Limits::default() };
    let h = Harness::with_limits(limits).await;
    let rid = new_resource(&h).await;
    let t0 = now();
    let (first, second) = (unique_email("budget-a"), unique_email("budget-b"));
    create(&h, &rid, &first, json!({})).await;
    create(&h, &rid, &second, json!({})).await;
    deliver_twice(&h).await;
    // The reminders' day: the resource has sent two of its three e-mails already.
    let day = t0 + (7 - limits.reminder_days) * DAY;
    spend(&h, &format!("RES#{rid}"), day, 2).await;
    let s = Sweeper { store: h.store().clone(), queue: h.api.queue.clone().unwrap(), limits };
    let swept = s.run(day + 60).await.unwrap();
    assert_eq!((swept.reminders, swept.over_budget), (1, 1), "one fits the day's budget: {swept:?}");
    assert_eq!(counted(&h, &format!("RES#{rid}"), day).await, 3, "the reminder was counted");
    assert_eq!(counted(&h, "DEPLOYMENT", day).await, 1, "and by the deployment's cap");
    assert_eq!(swept.email_cap_used_percent, 10);
    // The other waits for the next UTC day, and goes then.
    let again = s.run(day + 120).await.unwrap();
    assert_eq!((again.due, again.reminders), (0, 0), "{again:?}");
    let next_day = (invites_domain::budgets::budget_day(day) + 1) * DAY;
    let later = s.run(next_day + 60).await.unwrap();
    assert_eq!((later.reminders, later.over_budget), (1, 0), "{later:?}");
    deliver_twice(&h).await;
    assert_eq!((inbox(&first).await.len(), inbox(&second).await.len()), (2, 2), "each reminded once");
}

/// Counts `n` e-mails against `pk`'s budget of the UTC day of `at`.
async fn spend(h: &Harness, pk: &str, at: i64, n: u32) {
    let day = invites_domain::budgets::budget_day(at);
    h.store()
        .client()
        .update_item()
        .table_name(&h.table)
        .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(pk.into()))
        .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(format!("RATE#{day}")))
        .update_expression("ADD #count :n")
        .expression_attribute_names("#count", "count")
        .expression_attribute_values(":n", aws_sdk_dynamodb::types::AttributeValue::N(n.to_string()))
        .send()
        .await
        .unwrap();
}

/// The count of `pk`'s budget on the UTC day of `at`.
async fn counted(h: &Harness, pk: &str, at: i64) -> u64 {
    let day = invites_domain::budgets::budget_day(at);
    let item = h
        .store()
        .client()
        .get_item()
        .table_name(&h.table)
        .key("PK", aws_sdk_dynamodb::types::AttributeValue::S(pk.into()))
        .key("SK", aws_sdk_dynamodb::types::AttributeValue::S(format!("RATE#{day}")))
        .send()
        .await
        .unwrap();
    item.item.and_then(|i| i.get("count").and_then(|c| c.as_n().ok()).and_then(|n| n.parse().ok())).unwrap_or(0)
}

#[tokio::test]
async fn the_sweep_gives_an_expired_invites_seat_back_so_the_seat_figure_needs_no_count() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let t0 = now();
    let (quiet, reminded) = (unique_email("expire-quiet"), unique_email("expire-reminded"));
    create(&h, &rid, &quiet, json!({"reminder": false})).await;
    create(&h, &rid, &reminded, json!({})).await;
    deliver_twice(&h).await;
    assert_eq!(seats_used(&h, &rid).await, 2);
    let expiry = t0 + 7 * DAY;
    // The reminder, then nothing until the expiry.
    assert_eq!(sweep_thrice(&h, expiry - DAY).await.reminders, 1);
    deliver_twice(&h).await;
    let before = sweep_thrice(&h, expiry - 60).await;
    assert_eq!((before.due, before.expired), (0, 0), "{before:?}");
    // At the expiry, three overlapping sweeps give each seat back once.
    let swept = sweep_thrice(&h, expiry + 60).await;
    assert_eq!(swept.expired, 2, "{swept:?}");
    assert_eq!(seats_used(&h, &rid).await, 0, "the stored counter is the figure");
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let trail = call(resources::handle, &h.api, &audit).await.body;
    assert_eq!(trail["items"].as_array().unwrap().iter().filter(|a| a["action"] == "invite.expired").count(), 2);
    let again = sweep_thrice(&h, expiry + DAY).await;
    assert_eq!(again.due, 0, "off the index: {again:?}");
}
