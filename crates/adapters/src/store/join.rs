//! Joining a resource without an invitation (a team link, a verified
//! domain): one transaction of the way in (the gate), a seat (while one is
//! free and the plan allows inviting), the membership, the e-mail's holder
//! and the audit entry `member.joined`; never for someone an owner or admin
//! removed (403 `removed_from_resource` until invited again).

use super::items::*;
use super::{Check, Store, Tx, TxError, s};
use aws_sdk_dynamodb::types::ConditionCheck;
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::lifecycle::Holder;
use invites_domain::members::removed_earlier;
use invites_domain::records::{EmailHolder, Member};
use invites_domain::views::Membership;
use invites_domain::{Error, Identity, Role};

impl Store {
    /// One round of making `who` a member of `rid` with `role`; `gate` adds
    /// the writes that must hold (under [`Check::Link`], [`Check::Domain`],
    /// or an approval's [`Check::Caller`] and [`Check::Request`]).
    /// Every failure but the gate's is explained here; a closed gate comes
    /// back as the failed [`TxError`] for the caller to say why.
    pub(crate) async fn try_join(
        &self,
        rid: &str,
        who: &Identity,
        role: Role,
        gate: impl FnOnce(&mut Tx) -> Result<(), Error>,
        detail: String,
        now: i64,
    ) -> Result<Membership, TxError> {
        let email = who.verified_email().map(|e| e.as_str().to_owned()).unwrap_or_default();
        let member = Member {
            resource_id: rid.to_owned(),
            user_id: who.sub.clone(),
            role,
            email: Some(email.clone()),
            name: who.name.clone(),
            invite_id: None,
            joined_at: now,
            term: Some(invites_domain::ids::new_ulid()),
            metadata: None,
        };
        let holder = EmailLockItem::new(rid, &email, &EmailHolder::Member { user_id: Some(who.sub.clone()) });
        let mut tx = Tx::new();
        gate(&mut tx)?;
        tx.condition(Check::NotRemoved, self.absent(rid, removed_sk(&who.sub))?);
        tx.update(Check::Seat, self.take_seat(rid)?)
            .put(Check::Member, self.put_new(&MemberItem::new(member.clone()))?)
            .put(Check::Email, self.put_new(&holder)?)
            .put(
                Check::None,
                self.audit(rid, Audit::by(who, AuditAction::MemberJoined, &who.sub).detail(detail), now)?,
            );
        match self.transact(tx).await {
            Ok(()) => Ok(Membership::from(&member)),
            // The gate's own conditions (an approver's role, the request):
            // the caller explains them.
            Err(f) if f.failed(Check::Caller) || f.failed(Check::Request) => Err(f),
            Err(f) if f.failed(Check::NotRemoved) => Err(removed_earlier().into()),
            // Joined meanwhile (a second tab): the next round finds the membership.
            Err(f) if f.failed(Check::Member) => Err(TxError::Retry),
            Err(f) if f.failed(Check::Link) || f.failed(Check::Domain) => Err(f),
            Err(f) if f.failed(Check::Email) => Err(self.address_taken(rid, &email, now, Holder::refuse_join).await),
            Err(f) if f.failed(Check::Seat) => Err(self.no_free_seat(rid, now).await),
            Err(f) => Err(f),
        }
    }
}

impl Store {
    /// Condition: no item at `sk` in the resource's partition.
    pub(crate) fn absent(&self, rid: &str, sk: String) -> Result<ConditionCheck, Error> {
        ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(sk))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(Error::internal)
    }
}
