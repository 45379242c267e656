//! `POST /v1/resources` (register a resource, caller becomes owner),
//! `GET /v1/resources/{rid}` (resource, caller's role, seats),
//! `PATCH /v1/resources/{rid}` (settings: reminders on or off) and
//! `GET /v1/resources/{rid}/audit` (audit trail, newest first, paginated),
//! `GET /v1/resources/{rid}/audit/export` (a range of days, oldest first,
//! as JSON or as CSV safe to open in a spreadsheet, in pages of 1,000),
//! `DELETE /v1/resources/{rid}` (the owner deletes it), and for the
//! operator's backend only (IAM-signed), `PUT
//! /v1/service/resources/{rid}/plan` (seat limit, inviting on or off) and
//! `DELETE /v1/service/resources/{rid}` (delete, for when the owner is gone),
//! `POST /v1/service/people/export` `{email | userId, cursor?}` (everything
//! held about a person, for the operator's privacy team) and `POST
//! /v1/service/people/erase` (the same, erased; rerun until complete).

use invites_domain::error::Code;
use invites_domain::people::{self, PersonBody};
use invites_domain::plan::{Plan, PlanBody};
use invites_domain::ports::{PageRequest, People, Plans, Resources};
use invites_domain::resource::{NewResource, NewResourceBody, ResourceSettings, ResourceSettingsBody};
use invites_domain::{Error, time};
use invites_http::{ApiResult, AppState, csv, json, json_body, no_content, page, query_param, route};
use lambda_http::Request;

/// Who changed a plan, as the audit trail and the events say.
pub const SERVICE_ACTOR: &str = invites_domain::audit::SERVICE;

pub const ROUTES: &[&str] = &[
    "POST /v1/resources",
    "GET /v1/resources/{rid}",
    "PATCH /v1/resources/{rid}",
    "GET /v1/resources/{rid}/audit",
    "GET /v1/resources/{rid}/audit/export",
    "DELETE /v1/resources/{rid}",
    "PUT /v1/service/resources/{rid}/plan",
    "DELETE /v1/service/resources/{rid}",
    "POST /v1/service/people/export",
    "POST /v1/service/people/erase",
];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let now = time::now();
    if r.key == "PUT /v1/service/resources/{rid}/plan" {
        // The caller's IAM principal names the operator's account and roles:
        // it goes to the operator's log, the customer's audit trail says `service`.
        let principal = api.auth.service(&req)?;
        let plan = Plan::validate(json_body::<PlanBody>(&req)?)?;
        let view = api.store.set_plan(r.rid()?, plan, SERVICE_ACTOR, now).await?;
        tracing::info!(resource_id = %view.resource_id, %principal, seat_limit = view.seat_limit, invites_enabled = view.invites_enabled, "plan set");
        return json(200, &view);
    }
    if r.key == "DELETE /v1/service/resources/{rid}" {
        let principal = api.auth.service(&req)?;
        let rid = r.rid()?;
        api.store.delete_resource(rid, None, now).await?;
        tracing::info!(resource_id = %rid, %principal, "resource deleted by the service route");
        return no_content();
    }
    if r.key.starts_with("POST /v1/service/people/") {
        let principal = api.auth.service(&req)?;
        let (person, cursor) = json_body::<PersonBody>(&req)?.validate()?;
        let budget = std::time::Duration::from_secs(people::READ_SECS);
        // Who asked, and how much was found; never whom it was about.
        if r.key == "POST /v1/service/people/export" {
            let export = api.store.export_person(&person, cursor.as_deref(), budget).await?;
            tracing::info!(%principal, items = export.items.len(), scanned = export.scanned, more = export.next_cursor.is_some(), "a person's data exported");
            return json(200, &export);
        }
        let erased = api.store.erase_person(&person, cursor.as_deref(), budget, now).await?;
        tracing::info!(%principal, pseudonym = %erased.pseudonym, scanned = erased.scanned, more = erased.next_cursor.is_some(), owner_of = erased.owner_of.len(), "a person's data erased");
        return json(200, &erased);
    }
    let who = api.auth.identity(&req)?;
    match r.key {
        "POST /v1/resources" => {
            let new = NewResource::validate(json_body::<NewResourceBody>(&req)?)?;
            json(201, &api.store.create_resource(&who, new, now).await?)
        }
        "GET /v1/resources/{rid}" => json(200, &api.store.resource(r.rid()?, &who).await?),
        "PATCH /v1/resources/{rid}" => {
            let settings = ResourceSettings::validate(json_body::<ResourceSettingsBody>(&req)?)?;
            json(200, &api.store.update_resource(r.rid()?, &who, settings, now).await?)
        }
        "DELETE /v1/resources/{rid}" => {
            api.store.delete_resource(r.rid()?, Some(&who), now).await?;
            no_content()
        }
        "GET /v1/resources/{rid}/audit/export" => {
            use invites_domain::audit_export::{self, MAX_PAGE, Range};
            let rid = r.rid()?;
            let (from, to) = (query_param(&req, "from"), query_param(&req, "to"));
            let range = Range::parse(from.as_deref(), to.as_deref(), now)?;
            let limit = match query_param(&req, "limit") {
                None => MAX_PAGE,
                Some(l) => l.parse().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
                    Error::invalid(Code::InvalidLimit, format!("limit must be between 1 and {MAX_PAGE}"))
                })?,
            };
            let cursor = query_param(&req, "cursor");
            let page =
                api.store.audit_export(rid, &who, range, PageRequest { limit, cursor: cursor.as_deref() }).await?;
            match query_param(&req, "format").as_deref() {
                None | Some("json") => json(200, &page),
                Some("csv") => {
                    // The header row opens the first page only, so pages join into one file.
                    let body = audit_export::csv(&page.items, cursor.is_none());
                    csv(body, &format!("audit-{rid}.csv"), page.next_cursor.as_deref())
                }
                Some(_) => Err(Error::invalid(Code::InvalidRequest, "format is json or csv")),
            }
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
