//! Creating, reclaiming and listing invites.

use super::items::*;
use super::{Check, LIVE_INVITE, Store, Tx, TxError, cursor, from_item, key, n, retry, s};
use aws_sdk_dynamodb::types::Delete;
use invites_domain::audit::{Audit, AuditAction, SYSTEM};
use invites_domain::budgets::require_verified_sender;
use invites_domain::delivery::suppressed_error;
use invites_domain::invite::Keeps;
use invites_domain::invite::{idempotency_key_reused, validate_idempotency_key};
use invites_domain::lifecycle::Holder;
use invites_domain::members::{Made, may_grant};
use invites_domain::message::SendInvite;
use invites_domain::ports::{BatchKeys, CreateInvite, CreateInvites, Created, ListInvites, PageRequest};
use invites_domain::records::{EmailHolder, Invite, Member};
use invites_domain::role::Can;
use invites_domain::sweep::due_after_queued;
use invites_domain::time::DAY;
use invites_domain::token::Nonce;
use invites_domain::views::{InviteView, Page};
use invites_domain::{Error, Identity, InviteId, InviteStatus, ResourceId, StatusFilter};

impl CreateInvites for Store {
    /// One transaction checks the caller's role, a free seat, the e-mail's
    /// holder, the daily budget and the idempotency key; losers of races
    /// retry, and expired invites found in the way are reclaimed first.
    async fn create_invite_as(
        &self,
        who: &Identity,
        inviter: &mut Option<Member>,
        cmd: CreateInvite,
        now: i64,
    ) -> Result<Created, Error> {
        require_verified_sender(who)?;
        let rid = cmd.rid.to_string();
        let fingerprint = cmd.invite.fingerprint(&rid);
        if let Some(key) = &cmd.idempotency_key {
            validate_idempotency_key(key)?;
        }
        retry!({
            // The caller's term goes on the invite (`members::still_manages`),
            // as read for an earlier invite of the batch or now. Taken: a
            // round that fails reads it again.
            let me = match inviter.take() {
                Some(me) => me,
                None => self.member_who_can(cmd.rid, who, Can::Invite).await?,
            };
            may_grant(me.role, Can::Invite, cmd.invite.role)?;
            let iid = InviteId::new();
            let nonce = Nonce::random();
            let invite = new_invite(who, &me, &cmd, &rid, iid, &nonce, now);
            let tx = self.create_tx(who, &cmd, &invite, &fingerprint, now).await?;
            let committed = self.transact(tx).await;
            // Kept for the next invite of a batch while it holds.
            if !matches!(&committed, Err(f) if f.failed(Check::Caller)) {
                *inviter = Some(me);
            }
            if let Err(failed) = committed {
                return self.explain_create_failure(who, &cmd, &fingerprint, failed, now).await;
            }
            Ok(created(&invite, self.keys().await?.mint(cmd.rid, iid, &nonce), now))
        })
    }

    async fn create_invites(&self, who: &Identity, cmds: Vec<CreateInvite>, now: i64) -> Vec<Result<Created, Error>> {
        self.create_grouped(who, cmds, now).await
    }
}

impl BatchKeys for Store {
    async fn claim_batch_key(
        &self,
        rid: ResourceId,
        who: &Identity,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), Error> {
        let rid = rid.to_string();
        let item = IdempotencyItem {
            pk: user_pk(&who.sub),
            sk: batch_key_sk(&rid, key),
            entity: "batch-idempotency".into(),
            request_hash: fingerprint.to_owned(),
            invite_id: String::new(),
            ttl: now + DAY,
        };
        let put = self.put(
            &item,
            Some("attribute_not_exists(PK) OR #ttl <= :now OR requestHash = :hash"),
            &[(":now", n(now)), (":hash", s(fingerprint.to_owned()))],
        )?;
        match self.put_if(put).await? {
            true => Ok(()),
            false => Err(idempotency_key_reused()),
        }
    }
}

/// A new invite's answer: its view, its link's token and its e-mail's
/// queue message.
pub(crate) fn created(invite: &Invite, token: String, now: i64) -> Created {
    let message = SendInvite::new(invite.resource_id.clone(), invite.invite_id.clone(), invite.send_id.clone());
    Created { invite: InviteView::of(invite, now), token, message: Some(message) }
}

