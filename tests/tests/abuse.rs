//! Sending budgets hold per user across all their resources, also when
//! racing; only verified addresses register resources or invite; names in
//! e-mails are one plain line.

use futures::future::join_all;
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::json;

fn create_resource(who: (&str, &str), name: &str) -> Req {
    Req::event("create-resource").user(who.0, who.1).body(json!({ "name": name }))
}

#[tokio::test]
async fn one_account_cannot_own_more_resources_than_the_cap_even_racing() {
    let h = Harness::with_limits(Limits { resources_per_owner: 3, ..Limits::default() }).await;
    let who = ("user-many", "many@example.com");
    let results = join_all((0..8).map(|i| {
        let req = create_resource(who, &format!("Site {i}"));
        let h = &h;
        async move { call(resources::handle, &h.api, &req).await }
    }))
    .await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused: Vec<_> = results.iter().filter(|r| r.status == 403).map(|r| r.body["error"]["code"].clone()).collect();
    assert_eq!(created, 3, "exactly the cap");
    assert_eq!(refused.len(), 5);
    assert!(refused.iter().all(|c| c == "resource_limit_reached"), "{refused:?}");
    // Another user is not affected.
    assert_eq!(
        call(resources::handle, &h.api, &create_resource(("user-other", "o@example.com"), "Mine")).await.status,
        201
    );
    println!("resource cap 3: 8 racing creates, {created} created, {} refused", refused.len());
}

#[tokio::test]
async fn the_daily_budget_holds_per_user_across_resources_even_racing() {
    let h = Harness::with_limits(Limits { user_daily_invites: 5, ..Limits::default() }).await;
    let owner = ("user-sender", "sender@example.com");
    let mut rids = Vec::new();
    for i in 0..3 {
        let r = call(resources::handle, &h.api, &create_resource(owner, &format!("Site {i}"))).await;
        rids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    // 12 invites at once, spread over three resources (each far under its own budget).
    let results = join_all((0..12).map(|i| {
        let (h, rid) = (&h, rids[i % 3].clone());
        async move { invite(h, &rid, owner, &format!("target-{i}@example.com"), "read_only").await }
    }))
    .await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let limited = results.iter().filter(|r| r.status == 429).count();
    assert_eq!(created, 5, "exactly the user's budget");
    assert_eq!(limited, 7);
    assert!(results.iter().filter(|r| r.status == 429).all(|r| r.headers.contains_key("retry-after")));
    // A resend is an e-mail too: it counts against the same budget.
    let first = results.iter().find(|r| r.status == 201).unwrap();
    let iid = first.body["invite"]["id"].as_str().unwrap();
    let resend = Req::event("resend-invite")
        .user(owner.0, owner.1)
        .path("rid", first.body["invite"]["resourceId"].as_str().unwrap())
        .path("id", iid);
    let r = call(manage_invite::handle, &h.api, &resend).await;
    assert_error(&r, 429, "rate_limited");
    println!("user budget 5: 12 racing invites over 3 resources, {created} created, {limited} refused");
}

#[tokio::test]
async fn the_deployments_daily_cap_holds_across_accounts_even_racing() {
    let h = Harness::with_limits(Limits { deployment_daily_emails: 4, ..Limits::default() }).await;
    // Ten accounts, each with its own resource and far under its own budgets.
    let mut senders = Vec::new();
    for i in 0..10 {
        let owner = (format!("user-signup-{i}"), format!("signup-{i}@example.com"));
        let r = call(resources::handle, &h.api, &create_resource((&owner.0, &owner.1), "Site")).await;
        senders.push((owner, r.body["id"].as_str().unwrap().to_owned()));
    }
    let results = join_all(senders.iter().map(|((sub, mail), rid)| {
        let h = &h;
        async move { invite(h, rid, (sub, mail), &format!("spam-{sub}@example.com"), "read_only").await }
    }))
    .await;
    let created: Vec<&Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 4, "exactly the deployment's cap");
    for r in results.iter().filter(|r| r.status != 201) {
        assert_error(r, 429, "rate_limited");
        assert!(r.headers.contains_key("retry-after"));
        assert!(r.body["error"]["message"].as_str().unwrap().contains("the service"), "{}", r.body);
    }
    // A resend is an e-mail too.
    let first = created[0];
    let rid = first.body["invite"]["resourceId"].as_str().unwrap();
    let (sub, mail) = &senders.iter().find(|(_, r)| r == rid).unwrap().0;
    let resend = Req::event("resend-invite")
        .user(sub, mail)
        .path("rid", rid)
        .path("id", first.body["invite"]["id"].as_str().unwrap());
    assert_error(&call(manage_invite::handle, &h.api, &resend).await, 429, "rate_limited");
    println!("deployment cap 4: 10 accounts inviting at once, 4 created, 6 refused");
}

