//! What happened to an invitation e-mail after SES accepted it, and what the
//! service does about it.
//!
//! SES reports each message's fate as events (delivery, delay, bounce,
//! complaint, reject). They arrive late, twice, or out of order, so each
//! state has a rank and an event is recorded only when it outranks what the
//! invite already shows for the same message:
//!
//! ```text
//!   sent ─▶ delayed (1) ─▶ soft bounce (2) ─▶ delivered (3) ─▶ hard bounce / rejected (4) ─▶ complained (5)
//! ```
//! A hard bounce or a complaint makes the address unusable for this
//! resource: the invite (while still open) becomes `undeliverable`, its seat
//! is freed, and the address goes on the resource's suppression list, which
//! new invites and resends respect unless an admin overrides it.

use crate::error::Code;
use crate::records::Invite;
use crate::{Error, InviteStatus};
use serde::{Deserialize, Serialize};

/// Where an e-mail is after SES took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Delayed,
    Delivered,
    Bounced,
    Complained,
    Rejected,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delayed => "delayed",
            Self::Delivered => "delivered",
            Self::Bounced => "bounced",
            Self::Complained => "complained",
            Self::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BounceType {
    /// The address does not exist or refuses for good.
    Hard,
    /// A full mailbox, a message too large, a temporary refusal.
    Soft,
}

impl BounceType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hard => "hard",
            Self::Soft => "soft",
        }
    }
}

/// One SES event about one message, reduced to what the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryEvent {
    pub message_id: String,
    pub state: DeliveryState,
    pub bounce: Option<BounceType>,
    /// SES's diagnostic (bounce status, delay type, reject reason), if any.
    pub detail: Option<String>,
}

impl DeliveryEvent {
    pub fn rank(&self) -> u8 {
        rank(self.state, self.bounce)
    }

    /// An address that must not get invitation e-mails from this resource.
    pub fn suppresses(&self) -> bool {
        matches!(
            (self.state, self.bounce),
            (DeliveryState::Bounced, Some(BounceType::Hard)) | (DeliveryState::Complained, _)
        )
    }

    /// The audit action, for the events an admin must hear about.
    pub fn audit_action(&self) -> Option<crate::audit::AuditAction> {
        use crate::audit::AuditAction;
        match self.state {
            DeliveryState::Bounced => Some(AuditAction::InviteBounced),
            DeliveryState::Complained => Some(AuditAction::InviteComplained),
            DeliveryState::Rejected => Some(AuditAction::DeliveryFailed),
            DeliveryState::Delayed | DeliveryState::Delivered => None,
        }
    }
}

/// How far along a state is; later events never overwrite higher ranks.
pub fn rank(state: DeliveryState, bounce: Option<BounceType>) -> u8 {
    match (state, bounce) {
        (DeliveryState::Delayed, _) => 1,
        (DeliveryState::Bounced, Some(BounceType::Soft)) => 2,
        (DeliveryState::Delivered, _) => 3,
        (DeliveryState::Bounced, _) | (DeliveryState::Rejected, _) => 4,
        (DeliveryState::Complained, _) => 5,
    }
}

/// What recording an event does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// Nothing: not one of ours, an older message of the invite, or a state
    /// the invite already shows (a duplicate or a late event).
    Ignore(&'static str),
    Apply {
        /// The invite ends as undeliverable and gives its seat back.
        undeliverable: bool,
        /// The address goes on the resource's suppression list.
        suppress: bool,
    },
}

/// Decides an event for the invite its tags point to.
pub fn record(invite: Option<&Invite>, event: &DeliveryEvent) -> Record {
    let Some(invite) = invite else { return Record::Ignore("unknown invite") };
    // The message must be the invite's latest, and the latest send must be
    // the one that went out: after a resend, the earlier e-mail's events
    // (late, or delivered twice) no longer speak for the invite.
    let current_send_out = invite.sent_send_id.as_deref() == Some(invite.send_id.as_str());
    if !current_send_out || invite.ses_message_id.as_deref() != Some(event.message_id.as_str()) {
        return Record::Ignore("another message");
    }
    if event.rank() <= invite.delivery_rank() {
        return Record::Ignore("already recorded");
    }
    let suppress = event.suppresses();
    Record::Apply {
        undeliverable: suppress && matches!(invite.status, InviteStatus::Pending | InviteStatus::Expired),
        suppress,
    }
}

