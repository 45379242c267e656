//! Resources, creating and listing invites: handlers against DynamoDB Local
//! and SQS (moto), through events shaped like `events/*.json`.

use futures::future::join_all;
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::limits::Limits;
use invites_domain::time::{DAY, now};
use invites_domain::{Identity, ResourceId};
use invites_tests::*;
use serde_json::json;

#[tokio::test]
async fn owner_registers_a_resource_and_sees_seats() {
    let h = Harness::new().await;
    let r = call(resources::handle, &h.api, &Req::event("create-resource").user(OWNER.0, OWNER.1)).await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["role"], "owner");
    assert_eq!(r.body["name"], "Marketing site");
    assert_eq!(r.body["clientId"], "site-42");
    assert_eq!(r.body["seats"], json!({"used": 0, "limit": 10}));
    let rid = r.body["id"].as_str().unwrap();

    invite(&h, rid, OWNER, "a@example.com", "admin").await;
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", rid);
    let r = call(resources::handle, &h.api, &get).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["seats"], json!({"used": 1, "limit": 10}));

    // Someone else cannot even tell that it exists.
    let r = call(resources::handle, &h.api, &get.clone().user("stranger", "s@example.com")).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn invite_two_people_and_list_them_newest_first() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;

    let first = invite(&h, &rid, OWNER, "Ann.Admin@Example.com", "admin").await;
    assert_eq!(first.status, 201, "{}", first.body);
    let inv = &first.body["invite"];
    assert_eq!(inv["email"], "ann.admin@example.com", "stored normalised");
    assert_eq!(inv["role"], "admin");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["invitedBy"]["id"], OWNER.0);
    assert_eq!(first.body["emailQueued"], true);
    let url = first.body["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{ACCEPT_URL}#token=")), "the token travels in the fragment: {url}");

    let second = invite(&h, &rid, OWNER, "rita.reader@example.com", "read_only").await;
    assert_eq!(second.status, 201);

    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let r = call(list_invites::handle, &h.api, &list).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let emails: Vec<&str> = r.body["items"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["rita.reader@example.com", "ann.admin@example.com"]);
    assert!(r.body["nextCursor"].is_null());

    // One message per invite, naming the invite and never the token or address.
    let msgs = h.queued().await;
    assert_eq!(msgs.len(), 2);
    let ids: Vec<&str> = msgs.iter().map(|m| m["inviteId"].as_str().unwrap()).collect();
    assert!(ids.contains(&inv["id"].as_str().unwrap()));
    for m in &msgs {
        assert_eq!(m["v"], 1);
        assert_eq!(m["type"], "invite.send");
        let text = m.to_string();
        assert!(!text.contains('@') && !text.contains(url.rsplit('=').next().unwrap()));
    }

    // The table holds the nonce, never the token itself.
    let token = url.rsplit('=').next().unwrap();
    assert!(!format!("{:?}", h.dump().await).contains(token));

    // One invite by id.
    let one = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", inv["id"].as_str().unwrap());
    let r = call(list_invites::handle, &h.api, &one).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["email"], "ann.admin@example.com");
}

