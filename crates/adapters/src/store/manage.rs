//! Managing an invite after the fact: revoke, resend, copy link, change role.

use super::items::*;
use super::{Check, LIVE_INVITE, Store, Tx, TxError, n, retry, s};
use aws_sdk_dynamodb::types::{ConditionCheck, Update};
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::delivery::suppressed_error;
use invites_domain::lifecycle::{self, Ending, SeatAction};
use invites_domain::members::Made;
use invites_domain::members::{changed_meanwhile, may_grant};
use invites_domain::message::SendInvite;
use invites_domain::ports::{Link, ManageInvites, ResendOptions, Resent};
use invites_domain::records::EmailHolder;
use invites_domain::role::Can;
use invites_domain::sweep::due_after_queued;
use invites_domain::token::Nonce;
use invites_domain::views::InviteView;
use invites_domain::{Error, Identity, InviteId, InviteStatus, ResourceId, Role};

impl ManageInvites for Store {
    async fn revoke(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<(), Error> {
        self.member_who_can(rid, who, Can::Invite).await?;
        let item = self.invite_item(&rid.to_string(), &iid.to_string()).await?.ok_or(Error::NotFound)?;
        self.end_invite(item, Ending::Revoked, Some(who), now).await
    }

    async fn resend(
        &self,
        rid: ResourceId,
        iid: InviteId,
        who: &Identity,
        opts: ResendOptions,
        now: i64,
    ) -> Result<Resent, Error> {
        let key = rid;
        let (rid, iid) = (rid.to_string(), iid.to_string());
        retry!({
            let me = self.member_who_can(key, who, Can::Invite).await?;
            let item = self.invite_item(&rid, &iid).await?.ok_or(Error::NotFound)?;
            may_grant(me.role, Can::Invite, item.role)?;
            let lock = self.email_lock(&rid, &item.email).await?;
            let plan = lifecycle::resend(&item, lock.as_ref().map(EmailLockItem::holder).as_ref(), now)?;
            let send_id = invites_domain::ids::new_ulid();
            let nonce = if opts.rotate { Nonce::random().encode() } else { item.nonce.clone() };
            let update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression(
                    "SET #s = :pending, sendId = :sid, nonce = :nonce, expiresAt = :exp, #ttl = :ttl, \
                     resendCount = :count, lastResentAt = :now, updatedAt = :now, GSI1PK = :gpk, GSI1SK = :gsk, \
                     GSI2PK = :due_pk, GSI2SK = :due \
                     REMOVE deliveryError, deliveryState, deliveryRank, bounceType, deliveryAt",
                )
                // Guarded by the status it read, so a revoke that commits in
                // between is never undone (ended invites never come back).
                .condition_expression("sendId = :old AND #s = :seen")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
                .expression_attribute_values(":sid", s(&send_id))
                .expression_attribute_values(":old", s(&item.send_id))
                .expression_attribute_values(":seen", s(item.status.as_str()))
                .expression_attribute_values(":nonce", s(&nonce))
                .expression_attribute_values(":exp", n(plan.expires_at))
                .expression_attribute_values(":ttl", n(self.limits.keep_pending_until(plan.expires_at)))
                .expression_attribute_values(":count", n(plan.resend_count))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":gpk", s(invitee_gsi(&item.email)))
                .expression_attribute_values(":gsk", s(invite_sk(&iid)))
                .expression_attribute_values(":due_pk", s(DUE_PK))
                .expression_attribute_values(":due", n(due_after_queued(&self.limits, now)))
                .build()
                .map_err(Error::internal)?;
            let holder = EmailHolder::Invite { invite_id: iid.clone(), expires_at: plan.expires_at };
            let new_lock = EmailLockItem::new(&rid, &item.email, &holder);
            let mut tx = Tx::new();
            // A withdrawn invite is not sent again: its link would not work.
            self.caller_and_maker(&mut tx, who, Made::invite(&item))?;
            tx.update(Check::Invite, update);
            self.count_send(&mut tx, &rid, who, now)?;
            match plan.seat {
                // Still holds its seat: just move the lock's expiry along.
                SeatAction::Keep => tx.put(
                    Check::Email,
                    self.put(
                        &new_lock,
                        Some("holder = :invite AND inviteId = :iid"),
                        &[(":invite", s("invite")), (":iid", s(&iid))],
                    )?,
                ),
                // Its seat was given back: take one again.
                SeatAction::Take => {
                    tx.put(Check::Email, self.put_new(&new_lock)?).update(Check::Seat, self.take_seat(&rid)?)
                }
            };
            self.not_suppressed(&mut tx, &rid, &item.email, opts.ignore_suppression).await?;
            let detail = match (opts.rotate, opts.ignore_suppression) {
                (true, true) => Some("new link, suppression ignored".to_owned()),
                (true, false) => Some("new link".to_owned()),
                (false, true) => Some("suppression ignored".to_owned()),
                (false, false) => None,
            };
            let entry = Audit { detail, ..Audit::by(who, AuditAction::InviteResent, &iid) };
            tx.put(Check::None, self.audit(&rid, entry, now)?);
            if let Err(f) = self.transact(tx).await {
                self.recheck_caller(&f, &rid, Some(who), Can::Invite, &[item.role]).await?;
                return Err(if f.failed(Check::Maker) {
                    self.withdrawn_for(&rid, who).await.into()
                } else if f.failed(Check::Suppressed) {
                    suppressed_error().into()
                } else if let Some(spent) = self.budget_spent(&f, now) {
                    spent.into()
                } else if f.failed(Check::Seat) {
                    self.no_free_seat(&rid, now).await
                } else {
                    f
                });
            }
            let fresh = self.invite_item(&rid, &iid).await?.ok_or(Error::NotFound)?;
            let link = Link {
                invite: InviteView::of(&fresh, now),
                token: self.link_token(&fresh).await?,
                expires_at: fresh.expires_at,
            };
            Ok(Resent { link, message: SendInvite::new(rid.clone(), iid.clone(), send_id) })
        })
    }

