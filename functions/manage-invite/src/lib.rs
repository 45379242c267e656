//! Managing one pending invite (owner, admin):
//! - `POST …/invites/{id}/resend` `{rotate?}` → 202, queues the e-mail again;
//!   same link unless `rotate: true`; an expired invite gets a fresh expiry
//!   and its seat back; at most once per 5 minutes and 5 times per invite;
//! - `POST …/invites/{id}/link` → 200 `{url, expiresAt}`, no e-mail;
//! - `PATCH …/invites/{id}` `{role}` → 200, changes the role it grants.

use invites_adapters::store::items::InviteView;
use invites_domain::{Error, InviteId, ResourceId, Role, time};
use invites_http::{Api, ApiResult, json, json_body, path_param};
use lambda_http::{Request, RequestExt, http::Method};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ResendBody {
    #[serde(default)]
    rotate: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    pub role: String,
}

pub async fn handle(api: &Api, req: Request) -> ApiResult {
    let who = api.auth.identity(&req)?;
    let rid = ResourceId::parse(&path_param(&req, "rid")?)?;
    let iid = InviteId::parse(&path_param(&req, "id")?)?;
    let (rid_s, iid_s) = (rid.to_string(), iid.to_string());
    let path = req.raw_http_path().to_owned();
    // Validate the body before looking anything up.
    let body_role = if req.method() == Method::PATCH { Some(Role::parse_invitable(&json_body::<RoleBody>(&req)?.role)?) } else { None };
    let rotate = if path.ends_with("/resend") && !matches!(req.body(), lambda_http::Body::Empty) {
        json_body::<ResendBody>(&req)?.rotate
    } else {
        false
    };
    api.store.require_manager(&rid, &who).await?;
    let now = time::now();
    match (req.method().clone(), path.rsplit('/').next().unwrap_or("")) {
        (Method::POST, "resend") => {
            let (item, msg) = api.store.resend(&rid_s, &iid_s, &who.sub, rotate, now).await?;
            let email_queued = api.enqueue(&msg).await;
            let url = api.config.invite_url(&api.store.link_token(&item)?);
            json(202, &json!({ "invite": InviteView::from_item(&item, now), "url": url, "emailQueued": email_queued }))
        }
        (Method::POST, "link") => {
            let (item, token) = api.store.copy_link(&rid_s, &iid_s, &who.sub, now).await?;
            json(200, &json!({ "url": api.config.invite_url(&token), "expiresAt": time::rfc3339(item.expires_at) }))
        }
        (Method::PATCH, _) => {
            let role = body_role.ok_or(Error::NotFound)?;
            let item = api.store.change_invite_role(&rid_s, &iid_s, role, &who.sub, now).await?;
            json(200, &InviteView::from_item(&item, now))
        }
        _ => Err(Error::NotFound),
    }
}
