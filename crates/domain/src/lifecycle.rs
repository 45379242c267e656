//! The invite state machine: which transitions are allowed from which state,
//! and for whom. Every function here decides on a record the store has just
//! read; the store then writes the decision with conditions on what it read
//! (so a race turns into a retry, never into a second outcome).
//!
//! ```text
//!            accept (invitee, verified e-mail matches)
//!   pending ───────────────────────────────────────────▶ accepted
//!      │  ╲ decline (anyone with the link, while live) ─▶ declined
//!      │   ╲ revoke (owner, admin) ─────────────────────▶ revoked
//!      │ time passes
//!      ▼
//!   expired ── revoke ──▶ revoked
//!      └────── resend ──▶ pending (fresh expiry, takes a seat again)
//!
//!   pending / expired ── hard bounce or complaint (SES) ──▶ undeliverable
//!   undeliverable ── revoke ──▶ revoked
//!      └────────── resend (ignoring the suppression) ──▶ pending (fresh expiry, takes a seat again)
//! ```
//! Accepted, revoked and declined are final: nothing brings them back.

use crate::error::Code;
use crate::invite::MAX_EXPIRY_DAYS;
use crate::records::{EmailHolder, Invite};
use crate::time::DAY;
use crate::{Error, Identity, InviteStatus, Role};

/// Minimum time between two resends of one invite.
pub const RESEND_INTERVAL_SECS: i64 = 300;
/// Resends allowed per invite.
pub const MAX_RESENDS: u32 = 5;

/// The answer for a link that no longer works.
pub fn gone_for(status: InviteStatus) -> Error {
    match status {
        InviteStatus::Revoked => Error::gone(Code::InviteRevoked, "this invite was revoked"),
        InviteStatus::Declined => Error::gone(Code::InviteDeclined, "this invite was declined"),
        InviteStatus::Undeliverable => {
            Error::gone(Code::InviteUndeliverable, "the invitation e-mail could not be delivered; ask for a new one")
        }
        InviteStatus::Withdrawn => Error::gone(
            Code::InviteWithdrawn,
            "whoever sent this invite no longer manages the resource; ask one of its admins for a new one",
        ),
        _ => Error::gone(Code::InviteExpired, "this invite has expired"),
    }
}

/// The answer for managing an invite that is no longer pending.
pub fn not_pending(status: InviteStatus) -> Error {
    Error::conflict(Code::InviteNotPending, format!("the invite is {}", status.as_str()))
}

pub fn already_member_error() -> Error {
    Error::conflict(Code::AlreadyMember, "this person is already a member")
}

pub fn already_pending_error() -> Error {
    Error::conflict(Code::AlreadyPending, "an invite to this e-mail is already pending")
}

/// What accepting a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// Become a member with the invite's role.
    Join,
    /// The caller accepted it before: answer with their membership again.
    AlreadyYours,
}

/// Decides an accept by the signed-in caller.
pub fn accept(invite: &Invite, who: &Identity, now: i64) -> Result<Accept, Error> {
    match invite.effective_status(now) {
        InviteStatus::Accepted if invite.accepted_by.as_deref() == Some(who.sub.as_str()) => {
            return Ok(Accept::AlreadyYours);
        }
        InviteStatus::Accepted => {
            return Err(Error::conflict(Code::InviteAlreadyUsed, "this invite was already accepted"));
        }
        InviteStatus::Pending => {}
        other => return Err(gone_for(other)),
    }
    match who.verified_email() {
        Some(e) if e.as_str() == invite.email => Ok(Accept::Join),
        Some(_) => Err(Error::forbidden(Code::EmailMismatch, "this invite was sent to another e-mail address")),
        None => Err(Error::forbidden(Code::EmailNotVerified, "sign in with a verified e-mail address to accept")),
    }
}

/// The caller could not join because they are a member already (they
/// joined another way); the invite stays usable for nobody but them.
pub fn already_joined() -> Error {
    Error::conflict(Code::AlreadyMember, "you are already a member of this resource")
}

/// How a pending invite ends without being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// By an owner or admin: permanent, no e-mail.
    Revoked,
    /// By the invitee.
    Declined,
}

impl Ending {
    pub fn status(self) -> InviteStatus {
        match self {
            Self::Revoked => InviteStatus::Revoked,
            Self::Declined => InviteStatus::Declined,
        }
    }

