//! What Lambda's DynamoDB event source mapping does, for local runs and
//! tests: read the table's stream (DynamoDB Local keeps one), hand each
//! shard's new records to the publisher as one event, move on past what it
//! took, and read again from the first record it reported as failed.

use crate::BoxError;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use serde_json::{Value, json};

pub struct StreamReader {
    client: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    /// Open shards and where reading goes on.
    shards: Vec<(String, Option<String>)>,
    start: ShardIteratorType,
}

/// One batch of one shard, in the shape Lambda hands to the function.
struct Batch {
    shard: usize,
    event: Value,
    sequence_numbers: Vec<String>,
}

impl StreamReader {
    /// The stream of `table`, from its oldest record (`from_start`) or from now.
    pub async fn open(sdk: &aws_config::SdkConfig, table: &str, from_start: bool) -> Result<Self, BoxError> {
        let db = aws_sdk_dynamodb::Client::new(sdk);
        let described = db.describe_table().table_name(table).send().await?;
        let stream_arn =
            described.table().and_then(|t| t.latest_stream_arn()).ok_or("the table has no stream")?.to_owned();
        let start = if from_start { ShardIteratorType::TrimHorizon } else { ShardIteratorType::Latest };
        let mut reader =
            Self { client: aws_sdk_dynamodbstreams::Client::new(sdk), stream_arn, shards: Vec::new(), start };
        reader.discover().await?;
        Ok(reader)
    }

    async fn discover(&mut self) -> Result<(), BoxError> {
        let out = self.client.describe_stream().stream_arn(&self.stream_arn).send().await?;
        for shard in out.stream_description().map(|d| d.shards()).unwrap_or_default() {
            let id = shard.shard_id().unwrap_or_default();
            if !self.shards.iter().any(|(known, _)| known == id) {
                let it = self.iterator(id, self.start.clone(), None).await?;
                self.shards.push((id.to_owned(), it));
            }
        }
        Ok(())
    }

    async fn iterator(
        &self,
        shard: &str,
        kind: ShardIteratorType,
        at: Option<&str>,
    ) -> Result<Option<String>, BoxError> {
        let out = self
            .client
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(kind)
            .set_sequence_number(at.map(str::to_owned))
            .send()
            .await?;
        Ok(out.shard_iterator().map(str::to_owned))
    }

    /// Hands the next batch (up to `max` records of one shard) to the
    /// publisher: `publish` returns its answer, or `None` when it died. What
    /// it reported as failed, or the whole batch when it died, is handed over
    /// again by a later round. Returns the records handed over (0: nothing new).
    pub async fn round(
        &mut self,
        max: i32,
        publish: impl AsyncFnOnce(&Value) -> Option<Value>,
    ) -> Result<usize, BoxError> {
        let Some(batch) = self.next(max).await? else { return Ok(0) };
        let again = match publish(&batch.event).await {
            Some(answer) => first_failure(&answer),
            None => batch.sequence_numbers.first().cloned(),
        };
        if let Some(seq) = again {
            self.retry_from(&batch, &seq).await?;
        }
        Ok(batch.sequence_numbers.len())
    }

    async fn next(&mut self, max: i32) -> Result<Option<Batch>, BoxError> {
        self.discover().await?;
        for i in 0..self.shards.len() {
            let Some(it) = self.shards[i].1.clone() else { continue };
            let out = self.client.get_records().shard_iterator(it).limit(max).send().await?;
            self.shards[i].1 = out.next_shard_iterator().map(str::to_owned);
            let records = out.records();
            if records.is_empty() {
                continue;
            }
            return Ok(Some(Batch {
                shard: i,
                event: json!({ "Records": records.iter().map(|r| self.lambda_record(r)).collect::<Vec<_>>() }),
                sequence_numbers: records
                    .iter()
                    .filter_map(|r| r.dynamodb().and_then(|d| d.sequence_number()).map(str::to_owned))
                    .collect(),
            }));
        }
        Ok(None)
    }

    /// Reading of the batch's shard goes on from `failed` (one of its sequence numbers).
    async fn retry_from(&mut self, batch: &Batch, failed: &str) -> Result<(), BoxError> {
        let shard = self.shards[batch.shard].0.clone();
        let it = self.iterator(&shard, ShardIteratorType::AtSequenceNumber, Some(failed)).await?;
        self.shards[batch.shard].1 = it;
        Ok(())
    }

    fn lambda_record(&self, r: &Record) -> Value {
        let change = r.dynamodb();
        let image = |i: Option<&std::collections::HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>| {
            i.map(|i| serde_json::to_value(serde_dynamo::Item::from(i.clone())).unwrap_or(Value::Null))
        };
        json!({
            "eventID": r.event_id(),
            "eventName": r.event_name().map(|n| n.as_str()),
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "eventSourceARN": self.stream_arn,
            "dynamodb": {
                "ApproximateCreationDateTime": change.and_then(|c| c.approximate_creation_date_time()).map(|t| t.secs()),
                "Keys": image(change.and_then(|c| c.keys.as_ref())),
                "NewImage": image(change.and_then(|c| c.new_image.as_ref())),
                "SequenceNumber": change.and_then(|c| c.sequence_number()),
                "SizeBytes": change.and_then(|c| c.size_bytes()),
                "StreamViewType": change.and_then(|c| c.stream_view_type()).map(|v| v.as_str()),
            }
        })
    }
}

/// The sequence number a publisher's answer names as its first failure.
fn first_failure(answer: &Value) -> Option<String> {
    answer["batchItemFailures"].as_array()?.first()?["itemIdentifier"].as_str().map(str::to_owned)
}
