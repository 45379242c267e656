//! Members of a resource:
//! - `GET /v1/resources/{rid}/members` (any member) → 200 `{items}`;
//! - `PATCH /v1/resources/{rid}/members/{uid}` `{role}` (owner, admin) → 200;
//!   never the owner's role;
//! - `POST /v1/resources/{rid}/owner` `{userId}` (the owner) → 200: hands
//!   ownership to that member, the owner stays an admin;
//! - `PUT /v1/service/resources/{rid}/owner` `{userId}` (the operator's IAM
//!   service route, for when the owner is gone) → 200.
//!
//! Removing a member (`DELETE`) lives with revoking in `revoke-invite`.

use invites_domain::members::TransferBody;
use invites_domain::ports::Members;
use invites_domain::{Error, time};
use invites_http::bodies::RoleBody;
use invites_http::{ApiResult, AppState, json, json_body, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "GET /v1/resources/{rid}/members",
    "PATCH /v1/resources/{rid}/members/{uid}",
    "POST /v1/resources/{rid}/owner",
    "PUT /v1/service/resources/{rid}/owner",
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
        "POST /v1/resources/{rid}/owner" => {
            let to = json_body::<TransferBody>(&req)?.validate()?;
            json(200, &api.store.transfer_ownership(rid, &to, Some(&who), time::now()).await?)
        }
        _ => Err(Error::NotFound),
    }
}
