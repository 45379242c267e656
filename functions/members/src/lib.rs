//! Members of a resource:
//! - `GET /v1/resources/{rid}/members` (any member) → 200 `{items}`;
//! - `PATCH /v1/resources/{rid}/members/{uid}` `{role}` (owner, admin) → 200;
//!   never the owner's role.
//!
//! Removing a member (`DELETE`) lives with revoking in `revoke-invite`.

use invites_domain::ports::Members;
use invites_domain::{Error, time};
use invites_http::bodies::RoleBody;
use invites_http::{ApiResult, AppState, json, json_body, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &["GET /v1/resources/{rid}/members", "PATCH /v1/resources/{rid}/members/{uid}"];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    match r.key {
        "GET /v1/resources/{rid}/members" => json(200, &json!({ "items": api.store.members(rid, &who).await? })),
        "PATCH /v1/resources/{rid}/members/{uid}" => {
            let uid = r.uid()?;
            let role = json_body::<RoleBody>(&req)?.role()?;
            json(200, &api.store.change_member_role(rid, uid, role, &who, time::now()).await?)
        }
        _ => Err(Error::NotFound),
    }
}
