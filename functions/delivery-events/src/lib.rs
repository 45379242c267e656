//! SES delivery events → the invite's e-mail state.
//!
//! SES publishes the configuration set's events (delivery, delivery delay,
//! bounce, complaint, reject) to an SNS topic this function subscribes to.
//! Each record is read (`invites_adapters::ses_events`), matched to its
//! invite by the e-mail's tags and message id, and recorded
//! (`DeliveryLedger::record_delivery`): duplicates, late events, other
//! messages and foreign mail change nothing. A store failure fails the
//! invocation, so Lambda retries it (and, after its retries, the event
//! goes to the function's dead-letter queue).

use aws_lambda_events::event::sns::SnsEvent;
use invites_adapters::Store;
use invites_adapters::ses_events::{self, Skip};
use invites_domain::delivery::Record;
use invites_domain::ports::DeliveryLedger;
use invites_domain::{Error, time};

pub struct Handler {
    pub store: Store,
}

impl Handler {
    pub async fn handle(&self, event: SnsEvent) -> Result<(), Error> {
        for record in event.records {
            let _outcome = self.record(&record.sns.message).await?;
        }
        Ok(())
    }

    /// One SES event; what it did, for logs and tests.
    pub async fn record(&self, message: &str) -> Result<Result<Record, Skip>, Error> {
        let addressed = match ses_events::parse(message) {
            Ok(a) => a,
            Err(skip) => {
                if skip == Skip::Malformed {
                    tracing::error!("dropping a malformed SES event");
                } else {
                    tracing::info!(skip = ?skip, "not an invite e-mail event");
                }
                return Ok(Err(skip));
            }
        };
        let outcome = self
            .store
            .record_delivery(addressed.resource_id, addressed.invite_id, &addressed.event, time::now())
            .await?;
        tracing::info!(
            invite_id = %addressed.invite_id,
            state = addressed.event.state.as_str(),
            outcome = ?outcome,
            "SES event"
        );
        Ok(Ok(outcome))
    }
}
