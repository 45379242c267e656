//! Resend, copy link, role changes, members, the invitee's own views, and
//! the whole seed story, against the local stack.

use invites_domain::ResourceId;
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::limits::Limits;
use invites_domain::time::{DAY, now};
use invites_tests::*;
use serde_json::json;

async fn old_invite(h: &Harness, rid: &str, email: &str) -> String {
    let body =
        NewInviteBody { email: email.into(), role: "read_only".into(), expires_in_days: Some(7), ..Default::default() };
    let cmd = CreateInvite {
        rid: ResourceId::parse(rid).unwrap(),
        invite: NewInvite::validate(body, &Default::default()).unwrap(),
        idempotency_key: None,
    };
    h.store().create_invite(&owner(), cmd, now() - 8 * DAY).await.unwrap().invite.id
}

#[tokio::test]
async fn resend_keeps_the_first_link_working_and_is_rate_limited() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("resend");
    let created = invite(&h, &rid, OWNER, &to, "admin").await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let worker = h.worker().await;
    worker.handle(h.take_batch().await).await;

    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, iid)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["url"], created.body["url"], "resend keeps the link");
    assert_eq!(r.body["invite"]["resendCount"], 1);
    worker.handle(h.take_batch().await).await;
    let mails = inbox(&to).await;
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[0]["body"]["text"], mails[1]["body"]["text"], "the same link both times");

    // Again at once: 429 with Retry-After.
    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, iid)).await;
    assert_error(&r, 429, "rate_limited");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry));
    // Five resends at most, 5 minutes apart.
    let (rid_id, iid_id) = (ResourceId::parse(&rid).unwrap(), invites_domain::InviteId::parse(iid).unwrap());
    for k in 1..5 {
        h.store().resend(rid_id, iid_id, &owner(), Default::default(), now() + k * 301).await.unwrap();
    }
    let err = h.store().resend(rid_id, iid_id, &owner(), Default::default(), now() + 5 * 301).await.err().unwrap();
    assert_eq!(err.code(), "rate_limited");
    // The first e-mail's link still works.
    assert_eq!(accept(&h, &token_of(&created), "user-r", &to).await.status, 200);
    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, iid)).await;
    assert_error(&r, 409, "invite_not_pending");
}

#[tokio::test]
async fn resend_with_rotate_kills_the_old_link() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "rot@example.com", "admin").await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let r =
        call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, iid).body(json!({"rotate": true}))).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_ne!(r.body["url"], created.body["url"]);
    assert_eq!(lookup(&h, &token_of(&created)).await.status, 404, "the old link is dead");
    assert_eq!(lookup(&h, &token_of(&r)).await.body["status"], "pending");
    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, iid).body(json!({"rotate": "yes"})))
        .await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn resending_an_expired_invite_renews_it_when_a_seat_is_free() {
    let h = Harness::with_limits(Limits { seat_limit: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let iid = old_invite(&h, &rid, "late@example.com").await;
    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, &iid)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["invite"]["status"], "pending");
    assert_eq!(seats_used(&h, &rid).await, 1);
    assert_eq!(accept(&h, &token_of(&r), "user-late", "late@example.com").await.status, 200);

    // Expired and its seat taken by someone else meanwhile: 409.
    let h = Harness::with_limits(Limits { seat_limit: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let iid = old_invite(&h, &rid, "late@example.com").await;
    assert_eq!(invite(&h, &rid, OWNER, "other@example.com", "admin").await.status, 201);
    let r = call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, &iid)).await;
    assert_error(&r, 409, "seat_limit_reached");
}

#[tokio::test]
async fn copy_link_returns_the_working_link_without_mail() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "copy@example.com", "admin").await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    h.queued().await;
    let r = call(manage_invite::handle, &h.api, &on_invite("copy-invite-link", &rid, iid)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["url"], created.body["url"]);
    assert_eq!(r.body["expiresAt"], created.body["invite"]["expiresAt"]);
    assert!(h.take_batch().await.records.is_empty(), "no e-mail");
    call(revoke_invite::handle, &h.api, &on_invite("revoke-invite", &rid, iid)).await;
    let r = call(manage_invite::handle, &h.api, &on_invite("copy-invite-link", &rid, iid)).await;
    assert_error(&r, 409, "invite_not_pending");
    let reader = on_invite("copy-invite-link", &rid, iid).user("stranger", "s@example.com");
    assert_eq!(call(manage_invite::handle, &h.api, &reader).await.status, 404);
}

