//! The JSON the API returns, built from records. No storage keys, no nonce,
//! no token unless a view says why it carries one.

use crate::delivery::{BounceType, DeliveryState};
use crate::invite::Metadata;
use crate::records::{AuditEntry, Invite, Member, Resource};
use crate::role::{Can, catalogue};
use crate::seats::Seats;
use crate::time::rfc3339;
use crate::{Email, InviteStatus, Locale, Role};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub name: String,
}

/// Where an invite's latest e-mail is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Not handed to SES yet (queued, or being sent).
    Queued,
    /// SES accepted the current send.
    Sent,
    /// The receiving server took it (SES delivery event).
    Delivered,
    /// SES keeps trying (delivery-delay event).
    Delayed,
    /// It bounced (`bounceType` hard or soft, `deliveryError` has SES's diagnostic).
    Bounced,
    /// The recipient marked it as spam.
    Complained,
    /// SES refused it for good (`deliveryError` says why).
    Rejected,
}

impl EmailStatus {
    pub fn of(i: &Invite) -> Self {
        if i.sent_send_id.as_deref() != Some(i.send_id.as_str()) {
            return Self::Queued;
        }
        match i.delivery_state {
            Some(DeliveryState::Delivered) => Self::Delivered,
            Some(DeliveryState::Delayed) => Self::Delayed,
            Some(DeliveryState::Bounced) => Self::Bounced,
            Some(DeliveryState::Complained) => Self::Complained,
            Some(DeliveryState::Rejected) => Self::Rejected,
            None if i.delivery_error.is_some() => Self::Rejected,
            None => Self::Sent,
        }
    }
}

/// An invite as owners and admins see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
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
    /// The invite's language: the one the inviter named, or the one its
    /// first e-mail spoke (absent until then: the resource's default, then
    /// the deployment's, will be used).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounce_type: Option<BounceType>,
    /// When SES last reported on the e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_status_at: Option<String>,
    /// Whether the invite gets a reminder before expiry, and when it went out.
    pub reminder: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<String>,
}

impl InviteView {
    /// The invite as stored; [`InviteView::withdrawn_unless`] adds what the
    /// inviter's membership says.
    pub fn of(i: &Invite, now: i64) -> Self {
        Self {
            id: i.invite_id.clone(),
            resource_id: i.resource_id.clone(),
            email: i.email.clone(),
            role: i.role,
            status: i.effective_status(now),
            invited_by: Person { id: i.invited_by.clone(), name: i.inviter_name.clone() },
            message: i.message.clone(),
            locale: i.locale,
            redirect_url: i.redirect_url.clone(),
            metadata: i.metadata.clone(),
            created_at: rfc3339(i.created_at),
            expires_at: rfc3339(i.expires_at),
            accepted_at: i.accepted_at.map(rfc3339),
            revoked_at: i.revoked_at.map(rfc3339),
            declined_at: i.declined_at.map(rfc3339),
            email_sent_at: i.sent_at.map(rfc3339),
            resend_count: i.resend_count,
            delivery_error: i.delivery_error.clone(),
            email_status: EmailStatus::of(i),
            bounce_type: i.bounce_type,
            email_status_at: i.delivery_at.map(rfc3339),
            reminder: i.reminder,
            reminded_at: i.reminded_at.map(rfc3339),
        }
    }

