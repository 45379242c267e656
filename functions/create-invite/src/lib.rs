//! Inviting people by e-mail with a role:
//! - `POST /v1/resources/{rid}/invites` → 201 with the invite and its link,
//!   and queues the e-mail;
//! - `POST /v1/resources/{rid}/invites/batch` `{invites: [...]}` → 200 with
//!   one line per entry (up to 100), each created or refused with its code
//!   exactly as a single invite would be (`invites_domain::bulk`).

use invites_domain::bulk::{Batch, BatchBody, invite_all};
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::ports::{CreateInvite, CreateInvites, Created};
use invites_domain::{Error, time};
use invites_http::{
    ApiResult, AppState, MAX_BULK_BODY_BYTES, error_body, header, json, json_body, json_body_up_to, route,
};
use lambda_http::Request;
use serde_json::{Value, json};

pub const ROUTES: &[&str] = &["POST /v1/resources/{rid}/invites", "POST /v1/resources/{rid}/invites/batch"];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    let idempotency_key = header(&req, "idempotency-key");
    let now = time::now();
    match r.key {
        "POST /v1/resources/{rid}/invites" => {
            let invite = NewInvite::validate(json_body::<NewInviteBody>(&req)?, &api.config.redirect_origins)?;
            let created = api.store.create_invite(&who, CreateInvite { rid, invite, idempotency_key }, now).await?;
            // An idempotent replay has no message: its e-mail was queued the first time.
            let email_queued = match &created.message {
                Some(msg) => api.enqueue(msg).await,
                None => true,
            };
            tracing::info!(invite_id = %created.invite.id, resource_id = %rid, "invite created");
            json(201, &created_json(api, &created, email_queued))
        }
        "POST /v1/resources/{rid}/invites/batch" => {
            let batch = Batch::validate(
                rid,
                json_body_up_to::<BatchBody>(&req, MAX_BULK_BODY_BYTES)?,
                &api.config.redirect_origins,
            )?;
            let lines = invite_all(&api.store, &who, rid, batch, idempotency_key, now).await?;
            let messages: Vec<_> =
                lines.iter().filter_map(|(_, r)| r.as_ref().ok().and_then(|c| c.message.clone())).collect();
            let mut queued = api.enqueue_all(&messages).await.into_iter();
            let (mut created, mut refused) = (0, 0);
            let results: Vec<Value> = lines
                .iter()
                .enumerate()
                .map(|(index, (email, result))| match result {
                    Ok(c) => {
                        created += 1;
                        let email_queued = if c.message.is_some() { queued.next().unwrap_or(false) } else { true };
                        let mut line = created_json(api, c, email_queued);
                        line["index"] = json!(index);
                        line["outcome"] = json!("created");
                        line
                    }
                    Err(e) => {
                        refused += 1;
                        json!({"index": index, "outcome": "refused", "email": email, "error": error_body(e)})
                    }
                })
                .collect();
            tracing::info!(resource_id = %rid, created, refused, "invite batch");
            json(200, &json!({ "results": results, "created": created, "refused": refused }))
        }
        _ => Err(Error::NotFound),
    }
}

fn created_json(api: &AppState, created: &Created, email_queued: bool) -> Value {
    json!({
        "invite": created.invite,
        "url": api.config.invite_url(&created.token),
        "emailQueued": email_queued,
    })
}
