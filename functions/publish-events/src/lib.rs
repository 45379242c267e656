//! The lifecycle-event publisher: the table's stream → the EventBridge bus.
//!
//! Lambda reads the stream in order per partition and hands over batches of
//! new audit entries (the event source mapping's filter drops every other
//! record; the check here repeats it). Each entry becomes its events
//! (`invites_domain::events`), published in order. When the bus refuses one,
//! the response names that entry's record as the first failure: Lambda
//! keeps what came before and hands the rest over again, so an event is
//! published again only if a retry repeats it, always with the same `id`.
//!
//! With webhooks on (`INVITES_WEBHOOK_QUEUE_URL`), each event published is
//! also queued once for every endpoint that wants it (the webhook worker
//! sends them); a failure there is retried like the bus's.

use aws_lambda_events::event::dynamodb::Event as StreamEvent;
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use invites_adapters::events::MAX_ENTRIES;
use invites_adapters::store::items::{AUDIT_PREFIX, AuditItem};
use invites_adapters::{EventBus, Store, WebhookQueue};
use invites_domain::events::{self, Event};
use invites_domain::ports::Webhooks;

pub struct Publisher {
    pub bus: EventBus,
    /// The endpoints' store and the webhook queue, when webhooks are on.
    pub webhooks: Option<(Store, WebhookQueue)>,
    /// The endpoint the deployment's configuration names, registered (or
    /// brought in line) before the first batch that reads the endpoints.
    pub configured: Option<invites_domain::webhooks::Endpoint>,
    pub configured_done: std::sync::atomic::AtomicBool,
}

impl Publisher {
    pub async fn handle(&self, batch: StreamEvent) -> DynamoDbEventResponse {
        // The events of each new audit entry, with its record's sequence number.
        let mut records: Vec<(String, Vec<Event>)> = Vec::new();
        for record in batch.records {
            let is_audit = matches!(record.change.keys.get("SK"), Some(serde_dynamo::AttributeValue::S(sk)) if sk.starts_with(AUDIT_PREFIX));
            if record.event_name != "INSERT" || !is_audit {
                continue;
            }
            let seq = record.change.sequence_number.clone().unwrap_or_default();
            match AuditItem::from_image(record.change.new_image) {
                Some((rid, id, entry)) => records.push((seq, events::from_audit(&rid, &id, &entry))),
                None => tracing::error!(sequence_number = %seq, "an audit entry that cannot be read is skipped"),
            }
        }
        let mut response = DynamoDbEventResponse::default();
        let fail_from = |response: &mut DynamoDbEventResponse, seq: Option<&String>| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = seq.cloned();
            response.batch_item_failures.push(failure);
        };
        // The endpoints, read once per batch.
        let endpoints = match &self.webhooks {
            Some((store, _)) if !records.is_empty() => match self.endpoints(store).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(error = %e, "webhook endpoints could not be read; the batch is retried");
                    fail_from(&mut response, records.first().map(|(seq, _)| seq));
                    return response;
                }
            },
            _ => Vec::new(),
        };
        let total: usize = records.iter().map(|(_, e)| e.len()).sum();
        // One PutEvents call per group of whole records, so that a refused
        // call never leaves half of one change's events on the bus.
        let (mut rest, mut done) = (records.as_slice(), 0);
        while !rest.is_empty() {
            let (mut take, mut size) = (0, 0);
            while take < rest.len() && (take == 0 || size + rest[take].1.len() <= MAX_ENTRIES) {
                size += rest[take].1.len();
                take += 1;
            }
            let group: Vec<Event> = rest[..take].iter().flat_map(|(_, e)| e.iter().cloned()).collect();
            if let Err((published, e)) = self.bus.publish(&group).await {
                // The record of the first event not on the bus, and all after it, come again.
                let mut seen = 0;
                let failed = rest.iter().find(|(_, e)| {
                    seen += e.len();
                    seen > published
                });
                tracing::error!(published = done + published, of = total, error = %e, "publishing stopped; the rest is retried");
                fail_from(&mut response, failed.map(|(seq, _)| seq));
                return response;
            }
            if let Some((_, queue)) = &self.webhooks {
                let queued = match invites_domain::webhooks::deliveries(&endpoints, &group) {
                    Ok(d) if d.is_empty() => Ok(()),
                    Ok(d) => queue.send_all(&d).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = queued {
                    // The group comes again: its events reach the bus twice
                    // (same ids), and the webhooks' claims send each once.
                    tracing::error!(error = %e, "webhook deliveries not queued; the rest is retried");
                    fail_from(&mut response, rest.first().map(|(seq, _)| seq));
                    return response;
                }
            }
            rest = &rest[take..];
            done += group.len();
        }
        tracing::info!(published = total, "events published");
        response
    }
}

impl Publisher {
    /// The endpoints, after registering the configured one (once per cold
    /// start). A failure to register it is logged and tried again with the
    /// next batch; it never holds up the events themselves.
    async fn endpoints(&self, store: &Store) -> Result<Vec<invites_domain::webhooks::Endpoint>, invites_domain::Error> {
        use std::sync::atomic::Ordering;
        if let Some(configured) = &self.configured
            && !self.configured_done.load(Ordering::Relaxed)
        {
            match store.ensure_endpoint(configured, invites_domain::time::now()).await {
                Ok(()) => self.configured_done.store(true, Ordering::Relaxed),
                Err(e) => {
                    tracing::error!(error = %e, "the configured webhook endpoint could not be registered; tried again with the next batch")
                }
            }
        }
        store.endpoints().await
    }
}
