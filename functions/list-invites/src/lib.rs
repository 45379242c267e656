//! `GET /v1/resources/{rid}/invites` (filter by status, newest first,
//! paginated) and `GET /v1/resources/{rid}/invites/{id}`.

use invites_domain::ports::{ListInvites, PageRequest};
use invites_domain::{Error, StatusFilter, time};
use invites_http::{ApiResult, AppState, json, page, query_param, route};
use lambda_http::Request;

pub const ROUTES: &[&str] = &["GET /v1/resources/{rid}/invites", "GET /v1/resources/{rid}/invites/{id}"];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    let now = time::now();
    match r.key {
        "GET /v1/resources/{rid}/invites/{id}" => json(200, &api.store.get_invite(rid, r.iid()?, &who, now).await?),
        "GET /v1/resources/{rid}/invites" => {
            let filter = StatusFilter::parse(query_param(&req, "status").as_deref())?;
            let (limit, cursor) = page(&req)?;
            let page = PageRequest { limit, cursor: cursor.as_deref() };
            json(200, &api.store.list_invites(rid, &who, filter, page, now).await?)
        }
        _ => Err(Error::NotFound),
    }
}