    async fn copy_link(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<Link, Error> {
        let key = rid;
        let (rid, iid) = (rid.to_string(), iid.to_string());
        retry!({
            let me = self.member_who_can(key, who, Can::Invite).await?;
            let item = self.invite_item(&rid, &iid).await?.ok_or(Error::NotFound)?;
            may_grant(me.role, Can::Invite, item.role)?;
            lifecycle::copy_link(&item, now)?;
            let live = ConditionCheck::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .condition_expression(format!("{LIVE_INVITE} AND nonce = :nonce"))
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":nonce", s(&item.nonce))
                .build()
                .map_err(Error::internal)?;
            let mut tx = Tx::new();
            self.caller_and_maker(&mut tx, who, Made::invite(&item))?;
            tx.condition(Check::Invite, live)
                .put(Check::None, self.audit(&rid, Audit::by(who, AuditAction::LinkCopied, &iid), now)?);
            if let Err(f) = self.transact(tx).await {
                self.recheck_caller(&f, &rid, Some(who), Can::Invite, &[item.role]).await?;
                return Err(if f.failed(Check::Maker) { self.withdrawn_for(&rid, who).await.into() } else { f });
            }
            let token = self.link_token(&item).await?;
            Ok(Link { invite: InviteView::of(&item, now), token, expires_at: item.expires_at })
        })
    }

    async fn change_invite_role(
        &self,
        rid: ResourceId,
        iid: InviteId,
        role: Role,
        who: &Identity,
        now: i64,
    ) -> Result<InviteView, Error> {
        let me = self.member_who_can(rid, who, Can::Invite).await?;
        let (rid, iid) = (rid.to_string(), iid.to_string());
        let item = self.invite_item(&rid, &iid).await?.ok_or(Error::NotFound)?;
        may_grant(me.role, Can::Invite, item.role)?;
        may_grant(me.role, Can::Invite, role)?;
        let Some(role) = lifecycle::change_role(&item, role, now)? else {
            return Ok(InviteView::of(&item, now));
        };
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(&item.pk))
            .key("SK", s(&item.sk))
            .update_expression("SET #role = :role, updatedAt = :now")
            .condition_expression(LIVE_INVITE)
            .expression_attribute_names("#s", "status")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", s(role.as_str()))
            .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(Error::internal)?;
        let detail = format!("{} -> {}", item.role.as_str(), role.as_str());
        let mut tx = Tx::new();
        let seen = item.role;
        tx.condition(Check::Caller, self.caller_may(&rid, who, Can::Invite, &[seen, role])?)
            .update(Check::Invite, update)
            .put(
                Check::None,
                self.audit(&rid, Audit::by(who, AuditAction::InviteRoleChanged, &iid).detail(detail), now)?,
            );
        self.commit_role_change(tx, &rid, who, Can::Invite, &[seen, role]).await?;
        let fresh = self.invite_item(&rid, &iid).await?.ok_or(Error::NotFound)?;
        Ok(InviteView::of(&fresh, now))
    }
}

impl Store {
    /// Commits a role change: the caller's role and the target's state were
    /// both conditions; a lost race is `changed_meanwhile`, a demoted caller 403.
    pub(crate) async fn commit_role_change(
        &self,
        tx: Tx,
        rid: &str,
        who: &Identity,
        what: Can,
        granting: &[Role],
    ) -> Result<(), Error> {
        match self.transact(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Other(e)) => Err(e),
            Err(f) => {
                self.recheck_caller(&f, rid, Some(who), what, granting).await?;
                Err(changed_meanwhile())
            }
        }
    }
}
