//! `POST /v1/resources/{rid}/invites`: invite a person by e-mail with a role.
//! Returns 201 with the invite and its link, and queues the e-mail.

use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::ports::{CreateInvite, CreateInvites};
use invites_domain::time;
use invites_http::{Api, ApiResult, header, json, json_body, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &["POST /v1/resources/{rid}/invites"];

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    let invite = NewInvite::validate(json_body::<NewInviteBody>(&req)?)?;
    let idempotency_key = header(&req, "idempotency-key");
    let created = api.store.create_invite(&who, CreateInvite { rid, invite, idempotency_key }, time::now()).await?;
    // An idempotent replay has no message: its e-mail was queued the first time.
    let email_queued = match &created.message {
        Some(msg) => api.enqueue(msg).await,
        None => true,
    };
    tracing::info!(invite_id = %created.invite.id, resource_id = %rid, "invite created");
    json(
        201,
        &json!({
            "invite": created.invite,
            "url": api.config.invite_url(&created.token),
            "emailQueued": email_queued,
        }),
    )
}
