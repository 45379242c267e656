//! Team links (`invites_domain::team_links`):
//! - `POST /v1/resources/{rid}/links` `{role, expiresInDays?, maxUses?}`
//!   (owner, admin) → 201 with the link and its URL;
//! - `GET /v1/resources/{rid}/links` (owner, admin) → 200 `{items}`;
//! - `DELETE /v1/resources/{rid}/links/{id}` (owner, admin) → 204, at once;
//! - `POST /v1/links/lookup {token}` (no sign-in): what the landing page shows;
//! - `POST /v1/links/join {token, note?, locale?}` (signed in, verified
//!   e-mail) → 200 membership, or 202 `{request}` when the link asks first.

use invites_domain::ports::TeamLinks;
use invites_domain::requests::Joined;
use invites_domain::team_links::{NewTeamLink, NewTeamLinkBody, TeamLinkView};
use invites_domain::{Error, time};
use invites_http::bodies::{self, JoinBody, TokenBody};
use invites_http::{ApiResult, AppState, json, json_body, no_content, route};
use lambda_http::Request;
use serde_json::json;

pub const ROUTES: &[&str] = &[
    "POST /v1/resources/{rid}/links",
    "GET /v1/resources/{rid}/links",
    "DELETE /v1/resources/{rid}/links/{id}",
    "POST /v1/links/lookup",
    "POST /v1/links/join",
];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let now = time::now();
    let with_url = |(view, token): (TeamLinkView, String)| view.with_url(api.config.team_link_url(&token));
    match r.key {
        "POST /v1/links/lookup" => {
            let body: TokenBody = json_body(&req)?;
            json(200, &api.store.lookup_link(&body.token, now).await?)
        }
        "POST /v1/links/join" => {
            let who = api.auth.identity(&req)?;
            let body: JoinBody = json_body(&req)?;
            let joined = api.store.join(&body.token, &who, body.ask()?, now).await?;
            tracing::info!(asked = matches!(joined, Joined::Asked { .. }), "joined or asked through a team link");
            bodies::joined(&joined)
        }
        "POST /v1/resources/{rid}/links" => {
            let who = api.auth.identity(&req)?;
            let new = NewTeamLink::validate(json_body::<NewTeamLinkBody>(&req)?)?;
            let created = api.store.create_link(r.rid()?, &who, new, now).await?;
            json(201, &with_url(created))
        }
        "GET /v1/resources/{rid}/links" => {
            let who = api.auth.identity(&req)?;
            let items: Vec<TeamLinkView> =
                api.store.links(r.rid()?, &who, now).await?.into_iter().map(with_url).collect();
            json(200, &json!({ "items": items }))
        }
        "DELETE /v1/resources/{rid}/links/{id}" => {
            let who = api.auth.identity(&req)?;
            api.store.revoke_link(r.rid()?, r.iid()?, &who, now).await?;
            no_content()
        }
        _ => Err(Error::NotFound),
    }
}
