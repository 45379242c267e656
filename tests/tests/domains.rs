//! Verified domains: added by the owner, proven by a TXT record the service
//! looks up (the stack's DNS stand-in), listed as joinable to colleagues,
//! joined while seats last, removed; the race for the last seat.

use invites_adapters::dns::Dns;
use invites_tests::*;
use serde_json::{Value, json};
use std::sync::LazyLock;

/// The DNS the `domains` function asks: the stand-in from `stack_start`.
static DNS: LazyLock<Dns> = LazyLock::new(|| Dns::from_env().expect("INVITES_DNS_SERVER (scripts/stack.sh)"));

async fn domains(h: &Harness, req: Req) -> Resp {
    call(|api, r| domains::handle(api, &DNS, r), &h.api, &req).await
}

/// A fresh domain for one test (the stand-in's records are shared).
fn fresh_domain() -> String {
    format!("acme-{}.test", invites_domain::ids::new_ulid().to_lowercase())
}

async fn add(h: &Harness, rid: &str, by: (&str, &str), body: Value) -> Resp {
    domains(h, Req::event("add-domain").user(by.0, by.1).path("rid", rid).body(body)).await
}

async fn verify(h: &Harness, rid: &str, domain: &str) -> Resp {
    domains(h, Req::event("verify-domain").user(OWNER.0, OWNER.1).path("rid", rid).path("domain", domain)).await
}

async fn joinable(h: &Harness, sub: &str, email: &str) -> Vec<Value> {
    let r = domains(h, Req::event("my-joinable").user(sub, email)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn join(h: &Harness, rid: &str, sub: &str, email: &str) -> Resp {
    domains(h, Req::event("join-by-domain").user(sub, email).path("rid", rid)).await
}

/// A resource with `domain` verified (role read_only).
async fn verified(h: &Harness, domain: &str) -> String {
    let rid = new_resource(h).await;
    let added = add(h, &rid, OWNER, json!({"domain": domain, "role": "read_only"})).await;
    assert_eq!(added.status, 201, "{}", added.body);
    publish_txt(added.body["txtName"].as_str().unwrap(), added.body["txtValue"].as_str().unwrap());
    assert_eq!(verify(h, &rid, domain).await.status, 200);
    rid
}

#[tokio::test]
async fn a_verified_domain_lets_colleagues_join_until_it_is_removed() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let domain = fresh_domain();
    let colleague = |n: &str| (format!("user-{n}-{domain}"), format!("{n}@{domain}"));
    let (a_sub, a_mail) = colleague("a");

    let added = add(&h, &rid, OWNER, json!({"domain": domain.to_uppercase(), "role": "admin"})).await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!((added.body["domain"].as_str(), added.body["verified"].as_bool()), (Some(domain.as_str()), Some(false)));
    let (txt_name, txt_value) = (added.body["txtName"].as_str().unwrap(), added.body["txtValue"].as_str().unwrap());
    assert_eq!(txt_name, format!("_invites-challenge.{domain}"));
    let again = add(&h, &rid, OWNER, json!({"domain": domain, "role": "admin"})).await;
    assert_eq!((again.status, &again.body["txtValue"]), (200, &added.body["txtValue"]), "the same challenge");

    // Not joinable before the proof.
    assert!(joinable(&h, &a_sub, &a_mail).await.is_empty());
    assert_eq!(join(&h, &rid, &a_sub, &a_mail).await.status, 404);
    let r = verify(&h, &rid, &domain).await;
    assert_error(&r, 409, "domain_not_verified");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("no TXT record"), "{}", r.body);
    publish_txt(txt_name, "invites-verification=someone-elses-challenge");
    let r = verify(&h, &rid, &domain).await;
    assert_eq!(r.status, 409, "a wrong value proves nothing: {}", r.body);
    publish_txt(txt_name, txt_value);
    let r = verify(&h, &rid, &domain).await;
    assert_eq!((r.status, r.body["verified"].as_bool()), (200, Some(true)), "{}", r.body);
    assert_eq!(verify(&h, &rid, &domain).await.status, 200, "verified again: the same answer");

    // Joinable for verified addresses in exactly that domain, never joined silently.
    let listed = joinable(&h, &a_sub, &a_mail).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0]["resource"]["id"].as_str(), listed[0]["role"].as_str()), (Some(rid.as_str()), Some("admin")));
    assert_eq!(seats_used(&h, &rid).await, 0, "listing joins nobody");
    assert!(joinable(&h, "user-sub", &format!("x@eng.{domain}")).await.is_empty(), "a subdomain is another domain");
    assert!(joinable(&h, "user-other", "x@example.org").await.is_empty());
    let unverified = Req::event("my-joinable")
        .claims(json!({"sub": "user-u", "email": format!("u@{domain}"), "email_verified": "false"}));
    assert_eq!(domains(&h, unverified).await.body["items"], json!([]));

    let joined = join(&h, &rid, &a_sub, &a_mail).await;
    assert_eq!((joined.status, joined.body["role"].as_str()), (200, Some("admin")), "{}", joined.body);
    assert_eq!(join(&h, &rid, &a_sub, &a_mail).await.body, joined.body, "joining again answers the same");
    assert_eq!(seats_used(&h, &rid).await, 1);
    assert!(joinable(&h, &a_sub, &a_mail).await.is_empty(), "a member no longer sees it as joinable");
    assert_eq!(join(&h, &rid, "user-out", "out@example.org").await.status, 404);

    // Removed: nobody else joins; who joined stays.
    let remove = Req::event("remove-domain").user(OWNER.0, OWNER.1).path("rid", &rid).path("domain", &domain);
    assert_eq!(domains(&h, remove.clone()).await.status, 204);
    assert_eq!(domains(&h, remove).await.status, 204, "again: no change");
    let (b_sub, b_mail) = colleague("b");
    assert!(joinable(&h, &b_sub, &b_mail).await.is_empty());
    assert_eq!(join(&h, &rid, &b_sub, &b_mail).await.status, 404);
    let list = Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert!(
        call(members::handle, &h.api, &list).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["userId"] == a_sub.as_str())
    );

    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let entries = call(resources::handle, &h.api, &audit).await.body["items"].clone();
    let actions: Vec<&str> = entries.as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    for a in ["domain.added", "domain.verified", "member.joined", "domain.removed"] {
        assert_eq!(actions.iter().filter(|x| **x == a).count(), 1, "{a} once in {actions:?}");
    }
}

