//! The mail worker's decision: send this queued message or skip it.

use crate::InviteStatus;
use crate::message::SendInvite;
use crate::records::Invite;

/// Why a message sends nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    InviteGone,
    /// A resend or a revoke made this message stale.
    Superseded,
    NotPending,
    /// The address bounced for good or complained since it was queued.
    Suppressed,
    /// Its inviter no longer manages the resource: the link would not work.
    Withdrawn,
    AlreadySent,
}

impl Skip {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InviteGone => "invite gone",
            Self::Superseded => "superseded",
            Self::NotPending => "not pending",
            Self::Suppressed => "suppressed",
            Self::Withdrawn => "withdrawn",
            Self::AlreadySent => "already sent",
        }
    }
}

/// A message sends only for an invite that is still pending, unexpired, and
/// whose current send is the message's and has not gone out yet. (A revoke
/// makes the invite not pending: revoke wins over a queued e-mail.)
pub fn should_send(invite: Option<&Invite>, msg: &SendInvite, now: i64) -> Result<(), Skip> {
    let invite = invite.ok_or(Skip::InviteGone)?;
    if invite.send_id != msg.send_id {
        return Err(Skip::Superseded);
    }
    match invite.effective_status(now) {
        InviteStatus::Pending => {}
        InviteStatus::Undeliverable => return Err(Skip::Suppressed),
        InviteStatus::Withdrawn => return Err(Skip::Withdrawn),
        _ => return Err(Skip::NotPending),
    }
    if invite.sent_send_id.as_deref() == Some(msg.send_id.as_str()) {
        return Err(Skip::AlreadySent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_send_of_a_live_invite_goes_out() {
        let mut i = crate::records::test_invite(InviteStatus::Pending, 100);
        let msg = SendInvite::new("r".into(), "i".into(), "s1".into());
        assert_eq!(should_send(None, &msg, 0), Err(Skip::InviteGone));
        assert_eq!(should_send(Some(&i), &msg, 0), Ok(()));
        assert_eq!(should_send(Some(&i), &msg, 100), Err(Skip::NotPending), "expired");
        let stale = SendInvite::new("r".into(), "i".into(), "s0".into());
        assert_eq!(should_send(Some(&i), &stale, 0), Err(Skip::Superseded));
        i.sent_send_id = Some("s1".into());
        assert_eq!(should_send(Some(&i), &msg, 0), Err(Skip::AlreadySent));
        i.status = InviteStatus::Revoked;
        assert_eq!(should_send(Some(&i), &msg, 0), Err(Skip::NotPending));
        i.status = InviteStatus::Undeliverable;
        assert_eq!(should_send(Some(&i), &msg, 0), Err(Skip::Suppressed));
        i.status = InviteStatus::Withdrawn;
        assert_eq!(should_send(Some(&i), &msg, 0), Err(Skip::Withdrawn));
    }
}
