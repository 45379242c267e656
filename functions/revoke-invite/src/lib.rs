//! Taking access away:
//! - `DELETE /v1/resources/{rid}/invites/{id}`: revoke; permanent, the link
//!   dies and the seat is freed at once, no e-mail (queued ones are dropped);
//! - `DELETE /v1/resources/{rid}/members/{uid}`: remove a member (never the owner).

use invites_domain::{Error, InviteId, InviteStatus, ResourceId, time};
use invites_http::{Api, ApiResult, no_content, path_param};
use lambda_http::{Request, RequestExt};

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
    let params = req.path_parameters();
    api.store.require_manager(&rid, &who).await?;
    let now = time::now();
    if let Some(id) = params.first("id") {
        let iid = InviteId::parse(id)?;
        let item = api.store.invite(&rid.to_string(), &iid.to_string()).await?.ok_or(Error::NotFound)?;
        api.store.end_invite(item, InviteStatus::Revoked, &who.sub, now).await?;
        tracing::info!(invite_id = %iid, resource_id = %rid, "invite revoked");
        return no_content();
    }
    if let Some(uid) = params.first("uid") {
        let uid = invites_domain::ids::user_id(uid)?;
        api.store.remove_member(&rid.to_string(), uid, &who.sub, "member.removed", now).await?;
        return no_content();
    }
    Err(Error::NotFound)
}
