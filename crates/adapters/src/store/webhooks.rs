//! Webhook endpoints and their deliveries. Items (infra/table-design.md):
//! the endpoints and their count in the deployment's `WEBHOOKS` partition;
//! each endpoint's attempts (kept 30 days) and the events it has received
//! (kept 30 days: claimed while an attempt is in flight, then delivered, so
//! a copy queued twice is sent once) in `WEBHOOK#<id>`.

use super::{Check, Item, Store, Tx, TxError, from_item, key, n, retry, s};
use aws_sdk_dynamodb::types::{Delete, Update};
use invites_domain::ports::{PageRequest, Webhooks};
use invites_domain::views::Page;
use invites_domain::webhooks::{
    AfterFailure, Attempt, CLAIM_SECS, Claim, Endpoint, EndpointChange, MAX_ENDPOINTS, Secret, StoredSecret,
    after_failure,
};
use invites_domain::{Error, error::Code, time::DAY};
use serde::{Deserialize, Serialize};

const WEBHOOKS_PK: &str = "WEBHOOKS";
const ENDPOINT_PREFIX: &str = "ENDPOINT#";
const COUNT_SK: &str = "COUNT";
const ATTEMPT_PREFIX: &str = "ATTEMPT#";
/// Attempts and delivered marks stay this long.
const KEEP: i64 = 30 * DAY;

fn endpoint_sk(id: &str) -> String {
    format!("{ENDPOINT_PREFIX}{id}")
}
fn webhook_pk(id: &str) -> String {
    format!("WEBHOOK#{id}")
}
fn delivered_sk(message_id: &str) -> String {
    format!("DELIVERED#{message_id}")
}

#[derive(Serialize, Deserialize)]
struct EndpointItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(flatten)]
    endpoint: Endpoint,
    secrets: Vec<StoredSecret>,
}

impl EndpointItem {
    fn new(endpoint: &Endpoint) -> Self {
        Self {
            pk: WEBHOOKS_PK.into(),
            sk: endpoint_sk(&endpoint.id),
            entity: "webhookEndpoint".into(),
            secrets: endpoint.secrets.clone(),
            endpoint: endpoint.clone(),
        }
    }
    fn into_endpoint(self) -> Endpoint {
        Endpoint { secrets: self.secrets, ..self.endpoint }
    }
}

#[derive(Serialize, Deserialize)]
struct AttemptItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    ttl: i64,
    #[serde(flatten)]
    attempt: Attempt,
}

const SENDING: &str = "sending";
const DELIVERED: &str = "delivered";

/// An event's delivery to one endpoint: claimed by an attempt in flight
/// (`sending`, until `until`), or done (`delivered`).
#[derive(Serialize, Deserialize)]
struct DeliveredItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: std::borrow::Cow<'static, str>,
    ttl: i64,
    at: i64,
    state: std::borrow::Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<i64>,
}

impl Store {
    /// The count of endpoints, one more (`+1`, only under the limit) or one less.
    fn count_endpoints(&self, by: i64) -> Result<Update, Error> {
        let mut u = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(WEBHOOKS_PK.into(), COUNT_SK.into())))
            .update_expression("SET n = if_not_exists(n, :zero) + :by")
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":by", n(by));
        if by > 0 {
            u = u
                .condition_expression("attribute_not_exists(n) OR n < :max")
                .expression_attribute_values(":max", n(MAX_ENDPOINTS));
        }
        u.build().map_err(Error::internal)
    }

    /// Rewrites an endpoint read at `seen` (its `updatedAt`) with `change`
    /// applied, reading it again when it changed meanwhile (a rotation, the
    /// worker switching it off), so no change is lost.
    async fn rewrite_endpoint(
        &self,
        id: &str,
        change: impl Fn(Endpoint) -> Option<Endpoint>,
    ) -> Result<Option<Endpoint>, Error> {
        retry!({
            let stored = self.endpoint(id).await?;
            let seen = stored.updated_at;
            let Some(mut next) = change(stored) else { return Ok(None) };
            // Always later than what was read, so a writer that read the same item fails its condition.
            next.updated_at = next.updated_at.max(seen + 1);
            let seen = n(seen);
            let put = self.put(
                &EndpointItem::new(&next),
                Some("attribute_exists(PK) AND updatedAt = :seen"),
                &[(":seen", seen)],
            )?;
            if self.put_if(put).await? { Ok(Some(next)) } else { Err(TxError::Retry) }
        })
    }
}

