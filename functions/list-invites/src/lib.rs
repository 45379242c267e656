//! `GET /v1/resources/{rid}/invites` (filter by status, newest first,
//! paginated) and `GET /v1/resources/{rid}/invites/{id}`.

use invites_adapters::store::items::InviteView;
use invites_domain::{Error, InviteId, ResourceId, StatusFilter, time};
use invites_http::{Api, ApiResult, json, parse_limit, path_param, query_param};
use lambda_http::{Request, RequestExt};
use serde_json::json;

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
    let one = req.path_parameters_ref().and_then(|p| p.first("id")).map(str::to_owned);
    let filter = StatusFilter::parse(query_param(&req, "status").as_deref())?;
    let limit = parse_limit(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    api.store.require_manager(&rid, &who).await?;
    let now = time::now();
    if let Some(id) = one {
        let iid = InviteId::parse(&id)?;
        let item = api.store.invite(&rid.to_string(), &iid.to_string()).await?.ok_or(Error::NotFound)?;
        return json(200, &InviteView::from_item(&item, now));
    }
    let page = api.store.list_invites(&rid.to_string(), filter, limit, cursor.as_deref(), now).await?;
    json(200, &json!({ "items": page.items, "nextCursor": page.next_cursor }))
}
