//! What Lambda's SQS event source mapping does, for local runs: long-poll the
//! queue, invoke the worker through `cargo lambda watch`, delete what
//! succeeded and leave reported failures for redelivery. And what the
//! scheduler does: invoke the sweep every few seconds.

use crate::BoxError;
use crate::local_http::request;
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use serde_json::{Value, json};

/// The event Lambda's SQS trigger makes of received messages (with their
/// receive counts, which the webhook worker reads as attempt numbers).
pub fn sqs_event(messages: &[aws_sdk_sqs::types::Message], queue_arn: &str) -> Value {
    use aws_sdk_sqs::types::MessageSystemAttributeName as A;
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let count = m.attributes().and_then(|a| a.get(&A::ApproximateReceiveCount)).cloned();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": {"ApproximateReceiveCount": count.unwrap_or_else(|| "1".into())},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

pub struct Pump {
    pub sqs: aws_sdk_sqs::Client,
    pub queue_url: String,
    /// e.g. `http://127.0.0.1:9000`
    pub invoke_base: String,
    pub function: String,
    /// Long-poll wait per receive (seconds).
    pub wait_secs: i32,
}

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub received: usize,
    pub deleted: usize,
    pub failed: usize,
}

impl Pump {
    /// Receives up to 10 messages and hands them to the worker as one event.
    pub async fn round(&self) -> Result<Round, BoxError> {
        let out = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(self.wait_secs)
            .visibility_timeout(30)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await?;
        let messages = out.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(Round::default());
        }
        let event = sqs_event(&messages, "arn:aws:sqs:us-east-1:000000000000:local");
        let failed = self.invoke(&event).await?;
        let done: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| !failed.iter().any(|f| Some(f.as_str()) == m.message_id()))
            .map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle().unwrap_or_default())
                    .build()
            })
            .collect::<Result<_, _>>()?;
        let deleted = done.len();
        if !done.is_empty() {
            self.sqs.delete_message_batch().queue_url(&self.queue_url).set_entries(Some(done)).send().await?;
        }
        // Failed messages come back after their visibility timeout.
        Ok(Round { received: messages.len(), deleted, failed: failed.len() })
    }

    /// Invokes the sweep as the scheduler would; returns its summary.
    pub async fn sweep(&self) -> Result<Value, BoxError> {
        let event = json!({"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": {}});
        crate::replay::invoke(&self.invoke_base, "sweep-invites", &event).await
    }

    /// Invokes the worker with an SQS event; returns the ids it reported as failed.
    pub async fn invoke(&self, event: &Value) -> Result<Vec<String>, BoxError> {
        let url = format!("{}/2015-03-31/functions/{}/invocations", self.invoke_base, self.function);
        let r = request("POST", &url, &[("content-type", "application/json")], Some(&event.to_string())).await?;
        if r.status != 200 {
            return Err(format!("worker invocation answered {}: {}", r.status, r.body).into());
        }
        let v: Value = serde_json::from_str(&r.body)?;
        if v.get("errorType").is_some() {
            return Err(format!("worker failed: {}", r.body).into());
        }
        Ok(v["batchItemFailures"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }
}
