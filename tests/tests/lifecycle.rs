//! Accept, lookup, decline, revoke, member removal, audit and the
//! authorization matrix, against DynamoDB Local.

use futures::future::join_all;
use invites_adapters::Store;
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::limits::Limits;
use invites_domain::time::{DAY, now};
use invites_domain::token::{Keyring, TokenKey};
use invites_domain::{Email, Identity, ResourceId};
use invites_tests::*;
use serde_json::json;

#[tokio::test]
async fn lookup_then_accept_makes_a_member_once() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "jane@example.com", "admin").await;
    let token = token_of(&created);

    let r = lookup(&h, &token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["resource"]["name"], "Marketing site");
    assert_eq!(r.body["inviter"]["name"], format!("User {}", OWNER.0));
    assert_eq!(r.body["email"], "j***@example.com");
    assert_eq!(r.body["role"], "admin");
    assert_eq!(r.body["status"], "pending");
    assert!(r.body["expiresAt"].is_string());

    // The verified e-mail matches whatever its case.
    let r = accept(&h, &token, "user-jane", "Jane@EXAMPLE.com").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["role"], "admin");
    assert_eq!(r.body["resourceId"], rid.as_str());
    let first = r.body.clone();

    // Accepting again is idempotent; anyone else is refused.
    let again = accept(&h, &token, "user-jane", "jane@example.com").await;
    assert_eq!((again.status, &again.body), (200, &first));
    let other = accept(&h, &token, "user-other", "jane@example.com").await;
    assert_error(&other, 409, "invite_already_used");

    assert_eq!(lookup(&h, &token).await.body["status"], "accepted");
    assert_eq!(h.store().member(&rid, "user-jane").await.unwrap().unwrap().role.as_str(), "admin");
    assert_eq!(seats_used(&h, &rid).await, 1, "the pending seat became a member seat");
    // Now a member: inviting the address again is refused.
    let r = invite(&h, &rid, OWNER, "jane@example.com", "read_only").await;
    assert_eq!(r.body["error"]["code"], "already_member");
}

#[tokio::test]
async fn only_the_invited_verified_email_can_accept() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let token = token_of(&invite(&h, &rid, OWNER, "right@example.com", "read_only").await);

    let r = accept(&h, &token, "user-wrong", "wrong@example.com").await;
    assert_error(&r, 403, "email_mismatch");
    let unverified = Req::event("accept-invite")
        .claims(json!({"sub": "user-right", "email": "right@example.com", "email_verified": "false"}))
        .body(json!({ "token": token }));
    let r = call(accept_invite::handle, &h.api, &unverified).await;
    assert_error(&r, 403, "email_not_verified");
    let r =
        call(accept_invite::handle, &h.api, &Req::event("accept-invite").anonymous().body(json!({ "token": token })))
            .await;
    assert_eq!(r.status, 401);

    // Still usable by the right person.
    assert_eq!(accept(&h, &token, "user-right", "right@example.com").await.status, 200);
    assert!(h.store().member(&rid, "user-wrong").await.unwrap().is_none());
}

#[tokio::test]
async fn forged_truncated_and_foreign_tokens_are_not_found() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let token = token_of(&invite(&h, &rid, OWNER, "t@example.com", "admin").await);
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    // A token for the same invite from a deployment with another key.
    let foreign_store = Store::new(
        &invites_adapters::sdk_config().await.expect("the AWS configuration"),
        h.table.clone(),
        Some(std::sync::Arc::new(invites_adapters::keys::Keys::fixed(
            Keyring::new(TokenKey::from_base64("b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktb3RoZXI=").unwrap(), None)
                .unwrap(),
        ))),
        Limits::default(),
    );
    let page = PageRequest { limit: 1, cursor: None };
    let owner = Identity { sub: OWNER.0.into(), email: None, email_verified: false, name: None };
    let rid_id = ResourceId::parse(&rid).unwrap();
    let item = h.store().list_invites(rid_id, &owner, invites_domain::StatusFilter::All, page, now()).await.unwrap();
    let iid = &item.items[0].id;
    let stored = h.store().invite_item(&rid, iid).await.unwrap().unwrap();
    let foreign = foreign_store.link_token(&stored).await.unwrap();
    assert_ne!(foreign, token);
    let before = h.dump().await;
    for bad in [
        String::from_utf8(tampered).unwrap(),
        token[..token.len() - 3].to_string(),
        foreign,
        "x".repeat(10_000),
        String::new(),
        "../../etc/passwd".into(),
    ] {
        let r = lookup(&h, &bad).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("not_found")), "lookup {bad:.20}");
        let r = accept(&h, &bad, "user-t", "t@example.com").await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (404, Some("not_found")), "accept {bad:.20}");
    }
    assert_eq!(h.dump().await, before);
    let r = call(accept_invite::handle, &h.api, &Req::event("lookup-invite").body(json!({}))).await;
    assert_eq!(r.status, 422);
}

