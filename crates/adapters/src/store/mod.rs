//! The single-table DynamoDB store: it implements the domain's use-case
//! ports (`invites_domain::ports`). Decisions come from the domain; this
//! module turns them into keys, conditions and items, keeps each rule set in
//! one `TransactWriteItems` call, and maps a failed condition back to a
//! named outcome. Expiry is always checked against the clock, never left to
//! TTL.

mod delivery;
mod domains;
mod invites;
pub mod items;
mod join;
mod links;
mod manage;
mod members;
mod resources;
mod send;
mod sweep;
mod team_links;

use crate::keys::Keys;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use invites_domain::limits::{Limits, keep_audit_until};
use invites_domain::records::{AuditEntry, Invite};
use invites_domain::time::DAY;
use invites_domain::token::{Keyring, Nonce};
use invites_domain::{Error, InviteId, ResourceId};
use items::{AuditItem, audit_sk, res_pk};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub type Item = HashMap<String, AttributeValue>;

/// Attempts for a transaction that keeps losing races to other writers.
pub(crate) const MAX_ATTEMPTS: u32 = 30;

#[derive(Clone)]
pub struct Store {
    pub(crate) db: Client,
    pub(crate) table: String,
    /// Link keys; only functions that mint or check links have them.
    keys: Option<Arc<Keys>>,
    pub(crate) limits: Limits,
}

/// The name of a condition in a transaction, so a failure is read by what
/// it guarded, never by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// The caller's membership and role.
    Caller,
    /// A free seat on the resource.
    Seat,
    /// Who holds the e-mail on the resource.
    Email,
    /// The invite's state as it was read.
    Invite,
    /// A member item (new, or as read).
    Member,
    /// The resource's daily invite budget.
    Budget,
    /// The caller's own budget across all their resources (daily e-mails,
    /// owned resources).
    UserBudget,
    /// The idempotency record.
    Idempotency,
    /// The address is not on the resource's suppression list.
    Suppressed,
    /// A team link, still usable (join) or not yet revoked (revoke).
    Link,
    /// A domain claim: verified (join), as read (verify), absent (add).
    Domain,
    /// The caller was not removed by an owner or admin (joins without an invitation).
    NotRemoved,
    /// An unconditional write (audit entries, counters).
    None,
}

/// A transaction under construction: each write with the name of its condition.
#[derive(Default)]
pub(crate) struct Tx {
    items: Vec<TransactWriteItem>,
    checks: Vec<Check>,
}

impl Tx {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn put(&mut self, check: Check, put: Put) -> &mut Self {
        self.push(check, TransactWriteItem::builder().put(put).build())
    }

    pub(crate) fn update(&mut self, check: Check, update: Update) -> &mut Self {
        self.push(check, TransactWriteItem::builder().update(update).build())
    }

    pub(crate) fn delete(&mut self, check: Check, delete: Delete) -> &mut Self {
        self.push(check, TransactWriteItem::builder().delete(delete).build())
    }

    pub(crate) fn condition(&mut self, check: Check, cc: ConditionCheck) -> &mut Self {
        self.push(check, TransactWriteItem::builder().condition_check(cc).build())
    }

    fn push(&mut self, check: Check, item: TransactWriteItem) -> &mut Self {
        self.items.push(item);
        self.checks.push(check);
        self
    }
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum TxError {
    /// These conditions failed.
    Failed(Vec<Check>),
    /// Lost a race with another transaction; try again.
    Conflict,
    Other(Error),
}

impl TxError {
    pub(crate) fn failed(&self, check: Check) -> bool {
        matches!(self, Self::Failed(checks) if checks.contains(&check))
    }
}

impl Store {
    pub fn new(sdk: &aws_config::SdkConfig, table: String, keys: Option<Arc<Keys>>, limits: Limits) -> Self {
        Self { db: Client::new(sdk), table, keys, limits }
    }

    pub fn from_config(sdk: &aws_config::SdkConfig, cfg: &crate::Config) -> Self {
        Self::new(sdk, cfg.table.clone(), cfg.keys.clone(), cfg.limits)
    }

    /// The link keys; functions that use links require them at start.
    pub(crate) async fn keys(&self) -> Result<&Keyring, Error> {
        match &self.keys {
            Some(keys) => keys.get().await,
            None => Err(Error::internal("no link signing key configured in this function")),
        }
    }

    pub fn client(&self) -> &Client {
        &self.db
    }