    /// The audit action it writes.
    pub fn action(self) -> crate::audit::AuditAction {
        match self {
            Self::Revoked => crate::audit::AuditAction::InviteRevoked,
            Self::Declined => crate::audit::AuditAction::InviteDeclined,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Write the ending, guarded by the status that was read.
    Proceed,
    /// It already ended this way: nothing to do, same answer.
    AlreadyDone,
}

/// Decides revoking or declining. A revoke also ends an expired invite (so
/// it can never be resent); a decline needs a live link.
pub fn end(invite: &Invite, ending: Ending, now: i64) -> Result<End, Error> {
    if invite.status == ending.status() {
        return Ok(End::AlreadyDone);
    }
    let effective = invite.effective_status(now);
    if ending == Ending::Declined && effective != InviteStatus::Pending {
        return Err(gone_for(effective));
    }
    if !invite.status.is_open() {
        return Err(not_pending(invite.status));
    }
    Ok(End::Proceed)
}

/// What resending writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resend {
    /// The expiry after the resend: unchanged while live; a fresh period of
    /// the invite's original length once expired.
    pub expires_at: i64,
    /// Whether the invite still holds its seat and e-mail, or takes them again.
    pub seat: SeatAction,
    pub resend_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatAction {
    /// It holds its seat: move the e-mail lock's expiry along.
    Keep,
    /// Its seat was given back: take one again (or `seat_limit_reached`).
    Take,
}

/// Decides a resend, given who holds the invite's e-mail on the resource now.
pub fn resend(invite: &Invite, holder: Option<&EmailHolder>, now: i64) -> Result<Resend, Error> {
    if !invite.status.is_open() {
        return Err(not_pending(invite.status));
    }
    if let Some(last) = invite.last_resent_at
        && now - last < RESEND_INTERVAL_SECS
    {
        return Err(Error::RateLimited {
            retry_after: (RESEND_INTERVAL_SECS - (now - last)) as u64,
            message: "an invite can be resent once every 5 minutes".into(),
        });
    }
    if invite.resend_count >= MAX_RESENDS {
        return Err(Error::RateLimited {
            retry_after: (invite.expires_at - now).max(RESEND_INTERVAL_SECS) as u64,
            message: format!("an invite can be resent at most {MAX_RESENDS} times; revoke it and invite again"),
        });
    }
    // An expired or undeliverable invite comes back with a fresh period.
    let expired = invite.effective_status(now) != InviteStatus::Pending;
    let holds_lock = matches!(holder, Some(EmailHolder::Invite { invite_id, .. }) if *invite_id == invite.invite_id);
    if expired && !holds_lock {
        match holder {
            Some(EmailHolder::Member { .. }) => return Err(already_member_error()),
            Some(EmailHolder::Invite { .. }) => {
                return Err(Error::conflict(Code::AlreadyPending, "another invite to this e-mail is pending"));
            }
            None => {}
        }
    }
    let period = (invite.expires_at - invite.created_at).clamp(DAY, MAX_EXPIRY_DAYS * DAY);
    Ok(Resend {
        expires_at: if expired { now + period } else { invite.expires_at },
        seat: if holds_lock { SeatAction::Keep } else { SeatAction::Take },
        resend_count: invite.resend_count + 1,
    })
}

/// Only a live invite's link may be copied.
pub fn copy_link(invite: &Invite, now: i64) -> Result<(), Error> {
    match invite.effective_status(now) {
        InviteStatus::Pending => Ok(()),
        other => Err(not_pending(other)),
    }
}

/// Changing the role a pending invite grants: `None` when it already grants it.
pub fn change_role(invite: &Invite, role: Role, now: i64) -> Result<Option<Role>, Error> {
    match invite.effective_status(now) {
        InviteStatus::Pending if invite.role == role => Ok(None),
        InviteStatus::Pending => Ok(Some(role)),
        other => Err(not_pending(other)),
    }
}

/// Who holds an address that a write needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Member,
    LiveInvite,
}

impl Holder {
    /// The answer to someone inviting the address.
    pub fn refuse_invite(self) -> Error {
        match self {
            Self::Member => already_member_error(),
            Self::LiveInvite => already_pending_error(),
        }
    }

    /// The answer to the address's owner joining without an invitation
    /// (team link, domain): an invitation waiting comes first.
    pub fn refuse_join(self) -> Error {
        match self {
            Self::Member => already_member_error(),
            Self::LiveInvite => crate::team_links::invitation_waiting(),
        }
    }
}

/// Why an address could not be taken, read from its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailTaken {
    /// A member or a live invite holds it: refuse (how depends on who asked).
    Refuse(Holder),
    /// An expired invite still holds it: reclaim its seat and e-mail, retry.
    Reclaim,
    /// Nobody holds it any more: retry.
    Retry,
}

