//! The audit trail's vocabulary: every action a change records ([`AuditAction`],
//! with its wire name) and one entry to write ([`Audit`]), named fields
//! instead of positional strings. The store writes entries in the same
//! transaction as their change; `events::from_audit` reads them back.

use crate::records::AuditEntry;

/// Who acts when nobody signed in did: expiry, delivery reports, reminders.
pub const SYSTEM: &str = "system";
/// The actor of what the operator's IAM service routes do (plans, transfers).
pub const SERVICE: &str = "service";
/// The actor of a decline: whoever held the link.
pub const INVITEE: &str = "invitee";

macro_rules! actions {
    ($($variant:ident = $wire:literal,)*) => {
        /// What an audit entry records. The wire name is stored and published
        /// as the event's `type`: never rename one.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction { $($variant,)* }

        impl AuditAction {
            /// Every action, in the order the README lists them.
            pub const ALL: &[AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $wire,)* }
            }

            /// The action a stored wire name means; `None` for a name this
            /// code does not know (written by a newer version).
            pub fn from_wire(wire: &str) -> Option<Self> {
                match wire { $($wire => Some(AuditAction::$variant),)* _ => None }
            }
        }
    };
}

actions! {
    ResourceCreated = "resource.created",
    ResourceUpdated = "resource.updated",
    PlanChanged = "resource.plan_changed",
    ResourceDeleted = "resource.deleted",
    InviteCreated = "invite.created",
    InviteResent = "invite.resent",
    LinkCopied = "invite.link_copied",
    InviteRoleChanged = "invite.role_changed",
    InviteReminded = "invite.reminded",
    InviteAccepted = "invite.accepted",
    InviteDeclined = "invite.declined",
    InviteRevoked = "invite.revoked",
    InviteExpired = "invite.expired",
    InviteBounced = "invite.bounced",
    InviteComplained = "invite.complained",
    DeliveryFailed = "invite.delivery_failed",
    MemberJoined = "member.joined",
    MemberRoleChanged = "member.role_changed",
    MemberRemoved = "member.removed",
    MemberLeft = "member.left",
    MemberBecameOwner = "member.became_owner",
    MemberErased = "member.erased",
    TeamLinkCreated = "link.created",
    TeamLinkRevoked = "link.revoked",
    DomainAdded = "domain.added",
    DomainVerified = "domain.verified",
    DomainRoleChanged = "domain.role_changed",
    DomainModeChanged = "domain.mode_changed",
    DomainRemoved = "domain.removed",
    RequestCreated = "request.created",
    RequestApproved = "request.approved",
    RequestDeclined = "request.declined",
}

/// What an action's subject is, so events name it in the right field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Resource,
    Invite,
    Member,
    TeamLink,
    Domain,
    /// A request to join: its subject is the person who asked.
    Request,
}

impl AuditAction {
    pub fn subject(self) -> Subject {
        match self.as_str().split_once('.').map(|(kind, _)| kind) {
            Some("invite") => Subject::Invite,
            Some("member") => Subject::Member,
            Some("link") => Subject::TeamLink,
            Some("domain") => Subject::Domain,
            Some("request") => Subject::Request,
            _ => Subject::Resource,
        }
    }
}

/// One audit entry to write: who did what to which subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit<'a> {
    pub action: AuditAction,
    /// A user id, [`SYSTEM`] or [`INVITEE`].
    pub actor: &'a str,
    /// The invite, member, team link, domain or resource it concerns.
    pub subject: &'a str,
    pub detail: Option<String>,
}

impl<'a> Audit<'a> {
    /// What the signed-in `who` did to `subject` (the caller is the actor,
    /// so the two can never be swapped).
    pub fn by(who: &'a crate::Identity, action: AuditAction, subject: &'a str) -> Self {
        Self { action, actor: &who.sub, subject, detail: None }
    }

    pub fn detail(self, detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..self }
    }

    /// The record stored, at `now`.
    pub fn entry(&self, now: i64) -> AuditEntry {
        AuditEntry {
            action: self.action.as_str().to_owned(),
            actor: self.actor.to_owned(),
            subject: self.subject.to_owned(),
            at: now,
            detail: self.detail.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_name_reads_back_as_its_action() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_wire(a.as_str()), Some(*a));
        }
        assert_eq!(AuditAction::from_wire("resource.archived"), None);
    }

    #[test]
    fn the_subject_follows_the_prefix() {
        assert_eq!(AuditAction::InviteAccepted.subject(), Subject::Invite);
        assert_eq!(AuditAction::MemberLeft.subject(), Subject::Member);
        assert_eq!(AuditAction::TeamLinkRevoked.subject(), Subject::TeamLink);
        assert_eq!(AuditAction::DomainAdded.subject(), Subject::Domain);
        assert_eq!(AuditAction::RequestApproved.subject(), Subject::Request);
        assert_eq!(AuditAction::PlanChanged.subject(), Subject::Resource);
    }

    #[test]
    fn an_entry_keeps_actor_and_subject_apart() {
        let e =
            Audit { action: AuditAction::MemberRemoved, actor: "admin-1", subject: "user-2", detail: Some("x".into()) }
                .entry(7);
        assert_eq!((e.action.as_str(), e.actor.as_str(), e.subject.as_str()), ("member.removed", "admin-1", "user-2"));
        assert_eq!((e.at, e.detail.as_deref()), (7, Some("x")));
    }
}
