//! Why a transaction did not commit, explained once for every use case that
//! meets the same failed condition: no free seat (create, resend, joins),
//! the address taken (create, joins), the caller no longer managing. Each
//! answers with the domain's typed outcome: refuse, or clear the way and
//! run the round again ([`TxError::Retry`]).

use super::items::EmailLockItem;
use super::{Check, Store, TxError};
use invites_domain::budgets::{deployment_budget_spent, resource_budget_spent, user_budget_spent};
use invites_domain::lifecycle::{EmailTaken, Holder, email_taken};
use invites_domain::members::may_grant;
use invites_domain::role::Can;
use invites_domain::seats::seat_limit_reached;
use invites_domain::{Error, Identity, ResourceId, Role};

impl Store {
    /// No seat was free: 403 `invites_disabled` when the plan has inviting
    /// turned off; else expired invites give theirs back and the round runs
    /// again, or 409 `seat_limit_reached` when none had expired.
    pub(crate) async fn no_free_seat(&self, rid: &str, now: i64) -> TxError {
        if let Err(e) = self.plan_allows_inviting(rid).await {
            return e.into();
        }
        match self.reclaim_expired(rid, now).await {
            Ok(0) => seat_limit_reached().into(),
            Ok(_) => TxError::Retry,
            Err(e) => e.into(),
        }
    }

    /// The address was taken on the resource: a member or a live invite is
    /// refused as `refuse` says for this use case; an expired invite's hold
    /// is reclaimed and the round runs again.
    pub(crate) async fn address_taken(&self, rid: &str, email: &str, now: i64, refuse: fn(Holder) -> Error) -> TxError {
        let lock = match self.email_lock(rid, email).await {
            Ok(lock) => lock,
            Err(e) => return e.into(),
        };
        match email_taken(lock.as_ref().map(EmailLockItem::holder).as_ref(), now) {
            EmailTaken::Refuse(holder) => refuse(holder).into(),
            EmailTaken::Reclaim => match &lock {
                Some(l) => self.reclaim_lock(rid, l, now).await.map_or_else(TxError::from, |_| TxError::Retry),
                None => TxError::Retry,
            },
            EmailTaken::Retry => TxError::Retry,
        }
    }

    /// A daily budget an e-mail counted against was spent (429 with
    /// `Retry-After`): the deployment's first, then the person's, then the
    /// resource's.
    pub(crate) fn budget_spent(&self, failed: &TxError, now: i64) -> Option<Error> {
        if failed.failed(Check::DeploymentBudget) {
            Some(deployment_budget_spent(now))
        } else if failed.failed(Check::UserBudget) {
            Some(user_budget_spent(now, self.limits.user_daily_invites))
        } else if failed.failed(Check::Budget) {
            Some(resource_budget_spent(now, self.limits.daily_invites))
        } else {
            None
        }
    }

    /// After [`Check::Caller`] failed: 404 / 403 when the caller's role no
    /// longer may do `what` or grant each of `granting`; otherwise something else failed, and the
    /// caller's round decides.
    pub(crate) async fn recheck_caller(
        &self,
        failed: &TxError,
        rid: &str,
        who: Option<&Identity>,
        what: Can,
        granting: &[Role],
    ) -> Result<(), Error> {
        if let (true, Some(who)) = (failed.failed(Check::Caller), who) {
            let me = self.member_who_can(ResourceId::parse(rid)?, who, what).await?;
            for role in granting {
                may_grant(me.role, what, *role)?;
            }
        }
        Ok(())
    }
}
