//! What happens to an invite after it is created: lookup by link, accept,
//! decline, revoke; removing members; the audit trail.

use super::items::*;
use super::{Store, TxError, backoff, cursor, from_item, max_attempts, n, s, to_item, too_busy};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use invites_domain::token::{Nonce, ParsedToken};
use invites_domain::{Email, Error, Identity, InviteId, InviteStatus, ResourceId, Role, time::rfc3339};
use serde::Serialize;

/// What the landing page of a link shows. No full e-mail address.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LookupView {
    pub resource: ResourceRef,
    pub inviter: InviterRef,
    pub role: Role,
    pub email: String,
    pub status: InviteStatus,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResourceRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InviterRef {
    pub name: String,
}

/// The caller's membership after accepting. (The landing page already has
/// the resource's name from lookup, so accepting needs no further reads.)
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub resource_id: String,
    pub user_id: String,
    pub role: Role,
    pub joined_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: String,
    pub action: String,
    pub actor: String,
    pub subject: String,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub next_cursor: Option<String>,
}

fn gone_for(status: InviteStatus) -> Error {
    match status {
        InviteStatus::Revoked => Error::gone("invite_revoked", "this invite was revoked"),
        InviteStatus::Declined => Error::gone("invite_declined", "this invite was declined"),
        _ => Error::gone("invite_expired", "this invite has expired"),
    }
}

impl Store {
    /// The invite a link points to. Unknown, forged and malformed tokens are
    /// all 404 and take the same path: one consistent read and one MAC check.
    pub async fn open_token(&self, token: &str) -> Result<InviteItem, Error> {
        let (parsed, well_formed) = match ParsedToken::parse(token) {
            Ok(p) => (p, true),
            Err(_) => {
                // Same work as for a well-formed unknown token.
                let dummy = self.key.mint(ResourceId::new(), InviteId::new(), &Nonce::random());
                (ParsedToken::parse(&dummy).expect("minted tokens parse"), false)
            }
        };
        let item = self.invite(&parsed.rid.to_string(), &parsed.iid.to_string()).await?;
        let nonce = item.as_ref().and_then(|i| Nonce::decode(&i.nonce)).unwrap_or_else(Nonce::random);
        let valid = self.key.verify(&parsed, &nonce);
        match item {
            Some(item) if valid && well_formed => Ok(item),
            _ => Err(Error::NotFound),
        }
    }

    pub async fn lookup(&self, token: &str, now: i64) -> Result<LookupView, Error> {
        let item = self.open_token(token).await?;
        let resource = self.resource(&item.resource_id).await?.ok_or(Error::NotFound)?;
        Ok(LookupView {
            resource: ResourceRef { id: resource.resource_id, name: resource.name },
            inviter: InviterRef { name: item.inviter_name.clone() },
            role: item.role,
            email: Email::from_normalised(item.email.clone()).masked(),
            status: item.effective_status(now),
            expires_at: rfc3339(item.expires_at),
            message: item.message.clone(),
        })
    }

