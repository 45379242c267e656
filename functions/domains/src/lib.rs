//! Verified domains (`invites_domain::domains`):
//! - `POST /v1/resources/{rid}/domains` `{domain, role, mode?}` (owner) → 201
//!   with the TXT record to add (200 with the existing one for a domain
//!   held, its role and mode changed to these);
//! - `GET /v1/resources/{rid}/domains` (owner) → 200 `{items}`;
//! - `POST /v1/resources/{rid}/domains/{domain}/verify` (owner) → 200 once
//!   the TXT record holds the challenge, 409 `domain_not_verified` before;
//! - `DELETE /v1/resources/{rid}/domains/{domain}` (owner) → 204;
//! - `GET /v1/me/joinable` (signed in) → 200 `{items}`: resources the
//!   caller's verified address lets them join;
//! - `POST /v1/me/joinable/{rid}/join` `{note?, locale?}` (signed in) → 200
//!   membership, or 202 `{request}` when the domain asks first.

use invites_adapters::dns::Dns;
use invites_domain::domains::{NewDomain, NewDomainBody};
use invites_domain::ports::Domains;
use invites_domain::requests::Joined;
use invites_domain::{Error, time};
use invites_http::bodies::{self, AskBody};
use invites_http::{ApiResult, AppState, json, json_body, json_body_or_default, no_content, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "POST /v1/resources/{rid}/domains",
    "GET /v1/resources/{rid}/domains",
    "POST /v1/resources/{rid}/domains/{domain}/verify",
    "DELETE /v1/resources/{rid}/domains/{domain}",
    "GET /v1/me/joinable",
    "POST /v1/me/joinable/{rid}/join",
];

pub async fn handle(api: &AppState, dns: &Dns, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let now = time::now();
    match r.key {
        "POST /v1/resources/{rid}/domains" => {
            let new = NewDomain::validate(json_body::<NewDomainBody>(&req)?)?;
            let (view, added) = api.store.add_domain(r.rid()?, &who, new, now).await?;
            json(if added { 201 } else { 200 }, &view)
        }
        "GET /v1/resources/{rid}/domains" => json(200, &json!({ "items": api.store.domains(r.rid()?, &who).await? })),
        "POST /v1/resources/{rid}/domains/{domain}/verify" => {
            json(200, &api.store.verify_domain(r.rid()?, r.param("domain")?, &who, dns, now).await?)
        }
        "DELETE /v1/resources/{rid}/domains/{domain}" => {
            api.store.remove_domain(r.rid()?, r.param("domain")?, &who, now).await?;
            no_content()
        }
        "GET /v1/me/joinable" => json(200, &json!({ "items": api.store.joinable(&who).await? })),
        "POST /v1/me/joinable/{rid}/join" => {
            let ask = json_body_or_default::<AskBody>(&req)?.ask()?;
            let joined = api.store.join_by_domain(r.rid()?, &who, ask, now).await?;
            tracing::info!(asked = matches!(joined, Joined::Asked { .. }), "joined or asked through a verified domain");
            bodies::joined(&joined)
        }
        _ => Err(Error::NotFound),
    }
}
