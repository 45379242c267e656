//! `POST /v1/resources` (register a resource, caller becomes owner) and
//! `GET /v1/resources/{rid}` (resource, caller's role, seats).

use invites_adapters::store::items::{ResourceView, Seats};
use invites_adapters::store::resources::NewResourceBody;
use invites_domain::{Error, ResourceId, time};
use invites_http::{Api, ApiResult, json, json_body, path_param};
use lambda_http::{Request, http::Method};

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let now = time::now();
    match *req.method() {
        Method::POST => {
            let body: NewResourceBody = json_body(&req)?;
            json(201, &api.store.create_resource(&who, body, now).await?)
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
