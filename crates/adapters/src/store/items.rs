//! Item shapes of the single table (see `infra/table-design.md`): the
//! domain's records with their keys around them, (de)serialised with
//! `serde_dynamo`. Nothing here decides anything.

use invites_domain::records::{AuditEntry, EmailHolder, Invite, Member, Resource};
use serde::{Deserialize, Serialize};
use std::ops::Deref;

pub fn res_pk(rid: &str) -> String {
    format!("RES#{rid}")
}
pub const RESOURCE_SK: &str = "RESOURCE";
pub fn member_sk(uid: &str) -> String {
    format!("MEMBER#{uid}")
}
pub fn invite_sk(iid: &str) -> String {
    format!("INVITE#{iid}")
}
pub fn email_sk(email: &str) -> String {
    format!("EMAIL#{email}")
}
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub const LINK_PREFIX: &str = "LINK#";
pub fn link_sk(lid: &str) -> String {
    format!("{LINK_PREFIX}{lid}")
}
pub const DOMAIN_PREFIX: &str = "DOMAIN#";
/// A verified domain's claim, in its resource's partition (`SK`) and, once
/// verified, in the domain's own `GSI1` partition: who may join by it.
pub fn domain_key(domain: &str) -> String {
    format!("{DOMAIN_PREFIX}{domain}")
}
/// Marks a user an owner or admin removed: they do not come back through a
/// team link or a domain until invited again (accepting clears it).
pub fn removed_sk(uid: &str) -> String {
    format!("REMOVED#{uid}")
}
pub const REQUEST_PREFIX: &str = "REQUEST#";
/// A person's request to join, in the resource's partition (`SK`, one per
/// person) and in the person's `GSI1` partition (`REQUEST#<rid>`).
pub fn request_sk(uid_or_rid: &str) -> String {
    format!("{REQUEST_PREFIX}{uid_or_rid}")
}
/// The resource's count of requests to join on one UTC day.
pub fn request_rate_sk(day: i64) -> String {
    format!("REQUESTS#{day}")
}
pub fn audit_sk(id: &str) -> String {
    format!("{AUDIT_PREFIX}{id}")
}
pub fn rate_sk(day: i64) -> String {
    format!("RATE#{day}")
}
/// The user's own partition: their daily sending budget and owned-resource count.
pub fn user_pk(sub: &str) -> String {
    format!("USER#{sub}")
}
pub const OWNED_SK: &str = "OWNED";
/// The deployment's own partition: its daily e-mail count (`RATE#<day>`).
pub const DEPLOYMENT_PK: &str = "DEPLOYMENT";
pub fn idempotency_sk(sub: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{sub}#{key}")
}
pub fn user_gsi(uid: &str) -> String {
    format!("USER#{uid}")
}
/// An address that bounced for good or complained, on one resource.
pub fn suppressed_sk(email: &str) -> String {
    format!("SUPPRESSED#{email}")
}
pub fn invitee_gsi(email: &str) -> String {
    format!("INVITEE#{email}")
}
/// The partition of the sweep's sparse index (`GSI2`): invites with mail
/// work ahead, sorted by when it is due.
pub const DUE_PK: &str = "DUE";
/// The partition of `GSI2` that lists deleted resources whose items the
/// sweep has yet to remove, by when they were deleted.
pub const DELETED_PK: &str = "DELETED";

/// Implements `Deref` to the record an item wraps, so code reads
/// `item.status` rather than `item.record.status`.
macro_rules! wraps {
    ($item:ty => $record:ty) => {
        impl Deref for $item {
            type Target = $record;
            fn deref(&self) -> &$record {
                &self.record
            }
        }
    };
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ResourceItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub record: Resource,
}
wraps!(ResourceItem => Resource);

impl ResourceItem {
    pub fn new(record: Resource) -> Self {
        Self { pk: res_pk(&record.resource_id), sk: RESOURCE_SK.into(), entity: "resource".into(), record }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// The member's "my resources" index.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub record: Member,
}
wraps!(MemberItem => Member);

impl MemberItem {
    pub fn new(record: Member) -> Self {
        Self {
            pk: res_pk(&record.resource_id),
            sk: member_sk(&record.user_id),
            gsi1pk: user_gsi(&record.user_id),
            gsi1sk: res_pk(&record.resource_id),
            entity: "member".into(),
            record,
        }
    }
}

/// Holder of an e-mail on a resource: at most one live invite or one member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailLockItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    /// "invite" or "member".
    pub holder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// For an invite holder: when the invite (and so this seat) expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

impl EmailLockItem {
    pub fn new(rid: &str, email: &str, holder: &EmailHolder) -> Self {
        let (kind, invite_id, user_id, expires_at) = match holder {
            EmailHolder::Member { user_id } => ("member", None, user_id.clone(), None),
            EmailHolder::Invite { invite_id, expires_at } => {
                ("invite", Some(invite_id.clone()), None, Some(*expires_at))
            }
        };
        Self {
            pk: res_pk(rid),
            sk: email_sk(email),
            entity: "emailLock".into(),
            holder: kind.into(),
            invite_id,
            user_id,
            expires_at,
        }
    }