pub(crate) fn new_invite(
    who: &Identity,
    me: &Member,
    cmd: &CreateInvite,
    rid: &str,
    iid: InviteId,
    nonce: &Nonce,
    now: i64,
) -> Invite {
    Invite {
        resource_id: rid.to_owned(),
        invite_id: iid.to_string(),
        email: cmd.invite.email.as_str().to_owned(),
        role: cmd.invite.role,
        status: InviteStatus::Pending,
        nonce: nonce.encode(),
        send_id: invites_domain::ids::new_ulid(),
        invited_by: who.sub.clone(),
        inviter_name: who.display_name(),
        maker_term: me.term.clone(),
        message: cmd.invite.message.clone(),
        redirect_url: cmd.invite.redirect_url.clone(),
        metadata: cmd.invite.metadata.clone(),
        locale: cmd.invite.locale,
        created_at: now,
        expires_at: cmd.invite.expires_at(now),
        updated_at: now,
        accepted_by: None,
        accepted_at: None,
        revoked_by: None,
        revoked_at: None,
        declined_at: None,
        sending_id: None,
        sending_at: None,
        sent_send_id: None,
        ses_message_id: None,
        sent_at: None,
        resend_count: 0,
        last_resent_at: None,
        delivery_error: None,
        delivery_state: None,
        bounce_type: None,
        delivery_at: None,
        reminder: cmd.invite.reminder,
        reminder_send_id: None,
        reminded_at: None,
    }
}

