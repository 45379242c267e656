//! How read cost grows with a resource's history: resources with 10, 1,000
//! and 10,000 ended invites and as many audit entries (seeded straight into
//! DynamoDB Local, as copies of real items), each with a few pending
//! invites older than that history and a few members; then the admin's
//! pages and the invitee's list through the real binaries, warm, counting
//! the calls and the items DynamoDB read for each request.

use crate::{Env, as_user, event, ms, percentile, root, spawn};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use invites_adapters::Store;
use invites_domain::ids::new_ulid;
use invites_domain::ports::Resources;
use invites_domain::{Email, Identity, ResourceId};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

type Item = HashMap<String, AttributeValue>;

/// Pending invites and members on each resource, besides its history.
const PENDING: usize = 5;
/// Warm requests measured per page and size.
const REQUESTS: usize = 15;

pub struct Measure {
    pub page: &'static str,
    pub history: usize,
    pub latency: Duration,
    pub calls: u64,
    pub items_read: u64,
}

async fn item(db: &Client, table: &str, pk: &str, sk: &str) -> Item {
    let key = [("PK".to_owned(), AttributeValue::S(pk.into())), ("SK".to_owned(), AttributeValue::S(sk.into()))];
    db.get_item().table_name(table).set_key(Some(key.into())).send().await.unwrap().item.expect("seed template")
}

async fn write_all(db: &Client, table: &str, items: Vec<Item>) {
    for chunk in items.chunks(25) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|i| {
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(i.clone())).build().unwrap())
                    .build()
            })
            .collect();
        while !requests.is_empty() {
            let out = db.batch_write_item().request_items(table, requests).send().await.unwrap();
            requests = out.unprocessed_items.and_then(|mut u| u.remove(table)).unwrap_or_default();
        }
    }
}

/// `n` ended invites (accepted, revoked, declined in turn) and `n` audit
/// entries on `rid`, newer than everything on it so far.
async fn seed_history(db: &Client, table: &str, rid: &str, invite_sk: &str, n: usize) {
    let pk = format!("RES#{rid}");
    let invite = item(db, table, &pk, invite_sk).await;
    let audit_sk = db
        .query()
        .table_name(table)
        .key_condition_expression("PK = :pk AND begins_with(SK, :a)")
        .expression_attribute_values(":pk", AttributeValue::S(pk.clone()))
        .expression_attribute_values(":a", AttributeValue::S("AUDIT#".into()))
        .limit(1)
        .send()
        .await
        .unwrap()
        .items
        .unwrap()[0]["SK"]
        .as_s()
        .unwrap()
        .clone();
    let audit = item(db, table, &pk, &audit_sk).await;
    let mut items = Vec::with_capacity(2 * n);
    for i in 0..n {
        let iid = new_ulid();
        let mut ended = invite.clone();
        for k in ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"] {
            ended.remove(k);
        }
        ended.insert("SK".into(), AttributeValue::S(format!("INVITE#{iid}")));
        ended.insert("inviteId".into(), AttributeValue::S(iid));
        ended.insert("email".into(), AttributeValue::S(format!("history{i}@bench.example.com")));
        ended.insert("status".into(), AttributeValue::S(["accepted", "revoked", "declined"][i % 3].into()));
        items.push(ended);
        let mut entry = audit.clone();
        entry.insert("SK".into(), AttributeValue::S(format!("AUDIT#{}", new_ulid())));
        items.push(entry);
    }
    write_all(db, table, items).await;
}

/// Warm requests of one page through its binary: median latency, and the
/// calls and items read of the last request.
async fn warm(env: &Env, bin: &str, request: &Value) -> (Duration, u64, u64) {
    let (mut child, api, _) = spawn(env, &root().join("target/release").join(bin), &[]).await;
    let first = api.invoke(request.to_string()).await;
    assert!(!first.error, "{bin}: {}", first.body);
    env.take_stats();
    let mut lat = Vec::with_capacity(REQUESTS);
    let mut last = (0, 0);
    for _ in 0..REQUESTS {
        let out = api.invoke(request.to_string()).await;
        let status = serde_json::from_str::<Value>(&out.body).ok().and_then(|v| v["statusCode"].as_u64());
        assert!(!out.error && status == Some(200), "{bin}: {}", out.body);
        lat.push(out.latency);
        let s = env.take_stats();
        last = (s.calls, s.items_read);
    }
    let _ = child.kill().await;
    lat.sort();
    (percentile(&lat, 0.5), last.0, last.1)
}

pub async fn measure(env: &Env, store: &Store, db: &Client, table: &str, sizes: &[usize]) -> Vec<Measure> {
    let owner = Identity {
        sub: crate::OWNER.into(),
        email: Some(Email::parse(crate::OWNER_EMAIL).unwrap()),
        email_verified: true,
        name: None,
    };
    let mut out = Vec::new();
    for &n in sizes {
        let now = invites_domain::time::now();
        let new =
            invites_domain::resource::NewResource { name: format!("History {n}"), client_id: None, reminders: true };
        let rid_s = store.create_resource(&owner, new, now).await.unwrap().id;
        let rid = ResourceId::parse(&rid_s).unwrap();
        let invitee = format!("pending-{n}-0@bench.example.com");
        let mut first_sk = String::new();
        for created in crate::invites(store, rid, &format!("pending-{n}-"), PENDING).await {
            first_sk = format!("INVITE#{}", created.invite.id);
        }
        eprintln!("bench: seeding {n} ended invites and {n} audit entries...");
        seed_history(db, table, &rid_s, &first_sk, n).await;
        let on_rid = |name: &str, query: Value| {
            let mut e = as_user(event(name), crate::OWNER, crate::OWNER_EMAIL);
            e["pathParameters"]["rid"] = json!(rid_s);
            let qs: Vec<String> =
                query.as_object().unwrap().iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap())).collect();
            e["queryStringParameters"] = query;
            e["rawQueryString"] = json!(qs.join("&"));
            e
        };
        let pages: [(&'static str, &str, Value); 5] = [
            (
                "invites, pending (first page of 50)",
                "list-invites",
                on_rid("list-invites", json!({"status": "pending", "limit": "50"})),
            ),
            (
                "invites, all (first page of 50)",
                "list-invites",
                on_rid("list-invites", json!({"status": "all", "limit": "50"})),
            ),
            ("audit trail (first page of 50)", "resources", on_rid("get-audit", json!({"limit": "50"}))),
            ("members", "members", on_rid("list-members", json!({}))),
            ("my invitations (the invitee)", "me", as_user(event("my-invites"), "pending-user", &invitee)),
        ];
        for (page, bin, request) in pages {
            let (latency, calls, items_read) = warm(env, bin, &request).await;
            out.push(Measure { page, history: n, latency, calls, items_read });
        }
    }
    out
}

pub fn print(measures: &[Measure], sizes: &[usize]) {
    let head: Vec<String> = sizes.iter().map(|n| format!("{n} ended")).collect();
    println!("| page, with N ended invites and N audit entries | {} |", head.join(" | "));
    println!("| --- |{}", " ---: |".repeat(sizes.len()));
    let mut pages: Vec<&str> = Vec::new();
    for m in measures {
        if !pages.contains(&m.page) {
            pages.push(m.page);
        }
    }
    for page in pages {
        let cells: Vec<String> = sizes
            .iter()
            .map(|n| {
                let m = measures.iter().find(|m| m.page == page && m.history == *n).unwrap();
                format!("{} items, {} calls, {} ms", m.items_read, m.calls, ms(m.latency))
            })
            .collect();
        println!("| {page} | {} |", cells.join(" | "));
    }
}
