//! The signed-in user's own views:
//! - `GET /v1/me/invites`: pending invitations to the caller's verified e-mail
//!   (with the token, to accept or decline from the list);
//! - `GET /v1/me/resources`: resources the caller can access, with role;
//! - `DELETE /v1/me/resources/{rid}`: leave (the owner cannot).

use invites_domain::{Error, ResourceId, Role, time};
use invites_http::{Api, ApiResult, json, no_content};
use lambda_http::{Request, RequestExt, http::Method};
use serde_json::json;

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let path = req.raw_http_path().to_owned();
    let now = time::now();
    match *req.method() {
        Method::GET if path.ends_with("/me/invites") => {
            let items = match who.verified_email() {
                Some(email) => api.store.my_invites(email, now).await?,
                None => Vec::new(),
            };
            json(200, &json!({ "items": items }))
        }
        Method::GET if path.ends_with("/me/resources") => {
            json(200, &json!({ "items": api.store.my_resources(&who.sub).await? }))
        }
        Method::DELETE => {
            let rid = ResourceId::parse(req.path_parameters().first("rid").unwrap_or(""))?;
            let member = api.store.require_member(&rid, &who).await?;
            if member.role == Role::Owner {
                return Err(Error::forbidden("owner_cannot_leave", "the owner cannot leave their resource"));
            }
            api.store.remove_member(&rid.to_string(), &who.sub, &who.sub, "member.left", now).await?;
            no_content()
        }
        _ => Err(Error::NotFound),
    }
}
