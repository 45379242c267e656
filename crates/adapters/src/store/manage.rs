//! Managing pending invites and members after the fact (resend, copy link,
//! change role), and the invitee's own views (my invitations, my resources,
//! leave).

use super::items::*;
use super::lifecycle::ResourceRef;
use super::{Store, TxError, backoff, max_attempts, n, s, to_item, too_busy};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use invites_domain::message::SendInvite;
use invites_domain::time::{DAY, rfc3339};
use invites_domain::token::Nonce;
use invites_domain::{Email, Error, InviteStatus, Role};
use serde::Serialize;

/// Minimum time between two resends of one invite.
pub const RESEND_INTERVAL_SECS: i64 = 300;
/// Resends allowed per invite.
pub const MAX_RESENDS: u32 = 5;
/// Most items an unpaged list (members, my invitations, my resources) returns.
const LIST_CAP: usize = 1000;

/// A pending invitation as its invitee sees it in "my invitations".
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyInvite {
    pub id: String,
    pub resource: ResourceRef,
    pub inviter: String,
    pub role: Role,
    pub expires_at: String,
    /// The link token, for accept / decline: the caller proved the address
    /// with a verified e-mail, the same proof the e-mail itself gives.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyResource {
    pub resource: ResourceRef,
    pub role: Role,
    pub joined_at: String,
}

fn not_pending(status: InviteStatus) -> Error {
    Error::conflict("invite_not_pending", format!("the invite is {}", status.as_str()))
}

