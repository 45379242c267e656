//! Per-deployment limits, expiry and retention: how long things live.

use crate::time::DAY;

/// Default seats per resource: "up to 10 additional users".
pub const DEFAULT_SEAT_LIMIT: u32 = 10;
/// How long audit entries are kept.
pub const AUDIT_RETENTION_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Members besides the owner plus live invites.
    pub seat_limit: u32,
    /// New invites per resource per UTC day.
    pub daily_invites: u32,
    /// E-mails (invites and resends) one user may cause per UTC day, across
    /// all their resources.
    pub user_daily_invites: u32,
    /// Invitation e-mails (invites, resends and reminders) the whole
    /// deployment sends per UTC day: what holds when many accounts are
    /// opened to send (each stays under its own budget).
    pub deployment_daily_emails: u32,
    /// Resources one user may own.
    pub resources_per_owner: u32,
    /// How long ended invites stay listed.
    pub retention_days: i64,
    /// The one reminder goes out this many days before expiry (0: never).
    pub reminder_days: i64,
    /// An invite whose e-mail has not gone out this long after it was
    /// queued is queued again by the sweep.
    pub requeue_after_secs: i64,
    /// A worker's claim on a send older than this may be taken over (the
    /// worker died after claiming). Keep it below the queue's visibility
    /// timeout, so the redelivered message finds the claim stale.
    pub claim_secs: i64,
    /// The language of invitations that name none and whose resource has
    /// no default (`INVITES_DEFAULT_LOCALE`, English unless set).
    pub default_locale: crate::Locale,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            seat_limit: DEFAULT_SEAT_LIMIT,
            daily_invites: 50,
            user_daily_invites: 100,
            deployment_daily_emails: 5_000,
            resources_per_owner: 25,
            retention_days: 30,
            reminder_days: 2,
            requeue_after_secs: 600,
            claim_secs: 120,
            default_locale: crate::Locale::En,
        }
    }
}

impl Limits {
    /// When a pending invite may be deleted for good: its expiry plus the
    /// retention period (it is listed as expired meanwhile).
    pub fn keep_pending_until(&self, expires_at: i64) -> i64 {
        expires_at + self.retention_days * DAY
    }

    /// When an invite that ended `now` (accepted, revoked, declined) may go.
    pub fn keep_ended_until(&self, now: i64) -> i64 {
        now + self.retention_days * DAY
    }
}

/// When an audit entry written `now` may go.
pub fn keep_audit_until(now: i64) -> i64 {
    now + AUDIT_RETENTION_DAYS * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention() {
        let l = Limits::default();
        assert_eq!(l.keep_pending_until(1_000), 1_000 + 30 * DAY);
        assert_eq!(l.keep_ended_until(5), 5 + 30 * DAY);
        assert_eq!(keep_audit_until(0), 365 * DAY);
    }
}
