//! Per-invite `redirectUrl` and `metadata`: checked at create (allowed
//! origins only, a small object), kept with the invite, returned by accept,
//! copied to the membership; refused input changes nothing.

use invites_tests::*;
use serde_json::json;

#[tokio::test]
async fn redirect_and_metadata_travel_from_the_invite_to_the_membership() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let redirect = format!("{REDIRECT_ORIGIN}/projects/7?welcome=1");
    let metadata = json!({"team": "blue", "crmId": 42, "tags": ["beta"]});
    let created =
        invite_to(&h, &rid, "carry@example.com", json!({"redirectUrl": redirect, "metadata": metadata})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["invite"]["redirectUrl"], redirect.as_str());
    assert_eq!(created.body["invite"]["metadata"], metadata);

    let accepted = accept(&h, &token_of(&created), "user-carry", "carry@example.com").await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.body["redirectUrl"], redirect.as_str());
    assert_eq!(accepted.body["metadata"], metadata);
    let again = accept(&h, &token_of(&created), "user-carry", "carry@example.com").await;
    assert_eq!(
        (again.status, &again.body["redirectUrl"]),
        (200, &json!(redirect)),
        "an idempotent accept says the same"
    );

    let list = Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid);
    let members = call(members::handle, &h.api, &list).await;
    let member = members.body["items"].as_array().unwrap().iter().find(|m| m["userId"] == "user-carry").unwrap();
    assert_eq!(member["metadata"], metadata, "copied to the membership");
    // A read-only member sees the members, not the inviter's metadata.
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    let as_reader = Req::event("list-members").user("user-reader", "reader@example.com").path("rid", &rid);
    let seen = call(members::handle, &h.api, &as_reader).await;
    let carried = seen.body["items"].as_array().unwrap().iter().find(|m| m["userId"] == "user-carry").unwrap();
    assert!(carried.get("metadata").is_none(), "{carried}");

    // Without them, nothing is added to the answers.
    let plain = invite(&h, &rid, OWNER, "plain@example.com", "read_only").await;
    assert!(plain.body["invite"].get("redirectUrl").is_none() && plain.body["invite"].get("metadata").is_none());
    let joined = accept(&h, &token_of(&plain), "user-plain", "plain@example.com").await;
    assert!(joined.body.get("redirectUrl").is_none(), "{}", joined.body);

    // Whatever JSON allows is kept as it came (the fuzzer found that
    // DynamoDB's own maps refuse these).
    let odd = json!({"": [false], "n": [-4.285629310325452e155, -3.2e-5], "deep": {"a": {"b": {}}}});
    let r = invite_to(&h, &rid, "odd@example.com", json!({"metadata": odd})).await;
    assert_eq!(r.body["invite"]["metadata"], odd);
    let iid = r.body["invite"]["id"].as_str().unwrap();
    let get = Req::event("get-invite").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", iid);
    assert_eq!(call(list_invites::handle, &h.api, &get).await.body["metadata"], odd, "read back from the table");
}

async fn create(h: &Harness, rid: &str, extra: serde_json::Value) -> Resp {
    let mut body = json!({"email": "refused@example.com", "role": "read_only"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let req = Req::event("create-invite").user(OWNER.0, OWNER.1).path("rid", rid).without_header("idempotency-key");
    call(create_invite::handle, &h.api, &req.body(body)).await
}

#[tokio::test]
async fn a_foreign_redirect_or_oversized_metadata_is_refused_and_changes_nothing() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let before = h.dump().await;
    let big = "x".repeat(3000);
    for (extra, code) in [
        (json!({"redirectUrl": "https://evil.example.com/"}), "redirect_not_allowed"),
        (json!({"redirectUrl": "javascript:alert(1)"}), "invalid_redirect_url"),
        (json!({"redirectUrl": format!("{REDIRECT_ORIGIN}.evil.test/")}), "redirect_not_allowed"),
        (json!({"metadata": {"note": big}}), "invalid_metadata"),
    ] {
        let r = create(&h, &rid, extra.clone()).await;
        assert_eq!((r.status, r.body["error"]["code"].as_str()), (422, Some(code)), "{extra}: {}", r.body);
    }
    let r = create(&h, &rid, json!({"metadata": ["not", "an", "object"]})).await;
    assert_error(&r, 422, "invalid_request");
    assert_eq!(h.dump().await, before, "nothing written");

    // In a batch, the entry alone is refused.
    let req =
        Req::event("create-invite-batch").user(OWNER.0, OWNER.1).path("rid", &rid).without_header("idempotency-key");
    let body = json!({"invites": [
        {"email": "ok@example.com", "role": "read_only", "metadata": {"row": 1}},
        {"email": "bad@example.com", "role": "read_only", "redirectUrl": "https://evil.example.com/"}
    ]});
    let r = call(create_invite::handle, &h.api, &req.body(body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["results"][0]["invite"]["metadata"], json!({"row": 1}));
    assert_eq!(r.body["results"][1]["error"]["code"], "redirect_not_allowed");
}