impl Webhooks for Store {
    async fn add_endpoint(&self, endpoint: &Endpoint) -> Result<(), Error> {
        retry!({
            let mut tx = Tx::new();
            tx.put(Check::WebhookEndpoint, self.put_new(&EndpointItem::new(endpoint))?);
            tx.update(Check::Webhooks, self.count_endpoints(1)?);
            match self.transact(tx).await {
                // There already (the configured one, registered by another instance).
                Err(e) if e.failed(Check::WebhookEndpoint) => Ok(()),
                Err(e) if e.failed(Check::Webhooks) => Err(TxError::Other(Error::conflict(
                    Code::TooManyWebhooks,
                    format!("a deployment has at most {MAX_ENDPOINTS} webhook endpoints; remove one first"),
                ))),
                other => other,
            }
        })
    }

    async fn ensure_endpoint(&self, configured: &Endpoint, now: i64) -> Result<(), Error> {
        match self.rewrite_endpoint(&configured.id, |stored| configured.update_of(&stored, now)).await {
            Err(Error::NotFound) => self.add_endpoint(configured).await,
            other => other.map(drop),
        }
    }

    async fn endpoints(&self) -> Result<Vec<Endpoint>, Error> {
        let items: Vec<EndpointItem> =
            self.query_all(WEBHOOKS_PK.into(), ENDPOINT_PREFIX, None, MAX_ENDPOINTS * 2).await?;
        Ok(items.into_iter().map(EndpointItem::into_endpoint).collect())
    }

    async fn endpoint(&self, id: &str) -> Result<Endpoint, Error> {
        let item: Option<EndpointItem> = self.get(WEBHOOKS_PK.into(), endpoint_sk(id)).await?;
        item.map(EndpointItem::into_endpoint).ok_or(Error::NotFound)
    }

    async fn change_endpoint(&self, id: &str, change: &EndpointChange, now: i64) -> Result<Endpoint, Error> {
        let changed = self.rewrite_endpoint(id, |stored| Some(change.apply(stored, now))).await?;
        changed.ok_or_else(|| Error::internal("an endpoint change made no endpoint"))
    }

    async fn rotate_secret(&self, id: &str, now: i64) -> Result<Secret, Error> {
        let secret = Secret::generate();
        let rotated = |mut endpoint: Endpoint| {
            endpoint.secrets = endpoint.rotated(&secret, now);
            endpoint.updated_at = now;
            Some(endpoint)
        };
        self.rewrite_endpoint(id, rotated).await?;
        Ok(secret)
    }

