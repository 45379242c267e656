//! Members of a resource:
//! - `GET /v1/resources/{rid}/members` (any member) → 200 `{items}`;
//! - `PATCH /v1/resources/{rid}/members/{uid}` `{role}` (owner, admin) → 200;
//!   never the owner's role.
//!
//! Removing a member (`DELETE`) lives with revoking in `revoke-invite`.

use invites_adapters::store::items::MemberView;
use invites_domain::{Error, ResourceId, Role, time};
use invites_http::{Api, ApiResult, json, json_body, path_param};
use lambda_http::{Request, RequestExt, http::Method};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleBody {
    role: String,
}

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
    match *req.method() {
        Method::GET => {
            api.store.require_member(&rid, &who).await?;
            let members = api.store.members(&rid.to_string()).await?;
            json(200, &json!({ "items": members.iter().map(MemberView::from).collect::<Vec<_>>() }))
        }
        Method::PATCH => {
            let params = req.path_parameters();
            let uid = invites_domain::ids::user_id(params.first("uid").unwrap_or(""))?.to_owned();
            let role = Role::parse_invitable(&json_body::<RoleBody>(&req)?.role)?;
            api.store.require_manager(&rid, &who).await?;
            let m = api.store.change_member_role(&rid.to_string(), &uid, role, &who.sub, time::now()).await?;
            json(200, &MemberView::from(&m))
        }
        _ => Err(Error::NotFound),
    }
}