#[tokio::test]
async fn a_resend_counts_against_the_resources_daily_budget() {
    let h = Harness::with_limits(Limits { daily_invites: 2, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let first = invite(&h, &rid, OWNER, "first@example.com", "read_only").await;
    assert_eq!(first.status, 201);
    let iid = first.body["invite"]["id"].as_str().unwrap();
    assert_eq!(resend(&h, &rid, iid, json!({})).await.status, 202, "the second e-mail of the day");
    let r = invite(&h, &rid, OWNER, "second@example.com", "read_only").await;
    assert_error(&r, 429, "rate_limited");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("per resource"), "{}", r.body);
    assert_error(&resend(&h, &rid, iid, json!({})).await, 429, "rate_limited");
}

#[tokio::test]
async fn unverified_addresses_can_neither_register_nor_invite() {
    let h = Harness::new().await;
    let unverified = json!({"sub": "user-unverified", "email": "ceo@bank.example", "email_verified": "false"});
    let register = Req::event("create-resource").claims(unverified.clone()).body(json!({"name": "Phish"}));
    let r = call(resources::handle, &h.api, &register).await;
    assert_error(&r, 403, "email_not_verified");
    // Made an admin of someone else's resource, they still cannot send.
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-unverified", "ceo@bank.example", "admin").await;
    let send = Req::event("create-invite")
        .claims(unverified)
        .path("rid", &rid)
        .without_header("idempotency-key")
        .body(json!({"email": "victim@example.com", "role": "read_only"}));
    let r = call(create_invite::handle, &h.api, &send).await;
    assert_error(&r, 403, "email_not_verified");
}

#[tokio::test]
async fn hostile_names_reach_the_e_mail_as_one_plain_line() {
    let h = Harness::new().await;
    let owner = Req::event("create-resource")
        .claims(json!({"sub": "user-eve", "email": "eve@example.com", "email_verified": "true",
            "name": "Eve\r\nSubject: Your account is locked\u{202E}"}))
        .body(json!({"name": "Bank\u{2028}Security \u{202E}moc.evil"}));
    let r = call(resources::handle, &h.api, &owner).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["name"], "Bank Security moc.evil");
    let rid = r.body["id"].as_str().unwrap().to_owned();
    let to = unique_email("hostile");
    let send = Req::event("create-invite")
        .claims(json!({"sub": "user-eve", "email": "eve@example.com", "email_verified": "true",
            "name": "Eve\r\nSubject: Your account is locked\u{202E}"}))
        .path("rid", &rid)
        .without_header("idempotency-key")
        .body(json!({"email": to, "role": "read_only", "locale": "de"}));
    let created = call(create_invite::handle, &h.api, &send).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["invite"]["invitedBy"]["name"], "Eve Subject: Your account is locked");
    h.worker().await.handle(h.take_batch().await).await;
    let mails = inbox(&to).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["subject"], "Eve Subject: Your account is locked hat Sie zu Bank Security moc.evil eingeladen");
}

