//! Members of a resource:
//! - `GET /v1/resources/{rid}/members` (any member) → 200 `{items}`;
//! - `PATCH /v1/resources/{rid}/members/{uid}` `{role}` (owner, admin) → 200;
//!   never the owner's role;
//! - `POST /v1/resources/{rid}/owner` `{userId}` (the owner) → 200: hands
//!   ownership to that member, the owner stays an admin;
//! - `PUT /v1/service/resources/{rid}/owner` `{userId}` (the operator's IAM
//!   service route, for when the owner is gone) → 200.
//!
//! - `GET /v1/resources/{rid}/requests` (who may invite) → 200 `{items}`:
//!   requests to join, pending ones first;
//! - `POST /v1/resources/{rid}/requests/{uid}/approve` → 200 the request:
//!   the person is a member, and is told by e-mail;
//! - `POST /v1/resources/{rid}/requests/{uid}/decline` `{reason?}` → 200.
//!
//! Removing a member (`DELETE`) lives with revoking in `revoke-invite`.

use invites_domain::members::TransferBody;
use invites_domain::ports::{Members, Requests};
use invites_domain::requests::DeclineBody;
use invites_domain::{Error, time};
use invites_http::bodies::RoleBody;
use invites_http::{ApiResult, AppState, json, json_body, json_body_or_default, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "GET /v1/resources/{rid}/members",
    "PATCH /v1/resources/{rid}/members/{uid}",
    "POST /v1/resources/{rid}/owner",
    "PUT /v1/service/resources/{rid}/owner",
    "GET /v1/resources/{rid}/requests",
    "POST /v1/resources/{rid}/requests/{uid}/approve",
    "POST /v1/resources/{rid}/requests/{uid}/decline",
];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    if r.key == "PUT /v1/service/resources/{rid}/owner" {
        let principal = api.auth.service(&req)?;
        let to = json_body::<TransferBody>(&req)?.validate()?;
        let done = api.store.transfer_ownership(r.rid()?, &to, None, time::now()).await?;
        tracing::info!(resource_id = %done.resource_id, %principal, "ownership transferred by the service route");
        return json(200, &done);
    }
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    match r.key {
        "GET /v1/resources/{rid}/members" => json(200, &json!({ "items": api.store.members(rid, &who).await? })),
        "PATCH /v1/resources/{rid}/members/{uid}" => {
            let uid = r.uid()?;
            let role = json_body::<RoleBody>(&req)?.role()?;
            json(200, &api.store.change_member_role(rid, uid, role, &who, time::now()).await?)
        }
        "GET /v1/resources/{rid}/requests" => {
            json(200, &json!({ "items": api.store.requests(rid, &who, time::now()).await? }))
        }
        "POST /v1/resources/{rid}/requests/{uid}/approve" => {
            let (view, mail) = api.store.approve_request(rid, r.uid()?, &who, time::now()).await?;
            api.enqueue_decision(&mail).await;
            json(200, &view)
        }
        "POST /v1/resources/{rid}/requests/{uid}/decline" => {
            let reason = json_body_or_default::<DeclineBody>(&req)?.validate()?;
            let (view, mail) = api.store.decline_request(rid, r.uid()?, &who, reason, time::now()).await?;
            api.enqueue_decision(&mail).await;
            json(200, &view)
        }
        "POST /v1/resources/{rid}/owner" => {
            let to = json_body::<TransferBody>(&req)?.validate()?;
            json(200, &api.store.transfer_ownership(rid, &to, Some(&who), time::now()).await?)
        }
        _ => Err(Error::NotFound),
    }
}
