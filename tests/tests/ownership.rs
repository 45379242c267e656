//! Ownership changes hands: the owner gives it to a member (and stays an
//! admin), or the operator's service route does when the owner is gone; one
//! transaction, audited, and racing a removal it has one outcome.

use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};

async fn transfer(h: &Harness, rid: &str, by: (&str, &str), to: &str) -> Resp {
    let req = Req::event("transfer-ownership").user(by.0, by.1).path("rid", rid).body(json!({ "userId": to }));
    call(members::handle, &h.api, &req).await
}

async fn role_of(h: &Harness, rid: &str, uid: &str) -> Option<String> {
    h.store().member(rid, uid).await.unwrap().map(|m| m.role.as_str().to_owned())
}

type Item = std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>;

/// One item of the table, by its key, as it is stored.
async fn item(h: &Harness, pk: &str, sk: &str) -> Option<Item> {
    let s = |i: &Item, k: &str| i.get(k).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
    h.dump().await.into_iter().find(|i| s(i, "PK") == pk && s(i, "SK") == sk)
}

async fn owner_id(h: &Harness, rid: &str) -> String {
    let resource = item(h, &format!("RES#{rid}"), "RESOURCE").await.unwrap();
    resource["ownerId"].as_s().unwrap().clone()
}

#[tokio::test]
async fn the_owner_hands_ownership_to_a_member_and_stays_an_admin() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    add_member(&h, &rid, "user-admin", "admin@example.com", "admin").await;

    // Nobody else hands it over, and not to a stranger or to the owner.
    assert_error(&transfer(&h, &rid, ("user-admin", "admin@example.com"), "user-admin").await, 403, "forbidden");
    assert_error(&transfer(&h, &rid, ("user-x", "x@example.com"), "user-x").await, 404, "not_found");
    assert_error(&transfer(&h, &rid, OWNER, "user-stranger").await, 404, "not_found");
    assert_error(&transfer(&h, &rid, OWNER, OWNER.0).await, 422, "invalid_request");
    let empty = Req::event("transfer-ownership").user(OWNER.0, OWNER.1).path("rid", &rid).body(json!({"userId": " "}));
    assert_error(&call(members::handle, &h.api, &empty).await, 422, "invalid_request");

    let done = transfer(&h, &rid, OWNER, "user-reader").await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        done.body,
        json!({"resourceId": rid, "ownerId": "user-reader", "previousOwnerId": OWNER.0, "previousOwnerRole": "admin"})
    );
    assert_eq!(role_of(&h, &rid, "user-reader").await.as_deref(), Some("owner"));
    assert_eq!(role_of(&h, &rid, OWNER.0).await.as_deref(), Some("admin"));
    assert_eq!(owner_id(&h, &rid).await, "user-reader");
    // The former owner no longer hands anything over; the new one may
    // remove them now, which the owner never could be.
    assert_error(&transfer(&h, &rid, OWNER, "user-admin").await, 403, "forbidden");
    let remove = Req::event("remove-member").user("user-reader", "reader@example.com").path("rid", &rid);
    assert_eq!(call(revoke_invite::handle, &h.api, &remove.path("uid", OWNER.0)).await.status, 204);

    let audit = Req::event("get-audit").user("user-reader", "reader@example.com").path("rid", &rid).no_query();
    let trail = call(resources::handle, &h.api, &audit).await.body;
    let entry: Vec<&Value> =
        trail["items"].as_array().unwrap().iter().filter(|a| a["action"] == "member.became_owner").collect();
    assert_eq!(entry.len(), 1, "{trail}");
    assert_eq!((entry[0]["actor"].as_str(), entry[0]["subject"].as_str()), (Some(OWNER.0), Some("user-reader")));
}

#[tokio::test]
async fn the_new_owner_may_not_own_more_than_one_user_may() {
    let h = Harness::with_limits(Limits { resources_per_owner: 1, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-busy", "busy@example.com", "admin").await;
    let own = Req::event("create-resource").user("user-busy", "busy@example.com").body(json!({"name": "Their own"}));
    assert_eq!(call(resources::handle, &h.api, &own).await.status, 201);
    assert_error(&transfer(&h, &rid, OWNER, "user-busy").await, 403, "resource_limit_reached");
    assert_eq!(role_of(&h, &rid, OWNER.0).await.as_deref(), Some("owner"), "nothing changed");
}

#[tokio::test]
async fn the_operators_service_route_transfers_when_the_owner_is_gone() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-heir", "heir@example.com", "read_only").await;
    let service = |body: Value| Req::event("service-transfer-ownership").path("rid", &rid).body(body);
    // Never with an end user's token.
    let r = call(members::handle, &h.api, &service(json!({"userId": "user-heir"})).user(OWNER.0, OWNER.1)).await;
    assert_error(&r, 403, "service_only");
    let r = call(members::handle, &h.api, &service(json!({"userId": "user-heir"}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(owner_id(&h, &rid).await, "user-heir");
    assert_eq!(role_of(&h, &rid, OWNER.0).await.as_deref(), Some("admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_racing_the_removal_of_its_member_has_one_outcome() {
    for round in 0..6 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        add_member(&h, &rid, "user-heir", "heir@example.com", "admin").await;
        let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", "user-heir");
        let (moved, removed) =
            tokio::join!(transfer(&h, &rid, OWNER, "user-heir"), call(revoke_invite::handle, &h.api, &remove));
        match (moved.status, removed.status) {
            // The transfer first: the owner is no longer the one who may
            // remove, and the new owner cannot be removed.
            (200, 403) => {
                assert_eq!(owner_id(&h, &rid).await, "user-heir", "round {round}");
                assert_eq!(role_of(&h, &rid, "user-heir").await.as_deref(), Some("owner"));
            }
            // The removal first: there is nobody to hand it to.
            (404, 204) => {
                assert_eq!(owner_id(&h, &rid).await, OWNER.0, "round {round}");
                assert_eq!(role_of(&h, &rid, "user-heir").await, None);
            }
            other => panic!("round {round}: {other:?}: {} / {}", moved.body, removed.body),
        }
    }
}

/// How many resources a user owns, as the table counts them.
async fn owned(h: &Harness, uid: &str) -> i64 {
    let counter = item(h, &format!("USER#{uid}"), "OWNED").await;
    counter.and_then(|i| i.get("count")?.as_n().ok()?.parse().ok()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_racing_a_delete_moves_no_count_twice() {
    for round in 0..8 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        add_member(&h, &rid, "user-heir", "heir@example.com", "admin").await;
        let (owner_before, heir_before) = (owned(&h, OWNER.0).await, owned(&h, "user-heir").await);
        let delete = Req::event("service-delete-resource").path("rid", &rid);
        let (moved, deleted) =
            tokio::join!(transfer(&h, &rid, OWNER, "user-heir"), call(resources::handle, &h.api, &delete));
        assert_eq!(deleted.status, 204, "round {round}: {}", deleted.body);
        // Handed over first (then the delete gives the heir's count back), or
        // deleted first (nothing to hand over): either way the owner owns one
        // fewer and the heir what they owned before, never a deleted resource.
        assert!(matches!(moved.status, 200 | 404), "round {round}: {}", moved.body);
        assert_eq!(owned(&h, OWNER.0).await, owner_before - 1, "round {round}: {}", moved.status);
        assert_eq!(owned(&h, "user-heir").await, heir_before, "round {round}: {}", moved.status);
    }
}
