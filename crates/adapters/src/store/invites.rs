//! Creating, reclaiming and listing invites.

use super::items::*;
use super::{Store, TxError, backoff, cursor, from_item, max_attempts, n, s, to_item, too_busy};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, TransactWriteItem, Update};
use invites_domain::invite::{NewInvite, validate_idempotency_key};
use invites_domain::message::SendInvite;
use invites_domain::time::DAY;
use invites_domain::token::Nonce;
use invites_domain::{Error, Identity, InviteId, InviteStatus, ResourceId, Role, StatusFilter};

pub struct CreateInvite {
    pub rid: ResourceId,
    pub invite: NewInvite,
    pub idempotency_key: Option<String>,
}

pub struct Created {
    pub invite: InviteView,
    /// The link token (never stored; derived from the stored nonce).
    pub token: String,
    /// The notification to enqueue; `None` when this was an idempotent replay.
    pub message: Option<SendInvite>,
}

pub struct InvitePage {
    pub items: Vec<InviteView>,
    pub next_cursor: Option<String>,
}

// Positions of the items in the create transaction.
const TX_MEMBER: usize = 0;
const TX_RESOURCE: usize = 1;
const TX_EMAIL: usize = 2;
const TX_RATE: usize = 4;
const TX_IDEMPOTENCY: usize = 6;

