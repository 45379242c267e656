//! Deleting a resource: one transaction marks it, every path checks the
//! mark from then on (links, team links, joins, members' access, lists, the
//! mail worker and the sweep), and the sweep removes its items after,
//! however many, keeping the marker and the audit trail until retention.

use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};
use std::collections::HashMap;

type Item = HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

async fn delete(h: &Harness, rid: &str, by: (&str, &str)) -> Resp {
    call(resources::handle, &h.api, &Req::event("delete-resource").user(by.0, by.1).path("rid", rid)).await
}

fn team_link_req(rid: &str) -> Req {
    Req::event("create-team-link").user(OWNER.0, OWNER.1).path("rid", rid).body(json!({
        "role": "read_only", "expiresInDays": 7, "maxUses": 50
    }))
}

async fn join(h: &Harness, token: &str, who: (&str, &str)) -> Resp {
    let req = Req::event("join-team-link").user(who.0, who.1).body(json!({ "token": token }));
    call(team_links::handle, &h.api, &req).await
}

async fn partition(h: &Harness, rid: &str) -> Vec<Item> {
    let pk = format!("RES#{rid}");
    h.dump().await.into_iter().filter(|i| i["PK"].as_s().is_ok_and(|p| *p == pk)).collect()
}

/// The invite's link and the team link answer 410 `resource_deleted`, and
/// nobody gets in through them.
async fn links_answer_as_gone(h: &Harness, invite_token: &str, invited: &str, link_token: &str) {
    assert_error(&lookup(h, invite_token).await, 410, "resource_deleted");
    assert_error(&accept(h, invite_token, "user-later", invited).await, 410, "resource_deleted");
    let look =
        call(team_links::handle, &h.api, &Req::event("lookup-team-link").body(json!({ "token": link_token }))).await;
    assert_error(&look, 410, "resource_deleted");
    assert_error(&join(h, link_token, ("user-joiner", "joiner@example.com")).await, 410, "resource_deleted");
}

fn sk(i: &Item) -> &str {
    i["SK"].as_s().unwrap()
}

#[tokio::test]
async fn a_deleted_resource_answers_as_gone_everywhere_and_the_sweep_removes_its_items() {
    let h = Harness::with_limits(Limits { resources_per_owner: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-admin", "admin@example.com", "admin").await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    let later = unique_email("later");
    let pending = invite(&h, &rid, OWNER, &later, "read_only").await;
    assert_eq!(pending.status, 201);
    let link = call(team_links::handle, &h.api, &team_link_req(&rid)).await;
    assert_eq!(link.status, 201, "{}", link.body);
    let link_token = link.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();

    // Only the owner; an outsider does not learn it exists.
    assert_error(&delete(&h, &rid, ("user-admin", "admin@example.com")).await, 403, "forbidden");
    assert_error(&delete(&h, &rid, ("user-x", "x@example.com")).await, 404, "not_found");
    let r = delete(&h, &rid, OWNER).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_error(&delete(&h, &rid, OWNER).await, 404, "not_found");

    // Every link answers as gone; nobody gets in.
    links_answer_as_gone(&h, &token_of(&pending), &later, &link_token).await;
    // Members lose access and it leaves their lists.
    for (sub, email) in [OWNER, ("user-reader", "reader@example.com")] {
        let get = Req::event("get-resource").user(sub, email).path("rid", &rid);
        assert_error(&call(resources::handle, &h.api, &get).await, 404, "not_found");
        let mine = call(me::handle, &h.api, &Req::event("my-resources").user(sub, email)).await.body;
        assert!(!mine.to_string().contains(&rid), "{mine}");
    }
    let members = Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert_error(&call(members::handle, &h.api, &members).await, 404, "not_found");
    let theirs = call(me::handle, &h.api, &Req::event("my-invites").user("user-later", &later)).await;
    assert_eq!(theirs.body["items"], json!([]), "no longer offered");
    // The owner's count is given back: they may register another.
    let again = call(resources::handle, &h.api, &Req::event("create-resource").user(OWNER.0, OWNER.1)).await;
    assert_eq!(again.status, 201, "{}", again.body);

    // The mail queued before the delete does not go out.
    let worker = h.worker().await;
    worker.handle(h.take_batch().await).await;
    assert!(inbox(&later).await.is_empty(), "no e-mail for a deleted resource's invite");

    // The sweep removes everything but the marker and the audit trail.
    let before = partition(&h, &rid).await;
    assert!(before.iter().any(|i| sk(i).starts_with("MEMBER#")) && before.iter().any(|i| sk(i).starts_with("INVITE#")));
    let sweep = sweep_invites::Sweeper {
        store: h.store().clone(),
        queue: h.api.queue.clone().unwrap(),
        limits: Limits::default(),
    };
    let done = sweep.run(invites_domain::time::now()).await.unwrap();
    assert_eq!(done.deleted_resources_finished, 1, "{done:?}");
    assert_eq!((done.requeued, done.reminders), (0, 0), "no mail for a deleted resource: {done:?}");
    let after = partition(&h, &rid).await;
    let left: Vec<&str> = after.iter().map(sk).filter(|s| !s.starts_with("AUDIT#")).collect();
    assert_eq!(left, ["RESOURCE"], "only the marker stays");
    assert_eq!(done.deleted_items_removed as usize, before.len() - after.len());
    let marker = after.iter().find(|i| sk(i) == "RESOURCE").unwrap();
    assert!(marker.contains_key("ttl") && !marker.contains_key("GSI2PK"), "{marker:?}");
    let audit: Vec<Value> =
        after.iter().filter(|i| sk(i).starts_with("AUDIT#")).map(|i| json!(i["action"].as_s().unwrap())).collect();
    assert!(audit.contains(&json!("resource.deleted")), "{audit:?}");
    // A second run finds nothing more to do.
    assert_eq!(sweep.run(invites_domain::time::now()).await.unwrap().deleted_items_removed, 0);
    // The links' items are gone, yet the links still answer as gone (not as
    // unknown) while the marker stays; a malformed token stays unknown.
    links_answer_as_gone(&h, &token_of(&pending), &later, &link_token).await;
    let malformed = format!("{}x", token_of(&pending));
    assert_error(&lookup(&h, &malformed).await, 404, "not_found");
}

#[tokio::test]
async fn the_operators_service_route_deletes_when_the_owner_is_gone() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let service = Req::event("service-delete-resource").path("rid", &rid);
    assert_error(&call(resources::handle, &h.api, &service.clone().user(OWNER.0, OWNER.1)).await, 403, "service_only");
    assert_eq!(call(resources::handle, &h.api, &service).await.status, 204);
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert_error(&call(resources::handle, &h.api, &get).await, 404, "not_found");
    let audit = partition(&h, &rid).await;
    let entry =
        audit.iter().find(|i| i.get("action").and_then(|a| a.as_s().ok()).is_some_and(|a| a == "resource.deleted"));
    assert_eq!(entry.unwrap()["actor"].as_s().unwrap(), "service");
}

/// A delete racing an accept and a join: each of them either got in before
/// the delete committed, or is refused as gone; nothing is half written,
/// and nobody is let in after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_racing_an_accept_and_a_join_lets_nobody_in_after_it() {
    let mut outcomes = HashMap::new();
    for round in 0..8 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        let to = format!("racer-{round}@example.com");
        let created = invite(&h, &rid, OWNER, &to, "read_only").await;
        let link = call(team_links::handle, &h.api, &team_link_req(&rid)).await;
        let link_token = link.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();
        let token = token_of(&created);
        let (deleted, accepted, joined) = tokio::join!(
            delete(&h, &rid, OWNER),
            accept(&h, &token, "user-accepter", &to),
            join(&h, &link_token, ("user-joiner", "joiner@example.com"))
        );
        assert_eq!(deleted.status, 204, "round {round}: {}", deleted.body);
        for (who, r) in [("user-accepter", &accepted), ("user-joiner", &joined)] {
            let member = h.store().member(&rid, who).await.unwrap();
            match r.status {
                200 => assert!(member.is_some(), "round {round}: {who} got in before the delete"),
                410 => {
                    assert_error(r, 410, "resource_deleted");
                    assert!(member.is_none(), "round {round}: {who} refused but written");
                }
                other => panic!("round {round}: {who}: {other} {}", r.body),
            }
            *outcomes.entry((who, r.status)).or_insert(0) += 1;
        }
        // Afterwards, whatever the order: nobody gets in.
        assert_error(&accept(&h, &token, "user-accepter", &to).await, 410, "resource_deleted");
        assert_error(&join(&h, &link_token, ("user-late", "late@example.com")).await, 410, "resource_deleted");
    }
    println!("outcomes: {outcomes:?}");
}

