//! The mail dead-letter queue, for operators: what waits there (invite ids,
//! never addresses or tokens: the messages carry none) and a redrive that
//! moves every message back to the mail queue, where the worker decides
//! again (a message for a revoked or already sent invite sends nothing).

use crate::BoxError;
use aws_sdk_sqs::types::{MessageSystemAttributeName as Attr, QueueAttributeName};
use serde_json::{Value, json};

/// One message waiting in the dead-letter queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Dead {
    pub body: Value,
    pub receive_count: u32,
    pub sent_at_ms: i64,
}

/// Up to `max` messages of the dead-letter queue, left in it.
pub async fn show(sqs: &aws_sdk_sqs::Client, dlq_url: &str, max: usize) -> Result<(u64, Vec<Dead>), BoxError> {
    let attrs = sqs
        .get_queue_attributes()
        .queue_url(dlq_url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await?;
    let total = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::ApproximateNumberOfMessages))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let (mut out, mut handles) = (Vec::new(), Vec::new());
    while out.len() < max {
        let r = sqs
            .receive_message()
            .queue_url(dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(30)
            .message_system_attribute_names(Attr::All)
            .send()
            .await?;
        let messages = r.messages.unwrap_or_default();
        if messages.is_empty() {
            break;
        }
        for m in messages {
            handles.extend(m.receipt_handle().map(str::to_owned));
            let attr = |a: Attr| m.attributes().and_then(|x| x.get(&a)).and_then(|v| v.parse().ok());
            out.push(Dead {
                body: m.body().and_then(|b| serde_json::from_str(b).ok()).unwrap_or_else(|| json!(m.body())),
                receive_count: attr(Attr::ApproximateReceiveCount).unwrap_or(0) as u32,
                sent_at_ms: attr(Attr::SentTimestamp).unwrap_or(0),
            });
        }
    }
    // Visible again at once: showing takes nothing away.
    for handle in handles {
        sqs.change_message_visibility().queue_url(dlq_url).receipt_handle(handle).visibility_timeout(0).send().await?;
    }
    out.truncate(max);
    Ok((total, out))
}

/// Moves every message of the dead-letter queue back to the mail queue
/// (sent there first, then deleted here: a message is never lost, at worst
/// it is there twice, which the worker's claim makes harmless). Returns how
/// many moved.
pub async fn redrive(sqs: &aws_sdk_sqs::Client, dlq_url: &str, queue_url: &str) -> Result<usize, BoxError> {
    let mut moved = 0;
    loop {
        let r =
            sqs.receive_message().queue_url(dlq_url).max_number_of_messages(10).visibility_timeout(30).send().await?;
        let messages = r.messages.unwrap_or_default();
        if messages.is_empty() {
            return Ok(moved);
        }
        for m in messages {
            sqs.send_message().queue_url(queue_url).message_body(m.body().unwrap_or_default()).send().await?;
            sqs.delete_message()
                .queue_url(dlq_url)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await?;
            moved += 1;
        }
    }
}