#[tokio::test]
async fn roles_change_for_invites_and_members_but_never_the_owner() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "role@example.com", "read_only").await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let r = call(manage_invite::handle, &h.api, &on_invite("change-invite-role", &rid, iid)).await;
    assert_eq!((r.status, r.body["role"].as_str()), (200, Some("admin")));
    for bad in ["owner", "root"] {
        let r =
            call(manage_invite::handle, &h.api, &on_invite("change-invite-role", &rid, iid).body(json!({"role": bad})))
                .await;
        assert_error(&r, 422, "invalid_role");
    }
    assert_eq!(accept(&h, &token_of(&created), "user-role", "role@example.com").await.body["role"], "admin");

    let patch = |uid: &str| Req::event("change-member-role").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", uid);
    let r = call(members::handle, &h.api, &patch("user-role").body(json!({"role": "read_only"}))).await;
    assert_eq!((r.status, r.body["role"].as_str()), (200, Some("read_only")));
    let r = call(members::handle, &h.api, &patch(OWNER.0)).await;
    assert_error(&r, 403, "owner_protected");
    // A user id no identity provider issues (found by schemathesis: once a 500).
    let r = call(members::handle, &h.api, &patch(&"é".repeat(600)).body(json!({"role": "admin"}))).await;
    assert_eq!(r.status, 404);
    let by_reader = patch(OWNER.0).user("user-role", "role@example.com");
    assert_eq!(call(members::handle, &h.api, &by_reader).await.status, 403);

    let list = Req::event("list-members").user("user-role", "role@example.com").path("rid", &rid);
    let r = call(members::handle, &h.api, &list).await;
    assert_eq!(r.status, 200);
    let roles: Vec<(&str, &str)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["userId"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert!(roles.contains(&(OWNER.0, "owner")) && roles.contains(&("user-role", "read_only")));
    assert_eq!(call(members::handle, &h.api, &list.clone().user("stranger", "x@example.com")).await.status, 404);
}