/// Every path checks the mark in its own write: an accept whose reads came
/// before the resource's deletion, and whose transaction commits after it,
/// lets nobody in. The proxy holds the accept's transaction while the
/// delete commits, every time (the race test above leaves it to chance).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accept_held_across_the_delete_lets_nobody_in() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("held");
    let created = invite_to(&h, &rid, &to, json!({})).await;
    let (proxy, arrived) = holding_the_next_transaction(std::time::Duration::from_millis(700)).await;
    let mut accept = h.function_through("accept-invite", &proxy.url).await;
    let req = Req::event("accept-invite").user("user-held", &to).body(json!({"token": token_of(&created)}));
    let delete = async {
        arrived.notified().await;
        call(resources::handle, &h.api, &Req::event("service-delete-resource").path("rid", &rid)).await
    };
    let (answer, deleted) = tokio::join!(accept.invoke(&req.0), delete);
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let answer = answer.expect("the function answers");
    assert_eq!(answer["statusCode"], 410, "{}", answer["body"]);
    assert!(answer["body"].as_str().unwrap().contains("resource_deleted"), "{}", answer["body"]);
    assert!(h.store().member(&rid, "user-held").await.unwrap().is_none(), "nobody got in");
}

/// The sweep sends nothing for a deleted resource: at the time its invite's
/// reminder would be due, and long after its first e-mail would be
/// requeued, a sweep and the worker send no second e-mail.
#[tokio::test]
async fn the_sweep_sends_no_reminder_or_requeue_for_a_deleted_resource() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("reminded");
    assert_eq!(invite(&h, &rid, OWNER, &to, "read_only").await.status, 201);
    let worker = h.worker().await;
    worker.handle(h.take_batch().await).await;
    assert_eq!(inbox(&to).await.len(), 1, "the invitation went out");
    assert_eq!(delete(&h, &rid, OWNER).await.status, 204);
    let sweep = sweep_invites::Sweeper {
        store: h.store().clone(),
        queue: h.api.queue.clone().unwrap(),
        limits: Limits::default(),
    };
    let now = invites_domain::time::now();
    let reminder_day = now + (7 - Limits::default().reminder_days) * invites_domain::time::DAY + 60;
    for at in [now + 3600, reminder_day] {
        let done = sweep.run(at).await.unwrap();
        assert_eq!((done.requeued, done.reminders), (0, 0), "{done:?}");
    }
    worker.handle(h.take_batch().await).await;
    assert_eq!(inbox(&to).await.len(), 1, "no reminder, no second e-mail");
}
