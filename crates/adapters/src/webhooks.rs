//! Webhooks in AWS terms: the queue of deliveries (one message per event
//! and endpoint; the publisher fills it, the webhook worker empties it and
//! waits between attempts by the message's visibility), its dead-letter
//! queue, and (feature `webhook-sender`) the HTTPS client that posts them.

use crate::config::{ConfigError, optional};
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use invites_domain::Error;
use invites_domain::webhooks::Delivery;

#[derive(Clone)]
pub struct WebhookQueue {
    sqs: aws_sdk_sqs::Client,
    url: String,
}

impl WebhookQueue {
    /// `INVITES_WEBHOOK_QUEUE_URL`, or `None` when this deployment sends no webhooks.
    pub fn from_env(sdk: &aws_config::SdkConfig) -> Option<Self> {
        optional("INVITES_WEBHOOK_QUEUE_URL").map(|url| Self { sqs: aws_sdk_sqs::Client::new(sdk), url })
    }

    /// `INVITES_WEBHOOK_DLQ_URL`: where deliveries wait once their retries are spent.
    pub fn dead_letters(sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let url = optional("INVITES_WEBHOOK_DLQ_URL")
            .ok_or_else(|| ConfigError("INVITES_WEBHOOK_DLQ_URL is not set".into()))?;
        Ok(Self { sqs: aws_sdk_sqs::Client::new(sdk), url })
    }

    /// Queues every delivery, ten per `SendMessageBatch`; fails unless all are queued.
    pub async fn send_all(&self, deliveries: &[Delivery]) -> Result<(), Error> {
        for chunk in deliveries.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(serde_json::to_string(d).map_err(Error::internal)?)
                        .build()
                        .map_err(Error::internal)
                })
                .collect::<Result<Vec<_>, Error>>()?;
            let out = self
                .sqs
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| Error::internal(format!("sqs send batch: {}", DisplayErrorContext(&e))))?;
            if !out.failed().is_empty() {
                return Err(Error::internal(format!("{} webhook deliveries not queued", out.failed().len())));
            }
        }
        Ok(())
    }

    /// Queues one message as it is (the dead-letter queue's copy of a delivery).
    pub async fn send_raw(&self, body: &str) -> Result<(), Error> {
        self.sqs
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| Error::internal(format!("sqs send: {}", DisplayErrorContext(&e))))?;
        Ok(())
    }

    /// The message comes back after `secs` (the wait before its next attempt).
    pub async fn retry_in(&self, receipt_handle: &str, secs: u32) -> Result<(), Error> {
        self.sqs
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt_handle)
            .visibility_timeout(i32::try_from(secs).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(|e| Error::internal(format!("sqs change visibility: {}", DisplayErrorContext(&e))))?;
        Ok(())
    }
}

#[cfg(feature = "webhook-sender")]
pub use sender::{Answer, Sender};

#[cfg(feature = "webhook-sender")]
mod sender {
    use http_body_util::Full;
    use hyper::body::Bytes;
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::rt::TokioExecutor;
    use invites_domain::webhooks::TIMEOUT_SECS;
    use std::time::{Duration, Instant};

    /// Posts deliveries over HTTPS (the system's trust store: the
    /// operator's endpoints are anyone's certificates, not only AWS's), or
    /// plain HTTP where the deployment allows it (local runs). Connections
    /// are kept between invocations. Redirects are not followed.
    pub struct Sender {
        client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    }

    /// What a receiver did with one attempt.
    pub struct Answer {
        /// Its HTTP status, or why there was none.
        pub status: Result<u16, String>,
        pub latency_ms: u64,
    }

    impl Sender {
        /// `allow_http`: plain http too (local runs); https only otherwise.
        pub fn new(allow_http: bool) -> Result<Self, std::io::Error> {
            let mut http = HttpConnector::new();
            http.enforce_http(false);
            http.set_connect_timeout(Some(Duration::from_secs(5)));
            let roots = hyper_rustls::HttpsConnectorBuilder::new().with_native_roots()?;
            let https =
                if allow_http { roots.https_or_http() } else { roots.https_only() }.enable_http1().wrap_connector(http);
            let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(50)).build(https);
            Ok(Self { client })
        }

        pub async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> Answer {
            let started = Instant::now();
            let status = self.send(url, headers, body).await;
            Answer { status, latency_ms: started.elapsed().as_millis() as u64 }
        }

        async fn send(&self, url: &str, headers: &[(&str, String)], body: String) -> Result<u16, String> {
            let mut req = hyper::Request::post(url)
                .header("content-type", "application/json")
                .header("user-agent", "invites-webhooks/1");
            for (name, value) in headers {
                req = req.header(*name, value);
            }
            let req = req.body(Full::new(Bytes::from(body))).map_err(|e| format!("bad request: {e}"))?;
            let res = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS), self.client.request(req))
                .await
                .map_err(|_| format!("no answer within {TIMEOUT_SECS} s"))?
                .map_err(|e| connection_error(&e))?;
            Ok(res.status().as_u16())
        }
    }

    /// What went wrong, as a category: the attempts route shows it, and
    /// nothing more (no address, certificate or resolver detail that would
    /// make it a probe of the network).
    fn connection_error(e: &hyper_util::client::legacy::Error) -> String {
        let chain = {
            let mut text = String::new();
            let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
            while let Some(s) = source {
                text.push_str(&s.to_string().to_ascii_lowercase());
                source = s.source();
            }
            text
        };
        let category = if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake") {
            "TLS handshake failed"
        } else if chain.contains("dns") || chain.contains("resolve") || chain.contains("lookup") {
            "name not resolved"
        } else if chain.contains("timed out") || chain.contains("timeout") {
            "connection timed out"
        } else if chain.contains("refused") {
            "connection refused"
        } else if e.is_connect() {
            "could not connect"
        } else {
            "the connection failed"
        };
        category.to_owned()
    }
}
