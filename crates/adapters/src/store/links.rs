//! What anyone holding a link can do (lookup, accept, decline), and ending an
//! invite, which revoke shares with decline.

use super::items::*;
use super::{Check, LIVE_INVITE, Store, Tx, n, retry, s};
use aws_sdk_dynamodb::types::{Delete, Update};
use invites_domain::audit::{Audit, AuditAction, INVITEE};
use invites_domain::invite::mail_locale;
use invites_domain::lifecycle::{self, Accept, End, Ending, already_joined, gone_for};
use invites_domain::members::Made;
use invites_domain::ports::Links;
use invites_domain::records::{EmailHolder, Invite, Member};
use invites_domain::resource::deleted;
use invites_domain::role::Can;
use invites_domain::token::{Kind, Nonce, ParsedToken};
use invites_domain::views::{LookupView, Membership};
use invites_domain::{Error, Identity, InviteId, InviteStatus, ResourceId};

impl Links for Store {
    async fn lookup(&self, token: &str, now: i64) -> Result<LookupView, Error> {
        let item = self.open_token(token).await?;
        let (manages, resource) = self.maker_and_resource(Made::invite(&item)).await?;
        let resource = resource.ok_or(Error::NotFound)?;
        if resource.deleted_at.is_some() {
            return Err(deleted());
        }
        let locale = mail_locale(item.locale, resource.default_locale, self.limits.default_locale);
        Ok(LookupView::of(&item, resource.name, locale, now, manages))
    }

    /// Membership, invite state, e-mail holder and audit change in one
    /// transaction; accepting again is idempotent.
    async fn accept(&self, token: &str, who: &Identity, now: i64) -> Result<Membership, Error> {
        retry!({
            let item = self.open_token(token).await?;
            match lifecycle::accept(&item, who, now)? {
                Accept::AlreadyYours => {
                    // Theirs already: unless the resource was deleted since.
                    let Some((member, _)) = self.membership(&item.resource_id, &who.sub).await? else {
                        return Err(match self.resource_item(&item.resource_id).await? {
                            None => deleted(),
                            Some(_) => Error::NotFound,
                        }
                        .into());
                    };
                    return Ok(Membership::through(&member, &item));
                }
                Accept::Join => {}
            }
            if item.invited_by == who.sub {
                // Their own invite (to another address of theirs): a member
                // already, or no longer managing, so it is withdrawn.
                return Err(match self.member(&item.resource_id, &who.sub).await? {
                    Some(_) => already_joined(),
                    None => gone_for(InviteStatus::Withdrawn),
                }
                .into());
            }
            let rid = item.resource_id.clone();
            let member = Member {
                resource_id: rid.clone(),
                user_id: who.sub.clone(),
                role: item.role,
                email: Some(item.email.clone()),
                name: who.name.clone(),
                invite_id: Some(item.invite_id.clone()),
                joined_at: now,
                term: Some(invites_domain::ids::new_ulid()),
                metadata: item.metadata.clone(),
            };
            let finish = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression(
                    "SET #s = :accepted, acceptedBy = :uid, acceptedAt = :now, updatedAt = :now, #ttl = :ttl \
                     REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK",
                )
                // The role it read: a role change that commits first makes
                // this round read the invite again and grant the new role.
                .condition_expression(format!("{LIVE_INVITE} AND nonce = :nonce AND #role = :role"))
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":role", s(item.role.as_str()))
                .expression_attribute_values(":accepted", s("accepted"))
                .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
                .expression_attribute_values(":uid", s(&who.sub))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":ttl", n(self.limits.keep_ended_until(now)))
                .expression_attribute_values(":nonce", s(&item.nonce))
                .build()
                .map_err(Error::internal)?;
            let hand_over = Update::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(&rid)))
                .key("SK", s(email_sk(&item.email)))
                .update_expression("SET holder = :member, userId = :uid REMOVE expiresAt")
                .condition_expression("holder = :invite AND inviteId = :iid")
                .expression_attribute_values(":member", s("member"))
                .expression_attribute_values(":invite", s("invite"))
                .expression_attribute_values(":uid", s(&who.sub))
                .expression_attribute_values(":iid", s(&item.invite_id))
                .build()
                .map_err(Error::internal)?;
            let accepted = Audit::by(who, AuditAction::InviteAccepted, &item.invite_id)
                .detail(format!("role={}", item.role.as_str()));
            let mut tx = Tx::new();
            self.maker_manages(&mut tx, Made::invite(&item))?;
            tx.condition(Check::Resource, self.resource_live(&rid)?);
            // Invited again after a removal: the invitation is the owner's word.
            let welcome_back = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(&rid)))
                .key("SK", s(removed_sk(&who.sub)))
                .build()
                .map_err(Error::internal)?;
            tx.update(Check::Invite, finish)
                .put(Check::Member, self.put_new(&MemberItem::new(member.clone()))?)
                .update(Check::Email, hand_over)
                .delete(Check::None, welcome_back)
                .put(Check::None, self.audit(&rid, accepted, now)?);
            match self.transact(tx).await {
                Ok(()) => Ok(Membership::through(&member, &item)),
                Err(f) if f.failed(Check::Resource) => Err(deleted().into()),
                // The inviter no longer manages the resource.
                Err(f) if f.failed(Check::Maker) => Err(gone_for(InviteStatus::Withdrawn).into()),
                // The caller is already a member (joined another way).
                Err(f) if f.failed(Check::Member) && !f.failed(Check::Invite) => Err(already_joined().into()),
                // Otherwise the invite changed under us: the next round reads it again.
                Err(f) => Err(f),
            }
        })
    }

    async fn decline(&self, token: &str, now: i64) -> Result<(), Error> {
        let item = self.open_token(token).await?;
        self.end_invite(item, Ending::Declined, None, now).await
    }
}

