//! Lifecycle events: what the service tells the operator's systems, one
//! event per committed change.
//!
//! Every change writes an audit entry in the same transaction as the change
//! itself, so the table's stream of new audit entries is exactly the list of
//! committed changes: a write that failed has no entry, and a function that
//! dies after its write has already committed its entry. The publisher
//! (`functions/publish-events`) turns each new entry into the events below and
//! puts them on the deployment's EventBridge bus. Version 1 of the `detail`:
//!
//! ```json
//! {"version":1,"id":"01J…","type":"invite.accepted","resourceId":"01J…",
//!  "inviteId":"01J…","userId":"user-1","actor":"user-1","at":1767225600,
//!  "detail":"role=admin"}
//! ```
//!
//! `id` is the same every time a change is published: a consumer that sees
//! an `id` twice (the publisher retried a batch, or EventBridge delivered
//! twice) drops the second. Fields are only ever added within a version.

use crate::audit::{AuditAction, Subject};
use crate::records::AuditEntry;
use serde::Serialize;

/// The bus's `source` for every lifecycle event of this service.
pub const SOURCE: &str = "invites";
/// The `source` of [`DeliveryRequested`]: they carry working links, so a
/// rule for lifecycle events (`source: invites`) never matches them by accident.
pub const DELIVERY_SOURCE: &str = "invites.delivery";
/// `detail.version` of [`Event`] and [`DeliveryRequested`].
pub const VERSION: u32 = 1;
/// The event the mail worker publishes instead of sending through SES when
/// the operator delivers invitations themselves.
pub const DELIVERY_REQUESTED: &str = "invite.delivery_requested";

/// Every `type` a lifecycle event can have: the audit actions (of which
/// `member.joined` is also published alongside `invite.accepted`).
/// Documented in README "Lifecycle events".
pub fn types() -> impl Iterator<Item = &'static str> {
    AuditAction::ALL.iter().map(|a| a.as_str())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub version: u32,
    /// Stable across retries: the audit entry's id (with a suffix for the
    /// second event of one change).
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_id: Option<String>,
    /// The member concerned (`member.*`), or who accepted (`invite.accepted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The team link concerned (`link.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The e-mail domain concerned (`domain.*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Who made the change: a user id, or `system` (expiry, delivery reports, reminders).
    pub actor: String,
    /// Epoch seconds.
    pub at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The role the change grants or gives (an invite's, a joining
    /// member's, a member's new one, a link's or a domain's), and the host
    /// product's permissions that come with it (the deployment's catalogue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<crate::Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<&'static [String]>,
}

/// The role an audit entry's detail names: `role=<id>…`, `<from> -> <to>`
/// of a role change, the owner for a transfer.
fn role_of(action: AuditAction, detail: Option<&str>) -> Option<crate::Role> {
    if action == AuditAction::MemberBecameOwner {
        return Some(crate::Role::OWNER);
    }
    let detail = detail?;
    let id = match detail.strip_prefix("role=") {
        Some(rest) => rest.split(',').next()?,
        None if matches!(
            action,
            AuditAction::MemberRoleChanged | AuditAction::InviteRoleChanged | AuditAction::DomainRoleChanged
        ) =>
        {
            detail.split_once(" -> ")?.1
        }
        None => return None,
    };
    Some(crate::Role::intern(id.trim()))
}

/// The events of one committed change, from its audit entry. Unknown
/// actions are published too (under their own name): an entry is never
/// dropped because this list is older than the code that wrote it.
pub fn from_audit(resource_id: &str, audit_id: &str, entry: &AuditEntry) -> Vec<Event> {
    let event = |kind: &str, id: String| Event {
        version: VERSION,
        id,
        kind: kind.to_owned(),
        resource_id: resource_id.to_owned(),
        invite_id: None,
        user_id: None,
        link_id: None,
        domain: None,
        actor: entry.actor.clone(),
        at: entry.at,
        detail: entry.detail.clone(),
        role: None,
        permissions: None,
    };
    let mut first = event(&entry.action, audit_id.to_owned());
    let Some(action) = AuditAction::from_wire(&entry.action) else { return vec![first] };
    first.role = role_of(action, entry.detail.as_deref());
    first.permissions = first.role.map(crate::Role::permissions);
    // SES's diagnostics can quote the recipient's address: they stay in the
    // audit trail (owners and admins) and are not published.
    if matches!(action, AuditAction::InviteBounced | AuditAction::InviteComplained | AuditAction::DeliveryFailed) {
        first.detail = None;
    }
    let subject = Some(entry.subject.clone());
    match action.subject() {
        Subject::Invite => first.invite_id = subject,
        Subject::Member | Subject::Request => first.user_id = subject,
        Subject::TeamLink => first.link_id = subject,
        Subject::Domain => first.domain = subject,
        Subject::Resource => {}
    }
    if action != AuditAction::InviteAccepted {
        return vec![first];
    }
    first.user_id = Some(entry.actor.clone());
    let mut joined = first.clone();
    joined.kind = AuditAction::MemberJoined.as_str().to_owned();
    joined.id = format!("{audit_id}.joined");
    vec![first, joined]
}