    pub fn withdrawn_unless(mut self, inviter_manages: bool) -> Self {
        self.status = self.status.unless_withdrawn(inviter_manages);
        self
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub user_id: String,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub joined_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl From<&Member> for MemberView {
    fn from(m: &Member) -> Self {
        Self {
            user_id: m.user_id.clone(),
            role: m.role,
            email: m.email.clone(),
            name: m.name.clone(),
            joined_at: rfc3339(m.joined_at),
            metadata: m.metadata.clone(),
        }
    }
}

/// A resource as one of its members sees it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub role: Role,
    pub seats: Seats,
    pub created_at: String,
    /// One reminder before expiry for its invites.
    pub reminders: bool,
    /// The language of its invitations that name none (absent: the deployment's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_locale: Option<Locale>,
    /// The deployment's default language.
    pub deployment_locale: Locale,
    /// Whether the customer's plan lets admins invite (`plan`).
    pub invites_enabled: bool,
    /// What the caller's role may do here, and the roles it may grant
    /// through those capabilities (the role pickers offer only these).
    pub can: Vec<Can>,
    pub grants: Vec<Role>,
    /// The host product's permissions that come with the caller's role.
    pub permissions: &'static [String],
}

impl ResourceView {
    pub fn of(r: &Resource, role: Role, seats: Seats, deployment_locale: Locale) -> Self {
        Self {
            id: r.resource_id.clone(),
            name: r.name.clone(),
            client_id: r.client_id.clone(),
            role,
            seats,
            created_at: rfc3339(r.created_at),
            reminders: r.reminders,
            default_locale: r.default_locale,
            deployment_locale,
            invites_enabled: r.invites_enabled,
            can: Can::ALL.into_iter().filter(|c| role.can(*c)).collect(),
            grants: catalogue().grantable_at_all(role),
            permissions: role.permissions(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InviterRef {
    pub name: String,
}

/// What the landing page of a link shows. No full e-mail address.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LookupView {
    pub resource: ResourceRef,
    pub inviter: InviterRef,
    pub role: Role,
    pub email: String,
    pub status: InviteStatus,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The language its e-mail was written in, which the landing page
    /// follows until the person picks another.
    pub locale: Locale,
}

impl LookupView {
    pub fn of(i: &Invite, resource_name: String, locale: Locale, now: i64, inviter_manages: bool) -> Self {
        Self {
            resource: ResourceRef { id: i.resource_id.clone(), name: resource_name },
            inviter: InviterRef { name: i.inviter_name.clone() },
            role: i.role,
            email: Email::from_normalised(i.email.clone()).masked(),
            status: i.effective_status(now).unless_withdrawn(inviter_manages),
            expires_at: rfc3339(i.expires_at),
            message: i.message.clone(),
            locale,
        }
    }
}

/// The caller's membership after accepting. (The landing page already has
/// the resource's name from lookup, so accepting needs no further reads.)
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub resource_id: String,
    pub user_id: String,
    pub role: Role,
    /// The host product's permissions that come with the role.
    pub permissions: &'static [String],
    pub joined_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// Where the inviter wants the invitee to go next (an allowed origin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

impl Membership {
    /// The membership `m`, reached through `invite`.
    pub fn through(m: &Member, invite: &Invite) -> Self {
        Self { redirect_url: invite.redirect_url.clone(), ..Self::from(m) }
    }
}

impl From<&Member> for Membership {
    fn from(m: &Member) -> Self {
        Self {
            resource_id: m.resource_id.clone(),
            user_id: m.user_id.clone(),
            role: m.role,
            permissions: m.role.permissions(),
            joined_at: rfc3339(m.joined_at),
            metadata: m.metadata.clone(),
            redirect_url: None,
        }
    }
}

/// A pending invitation as its invitee sees it in "my invitations".
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyInvite {
    pub id: String,
    pub resource: ResourceRef,
    pub inviter: String,
    pub role: Role,
    pub expires_at: String,
    /// The link token, for accept / decline: the caller proved the address
    /// with a verified e-mail, the same proof the e-mail itself gives.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyResource {
    pub resource: ResourceRef,
    pub role: Role,
    /// The host product's permissions that come with the role.
    pub permissions: &'static [String],
    pub joined_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: String,
    pub action: String,
    pub actor: String,
    pub subject: String,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl AuditView {
    pub fn of(id: String, a: AuditEntry) -> Self {
        Self { id, action: a.action, actor: a.actor, subject: a.subject, at: rfc3339(a.at), detail: a.detail }
    }
}

/// One page of a list, newest first; `next_cursor` is opaque.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_status_follows_the_current_send() {
        let mut i = crate::records::test_invite(InviteStatus::Pending, 10);
        i.send_id = "s2".into();
        assert_eq!(EmailStatus::of(&i), EmailStatus::Queued);
        i.sent_send_id = Some("s1".into());
        assert_eq!(EmailStatus::of(&i), EmailStatus::Queued, "a resend is queued again");
        i.sent_send_id = Some("s2".into());
        assert_eq!(EmailStatus::of(&i), EmailStatus::Sent);
        i.delivery_state = Some(DeliveryState::Delivered);
        assert_eq!(EmailStatus::of(&i), EmailStatus::Delivered);
        i.delivery_state = Some(DeliveryState::Bounced);
        i.bounce_type = Some(BounceType::Hard);
        assert_eq!(EmailStatus::of(&i), EmailStatus::Bounced);
        i.delivery_state = None;
        i.bounce_type = None;
        i.delivery_error = Some("MessageRejected".into());
        assert_eq!(EmailStatus::of(&i), EmailStatus::Rejected);
        let v = serde_json::to_value(InviteView::of(&i, 20)).unwrap();
        assert_eq!(v["status"], "expired");
        assert_eq!(v["emailStatus"], "rejected");
        assert!(v.get("nonce").is_none() && v.get("sendId").is_none());
        let l = serde_json::to_value(LookupView::of(&i, "Site".into(), Locale::En, 0, true)).unwrap();
        assert_eq!(l["email"], "a***@example.com");
        assert_eq!(l["resource"]["name"], "Site");
    }
}