impl Store {
    /// The invite a link points to.
    pub(crate) async fn open_token(&self, token: &str) -> Result<InviteItem, Error> {
        self.open_as(token, Kind::Invite, async |ids| {
            let item = self.invite_item(&ids.rid.to_string(), &ids.iid.to_string()).await?;
            Ok(item.map(|i| (i.nonce.clone(), i)))
        })
        .await
    }

    /// What a token of `kind` opens: `read` fetches the item its ids name,
    /// with the item's stored nonce. Unknown, forged, malformed and
    /// other-kind tokens are all 404 and take the same path: one consistent
    /// read and one MAC check.
    pub(crate) async fn open_as<T>(
        &self,
        token: &str,
        kind: Kind,
        read: impl AsyncFnOnce(&ParsedToken) -> Result<Option<(String, T)>, Error>,
    ) -> Result<T, Error> {
        let keys = self.keys().await?;
        let (parsed, well_formed) = match ParsedToken::parse_as(token, kind) {
            Ok(p) => (p, true),
            Err(_) => {
                // Same work as for a well-formed unknown token.
                let dummy = keys.mint_as(kind, ResourceId::new(), InviteId::new(), &Nonce::random());
                (ParsedToken::parse_as(&dummy, kind).expect("minted tokens parse"), false)
            }
        };
        let found = read(&parsed).await?;
        let nonce = found.as_ref().and_then(|(n, _)| Nonce::decode(n)).unwrap_or_else(Nonce::random);
        let valid = keys.verify(&parsed, &nonce);
        let gone = found.is_none();
        match found {
            Some((_, item)) if valid && well_formed => Ok(item),
            // The resource's clean-up removes its links' items but keeps its
            // marker: a link of a deleted resource answers as gone for as
            // long as the marker stays, not only until the clean-up ran.
            // (Every refused token pays this read, so they still look alike.)
            _ => match self.resource_any(&parsed.rid.to_string()).await? {
                Some(r) if r.deleted_at.is_some() && gone && well_formed => Err(deleted()),
                _ => Err(Error::NotFound),
            },
        }
    }

    /// Adds to `tx` giving back the invite's seat and address, if it still
    /// holds them (an expired invite's may have been reclaimed already).
    pub(crate) async fn give_back_seat(&self, tx: &mut Tx, invite: &Invite) -> Result<(), Error> {
        let rid = &invite.resource_id;
        let lock = self.email_lock(rid, &invite.email).await?;
        let holds_seat = matches!(lock.as_ref().map(EmailLockItem::holder),
            Some(EmailHolder::Invite { invite_id, .. }) if invite_id == invite.invite_id);
        if holds_seat {
            let release = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(rid)))
                .key("SK", s(email_sk(&invite.email)))
                .condition_expression("holder = :invite AND inviteId = :iid")
                .expression_attribute_values(":invite", s("invite"))
                .expression_attribute_values(":iid", s(&invite.invite_id))
                .build()
                .map_err(Error::internal)?;
            tx.delete(Check::Email, release).update(Check::None, self.free_seat(rid)?);
        }
        Ok(())
    }

    /// Ends a pending (or expired) invite as revoked or declined: the link
    /// stops working at once and the seat is free at once. The write is
    /// guarded by the status it read, so an ended invite never comes back.
    /// `by` is the managing caller of a revoke (checked in the same
    /// transaction: a just-demoted admin cannot revoke); a decline has none.
    pub(crate) async fn end_invite(
        &self,
        mut item: InviteItem,
        ending: Ending,
        by: Option<&Identity>,
        now: i64,
    ) -> Result<(), Error> {
        let rid = item.resource_id.clone();
        let actor = by.map_or(INVITEE, |who| who.sub.as_str());
        let mut fresh = false;
        retry!({
            if fresh {
                item = self.invite_item(&rid, &item.invite_id).await?.ok_or(Error::NotFound)?;
            }
            fresh = true;
            if lifecycle::end(&item, ending, now)? == End::AlreadyDone {
                return Ok(());
            }
            let (at_attr, revoked_by) = match ending {
                Ending::Revoked => ("revokedAt", ", revokedBy = :actor"),
                Ending::Declined => ("declinedAt", ""),
            };
            let mut update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression(format!(
                    "SET #s = :end, {at_attr} = :now, updatedAt = :now, #ttl = :ttl{revoked_by} \
                     REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK"
                ))
                .condition_expression("#s = :seen")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":end", s(ending.status().as_str()))
                .expression_attribute_values(":seen", s(item.status.as_str()))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":ttl", n(self.limits.keep_ended_until(now)));
            if ending == Ending::Revoked {
                update = update.expression_attribute_values(":actor", s(actor));
            }
            let mut tx = Tx::new();
            if let Some(who) = by {
                tx.condition(Check::Caller, self.caller_may(&rid, who, Can::Invite, &[])?);
            }
            tx.update(Check::Invite, update.build().map_err(Error::internal)?);
            self.give_back_seat(&mut tx, &item).await?;
            tx.put(
                Check::None,
                self.audit(
                    &rid,
                    Audit { action: ending.action(), actor, subject: &item.invite_id, detail: None },
                    now,
                )?,
            );
            if let Err(f) = self.transact(tx).await {
                self.recheck_caller(&f, &rid, by, Can::Invite, &[]).await?;
                return Err(f);
            }
            Ok(())
        })
    }
}