    pub fn holder(&self) -> EmailHolder {
        match (self.holder.as_str(), &self.invite_id) {
            ("invite", Some(iid)) => {
                EmailHolder::Invite { invite_id: iid.clone(), expires_at: self.expires_at.unwrap_or(0) }
            }
            _ => EmailHolder::Member { user_id: self.user_id.clone() },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InviteItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// Set only while pending: the invitee's "my invitations" index.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    /// Set only while mail work is ahead (`sweep`): `DUE_PK` and the epoch
    /// second it is due.
    #[serde(rename = "GSI2PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2pk: Option<String>,
    #[serde(rename = "GSI2SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi2sk: Option<i64>,
    pub entity: String,
    /// DynamoDB TTL (epoch seconds): see `Limits::keep_pending_until`.
    pub ttl: i64,
    #[serde(flatten)]
    pub record: Invite,
}
wraps!(InviteItem => Invite);

impl InviteItem {
    /// A new pending invite, listed under its invitee's address, due for
    /// the sweep at `due`.
    pub fn pending(record: Invite, ttl: i64, due: i64) -> Self {
        Self {
            pk: res_pk(&record.resource_id),
            sk: invite_sk(&record.invite_id),
            gsi1pk: Some(invitee_gsi(&record.email)),
            gsi1sk: Some(invite_sk(&record.invite_id)),
            gsi2pk: Some(DUE_PK.into()),
            gsi2sk: Some(due),
            entity: "invite".into(),
            ttl,
            record,
        }
    }
}

/// An address on the resource's suppression list: new invites and resends
/// to it need `ignoreSuppression`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuppressedItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    /// "bounced" or "complained".
    pub reason: String,
    /// The invite whose e-mail it was.
    pub invite_id: String,
    pub at: i64,
}

/// A team link, in its resource's partition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamLinkItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    /// Retention after the link's expiry.
    pub ttl: i64,
    #[serde(flatten)]
    pub record: invites_domain::team_links::TeamLink,
}

impl TeamLinkItem {
    pub fn new(record: invites_domain::team_links::TeamLink, ttl: i64) -> Self {
        Self { pk: res_pk(&record.resource_id), sk: link_sk(&record.link_id), entity: "teamLink".into(), ttl, record }
    }
}

/// A request to join (see [`request_sk`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// The person's "my invitations" index.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub entity: String,
    /// A while after its decision or expiry (`JoinRequest::keep_until`).
    pub ttl: i64,
    /// When the decision e-mail was claimed (the mail worker's ledger).
    #[serde(rename = "notifiedAt", default, skip_serializing_if = "Option::is_none")]
    pub notified_at: Option<i64>,
    #[serde(flatten)]
    pub record: invites_domain::requests::JoinRequest,
}
wraps!(RequestItem => invites_domain::requests::JoinRequest);

impl RequestItem {
    pub fn new(record: invites_domain::requests::JoinRequest) -> Self {
        Self {
            pk: res_pk(&record.resource_id),
            sk: request_sk(&record.user_id),
            gsi1pk: user_gsi(&record.user_id),
            gsi1sk: request_sk(&record.resource_id),
            entity: "request".into(),
            ttl: record.keep_until(),
            notified_at: None,
            record,
        }
    }
}

/// A user removed from a resource (see [`removed_sk`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemovedItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub removed_by: String,
    pub at: i64,
}

impl RemovedItem {
    pub fn new(rid: &str, uid: &str, by: &str, at: i64) -> Self {
        Self { pk: res_pk(rid), sk: removed_sk(uid), entity: "removed".into(), removed_by: by.into(), at }
    }
}

/// A domain on a resource; in `GSI1` (`DOMAIN#<domain>`) only once verified.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DomainItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    pub entity: String,
    #[serde(flatten)]
    pub record: invites_domain::domains::DomainClaim,
}

impl DomainItem {
    pub fn unverified(record: invites_domain::domains::DomainClaim) -> Self {
        Self {
            pk: res_pk(&record.resource_id),
            sk: domain_key(&record.domain),
            gsi1pk: None,
            gsi1sk: None,
            entity: "domain".into(),
            record,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub ttl: i64,
    #[serde(flatten)]
    pub record: AuditEntry,
}

impl AuditItem {
    /// An audit entry from a stream record's new image, with its resource
    /// and audit ids; `None` for every other item.
    pub fn from_image(image: serde_dynamo::Item) -> Option<(String, String, AuditEntry)> {
        let item: Self = serde_dynamo::from_item(image).ok()?;
        let rid = item.pk.strip_prefix("RES#")?.to_owned();
        let id = item.sk.strip_prefix(AUDIT_PREFIX)?.to_owned();
        Some((rid, id, item.record))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub request_hash: String,
    /// The invite it created (empty for a bulk invite's key).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub invite_id: String,
    pub ttl: i64,
}

/// A bulk invite's `Idempotency-Key` is an [`IdempotencyItem`] without an
/// invite, bound to the batch's content, in the caller's partition.
pub fn batch_key_sk(rid: &str, key: &str) -> String {
    format!("BATCH#{rid}#{key}")
}
