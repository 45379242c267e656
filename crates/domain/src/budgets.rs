//! Sending budgets, so no account can turn the service into a spam relay:
//! only a verified address may register resources or send invitations; each
//! resource has a daily e-mail budget (invites, resends, reminders), each
//! user a daily budget across all their resources (invites and resends), the
//! deployment a daily cap on every invitation e-mail (for when many accounts
//! are opened to send), and each user a cap on the resources they own. The
//! store checks each budget inside the same transaction as the write it
//! guards.

use crate::error::Code;
use crate::time::DAY;
use crate::{Error, Identity};

/// The UTC day an instant falls in (the budgets' window).
pub fn budget_day(now: i64) -> i64 {
    now.div_euclid(DAY)
}

fn until_midnight(now: i64) -> u64 {
    ((budget_day(now) + 1) * DAY - now).max(1) as u64
}

/// The resource's daily e-mail budget is spent: retry at the next UTC midnight.
pub fn resource_budget_spent(now: i64, limit: u32) -> Error {
    Error::RateLimited {
        retry_after: until_midnight(now),
        message: format!("at most {limit} invitation e-mails (invites and resends) per resource per day"),
    }
}

/// The resource took as many requests to join today as it may.
pub fn requests_budget_spent(now: i64, limit: u32) -> Error {
    Error::RateLimited {
        retry_after: until_midnight(now),
        message: format!("this resource takes at most {limit} requests to join a day"),
    }
}

/// The deployment's daily e-mail cap is reached: nobody sends until the
/// next UTC midnight (the operator was alarmed before).
pub fn deployment_budget_spent(now: i64) -> Error {
    Error::RateLimited {
        retry_after: until_midnight(now),
        message: "the service has sent as many invitation e-mails today as it may; try again tomorrow".into(),
    }
}

/// The share of the deployment's daily cap used, in whole percent (the
/// sweep publishes it; an alarm fires at 80).
pub fn cap_used_percent(sent: u64, cap: u32) -> u64 {
    (sent * 100).checked_div(u64::from(cap)).unwrap_or(100).min(100)
}

/// The caller's own daily budget, across all their resources, is spent.
pub fn user_budget_spent(now: i64, limit: u32) -> Error {
    Error::RateLimited {
        retry_after: until_midnight(now),
        message: format!("at most {limit} invitation e-mails per user per day, across all resources"),
    }
}

/// The caller owns as many resources as one user may.
pub fn resource_limit_reached(limit: u32) -> Error {
    Error::forbidden(Code::ResourceLimitReached, format!("one user may own at most {limit} resources"))
}

/// Registering resources and sending invitations needs a verified address:
/// an unverified one could be anybody's.
pub fn require_verified_sender(who: &Identity) -> Result<(), Error> {
    match who.verified_email() {
        Some(_) => Ok(()),
        None => Err(Error::forbidden(
            Code::EmailNotVerified,
            "verify your e-mail address before registering resources or inviting people",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Email;

    #[test]
    fn budgets_retry_at_midnight() {
        let now = 3 * DAY + 100;
        for e in [resource_budget_spent(now, 50), user_budget_spent(now, 100)] {
            match e {
                Error::RateLimited { retry_after, .. } => assert_eq!(retry_after, (DAY - 100) as u64),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(budget_day(now), 3);
        assert_eq!(budget_day(-1), -1);
        assert_eq!(resource_limit_reached(25).status(), 403);
        assert_eq!(deployment_budget_spent(now).status(), 429);
        assert_eq!(
            (cap_used_percent(0, 5000), cap_used_percent(3999, 5000), cap_used_percent(4000, 5000)),
            (0, 79, 80)
        );
        assert_eq!(cap_used_percent(9000, 5000), 100);
    }

    #[test]
    fn only_verified_senders() {
        let mut who = Identity { sub: "u".into(), email: None, email_verified: false, name: None };
        assert_eq!(require_verified_sender(&who).unwrap_err().code(), "email_not_verified");
        who.email = Some(Email::parse("a@b.co").unwrap());
        assert!(require_verified_sender(&who).is_err());
        who.email_verified = true;
        assert!(require_verified_sender(&who).is_ok());
    }
}