#[tokio::test]
async fn only_the_owner_manages_domains_and_public_or_malformed_ones_are_refused() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-admin-d", "admin-d@example.com", "admin").await;
    let admin = ("user-admin-d", "admin-d@example.com");
    let r = add(&h, &rid, admin, json!({"domain": fresh_domain(), "role": "read_only"})).await;
    assert_error(&r, 403, "forbidden");
    let r = add(&h, &rid, ("user-stranger", "s@example.org"), json!({"domain": fresh_domain(), "role": "admin"})).await;
    assert_eq!(r.status, 404, "outsiders do not learn the resource exists");
    let list = Req::event("list-domains").user(admin.0, admin.1).path("rid", &rid);
    assert_eq!(domains(&h, list).await.status, 403);
    for (body, code) in [
        (json!({"domain": "gmail.com", "role": "read_only"}), "public_domain"),
        (json!({"domain": "Outlook.com.", "role": "read_only"}), "public_domain"),
        (json!({"domain": "localhost", "role": "read_only"}), "invalid_domain"),
        (json!({"domain": "a..b", "role": "read_only"}), "invalid_domain"),
        (json!({"domain": fresh_domain(), "role": "owner"}), "invalid_role"),
        (json!({"domain": fresh_domain(), "role": "read_only", "verified": true}), "invalid_request"),
    ] {
        let r = add(&h, &rid, OWNER, body.clone()).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some(code)), "{body}: {}", r.body);
    }
    let list = Req::event("list-domains").user(OWNER.0, OWNER.1).path("rid", &rid);
    assert_eq!(domains(&h, list).await.body["items"], json!([]), "nothing was added");
    assert_eq!(verify(&h, &rid, "not-added.test").await.status, 404);
    assert_eq!(verify(&h, &rid, "not a domain").await.status, 404);
}

