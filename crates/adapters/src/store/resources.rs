//! Resources and membership look-ups.

use super::items::*;
use super::{Store, TxError, to_item};
use invites_domain::{Error, Identity, ResourceId, Role, time::rfc3339};
use serde::Deserialize;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_CLIENT_ID_CHARS: usize = 128;

/// Body of `POST /v1/resources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewResourceBody {
    pub name: String,
    #[serde(default)]
    pub client_id: Option<String>,
}

fn printable(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

impl Store {
    /// Registers a resource; the caller becomes its owner. The owner's
    /// e-mail is locked so nobody can invite the owner.
    pub async fn create_resource(&self, who: &Identity, body: NewResourceBody, now: i64) -> Result<ResourceView, Error> {
        let name = body.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || !printable(&name) {
            return Err(Error::invalid("invalid_name", format!("name must be 1 to {MAX_NAME_CHARS} printable characters")));
        }
        let client_id = body.client_id.map(|c| c.trim().to_owned());
        if let Some(c) = &client_id
            && (c.is_empty() || c.chars().count() > MAX_CLIENT_ID_CHARS || !printable(c))
        {
            return Err(Error::invalid("invalid_client_id", format!("clientId must be 1 to {MAX_CLIENT_ID_CHARS} printable characters")));
        }
        let rid = ResourceId::new().to_string();
        let resource = ResourceItem {
            pk: res_pk(&rid),
            sk: RESOURCE_SK.into(),
            entity: "resource".into(),
            resource_id: rid.clone(),
            name,
            client_id,
            owner_id: who.sub.clone(),
            seat_limit: self.limits.seat_limit,
            seats_used: 0,
            created_at: now,
        };
        let owner = MemberItem::new(
            &rid,
            &who.sub,
            Role::Owner,
            who.verified_email().map(|e| e.as_str().to_owned()),
            who.name.clone(),
            None,
            now,
        );
        let new = Some("attribute_not_exists(PK)");
        let mut tx = vec![self.put(to_item(&resource)?, new), self.put(to_item(&owner)?, new)];
        if let Some(email) = who.verified_email() {
            let lock = EmailLockItem {
                pk: res_pk(&rid),
                sk: email_sk(email.as_str()),
                entity: "emailLock".into(),
                holder: "member".into(),
                invite_id: None,
                user_id: Some(who.sub.clone()),
                expires_at: None,
            };
            tx.push(self.put(to_item(&lock)?, new));
        }
        tx.push(self.audit(&rid, "resource.created", &who.sub, &rid, None, now)?);
        match self.transact(tx).await {
            Ok(()) => {}
            Err(TxError::Other(e)) => return Err(e),
            // A fresh ULID cannot collide; anything else is unexpected.
            Err(e) => return Err(Error::internal(format!("create resource: {e:?}"))),
        }
        Ok(ResourceView {
            id: rid,
            name: resource.name,
            client_id: resource.client_id,
            role: Role::Owner,
            seats: Seats { used: 0, limit: resource.seat_limit },
            created_at: rfc3339(now),
        })
    }

    pub async fn member(&self, rid: &str, uid: &str) -> Result<Option<MemberItem>, Error> {
        self.get(res_pk(rid), member_sk(uid)).await
    }

    pub async fn resource(&self, rid: &str) -> Result<Option<ResourceItem>, Error> {
        self.get(res_pk(rid), RESOURCE_SK.into()).await
    }

    /// The caller's membership, or 404 when not a member (no existence leak).
    pub async fn require_member(&self, rid: &ResourceId, who: &Identity) -> Result<MemberItem, Error> {
        self.member(&rid.to_string(), &who.sub).await?.ok_or(Error::NotFound)
    }

    /// Membership with a managing role (owner, admin): 404 for outsiders, 403 for read-only.
    pub async fn require_manager(&self, rid: &ResourceId, who: &Identity) -> Result<MemberItem, Error> {
        let m = self.require_member(rid, who).await?;
        if m.role.can_manage() {
            Ok(m)
        } else {
            Err(Error::forbidden("forbidden", "only owners and admins may do this"))
        }
    }
}

impl Store {
    /// Seats taken right now: the counter, less expired invites that have not
    /// been reclaimed yet (those seats are already free).
    pub async fn seats_in_use(&self, r: &ResourceItem, now: i64) -> Result<u32, Error> {
        let expired = self.count_expired_locks(&r.resource_id, now).await?;
        Ok(r.seats_used.saturating_sub(expired))
    }
}