/// What the operator's own channel needs to deliver an invitation (SMS,
/// chat, their own mailer): published by the mail worker when the
/// deployment's channel is `events`. It holds the working link: route it
/// only to targets that may see invitations.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRequested<'a> {
    pub version: u32,
    /// The send attempt (a resend or reminder has a new one).
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub resource_id: &'a str,
    pub resource_name: &'a str,
    pub invite_id: &'a str,
    pub email: &'a str,
    pub role: crate::Role,
    pub locale: crate::Locale,
    pub inviter_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    pub link: &'a str,
    pub expires_at: i64,
    pub reminder: bool,
    /// The e-mail the service would have sent, for operators who only want
    /// to use their own mailer.
    pub subject: &'a str,
    pub text: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str, subject: &str, detail: Option<&str>) -> AuditEntry {
        AuditEntry {
            action: action.into(),
            actor: "user-1".into(),
            subject: subject.into(),
            at: 1_767_225_600,
            detail: detail.map(Into::into),
        }
    }

    #[test]
    fn an_invite_change_names_its_invite_and_keeps_the_audit_id() {
        let events = from_audit("R1", "A1", &entry("invite.revoked", "I1", None));
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!((e.id.as_str(), e.kind.as_str(), e.resource_id.as_str()), ("A1", "invite.revoked", "R1"));
        assert_eq!((e.invite_id.as_deref(), e.user_id.as_deref()), (Some("I1"), None));
        let json = serde_json::to_value(e).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["type"], "invite.revoked");
        assert!(json.get("userId").is_none() && json.get("detail").is_none(), "absent fields are left out");
    }

    #[test]
    fn a_member_change_names_the_member() {
        let e = &from_audit("R1", "A2", &entry("member.role_changed", "user-2", Some("read_only -> admin")))[0];
        assert_eq!((e.invite_id.as_deref(), e.user_id.as_deref()), (None, Some("user-2")));
        assert_eq!(e.detail.as_deref(), Some("read_only -> admin"));
        assert_eq!(e.role, Some(crate::Role::ADMIN), "the new role, with its permissions");
        let json = serde_json::to_value(e).unwrap();
        assert_eq!((json["role"].as_str(), json["permissions"].as_array().map(Vec::len)), (Some("admin"), Some(0)));
    }

    #[test]
    fn the_role_an_event_carries() {
        let role = |action: &str, detail: Option<&str>| from_audit("R", "A", &entry(action, "S", detail))[0].role;
        assert_eq!(role("invite.created", Some("role=read_only")), Some(crate::Role::READ_ONLY));
        assert_eq!(role("link.created", Some("role=admin, uses=5")), Some(crate::Role::ADMIN));
        assert_eq!(role("member.became_owner", Some("from u1")), Some(crate::Role::OWNER));
        assert_eq!(role("member.removed", Some("their pending invites and team links stopped working")), None);
        assert_eq!(role("invite.revoked", None), None);
        assert_eq!(role("resource.updated", Some("reminders on -> off")), None);
        assert_eq!(role("domain.mode_changed", Some("direct -> ask")), None, "a mode is no role");
        let approved = &from_audit("R", "A", &entry("request.approved", "user-9", Some("role=admin")))[0];
        assert_eq!((approved.user_id.as_deref(), approved.role), (Some("user-9"), Some(crate::Role::ADMIN)));
    }

    #[test]
    fn an_acceptance_is_also_a_join_with_its_own_stable_id() {
        let events = from_audit("R1", "A3", &entry("invite.accepted", "I1", Some("role=admin")));
        let kinds: Vec<_> = events.iter().map(|e| (e.kind.as_str(), e.id.as_str())).collect();
        assert_eq!(kinds, [("invite.accepted", "A3"), ("member.joined", "A3.joined")]);
        for e in &events {
            assert_eq!((e.invite_id.as_deref(), e.user_id.as_deref()), (Some("I1"), Some("user-1")));
        }
        assert_eq!(from_audit("R1", "A3", &entry("invite.accepted", "I1", Some("role=admin"))), events, "stable");
    }

    #[test]
    fn delivery_diagnostics_are_not_published() {
        let e = &from_audit("R", "A", &entry("invite.bounced", "I", Some("550 5.1.1 <ann@example.com> unknown")))[0];
        assert_eq!(e.detail, None);
    }

    #[test]
    fn every_type_is_published_and_an_unknown_action_is_not_dropped() {
        for kind in types() {
            assert_eq!(from_audit("R", "A", &entry(kind, "S", None))[0].kind, kind);
        }
        let e = &from_audit("R", "A", &entry("resource.archived", "R", None))[0];
        assert_eq!((e.kind.as_str(), e.invite_id.as_deref(), e.user_id.as_deref()), ("resource.archived", None, None));
    }
}