impl Store {
    async fn create_tx(
        &self,
        who: &Identity,
        cmd: &CreateInvite,
        invite: &Invite,
        fingerprint: &str,
        now: i64,
    ) -> Result<Tx, Error> {
        let rid = &invite.resource_id;
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.in_term(Made::invite(invite))?).update(Check::Seat, self.take_seat(rid)?);
        self.count_send(&mut tx, rid, who, now)?;
        self.invite_writes(&mut tx, who, cmd, invite, fingerprint, now).await?;
        Ok(tx)
    }

    /// One invite's own writes (beside the caller's check, the seat and the
    /// budgets, which a bulk invite's group shares): the address's holder,
    /// the invite, its audit entry, the suppression check and the
    /// idempotency record.
    pub(crate) async fn invite_writes(
        &self,
        tx: &mut Tx,
        who: &Identity,
        cmd: &CreateInvite,
        invite: &Invite,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), Error> {
        let rid = &invite.resource_id;
        let holder = EmailHolder::Invite { invite_id: invite.invite_id.clone(), expires_at: invite.expires_at };
        let item = InviteItem::pending(
            invite.clone(),
            self.limits.keep_pending_until(invite.expires_at),
            due_after_queued(&self.limits, now),
        );
        tx.put(Check::Email, self.put_new(&EmailLockItem::new(rid, &invite.email, &holder))?)
            .put(Check::Invite, self.put_new(&item)?)
            .put(
                Check::None,
                self.audit(
                    rid,
                    Audit::by(who, AuditAction::InviteCreated, &invite.invite_id)
                        .detail(format!("role={}", invite.role.as_str())),
                    now,
                )?,
            );
        self.not_suppressed(tx, rid, &invite.email, cmd.invite.ignore_suppression).await?;
        if let Some(key) = &cmd.idempotency_key {
            let record = IdempotencyItem {
                pk: res_pk(rid),
                sk: idempotency_sk(&who.sub, key),
                entity: "idempotency".into(),
                request_hash: fingerprint.to_owned(),
                invite_id: invite.invite_id.clone(),
                ttl: now + DAY,
            };
            tx.put(
                Check::Idempotency,
                self.put(&record, Some("attribute_not_exists(PK) OR #ttl <= :now"), &[(":now", n(now))])?,
            );
        }
        Ok(())
    }

    /// Turns failed conditions into the answer for the caller (a replay of
    /// the same idempotent request is a success), or a retry.
    async fn explain_create_failure(
        &self,
        who: &Identity,
        cmd: &CreateInvite,
        fingerprint: &str,
        failed: TxError,
        now: i64,
    ) -> Result<Created, TxError> {
        let rid = cmd.rid.to_string();
        if failed.failed(Check::Caller) {
            self.recheck_caller(&failed, &rid, Some(who), Can::Invite, &[cmd.invite.role]).await?;
            return Err(TxError::Retry);
        }
        if let (Some(key), true) = (&cmd.idempotency_key, failed.failed(Check::Idempotency)) {
            let record: Option<IdempotencyItem> = self.get(res_pk(&rid), idempotency_sk(&who.sub, key)).await?;
            return match record.filter(|r| r.ttl > now) {
                Some(record) if record.request_hash != fingerprint => Err(idempotency_key_reused().into()),
                Some(record) => Ok(self.replay(&rid, &record.invite_id, now).await?),
                None => Err(TxError::Retry),
            };
        }
        Err(if failed.failed(Check::Suppressed) {
            suppressed_error().into()
        } else if failed.failed(Check::Email) {
            self.address_taken(&rid, cmd.invite.email.as_str(), now, Holder::refuse_invite).await
        } else if failed.failed(Check::Seat) {
            self.no_free_seat(&rid, now).await
        } else if let Some(spent) = self.budget_spent(&failed, now) {
            spent.into()
        } else {
            failed
        })
    }

    async fn replay(&self, rid: &str, iid: &str, now: i64) -> Result<Created, Error> {
        let item =
            self.invite_item(rid, iid).await?.ok_or_else(|| Error::internal("idempotency record without invite"))?;
        Ok(Created { invite: InviteView::of(&item, now), token: self.link_token(&item).await?, message: None })
    }

    /// The stored invite item, keys and TTL included.
    pub async fn invite_item(&self, rid: &str, iid: &str) -> Result<Option<InviteItem>, Error> {
        self.get(res_pk(rid), invite_sk(iid)).await
    }

    pub(crate) async fn email_lock(&self, rid: &str, email: &str) -> Result<Option<EmailLockItem>, Error> {
        self.get(res_pk(rid), email_sk(email)).await
    }

    /// Frees the seats and e-mails of every expired pending invite of a
    /// resource. Returns how many were freed.
    pub(crate) async fn reclaim_expired(&self, rid: &str, now: i64) -> Result<usize, Error> {
        let mut freed = 0;
        for lock in self.expired_locks(rid, now).await? {
            if self.reclaim_lock(rid, &lock, now).await? {
                freed += 1;
            }
        }
        Ok(freed)
    }

    /// E-mail locks held by pending invites that have expired. There are
    /// never more locks than members plus seats, so all are read.
    pub(crate) async fn expired_locks(&self, rid: &str, now: i64) -> Result<Vec<EmailLockItem>, Error> {
        // DynamoDB still reads every address lock (one per seat in use), but
        // returns only the expired invites': parsing a thousand locks to count
        // none cost ~40 ms per resource view at a thousand seats.
        let query = self
            .prefix_query(&res_pk(rid), "EMAIL#", None)
            .filter_expression(
                "holder = :invite AND attribute_exists(inviteId) AND (attribute_not_exists(expiresAt) OR expiresAt <= :now)",
            )
            .expression_attribute_values(":invite", s("invite"))
            .expression_attribute_values(":now", n(now));
        let locks: Vec<EmailLockItem> = self.pages(query, usize::MAX).await?;
        Ok(locks.into_iter().filter(|l| l.holder().is_expired_invite(now)).collect())
    }

    /// Frees one expired invite's seat and e-mail. `false` if someone else
    /// got there first (another reclaim, an accept before expiry).
    pub(crate) async fn reclaim_lock(&self, rid: &str, lock: &EmailLockItem, now: i64) -> Result<bool, Error> {
        let Some(iid) = lock.invite_id.clone() else { return Ok(false) };
        retry!({
            let delete = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(&lock.pk))
                .key("SK", s(&lock.sk))
                .condition_expression("holder = :invite AND inviteId = :iid AND expiresAt <= :now")
                .expression_attribute_values(":invite", s("invite"))
                .expression_attribute_values(":iid", s(&iid))
                .expression_attribute_values(":now", n(now))
                .build()
                .map_err(Error::internal)?;
            let mut tx = Tx::new();
            tx.delete(Check::Email, delete).update(Check::None, self.free_seat(rid)?).put(
                Check::None,
                self.audit(
                    rid,
                    Audit { action: AuditAction::InviteExpired, actor: SYSTEM, subject: &iid, detail: None },
                    now,
                )?,
            );
            match self.transact(tx).await {
                Ok(()) => {
                    self.mark_expired(rid, &iid, now).await?;
                    Ok(true)
                }
                Err(TxError::Failed(_)) => Ok(false),
                Err(other) => Err(other),
            }
        })
    }

    /// Records the expiry on the invite itself, if TTL has not removed it.
    pub(crate) async fn mark_expired(&self, rid: &str, iid: &str, now: i64) -> Result<(), Error> {
        self.update_if(
            &res_pk(rid),
            &invite_sk(iid),
            "SET #s = :expired, updatedAt = :now REMOVE GSI1PK, GSI1SK, GSI2PK, GSI2SK",
            "attribute_exists(PK) AND #s = :pending AND expiresAt <= :now",
            &[
                (":expired", s(InviteStatus::Expired.as_str())),
                (":pending", s(InviteStatus::Pending.as_str())),
                (":now", n(now)),
            ],
        )
        .await
        .map(drop)
    }
}

