//! Sending e-mail through SES v2.

use aws_sdk_sesv2::error::DisplayErrorContext;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};

#[derive(Clone)]
pub struct Mailer {
    ses: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

/// A rendered e-mail.
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// SES message tags (name, value): values of `[A-Za-z0-9_-]` only.
    pub tags: Vec<(String, String)>,
}

#[derive(Debug)]
pub enum SendError {
    /// Worth retrying later: throttling, quotas, paused sending, network.
    Transient(String),
    /// SES refused this e-mail for good (rejected content, invalid address).
    Permanent(String),
}

fn content(data: &str) -> Result<Content, SendError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| SendError::Permanent(e.to_string()))
}

impl Mailer {
    pub fn new(sdk: &aws_config::SdkConfig, from: String, configuration_set: Option<String>) -> Self {
        Self::from_client(aws_sdk_sesv2::Client::new(sdk), from, configuration_set)
    }

    pub fn from_client(ses: aws_sdk_sesv2::Client, from: String, configuration_set: Option<String>) -> Self {
        Self { ses, from, configuration_set }
    }

    /// Sends one e-mail; returns the SES message id.
    pub async fn send(&self, mail: &Email) -> Result<String, SendError> {
        let message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(Body::builder().text(content(&mail.text)?).html(content(&mail.html)?).build())
            .build();
        let mut req = self
            .ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in &mail.tags {
            req = req.email_tags(
                MessageTag::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(|e| SendError::Permanent(e.to_string()))?,
            );
        }
        match req.send().await {
            Ok(out) => Ok(out.message_id().unwrap_or_default().to_owned()),
            Err(err) => Err(match err.as_service_error() {
                Some(SendEmailError::MessageRejected(e)) => {
                    SendError::Permanent(format!("rejected: {}", e.message().unwrap_or("message rejected")))
                }
                Some(SendEmailError::BadRequestException(e)) => {
                    SendError::Permanent(format!("bad request: {}", e.message().unwrap_or("bad request")))
                }
                _ => SendError::Transient(DisplayErrorContext(&err).to_string()),
            }),
        }
    }
}