/// A new invite or a resend to a suppressed address, without the override.
pub fn suppressed_error() -> Error {
    Error::conflict(
        Code::EmailSuppressed,
        "e-mail to this address bounced or was marked as spam; send again only with ignoreSuppression",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(status: &str, mid: Option<&str>) -> Invite {
        let mut i = crate::records::test_invite(InviteStatus::parse(status).unwrap(), 100);
        i.ses_message_id = mid.map(str::to_owned);
        i.sent_send_id = mid.map(|_| "s1".to_owned());
        i
    }

    fn event(state: DeliveryState, bounce: Option<BounceType>) -> DeliveryEvent {
        DeliveryEvent { message_id: "m1".into(), state, bounce, detail: None }
    }

    fn apply(i: &mut Invite, e: &DeliveryEvent) -> Record {
        let r = record(Some(i), e);
        if matches!(r, Record::Apply { .. }) {
            i.delivery_state = Some(e.state);
            i.bounce_type = e.bounce;
        }
        r
    }

    #[test]
    fn names_match_the_stored_json() {
        for s in [
            DeliveryState::Delayed,
            DeliveryState::Delivered,
            DeliveryState::Bounced,
            DeliveryState::Complained,
            DeliveryState::Rejected,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for b in [BounceType::Hard, BounceType::Soft] {
            assert_eq!(serde_json::to_value(b).unwrap(), b.as_str());
        }
    }

    #[test]
    fn only_the_invites_current_message_counts() {
        let e = event(DeliveryState::Delivered, None);
        assert_eq!(record(None, &e), Record::Ignore("unknown invite"));
        assert_eq!(record(Some(&invite("pending", None)), &e), Record::Ignore("another message"));
        assert_eq!(record(Some(&invite("pending", Some("m0"))), &e), Record::Ignore("another message"));
        assert_eq!(
            record(Some(&invite("pending", Some("m1"))), &e),
            Record::Apply { undeliverable: false, suppress: false }
        );
    }

    #[test]
    fn after_a_resend_the_earlier_emails_events_are_ignored() {
        let mut i = invite("undeliverable", Some("m1"));
        // Resent: a new send id, not out yet; the recorded message is the old one.
        i.send_id = "s2".into();
        i.status = InviteStatus::Pending;
        let bounce = event(DeliveryState::Bounced, Some(BounceType::Hard));
        assert_eq!(record(Some(&i), &bounce), Record::Ignore("another message"));
    }

    #[test]
    fn duplicates_and_late_events_change_nothing() {
        let mut i = invite("pending", Some("m1"));
        assert!(matches!(apply(&mut i, &event(DeliveryState::Delivered, None)), Record::Apply { .. }));
        assert_eq!(apply(&mut i, &event(DeliveryState::Delivered, None)), Record::Ignore("already recorded"));
        assert_eq!(apply(&mut i, &event(DeliveryState::Delayed, None)), Record::Ignore("already recorded"));
        assert_eq!(
            apply(&mut i, &event(DeliveryState::Bounced, Some(BounceType::Soft))),
            Record::Ignore("already recorded")
        );
        // A complaint comes after delivery, and counts.
        assert_eq!(
            apply(&mut i, &event(DeliveryState::Complained, None)),
            Record::Apply { undeliverable: true, suppress: true }
        );
        assert_eq!(i.delivery_state, Some(DeliveryState::Complained));
    }

    #[test]
    fn out_of_order_a_delay_after_the_bounce_is_ignored() {
        let mut i = invite("pending", Some("m1"));
        assert_eq!(
            apply(&mut i, &event(DeliveryState::Bounced, Some(BounceType::Hard))),
            Record::Apply { undeliverable: true, suppress: true }
        );
        assert_eq!(apply(&mut i, &event(DeliveryState::Delayed, None)), Record::Ignore("already recorded"));
        assert_eq!(apply(&mut i, &event(DeliveryState::Delivered, None)), Record::Ignore("already recorded"));
    }

    #[test]
    fn only_hard_bounces_and_complaints_suppress_and_end_an_open_invite() {
        let i = invite("pending", Some("m1"));
        let soft = event(DeliveryState::Bounced, Some(BounceType::Soft));
        assert_eq!(record(Some(&i), &soft), Record::Apply { undeliverable: false, suppress: false });
        let rejected = event(DeliveryState::Rejected, None);
        assert_eq!(record(Some(&i), &rejected), Record::Apply { undeliverable: false, suppress: false });
        assert_eq!(rejected.audit_action().map(|a| a.as_str()), Some("invite.delivery_failed"));
        // An expired invite becomes undeliverable too (it could be resent).
        let hard = event(DeliveryState::Bounced, Some(BounceType::Hard));
        assert_eq!(
            record(Some(&invite("expired", Some("m1"))), &hard),
            Record::Apply { undeliverable: true, suppress: true }
        );
        // A complaint about an accepted invite suppresses the address, the membership stays.
        let complaint = event(DeliveryState::Complained, None);
        assert_eq!(
            record(Some(&invite("accepted", Some("m1"))), &complaint),
            Record::Apply { undeliverable: false, suppress: true }
        );
        assert_eq!(
            record(Some(&invite("revoked", Some("m1"))), &hard),
            Record::Apply { undeliverable: false, suppress: true }
        );
    }
}
