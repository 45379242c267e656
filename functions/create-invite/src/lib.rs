//! `POST /v1/resources/{rid}/invites`: invite a person by e-mail with a role.
//! Returns 201 with the invite and its link, and queues the e-mail.

use invites_adapters::store::CreateInvite;
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::{ResourceId, time};
use invites_http::{Api, ApiResult, header, json, json_body, path_param};
use lambda_http::Request;
use serde_json::json;

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
    let body: NewInviteBody = json_body(&req)?;
    let invite = NewInvite::validate(body)?;
    let idempotency_key = header(&req, "idempotency-key");
    let created = api
        .store
        .create_invite(&who, CreateInvite { rid, invite, idempotency_key }, time::now())
        .await?;
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
