//! The scheduled sweep: what happens to an invite whose time has come.
//!
//! Every pending invite carries a due time (a sparse index, see
//! `infra/table-design.md`): a while after its e-mail was queued (to find a
//! lost queue send or a claim whose worker died), then the day its one
//! reminder is due, then its expiry (to give its seat back, so the seat
//! counter is right within one sweep and nobody's read has to count expired
//! invites). The sweep reads what is due and decides here.

use crate::InviteStatus;
use crate::limits::Limits;
use crate::records::Invite;
use crate::time::DAY;

/// What the sweep does with a due invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing more will be due: take it off the index.
    Done,
    /// Not yet: look again at this time.
    Later(i64),
    /// The current send never went out (the queue send was lost, or the
    /// worker died after its claim): queue it again.
    Requeue,
    /// Send the one reminder.
    Remind,
    /// It expired while pending: give its seat and address back.
    FreeSeat,
}

/// When to look again after an e-mail was queued at `now`.
pub fn due_after_queued(limits: &Limits, now: i64) -> i64 {
    now + limits.requeue_after_secs
}

/// When to look again after the current send went out: the reminder's day
/// while one is wanted, else the expiry (to give the seat back).
pub fn due_after_sent(invite: &Invite, limits: &Limits) -> i64 {
    if reminder_wanted(invite, limits) { remind_at(invite, limits) } else { invite.expires_at }
}

/// A reminder is still to come: on for the deployment and the invite, and
/// not made yet.
fn reminder_wanted(invite: &Invite, limits: &Limits) -> bool {
    limits.reminder_days > 0 && invite.reminder && invite.reminder_send_id.is_none()
}

/// The reminder goes out this long before expiry.
pub fn remind_at(invite: &Invite, limits: &Limits) -> i64 {
    invite.expires_at - limits.reminder_days * DAY
}

/// Whether the send the worker is about to make is the invite's reminder.
pub fn is_reminder(invite: &Invite, send_id: &str) -> bool {
    invite.reminder_send_id.as_deref() == Some(send_id)
}