pub fn email_taken(holder: Option<&EmailHolder>, now: i64) -> EmailTaken {
    match holder {
        Some(EmailHolder::Member { .. }) => EmailTaken::Refuse(Holder::Member),
        Some(EmailHolder::Invite { expires_at, .. }) if *expires_at > now => EmailTaken::Refuse(Holder::LiveInvite),
        Some(EmailHolder::Invite { .. }) => EmailTaken::Reclaim,
        None => EmailTaken::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Email;

    const NOW: i64 = 1_000_000;

    fn invite(status: InviteStatus, expires_at: i64) -> Invite {
        crate::records::test_invite(status, expires_at)
    }

    fn live() -> Invite {
        invite(InviteStatus::Pending, NOW + DAY)
    }

    fn expired() -> Invite {
        invite(InviteStatus::Pending, NOW - 1)
    }

    fn who(sub: &str, email: Option<&str>, verified: bool) -> Identity {
        Identity {
            sub: sub.into(),
            email: email.map(|e| Email::parse(e).unwrap()),
            email_verified: verified,
            name: None,
        }
    }

    fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
        r.unwrap_err().code().as_str()
    }

    #[test]
    fn accept_needs_a_live_invite_and_the_invited_verified_address() {
        let ann = who("u1", Some("Ann@Example.com"), true);
        assert_eq!(accept(&live(), &ann, NOW).unwrap(), Accept::Join);
        assert_eq!(code(accept(&live(), &who("u2", Some("bob@example.com"), true), NOW)), "email_mismatch");
        assert_eq!(code(accept(&live(), &who("u1", Some("ann@example.com"), false), NOW)), "email_not_verified");
        assert_eq!(code(accept(&live(), &who("u1", None, false), NOW)), "email_not_verified");
        assert_eq!(code(accept(&expired(), &ann, NOW)), "invite_expired");
        assert_eq!(code(accept(&invite(InviteStatus::Revoked, NOW + DAY), &ann, NOW)), "invite_revoked");
        assert_eq!(code(accept(&invite(InviteStatus::Declined, NOW + DAY), &ann, NOW)), "invite_declined");
    }

    #[test]
    fn accepting_again_is_idempotent_for_the_same_account_only() {
        let mut i = invite(InviteStatus::Accepted, NOW - DAY);
        i.accepted_by = Some("u1".into());
        assert_eq!(accept(&i, &who("u1", Some("ann@example.com"), true), NOW).unwrap(), Accept::AlreadyYours);
        assert_eq!(code(accept(&i, &who("u9", Some("ann@example.com"), true), NOW)), "invite_already_used");
    }

    #[test]
    fn ended_invites_never_come_back() {
        for status in [InviteStatus::Accepted, InviteStatus::Revoked, InviteStatus::Declined] {
            let i = invite(status, NOW + DAY);
            assert!(resend(&i, None, NOW).is_err(), "resend {status:?}");
            assert!(copy_link(&i, NOW).is_err(), "copy {status:?}");
            assert!(change_role(&i, Role::READ_ONLY, NOW).is_err(), "role {status:?}");
        }
        assert_eq!(code(end(&invite(InviteStatus::Accepted, NOW + DAY), Ending::Revoked, NOW)), "invite_not_pending");
        assert_eq!(code(end(&invite(InviteStatus::Declined, NOW + DAY), Ending::Revoked, NOW)), "invite_not_pending");
        assert_eq!(code(end(&invite(InviteStatus::Revoked, NOW + DAY), Ending::Declined, NOW)), "invite_revoked");
    }

    #[test]
    fn revoke_and_decline() {
        assert_eq!(end(&live(), Ending::Revoked, NOW).unwrap(), End::Proceed);
        assert_eq!(end(&live(), Ending::Declined, NOW).unwrap(), End::Proceed);
        // An expired invite can still be revoked (so it is never resent), not declined.
        assert_eq!(end(&expired(), Ending::Revoked, NOW).unwrap(), End::Proceed);
        assert_eq!(code(end(&expired(), Ending::Declined, NOW)), "invite_expired");
        assert_eq!(end(&invite(InviteStatus::Revoked, NOW), Ending::Revoked, NOW).unwrap(), End::AlreadyDone);
        assert_eq!(end(&invite(InviteStatus::Declined, NOW), Ending::Declined, NOW).unwrap(), End::AlreadyDone);
        assert_eq!(Ending::Revoked.action().as_str(), "invite.revoked");
    }

    #[test]
    fn resend_keeps_a_live_invite_and_renews_an_expired_one() {
        let lock = |id: &str, exp| EmailHolder::Invite { invite_id: id.into(), expires_at: exp };
        let i = live();
        let plan = resend(&i, Some(&lock("i", i.expires_at)), NOW).unwrap();
        assert_eq!(plan, Resend { expires_at: i.expires_at, seat: SeatAction::Keep, resend_count: 1 });

        let e = expired();
        // Its seat was reclaimed: a fresh period of the original 7 days, and a seat again.
        let plan = resend(&e, None, NOW).unwrap();
        assert_eq!(plan, Resend { expires_at: NOW + 7 * DAY, seat: SeatAction::Take, resend_count: 1 });
        // Not reclaimed yet: it still holds the lock and keeps it.
        assert_eq!(resend(&e, Some(&lock("i", e.expires_at)), NOW).unwrap().seat, SeatAction::Keep);
        // Someone else holds the address now.
        assert_eq!(code(resend(&e, Some(&lock("other", NOW + DAY)), NOW)), "already_pending");
        assert_eq!(code(resend(&e, Some(&EmailHolder::Member { user_id: None }), NOW)), "already_member");
    }

    #[test]
    fn an_undeliverable_invite_can_be_revoked_or_resent_but_its_link_is_gone() {
        let u = invite(InviteStatus::Undeliverable, NOW + DAY);
        let ann = who("u1", Some("ann@example.com"), true);
        assert_eq!(code(accept(&u, &ann, NOW)), "invite_undeliverable");
        assert_eq!(code(end(&u, Ending::Declined, NOW)), "invite_undeliverable");
        assert_eq!(code(copy_link(&u, NOW)), "invite_not_pending");
        assert_eq!(end(&u, Ending::Revoked, NOW).unwrap(), End::Proceed);
        // Its seat and address were given back when it bounced: a fresh period and a seat again.
        let plan = resend(&u, None, NOW).unwrap();
        assert_eq!(plan.seat, SeatAction::Take);
        assert!(plan.expires_at > NOW + DAY);
    }

    #[test]
    fn renewal_period_is_bounded() {
        let mut e = expired();
        e.created_at = e.expires_at - 90 * DAY;
        assert_eq!(resend(&e, None, NOW).unwrap().expires_at, NOW + MAX_EXPIRY_DAYS * DAY);
        e.created_at = e.expires_at;
        assert_eq!(resend(&e, None, NOW).unwrap().expires_at, NOW + DAY);
    }

    #[test]
    fn resend_is_rate_limited() {
        let mut i = live();
        i.last_resent_at = Some(NOW - 60);
        match resend(&i, None, NOW).unwrap_err() {
            Error::RateLimited { retry_after, .. } => assert_eq!(retry_after, 240),
            other => panic!("{other:?}"),
        }
        i.last_resent_at = Some(NOW - RESEND_INTERVAL_SECS);
        assert!(resend(&i, None, NOW).is_ok());
        i.resend_count = MAX_RESENDS;
        assert_eq!(code(resend(&i, None, NOW)), "rate_limited");
    }

    #[test]
    fn copy_link_and_role_change_need_a_live_invite() {
        assert!(copy_link(&live(), NOW).is_ok());
        assert_eq!(code(copy_link(&expired(), NOW)), "invite_not_pending");
        assert_eq!(change_role(&live(), Role::ADMIN, NOW).unwrap(), None);
        assert_eq!(change_role(&live(), Role::READ_ONLY, NOW).unwrap(), Some(Role::READ_ONLY));
        assert_eq!(code(change_role(&expired(), Role::READ_ONLY, NOW)), "invite_not_pending");
    }

    #[test]
    fn an_address_held_by_an_expired_invite_is_reclaimed() {
        let member = EmailHolder::Member { user_id: Some("u".into()) };
        assert_eq!(email_taken(Some(&member), NOW), EmailTaken::Refuse(Holder::Member));
        let live = EmailHolder::Invite { invite_id: "x".into(), expires_at: NOW + 1 };
        assert_eq!(email_taken(Some(&live), NOW), EmailTaken::Refuse(Holder::LiveInvite));
        assert_eq!(Holder::LiveInvite.refuse_invite(), already_pending_error());
        assert_eq!(Holder::LiveInvite.refuse_join().code(), "already_pending");
        assert_ne!(Holder::LiveInvite.refuse_join(), already_pending_error(), "the join says to accept the invitation");
        let stale = EmailHolder::Invite { invite_id: "x".into(), expires_at: NOW };
        assert_eq!(email_taken(Some(&stale), NOW), EmailTaken::Reclaim);
        assert!(stale.is_expired_invite(NOW) && !live.is_expired_invite(NOW) && !member.is_expired_invite(NOW));
        assert_eq!(email_taken(None, NOW), EmailTaken::Retry);
    }
}
