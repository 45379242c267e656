//! The single-table DynamoDB store. Every rule that must hold under
//! concurrency is enforced by conditions inside one `TransactWriteItems`
//! call; expiry is always checked against the clock, never left to TTL.

mod invites;
pub mod manage;
pub mod lifecycle;
pub mod items;
pub mod resources;
pub mod send;

use crate::config::Limits;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use invites_domain::{Error, time::DAY, token::TokenKey};
use items::{AuditItem, audit_sk, res_pk};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;

pub use invites::{CreateInvite, Created, InvitePage};

pub type Item = HashMap<String, AttributeValue>;

/// How long audit entries are kept.
pub const AUDIT_RETENTION_DAYS: i64 = 365;
/// Attempts for a transaction that keeps losing races to other writers.
const MAX_ATTEMPTS: u32 = 30;

#[derive(Clone)]
pub struct Store {
    pub(crate) db: Client,
    pub(crate) table: String,
    pub(crate) key: TokenKey,
    pub(crate) limits: Limits,
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum TxError {
    /// Condition failures per item, in request order (`true` = failed).
    Conditions(Vec<bool>),
    /// Lost a race with another transaction; try again.
    Conflict,
    Other(Error),
}

impl Store {
    pub fn new(sdk: &aws_config::SdkConfig, table: String, key: TokenKey, limits: Limits) -> Self {
        Self { db: Client::new(sdk), table, key, limits }
    }

    pub fn from_config(sdk: &aws_config::SdkConfig, cfg: &crate::Config) -> Self {
        Self::new(sdk, cfg.table.clone(), cfg.token_key.clone(), cfg.limits)
    }

    pub fn client(&self) -> &Client {
        &self.db
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub(crate) fn retention(&self) -> i64 {
        self.limits.retention_days * DAY
    }

    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TxError> {
        let res = self.db.transact_write_items().set_transact_items(Some(items)).send().await;
        let Err(err) = res else { return Ok(()) };
        match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let codes: Vec<&str> = e.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None")).collect();
                if codes.contains(&"ConditionalCheckFailed") {
                    Err(TxError::Conditions(codes.iter().map(|c| *c == "ConditionalCheckFailed").collect()))
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

    /// Every item of a partition (or GSI1 partition) whose sort key starts
    /// with `prefix`, page after page, stopping once `cap` are read.
    pub(crate) async fn query_all<T: DeserializeOwned>(&self, pk: String, prefix: &str, index: Option<&str>, cap: usize) -> Result<Vec<T>, Error> {
        let (pk_attr, sk_attr) = if index.is_some() { ("GSI1PK", "GSI1SK") } else { ("PK", "SK") };
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(format!("{pk_attr} = :pk AND begins_with({sk_attr}, :prefix)"))
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(prefix))
                .consistent_read(index.is_none())
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

    pub(crate) fn put(&self, item: Item, condition: Option<&str>) -> TransactWriteItem {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .expect("table and item are set");
        TransactWriteItem::builder().put(put).build()
    }

    pub(crate) fn audit(&self, rid: &str, action: &str, actor: &str, subject: &str, detail: Option<String>, now: i64) -> Result<TransactWriteItem, Error> {
        let item = AuditItem {
            pk: res_pk(rid),
            sk: audit_sk(&invites_domain::ids::new_ulid()),
            entity: "audit".into(),
            action: action.into(),
            actor: actor.into(),
            subject: subject.into(),
            at: now,
            detail,
            ttl: now + AUDIT_RETENTION_DAYS * DAY,
        };
        Ok(self.put(to_item(&item)?, None))
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

/// Jittered back-off before retrying a transaction that lost a race.
pub(crate) async fn backoff(attempt: u32) {
    let [r] = invites_domain::token::random_bytes::<1>();
    let base = 5u64 << attempt.min(5);
    tokio::time::sleep(Duration::from_millis(base + u64::from(r) % (base + 1))).await;
}

pub(crate) fn too_busy() -> Error {
    Error::internal("transaction kept conflicting; giving up")
}

pub(crate) const fn max_attempts() -> u32 {
    MAX_ATTEMPTS
}