impl ListInvites for Store {
    /// The cursor holds only an invite id; the resource always comes from
    /// the path, so a cursor can never read another resource.
    async fn list_invites(
        &self,
        rid: ResourceId,
        who: &Identity,
        filter: StatusFilter,
        page: PageRequest<'_>,
        now: i64,
    ) -> Result<Page<InviteView>, Error> {
        self.member_who_can(rid, who, Can::Invite).await?;
        let rid = rid.to_string();
        let limit = page.limit;
        let mut start = match page.cursor {
            None => None,
            Some(c) => {
                let iid = cursor::decode(c)?;
                Some(key(res_pk(&rid), invite_sk(&iid)))
            }
        };
        let pending = s(InviteStatus::Pending.as_str());
        let (filter_expr, values): (Option<String>, Vec<(&str, _)>) = match filter.keeps() {
            Keeps::Everything => (None, vec![]),
            Keeps::LivePending => (Some(LIVE_INVITE.into()), vec![(":pending", pending), (":now", n(now))]),
            Keeps::ExpiredOrPastExpiry => (
                Some("#s = :expired OR (#s = :pending AND expiresAt <= :now)".into()),
                vec![(":pending", pending), (":now", n(now)), (":expired", s(InviteStatus::Expired.as_str()))],
            ),
            Keeps::Stored(status) => (Some("#s = :status".into()), vec![(":status", s(status.as_str()))]),
        };
        let mut items: Vec<InviteItem> = Vec::new();
        let mut more = false;
        // A filtered page may have to skip ended history: each further read
        // asks for twice as many items (up to 1,000), so the calls grow with
        // the logarithm of the history skipped, not linearly.
        let mut batch = ((limit + 1) as i32).max(25);
        loop {
            let mut q = self
                .prefix_query(&res_pk(&rid), "INVITE#", None)
                .scan_index_forward(false)
                .limit(batch)
                .set_exclusive_start_key(start.take());
            if let Some(f) = &filter_expr {
                q = q.filter_expression(f).expression_attribute_names("#s", "status");
                for (k, v) in &values {
                    q = q.expression_attribute_values(*k, v.clone());
                }
            }
            let out = q.send().await.map_err(|e| super::sdk::failure("query invites", e))?;
            for raw in out.items.unwrap_or_default() {
                if items.len() == limit {
                    more = true;
                    break;
                }
                items.push(from_item(raw)?);
            }
            start = out.last_evaluated_key;
            if more || start.is_none() {
                break;
            }
            batch = (batch * 2).min(1000);
        }
        let next_cursor = if more { items.last().and_then(|i| cursor::encode(&i.invite_id)) } else { None };
        let manages = self.makers_manage(&items.iter().map(|i| Made::invite(i)).collect::<Vec<_>>()).await?;
        let items = items.iter().zip(manages).map(|(i, m)| InviteView::of(i, now).withdrawn_unless(m)).collect();
        Ok(Page { items, next_cursor })
    }

    async fn get_invite(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<InviteView, Error> {
        self.member_who_can(rid, who, Can::Invite).await?;
        let item = self.invite_item(&rid.to_string(), &iid.to_string()).await?.ok_or(Error::NotFound)?;
        let manages = self.maker_still_manages(Made::invite(&item)).await?;
        Ok(InviteView::of(&item, now).withdrawn_unless(manages))
    }
}