#[tokio::test]
async fn twenty_concurrent_accepts_make_exactly_one_membership() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let token = token_of(&invite(&h, &rid, OWNER, "race@example.com", "read_only").await);
    // Ten tabs of the invitee and ten other accounts with the same verified address.
    let started = std::time::Instant::now();
    let results = join_all((0..20).map(|i| {
        let (h, token) = (&h, &token);
        let sub = if i % 2 == 0 { "user-race".to_string() } else { format!("user-other-{i}") };
        async move { (sub.clone(), accept(h, token, &sub, "race@example.com").await) }
    }))
    .await;
    let ok: Vec<&String> = results.iter().filter(|(_, r)| r.status == 200).map(|(s, _)| s).collect();
    let winners: std::collections::BTreeSet<&String> = ok.iter().copied().collect();
    eprintln!(
        "20 concurrent accepts: {} answered 200 (all by {:?}), {} answered 409, in {:?}",
        ok.len(),
        winners,
        results.len() - ok.len(),
        started.elapsed()
    );
    assert_eq!(winners.len(), 1, "exactly one account wins");
    let winner = *winners.iter().next().unwrap();
    for (sub, r) in &results {
        if sub == winner {
            assert_eq!(r.status, 200, "the winner's other tabs see the same membership");
        } else {
            assert_error(r, 409, "invite_already_used");
        }
    }
    let members = h.dump().await.into_iter().filter(|i| i["SK"].as_s().unwrap().starts_with("MEMBER#")).count();
    assert_eq!(members, 2, "the owner and exactly one new member");
    assert_eq!(seats_used(&h, &rid).await, 1);
}

#[tokio::test]
async fn revoke_kills_the_link_and_frees_the_seat_at_once() {
    let h = Harness::with_limits(Limits { seat_limit: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "gone@example.com", "admin").await;
    let (token, iid) = (token_of(&created), created.body["invite"]["id"].as_str().unwrap().to_owned());
    assert_eq!(invite(&h, &rid, OWNER, "next@example.com", "admin").await.status, 409, "the one seat is taken");

    let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &iid);
    let r = call(revoke_invite::handle, &h.api, &revoke).await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(seats_used(&h, &rid).await, 0);
    let r = accept(&h, &token, "user-gone", "gone@example.com").await;
    assert_error(&r, 410, "invite_revoked");
    assert_eq!(lookup(&h, &token).await.body["status"], "revoked");
    // Revoking again changes nothing; the invite stays listed as revoked.
    assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    let list =
        Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &rid).no_query().query("status", "revoked");
    assert_eq!(call(list_invites::handle, &h.api, &list).await.body["items"][0]["id"], iid.as_str());
    // The seat and the address are free again.
    assert_eq!(invite(&h, &rid, OWNER, "gone@example.com", "admin").await.status, 201);
}

#[tokio::test]
async fn revoke_racing_accept_leaves_one_consistent_outcome() {
    for _ in 0..5 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        let created = invite(&h, &rid, OWNER, "r@example.com", "admin").await;
        let (token, iid) = (token_of(&created), created.body["invite"]["id"].as_str().unwrap().to_owned());
        let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &iid);
        let (a, r) =
            tokio::join!(accept(&h, &token, "user-r", "r@example.com"), call(revoke_invite::handle, &h.api, &revoke));
        let member = h.store().member(&rid, "user-r").await.unwrap().is_some();
        match (a.status, r.status) {
            (200, 409) => assert!(member),
            (410, 204) => assert!(!member),
            other => panic!("unexpected outcome {other:?}: {} / {}", a.body, r.body),
        }
        assert_eq!(seats_used(&h, &rid).await, u64::from(member));
    }
}

#[tokio::test]
async fn decline_frees_the_seat_and_ends_the_link() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let token = token_of(&invite(&h, &rid, OWNER, "no@example.com", "admin").await);
    let decline = Req::event("decline-invite").body(json!({ "token": token }));
    assert_eq!(call(accept_invite::handle, &h.api, &decline).await.status, 204);
    assert_eq!(call(accept_invite::handle, &h.api, &decline).await.status, 204, "idempotent");
    assert_eq!(seats_used(&h, &rid).await, 0);
    let r = accept(&h, &token, "user-no", "no@example.com").await;
    assert_error(&r, 410, "invite_declined");
    assert_eq!(lookup(&h, &token).await.body["status"], "declined");
}

