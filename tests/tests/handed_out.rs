//! What a manager handed out (pending invites, team links) stops working the
//! moment they stop managing: removed, demoted, or left; and coming back
//! (rejoining, a new promotion) does not bring it back.

use invites_tests::*;
use serde_json::json;

const ADMIN: (&str, &str) = ("user-admin", "admin@example.com");

/// What the admin handed out before they stopped managing.
struct HandedOut {
    rid: String,
    link: String,
    invite_token: String,
    invite_id: String,
    /// The invitation's address (unique: the SES emulator is shared).
    second: String,
}

/// A resource where [`ADMIN`] (an admin by invitation) made a 10-use admin
/// team link and sent an admin invitation to another address of theirs.
async fn handed_out(h: &Harness) -> HandedOut {
    let rid = new_resource(h).await;
    add_member(h, &rid, ADMIN.0, ADMIN.1, "admin").await;
    let req = Req::event("create-team-link")
        .user(ADMIN.0, ADMIN.1)
        .path("rid", &rid)
        .body(json!({"role": "admin", "maxUses": 10}));
    let created = call(team_links::handle, &h.api, &req).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let link = created.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();
    let second = unique_email("second");
    let sent = invite(h, &rid, ADMIN, &second, "admin").await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let invite_id = sent.body["invite"]["id"].as_str().unwrap().to_owned();
    HandedOut { rid, link, invite_token: token_of(&sent), invite_id, second }
}

async fn join(h: &Harness, token: &str, who: (&str, &str)) -> Resp {
    call(team_links::handle, &h.api, &Req::event("join-team-link").user(who.0, who.1).body(json!({ "token": token })))
        .await
}

async fn change_role(h: &Harness, rid: &str, uid: &str, role: &str) -> Resp {
    let req = Req::event("change-member-role").user(OWNER.0, OWNER.1).path("rid", rid).path("uid", uid);
    call(members::handle, &h.api, &req.body(json!({ "role": role }))).await
}

async fn remove(h: &Harness, rid: &str, uid: &str) -> Resp {
    let req = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", rid).path("uid", uid);
    call(revoke_invite::handle, &h.api, &req).await
}

/// Nobody gets in through what the admin handed out, and everyone who looks
/// sees why: the landing pages' lookups, the admin lists, the owner's
/// resend and copy link.
async fn nothing_works(h: &Harness, out: &HandedOut, why: &str) {
    let r = join(h, &out.link, ("user-new", "new@example.com")).await;
    assert_error(&r, 410, "link_withdrawn");
    let r = accept(h, &out.invite_token, "user-second", &out.second).await;
    assert_error(&r, 410, "invite_withdrawn");
    let looked =
        call(team_links::handle, &h.api, &Req::event("lookup-team-link").body(json!({"token": out.link}))).await;
    assert_eq!(looked.body["status"], "withdrawn", "{why}: {}", looked.body);
    assert_eq!(lookup(h, &out.invite_token).await.body["status"], "withdrawn", "{why}");

    let links = Req::event("list-team-links").user(OWNER.0, OWNER.1).path("rid", &out.rid);
    let listed = call(team_links::handle, &h.api, &links).await;
    assert_eq!(listed.body["items"][0]["status"], "withdrawn", "{why}: {}", listed.body);
    assert!(listed.body["items"][0].get("url").is_none(), "{why}: no URL once it stopped working");
    let invites = Req::event("list-invites").user(OWNER.0, OWNER.1).path("rid", &out.rid).no_query();
    let listed = call(list_invites::handle, &h.api, &invites).await;
    let row = listed.body["items"].as_array().unwrap().iter().find(|i| i["id"] == out.invite_id.as_str()).unwrap();
    assert_eq!(row["status"], "withdrawn", "{why}");
    let got = call(list_invites::handle, &h.api, &on_invite("get-invite", &out.rid, &out.invite_id)).await;
    assert_eq!(got.body["status"], "withdrawn", "{why}");

    assert_error(&resend(h, &out.rid, &out.invite_id, json!({})).await, 410, "invite_withdrawn");
    let copied = call(manage_invite::handle, &h.api, &on_invite("copy-invite-link", &out.rid, &out.invite_id)).await;
    assert_error(&copied, 410, "invite_withdrawn");
    // The owner may still end it, which frees its seat.
    let revoked = call(revoke_invite::handle, &h.api, &on_invite("revoke-invite", &out.rid, &out.invite_id)).await;
    assert_eq!(revoked.status, 204, "{why}: {}", revoked.body);
}

#[tokio::test]
async fn removing_an_admin_stops_the_links_and_invites_they_made() {
    let h = Harness::new().await;
    let out = handed_out(&h).await;
    let r = remove(&h, &out.rid, ADMIN.0).await;
    assert_eq!(r.status, 204, "{}", r.body);
    nothing_works(&h, &out, "removed").await;

    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &out.rid).no_query();
    let trail = call(resources::handle, &h.api, &audit).await;
    let removal = trail.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "member.removed").unwrap();
    assert!(removal["detail"].as_str().unwrap().contains("stopped working"), "{removal}");
}

