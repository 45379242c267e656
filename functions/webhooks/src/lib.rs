//! The operator's webhook endpoints, through the IAM service routes only:
//! `POST /v1/service/webhooks` (register: URL, event types, a new secret
//! shown once), `GET /v1/service/webhooks` and `…/{id}`, `PATCH …/{id}`
//! (URL, types, description, on or off), `DELETE …/{id}`, `POST
//! …/{id}/secret` (a new secret; the current one keeps signing for a day)
//! and `GET …/{id}/attempts` (every attempt, newest first). Deliveries:
//! `functions/deliver-webhooks`.

use invites_domain::ports::{PageRequest, Webhooks};
use invites_domain::webhooks::{EndpointChangeBody, EndpointView, NewEndpointBody};
use invites_domain::{Error, ids, time};
use invites_http::{ApiResult, AppState, json, json_body, no_content, page, route};
use lambda_http::Request;
use serde::Serialize;

pub const ROUTES: &[&str] = &[
    "POST /v1/service/webhooks",
    "GET /v1/service/webhooks",
    "GET /v1/service/webhooks/{id}",
    "PATCH /v1/service/webhooks/{id}",
    "DELETE /v1/service/webhooks/{id}",
    "POST /v1/service/webhooks/{id}/secret",
    "GET /v1/service/webhooks/{id}/attempts",
];

/// An endpoint with its secret: only when it is made or its secret rotated.
#[derive(Serialize)]
struct WithSecret<'a> {
    #[serde(flatten)]
    endpoint: EndpointView<'a>,
    secret: String,
}

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
    #[serde(rename = "nextCursor")]
    next_cursor: Option<String>,
}

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let principal = api.auth.service(&req)?;
    let now = time::now();
    // `{id}` is a ULID; anything else is not found.
    let id = || r.iid().map(|id| id.to_string());
    match r.key {
        "POST /v1/service/webhooks" => {
            let body = json_body::<NewEndpointBody>(&req)?;
            let (endpoint, secret) = body.validate(api.config.webhook_urls, ids::new_ulid(), now)?;
            api.store.add_endpoint(&endpoint).await?;
            tracing::info!(endpoint_id = %endpoint.id, %principal, types = endpoint.event_types.len(), "webhook endpoint registered");
            json(201, &WithSecret { endpoint: endpoint.view(), secret: secret.encode() })
        }
        "GET /v1/service/webhooks" => {
            let endpoints = api.store.endpoints().await?;
            json(200, &Items { items: endpoints.iter().map(|e| e.view()).collect(), next_cursor: None })
        }
        "GET /v1/service/webhooks/{id}" => json(200, &api.store.endpoint(&id()?).await?.view()),
        "PATCH /v1/service/webhooks/{id}" => {
            let change = json_body::<EndpointChangeBody>(&req)?.validate(api.config.webhook_urls)?;
            let endpoint = api.store.change_endpoint(&id()?, &change, now).await?;
            tracing::info!(endpoint_id = %endpoint.id, %principal, enabled = endpoint.enabled, "webhook endpoint changed");
            json(200, &endpoint.view())
        }
        "DELETE /v1/service/webhooks/{id}" => {
            let id = id()?;
            api.store.remove_endpoint(&id).await?;
            tracing::info!(endpoint_id = %id, %principal, "webhook endpoint removed");
            no_content()
        }
        "POST /v1/service/webhooks/{id}/secret" => {
            let id = id()?;
            let secret = api.store.rotate_secret(&id, now).await?;
            let endpoint = api.store.endpoint(&id).await?;
            tracing::info!(endpoint_id = %id, %principal, "webhook secret rotated");
            json(200, &WithSecret { endpoint: endpoint.view(), secret: secret.encode() })
        }
        "GET /v1/service/webhooks/{id}/attempts" => {
            let (limit, cursor) = page(&req)?;
            let page = api.store.attempts(&id()?, PageRequest { limit, cursor: cursor.as_deref() }).await?;
            json(200, &Items { items: page.items.iter().map(|a| a.view()).collect(), next_cursor: page.next_cursor })
        }
        _ => Err(Error::NotFound),
    }
}
