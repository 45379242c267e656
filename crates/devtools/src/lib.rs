//! Local development helpers. The table and queues are created from the
//! properties in `template.yaml`, so the local stack and the tests use the
//! very definition that is deployed.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

pub mod api_front;
pub mod dlq;
pub mod jwt_authorizer;
pub mod local_http;
pub mod proxy;
pub mod pump;
pub mod replay;
pub mod runtime_api;
pub mod secrets_extension;
pub mod streams;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `template.yaml` at the workspace root.
pub fn template_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml")
}

pub fn load_template(path: &Path) -> Result<Value, BoxError> {
    let text = std::fs::read_to_string(path)?;
    Ok(serde_yaml::from_str(&text)?)
}

/// Properties of the template resource `logical_id`.
pub fn properties<'a>(template: &'a Value, logical_id: &str) -> Result<&'a Value, BoxError> {
    template["Resources"][logical_id]
        .get("Properties")
        .ok_or_else(|| format!("template has no resource {logical_id}").into())
}

fn text(v: &Value, key: &str) -> Result<String, BoxError> {
    v[key].as_str().map(str::to_owned).ok_or_else(|| format!("missing {key}").into())
}

fn key_schema(v: &Value) -> Result<Vec<KeySchemaElement>, BoxError> {
    v.as_sequence()
        .ok_or("KeySchema must be a list")?
        .iter()
        .map(|k| {
            Ok(KeySchemaElement::builder()
                .attribute_name(text(k, "AttributeName")?)
                .key_type(KeyType::from(text(k, "KeyType")?.as_str()))
                .build()?)
        })
        .collect()
}

/// Creates `table_name` with the key schema, GSIs, stream and TTL of the template's `Table`.
pub async fn create_table(db: &aws_sdk_dynamodb::Client, template: &Value, table_name: &str) -> Result<(), BoxError> {
    let p = properties(template, "Table")?;
    let attrs = p["AttributeDefinitions"]
        .as_sequence()
        .ok_or("AttributeDefinitions must be a list")?
        .iter()
        .map(|a| {
            Ok(AttributeDefinition::builder()
                .attribute_name(text(a, "AttributeName")?)
                .attribute_type(ScalarAttributeType::from(text(a, "AttributeType")?.as_str()))
                .build()?)
        })
        .collect::<Result<Vec<_>, BoxError>>()?;
    let gsis = p["GlobalSecondaryIndexes"]
        .as_sequence()
        .map(|s| s.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|g| {
            Ok(GlobalSecondaryIndex::builder()
                .index_name(text(g, "IndexName")?)
                .set_key_schema(Some(key_schema(&g["KeySchema"])?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(text(&g["Projection"], "ProjectionType")?.as_str()))
                        .build(),
                )
                .build()?)
        })
        .collect::<Result<Vec<_>, BoxError>>()?;
    db.create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::from(text(p, "BillingMode")?.as_str()))
        .set_attribute_definitions(Some(attrs))
        .set_key_schema(Some(key_schema(&p["KeySchema"])?))
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .set_stream_specification(
            p["StreamSpecification"]["StreamViewType"]
                .as_str()
                .map(|v| {
                    StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(StreamViewType::from(v))
                        .build()
                })
                .transpose()?,
        )
        .send()
        .await?;
    let ttl = &p["TimeToLiveSpecification"];
    if ttl["Enabled"].as_bool() == Some(true) {
        db.update_time_to_live()
            .table_name(table_name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder().attribute_name(text(ttl, "AttributeName")?).enabled(true).build()?,
            )
            .send()
            .await?;
    }
    Ok(())
}

