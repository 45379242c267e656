//! Taking access away:
//! - `DELETE /v1/resources/{rid}/invites/{id}`: revoke; permanent, the link
//!   dies and the seat is freed at once, no e-mail (queued ones are dropped);
//! - `DELETE /v1/resources/{rid}/members/{uid}`: remove a member (never the owner).

use invites_domain::ports::{ManageInvites, Members};
use invites_domain::{Error, time};
use invites_http::{ApiResult, AppState, no_content, route};
use lambda_http::Request;

pub const ROUTES: &[&str] = &["DELETE /v1/resources/{rid}/invites/{id}", "DELETE /v1/resources/{rid}/members/{uid}"];

pub async fn handle(api: &AppState, req: Request) -> ApiResult {
    let r = route(&req, ROUTES)?;
    let who = api.auth.identity(&req)?;
    let rid = r.rid()?;
    let now = time::now();
    match r.key {
        "DELETE /v1/resources/{rid}/invites/{id}" => {
            let iid = r.iid()?;
            api.store.revoke(rid, iid, &who, now).await?;
            tracing::info!(invite_id = %iid, resource_id = %rid, "invite revoked");
        }
        "DELETE /v1/resources/{rid}/members/{uid}" => api.store.remove_member(rid, r.uid()?, &who, now).await?,
        _ => return Err(Error::NotFound),
    }
    no_content()
}
