//! Team links: made, listed, looked up, joined while uses and seats last,
//! revoked; the races for the last seat and the last use.

use invites_domain::ports::TeamLinks;
use invites_domain::time::{DAY, now};
use invites_domain::{Email, Identity};
use invites_tests::*;
use serde_json::{Value, json};

async fn create_link(h: &Harness, rid: &str, body: Value) -> Resp {
    let req = Req::event("create-team-link").user(OWNER.0, OWNER.1).path("rid", rid).body(body);
    call(team_links::handle, &h.api, &req).await
}

fn link_token(created: &Resp) -> String {
    created.body["url"].as_str().expect("a url").split("#link=").nth(1).unwrap().to_owned()
}

async fn join(h: &Harness, token: &str, sub: &str, email: &str) -> Resp {
    call(team_links::handle, &h.api, &Req::event("join-team-link").user(sub, email).body(json!({ "token": token })))
        .await
}

async fn lookup(h: &Harness, token: &str) -> Resp {
    call(team_links::handle, &h.api, &Req::event("lookup-team-link").body(json!({ "token": token }))).await
}

async fn list(h: &Harness, rid: &str, by: (&str, &str)) -> Resp {
    call(team_links::handle, &h.api, &Req::event("list-team-links").user(by.0, by.1).path("rid", rid)).await
}

fn person(sub: &str, email: &str) -> Identity {
    Identity { sub: sub.into(), email: Some(Email::parse(email).unwrap()), email_verified: true, name: None }
}

#[tokio::test]
async fn a_team_link_lets_people_join_until_it_is_revoked() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = create_link(&h, &rid, json!({"role": "admin", "maxUses": 3, "expiresInDays": 2})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!((created.body["status"].as_str(), created.body["uses"].as_u64()), (Some("active"), Some(0)));
    assert!(created.body["url"].as_str().unwrap().starts_with(&format!("{ACCEPT_URL}#link=")));
    let token = link_token(&created);

    let seen = lookup(&h, &token).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!((seen.body["role"].as_str(), seen.body["status"].as_str()), (Some("admin"), Some("active")));

    let joined = join(&h, &token, "user-a", "a@example.com").await;
    assert_eq!((joined.status, joined.body["role"].as_str()), (200, Some("admin")), "{}", joined.body);
    assert_eq!(join(&h, &token, "user-a", "a@example.com").await.status, 200, "joining again answers the same");
    assert_eq!(seats_used(&h, &rid).await, 1, "the seat is taken at join");
    let unverified = Req::event("join-team-link")
        .claims(json!({"sub": "user-u", "email": "u@example.com", "email_verified": "false"}))
        .body(json!({ "token": token }));
    let r = call(team_links::handle, &h.api, &unverified).await;
    assert_error(&r, 403, "email_not_verified");

    // An invite's token is no team link, and the other way round.
    let invited = invite(&h, &rid, OWNER, "inv@example.com", "read_only").await;
    assert_eq!(lookup(&h, &token_of(&invited)).await.status, 404);
    assert_eq!(invites_tests::lookup(&h, &token).await.status, 404);

    // Managers only.
    assert_eq!(list(&h, &rid, ("user-x", "x@example.com")).await.status, 404);
    add_member(&h, &rid, "user-r", "r@example.com", "read_only").await;
    assert_eq!(list(&h, &rid, ("user-r", "r@example.com")).await.status, 403);
    let listed = list(&h, &rid, OWNER).await;
    assert_eq!(listed.body["items"][0]["uses"], 1);

    let lid = created.body["id"].as_str().unwrap();
    let revoke = Req::event("revoke-team-link").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", lid);
    assert_eq!(call(team_links::handle, &h.api, &revoke).await.status, 204);
    assert_eq!(call(team_links::handle, &h.api, &revoke).await.status, 204, "again: the same end");
    let r = join(&h, &token, "user-b", "b@example.com").await;
    assert_error(&r, 410, "link_revoked");
    assert_eq!(lookup(&h, &token).await.body["status"], "revoked");
    let listed = list(&h, &rid, OWNER).await;
    assert!(listed.body["items"][0].get("url").is_none(), "no URL once it stopped working");

    // Expired: the store at a later clock.
    let later = create_link(&h, &rid, json!({"role": "read_only", "expiresInDays": 1})).await;
    let err = h
        .store()
        .join(&link_token(&later), &person("user-c", "c@example.com"), Default::default(), now() + 2 * DAY)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "link_expired");

    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let actions: Vec<String> = call(resources::handle, &h.api, &audit).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect();
    for a in ["link.created", "member.joined", "link.revoked"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn two_joins_for_the_last_seat_one_wins_and_the_link_counts_one_use() {
    let h = Harness::with_limits(invites_domain::limits::Limits { seat_limit: 2, ..Default::default() }).await;
    for round in 0..4 {
        let rid = new_resource(&h).await;
        assert_eq!(invite(&h, &rid, OWNER, &format!("held-{round}@example.com"), "read_only").await.status, 201);
        let created = create_link(&h, &rid, json!({"role": "read_only", "maxUses": 10})).await;
        let token = link_token(&created);
        let (ua, ea, ub, eb) = (
            format!("user-a{round}"),
            format!("a{round}@example.com"),
            format!("user-b{round}"),
            format!("b{round}@example.com"),
        );
        let (a, b) = tokio::join!(join(&h, &token, &ua, &ea), join(&h, &token, &ub, &eb));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {} / {}", a.body, b.body);
        let lost = if a.status == 409 { &a } else { &b };
        assert_eq!(lost.body["error"]["code"], "seat_limit_reached");
        assert_eq!(seats_used(&h, &rid).await, 2);
        assert_eq!(list(&h, &rid, OWNER).await.body["items"][0]["uses"], 1, "the losing join used nothing");
    }
}

#[tokio::test]
async fn the_last_use_goes_to_one_of_many_at_once() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = create_link(&h, &rid, json!({"role": "read_only", "maxUses": 1})).await;
    let token = link_token(&created);
    let joins = (0..4).map(|i| {
        let (h, token) = (&h, token.clone());
        async move { join(h, &token, &format!("user-{i}"), &format!("many{i}@example.com")).await }
    });
    let results = futures::future::join_all(joins).await;
    let won = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, 1, "{:?}", results.iter().map(|r| &r.body).collect::<Vec<_>>());
    assert!(results.iter().filter(|r| r.status != 200).all(|r| r.body["error"]["code"] == "link_used_up"));
    assert_eq!(seats_used(&h, &rid).await, 1);
    assert_eq!(lookup(&h, &token).await.body["status"], "used_up");
}

