//! Bookkeeping of the mail worker on the invite item, so that a message
//! delivered twice (or a stale one) sends at most one e-mail.

use super::items::*;
use super::{Store, n, s};
use aws_sdk_dynamodb::error::DisplayErrorContext;
use invites_domain::Error;

/// A claim older than this may be taken over (the worker holding it died).
pub const CLAIM_SECS: i64 = 120;

impl Store {
    async fn conditional_update(
        &self,
        item: &InviteItem,
        update: &str,
        condition: &str,
        values: Vec<(&str, aws_sdk_dynamodb::types::AttributeValue)>,
    ) -> Result<bool, Error> {
        let mut req = self
            .db
            .update_item()
            .table_name(&self.table)
            .key("PK", s(&item.pk))
            .key("SK", s(&item.sk))
            .update_expression(update)
            .condition_expression(condition);
        if condition.contains("#s") {
            req = req.expression_attribute_names("#s", "status");
        }
        for (k, v) in values {
            req = req.expression_attribute_values(k, v);
        }
        match req.send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => Ok(false),
            Err(e) => Err(Error::internal(format!("update invite: {}", DisplayErrorContext(&e)))),
        }
    }

    /// Claims the send `send_id` of a pending, unexpired invite. `false` when
    /// the invite moved on (revoked, resent, expired), the send already
    /// happened, or another worker holds a fresh claim.
    pub async fn claim_send(&self, item: &InviteItem, send_id: &str, now: i64) -> Result<bool, Error> {
        self.conditional_update(
            item,
            "SET sendingId = :sid, sendingAt = :now",
            "#s = :pending AND sendId = :sid AND expiresAt > :now \
             AND (attribute_not_exists(sentSendId) OR sentSendId <> :sid) \
             AND (attribute_not_exists(sendingId) OR sendingId <> :sid OR sendingAt < :stale)",
            vec![(":sid", s(send_id)), (":now", n(now)), (":pending", s("pending")), (":stale", n(now - CLAIM_SECS))],
        )
        .await
    }

    /// Records the SES message id of a claimed send.
    pub async fn record_sent(&self, item: &InviteItem, send_id: &str, message_id: &str, now: i64) -> Result<(), Error> {
        self.conditional_update(
            item,
            "SET sentSendId = :sid, sesMessageId = :mid, sentAt = :now REMOVE sendingId, sendingAt, deliveryError",
            "sendingId = :sid",
            vec![(":sid", s(send_id)), (":mid", s(message_id)), (":now", n(now))],
        )
        .await
        .map(drop)
    }

    /// Gives a claim back after a transient failure, so a retry can send.
    pub async fn release_send(&self, item: &InviteItem, send_id: &str) -> Result<(), Error> {
        self.conditional_update(item, "REMOVE sendingId, sendingAt", "sendingId = :sid", vec![(":sid", s(send_id))])
            .await
            .map(drop)
    }

    /// SES refused the e-mail for good: keep the reason and audit it.
    pub async fn record_delivery_failed(&self, item: &InviteItem, send_id: &str, reason: &str, now: i64) -> Result<(), Error> {
        let reason: String = reason.chars().take(300).collect();
        let changed = self
            .conditional_update(
                item,
                "SET deliveryError = :reason, sentSendId = :sid, updatedAt = :now REMOVE sendingId, sendingAt",
                "sendingId = :sid",
                vec![(":sid", s(send_id)), (":reason", s(&reason)), (":now", n(now))],
            )
            .await?;
        if changed {
            self.put_audit(&item.resource_id, "invite.delivery_failed", "system", &item.invite_id, Some(reason), now).await?;
        }
        Ok(())
    }
}
