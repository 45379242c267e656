//! Joining a resource without an invitation (a team link, a verified
//! domain): one transaction of the way in (the gate), a seat (while one is
//! free and the plan allows inviting), the membership, the e-mail's holder
//! and the audit entry `member.joined`; never for someone an owner or admin
//! removed (403 `removed_from_resource` until invited again).

use super::items::*;
use super::{Check, Store, Tx, TxError, s};
use aws_sdk_dynamodb::types::ConditionCheck;
use invites_domain::lifecycle::{EmailTaken, email_taken};
use invites_domain::members::removed_earlier;
use invites_domain::records::{EmailHolder, Member};
use invites_domain::seats::seat_limit_reached;
use invites_domain::team_links::invitation_waiting;
use invites_domain::views::Membership;
use invites_domain::{Error, Identity, Role};

/// The outcome of one attempt.
pub(crate) enum Round {
    Joined(Membership),
    /// Try again after a pause (lost a race, or freed a seat or the address).
    Again,
    /// The gate's condition failed ([`Check::Link`], [`Check::Domain`]):
    /// the caller says why.
    GateClosed,
}

impl Store {
    /// One attempt to make `who` a member of `rid` with `role`; `gate` adds
    /// the write that must hold (under [`Check::Link`] or [`Check::Domain`]).
    pub(crate) async fn try_join(
        &self,
        rid: &str,
        who: &Identity,
        role: Role,
        gate: impl FnOnce(&mut Tx) -> Result<(), Error>,
        detail: String,
        now: i64,
    ) -> Result<Round, Error> {
        let email = who.verified_email().map(|e| e.as_str().to_owned()).unwrap_or_default();
        let member = Member {
            resource_id: rid.to_owned(),
            user_id: who.sub.clone(),
            role,
            email: Some(email.clone()),
            name: who.name.clone(),
            invite_id: None,
            joined_at: now,
            metadata: None,
        };
        let holder = EmailLockItem::new(rid, &email, &EmailHolder::Member { user_id: Some(who.sub.clone()) });
        let not_removed = ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(removed_sk(&who.sub)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        gate(&mut tx)?;
        tx.condition(Check::NotRemoved, not_removed);
        tx.update(Check::Seat, self.take_seat(rid)?)
            .put(Check::Member, self.put_new(&MemberItem::new(member.clone()))?)
            .put(Check::Email, self.put_new(&holder)?)
            .put(Check::None, self.audit(rid, "member.joined", &who.sub, &who.sub, Some(detail), now)?);
        match self.transact(tx).await {
            Ok(()) => return Ok(Round::Joined(Membership::from(&member))),
            Err(TxError::Conflict) => {}
            Err(TxError::Other(e)) => return Err(e),
            Err(f) if f.failed(Check::NotRemoved) => return Err(removed_earlier()),
            // Joined meanwhile (a second tab): the caller's next round finds the membership.
            Err(f) if f.failed(Check::Member) => {}
            Err(f) if f.failed(Check::Link) || f.failed(Check::Domain) => return Ok(Round::GateClosed),
            Err(f) if f.failed(Check::Email) => {
                let lock = self.email_lock(rid, &email).await?;
                match email_taken(lock.as_ref().map(EmailLockItem::holder).as_ref(), now) {
                    EmailTaken::Refuse(e) if e.code() == "already_pending" => return Err(invitation_waiting()),
                    EmailTaken::Refuse(e) => return Err(e),
                    EmailTaken::Reclaim => {
                        if let Some(l) = &lock {
                            self.reclaim_lock(rid, l, now).await?;
                        }
                    }
                    EmailTaken::Retry => {}
                }
            }
            Err(f) if f.failed(Check::Seat) => {
                self.plan_allows_inviting(rid).await?;
                if self.reclaim_expired(rid, now).await? == 0 {
                    return Err(seat_limit_reached());
                }
            }
            Err(_) => {}
        }
        Ok(Round::Again)
    }
}
