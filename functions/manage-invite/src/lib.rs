//! Managing one pending invite (owner, admin):
//! - `POST …/invites/{id}/resend` `{rotate?, ignoreSuppression?}` → 202,
//!   queues the e-mail again; same link unless `rotate: true`; an expired or
//!   undeliverable invite gets a fresh expiry and its seat back; at most once
//!   per 5 minutes and 5 times per invite; a suppressed address (it bounced
//!   or complained) only with `ignoreSuppression: true`;
//! - `POST …/invites/{id}/link` → 200 `{url, expiresAt}`, no e-mail;
//! - `PATCH …/invites/{id}` `{role}` → 200, changes the role it grants.

use invites_domain::ports::ManageInvites;
use invites_domain::{Error, time};
use invites_http::bodies::{ResendBody, RoleBody};
use invites_http::{ApiResult, AppState, json, json_body, route};
use lambda_http::{Body, Request};
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "POST /v1/resources/{rid}/invites/{id}/resend",
    "POST /v1/resources/{rid}/invites/{id}/link",
    "PATCH /v1/resources/{rid}/invites/{id}",
];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let (rid, iid) = (r.rid()?, r.iid()?);
    let now = time::now();
    match r.key {
        "POST /v1/resources/{rid}/invites/{id}/resend" => {
            let body: ResendBody =
                if matches!(req.body(), Body::Empty) { ResendBody::default() } else { json_body(&req)? };
            let resent = api.store.resend(rid, iid, &who, body.into(), now).await?;
            let email_queued = api.enqueue(&resent.message).await;
            let url = api.config.invite_url(&resent.link.token);
            json(202, &json!({ "invite": resent.link.invite, "url": url, "emailQueued": email_queued }))
        }
        "POST /v1/resources/{rid}/invites/{id}/link" => {
            let link = api.store.copy_link(rid, iid, &who, now).await?;
            json(
                200,
                &json!({ "url": api.config.invite_url(&link.token), "expiresAt": time::rfc3339(link.expires_at) }),
            )
        }
        "PATCH /v1/resources/{rid}/invites/{id}" => {
            let role = json_body::<RoleBody>(&req)?.role()?;
            json(200, &api.store.change_invite_role(rid, iid, role, &who, now).await?)
        }
        _ => Err(Error::NotFound),
    }
}
