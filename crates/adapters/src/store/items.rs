//! Item shapes of the single table (see `infra/table-design.md`) and the JSON
//! views the API returns. (De)serialised with `serde_dynamo`.

use invites_domain::{InviteStatus, Locale, Role, time::rfc3339};
use serde::{Deserialize, Serialize};

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
pub fn audit_sk(id: &str) -> String {
    format!("AUDIT#{id}")
}
pub fn rate_sk(day: i64) -> String {
    format!("RATE#{day}")
}
pub fn idempotency_sk(sub: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{sub}#{key}")
}
pub fn user_gsi(uid: &str) -> String {
    format!("USER#{uid}")
}
pub fn invitee_gsi(email: &str) -> String {
    format!("INVITEE#{email}")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub resource_id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub owner_id: String,
    pub seat_limit: u32,
    /// Members besides the owner plus pending invites that have not been
    /// reclaimed yet (expired ones are reclaimed when a seat is needed).
    pub seats_used: u32,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub entity: String,
    pub resource_id: String,
    pub user_id: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<String>,
    pub joined_at: i64,
}

impl MemberItem {
    pub fn new(rid: &str, uid: &str, role: Role, email: Option<String>, name: Option<String>, invite_id: Option<String>, now: i64) -> Self {
        Self {
            pk: res_pk(rid),
            sk: member_sk(uid),
            gsi1pk: user_gsi(uid),
            gsi1sk: res_pk(rid),
            entity: "member".into(),
            resource_id: rid.to_owned(),
            user_id: uid.to_owned(),
            role,
            email,
            name,
            invite_id,
            joined_at: now,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    pub entity: String,
    pub resource_id: String,
    pub invite_id: String,
    pub email: String,
    pub role: Role,
    pub status: InviteStatus,
    /// Link nonce (base64url, 128 bits). Rotating it kills earlier links.
    pub nonce: String,
    /// Current send attempt; queue messages for other ids are stale.
    pub send_id: String,
    pub invited_by: String,
    pub inviter_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub locale: Locale,
    pub created_at: i64,
    pub expires_at: i64,
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<i64>,
    /// Send attempt a worker has claimed, and when (a claim older than
    /// `store::send::CLAIM_SECS` may be taken over).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_at: Option<i64>,
    /// The send attempt that reached SES, its message id and time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_send_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ses_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<i64>,
    /// Resends so far and the last one (resend is limited per invite).
    #[serde(default)]
    pub resend_count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_resent_at: Option<i64>,
    /// Why SES refused the e-mail for good, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
    /// DynamoDB TTL (epoch seconds): expiry plus the retention period.
    pub ttl: i64,
}

impl InviteItem {
    pub fn effective_status(&self, now: i64) -> InviteStatus {
        self.status.effective(self.expires_at, now)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub action: String,
    pub actor: String,
    pub subject: String,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub ttl: i64,
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
    pub invite_id: String,
    pub ttl: i64,
}

// ---- JSON views ----

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct InviteView {
    pub id: String,
    pub resource_id: String,
    pub email: String,
    pub role: Role,
    pub status: InviteStatus,
    pub invited_by: Person,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub locale: Locale,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_sent_at: Option<String>,
    pub resend_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
    pub email_status: EmailStatus,
}

/// Where an invite's latest e-mail is.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    Queued,
    Sent,
    Rejected,
}

impl EmailStatus {
    pub fn of(i: &InviteItem) -> Self {
        if i.delivery_error.is_some() {
            Self::Rejected
        } else if i.sent_send_id.as_deref() == Some(i.send_id.as_str()) {
            Self::Sent
        } else {
            Self::Queued
        }
    }
}

impl InviteView {
    pub fn from_item(i: &InviteItem, now: i64) -> Self {
        Self {
            id: i.invite_id.clone(),
            resource_id: i.resource_id.clone(),
            email: i.email.clone(),
            role: i.role,
            status: i.effective_status(now),
            invited_by: Person { id: i.invited_by.clone(), name: i.inviter_name.clone() },
            message: i.message.clone(),
            locale: i.locale,
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
            accepted_at: i.accepted_at.map(rfc3339),
            revoked_at: i.revoked_at.map(rfc3339),
            declined_at: i.declined_at.map(rfc3339),
            email_sent_at: i.sent_at.map(rfc3339),
            resend_count: i.resend_count,
            delivery_error: i.delivery_error.clone(),
            email_status: EmailStatus::of(i),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub user_id: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub joined_at: String,
}

impl From<&MemberItem> for MemberView {
    fn from(m: &MemberItem) -> Self {
        Self { user_id: m.user_id.clone(), role: m.role, email: m.email.clone(), name: m.name.clone(), joined_at: rfc3339(m.joined_at) }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Seats {
    pub used: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub role: Role,
    pub seats: Seats,
    pub created_at: String,
}
