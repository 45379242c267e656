//! The webhook worker: the queue of deliveries → the operator's endpoints.
//!
//! Each message is one event for one endpoint (`invites_domain::webhooks::Delivery`,
//! queued by publish-events). An attempt signs the body with the endpoint's
//! live secrets (Standard Webhooks) and posts it; a 2xx answer marks the
//! event delivered (a copy queued twice is then not sent again). A failure
//! waits by the message's visibility, by the retry schedule, and once the
//! schedule is spent the delivery is parked in the dead-letter queue, from
//! which `invites-dev dlq --redrive` (or SQS's own redrive) sends it again.
//! Deliveries to an endpoint that is switched off are parked at once. Every
//! attempt is recorded; an endpoint whose deliveries have failed for
//! [`invites_domain::webhooks::DISABLE_AFTER`] is switched off, and the
//! `WebhookEndpointsDisabled` metric raises an alarm.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;
use invites_adapters::config::{ConfigError, number, optional};
use invites_adapters::webhooks::Sender;
use invites_adapters::{Store, WebhookQueue};
use invites_domain::ports::Webhooks;
use invites_domain::webhooks::{self, Attempt, Claim, Delivery};
use invites_domain::{Error, ids, time};

/// Deliveries of one batch posted at the same time.
const CONCURRENCY: usize = 10;

pub struct Worker {
    pub store: Store,
    pub queue: WebhookQueue,
    pub dead_letters: WebhookQueue,
    pub sender: Sender,
    /// Seconds before each retry (`INVITES_WEBHOOK_RETRY_SCHEDULE`, default [`webhooks::RETRY_SCHEDULE`]).
    pub schedule: Vec<u32>,
    /// `INVITES_WEBHOOK_DISABLE_AFTER_SECS` (default a day).
    pub disable_after: i64,
}

/// How one message ended for the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Already delivered, or for an endpoint that is gone, or unreadable.
    Dropped,
    /// Failed; comes back after its wait.
    Retry,
    /// In the dead-letter queue.
    Parked,
}

