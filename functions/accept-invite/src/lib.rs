//! The invitee's side of a link:
//! - `POST /v1/invites/lookup {token}` (no sign-in): what the landing page shows;
//! - `POST /v1/invites/accept {token}` (signed in, verified e-mail must match): join;
//! - `POST /v1/invites/decline {token}`: say no; the seat is freed.

use invites_domain::{Error, InviteStatus, time};
use invites_http::{Api, ApiResult, json, json_body, no_content};
use lambda_http::{Request, RequestExt};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenBody {
    token: String,
}

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let now = time::now();
    let path = req.raw_http_path().to_owned();
    if path.ends_with("/lookup") {
        let body: TokenBody = json_body(&req)?;
        return json(200, &api.store.lookup(&body.token, now).await?);
    }
    if path.ends_with("/accept") {
        let who = api.auth.identity(&req)?;
        let body: TokenBody = json_body(&req)?;
        let membership = api.store.accept(&body.token, &who, now).await?;
        tracing::info!(resource_id = %membership.resource_id, "invite accepted");
        return json(200, &membership);
    }
    if path.ends_with("/decline") {
        let body: TokenBody = json_body(&req)?;
        let item = api.store.open_token(&body.token).await?;
        api.store.end_invite(item, InviteStatus::Declined, "invitee", now).await?;
        return no_content();
    }
    Err(Error::NotFound)
}
