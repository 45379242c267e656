//! Notification queue (SQS).

use invites_domain::Error;

#[derive(Clone)]
pub struct Queue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

impl Queue {
    pub fn new(sdk: &aws_config::SdkConfig, url: String) -> Self {
        Self { sqs: aws_sdk_sqs::Client::new(sdk), url }
    }

    /// Opens the queue's connection during init, as [`crate::Store::prime`]
    /// does the table's: one `GetQueueUrl` of the queue's own name and
    /// account (the policy of every function that queues allows it;
    /// `SendMessage` would queue a message, and moto answers
    /// `GetQueueAttributes` in time that grows with the messages waiting).
    /// A failure only means the first message opens it.
    pub async fn prime(&self) -> Result<(), Error> {
        let (owner, name) = owner_and_name(&self.url);
        let lookup = self.sqs.get_queue_url().queue_name(name).set_queue_owner_aws_account_id(owner.map(Into::into));
        lookup
            .send()
            .await
            .map(drop)
            .map_err(|e| Error::internal(format!("sqs prime: {}", aws_sdk_sqs::error::DisplayErrorContext(&e))))
    }

    /// Queues one message (`invites_domain::message`).
    pub async fn send(&self, msg: &impl serde::Serialize) -> Result<(), Error> {
        let body = serde_json::to_string(msg).map_err(Error::internal)?;
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| Error::internal(format!("sqs send: {}", aws_sdk_sqs::error::DisplayErrorContext(&e))))?;
        Ok(())
    }

    /// Sends up to ten messages in one `SendMessageBatch`; answers, in
    /// order, whether each was queued.
    pub async fn send_batch(&self, msgs: &[impl serde::Serialize]) -> Result<Vec<bool>, Error> {
        let entries = msgs
            .iter()
            .enumerate()
            .map(|(i, msg)| {
                aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(serde_json::to_string(msg).map_err(Error::internal)?)
                    .build()
                    .map_err(Error::internal)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let out =
            self.sqs.send_message_batch().queue_url(&self.url).set_entries(Some(entries)).send().await.map_err(
                |e| Error::internal(format!("sqs send batch: {}", aws_sdk_sqs::error::DisplayErrorContext(&e))),
            )?;
        let ok: Vec<&str> = out.successful().iter().map(|s| s.id()).collect();
        Ok((0..msgs.len()).map(|i| ok.contains(&i.to_string().as_str())).collect())
    }
}

/// A queue URL's account and name: `https://sqs.<region>.amazonaws.com/<account>/<name>`
/// (a trailing slash ignored); no account where the segment before the name
/// is not a 12-digit account id (a URL without one).
fn owner_and_name(url: &str) -> (Option<&str>, &str) {
    let mut segments = url.trim_end_matches('/').rsplit('/');
    let name = segments.next().unwrap_or_default();
    let owner = segments.next().filter(|s| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()));
    (owner, name)
}

#[cfg(test)]
mod tests {
    use super::owner_and_name;

    #[test]
    fn a_queue_url_names_its_account_and_queue() {
        let url = "https://sqs.eu-central-1.amazonaws.com/123456789012/invites-mail";
        assert_eq!(owner_and_name(url), (Some("123456789012"), "invites-mail"));
        assert_eq!(owner_and_name(&format!("{url}/")), (Some("123456789012"), "invites-mail"));
        let fifo = "https://sqs.eu-central-1.amazonaws.com/123456789012/mail.fifo";
        assert_eq!(owner_and_name(fifo), (Some("123456789012"), "mail.fifo"));
        // moto's and the local stack's: the account is moto's default.
        assert_eq!(owner_and_name("http://localhost:4566/000000000000/e2e-mail"), (Some("000000000000"), "e2e-mail"));
        // A URL without an account segment: the caller's account.
        assert_eq!(owner_and_name("http://localhost:4566/e2e-mail"), (None, "e2e-mail"));
        assert_eq!(owner_and_name("http://localhost/e2e-mail"), (None, "e2e-mail"));
    }
}
