//! The sweep's side of the table: the sparse due index (`GSI2`) and the
//! conditional writes that keep overlapping sweeps from acting twice.

use super::items::*;
use super::{Check, Item, LIVE_INVITE, Store, Tx, TxError, n, s};
use aws_sdk_dynamodb::types::Update;
use invites_domain::Error;
use invites_domain::InviteStatus;
use invites_domain::members::Made;
use invites_domain::message::SendInvite;
use invites_domain::ports::{CleanedUp, Due, Reminder, Sweep};
use invites_domain::records::Invite;
use invites_domain::sweep::due_after_queued;

/// The index of pending invites, by when the sweep looks at them next.
const DUE_INDEX: &str = "GSI2";

impl Sweep for Store {
    async fn deleted_resources(&self, limit: usize) -> Result<Vec<String>, Error> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(DUE_INDEX)
            .key_condition_expression("GSI2PK = :deleted")
            .expression_attribute_values(":deleted", s(DELETED_PK))
            .limit(limit.clamp(1, 100) as i32)
            .send()
            .await
            .map_err(|e| super::sdk::failure("query deleted resources", e))?;
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| {
                i.get("PK").and_then(|v| v.as_s().ok()).and_then(|pk| pk.strip_prefix("RES#")).map(str::to_owned)
            })
            .collect())
    }

    async fn clean_up(&self, rid: &str, budget: usize, now: i64) -> Result<CleanedUp, Error> {
        let mut done = CleanedUp::default();
        let mut start = None;
        loop {
            // Keys only, a page at a time; the marker and the audit trail stay.
            let page = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(res_pk(rid)))
                .projection_expression("PK, SK")
                .consistent_read(true)
                .limit(100)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| super::sdk::failure("query a deleted resource", e))?;
            let doomed: Vec<Item> = page
                .items
                .unwrap_or_default()
                .into_iter()
                .filter(|i| {
                    i.get("SK")
                        .and_then(|v| v.as_s().ok())
                        .is_some_and(|sk| sk != RESOURCE_SK && !sk.starts_with(AUDIT_PREFIX))
                })
                .collect();
            done.removed += self.batch_delete(doomed).await?;
            start = page.last_evaluated_key;
            if start.is_none() {
                break;
            }
            if done.removed as usize >= budget {
                return Ok(done);
            }
        }
        // Nothing left but the marker: off the sweep's list, and gone itself
        // with the audit trail's retention.
        self.update_if(
            &res_pk(rid),
            RESOURCE_SK,
            "SET #ttl = :ttl REMOVE GSI2PK, GSI2SK",
            "attribute_exists(deletedAt)",
            &[(":ttl", n(invites_domain::limits::keep_audit_until(now)))],
        )
        .await?;
        done.finished = true;
        Ok(done)
    }
    async fn due_invites(&self, now: i64, limit: usize) -> Result<Vec<Due>, Error> {
        let query = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(DUE_INDEX)
            .key_condition_expression("GSI2PK = :due AND GSI2SK <= :now")
            .expression_attribute_values(":due", s(DUE_PK))
            .expression_attribute_values(":now", n(now))
            .limit(limit.min(100) as i32);
        let mut items: Vec<InviteItem> = self.pages(query, limit).await?;
        items.truncate(limit);
        Ok(items.into_iter().filter_map(|i| i.gsi2sk.map(|due| Due { due, invite: i.record })).collect())
    }

    async fn reminders_on(&self, rid: &str) -> Result<bool, Error> {
        Ok(self.resource_item(rid).await?.is_some_and(|r| r.reminders))
    }

    async fn free_seat(&self, due: &Due, now: i64) -> Result<bool, Error> {
        let i = &due.invite;
        match self.email_lock(&i.resource_id, &i.email).await? {
            Some(lock) if lock.invite_id.as_deref() == Some(i.invite_id.as_str()) => {
                self.reclaim_lock(&i.resource_id, &lock, now).await
            }
            // Its seat went back already (another sweep, a reclaim on
            // demand): not freed here. Whoever freed it marks it expired and
            // takes it off the index; doing that again is harmless, and
            // covers a freer that stopped in between.
            _ => {
                self.mark_expired(&i.resource_id, &i.invite_id, now).await?;
                Ok(false)
            }
        }
    }

    async fn emails_today(&self, now: i64) -> Result<u64, Error> {
        #[derive(serde::Deserialize)]
        struct Counted {
            #[serde(default)]
            count: u64,
        }
        let day = invites_domain::budgets::budget_day(now);
        let counted: Option<Counted> = self.get(DEPLOYMENT_PK.into(), rate_sk(day)).await?;
        Ok(counted.map_or(0, |c| c.count))
    }

    async fn inviter_manages(&self, invite: &Invite) -> Result<bool, Error> {
        self.maker_still_manages(Made::invite(invite)).await
    }

    async fn reschedule(&self, due: &Due, next: Option<i64>) -> Result<bool, Error> {
        let i = &due.invite;
        let mut values = vec![(":was", n(due.due)), (":sid", s(&i.send_id))];
        let update = match next {
            Some(at) => {
                values.push((":next", n(at)));
                "SET GSI2SK = :next"
            }
            None => "REMOVE GSI2PK, GSI2SK",
        };
        let (pk, sk) = (res_pk(&i.resource_id), invite_sk(&i.invite_id));
        self.update_if(&pk, &sk, update, "GSI2SK = :was AND sendId = :sid", &values).await
    }

    async fn claim_reminder(&self, due: &Due, now: i64) -> Result<Reminder, Error> {
        let i = &due.invite;
        let send_id = invites_domain::ids::new_ulid();
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&i.resource_id)))
            .key("SK", s(invite_sk(&i.invite_id)))
            .update_expression("SET sendId = :new, reminderSendId = :new, GSI2SK = :next")
            .condition_expression(format!(
                "{LIVE_INVITE} AND GSI2SK = :was AND sendId = :old AND sentSendId = :old \
                 AND attribute_not_exists(reminderSendId)"
            ))
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":new", s(&send_id))
            .expression_attribute_values(":next", n(due_after_queued(&self.limits, now)))
            .expression_attribute_values(":was", n(due.due))
            .expression_attribute_values(":old", s(&i.send_id))
            .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
            .expression_attribute_values(":now", n(now))
            .build()
            .map_err(Error::internal)?;
        // A reminder is an e-mail: it counts against the resource's daily
        // budget and the deployment's cap (no person caused it).
        let mut tx = Tx::new();
        tx.update(Check::Invite, update)
            .update(Check::Budget, self.count_resource_send(&i.resource_id, now)?)
            .update(Check::DeploymentBudget, self.count_deployment_send(now)?);
        self.not_suppressed(&mut tx, &i.resource_id, &i.email, false).await?;
        match self.transact(tx).await {
            Ok(()) => Ok(Reminder::Claimed(SendInvite::new(i.resource_id.clone(), i.invite_id.clone(), send_id))),
            Err(f) if f.failed(Check::Invite) => Ok(Reminder::Lost),
            Err(f) if f.failed(Check::Suppressed) => Ok(Reminder::Suppressed),
            Err(f) if f.failed(Check::Budget) || f.failed(Check::DeploymentBudget) => Ok(Reminder::OverBudget),
            Err(TxError::Other(e)) => Err(e),
            Err(_) => Ok(Reminder::Lost),
        }
    }
}
