//! The invitee's side of a link:
//! - `POST /v1/invites/lookup {token}` (no sign-in): what the landing page shows;
//! - `POST /v1/invites/accept {token}` (signed in, verified e-mail must match): join;
//! - `POST /v1/invites/decline {token}`: say no; the seat is freed.

use invites_domain::ports::Links;
use invites_domain::{Error, time};
use invites_http::bodies::TokenBody;
use invites_http::{ApiResult, AppState, json, json_body, no_content, route};
use lambda_http::Request;

pub const ROUTES: &[&str] = &["POST /v1/invites/lookup", "POST /v1/invites/accept", "POST /v1/invites/decline"];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let now = time::now();
    match r.key {
        "POST /v1/invites/lookup" => {
            let body: TokenBody = json_body(&req)?;
            json(200, &api.store.lookup(&body.token, now).await?)
        }
        "POST /v1/invites/accept" => {
            let who = api.auth.identity(&req)?;
            let body: TokenBody = json_body(&req)?;
            let membership = api.store.accept(&body.token, &who, now).await?;
            tracing::info!(resource_id = %membership.resource_id, "invite accepted");
            json(200, &membership)
        }
        "POST /v1/invites/decline" => {
            let body: TokenBody = json_body(&req)?;
            api.store.decline(&body.token, now).await?;
            no_content()
        }
        _ => Err(Error::NotFound),
    }
}