impl Store {
    /// Queues the e-mail again. Keeps the link unless `rotate`; an expired
    /// invite gets a fresh expiry (of its original length) and a seat.
    pub async fn resend(&self, rid: &str, iid: &str, actor: &str, rotate: bool, now: i64) -> Result<(InviteItem, SendInvite), Error> {
        for attempt in 0..max_attempts() {
            let item = self.invite(rid, iid).await?.ok_or(Error::NotFound)?;
            if !matches!(item.status, InviteStatus::Pending | InviteStatus::Expired) {
                return Err(not_pending(item.status));
            }
            if let Some(last) = item.last_resent_at
                && now - last < RESEND_INTERVAL_SECS
            {
                return Err(Error::RateLimited {
                    retry_after: (RESEND_INTERVAL_SECS - (now - last)) as u64,
                    message: "an invite can be resent once every 5 minutes".into(),
                });
            }
            if item.resend_count >= MAX_RESENDS {
                return Err(Error::RateLimited {
                    retry_after: (item.expires_at - now).max(RESEND_INTERVAL_SECS) as u64,
                    message: format!("an invite can be resent at most {MAX_RESENDS} times; revoke it and invite again"),
                });
            }
            let expired = item.effective_status(now) == InviteStatus::Expired;
            let lock: Option<EmailLockItem> = self.get(res_pk(rid), email_sk(&item.email)).await?;
            let holds_lock = lock.as_ref().is_some_and(|l| l.invite_id.as_deref() == Some(iid));
            if let Some(l) = lock.as_ref().filter(|_| expired && !holds_lock) {
                return Err(if l.holder == "member" {
                    Error::conflict("already_member", "this person is already a member")
                } else {
                    Error::conflict("already_pending", "another invite to this e-mail is pending")
                });
            }
            let duration = (item.expires_at - item.created_at).clamp(DAY, 30 * DAY);
            let expires_at = if expired { now + duration } else { item.expires_at };
            let send_id = invites_domain::ids::new_ulid();
            let nonce = if rotate { Nonce::random().encode() } else { item.nonce.clone() };
            let update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression(
                    "SET #s = :pending, sendId = :sid, nonce = :nonce, expiresAt = :exp, #ttl = :ttl, \
                     resendCount = :count, lastResentAt = :now, updatedAt = :now, GSI1PK = :gpk, GSI1SK = :gsk \
                     REMOVE deliveryError",
                )
                .condition_expression("sendId = :old")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":sid", s(&send_id))
                .expression_attribute_values(":old", s(&item.send_id))
                .expression_attribute_values(":nonce", s(&nonce))
                .expression_attribute_values(":exp", n(expires_at))
                .expression_attribute_values(":ttl", n(expires_at + self.retention()))
                .expression_attribute_values(":count", n(item.resend_count + 1))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":gpk", s(invitee_gsi(&item.email)))
                .expression_attribute_values(":gsk", s(invite_sk(iid)))
                .build()
                .map_err(Error::internal)?;
            let mut tx = vec![TransactWriteItem::builder().update(update).build()];
            let new_lock = EmailLockItem {
                pk: res_pk(rid),
                sk: email_sk(&item.email),
                entity: "emailLock".into(),
                holder: "invite".into(),
                invite_id: Some(iid.to_owned()),
                user_id: None,
                expires_at: Some(expires_at),
            };
            if holds_lock {
                // Still holds its seat: just move the lock's expiry along.
                tx.push(self.put(to_item(&new_lock)?, Some("holder = :invite AND inviteId = :iid")));
                if let Some(p) = tx.last_mut().and_then(|t| t.put.as_mut()) {
                    p.expression_attribute_values = Some([(":invite".to_owned(), s("invite")), (":iid".to_owned(), s(iid))].into());
                }
            } else {
                // Its seat was given back: take one again.
                tx.push(self.put(to_item(&new_lock)?, Some("attribute_not_exists(PK)")));
                tx.push(TransactWriteItem::builder().update(self.take_seat(rid)?).build());
            }
            tx.push(self.audit(rid, "invite.resent", actor, iid, rotate.then(|| "new link".to_owned()), now)?);
            match self.transact(tx).await {
                Ok(()) => {
                    let fresh = self.invite(rid, iid).await?.ok_or(Error::NotFound)?;
                    return Ok((fresh, SendInvite::new(rid.to_owned(), iid.to_owned(), send_id)));
                }
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Other(e)) => return Err(e),
                Err(TxError::Conditions(failed)) => {
                    if !holds_lock && failed.get(2) == Some(&true) && self.reclaim_expired(rid, now).await? == 0 {
                        return Err(Error::conflict("seat_limit_reached", "all seats of this resource are taken"));
                    }
                }
            }
        }
        Err(too_busy())
    }

    /// A pending invite's working link, for sharing through another channel.
    pub async fn copy_link(&self, rid: &str, iid: &str, actor: &str, now: i64) -> Result<(InviteItem, String), Error> {
        let item = self.invite(rid, iid).await?.ok_or(Error::NotFound)?;
        match item.effective_status(now) {
            InviteStatus::Pending => {}
            other => return Err(not_pending(other)),
        }
        let token = self.link_token(&item)?;
        self.put_audit(rid, "invite.link_copied", actor, iid, None, now).await?;
        Ok((item, token))
    }

    pub(crate) async fn put_audit(&self, rid: &str, action: &str, actor: &str, subject: &str, detail: Option<String>, now: i64) -> Result<(), Error> {
        if let Some(put) = self.audit(rid, action, actor, subject, detail, now)?.put {
            self.db
                .put_item()
                .table_name(&self.table)
                .set_item(Some(put.item))
                .send()
                .await
                .map_err(|e| Error::internal(format!("audit: {}", DisplayErrorContext(&e))))?;
        }
        Ok(())
    }

    /// Changes the role a pending invite grants.
    pub async fn change_invite_role(&self, rid: &str, iid: &str, role: Role, actor: &str, now: i64) -> Result<InviteItem, Error> {
        let item = self.invite(rid, iid).await?.ok_or(Error::NotFound)?;
        if item.effective_status(now) != InviteStatus::Pending {
            return Err(not_pending(item.effective_status(now)));
        }
        if item.role == role {
            return Ok(item);
        }
        let update = self
            .role_update(&item.pk, &item.sk, role, "#s = :pending AND expiresAt > :now")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", n(now));
        self.role_tx(update, rid, "invite.role_changed", actor, iid, item.role, role, now).await?;
        self.invite(rid, iid).await?.ok_or(Error::NotFound)
    }

    /// Changes a member's role; the owner's role never changes.
    pub async fn change_member_role(&self, rid: &str, uid: &str, role: Role, actor: &str, now: i64) -> Result<MemberItem, Error> {
        let member = self.member(rid, uid).await?.ok_or(Error::NotFound)?;
        if member.role == Role::Owner {
            return Err(Error::forbidden("owner_protected", "the owner's role cannot be changed"));
        }
        if member.role == role {
            return Ok(member);
        }
        let update = self
            .role_update(&member.pk, &member.sk, role, "attribute_exists(PK) AND #role <> :owner")
            .expression_attribute_values(":owner", s(Role::Owner.as_str()));
        self.role_tx(update, rid, "member.role_changed", actor, uid, member.role, role, now).await?;
        self.member(rid, uid).await?.ok_or(Error::NotFound)
    }

    fn role_update(&self, pk: &str, sk: &str, role: Role, condition: &str) -> UpdateItemFluentBuilder {
        self.db
            .update_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .update_expression("SET #role = :role")
            .condition_expression(condition)
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", s(role.as_str()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn role_tx(
        &self,
        update: UpdateItemFluentBuilder,
        rid: &str,
        action: &str,
        actor: &str,
        subject: &str,
        from: Role,
        to: Role,
        now: i64,
    ) -> Result<(), Error> {
        match update.send().await {
            Ok(_) => {}
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                return Err(Error::conflict("changed_meanwhile", "it changed meanwhile; reload and try again"));
            }
            Err(e) => return Err(Error::internal(format!("change role: {}", DisplayErrorContext(&e)))),
        }
        self.put_audit(rid, action, actor, subject, Some(format!("{} -> {}", from.as_str(), to.as_str())), now).await
    }

    pub async fn members(&self, rid: &str) -> Result<Vec<MemberItem>, Error> {
        self.query_all(res_pk(rid), "MEMBER#", None, LIST_CAP).await
    }

    async fn resource_ref(&self, rid: &str) -> Result<ResourceRef, Error> {
        let name = self.resource(rid).await?.map(|r| r.name).unwrap_or_default();
        Ok(ResourceRef { id: rid.to_owned(), name })
    }

    /// Pending, unexpired invitations to a verified e-mail, newest first.
    pub async fn my_invites(&self, email: &Email, now: i64) -> Result<Vec<MyInvite>, Error> {
        let mut items: Vec<InviteItem> = self.query_all(invitee_gsi(email.as_str()), "INVITE#", Some("GSI1"), LIST_CAP).await?;
        items.retain(|i| i.effective_status(now) == InviteStatus::Pending);
        items.sort_by(|a, b| b.invite_id.cmp(&a.invite_id));
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            out.push(MyInvite {
                id: i.invite_id.clone(),
                resource: self.resource_ref(&i.resource_id).await?,
                inviter: i.inviter_name.clone(),
                role: i.role,
                expires_at: rfc3339(i.expires_at),
                token: self.link_token(&i)?,
            });
        }
        Ok(out)
    }

    /// Resources the user can access, with the role.
    pub async fn my_resources(&self, uid: &str) -> Result<Vec<MyResource>, Error> {
        let members: Vec<MemberItem> = self.query_all(user_gsi(uid), "RES#", Some("GSI1"), LIST_CAP).await?;
        let mut out = Vec::with_capacity(members.len());
        for m in members {
            out.push(MyResource { resource: self.resource_ref(&m.resource_id).await?, role: m.role, joined_at: rfc3339(m.joined_at) });
        }
        Ok(out)
    }
}
