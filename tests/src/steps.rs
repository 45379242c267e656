//! Steps most tests take: a resource, an invite, an accept, a member, and
//! what the local inbox holds.

use super::*;

/// The owner of a fresh resource, used by most tests.
pub const OWNER: (&str, &str) = ("user-owner", "owner@example.com");

/// Registers a resource as [`OWNER`] and returns its id.
pub async fn new_resource(h: &Harness) -> String {
    let r = call(resources::handle, &h.api, &Req::event("create-resource").user(OWNER.0, OWNER.1)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Invites `email` with `role` as `(sub, email)`; returns the response.
pub async fn invite(h: &Harness, rid: &str, by: (&str, &str), email: &str, role: &str) -> Resp {
    let req = Req::event("create-invite")
        .user(by.0, by.1)
        .path("rid", rid)
        .without_header("idempotency-key")
        .body(json!({"email": email, "role": role}));
    call(create_invite::handle, &h.api, &req).await
}

/// The token inside an invite URL from a create response.
pub fn token_of(created: &Resp) -> String {
    let url = created.body["url"].as_str().expect("url in create response");
    url.split("token=").nth(1).unwrap().to_owned()
}

pub async fn accept(h: &Harness, token: &str, sub: &str, email: &str) -> Resp {
    let req = Req::event("accept-invite").user(sub, email).body(json!({ "token": token }));
    call(accept_invite::handle, &h.api, &req).await
}

pub async fn lookup(h: &Harness, token: &str) -> Resp {
    call(accept_invite::handle, &h.api, &Req::event("lookup-invite").body(json!({ "token": token }))).await
}

/// Invites `email` as `role` and has `sub` accept it; returns the invite id.
pub async fn add_member(h: &Harness, rid: &str, sub: &str, email: &str, role: &str) -> String {
    let created = invite(h, rid, OWNER, email, role).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let r = accept(h, &token_of(&created), sub, email).await;
    assert_eq!(r.status, 200, "{}", r.body);
    created.body["invite"]["id"].as_str().unwrap().to_owned()
}

pub async fn seats_used(h: &Harness, rid: &str) -> u64 {
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", rid);
    call(resources::handle, &h.api, &get).await.body["seats"]["used"].as_u64().unwrap()
}

/// `GET` over plain HTTP/1.1 on loopback; returns the body.
pub async fn http_get(url: &str) -> String {
    invites_devtools::local_http::request("GET", url, &[], None).await.unwrap().body
}

/// E-mails the SES emulator holds for `to`.
pub async fn inbox(to: &str) -> Vec<Value> {
    let base = std::env::var("INVITES_SES_INBOX_URL").expect("SES emulator URL");
    let store: Value = serde_json::from_str(&http_get(&format!("{base}/store")).await).unwrap();
    store["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["destination"]["to"].as_array().is_some_and(|a| a.iter().any(|x| x == to)))
        .cloned()
        .collect()
}

/// A unique address, so tests sharing one SES emulator never see each other's mail.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", ulid_like())
}

/// `POST …/resend` as the owner.
pub async fn resend(h: &Harness, rid: &str, iid: &str, body: Value) -> Resp {
    let req = Req::event("resend-invite").user(OWNER.0, OWNER.1).path("rid", rid).path("id", iid).body(body);
    call(manage_invite::handle, &h.api, &req).await
}

/// Invites `email` as read-only as [`OWNER`], with `extra` fields in the
/// body (locale, message, reminder, …); asserts 201.
pub async fn invite_to(h: &Harness, rid: &str, email: &str, extra: Value) -> Resp {
    let mut body = json!({"email": email, "role": "read_only"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let req = Req::event("create-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", rid)
        .without_header("idempotency-key")
        .body(body);
    let r = call(create_invite::handle, &h.api, &req).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r
}

/// The owner of a fresh resource ([`OWNER`]) as the store sees a caller.
pub fn owner() -> invites_domain::Identity {
    invites_domain::Identity {
        sub: OWNER.0.into(),
        email: Some(invites_domain::Email::parse(OWNER.1).unwrap()),
        email_verified: true,
        name: None,
    }
}

/// A request on one invite (`rid`, `id` in the path) as [`OWNER`].
pub fn on_invite(event: &str, rid: &str, iid: &str) -> Req {
    Req::event(event).user(OWNER.0, OWNER.1).path("rid", rid).path("id", iid)
}

/// Publishes a TXT record on the DNS stand-in of `scripts/stack.sh`
/// (`INVITES_DNS_DIR/<name>`), whose records all tests share.
pub fn publish_txt(name: &str, value: &str) {
    let dir = std::path::PathBuf::from(std::env::var("INVITES_DNS_DIR").expect("INVITES_DNS_DIR (scripts/stack.sh)"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, format!("{before}{value}\n")).unwrap();
}