#[tokio::test]
async fn bad_input_gets_a_clear_4xx_and_changes_nothing() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let before = h.dump().await;
    let base = Req::event("create-invite").user(OWNER.0, OWNER.1).path("rid", &rid).without_header("idempotency-key");
    let huge = format!(r#"{{"email":"a@example.com","role":"admin","message":"{}"}}"#, "x".repeat(17 * 1024));
    let cases: Vec<(&str, Req, u16, &str)> = vec![
        ("malformed JSON", base.clone().raw_body("{\"email\": "), 400, "malformed_request"),
        ("not an object", base.clone().raw_body("[1,2]"), 400, "malformed_request"),
        ("empty body", base.clone().raw_body(""), 400, "malformed_request"),
        (
            "wrong content type",
            base.clone().header("content-type", "text/plain").body(json!({"email": "a@example.com", "role": "admin"})),
            400,
            "malformed_request",
        ),
        ("body over 16 KiB", base.clone().raw_body(&huge), 413, "payload_too_large"),
        ("bad e-mail", base.clone().body(json!({"email": "not-an-email", "role": "admin"})), 422, "invalid_email"),
        (
            "display name",
            base.clone().body(json!({"email": "Ann <ann@example.com>", "role": "admin"})),
            422,
            "invalid_email",
        ),
        (
            "trailing dot",
            base.clone().body(json!({"email": "ann@example.com.", "role": "admin"})),
            422,
            "invalid_email",
        ),
        (
            "too long e-mail",
            base.clone().body(json!({"email": format!("{}@example.com", "a".repeat(250)), "role": "admin"})),
            422,
            "invalid_email",
        ),
        (
            "unknown role",
            base.clone().body(json!({"email": "a@example.com", "role": "superuser"})),
            422,
            "invalid_role",
        ),
        ("owner role", base.clone().body(json!({"email": "a@example.com", "role": "owner"})), 422, "invalid_role"),
        ("missing role", base.clone().body(json!({"email": "a@example.com"})), 422, "invalid_request"),
        ("wrong type", base.clone().body(json!({"email": 42, "role": "admin"})), 422, "invalid_request"),
        (
            "unknown field",
            base.clone().body(json!({"email": "a@example.com", "role": "admin", "seats": 99})),
            422,
            "invalid_request",
        ),
        (
            "expiry too long",
            base.clone().body(json!({"email": "a@example.com", "role": "admin", "expiresInDays": 31})),
            422,
            "invalid_expires_in_days",
        ),
        (
            "expiry zero",
            base.clone().body(json!({"email": "a@example.com", "role": "admin", "expiresInDays": 0})),
            422,
            "invalid_expires_in_days",
        ),
        (
            "bad locale",
            base.clone().body(json!({"email": "a@example.com", "role": "admin", "locale": "not a language"})),
            422,
            "invalid_locale",
        ),
        (
            "bad idempotency key",
            base.clone()
                .header("idempotency-key", "has spaces in it")
                .body(json!({"email": "a@example.com", "role": "admin"})),
            422,
            "invalid_idempotency_key",
        ),
        (
            "missing identity",
            base.clone().anonymous().body(json!({"email": "a@example.com", "role": "admin"})),
            401,
            "unauthenticated",
        ),
        (
            "identity without sub",
            base.clone()
                .claims(json!({"email": "x@example.com"}))
                .body(json!({"email": "a@example.com", "role": "admin"})),
            401,
            "unauthenticated",
        ),
        (
            "not a member",
            base.clone().user("stranger", "s@example.com").body(json!({"email": "a@example.com", "role": "admin"})),
            404,
            "not_found",
        ),
        (
            "unknown resource",
            base.clone()
                .path("rid", &ResourceId::new().to_string())
                .body(json!({"email": "a@example.com", "role": "admin"})),
            404,
            "not_found",
        ),
        (
            "junk resource id",
            base.clone().path("rid", &"x".repeat(10_000)).body(json!({"email": "a@example.com", "role": "admin"})),
            404,
            "not_found",
        ),
    ];
    for (what, req, status, code) in cases {
        let r = call(create_invite::handle, &h.api, &req).await;
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert_eq!(r.body["error"]["code"], code, "{what}");
        assert!(r.body["error"]["message"].is_string(), "{what}");
    }
    // Bad requests to the other routes of this slice.
    let r = call(
        resources::handle,
        &h.api,
        &Req::event("create-resource").user(OWNER.0, OWNER.1).body(json!({"name": ""})),
    )
    .await;
    assert_error(&r, 422, "invalid_name");
    let r = call(resources::handle, &h.api, &Req::event("create-resource").anonymous()).await;
    assert_eq!(r.status, 401);
    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid);
    for (k, v, code) in [
        ("limit", "0", "invalid_limit"),
        ("limit", "101", "invalid_limit"),
        ("limit", "-3", "invalid_limit"),
        ("status", "maybe", "invalid_status"),
        ("cursor", "%%%", "invalid_cursor"),
    ] {
        let r = call(list_invites::handle, &h.api, &list.clone().query(k, v)).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some(code)), "{k}={v}");
    }

    // A body that is not UTF-8 (API Gateway passes it base64-encoded).
    let mut binary = base.clone();
    binary.0["isBase64Encoded"] = json!(true);
    binary.0["body"] = json!("//79AGE=");
    let r = call(create_invite::handle, &h.api, &binary).await;
    assert_error(&r, 400, "malformed_request");
    // Ids with slashes, control characters or 10 KB are simply not found.
    for bad in ["a/b", "../..", "\u{0}\u{7}", &"9".repeat(10 * 1024)] {
        let get = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", bad);
        assert_eq!(call(list_invites::handle, &h.api, &get).await.status, 404, "invite id {bad:.10}");
        let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", bad);
        assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 404, "member id {bad:.10}");
    }

    assert_eq!(h.dump().await, before, "bad requests must not write anything");
    assert!(h.queued().await.is_empty(), "bad requests must not queue anything");
}

