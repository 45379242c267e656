//! A person's data, on request: the operator's service route finds every
//! item holding an address or naming a user id, across resources, in
//! stretches with a cursor; end users cannot call it.

use invites_domain::people::Person;
use invites_domain::ports::People;
use invites_tests::*;
use serde_json::{Value, json};
use std::time::Duration;

async fn export(h: &Harness, body: Value) -> Resp {
    call(resources::handle, &h.api, &Req::event("export-person").body(body)).await
}

/// The kinds found, each with its resource.
fn kinds(r: &Resp) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["resourceId"].as_str().unwrap_or("").to_owned()))
        .collect();
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn everything_held_about_an_address_or_a_user_is_found_and_nothing_else() {
    let h = Harness::new().await;
    let who = unique_email("person");
    let uid = format!("user-{}", invites_domain::ids::new_ulid());
    // A pending invitation on one resource; a membership (an accepted
    // invitation) on another; somebody else's invitation beside it.
    let pending = new_resource(&h).await;
    assert_eq!(invite(&h, &pending, OWNER, &who, "read_only").await.status, 201);
    let joined = new_resource(&h).await;
    let invited = invite(&h, &joined, OWNER, &who, "admin").await;
    assert_eq!(accept(&h, &token_of(&invited), &uid, &who).await.status, 200);
    let other = unique_email("other");
    assert_eq!(invite(&h, &joined, OWNER, &other, "read_only").await.status, 201);

    let by_address = export(&h, json!({ "email": who.to_uppercase() })).await;
    assert_eq!(by_address.status, 200, "{}", by_address.body);
    let found = kinds(&by_address);
    for expected in [
        ("invite".to_owned(), pending.clone()),
        ("address_holder".to_owned(), pending.clone()),
        ("invite".to_owned(), joined.clone()),
        ("membership".to_owned(), joined.clone()),
        ("address_holder".to_owned(), joined.clone()),
    ] {
        assert!(found.contains(&expected), "{expected:?} in {found:?}");
    }
    assert!(!by_address.body.to_string().contains(&other), "nobody else's data");
    assert!(by_address.body.get("nextCursor").is_none(), "the whole table in one stretch here");

    let by_user = export(&h, json!({ "userId": uid })).await;
    assert_eq!(by_user.status, 200, "{}", by_user.body);
    let found = kinds(&by_user);
    assert!(found.contains(&("membership".to_owned(), joined.clone())), "{found:?}");
    assert!(found.contains(&("audit_entry".to_owned(), joined.clone())), "their acceptance: {found:?}");
    assert!(found.iter().all(|(_, rid)| rid != &pending), "the pending invitation names no user: {found:?}");
}

