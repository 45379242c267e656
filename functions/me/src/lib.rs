//! The signed-in user's own views:
//! - `GET /v1/me/invites`: pending invitations to the caller's verified e-mail
//!   (with the token, to accept or decline from the list);
//! - `GET /v1/me/requests`: the caller's requests to join, with their state;
//! - `GET /v1/me/resources`: resources the caller can access, with role;
//! - `DELETE /v1/me/resources/{rid}`: leave (the owner cannot);
//! - `GET /v1/roles` (public): the deployment's role catalogue, labels and
//!   descriptions in every UI language, for the screens and landing pages.

use invites_domain::ports::{Members, OwnViews, Requests};
use invites_domain::{Error, time};
use invites_http::{ApiResult, AppState, json, no_content, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "GET /v1/me/invites",
    "GET /v1/me/requests",
    "GET /v1/me/resources",
    "DELETE /v1/me/resources/{rid}",
    "GET /v1/roles",
];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    if r.key == "GET /v1/roles" {
        return json(200, &invites_domain::role::catalogue().view());
    }
    let who = api.auth.identity(&req)?;
    let now = time::now();
    match r.key {
        "GET /v1/me/invites" => json(200, &json!({ "items": api.store.my_invites(&who, now).await? })),
        "GET /v1/me/requests" => json(200, &json!({ "items": api.store.my_requests(&who, now).await? })),
        "GET /v1/me/resources" => json(200, &json!({ "items": api.store.my_resources(&who).await? })),
        "DELETE /v1/me/resources/{rid}" => {
            api.store.leave(r.rid()?, &who, now).await?;
            no_content()
        }
        _ => Err(Error::NotFound),
    }
}
