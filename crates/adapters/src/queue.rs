//! Notification queue (SQS).

use invites_domain::{Error, message::SendInvite};

#[derive(Clone)]
pub struct Queue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

impl Queue {
    pub fn new(sdk: &aws_config::SdkConfig, url: String) -> Self {
        Self { sqs: aws_sdk_sqs::Client::new(sdk), url }
    }

    pub async fn send(&self, msg: &SendInvite) -> Result<(), Error> {
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
}
