//! `POST /v1/resources` (register a resource, caller becomes owner) and
//! `GET /v1/resources/{rid}` (resource, caller's role, seats) and
//! `GET /v1/resources/{rid}/audit` (audit trail, newest first, paginated).

use invites_adapters::store::items::{ResourceView, Seats};
use invites_adapters::store::resources::NewResourceBody;
use invites_domain::{Error, ResourceId, time};
use invites_http::{Api, ApiResult, json, json_body, parse_limit, path_param, query_param};
use lambda_http::{Request, RequestExt, http::Method};

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let now = time::now();
    match *req.method() {
        Method::POST => {
            let body: NewResourceBody = json_body(&req)?;
            json(201, &api.store.create_resource(&who, body, now).await?)
        }
        Method::GET if req.raw_http_path().ends_with("/audit") => {
            let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
            api.store.require_manager(&rid, &who).await?;
            let limit = parse_limit(query_param(&req, "limit").as_deref())?;
            let cursor = query_param(&req, "cursor");
            let page = api.store.audit_trail(&rid.to_string(), limit, cursor.as_deref()).await?;
            json(200, &serde_json::json!({ "items": page.items, "nextCursor": page.next_cursor }))
        }
        Method::GET => {
            let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
            let member = api.store.require_member(&rid, &who).await?;
            let r = api.store.resource(&rid.to_string()).await?.ok_or(Error::NotFound)?;
            let used = api.store.seats_in_use(&r, now).await?;
            json(
                200,
                &ResourceView {
                    id: r.resource_id,
                    name: r.name,
                    client_id: r.client_id,
                    role: member.role,
                    seats: Seats { used, limit: r.seat_limit },
                    created_at: time::rfc3339(r.created_at),
                },
            )
        }
        _ => Err(Error::NotFound),
    }
}