#[tokio::test]
async fn a_key_rotation_keeps_live_links_and_a_retired_key_kills_them() {
    use invites_domain::token::{Keyring, TokenKey};
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "rotate@example.com", "read_only").await;
    let old_link = token_of(&created);
    let key = |b64: &str| TokenKey::from_base64(b64).unwrap();
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let store = |current, previous| {
        let keys = std::sync::Arc::new(invites_adapters::keys::Keys::fixed(Keyring::new(current, previous).unwrap()));
        invites_adapters::Store::new(&sdk, h.table.clone(), Some(keys), invites_domain::limits::Limits::default())
    };
    let now = invites_domain::time::now();
    // Rotated once: the link from before the rotation still opens.
    let rotated = store(key("AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI="), Some(key(TOKEN_KEY_B64)));
    assert_eq!(rotated.lookup(&old_link, now).await.unwrap().status.as_str(), "pending");
    // Rotated again: the first key is retired; its links are unknown, like forged ones.
    let retired = store(
        key("AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="),
        Some(key("AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=")),
    );
    assert_eq!(retired.lookup(&old_link, now).await.unwrap_err().code(), "not_found");
    let invitee = invites_domain::Identity {
        sub: "user-rotate".into(),
        email: Some(invites_domain::Email::parse("rotate@example.com").unwrap()),
        email_verified: true,
        name: None,
    };
    assert_eq!(retired.accept(&old_link, &invitee, now).await.unwrap_err().code(), "not_found");
    // The invite itself is untouched: the current deployment's link works.
    assert_eq!(lookup(&h, &old_link).await.body["status"], "pending");
}

#[tokio::test]
async fn the_key_is_read_through_the_secrets_extension_once_and_a_failed_read_is_tried_again() {
    use invites_adapters::keys::Keys;
    use invites_devtools::secrets_extension::SecretsExtension;
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let created = invite(&h, &rid, OWNER, "extension@example.com", "read_only").await;
    let old_link = token_of(&created);
    // After a rotation: the new key is current, the deployment's old key previous.
    let (current, previous) = ("invites/link-key", "arn:aws:secretsmanager:eu-west-1:1:secret:invites/old key+1");
    let ext = SecretsExtension::start(&[(previous, TOKEN_KEY_B64)]).await;
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let store = |token: &str| {
        let keys = Keys::through_extension(ext.port, token.into(), current.into(), Some(previous.into()));
        invites_adapters::Store::new(
            &sdk,
            h.table.clone(),
            Some(keys.into()),
            invites_domain::limits::Limits::default(),
        )
    };
    let now = invites_domain::time::now();
    // A caller without the sandbox's session token is refused by the extension.
    let stranger = store("not-the-session");
    assert_eq!(stranger.lookup(&old_link, now).await.unwrap_err().code(), "internal_error");
    assert_eq!(ext.reads(), 0);
    // The current secret does not exist yet: the request fails, nothing is kept…
    let fresh = store(&ext.session_token);
    assert_eq!(fresh.lookup(&old_link, now).await.unwrap_err().code(), "internal_error");
    // …and once it does, the next request reads both keys.
    ext.set(current, "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=");
    assert_eq!(fresh.lookup(&old_link, now).await.unwrap().status.as_str(), "pending");
    let reads = ext.reads();
    // Later requests use the keys read then, even after the secret changes.
    ext.set(current, "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=");
    for _ in 0..5 {
        assert_eq!(fresh.lookup(&old_link, now).await.unwrap().status.as_str(), "pending");
    }
    assert_eq!(ext.reads(), reads, "read once per sandbox");
    // Links it mints are signed with the current key, which the deployment
    // before the rotation does not know.
    let iid = invites_domain::InviteId::parse(created.body["invite"]["id"].as_str().unwrap()).unwrap();
    let rid = invites_domain::ResourceId::parse(&rid).unwrap();
    let record = MailLedger::invite(&fresh, rid, iid).await.unwrap().unwrap();
    let minted = fresh.link_token(&record).await.unwrap();
    assert_eq!(fresh.lookup(&minted, now).await.unwrap().status.as_str(), "pending");
    assert_eq!(h.store().lookup(&minted, now).await.unwrap_err().code(), "not_found");
}
