//! Writes: puts (new, conditional, on their own), conditional updates,
//! budget counters, audit entries and the suppression condition.

use super::items::{self, AuditItem, audit_sk, res_pk};
use super::{Check, Item, Store, Tx};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, Update};
use invites_domain::audit::Audit;
use invites_domain::limits::keep_audit_until;
use invites_domain::time::DAY;
use invites_domain::{Error, Identity};
use serde::Serialize;

pub(crate) fn to_item<T: Serialize>(value: &T) -> Result<Item, Error> {
    serde_dynamo::to_item(value).map_err(Error::internal)
}

pub(crate) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(crate) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl Store {
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

    /// A put that only creates (never overwrites).
    pub(crate) fn put_new<T: Serialize>(&self, value: &T) -> Result<Put, Error> {
        self.put(value, Some("attribute_not_exists(PK)"), &[])
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
            Err(e) => Err(super::sdk::failure("put", e)),
        }
    }

    /// One conditional update; `false` when the condition failed.
    /// Deletes these items (keys), 25 per `BatchWriteItem`, asking again
    /// for any DynamoDB leaves unprocessed; how many were deleted.
    pub(crate) async fn batch_delete(&self, keys: Vec<super::Item>) -> Result<u64, Error> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        let mut deleted = 0;
        for chunk in keys.chunks(25) {
            let mut requests = chunk
                .iter()
                .map(|k| {
                    let delete = DeleteRequest::builder().set_key(Some(k.clone())).build().map_err(Error::internal)?;
                    Ok(WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, Error>>()?;
            for attempt in 0.. {
                let out = self
                    .db
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(|e| super::sdk::failure("batch delete", e))?;
                match out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).filter(|r| !r.is_empty()) {
                    Some(rest) if attempt < 6 => {
                        super::tx::backoff(attempt).await;
                        requests = rest;
                    }
                    Some(_) => return Err(Error::Unavailable("batch delete kept leaving items unprocessed".into())),
                    None => break,
                }
            }
            deleted += chunk.len() as u64;
        }
        Ok(deleted)
    }

    pub(crate) async fn update_if(
        &self,
        pk: &str,
        sk: &str,
        update: &str,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<bool, Error> {
        let mut req = self
            .db
            .update_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .update_expression(update)
            .condition_expression(condition);
        for (name, attr) in [("#s", "status"), ("#role", "role"), ("#ttl", "ttl")] {
            if update.contains(name) || condition.contains(name) {
                req = req.expression_attribute_names(name, attr);
            }
        }
        for (k, v) in values {
            req = req.expression_attribute_values(*k, v.clone());
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(super::sdk::failure("update", e)),
        }
    }

    /// Counts one more against a budget item, only while under `limit`;
    /// `ttl` lets daily counters expire.
    pub(crate) fn count_one(&self, pk: String, sk: String, limit: u32, ttl: Option<i64>) -> Result<Update, Error> {
        self.count_n(pk, sk, limit, ttl, 1)
    }

    /// Counts `k` more against a budget item, only while all `k` fit under
    /// `limit` (so `k` must be at most `limit`).
    fn count_n(&self, pk: String, sk: String, limit: u32, ttl: Option<i64>, k: u32) -> Result<Update, Error> {
        let mut u = Update::builder()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .condition_expression("attribute_not_exists(#count) OR #count <= :most")
            .expression_attribute_names("#count", "count")
            .expression_attribute_values(":one", n(k))
            .expression_attribute_values(":most", n(limit.saturating_sub(k)))
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

    /// `k` more against today's counter under `pk` (a daily budget of
    /// `limit`), which expires the day after tomorrow.
    fn count_today(&self, pk: String, limit: u32, now: i64, k: u32) -> Result<Update, Error> {
        let day = invites_domain::budgets::budget_day(now);
        self.count_n(pk, items::rate_sk(day), limit, Some((day + 2) * DAY), k)
    }

    /// The resource's daily e-mail budget (invites, resends, reminders).
    pub(crate) fn count_resource_send(&self, rid: &str, now: i64) -> Result<Update, Error> {
        self.count_today(items::res_pk(rid), self.limits.daily_invites, now, 1)
    }

    /// The deployment's daily cap on every invitation e-mail.
    pub(crate) fn count_deployment_send(&self, now: i64) -> Result<Update, Error> {
        self.count_today(items::DEPLOYMENT_PK.into(), self.limits.deployment_daily_emails, now, 1)
    }

    /// Adds every budget an e-mail a person causes counts against: the
    /// resource's, the person's own, the deployment's.
    pub(crate) fn count_send(&self, tx: &mut Tx, rid: &str, who: &Identity, now: i64) -> Result<(), Error> {
        self.count_sends(tx, rid, who, now, 1)
    }

    /// [`Store::count_send`] for `k` e-mails at once (a group of a bulk
    /// invite): all of them fit in each budget, or the write fails.
    pub(crate) fn count_sends(&self, tx: &mut Tx, rid: &str, who: &Identity, now: i64, k: u32) -> Result<(), Error> {
        let l = &self.limits;
        tx.update(Check::Budget, self.count_today(items::res_pk(rid), l.daily_invites, now, k)?)
            .update(Check::UserBudget, self.count_today(items::user_pk(&who.sub), l.user_daily_invites, now, k)?)
            .update(
                Check::DeploymentBudget,
                self.count_today(items::DEPLOYMENT_PK.into(), l.deployment_daily_emails, now, k)?,
            );
        Ok(())
    }

    /// An audit entry for the resource, kept for `AUDIT_RETENTION_DAYS`.
    pub(crate) fn audit(&self, rid: &str, entry: Audit<'_>, now: i64) -> Result<Put, Error> {
        let item = AuditItem {
            pk: res_pk(rid),
            sk: audit_sk(&invites_domain::ids::new_ulid()),
            entity: "audit".into(),
            ttl: keep_audit_until(now),
            record: entry.entry(now),
        };
        self.put(&item, None, &[])
    }

    /// Writes one audit entry on its own (for changes that are a single write).
    pub(crate) async fn put_audit(&self, rid: &str, entry: Audit<'_>, now: i64) -> Result<(), Error> {
        self.put_if(self.audit(rid, entry, now)?).await.map(drop)
    }

    /// Unless the caller overrides it: the address is not on the resource's
    /// suppression list (checked in the write's transaction), neither as
    /// itself nor, once its owner had their data erased, as its keyed hash
    /// (under the current key and, during a rotation, the previous one; a
    /// function without link keys checks the address only).
    pub(crate) async fn not_suppressed(&self, tx: &mut Tx, rid: &str, email: &str, ignore: bool) -> Result<(), Error> {
        if ignore {
            return Ok(());
        }
        let mut keys = vec![items::suppressed_sk(email)];
        if let Some(ring) = self.keys_if_any().await? {
            keys.extend(ring.pseudonyms(email).iter().map(|p| items::suppressed_sk(p)));
        }
        for sk in keys {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(rid)))
                .key("SK", s(sk))
                .condition_expression("attribute_not_exists(PK)")
                .build()
                .map_err(Error::internal)?;
            tx.condition(Check::Suppressed, check);
        }
        Ok(())
    }
}