/// The decision for a due invite. `resource_reminders` is the resource's
/// setting (an owner or admin may turn reminders off for all its invites).
pub fn decide(invite: &Invite, resource_reminders: bool, limits: &Limits, now: i64) -> Action {
    match invite.effective_status(now) {
        InviteStatus::Pending => {}
        InviteStatus::Expired if invite.status == InviteStatus::Pending => return Action::FreeSeat,
        _ => return Action::Done,
    }
    let at_expiry = Action::Later(invite.expires_at);
    if invite.sent_send_id.as_deref() != Some(invite.send_id.as_str()) {
        // A worker holds a fresh claim: it may still be sending.
        if let (Some(sid), Some(at)) = (&invite.sending_id, invite.sending_at)
            && *sid == invite.send_id
            && at + limits.claim_secs > now
        {
            return Action::Later(at + limits.claim_secs);
        }
        return Action::Requeue;
    }
    if invite.delivery_error.is_some() || !resource_reminders || !reminder_wanted(invite, limits) {
        return at_expiry;
    }
    let at = remind_at(invite, limits);
    if now < at {
        return Action::Later(at);
    }
    // The last e-mail went out inside the reminder window (a resend close
    // to expiry, or a short-lived invite): it is the reminder.
    if invite.sent_at.is_some_and(|sent| sent >= at) {
        return at_expiry;
    }
    Action::Remind
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::test_invite;

    const EXPIRES: i64 = 100 * DAY;

    fn sent(mut i: Invite, at: i64) -> Invite {
        i.sent_send_id = Some(i.send_id.clone());
        i.sent_at = Some(at);
        i
    }

    #[test]
    fn an_unsent_invite_is_queued_again_unless_a_worker_holds_a_fresh_claim() {
        let l = Limits::default();
        let mut i = test_invite(InviteStatus::Pending, EXPIRES);
        let now = i.created_at + l.requeue_after_secs;
        assert_eq!(decide(&i, true, &l, now), Action::Requeue);
        i.sending_id = Some("s1".into());
        i.sending_at = Some(now - 10);
        assert_eq!(decide(&i, true, &l, now), Action::Later(now - 10 + l.claim_secs));
        i.sending_at = Some(now - l.claim_secs);
        assert_eq!(decide(&i, true, &l, now), Action::Requeue, "the worker died after its claim");
        i.sending_id = Some("s0".into());
        i.sending_at = Some(now);
        assert_eq!(decide(&i, true, &l, now), Action::Requeue, "a claim of an older send");
        // Even with reminders off: the invite itself must go out.
        assert_eq!(decide(&i, false, &Limits { reminder_days: 0, ..l }, now), Action::Requeue);
    }

    #[test]
    fn one_reminder_on_its_day() {
        let l = Limits::default();
        let i = sent(test_invite(InviteStatus::Pending, EXPIRES), EXPIRES - 7 * DAY);
        let day = EXPIRES - l.reminder_days * DAY;
        assert_eq!(due_after_sent(&i, &l), day);
        assert_eq!(decide(&i, true, &l, day - 1), Action::Later(day));
        assert_eq!(decide(&i, true, &l, day), Action::Remind);
        assert_eq!(decide(&i, true, &l, EXPIRES - 1), Action::Remind);
        assert_eq!(decide(&i, true, &l, EXPIRES), Action::FreeSeat, "expired: its seat goes back");
        let mut reminded = i.clone();
        reminded.reminder_send_id = Some("s1".into());
        assert_eq!(due_after_sent(&reminded, &l), EXPIRES, "next: the expiry");
        assert_eq!(decide(&reminded, true, &l, day), Action::Later(EXPIRES), "only one");
        assert_eq!(decide(&reminded, true, &l, EXPIRES), Action::FreeSeat);
        assert!(is_reminder(&reminded, "s1") && !is_reminder(&i, "s1"));
    }

    #[test]
    fn no_reminder_when_turned_off_refused_ended_or_just_sent() {
        let l = Limits::default();
        let day = EXPIRES - l.reminder_days * DAY;
        let i = sent(test_invite(InviteStatus::Pending, EXPIRES), EXPIRES - 7 * DAY);
        // No reminder: the sweep comes back at the expiry for the seat.
        let at_expiry = Action::Later(EXPIRES);
        assert_eq!(decide(&i, false, &l, day), at_expiry, "off for the resource");
        let never = Limits { reminder_days: 0, ..l };
        assert_eq!(decide(&i, true, &never, day), at_expiry, "off for the deployment");
        assert_eq!(due_after_sent(&i, &never), EXPIRES);
        let mut off = i.clone();
        off.reminder = false;
        assert_eq!(decide(&off, true, &l, day), at_expiry, "off for the invite");
        let mut refused = i.clone();
        refused.delivery_error = Some("MessageRejected".into());
        assert_eq!(decide(&refused, true, &l, day), at_expiry);
        for status in
            [InviteStatus::Accepted, InviteStatus::Revoked, InviteStatus::Declined, InviteStatus::Undeliverable]
        {
            let mut ended = i.clone();
            ended.status = status;
            assert_eq!(decide(&ended, true, &l, day), Action::Done, "{status:?}");
            assert_eq!(decide(&ended, true, &l, EXPIRES + 1), Action::Done, "no seat to give back: {status:?}");
        }
        let resent_late = sent(test_invite(InviteStatus::Pending, EXPIRES), day + 1);
        assert_eq!(decide(&resent_late, true, &l, day + 2), at_expiry);
        // Marked expired already (a seat reclaimed on demand): nothing left.
        let mut marked = i.clone();
        marked.status = InviteStatus::Expired;
        assert_eq!(decide(&marked, true, &l, EXPIRES + 1), Action::Done);
    }
}
