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
    let mut email_queued = created.message.is_none();
    if let Some(msg) = &created.message {
        // The invite is committed; if queueing fails the admin can resend, so
        // say so instead of failing the whole request.
        match api.queue()?.send(msg).await {
            Ok(()) => email_queued = true,
            Err(e) => tracing::error!(invite_id = %msg.invite_id, error = %e, "could not queue invite e-mail"),
        }
    }
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