impl Worker {
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let config = invites_adapters::Config::from_env()?;
        let schedule = match optional("INVITES_WEBHOOK_RETRY_SCHEDULE") {
            Some(s) => webhooks::parse_schedule(&s).map_err(ConfigError)?,
            None => webhooks::RETRY_SCHEDULE.to_vec(),
        };
        Ok(Self {
            store: Store::from_config(sdk, &config),
            queue: WebhookQueue::from_env(sdk)
                .ok_or_else(|| ConfigError("INVITES_WEBHOOK_QUEUE_URL is not set".into()))?,
            dead_letters: WebhookQueue::dead_letters(sdk)?,
            sender: Sender::new(config.webhook_urls.allow_http)
                .map_err(|e| ConfigError(format!("the system's trust store: {e}")))?,
            schedule,
            disable_after: number("INVITES_WEBHOOK_DISABLE_AFTER_SECS", webhooks::DISABLE_AFTER, |s| *s > 0)?,
        })
    }

    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let outcomes: Vec<(Option<String>, (Outcome, bool))> = futures::stream::iter(event.records)
            .map(|record| async move { (record.message_id.clone(), self.process(&record).await) })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let count = |o: Outcome| outcomes.iter().filter(|(_, (x, _))| *x == o).count() as u64;
        let disabled = outcomes.iter().filter(|(_, (_, off))| *off).count() as u64;
        invites_adapters::metrics::emit(
            "deliver-webhooks",
            &[
                ("WebhooksDelivered", count(Outcome::Delivered)),
                ("WebhookRetries", count(Outcome::Retry)),
                ("WebhooksParked", count(Outcome::Parked)),
                ("WebhookEndpointsDisabled", disabled),
            ],
        );
        let mut response = SqsBatchResponse::default();
        for (id, (outcome, _)) in outcomes {
            if outcome == Outcome::Retry {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id.unwrap_or_default();
                response.batch_item_failures.push(failure);
            }
        }
        response
    }

    /// One message: its outcome, and whether its failure switched its
    /// endpoint off. A fault of the table or the queue: try again later.
    pub async fn process(&self, record: &SqsMessage) -> (Outcome, bool) {
        let Some(delivery) = record.body.as_deref().and_then(|b| serde_json::from_str::<Delivery>(b).ok()) else {
            tracing::error!(message_id = ?record.message_id, "dropping a webhook message that cannot be read");
            return (Outcome::Dropped, false);
        };
        let attempt: u32 = record.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
        self.attempt(&delivery, attempt, record).await.unwrap_or_else(|e| {
            tracing::error!(endpoint_id = %delivery.endpoint_id, webhook_id = %delivery.message_id, error = %e, "webhook attempt not finished; tried again");
            (Outcome::Retry, false)
        })
    }

    async fn attempt(&self, d: &Delivery, attempt: u32, record: &SqsMessage) -> Result<(Outcome, bool), Error> {
        let now = time::now();
        match self.store.claim_delivery(&d.endpoint_id, &d.message_id, now).await? {
            Claim::Got => {}
            Claim::Delivered => {
                tracing::info!(endpoint_id = %d.endpoint_id, webhook_id = %d.message_id, "already delivered");
                return Ok((Outcome::Dropped, false));
            }
            // Another copy is in flight; this one comes back after the queue's visibility timeout.
            Claim::Busy => return Ok((Outcome::Retry, false)),
        }
        let endpoint = match self.store.endpoint(&d.endpoint_id).await {
            Ok(e) => e,
            Err(Error::NotFound) => {
                tracing::info!(endpoint_id = %d.endpoint_id, "endpoint removed; delivery dropped");
                return Ok((Outcome::Dropped, false));
            }
            Err(e) => return Err(e),
        };
        let record_of = |delivered: bool, status_code, error, latency_ms, next: &str, retry_at| Attempt {
            id: ids::new_ulid(),
            endpoint_id: d.endpoint_id.clone(),
            message_id: d.message_id.clone(),
            event_type: d.event_type.clone(),
            attempt,
            delivered,
            status_code,
            error,
            latency_ms,
            at: now,
            next: next.to_owned(),
            retry_at,
        };
        if !endpoint.enabled {
            self.park(record).await?;
            let a = record_of(false, None, Some("endpoint switched off".into()), 0, "parked", None);
            self.store.record_attempt(&a, self.disable_after).await?;
            return Ok((Outcome::Parked, false));
        }
        let headers = [
            ("webhook-id", d.message_id.clone()),
            ("webhook-timestamp", now.to_string()),
            ("webhook-signature", webhooks::signature(&endpoint.signing_secrets(now)?, &d.message_id, now, &d.body)),
        ];
        let answer = self.sender.post(&endpoint.url, &headers, d.body.clone()).await;
        let (status_code, error) = match answer.status {
            Ok(code) => (Some(code), None),
            Err(why) => (None, Some(why)),
        };
        let delivered = status_code.is_some_and(webhooks::accepted);
        let wait = if delivered { None } else { webhooks::retry_after(&self.schedule, attempt) };
        let (outcome, next) = match (delivered, wait) {
            (true, _) => (Outcome::Delivered, "done"),
            (false, Some(_)) => (Outcome::Retry, "retry"),
            (false, None) => (Outcome::Parked, "parked"),
        };
        let a =
            record_of(delivered, status_code, error.clone(), answer.latency_ms, next, wait.map(|w| now + i64::from(w)));
        let switched_off = self.store.record_attempt(&a, self.disable_after).await?;
        tracing::info!(
            endpoint_id = %d.endpoint_id, webhook_id = %d.message_id, event_type = %d.event_type, attempt,
            status = ?status_code, error = ?error, latency_ms = answer.latency_ms, next, "webhook attempt"
        );
        if switched_off {
            tracing::error!(endpoint_id = %d.endpoint_id, "endpoint switched off: every delivery failed for the disable period");
        }
        match outcome {
            Outcome::Retry => {
                let handle = record.receipt_handle.as_deref().unwrap_or_default();
                if let Err(e) = self.queue.retry_in(handle, wait.unwrap_or_default()).await {
                    tracing::error!(error = %e, "could not set the wait; the queue's own visibility applies");
                }
            }
            Outcome::Parked => self.park(record).await?,
            _ => {}
        }
        Ok((outcome, switched_off))
    }

    async fn park(&self, record: &SqsMessage) -> Result<(), Error> {
        self.dead_letters.send_raw(record.body.as_deref().unwrap_or_default()).await
    }
}