#[tokio::test]
async fn bad_links_are_refused_and_change_nothing() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let before = h.dump().await;
    for (body, code) in [
        (json!({"role": "owner"}), "invalid_role"),
        (json!({"role": "admin", "maxUses": 0}), "invalid_max_uses"),
        (json!({"role": "admin", "maxUses": 1001}), "invalid_max_uses"),
        (json!({"role": "admin", "expiresInDays": 31}), "invalid_expires_in_days"),
        (json!({"role": "admin", "seats": 3}), "invalid_request"),
    ] {
        let r = create_link(&h, &rid, body.clone()).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some(code)), "{body}: {}", r.body);
    }
    for token in ["", "x", "AwAB"] {
        assert_eq!(lookup(&h, token).await.status, 404, "{token:?}");
        assert_eq!(join(&h, token, "user-j", "j@example.com").await.status, 404, "{token:?}");
    }
    assert_eq!(h.dump().await, before, "nothing written");

    // A plan without inviting stops joins too.
    let created = create_link(&h, &rid, json!({"role": "read_only"})).await;
    let plan = Req::event("set-plan").path("rid", &rid).body(json!({"invitesEnabled": false}));
    assert_eq!(call(resources::handle, &h.api, &plan).await.status, 200);
    let r = join(&h, &link_token(&created), "user-p", "p@example.com").await;
    assert_error(&r, 403, "invites_disabled");
}

#[tokio::test]
async fn active_links_are_capped_and_a_withdrawn_one_frees_its_place() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let mut first = String::new();
    for n in 0..invites_domain::team_links::MAX_ACTIVE {
        let r = create_link(&h, &rid, json!({"role": "read_only"})).await;
        assert_eq!(r.status, 201, "link {n}: {}", r.body);
        if n == 0 {
            first = r.body["id"].as_str().unwrap().to_owned();
        }
    }
    let before = h.dump().await;
    assert_error(&create_link(&h, &rid, json!({"role": "admin"})).await, 409, "too_many_links");
    assert_eq!(h.dump().await.len(), before.len(), "a refused link writes nothing");
    // Withdrawn (and ended) links do not count, and every active link stays listed.
    let revoke = Req::event("revoke-team-link").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &first);
    assert_eq!(call(team_links::handle, &h.api, &revoke).await.status, 204);
    assert_eq!(create_link(&h, &rid, json!({"role": "read_only"})).await.status, 201);
    let listed = list(&h, &rid, OWNER).await;
    let active = listed.body["items"].as_array().unwrap().iter().filter(|l| l["status"] == "active").count();
    assert_eq!(active, invites_domain::team_links::MAX_ACTIVE);
}