#[tokio::test]
async fn invitees_see_their_invites_and_resources_and_can_leave() {
    let h = Harness::new().await;
    let a = new_resource(&h).await;
    let b = new_resource(&h).await;
    let me = unique_email("me");
    invite(&h, &a, OWNER, &me, "admin").await;
    invite(&h, &b, OWNER, &me.to_uppercase(), "read_only").await;
    let mine = Req::event("my-invites").user("user-me", &me);
    let r = call(me::handle, &h.api, &mine).await;
    assert_eq!(r.status, 200);
    let items = r.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{}", r.body);
    let unverified = Req::event("my-invites").claims(json!({"sub": "user-me", "email": me, "email_verified": "false"}));
    assert!(call(me::handle, &h.api, &unverified).await.body["items"].as_array().unwrap().is_empty());

    // Accept one and decline the other straight from the list.
    let (first, second) = (&items[0], &items[1]);
    assert_eq!(accept(&h, first["token"].as_str().unwrap(), "user-me", &me).await.status, 200);
    let decline = Req::event("decline-invite").body(json!({"token": second["token"]}));
    assert_eq!(call(accept_invite::handle, &h.api, &decline).await.status, 204);
    assert!(call(me::handle, &h.api, &mine).await.body["items"].as_array().unwrap().is_empty());

    let r = call(me::handle, &h.api, &Req::event("my-resources").user("user-me", &me)).await;
    let res = r.body["items"].as_array().unwrap();
    assert_eq!(res.len(), 1);
    let joined = res[0]["resource"]["id"].as_str().unwrap().to_owned();
    assert_eq!(res[0]["resource"]["name"], "Marketing site");

    let leave = |rid: &str, who: (&str, &str)| Req::event("leave-resource").user(who.0, who.1).path("rid", rid);
    let r = call(me::handle, &h.api, &leave(&joined, OWNER)).await;
    assert_error(&r, 403, "owner_cannot_leave");
    assert_eq!(call(me::handle, &h.api, &leave(&joined, ("user-me", &me))).await.status, 204);
    assert_eq!(call(me::handle, &h.api, &leave(&joined, ("user-me", &me))).await.status, 404);
    assert!(
        call(me::handle, &h.api, &Req::event("my-resources").user("user-me", &me)).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(seats_used(&h, &joined).await, 0);
}

/// The seed story of the README, as a test.
#[tokio::test]
async fn seed_story() {
    let h = Harness::new().await;
    // The owner registers a resource and invites an admin and a read-only user.
    let rid = new_resource(&h).await;
    let admin = invite(&h, &rid, OWNER, "admin@example.com", "admin").await;
    let reader = invite(&h, &rid, OWNER, "reader@example.com", "read_only").await;
    let guest = invite(&h, &rid, OWNER, "guest@example.com", "read_only").await;
    let reader_id = reader.body["invite"]["id"].as_str().unwrap();
    // Resends one, copies a link, changes a role.
    assert_eq!(call(manage_invite::handle, &h.api, &on_invite("resend-invite", &rid, reader_id)).await.status, 202);
    let link = call(
        manage_invite::handle,
        &h.api,
        &on_invite("copy-invite-link", &rid, admin.body["invite"]["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(link.body["url"], admin.body["url"]);
    let r = call(
        manage_invite::handle,
        &h.api,
        &on_invite("change-invite-role", &rid, reader_id).body(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(r.status, 200);
    // The invitees list their invitations, accept and decline.
    for (sub, email) in [
        ("user-admin", "admin@example.com"),
        ("user-reader", "reader@example.com"),
        ("user-guest", "guest@example.com"),
    ] {
        let r = call(me::handle, &h.api, &Req::event("my-invites").user(sub, email)).await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "{sub}");
    }
    assert_eq!(accept(&h, &token_of(&admin), "user-admin", "admin@example.com").await.status, 200);
    assert_eq!(accept(&h, &token_of(&reader), "user-reader", "reader@example.com").await.status, 200);
    let decline = Req::event("decline-invite").body(json!({"token": token_of(&guest)}));
    assert_eq!(call(accept_invite::handle, &h.api, &decline).await.status, 204);
    // One leaves, the owner removes the other.
    let leave = Req::event("leave-resource").user("user-reader", "reader@example.com").path("rid", &rid);
    assert_eq!(call(me::handle, &h.api, &leave).await.status, 204);
    let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", "user-admin");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204);
    // The audit shows all of it.
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let r = call(resources::handle, &h.api, &audit).await;
    let mut actions: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "resource.created",
            "invite.created",
            "invite.created",
            "invite.created",
            "invite.resent",
            "invite.link_copied",
            "invite.role_changed",
            "invite.accepted",
            "invite.accepted",
            "invite.declined",
            "member.left",
            "member.removed",
        ]
    );
    let r = call(members::handle, &h.api, &Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid)).await;
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1, "only the owner is left");
}

/// Names come in batches of 100 reads: a person in 103 resources sees every
/// one with its own name.
#[tokio::test]
async fn my_resources_name_every_resource_past_a_hundred() {
    let h = Harness::with_limits(Limits { resources_per_owner: 200, ..Limits::default() }).await;
    let create = Req::event("create-resource").user(OWNER.0, OWNER.1);
    let mut made = std::collections::BTreeMap::new();
    for i in 0..103 {
        let r = call(resources::handle, &h.api, &create.clone().body(json!({"name": format!("Team {i}")}))).await;
        assert_eq!(r.status, 201, "{}", r.body);
        made.insert(r.body["id"].as_str().unwrap().to_owned(), format!("Team {i}"));
    }
    let r = call(me::handle, &h.api, &Req::event("my-resources").user(OWNER.0, OWNER.1)).await;
    assert_eq!(r.status, 200);
    let seen: std::collections::BTreeMap<String, String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["resource"]["id"].as_str().unwrap().to_owned(), i["resource"]["name"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(seen, made);
}
