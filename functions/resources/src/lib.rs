//! `POST /v1/resources` (register a resource, caller becomes owner),
//! `GET /v1/resources/{rid}` (resource, caller's role, seats),
//! `PATCH /v1/resources/{rid}` (settings: reminders on or off) and
//! `GET /v1/resources/{rid}/audit` (audit trail, newest first, paginated).

use invites_domain::ports::{PageRequest, Resources};
use invites_domain::resource::{NewResource, NewResourceBody, ResourceSettings};
use invites_domain::{Error, time};
use invites_http::{Api, ApiResult, json, json_body, page, route};
use lambda_http::Request;

pub const ROUTES: &[&str] =
    &["POST /v1/resources", "GET /v1/resources/{rid}", "PATCH /v1/resources/{rid}", "GET /v1/resources/{rid}/audit"];

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let now = time::now();
    match r.key {
        "POST /v1/resources" => {
            let new = NewResource::validate(json_body::<NewResourceBody>(&req)?)?;
            json(201, &api.store.create_resource(&who, new, now).await?)
        }
        "GET /v1/resources/{rid}" => json(200, &api.store.resource(r.rid()?, &who, now).await?),
        "PATCH /v1/resources/{rid}" => {
            let settings = json_body::<ResourceSettings>(&req)?;
            json(200, &api.store.update_resource(r.rid()?, &who, settings, now).await?)
        }
        "GET /v1/resources/{rid}/audit" => {
            let rid = r.rid()?;
            let (limit, cursor) = page(&req)?;
            let page = PageRequest { limit, cursor: cursor.as_deref() };
            json(200, &api.store.audit_trail(rid, &who, page).await?)
        }
        _ => Err(Error::NotFound),
    }
}