impl Store {
    /// Creates an invite in one transaction that checks, all at once: the
    /// caller manages the resource, a seat is free, the e-mail has no live
    /// invite and is not a member, the daily invite budget, and the
    /// idempotency key. Losers of races retry; expired invites found in the
    /// way are reclaimed (their seat and e-mail freed) before retrying.
    pub async fn create_invite(&self, who: &Identity, cmd: CreateInvite, now: i64) -> Result<Created, Error> {
        let rid = cmd.rid.to_string();
        let fingerprint = cmd.invite.fingerprint(&rid);
        if let Some(key) = &cmd.idempotency_key {
            validate_idempotency_key(key)?;
        }
        for attempt in 0..max_attempts() {
            let iid = InviteId::new();
            let nonce = Nonce::random();
            let item = self.new_invite_item(who, &cmd, &rid, iid, &nonce, now);
            let tx = self.create_tx(who, &cmd, &item, &fingerprint, now)?;
            match self.transact(tx).await {
                Ok(()) => {
                    let message = SendInvite::new(rid.clone(), item.invite_id.clone(), item.send_id.clone());
                    return Ok(Created {
                        invite: InviteView::from_item(&item, now),
                        token: self.key.mint(cmd.rid, iid, &nonce),
                        message: Some(message),
                    });
                }
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Other(e)) => return Err(e),
                Err(TxError::Conditions(failed)) => {
                    if let Some(done) = self.explain_create_failure(who, &cmd, &fingerprint, &failed, now).await? {
                        return done;
                    }
                }
            }
        }
        Err(too_busy())
    }

    fn new_invite_item(&self, who: &Identity, cmd: &CreateInvite, rid: &str, iid: InviteId, nonce: &Nonce, now: i64) -> InviteItem {
        let iid = iid.to_string();
        let expires_at = cmd.invite.expires_at(now);
        InviteItem {
            pk: res_pk(rid),
            sk: invite_sk(&iid),
            gsi1pk: Some(invitee_gsi(cmd.invite.email.as_str())),
            gsi1sk: Some(invite_sk(&iid)),
            entity: "invite".into(),
            resource_id: rid.to_owned(),
            invite_id: iid,
            email: cmd.invite.email.as_str().to_owned(),
            role: cmd.invite.role,
            status: InviteStatus::Pending,
            nonce: nonce.encode(),
            send_id: invites_domain::ids::new_ulid(),
            invited_by: who.sub.clone(),
            inviter_name: who.display_name(),
            message: cmd.invite.message.clone(),
            locale: cmd.invite.locale,
            created_at: now,
            expires_at,
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
            ttl: expires_at + self.retention(),
        }
    }

    fn create_tx(&self, who: &Identity, cmd: &CreateInvite, item: &InviteItem, fingerprint: &str, now: i64) -> Result<Vec<TransactWriteItem>, Error> {
        let rid = &item.resource_id;
        let member_check = ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(member_sk(&who.sub)))
            .condition_expression("#role IN (:owner, :admin)")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":owner", s(Role::Owner.as_str()))
            .expression_attribute_values(":admin", s(Role::Admin.as_str()))
            .build()
            .map_err(Error::internal)?;
        let take_seat = self.take_seat(rid)?;
        let lock = EmailLockItem {
            pk: res_pk(rid),
            sk: email_sk(&item.email),
            entity: "emailLock".into(),
            holder: "invite".into(),
            invite_id: Some(item.invite_id.clone()),
            user_id: None,
            expires_at: Some(item.expires_at),
        };
        let day = now.div_euclid(DAY);
        let rate = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(rate_sk(day)))
            .update_expression("ADD #count :one SET #ttl = :ttl, entity = :entity")
            .condition_expression("attribute_not_exists(#count) OR #count < :limit")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", n((day + 2) * DAY))
            .expression_attribute_values(":entity", s("rate"))
            .expression_attribute_values(":limit", n(self.limits.daily_invites))
            .build()
            .map_err(Error::internal)?;
        let new = Some("attribute_not_exists(PK)");
        let mut tx = vec![
            TransactWriteItem::builder().condition_check(member_check).build(),
            TransactWriteItem::builder().update(take_seat).build(),
            self.put(to_item(&lock)?, new),
            self.put(to_item(item)?, new),
            TransactWriteItem::builder().update(rate).build(),
            self.audit(rid, "invite.created", &who.sub, &item.invite_id, Some(format!("role={}", item.role.as_str())), now)?,
        ];
        if let Some(key) = &cmd.idempotency_key {
            let record = IdempotencyItem {
                pk: res_pk(rid),
                sk: idempotency_sk(&who.sub, key),
                entity: "idempotency".into(),
                request_hash: fingerprint.to_owned(),
                invite_id: item.invite_id.clone(),
                ttl: now + DAY,
            };
            let mut put = self.put(to_item(&record)?, None);
            if let Some(p) = put.put.as_mut() {
                p.condition_expression = Some("attribute_not_exists(PK) OR #ttl <= :now".into());
                p.expression_attribute_names = Some([("#ttl".to_owned(), "ttl".to_owned())].into());
                p.expression_attribute_values = Some([(":now".to_owned(), n(now))].into());
            }
            tx.push(put);
        }
        Ok(tx)
    }

    /// Turns failed conditions into the answer for the caller, or `None` to retry.
    async fn explain_create_failure(
        &self,
        who: &Identity,
        cmd: &CreateInvite,
        fingerprint: &str,
        failed: &[bool],
        now: i64,
    ) -> Result<Option<Result<Created, Error>>, Error> {
        let rid = cmd.rid.to_string();
        let hit = |i: usize| failed.get(i).copied().unwrap_or(false);
        if hit(TX_MEMBER) {
            self.require_manager(&cmd.rid, who).await?;
            return Ok(None);
        }
        if let (Some(key), true) = (&cmd.idempotency_key, hit(TX_IDEMPOTENCY)) {
            let record: Option<IdempotencyItem> = self.get(res_pk(&rid), idempotency_sk(&who.sub, key)).await?;
            if let Some(record) = record.filter(|r| r.ttl > now) {
                if record.request_hash != fingerprint {
                    return Err(Error::invalid(
                        "idempotency_key_reused",
                        "this Idempotency-Key was used with a different request",
                    ));
                }
                return Ok(Some(self.replay(&rid, &record.invite_id, now).await));
            }
            return Ok(None);
        }
        if hit(TX_EMAIL) {
            let lock: Option<EmailLockItem> = self.get(res_pk(&rid), email_sk(cmd.invite.email.as_str())).await?;
            match lock {
                Some(l) if l.holder == "member" => {
                    return Err(Error::conflict("already_member", "this person is already a member"));
                }
                Some(l) if l.expires_at.is_some_and(|e| e > now) => {
                    return Err(Error::conflict("already_pending", "an invite to this e-mail is already pending"));
                }
                Some(l) => {
                    self.reclaim_lock(&rid, &l, now).await?;
                }
                None => {}
            }
            return Ok(None);
        }
        if hit(TX_RESOURCE) {
            if self.reclaim_expired(&rid, now).await? == 0 {
                return Err(Error::conflict("seat_limit_reached", "all seats of this resource are taken"));
            }
            return Ok(None);
        }
        if hit(TX_RATE) {
            let next_day = (now.div_euclid(DAY) + 1) * DAY;
            return Err(Error::RateLimited {
                retry_after: (next_day - now).max(1) as u64,
                message: format!("at most {} invites per resource per day", self.limits.daily_invites),
            });
        }
        Ok(None)
    }

    async fn replay(&self, rid: &str, iid: &str, now: i64) -> Result<Created, Error> {
        let item = self.invite(rid, iid).await?.ok_or_else(|| Error::internal("idempotency record without invite"))?;
        Ok(Created { invite: InviteView::from_item(&item, now), token: self.link_token(&item)?, message: None })
    }

    /// The working link token of an invite (derived, never stored).
    pub fn link_token(&self, item: &InviteItem) -> Result<String, Error> {
        let rid = ResourceId::parse(&item.resource_id).map_err(|_| Error::internal("bad stored resource id"))?;
        let iid = InviteId::parse(&item.invite_id).map_err(|_| Error::internal("bad stored invite id"))?;
        let nonce = Nonce::decode(&item.nonce).ok_or_else(|| Error::internal("bad stored nonce"))?;
        Ok(self.key.mint(rid, iid, &nonce))
    }

    pub async fn invite(&self, rid: &str, iid: &str) -> Result<Option<InviteItem>, Error> {
        self.get(res_pk(rid), invite_sk(iid)).await
    }

    /// Frees the seats and e-mails of every expired pending invite of a
    /// resource. Returns how many were freed. Only e-mail locks are read, and
    /// there are never more of them than members plus live seats.
    pub async fn reclaim_expired(&self, rid: &str, now: i64) -> Result<usize, Error> {
        let mut freed = 0;
        for lock in self.expired_locks(rid, now).await? {
            if self.reclaim_lock(rid, &lock, now).await? {
                freed += 1;
            }
        }
        Ok(freed)
    }

    pub(crate) async fn count_expired_locks(&self, rid: &str, now: i64) -> Result<u32, Error> {
        Ok(self.expired_locks(rid, now).await?.len() as u32)
    }

    /// E-mail locks held by pending invites that have expired. There are
    /// never more locks than members plus seats, so all are read.
    async fn expired_locks(&self, rid: &str, now: i64) -> Result<Vec<EmailLockItem>, Error> {
        let locks: Vec<EmailLockItem> = self.query_all(res_pk(rid), "EMAIL#", None, usize::MAX).await?;
        Ok(locks.into_iter().filter(|l| l.holder == "invite" && l.expires_at.is_some_and(|e| e <= now)).collect())
    }

    /// Frees one expired invite's seat and e-mail. `false` if someone else
    /// got there first (another reclaim, an accept before expiry).
    pub(crate) async fn reclaim_lock(&self, rid: &str, lock: &EmailLockItem, now: i64) -> Result<bool, Error> {
        let Some(iid) = lock.invite_id.clone() else { return Ok(false) };
        for attempt in 0..max_attempts() {
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
            let tx = vec![
                TransactWriteItem::builder().delete(delete).build(),
                TransactWriteItem::builder().update(self.seat_delta(rid, -1)?).build(),
                self.audit(rid, "invite.expired", "system", &iid, None, now)?,
            ];
            match self.transact(tx).await {
                Ok(()) => {
                    self.mark_expired(rid, &iid, now).await?;
                    return Ok(true);
                }
                Err(TxError::Conflict) => backoff(attempt).await,
                Err(TxError::Conditions(_)) => return Ok(false),
                Err(TxError::Other(e)) => return Err(e),
            }
        }
        Err(too_busy())
    }

    /// Records the expiry on the invite itself, if TTL has not removed it.
    async fn mark_expired(&self, rid: &str, iid: &str, now: i64) -> Result<(), Error> {
        let res = self
            .db
            .update_item()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(invite_sk(iid)))
            .update_expression("SET #s = :expired, updatedAt = :now REMOVE GSI1PK, GSI1SK")
            .condition_expression("attribute_exists(PK) AND #s = :pending AND expiresAt <= :now")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":expired", s("expired"))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(()),
            Err(e) => Err(Error::internal(format!("mark expired: {}", DisplayErrorContext(&e)))),
        }
    }

    /// Takes one seat, only while one is free.
    pub(crate) fn take_seat(&self, rid: &str) -> Result<Update, Error> {
        Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(RESOURCE_SK))
            .update_expression("ADD seatsUsed :one")
            .condition_expression("attribute_exists(PK) AND seatsUsed < seatLimit")
            .expression_attribute_values(":one", n(1))
            .build()
            .map_err(Error::internal)
    }

    pub(crate) fn seat_delta(&self, rid: &str, delta: i32) -> Result<Update, Error> {
        Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(RESOURCE_SK))
            .update_expression("ADD seatsUsed :d")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":d", n(delta))
            .build()
            .map_err(Error::internal)
    }

    /// Invites of a resource, newest first. A pending invite past its expiry
    /// is reported (and filtered) as expired. The cursor holds only an invite
    /// id; the resource always comes from the path, so a cursor can never
    /// read another resource.
    pub async fn list_invites(&self, rid: &str, filter: StatusFilter, limit: usize, cursor: Option<&str>, now: i64) -> Result<InvitePage, Error> {
        let start = match cursor {
            None => None,
            Some(c) => {
                let iid = cursor::decode(c)?;
                Some([("PK".to_owned(), s(res_pk(rid))), ("SK".to_owned(), s(invite_sk(&iid)))].into())
            }
        };
        let (filter_expr, status) = match filter {
            StatusFilter::All => (None, None),
            StatusFilter::Only(InviteStatus::Pending) => (Some("#s = :pending AND expiresAt > :now"), None),
            StatusFilter::Only(InviteStatus::Expired) => (Some("#s = :expired OR (#s = :pending AND expiresAt <= :now)"), None),
            StatusFilter::Only(other) => (Some("#s = :status"), Some(other.as_str())),
        };
        let mut items = Vec::new();
        let mut start = start;
        let mut more = false;
        loop {
            let mut q = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(res_pk(rid)))
                .expression_attribute_values(":prefix", s("INVITE#"))
                .scan_index_forward(false)
                .consistent_read(true)
                .limit(((limit + 1) as i32).max(25))
                .set_exclusive_start_key(start.take());
            if let Some(f) = filter_expr {
                q = q.filter_expression(f).expression_attribute_names("#s", "status");
                if let Some(st) = status {
                    q = q.expression_attribute_values(":status", s(st));
                } else {
                    q = q
                        .expression_attribute_values(":pending", s("pending"))
                        .expression_attribute_values(":now", n(now));
                    if filter == StatusFilter::Only(InviteStatus::Expired) {
                        q = q.expression_attribute_values(":expired", s("expired"));
                    }
                }
            }
            let out = q.send().await.map_err(|e| Error::internal(format!("query invites: {}", DisplayErrorContext(&e))))?;
            for raw in out.items.unwrap_or_default() {
                let item: InviteItem = from_item(raw)?;
                if items.len() == limit {
                    more = true;
                    break;
                }
                items.push(item);
            }
            start = out.last_evaluated_key;
            if more || start.is_none() {
                break;
            }
        }
        let next_cursor = if more {
            items.last().and_then(|i| cursor::encode(&i.invite_id))
        } else {
            None
        };
        Ok(InvitePage { items: items.iter().map(|i| InviteView::from_item(i, now)).collect(), next_cursor })
    }
}
