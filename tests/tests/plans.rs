//! The customer's plan sets the limits: the operator's backend (an IAM
//! principal, never an end user's token) sets a resource's seats and
//! whether inviting is on; a downgrade keeps what exists and stops what is new.

use invites_tests::*;
use serde_json::{Value, json};

fn set_plan(rid: &str, body: Value) -> Req {
    Req::event("set-plan").path("rid", rid).body(body)
}

async fn plan(h: &Harness, req: &Req) -> Resp {
    call(resources::handle, &h.api, req).await
}

async fn resource(h: &Harness, rid: &str) -> Value {
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", rid);
    call(resources::handle, &h.api, &get).await.body
}

#[tokio::test]
async fn only_the_operators_backend_sets_a_plan_and_bad_plans_change_nothing() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let before = h.dump().await;
    // The owner's own token (403), or none at all (401): refused before anything is read.
    let r = plan(&h, &set_plan(&rid, json!({"seatLimit": 500})).user(OWNER.0, OWNER.1)).await;
    assert_error(&r, 403, "service_only");
    let r = plan(&h, &set_plan(&rid, json!({"seatLimit": 500})).anonymous()).await;
    assert_error(&r, 401, "unauthenticated");
    for (body, code) in [
        (json!({}), "invalid_plan"),
        (json!({"seatLimit": 0}), "invalid_seat_limit"),
        (json!({"seatLimit": 10001}), "invalid_seat_limit"),
        (json!({"seatLimit": 5, "tier": "gold"}), "invalid_request"),
    ] {
        let r = plan(&h, &set_plan(&rid, body.clone())).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some(code)), "{body}: {}", r.body);
    }
    // With an allow-list (INVITES_SERVICE_PRINCIPALS), only the principals it names pass.
    let mut strict = Harness::new().await;
    let own = new_resource(&strict).await;
    strict.api.auth = invites_http::Auth::Authorizer(vec!["arn:aws:sts::123456789012:assumed-role/ci/".into()]);
    let r = plan(&strict, &set_plan(&own, json!({"seatLimit": 5}))).await;
    assert_error(&r, 403, "service_only");
    strict.api.auth =
        invites_http::Auth::Authorizer(vec!["arn:aws:sts::123456789012:assumed-role/billing-backend/".into()]);
    assert_eq!(plan(&strict, &set_plan(&own, json!({"seatLimit": 5}))).await.status, 200);
    let unknown = plan(&h, &set_plan("01JD0000000000000000000000", json!({"seatLimit": 5}))).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(h.dump().await, before, "nothing written");

    let r = plan(&h, &set_plan(&rid, json!({"seatLimit": 25}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, json!({"resourceId": rid, "seatLimit": 25, "invitesEnabled": true, "seatsUsed": 0}));
    assert_eq!(resource(&h, &rid).await["seats"]["limit"], 25);
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let entry = call(resources::handle, &h.api, &audit).await.body["items"][0].clone();
    assert_eq!(entry["action"], "resource.plan_changed");
    assert_eq!(entry["actor"], "service", "the operator's IAM principal stays in the operator's log");
    assert_eq!(entry["detail"], "seats 10 -> 25");
}

#[tokio::test]
async fn a_downgrade_keeps_members_and_pending_invites_and_stops_new_ones() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-m", "m@example.com", "read_only").await;
    let mut pending = Vec::new();
    for email in ["p1@example.com", "p2@example.com", "p3@example.com"] {
        let r = invite(&h, &rid, OWNER, email, "read_only").await;
        assert_eq!(r.status, 201);
        pending.push(r);
    }

    let r = plan(&h, &set_plan(&rid, json!({"seatLimit": 2}))).await;
    assert_eq!((r.status, r.body["seatsUsed"].as_u64()), (200, Some(4)), "{}", r.body);

    // Nothing is taken away: the member stays, the invites stay open and can be accepted.
    let accepted = accept(&h, &token_of(&pending[0]), "user-p1", "p1@example.com").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(resource(&h, &rid).await["seats"], json!({"used": 4, "limit": 2}));
    // New invites, single or in a batch, are refused with a clear code.
    let r = invite(&h, &rid, OWNER, "new@example.com", "read_only").await;
    assert_error(&r, 409, "seat_limit_reached");
    let batch =
        Req::event("create-invite-batch").user(OWNER.0, OWNER.1).path("rid", &rid).without_header("idempotency-key");
    let r = call(
        create_invite::handle,
        &h.api,
        &batch.body(json!({"invites": [{"email": "b@example.com", "role": "read_only"}]})),
    )
    .await;
    assert_eq!(r.body["results"][0]["error"]["code"], "seat_limit_reached", "{}", r.body);

    // Seats come free below the new limit: inviting works again.
    for p in &pending[1..] {
        let iid = p.body["invite"]["id"].as_str().unwrap();
        let revoke = Req::event("revoke-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
        assert_eq!(call(revoke_invite::handle, &h.api, &revoke).await.status, 204);
    }
    let r = invite(&h, &rid, OWNER, "new@example.com", "read_only").await;
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (409, Some("seat_limit_reached")), "2 of 2 used");
    let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", "user-m");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204);
    assert_eq!(invite(&h, &rid, OWNER, "new@example.com", "read_only").await.status, 201);
}

#[tokio::test]
async fn a_plan_without_inviting_refuses_new_invites_until_it_is_turned_on() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let open = invite(&h, &rid, OWNER, "open@example.com", "read_only").await;
    let r = plan(&h, &set_plan(&rid, json!({"invitesEnabled": false}))).await;
    assert_eq!((r.status, &r.body["invitesEnabled"]), (200, &json!(false)), "{}", r.body);
    assert_eq!(resource(&h, &rid).await["invitesEnabled"], false, "the admin screen can say so");

    let r = invite(&h, &rid, OWNER, "new@example.com", "read_only").await;
    assert_error(&r, 403, "invites_disabled");
    assert_eq!(
        accept(&h, &token_of(&open), "user-open", "open@example.com").await.status,
        200,
        "open invites still work"
    );

    plan(&h, &set_plan(&rid, json!({"invitesEnabled": true, "seatLimit": 3}))).await;
    assert_eq!(invite(&h, &rid, OWNER, "new@example.com", "read_only").await.status, 201);
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let details: Vec<Value> = call(resources::handle, &h.api, &audit).await.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "resource.plan_changed")
        .map(|e| e["detail"].clone())
        .collect();
    assert_eq!(details, [json!("seats 10 -> 3, inviting off -> on"), json!("inviting on -> off")]);
}