#[tokio::test]
async fn expired_links_answer_410_even_before_ttl() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let who =
        Identity { sub: OWNER.0.into(), email: Some(Email::parse(OWNER.1).unwrap()), email_verified: true, name: None };
    let body = NewInviteBody {
        email: "late@example.com".into(),
        role: "admin".into(),
        expires_in_days: Some(1),
        ..Default::default()
    };
    let cmd = CreateInvite {
        rid: ResourceId::parse(&rid).unwrap(),
        invite: NewInvite::validate(body, &Default::default()).unwrap(),
        idempotency_key: None,
    };
    let created = h.store().create_invite(&who, cmd, now() - 2 * DAY).await.unwrap();
    let r = accept(&h, &created.token, "user-late", "late@example.com").await;
    assert_error(&r, 410, "invite_expired");
    assert_eq!(lookup(&h, &created.token).await.body["status"], "expired");
    assert!(h.store().member(&rid, "user-late").await.unwrap().is_none());
    // TTL keeps it listed for the retention period after expiry.
    let item = h.store().invite_item(&rid, &created.invite.id).await.unwrap().unwrap();
    assert_eq!(item.ttl, item.expires_at + 30 * DAY);
}

#[tokio::test]
async fn members_are_removed_but_never_the_owner() {
    let h = Harness::with_limits(Limits { seat_limit: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-m", "m@example.com", "read_only").await;
    assert_eq!(invite(&h, &rid, OWNER, "x@example.com", "admin").await.body["error"]["code"], "seat_limit_reached");

    let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid);
    let r = call(revoke_invite::handle, &h.api, &remove.clone().path("uid", OWNER.0)).await;
    assert_error(&r, 403, "owner_protected");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove.clone().path("uid", "user-m")).await.status, 204);
    assert!(h.store().member(&rid, "user-m").await.unwrap().is_none());
    assert_eq!(call(revoke_invite::handle, &h.api, &remove.clone().path("uid", "user-m")).await.status, 404);
    assert_eq!(seats_used(&h, &rid).await, 0);
    // The removed person can be invited again.
    assert_eq!(invite(&h, &rid, OWNER, "m@example.com", "admin").await.status, 201);
}

#[tokio::test]
async fn audit_trail_records_every_change_newest_first() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-a", "a@example.com", "admin").await;
    let created = invite(&h, &rid, OWNER, "b@example.com", "read_only").await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
    call(revoke_invite::handle, &h.api, &revoke).await;
    let remove = Req::event("remove-member").user("user-a", "a@example.com").path("rid", &rid).path("uid", "user-a");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204, "an admin may remove (here: themself)");

    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let r = call(resources::handle, &h.api, &audit).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let actions: Vec<&str> =
        r.body["items"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["member.removed", "invite.revoked", "invite.created", "invite.accepted", "invite.created", "resource.created"]
    );
    let revoked = &r.body["items"][1];
    assert_eq!((revoked["actor"].as_str(), revoked["subject"].as_str()), (Some(OWNER.0), Some(iid)));

    // Paginated: two at a time, same order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = audit.clone().query("limit", "2");
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let page = call(resources::handle, &h.api, &req).await;
        let items = page.body["items"].as_array().unwrap();
        // A cursor promises a next page with something on it (6 entries: pages of 2, 2, 2).
        assert!(!items.is_empty(), "an empty page after a cursor");
        seen.extend(items.iter().map(|a| a["action"].as_str().unwrap().to_owned()));
        match page.body["nextCursor"].as_str() {
            Some(c) => cursor = Some(c.into()),
            None => break,
        }
    }
    assert_eq!(seen, actions);
}

