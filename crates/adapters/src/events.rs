//! The deployment's EventBridge bus: lifecycle events from the publisher,
//! and delivery requests from the mail worker when the operator delivers
//! invitations through their own channel.

use crate::config::{ConfigError, optional};
use crate::mailer::SendError;
use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use invites_domain::Error;
use invites_domain::events::{DELIVERY_REQUESTED, DELIVERY_SOURCE, DeliveryRequested, Event, SOURCE};

/// PutEvents takes at most this many entries per call; the publisher groups
/// whole records up to it.
pub const MAX_ENTRIES: usize = 10;

#[derive(Clone)]
pub struct EventBus {
    client: aws_sdk_eventbridge::Client,
    bus: String,
}

impl EventBus {
    pub fn new(sdk: &aws_config::SdkConfig, bus: String) -> Self {
        Self { client: aws_sdk_eventbridge::Client::new(sdk), bus }
    }

    /// `INVITES_EVENT_BUS` (name or ARN), for the functions that publish.
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let bus = optional("INVITES_EVENT_BUS").ok_or_else(|| ConfigError("INVITES_EVENT_BUS is not set".into()))?;
        Ok(Self::new(sdk, bus))
    }

    fn entry(&self, source: &str, kind: &str, detail: String) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(source)
            .detail_type(kind)
            .detail(detail)
            .build()
    }

    /// Publishes up to [`MAX_ENTRIES`] events in one call, in order. On
    /// failure, says how many of `events` are on the bus (those before the
    /// first one that failed; the caller publishes the rest again) and why.
    pub async fn publish(&self, events: &[Event]) -> Result<(), (usize, Error)> {
        let entries = events
            .iter()
            .map(|e| Ok(self.entry(SOURCE, &e.kind, serde_json::to_string(e).map_err(Error::internal)?)))
            .collect::<Result<Vec<_>, Error>>()
            .map_err(|e| (0, e))?;
        let out = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| (0, Error::internal(DisplayErrorContext(&e))))?;
        match out.entries().iter().position(|r| r.error_code().is_some()) {
            Some(i) => {
                let why = format!("event bus refused an event: {}", out.entries()[i].error_code().unwrap_or_default());
                Err((i, Error::internal(why)))
            }
            None => Ok(()),
        }
    }

    /// The operator's channel: one event with the link instead of an
    /// e-mail. Returns the bus's event id (recorded like an SES message id).
    pub async fn request_delivery(&self, request: &DeliveryRequested<'_>) -> Result<String, SendError> {
        let detail = serde_json::to_string(request).map_err(|e| SendError::Permanent(e.to_string()))?;
        let out = self
            .client
            .put_events()
            .entries(self.entry(DELIVERY_SOURCE, DELIVERY_REQUESTED, detail))
            .send()
            .await
            .map_err(|e| SendError::Transient(DisplayErrorContext(&e).to_string()))?;
        match out.entries().first() {
            Some(r) if r.error_code().is_none() => Ok(r.event_id().unwrap_or_default().to_owned()),
            Some(r) => Err(SendError::Transient(format!("event bus refused: {}", r.error_code().unwrap_or("unknown")))),
            None => Err(SendError::Transient("event bus answered without a result".into())),
        }
    }
}