#[tokio::test]
async fn a_waiting_invitation_comes_first() {
    let h = Harness::new().await;
    let domain = fresh_domain();
    let rid = verified(&h, &domain).await;
    let mail = format!("invited@{domain}");
    assert_eq!(invite(&h, &rid, OWNER, &mail, "admin").await.status, 201);
    let r = join(&h, &rid, "user-invited", &mail).await;
    assert_error(&r, 409, "already_pending");
    assert_eq!(seats_used(&h, &rid).await, 1, "only the invitation's seat");
}

#[tokio::test]
async fn two_colleagues_for_the_last_seat_one_joins() {
    let h = Harness::with_limits(invites_domain::limits::Limits { seat_limit: 2, ..Default::default() }).await;
    for round in 0..4 {
        let domain = fresh_domain();
        let rid = verified(&h, &domain).await;
        assert_eq!(invite(&h, &rid, OWNER, &format!("held-{round}@example.com"), "read_only").await.status, 201);
        let (ua, ea, ub, eb) =
            (format!("user-a-{domain}"), format!("a@{domain}"), format!("user-b-{domain}"), format!("b@{domain}"));
        let (a, b) = tokio::join!(join(&h, &rid, &ua, &ea), join(&h, &rid, &ub, &eb));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}: {} / {}", a.body, b.body);
        let lost = if a.status == 409 { &a } else { &b };
        assert_eq!(lost.body["error"]["code"], "seat_limit_reached");
        assert_eq!(seats_used(&h, &rid).await, 2);
    }
}

#[tokio::test]
async fn only_a_record_at_the_name_itself_counts() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    // A CNAME into a zone someone else controls (a wildcard, say) proves nothing.
    let (domain, elsewhere) = (fresh_domain(), fresh_domain());
    let added = add(&h, &rid, OWNER, json!({"domain": domain, "role": "read_only"})).await;
    publish_txt(added.body["txtName"].as_str().unwrap(), &format!("CNAME {elsewhere}"));
    publish_txt(&elsewhere, added.body["txtValue"].as_str().unwrap());
    let r = verify(&h, &rid, &domain).await;
    assert_error(&r, 409, "domain_not_verified");

    // A value split into several strings (as DNS does past 255 bytes) is one record.
    let split = fresh_domain();
    let added = add(&h, &rid, OWNER, json!({"domain": split, "role": "read_only"})).await;
    let value = added.body["txtValue"].as_str().unwrap();
    publish_txt(added.body["txtName"].as_str().unwrap(), &format!("{}|{}", &value[..10], &value[10..]));
    assert_eq!(verify(&h, &rid, &split).await.status, 200);
}

#[tokio::test]
async fn a_removed_member_comes_back_only_through_a_new_invitation() {
    let h = Harness::new().await;
    let domain = fresh_domain();
    let rid = verified(&h, &domain).await;
    // Adding the domain again with another role changes its role.
    let changed = add(&h, &rid, OWNER, json!({"domain": domain, "role": "admin"})).await;
    assert_eq!((changed.status, changed.body["role"].as_str()), (200, Some("admin")), "{}", changed.body);
    let (sub, mail) = (format!("user-gone-{domain}"), format!("gone@{domain}"));
    assert_eq!(join(&h, &rid, &sub, &mail).await.body["role"], "admin");

    let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", &sub);
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204);
    assert!(joinable(&h, &sub, &mail).await.is_empty(), "not offered again");
    let r = join(&h, &rid, &sub, &mail).await;
    assert_error(&r, 403, "removed_from_resource");

    // The owner's invitation is their word: accepting it clears the removal.
    let invited = invite(&h, &rid, OWNER, &mail, "read_only").await;
    assert_eq!(accept(&h, &token_of(&invited), &sub, &mail).await.status, 200);
    let leave = Req::event("leave-resource").user(&sub, &mail).path("rid", &rid);
    assert_eq!(call(me::handle, &h.api, &leave).await.status, 204);
    assert_eq!(join(&h, &rid, &sub, &mail).await.status, 200, "who left on their own may come back");
}