#[tokio::test]
async fn one_live_invite_per_email_and_never_for_a_member() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    assert_eq!(invite(&h, &rid, OWNER, "dup@example.com", "admin").await.status, 201);
    let again = invite(&h, &rid, OWNER, "  DUP@Example.COM ", "read_only").await;
    assert_error(&again, 409, "already_pending");
    let owner = invite(&h, &rid, OWNER, "Owner@example.com", "admin").await;
    assert_error(&owner, 409, "already_member");
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let req = Req::event("create-invite").user(OWNER.0, OWNER.1).path("rid", &rid).header("idempotency-key", "key-1");
    let body = json!({"email": "idem@example.com", "role": "admin"});
    let first = call(create_invite::handle, &h.api, &req.clone().body(body.clone())).await;
    let second = call(create_invite::handle, &h.api, &req.clone().body(body.clone())).await;
    assert_eq!((first.status, second.status), (201, 201), "{}", second.body);
    assert_eq!(first.body["invite"]["id"], second.body["invite"]["id"]);
    assert_eq!(first.body["url"], second.body["url"]);
    assert_eq!(h.queued().await.len(), 1, "a replay queues no second e-mail");

    let other =
        call(create_invite::handle, &h.api, &req.clone().body(json!({"email": "other@example.com", "role": "admin"})))
            .await;
    assert_error(&other, 422, "idempotency_key_reused");
}

#[tokio::test]
async fn list_filters_and_paginates_with_an_unforgeable_cursor() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    for i in 0..5 {
        assert_eq!(invite(&h, &rid, OWNER, &format!("p{i}@example.com"), "read_only").await.status, 201);
    }
    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = list.clone().query("limit", "2");
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let r = call(list_invites::handle, &h.api, &req).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["email"].as_str().unwrap().to_owned()));
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["p4@example.com", "p3@example.com", "p2@example.com", "p1@example.com", "p0@example.com"]);

    // A cursor from this resource, used on another resource, reads only that one.
    let other = new_resource(&h).await;
    let page = call(list_invites::handle, &h.api, &list.clone().query("limit", "2")).await;
    let c = page.body["nextCursor"].as_str().unwrap();
    let r = call(list_invites::handle, &h.api, &list.clone().path("rid", &other).query("cursor", c)).await;
    assert_eq!(r.status, 200);
    assert!(r.body["items"].as_array().unwrap().is_empty());

    for (status, n) in [("pending", 5), ("expired", 0), ("revoked", 0), ("all", 5)] {
        let r = call(list_invites::handle, &h.api, &list.clone().query("status", status)).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), n, "{status}");
    }
}

