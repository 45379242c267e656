//! What the service keeps, without storage keys: a resource, a member, an
//! invite and an audit entry. The store adds its keys around these records
//! (`invites_adapters::store::items`); the rules read and decide on them.

use crate::delivery::{self, BounceType, DeliveryState};
use crate::{InviteStatus, Locale, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
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
    /// One reminder before expiry for the resource's invites (owners and
    /// admins may turn it off).
    #[serde(default = "yes")]
    pub reminders: bool,
    /// Whether the customer's plan lets admins invite (`plan`; set by the
    /// service route, on by default).
    #[serde(default = "yes")]
    pub invites_enabled: bool,
    /// When the owner (or the service route) deleted it: from then on it
    /// answers as gone everywhere, and the sweep removes its items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// The language of its invitations that name none (owners and admins
    /// set it; absent: the deployment's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<Locale>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub resource_id: String,
    pub user_id: String,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The invite this membership came from (none for the owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<String>,
    pub joined_at: i64,
    /// This spell of membership and role: a new id when they join and when
    /// they are promoted. What they hand out records it (`maker_term`), so
    /// it stops working when the spell ends (`members::still_manages`).
    /// Absent on members written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// The invite's `metadata`, copied at accept.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::invite::metadata_as_text")]
    pub metadata: Option<crate::invite::Metadata>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    pub resource_id: String,
    pub invite_id: String,
    /// Normalised (lower-case) address.
    pub email: String,
    pub role: Role,
    pub status: InviteStatus,
    /// Link nonce (base64url, 128 bits). Rotating it kills earlier links.
    pub nonce: String,
    /// Current send attempt; queue messages for other ids are stale.
    pub send_id: String,
    pub invited_by: String,
    pub inviter_name: String,
    /// The inviter's `Member::term` when they sent it (absent on invites
    /// written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maker_term: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The e-mail's language if the inviter named one (invites written
    /// before the fallback always named one), or the one its first e-mail
    /// spoke (set when it was sent); until then the resource's default,
    /// then the deployment's ([`crate::invite::mail_locale`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// Where accept sends the invitee (checked against the allowed origins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The inviter's own data; copied to the membership.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::invite::metadata_as_text")]
    pub metadata: Option<crate::invite::Metadata>,
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
    /// `Limits::claim_secs` may be taken over).
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
    /// Why SES refused the e-mail for good, if it did, or SES's diagnostic
    /// of a bounce, delay or reject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_error: Option<String>,
    /// What SES reported about the sent message (`delivery`), and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_state: Option<DeliveryState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_type: Option<BounceType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_at: Option<i64>,
    /// Whether this invite gets its one reminder before expiry.
    #[serde(default = "yes")]
    pub reminder: bool,
    /// The send that is the reminder (set once, by the sweep), and when it
    /// went out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_send_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<i64>,
}

impl Invite {
    /// The state a reader must see (TTL deletes late; expiry is checked here).
    pub fn effective_status(&self, now: i64) -> InviteStatus {
        self.status.effective(self.expires_at, now)
    }

    /// The rank of what SES last reported (0: nothing yet).
    pub fn delivery_rank(&self) -> u8 {
        self.delivery_state.map_or(0, |state| delivery::rank(state, self.bounce_type))
    }
}

/// An invite for unit tests: to ann@example.com as admin, current send `s1`
/// not sent yet, created seven days before `expires_at`.
#[cfg(test)]
pub(crate) fn test_resource() -> Resource {
    Resource {
        resource_id: "r".into(),
        name: "Site".into(),
        client_id: None,
        owner_id: "owner".into(),
        seat_limit: 10,
        seats_used: 0,
        created_at: 0,
        reminders: true,
        invites_enabled: true,
        deleted_at: None,
        default_locale: None,
    }
}

#[cfg(test)]
pub(crate) fn test_invite(status: InviteStatus, expires_at: i64) -> Invite {
    Invite {
        resource_id: "r".into(),
        invite_id: "i".into(),
        email: "ann@example.com".into(),
        role: Role::ADMIN,
        status,
        nonce: "n".into(),
        send_id: "s1".into(),
        invited_by: "owner".into(),
        inviter_name: "Owner".into(),
        maker_term: None,
        message: None,
        locale: None,
        redirect_url: None,
        metadata: None,
        created_at: expires_at - 7 * crate::time::DAY,
        expires_at,
        updated_at: expires_at - 7 * crate::time::DAY,
        accepted_by: None,
        accepted_at: None,
        revoked_by: None,
        revoked_at: None,
        declined_at: None,
        sending_id: None,
        sending_at: None,
        sent_send_id: None,
        ses_message_id: None,
        sent_at: None,
        resend_count: 0,
        last_resent_at: None,
        delivery_error: None,
        delivery_state: None,
        bounce_type: None,
        delivery_at: None,
        reminder: true,
        reminder_send_id: None,
        reminded_at: None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub action: String,
    pub actor: String,
    pub subject: String,
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Who holds an e-mail address on a resource: at most one live invite or one
/// member, which is how "one live invite per address, never one for a
/// member" holds under races.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailHolder {
    Member { user_id: Option<String> },
    Invite { invite_id: String, expires_at: i64 },
}

impl EmailHolder {
    /// An invite that holds the address past its expiry: its seat and
    /// address are free, waiting to be reclaimed.
    pub fn is_expired_invite(&self, now: i64) -> bool {
        matches!(self, Self::Invite { expires_at, .. } if *expires_at <= now)
    }
}