    async fn remove_endpoint(&self, id: &str) -> Result<(), Error> {
        retry!({
            let mut tx = Tx::new();
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(WEBHOOKS_PK.into(), endpoint_sk(id))))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(Error::internal)?;
            tx.delete(Check::Webhooks, delete);
            tx.update(Check::None, self.count_endpoints(-1)?);
            match self.transact(tx).await {
                Err(e) if e.failed(Check::Webhooks) => Err(TxError::Other(Error::NotFound)),
                other => other,
            }
        })
    }

    async fn attempts(&self, id: &str, page: PageRequest<'_>) -> Result<Page<Attempt>, Error> {
        self.endpoint(id).await?;
        let pk = webhook_pk(id);
        let query = self.prefix_query(&pk, ATTEMPT_PREFIX, None).scan_index_forward(false);
        let row = |i: Item| from_item::<AttemptItem>(i).map(|a| a.attempt);
        self.id_page(&pk, ATTEMPT_PREFIX, query, page, row, |a: &Attempt| &a.id).await
    }

    async fn claim_delivery(&self, endpoint_id: &str, message_id: &str, now: i64) -> Result<Claim, Error> {
        let mark = DeliveredItem {
            pk: webhook_pk(endpoint_id),
            sk: delivered_sk(message_id),
            entity: "webhookDelivery".into(),
            ttl: now + KEEP,
            at: now,
            state: SENDING.into(),
            until: Some(now + CLAIM_SECS),
        };
        let free = "attribute_not_exists(PK) OR (#state = :sending AND #until < :now)";
        let mut put = self.put(&mark, Some(free), &[(":sending", s(SENDING)), (":now", n(now))])?;
        put.expression_attribute_names =
            Some([("#state".into(), "state".into()), ("#until".into(), "until".into())].into());
        if self.put_if(put).await? {
            return Ok(Claim::Got);
        }
        let held: Option<DeliveredItem> = self.get(mark.pk, mark.sk).await?;
        Ok(match held {
            Some(d) if d.state == DELIVERED => Claim::Delivered,
            _ => Claim::Busy,
        })
    }

    async fn record_attempt(&self, attempt: &Attempt, disable_after: i64) -> Result<bool, Error> {
        let pk = webhook_pk(&attempt.endpoint_id);
        let record = AttemptItem {
            pk: pk.clone(),
            sk: format!("{ATTEMPT_PREFIX}{}", attempt.id),
            entity: "webhookAttempt".into(),
            ttl: attempt.at + KEEP,
            attempt: attempt.clone(),
        };
        let esk = endpoint_sk(&attempt.endpoint_id);
        let mark = key(pk.clone(), delivered_sk(&attempt.message_id));
        if attempt.delivered {
            // The mark first: once it is written no copy goes out again,
            // whatever happens to the rest of this record.
            let done = DeliveredItem {
                pk,
                sk: delivered_sk(&attempt.message_id),
                entity: "webhookDelivery".into(),
                ttl: attempt.at + KEEP,
                at: attempt.at,
                state: DELIVERED.into(),
                until: None,
            };
            self.put_if(self.put(&done, None, &[])?).await?;
            self.put_if(self.put(&record, None, &[])?).await?;
            // The failing streak ends (only if there was one: no write otherwise).
            self.update_if(WEBHOOKS_PK, &esk, "REMOVE failingSince", "attribute_exists(failingSince)", &[]).await?;
            return Ok(false);
        }
        self.put_if(self.put(&record, None, &[])?).await?;
        // The claim ends: the next copy (the retry) may go.
        self.db
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(mark))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(SENDING))
            .send()
            .await
            .map(drop)
            .or_else(|e| match e.as_service_error() {
                Some(c) if c.is_conditional_check_failed_exception() => Ok(()),
                _ => Err(super::sdk::failure("release claim", e)),
            })?;
        let endpoint = match self.endpoint(&attempt.endpoint_id).await {
            Ok(e) => e,
            Err(Error::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        Ok(match after_failure(&endpoint, attempt.at, disable_after) {
            AfterFailure::StartFailing => {
                let at = n(attempt.at);
                self.update_if(
                    WEBHOOKS_PK,
                    &esk,
                    "SET failingSince = :at",
                    "attribute_exists(PK) AND attribute_not_exists(failingSince)",
                    &[(":at", at)],
                )
                .await?;
                false
            }
            AfterFailure::KeepTrying => false,
            // Only the attempt that switches it off says so (the alarm counts it once).
            AfterFailure::Disable => {
                let values = [
                    (":on", aws_sdk_dynamodb::types::AttributeValue::Bool(true)),
                    (":off", aws_sdk_dynamodb::types::AttributeValue::Bool(false)),
                    (":why", s("failing")),
                    (":now", n(attempt.at)),
                ];
                self.update_if(
                    WEBHOOKS_PK,
                    &esk,
                    "SET enabled = :off, disabledReason = :why, updatedAt = :now",
                    "enabled = :on",
                    &values,
                )
                .await?
            }
        })
    }
}