/// Pending invites older than a long stretch of ended ones: the filtered
/// pages skip the history and still cut exactly at the page size.
#[tokio::test]
async fn pending_pages_skip_ended_history_without_losing_or_repeating_an_invite() {
    use invites_domain::ports::{CreateInvites, ManageInvites};
    let h = Harness::with_limits(Limits { daily_invites: 1_000, user_daily_invites: 1_000, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let rid_id = ResourceId::parse(&rid).unwrap();
    let owner = owner_identity();
    let mut made = 0;
    for (pending, ended) in [("p0", 90), ("p1", 0), ("p2", 150), ("p3", 0)] {
        for i in 0..=ended {
            let email =
                if i == ended { format!("{pending}@example.com") } else { format!("{pending}-gone{i}@example.com") };
            let cmd = CreateInvite { rid: rid_id, invite: new_invite(&email), idempotency_key: None };
            let c = h.store().create_invite(&owner, cmd, now()).await.unwrap();
            if i < ended {
                let iid = invites_domain::InviteId::parse(&c.invite.id).unwrap();
                h.store().revoke(rid_id, iid, &owner, now()).await.unwrap();
            }
            made += 1;
        }
    }
    assert_eq!(made, 244);
    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = list.clone().query("status", "pending").query("limit", "1");
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let r = call(list_invites::handle, &h.api, &req).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages.push(
            r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["email"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
        );
        match r.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let pages: Vec<Vec<String>> = pages.into_iter().filter(|p| !p.is_empty()).collect();
    assert_eq!(pages, [["p3@example.com"], ["p2@example.com"], ["p1@example.com"], ["p0@example.com"]]);
}

fn owner_identity() -> Identity {
    Identity {
        sub: OWNER.0.into(),
        email: Some(invites_domain::Email::parse(OWNER.1).unwrap()),
        email_verified: true,
        name: None,
    }
}

fn new_invite(email: &str) -> NewInvite {
    let body = NewInviteBody { email: email.into(), role: "read_only".into(), ..Default::default() };
    NewInvite::validate(body, &Default::default()).unwrap()
}

#[tokio::test]
async fn expired_invites_read_as_expired_and_give_their_seat_back() {
    let h = Harness::with_limits(Limits { seat_limit: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    // An invite made eight days ago with a seven-day expiry: TTL has not run.
    let cmd = CreateInvite {
        rid: ResourceId::parse(&rid).unwrap(),
        invite: new_invite("old@example.com"),
        idempotency_key: None,
    };
    h.store().create_invite(&owner_identity(), cmd, now() - 8 * DAY).await.unwrap();

    let list = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let r = call(list_invites::handle, &h.api, &list.clone().query("status", "expired")).await;
    assert_eq!(r.body["items"][0]["status"], "expired");
    let r = call(list_invites::handle, &h.api, &list.clone().query("status", "pending")).await;
    assert!(r.body["items"].as_array().unwrap().is_empty());

    // The only seat is free again without anyone acting on the old invite,
    // and its e-mail can be invited anew.
    let r = invite(&h, &rid, OWNER, "new@example.com", "admin").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let full = invite(&h, &rid, OWNER, "third@example.com", "admin").await;
    assert_error(&full, 409, "seat_limit_reached");
    let r = call(list_invites::handle, &h.api, &list.clone().query("status", "expired")).await;
    assert_eq!(r.body["items"][0]["email"], "old@example.com");
}

#[tokio::test]
async fn expired_invite_of_the_same_email_can_be_replaced() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let cmd = CreateInvite {
        rid: ResourceId::parse(&rid).unwrap(),
        invite: new_invite("again@example.com"),
        idempotency_key: None,
    };
    h.store().create_invite(&owner_identity(), cmd, now() - 8 * DAY).await.unwrap();
    let r = invite(&h, &rid, OWNER, "again@example.com", "admin").await;
    assert_eq!(r.status, 201, "{}", r.body);
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", &rid);
    let r = call(resources::handle, &h.api, &get).await;
    assert_eq!(r.body["seats"]["used"], 1);
}

#[tokio::test]
async fn daily_invite_budget_answers_429_with_retry_after() {
    let h = Harness::with_limits(Limits { daily_invites: 3, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    for i in 0..3 {
        assert_eq!(invite(&h, &rid, OWNER, &format!("r{i}@example.com"), "admin").await.status, 201);
    }
    let r = invite(&h, &rid, OWNER, "r3@example.com", "admin").await;
    assert_error(&r, 429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&retry));
}

#[tokio::test]
async fn forty_concurrent_creates_at_limit_ten_create_exactly_ten() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let started = std::time::Instant::now();
    let results = join_all((0..40).map(|i| {
        let (h, rid) = (&h, &rid);
        async move { invite(h, rid, OWNER, &format!("race{i}@example.com"), "read_only").await }
    }))
    .await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let full = results.iter().filter(|r| r.status == 409 && r.body["error"]["code"] == "seat_limit_reached").count();
    eprintln!(
        "40 concurrent creates at limit 10: {created} created, {full} seat_limit_reached in {:?}",
        started.elapsed()
    );
    assert_eq!(created, 10);
    assert_eq!(full, 30, "{:?}", results.iter().map(|r| r.status).collect::<Vec<_>>());
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert_eq!(call(resources::handle, &h.api, &get).await.body["seats"]["used"], 10);
}