/// Every resource route for owner, admin, read-only member, non-member and
/// signed-out caller.
#[tokio::test]
async fn authorization_matrix() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-admin", "admin@example.com", "admin").await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    let callers: [(&str, Option<(&str, &str)>); 5] = [
        ("owner", Some(OWNER)),
        ("admin", Some(("user-admin", "admin@example.com"))),
        ("read_only", Some(("user-reader", "reader@example.com"))),
        ("non-member", Some(("user-stranger", "stranger@example.com"))),
        ("signed-out", None),
    ];
    let as_caller = |req: Req, who: Option<(&str, &str)>| match who {
        Some((sub, email)) => req.user(sub, email),
        None => req.anonymous(),
    };
    for (i, (name, who)) in callers.iter().enumerate() {
        let manager = i < 2;
        let expect_manage = match i {
            0 | 1 => None,
            2 => Some(403),
            3 => Some(404),
            _ => Some(401),
        };
        let expect_get = match i {
            0..=2 => 200,
            3 => 404,
            _ => 401,
        };
        // Create an invite (and use it for the invite routes below).
        let create = as_caller(Req::event("create-invite").without_header("idempotency-key").path("rid", &rid), *who)
            .body(json!({"email": format!("m{i}@example.com"), "role": "read_only"}));
        let r = call(create_invite::handle, &h.api, &create).await;
        assert_eq!(r.status, expect_manage.unwrap_or(201), "{name} create: {}", r.body);
        let iid = if manager {
            r.body["invite"]["id"].as_str().unwrap().to_owned()
        } else {
            invite(&h, &rid, OWNER, &format!("m{i}@example.com"), "read_only").await.body["invite"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let list = as_caller(Req::event("list-invites").path("rid", &rid).no_query(), *who);
        let r = call(list_invites::handle, &h.api, &list).await;
        assert_eq!(r.status, expect_manage.unwrap_or(200), "{name} list");
        let one = as_caller(Req::event("get-invite").path("rid", &rid).path("id", &iid), *who);
        assert_eq!(
            call(list_invites::handle, &h.api, &one).await.status,
            expect_manage.unwrap_or(200),
            "{name} get invite"
        );
        let audit = as_caller(Req::event("get-audit").path("rid", &rid).no_query(), *who);
        assert_eq!(call(resources::handle, &h.api, &audit).await.status, expect_manage.unwrap_or(200), "{name} audit");
        let get = as_caller(Req::event("get-resource").path("rid", &rid), *who);
        assert_eq!(call(resources::handle, &h.api, &get).await.status, expect_get, "{name} get resource");
        let link = as_caller(Req::event("copy-invite-link").path("rid", &rid).path("id", &iid), *who);
        assert_eq!(
            call(manage_invite::handle, &h.api, &link).await.status,
            expect_manage.unwrap_or(200),
            "{name} copy link"
        );
        let patch = as_caller(Req::event("change-invite-role").path("rid", &rid).path("id", &iid), *who);
        assert_eq!(
            call(manage_invite::handle, &h.api, &patch).await.status,
            expect_manage.unwrap_or(200),
            "{name} change invite role"
        );
        let resend = as_caller(Req::event("resend-invite").path("rid", &rid).path("id", &iid), *who);
        assert_eq!(
            call(manage_invite::handle, &h.api, &resend).await.status,
            expect_manage.unwrap_or(202),
            "{name} resend"
        );
        let members = as_caller(Req::event("list-members").path("rid", &rid), *who);
        assert_eq!(call(members::handle, &h.api, &members).await.status, expect_get, "{name} list members");
        let member_role =
            as_caller(Req::event("change-member-role").path("rid", &rid).path("uid", "user-reader"), *who)
                .body(json!({"role": "read_only"}));
        assert_eq!(
            call(members::handle, &h.api, &member_role).await.status,
            expect_manage.unwrap_or(200),
            "{name} change member role"
        );
        let revoke = as_caller(Req::event("revoke-invite").path("rid", &rid).path("id", &iid), *who);
        assert_eq!(
            call(revoke_invite::handle, &h.api, &revoke).await.status,
            expect_manage.unwrap_or(204),
            "{name} revoke"
        );
        add_member(&h, &rid, &format!("user-victim-{i}"), &format!("victim{i}@example.com"), "read_only").await;
        let remove =
            as_caller(Req::event("remove-member").path("rid", &rid).path("uid", &format!("user-victim-{i}")), *who);
        assert_eq!(
            call(revoke_invite::handle, &h.api, &remove).await.status,
            expect_manage.unwrap_or(204),
            "{name} remove member"
        );
        if !manager {
            // Clean up so seats do not run out.
            let cleanup = Req::event("remove-member")
                .user(OWNER.0, OWNER.1)
                .path("rid", &rid)
                .path("uid", &format!("user-victim-{i}"));
            call(revoke_invite::handle, &h.api, &cleanup).await;
            let cleanup = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &iid);
            call(revoke_invite::handle, &h.api, &cleanup).await;
        }
    }
}