#[tokio::test]
async fn a_long_read_goes_on_from_its_cursor_and_bad_requests_are_refused() {
    let h = Harness::new().await;
    let who = unique_email("paged");
    for _ in 0..3 {
        let rid = new_resource(&h).await;
        assert_eq!(invite(&h, &rid, OWNER, &who, "read_only").await.status, 201);
    }
    // No time at all: one page of the scan per stretch; the cursors lead through the table.
    let person = Person::Email(invites_domain::Email::parse(&who).unwrap());
    let (mut cursor, mut invites, mut stretches) = (None::<String>, 0, 0);
    loop {
        let part = h.store().export_person(&person, cursor.as_deref(), Duration::ZERO).await.unwrap();
        invites += part.items.iter().filter(|i| i.kind == invites_domain::people::Kind::Invite).count();
        stretches += 1;
        cursor = part.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(invites, 3, "each found once, in {stretches} stretches");

    // A user id that is nobody's, and short enough to appear inside ids,
    // counters and nonces everywhere, changes nothing.
    let before = h.dump().await;
    let nobody = erase(&h, json!({"userId": "0"})).await;
    assert_eq!(nobody.status, 200, "{}", nobody.body);
    assert_eq!(nobody.body["pseudonymised"], 0, "{}", nobody.body);
    assert_eq!(h.dump().await, before);

    for (body, code) in [
        (json!({}), "invalid_request"),
        (json!({"email": "a@example.com", "userId": "u"}), "invalid_request"),
        (json!({"email": "nobody"}), "invalid_email"),
        (json!({"email": "a@example.com", "cursor": "not-a-cursor"}), "invalid_cursor"),
    ] {
        assert_error(&export(&h, body).await, 422, code);
    }
    let as_user = Req::event("export-person").user(OWNER.0, OWNER.1).body(json!({"email": who}));
    assert_error(&call(resources::handle, &h.api, &as_user).await, 403, "service_only");
}

async fn erase(h: &Harness, body: Value) -> Resp {
    call(resources::handle, &h.api, &Req::event("erase-person").body(body)).await
}

/// Every item of the table, as text, that mentions `needle` (any case).
async fn mentions(h: &Harness, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    h.dump().await.into_iter().map(|i| format!("{i:?}")).filter(|i| i.to_lowercase().contains(&needle)).collect()
}

#[tokio::test]
async fn an_erasure_leaves_no_item_with_the_address_and_can_run_again() {
    let h = Harness::new().await;
    let who = unique_email("erase");
    let uid = format!("user-{}", invites_domain::ids::new_ulid());
    // A pending invitation with a message; a membership; a request to join
    // through an asking link; a suppression entry; a resource they own.
    let pending = new_resource(&h).await;
    let r = invite_to(&h, &pending, &who, json!({"message": format!("Hi {who}")})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let joined = new_resource(&h).await;
    assert_eq!(accept(&h, &token_of(&invite(&h, &joined, OWNER, &who, "admin").await), &uid, &who).await.status, 200);
    let asked = new_resource(&h).await;
    let link = Req::event("create-team-link")
        .user(OWNER.0, OWNER.1)
        .path("rid", &asked)
        .body(json!({"role": "read_only", "mode": "ask"}));
    let link = call(team_links::handle, &h.api, &link).await;
    let token = link.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();
    let ask = Req::event("join-team-link").user(&uid, &who).body(json!({"token": token, "note": "let me in"}));
    assert_eq!(call(team_links::handle, &h.api, &ask).await.status, 202);
    let bounced = new_resource(&h).await;
    h.store()
        .client()
        .put_item()
        .table_name(&h.table)
        .item("PK", aws_sdk_dynamodb::types::AttributeValue::S(format!("RES#{bounced}")))
        .item("SK", aws_sdk_dynamodb::types::AttributeValue::S(format!("SUPPRESSED#{who}")))
        .item("entity", aws_sdk_dynamodb::types::AttributeValue::S("suppressed".into()))
        .item("reason", aws_sdk_dynamodb::types::AttributeValue::S("bounced".into()))
        .item("inviteId", aws_sdk_dynamodb::types::AttributeValue::S("01JD0000000000000000000000".into()))
        .item("at", aws_sdk_dynamodb::types::AttributeValue::N("0".into()))
        .send()
        .await
        .unwrap();
    let owned = call(resources::handle, &h.api, &Req::event("create-resource").user(&uid, &who)).await;
    let owned = owned.body["id"].as_str().unwrap().to_owned();
    // As an admin of `joined`, they removed somebody: that removal must outlive their erasure.
    add_member(&h, &joined, "user-removed", "removed@example.com", "read_only").await;
    let remove = Req::event("remove-member").user(&uid, &who).path("rid", &joined).path("uid", "user-removed");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204);
    let seats_before = seats_used(&h, &joined).await;
    // By user id, nothing is erased while they own a resource.
    let refused = erase(&h, json!({"userId": uid})).await;
    assert_eq!(
        (refused.body["ownerOf"].clone(), refused.body["membershipsEnded"].as_u64()),
        (json!([owned]), Some(0)),
        "{}",
        refused.body
    );

    // The first run ends and scrubs what it may, and names the resource they own.
    let first = erase(&h, json!({"email": who})).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let b = &first.body;
    assert_eq!(
        (b["invitesEnded"].as_u64(), b["membershipsEnded"].as_u64(), b["requestsRemoved"].as_u64()),
        (Some(1), Some(1), Some(1)),
        "{b}"
    );
    assert_eq!(b["suppressionsHashed"], 1);
    assert_eq!(b["ownerOf"], json!([owned]), "the owner's membership waits for a transfer");
    assert_eq!(seats_used(&h, &joined).await, seats_before - 1, "the seat is free");
    assert_eq!(seats_used(&h, &pending).await, 0, "the pending invitation's seat too");
    let pseudonym = b["pseudonym"].as_str().unwrap().to_owned();

    // Ownership handed over, the next run finishes; then nothing holds the address.
    let heir = invite(&h, &owned, (&uid, &who), "heir@example.com", "admin").await;
    assert_eq!(heir.status, 201, "{}", heir.body);
    assert_eq!(accept(&h, &token_of(&heir), "user-heir", "heir@example.com").await.status, 200);
    let transfer = Req::event("service-transfer-ownership").path("rid", &owned).body(json!({"userId": "user-heir"}));
    assert_eq!(call(members::handle, &h.api, &transfer).await.status, 200);
    let second = erase(&h, json!({"email": who})).await;
    assert_eq!(
        (second.body["membershipsEnded"].as_u64(), second.body.get("ownerOf")),
        (Some(1), None),
        "{}",
        second.body
    );
    assert_eq!(second.body["pseudonym"], pseudonym.as_str(), "the same pseudonym on every run");
    assert_eq!(mentions(&h, &who).await, Vec::<String>::new(), "no item with the address");
    let audit =
        call(resources::handle, &h.api, &Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &joined)).await;
    let erased: Vec<&Value> =
        audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "member.erased").collect();
    assert_eq!(erased.len(), 1, "{}", audit.body);
    assert_eq!(erased[0]["subject"], pseudonym.as_str(), "audited under the pseudonym");
    let export_after = export(&h, json!({"email": who})).await;
    assert_eq!(export_after.body["items"], json!([]), "nothing left to export");

    // The address stays suppressed, as its keyed hash.
    let again = invite(&h, &bounced, OWNER, &who, "read_only").await;
    assert_error(&again, 409, "email_suppressed");

    // By user id: their id goes from the audit entries of their acceptance and joins.
    assert!(!mentions(&h, &uid).await.is_empty());
    let by_user = erase(&h, json!({"userId": uid})).await;
    assert_eq!(by_user.status, 200, "{}", by_user.body);
    assert_eq!(mentions(&h, &uid).await, Vec::<String>::new(), "no item names the user id");
    let marker = mentions(&h, "REMOVED#user-removed").await;
    assert!(
        marker.len() == 1 && marker[0].contains(&by_user.body["pseudonym"].as_str().unwrap().to_owned()),
        "{marker:?}"
    );
    // A whole run again changes nothing.
    let rerun = erase(&h, json!({"email": who})).await;
    for count in
        ["invitesEnded", "membershipsEnded", "requestsRemoved", "pseudonymised", "suppressionsHashed", "removed"]
    {
        assert_eq!(rerun.body[count], 0, "{count}: {}", rerun.body);
    }
}