    /// Accepts an invite for the signed-in caller, whose verified e-mail
    /// must be the invite's. Membership, invite state, e-mail holder and
    /// audit change in one transaction; accepting again is idempotent.
    pub async fn accept(&self, token: &str, who: &Identity, now: i64) -> Result<Membership, Error> {
        for attempt in 0..max_attempts() {
            let item = self.open_token(token).await?;
            match item.effective_status(now) {
                InviteStatus::Accepted if item.accepted_by.as_deref() == Some(who.sub.as_str()) => {
                    return self.membership_of(&item, who).await;
                }
                InviteStatus::Accepted => {
                    return Err(Error::conflict("invite_already_used", "this invite was already accepted"));
                }
                InviteStatus::Pending => {}
                other => return Err(gone_for(other)),
            }
            match who.verified_email() {
                Some(e) if e.as_str() == item.email => {}
                Some(_) => return Err(Error::forbidden("email_mismatch", "this invite was sent to another e-mail address")),
                None => return Err(Error::forbidden("email_not_verified", "sign in with a verified e-mail address to accept")),
            }
            let rid = item.resource_id.clone();
            let member = MemberItem::new(
                &rid,
                &who.sub,
                item.role,
                Some(item.email.clone()),
                who.name.clone(),
                Some(item.invite_id.clone()),
                now,
            );
            let finish = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression("SET #s = :accepted, acceptedBy = :uid, acceptedAt = :now, updatedAt = :now, #ttl = :ttl REMOVE GSI1PK, GSI1SK")
                .condition_expression("#s = :pending AND nonce = :nonce AND expiresAt > :now")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":accepted", s("accepted"))
                .expression_attribute_values(":pending", s("pending"))
                .expression_attribute_values(":uid", s(&who.sub))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":ttl", n(now + self.retention()))
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
            let tx = vec![
                TransactWriteItem::builder().update(finish).build(),
                self.put(to_item(&member)?, Some("attribute_not_exists(PK)")),
                TransactWriteItem::builder().update(hand_over).build(),
                self.audit(&rid, "invite.accepted", &who.sub, &item.invite_id, Some(format!("role={}", item.role.as_str())), now)?,
            ];
            match self.transact(tx).await {
                Ok(()) => {
                    return Ok(Membership {
                        resource_id: rid,
                        user_id: who.sub.clone(),
                        role: item.role,
                        joined_at: rfc3339(now),
                    });
                }
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Other(e)) => return Err(e),
                Err(TxError::Conditions(failed)) => {
                    // The caller is already a member (joined another way):
                    // the invite stays usable for nobody else but them.
                    if failed.get(1) == Some(&true) && !failed[0] {
                        return Err(Error::conflict("already_member", "you are already a member of this resource"));
                    }
                    // Otherwise the invite changed under us: read it again.
                }
            }
        }
        Err(too_busy())
    }

    async fn membership_of(&self, item: &InviteItem, who: &Identity) -> Result<Membership, Error> {
        let member = self.member(&item.resource_id, &who.sub).await?.ok_or(Error::NotFound)?;
        Ok(Membership {
            resource_id: item.resource_id.clone(),
            user_id: member.user_id,
            role: member.role,
            joined_at: rfc3339(member.joined_at),
        })
    }

    /// Ends a pending invite as `revoked` (by a manager) or `declined` (by the
    /// invitee): the link stops working at once and the seat is free at once.
    /// Ending it again in the same way is a no-op.
    pub async fn end_invite(&self, item: InviteItem, end: InviteStatus, actor: &str, now: i64) -> Result<(), Error> {
        let (action, at_attr) = match end {
            InviteStatus::Revoked => ("invite.revoked", "revokedAt"),
            InviteStatus::Declined => ("invite.declined", "declinedAt"),
            _ => return Err(Error::internal("an invite ends only as revoked or declined")),
        };
        let rid = item.resource_id.clone();
        let mut item = item;
        for attempt in 0..max_attempts() {
            if item.status == end {
                return Ok(());
            }
            if end == InviteStatus::Declined && item.effective_status(now) != InviteStatus::Pending {
                return Err(gone_for(item.effective_status(now)));
            }
            if !matches!(item.status, InviteStatus::Pending | InviteStatus::Expired) {
                return Err(Error::conflict("invite_not_pending", format!("the invite is {}", item.status.as_str())));
            }
            let lock: Option<EmailLockItem> = self.get(res_pk(&rid), email_sk(&item.email)).await?;
            let holds_seat = lock.as_ref().is_some_and(|l| l.holder == "invite" && l.invite_id.as_deref() == Some(item.invite_id.as_str()));
            let mut set = format!("SET #s = :end, {at_attr} = :now, updatedAt = :now, #ttl = :ttl");
            if end == InviteStatus::Revoked {
                set.push_str(", revokedBy = :actor");
            }
            let mut update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                .update_expression(format!("{set} REMOVE GSI1PK, GSI1SK"))
                .condition_expression("#s = :seen")
                .expression_attribute_names("#s", "status")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":end", s(end.as_str()))
                .expression_attribute_values(":seen", s(item.status.as_str()))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":ttl", n(now + self.retention()));
            if end == InviteStatus::Revoked {
                update = update.expression_attribute_values(":actor", s(actor));
            }
            let mut tx = vec![TransactWriteItem::builder().update(update.build().map_err(Error::internal)?).build()];
            if holds_seat {
                let release = Delete::builder()
                    .table_name(&self.table)
                    .key("PK", s(res_pk(&rid)))
                    .key("SK", s(email_sk(&item.email)))
                    .condition_expression("holder = :invite AND inviteId = :iid")
                    .expression_attribute_values(":invite", s("invite"))
                    .expression_attribute_values(":iid", s(&item.invite_id))
                    .build()
                    .map_err(Error::internal)?;
                tx.push(TransactWriteItem::builder().delete(release).build());
                tx.push(TransactWriteItem::builder().update(self.seat_delta(&rid, -1)?).build());
            }
            tx.push(self.audit(&rid, action, actor, &item.invite_id, None, now)?);
            match self.transact(tx).await {
                Ok(()) => return Ok(()),
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Other(e)) => return Err(e),
                Err(TxError::Conditions(_)) => {}
            }
            item = self.invite(&rid, &item.invite_id).await?.ok_or(Error::NotFound)?;
        }
        Err(too_busy())
    }

    /// Removes a member's access (never the owner's) and frees the seat.
    pub async fn remove_member(&self, rid: &str, uid: &str, actor: &str, action: &str, now: i64) -> Result<(), Error> {
        for attempt in 0..max_attempts() {
            let member = self.member(rid, uid).await?.ok_or(Error::NotFound)?;
            if member.role == Role::Owner {
                return Err(Error::forbidden("owner_protected", "the owner cannot be removed"));
            }
            let delete_member = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(rid)))
                .key("SK", s(member_sk(uid)))
                .condition_expression("attribute_exists(PK) AND #role <> :owner")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":owner", s(Role::Owner.as_str()))
                .build()
                .map_err(Error::internal)?;
            let mut tx = vec![
                TransactWriteItem::builder().delete(delete_member).build(),
                TransactWriteItem::builder().update(self.seat_delta(rid, -1)?).build(),
                self.audit(rid, action, actor, uid, None, now)?,
            ];
            if let Some(email) = &member.email {
                let lock = Delete::builder()
                    .table_name(&self.table)
                    .key("PK", s(res_pk(rid)))
                    .key("SK", s(email_sk(email)))
                    .build()
                    .map_err(Error::internal)?;
                tx.push(TransactWriteItem::builder().delete(lock).build());
            }
            match self.transact(tx).await {
                Ok(()) => return Ok(()),
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Other(e)) => return Err(e),
                Err(TxError::Conditions(_)) => {}
            }
        }
        Err(too_busy())
    }

    /// The audit trail, newest first.
    pub async fn audit_trail(&self, rid: &str, limit: usize, cursor: Option<&str>) -> Result<AuditPage, Error> {
        let start = match cursor {
            None => None,
            Some(c) => {
                let id = cursor::decode(c)?;
                Some([("PK".to_owned(), s(res_pk(rid))), ("SK".to_owned(), s(audit_sk(&id)))].into())
            }
        };
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(res_pk(rid)))
            .expression_attribute_values(":prefix", s("AUDIT#"))
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| Error::internal(format!("query audit: {}", DisplayErrorContext(&e))))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let a: AuditItem = from_item(i)?;
                Ok(AuditView {
                    id: a.sk.trim_start_matches("AUDIT#").to_owned(),
                    action: a.action,
                    actor: a.actor,
                    subject: a.subject,
                    at: rfc3339(a.at),
                    detail: a.detail,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let next_cursor = out.last_evaluated_key.and(items.last().and_then(|a| cursor::encode(&a.id)));
        Ok(AuditPage { items, next_cursor })
    }
}