/// Creates the mail queue and its dead-letter queue with the template's
/// visibility timeout and redrive policy. Returns the mail queue URL.
pub async fn create_queues(sqs: &aws_sdk_sqs::Client, template: &Value, name: &str) -> Result<String, BoxError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let dlq = sqs.create_queue().queue_name(format!("{name}-dlq")).send().await?;
    let dlq_url = dlq.queue_url().ok_or("no DLQ url")?;
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(dlq_url)
        .attribute_names(A::QueueArn)
        .send()
        .await?
        .attributes()
        .and_then(|a| a.get(&A::QueueArn).cloned())
        .ok_or("no DLQ arn")?;
    let p = properties(template, "MailQueue")?;
    let visibility = p["VisibilityTimeout"].as_i64().ok_or("MailQueue.VisibilityTimeout missing")?;
    let max_receive = p["RedrivePolicy"]["maxReceiveCount"].as_i64().ok_or("maxReceiveCount missing")?;
    let redrive = serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive.to_string()});
    let q = sqs
        .create_queue()
        .queue_name(name)
        .attributes(A::VisibilityTimeout, visibility.to_string())
        .attributes(A::RedrivePolicy, redrive.to_string())
        .send()
        .await?;
    Ok(q.queue_url().ok_or("no queue url")?.to_owned())
}

/// The webhook queue `<name>-webhooks` and its dead-letter queue
/// `<name>-webhooks-dlq`, like the template's `WebhookQueue` (the worker
/// parks deliveries in the dead-letter queue itself). Returns both URLs.
pub async fn create_webhook_queues(
    sqs: &aws_sdk_sqs::Client,
    template: &Value,
    name: &str,
) -> Result<(String, String), BoxError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let dlq = sqs.create_queue().queue_name(format!("{name}-webhooks-dlq")).send().await?;
    let visibility = properties(template, "WebhookQueue")?["VisibilityTimeout"]
        .as_i64()
        .ok_or("WebhookQueue.VisibilityTimeout missing")?;
    let q = sqs
        .create_queue()
        .queue_name(format!("{name}-webhooks"))
        .attributes(A::VisibilityTimeout, visibility.to_string())
        .send()
        .await?;
    Ok((q.queue_url().ok_or("no queue url")?.to_owned(), dlq.queue_url().ok_or("no DLQ url")?.to_owned()))
}

/// An event bus like the template's `EventBus`, with one rule that sends
/// every event of the service (lifecycle events and delivery requests) to
/// the queue `<bus>-seen`, where a test or
/// `invites-dev events` reads them. Returns that queue's URL. Safe to call
/// again for the same bus.
pub async fn create_event_bus(
    events: &aws_sdk_eventbridge::Client,
    sqs: &aws_sdk_sqs::Client,
    bus: &str,
) -> Result<String, BoxError> {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let queue = sqs.create_queue().queue_name(format!("{bus}-seen")).send().await?;
    let queue_url = queue.queue_url().ok_or("no queue url")?.to_owned();
    let attrs = sqs.get_queue_attributes().queue_url(&queue_url).attribute_names(A::QueueArn).send().await?;
    let queue_arn = attrs.attributes().and_then(|a| a.get(&A::QueueArn).cloned()).ok_or("no queue arn")?;
    if let Err(e) = events.create_event_bus().name(bus).send().await
        && !e.as_service_error().is_some_and(|e| e.is_resource_already_exists_exception())
    {
        return Err(e.into());
    }
    use invites_domain::events::{DELIVERY_SOURCE, SOURCE};
    let pattern = serde_json::json!({ "source": [SOURCE, DELIVERY_SOURCE] });
    events.put_rule().name("everything").event_bus_name(bus).event_pattern(pattern.to_string()).send().await?;
    events
        .put_targets()
        .rule("everything")
        .event_bus_name(bus)
        .targets(aws_sdk_eventbridge::types::Target::builder().id("seen").arn(queue_arn).build()?)
        .send()
        .await?;
    Ok(queue_url)
}

/// The `detail` of every event waiting in a queue from [`create_event_bus`]
/// (received and deleted).
pub async fn take_events(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Result<Vec<serde_json::Value>, BoxError> {
    let mut out = Vec::new();
    loop {
        let r = sqs.receive_message().queue_url(queue_url).max_number_of_messages(10).send().await?;
        let messages = r.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(out);
        }
        for m in &messages {
            let event: serde_json::Value = serde_json::from_str(m.body().unwrap_or("{}"))?;
            out.push(event["detail"].clone());
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await?;
        }
    }
}

/// Deletes a table if it exists (local resets).
pub async fn delete_table(db: &aws_sdk_dynamodb::Client, table_name: &str) {
    let _ = db.delete_table().table_name(table_name).send().await;
}