    pub(crate) async fn transact(&self, tx: Tx) -> Result<(), TxError> {
        let Tx { items, checks } = tx;
        let res = self.db.transact_write_items().set_transact_items(Some(items)).send().await;
        let Err(err) = res else { return Ok(()) };
        match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let codes: Vec<&str> = e.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None")).collect();
                if codes.contains(&"ConditionalCheckFailed") {
                    let failed = codes
                        .iter()
                        .zip(&checks)
                        .filter(|(code, _)| **code == "ConditionalCheckFailed")
                        .map(|(_, check)| *check)
                        .collect();
                    Err(TxError::Failed(failed))
                } else if codes.iter().any(|c| matches!(*c, "TransactionConflict" | "ThrottlingError")) {
                    Err(TxError::Conflict)
                } else {
                    Err(TxError::Other(Error::internal(format!("transaction cancelled: {codes:?}"))))
                }
            }
            Some(TransactWriteItemsError::TransactionInProgressException(_)) => Err(TxError::Conflict),
            Some(e) if e.meta().code() == Some("ThrottlingException") => Err(TxError::Conflict),
            _ => Err(TxError::Other(Error::internal(format!("transact: {}", DisplayErrorContext(&err))))),
        }
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, pk: String, sk: String) -> Result<Option<T>, Error> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(pk))
            .key("SK", AttributeValue::S(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| Error::internal(format!("get: {}", DisplayErrorContext(&e))))?;
        out.item.map(|i| from_item(i)).transpose()
    }

    /// The query of a partition (or GSI1 partition) for the items whose sort
    /// key starts with `prefix`: consistent on the table, for callers to add
    /// order, limit, filter or a start key to.
    pub(crate) fn prefix_query(&self, pk: &str, prefix: &str, index: Option<&str>) -> QueryFluentBuilder {
        let (pk_attr, sk_attr) = if index.is_some() { ("GSI1PK", "GSI1SK") } else { ("PK", "SK") };
        self.db
            .query()
            .table_name(&self.table)
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression(format!("{pk_attr} = :pk AND begins_with({sk_attr}, :prefix)"))
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(index.is_none())
    }

    /// Every item of a partition (or GSI1 partition) whose sort key starts
    /// with `prefix`, page after page, stopping once `cap` are read.
    pub(crate) async fn query_all<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        index: Option<&str>,
        cap: usize,
    ) -> Result<Vec<T>, Error> {
        self.pages(self.prefix_query(&pk, prefix, index), cap).await
    }

    /// The items a query reads, page after page, stopping once `cap` are read.
    pub(crate) async fn pages<T: DeserializeOwned>(
        &self,
        query: QueryFluentBuilder,
        cap: usize,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| Error::internal(format!("query: {}", DisplayErrorContext(&e))))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            start = page.last_evaluated_key;
            if start.is_none() || out.len() >= cap {
                return Ok(out);
            }
        }
    }

    /// A `Put` of `value`, with an optional condition and its values.
    pub(crate) fn put<T: Serialize>(
        &self,
        value: &T,
        condition: Option<&str>,
        values: &[(&str, AttributeValue)],
    ) -> Result<Put, Error> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(to_item(value)?));
        if let Some(c) = condition {
            put = put.condition_expression(c);
        }
        for (k, v) in values {
            put = put.expression_attribute_values(*k, v.clone());
        }
        if condition.is_some_and(|c| c.contains("#ttl")) {
            put = put.expression_attribute_names("#ttl", "ttl");
        }
        put.build().map_err(Error::internal)
    }

    /// Counts one more against a budget item, only while under `limit`;
    /// `ttl` lets daily counters expire.
    pub(crate) fn count_one(&self, pk: String, sk: String, limit: u32, ttl: Option<i64>) -> Result<Update, Error> {
        let mut u = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .condition_expression("attribute_not_exists(#count) OR #count < :limit")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":entity", s("budget"));
        u = match ttl {
            Some(ttl) => u
                .update_expression("ADD #count :one SET #ttl = :ttl, entity = :entity")
                .expression_attribute_names("#ttl", "ttl")
                .expression_attribute_values(":ttl", n(ttl)),
            None => u.update_expression("ADD #count :one SET entity = :entity"),
        };
        u.build().map_err(Error::internal)
    }

    /// The caller's daily e-mail budget across all their resources.
    pub(crate) fn count_user_send(&self, who: &invites_domain::Identity, now: i64) -> Result<Update, Error> {
        let day = invites_domain::budgets::budget_day(now);
        self.count_one(
            items::user_pk(&who.sub),
            items::rate_sk(day),
            self.limits.user_daily_invites,
            Some((day + 2) * DAY),
        )
    }

    /// A put that only creates (never overwrites).
    pub(crate) fn put_new<T: Serialize>(&self, value: &T) -> Result<Put, Error> {
        self.put(value, Some("attribute_not_exists(PK)"), &[])
    }

    /// An audit entry for the resource, kept for `AUDIT_RETENTION_DAYS`.
    pub(crate) fn audit(
        &self,
        rid: &str,
        action: &str,
        actor: &str,
        subject: &str,
        detail: Option<String>,
        now: i64,
    ) -> Result<Put, Error> {
        let item = AuditItem {
            pk: res_pk(rid),
            sk: audit_sk(&invites_domain::ids::new_ulid()),
            entity: "audit".into(),
            ttl: keep_audit_until(now),
            record: AuditEntry { action: action.into(), actor: actor.into(), subject: subject.into(), at: now, detail },
        };
        self.put(&item, None, &[])
    }

    /// Writes one audit entry on its own (for changes that are a single write).
    pub(crate) async fn put_audit(
        &self,
        rid: &str,
        action: &str,
        actor: &str,
        subject: &str,
        detail: Option<String>,
        now: i64,
    ) -> Result<(), Error> {
        self.put_if(self.audit(rid, action, actor, subject, detail, now)?).await.map(drop)
    }

    /// Writes a prepared put on its own (not in a transaction); `false`
    /// when its condition did not hold.
    pub(crate) async fn put_if(&self, put: Put) -> Result<bool, Error> {
        let res = self
            .db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await;
        match res {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(Error::internal(format!("put: {}", DisplayErrorContext(&e)))),
        }
    }

    /// Unless the caller overrides it: the address is not on the resource's
    /// suppression list (checked in the write's transaction).
    pub(crate) fn not_suppressed(&self, tx: &mut Tx, rid: &str, email: &str, ignore: bool) -> Result<(), Error> {
        if ignore {
            return Ok(());
        }
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(items::suppressed_sk(email)))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(Error::internal)?;
        tx.condition(Check::Suppressed, check);
        Ok(())
    }

    /// The working link token of an invite (derived, never stored).
    pub async fn link_token(&self, invite: &Invite) -> Result<String, Error> {
        let rid = ResourceId::parse(&invite.resource_id).map_err(|_| Error::internal("bad stored resource id"))?;
        let iid = InviteId::parse(&invite.invite_id).map_err(|_| Error::internal("bad stored invite id"))?;
        let nonce = Nonce::decode(&invite.nonce).ok_or_else(|| Error::internal("bad stored nonce"))?;
        Ok(self.keys().await?.mint(rid, iid, &nonce))
    }
}

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, Error> {
    serde_dynamo::to_item(value).map_err(Error::internal)
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, Error> {
    serde_dynamo::from_item(item).map_err(Error::internal)
}

/// Page cursors: base64url of the last returned item's ULID (invite or audit
/// id). They hold no partition: the resource always comes from the path.
pub(crate) mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use invites_domain::{Error, InviteId};

    pub fn encode(ulid: &str) -> Option<String> {
        InviteId::parse(ulid).ok().map(|id| URL_SAFE_NO_PAD.encode(id.to_bytes()))
    }

    /// The ULID (as text) a cursor points at, or 422 `invalid_cursor`.
    pub fn decode(c: &str) -> Result<String, Error> {
        URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(|b| InviteId::from_bytes(b).to_string())
            .ok_or_else(|| Error::invalid("invalid_cursor", "cursor is not valid"))
    }
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Rounds of a batched read before giving up on keys DynamoDB keeps leaving
/// unprocessed (throttling): a few hundred milliseconds of back-off, well
/// inside a function's timeout.
const BATCH_READ_ATTEMPTS: u32 = 6;

/// The key of one item.
pub(crate) fn key(pk: String, sk: String) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

impl Store {
    /// The items at these keys that exist, read consistently with only the
    /// attributes in `projection` (`#x` placeholders resolved by `names`):
    /// one `BatchGetItem` per 100 keys, asked again for any DynamoDB leaves
    /// unprocessed, instead of one read per key.
    pub(crate) async fn batch_get(
        &self,
        keys: &[Item],
        projection: &str,
        names: &[(&str, &str)],
    ) -> Result<Vec<Item>, Error> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut wanted = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .projection_expression(projection)
                .set_expression_attribute_names(
                    (!names.is_empty())
                        .then(|| names.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()),
                )
                .build()
                .map_err(Error::internal)?;
            for attempt in 0.. {
                let answer = self
                    .db
                    .batch_get_item()
                    .request_items(&self.table, wanted)
                    .send()
                    .await
                    .map_err(|e| Error::internal(format!("batch get: {}", DisplayErrorContext(&e))))?;
                out.extend(answer.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
                match answer.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                    Some(rest) if !rest.keys.is_empty() && attempt < BATCH_READ_ATTEMPTS => {
                        backoff(attempt).await;
                        wanted = rest;
                    }
                    Some(rest) if !rest.keys.is_empty() => {
                        return Err(Error::internal("batch read kept leaving keys unprocessed; giving up"));
                    }
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

/// Jittered back-off before retrying a transaction that lost a race.
pub(crate) async fn backoff(attempt: u32) {
    let [r] = invites_domain::token::random_bytes::<1>();
    let base = 5u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(base + u64::from(r) % (base + 1))).await;
}

pub(crate) fn too_busy() -> Error {
    Error::internal("transaction kept conflicting; giving up")
}