#[tokio::test]
async fn demoting_an_admin_stops_what_they_made_even_after_a_new_promotion() {
    let h = Harness::new().await;
    let out = handed_out(&h).await;
    let demote = change_role(&h, &out.rid, ADMIN.0, "read_only").await;
    assert_eq!(demote.status, 200, "{}", demote.body);
    let r = join(&h, &out.link, ("user-new", "new@example.com")).await;
    assert_error(&r, 410, "link_withdrawn");
    // Promoted again within the same second: a new term, the old link stays dead.
    let promote = change_role(&h, &out.rid, ADMIN.0, "admin").await;
    assert_eq!(promote.status, 200, "{}", promote.body);
    nothing_works(&h, &out, "demoted, then promoted").await;
}

#[tokio::test]
async fn an_admin_who_leaves_cannot_come_back_through_their_own_link_or_invite() {
    let h = Harness::new().await;
    let out = handed_out(&h).await;
    let leave = Req::event("leave-resource").user(ADMIN.0, ADMIN.1).path("rid", &out.rid);
    assert_eq!(call(me::handle, &h.api, &leave).await.status, 204);
    // Back through their own link, with the same account or another one.
    assert_error(&join(&h, &out.link, ADMIN).await, 410, "link_withdrawn");
    assert_error(&join(&h, &out.link, ("user-alt", "alt@example.com")).await, 410, "link_withdrawn");
    // Let back in by the owner: what they made before stays withdrawn.
    add_member(&h, &out.rid, ADMIN.0, ADMIN.1, "admin").await;
    nothing_works(&h, &out, "left, then invited back").await;
    // What they make now works.
    let fresh = invite(&h, &out.rid, ADMIN, "third@example.com", "read_only").await;
    let r = accept(&h, &token_of(&fresh), "user-third", "third@example.com").await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn withdrawn_invitations_are_not_offered_or_mailed() {
    let h = Harness::new().await;
    let out = handed_out(&h).await;
    let mine = Req::event("my-invites").user("user-second", &out.second);
    assert_eq!(call(me::handle, &h.api, &mine).await.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(remove(&h, &out.rid, ADMIN.0).await.status, 204);
    assert_eq!(call(me::handle, &h.api, &mine).await.body["items"], json!([]), "no longer offered");
    // The queued e-mail finds it withdrawn and sends nothing; the owner's sends.
    let control = unique_email("control");
    assert_eq!(invite(&h, &out.rid, OWNER, &control, "read_only").await.status, 201);
    let answer = h.worker().await.handle(h.take_batch().await).await;
    assert!(answer.batch_item_failures.is_empty());
    assert!(inbox(&out.second).await.is_empty(), "no e-mail with a dead link");
    assert_eq!(inbox(&control).await.len(), 1, "the owner's invitation went out");
}

#[tokio::test]
async fn what_was_made_before_terms_existed_works_until_its_maker_stops_managing() {
    let h = Harness::new().await;
    let out = handed_out(&h).await;
    // As data written before this change: no term on the membership, none
    // recorded on the link and the invite.
    let strip = |sk: String, attr: &'static str| {
        h.store()
            .client()
            .update_item()
            .table_name(&h.table)
            .key("PK", s(format!("RES#{}", out.rid)))
            .key("SK", s(sk))
            .update_expression(format!("REMOVE {attr}"))
            .send()
    };
    strip(format!("MEMBER#{}", ADMIN.0), "term").await.unwrap();
    strip(format!("INVITE#{}", out.invite_id), "makerTerm").await.unwrap();
    let links = h.dump().await;
    let link_sk = links.iter().filter_map(|i| i["SK"].as_s().ok()).find(|sk| sk.starts_with("LINK#")).unwrap();
    strip(link_sk.clone(), "makerTerm").await.unwrap();

    assert_eq!(join(&h, &out.link, ("user-old", "old@example.com")).await.status, 200, "still works");
    assert_eq!(remove(&h, &out.rid, ADMIN.0).await.status, 204);
    assert_error(&join(&h, &out.link, ("user-new", "new@example.com")).await, 410, "link_withdrawn");
    let r = accept(&h, &out.invite_token, "user-second", &out.second).await;
    assert_error(&r, 410, "invite_withdrawn");
}

fn s(v: String) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(v)
}

#[tokio::test]
async fn a_batch_reuses_the_inviters_membership_and_reads_it_again_once_it_went_stale() {
    use invites_domain::invite::{NewInvite, NewInviteBody};
    use invites_domain::ports::{CreateInvite, CreateInvites};
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let fresh = h.store().member(&rid, OWNER.0).await.unwrap().unwrap();
    // As kept from an earlier invite of the batch, but from an older term.
    let mut kept = Some(invites_domain::records::Member { term: Some("an-older-term".into()), ..fresh.clone() });
    let body = NewInviteBody { email: "batch@example.com".into(), role: "read_only".into(), ..Default::default() };
    let cmd = CreateInvite {
        rid: invites_domain::ResourceId::parse(&rid).unwrap(),
        invite: NewInvite::validate(body, &Default::default()).unwrap(),
        idempotency_key: None,
    };
    let created = h.store().create_invite_as(&owner(), &mut kept, cmd, invites_domain::time::now()).await.unwrap();
    // Refused under the stale term, read again, made in the current one.
    assert_eq!(kept.as_ref().and_then(|m| m.term.clone()), fresh.term, "kept for the next invite");
    let item = h.store().invite_item(&rid, &created.invite.id).await.unwrap().unwrap();
    assert_eq!(item.maker_term, fresh.term);
    assert_eq!(lookup(&h, &created.token).await.body["status"], "pending", "it works");
}
