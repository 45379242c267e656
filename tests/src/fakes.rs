//! Stand-ins: a scripted SES that throttles or refuses, and SES reports.

use super::*;

/// A stand-in for SES that answers with scripted errors (then 200s), to
/// check how the worker treats throttling and refusals through the real SDK.
pub struct FaultySes {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FaultySes {
    /// `script`: (HTTP status, SES error type) per request, in order.
    pub async fn start(script: Vec<(u16, &'static str)>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (count, script) = (requests.clone(), std::sync::Arc::new(script));
        invites_devtools::local_http::serve(listener, move |_| {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let step = script.get(n).copied();
            async move {
                Some(match step {
                    Some((status, kind)) => invites_devtools::local_http::reply(
                        status,
                        &[("content-type", "application/json"), ("x-amzn-ErrorType", kind)],
                        format!(r#"{{"message":"injected {kind}"}}"#),
                    ),
                    None => invites_devtools::local_http::reply(
                        200,
                        &[("content-type", "application/json")],
                        r#"{"MessageId":"fake-message-id"}"#,
                    ),
                })
            }
        });
        Self { url, requests }
    }

    pub fn mailer(&self) -> invites_adapters::Mailer {
        let sdk_conf = aws_sdk_sesv2::config::Builder::new()
            .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
            .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sesv2::config::Credentials::new("local", "local", None, None, "test"))
            .endpoint_url(&self.url)
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::standard().with_max_attempts(1))
            .build();
        invites_adapters::Mailer::from_client(aws_sdk_sesv2::Client::from_conf(sdk_conf), SENDER.into(), None)
    }
}

/// A sample SES event from `events/` (an SNS record), aimed at one sent invite.
pub fn ses_event(sample: &str, rid: &str, iid: &str, message_id: &str) -> String {
    let path = events_dir().join(format!("{sample}.json"));
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut msg: Value = serde_json::from_str(event["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
    msg["mail"]["messageId"] = json!(message_id);
    msg["mail"]["tags"]["resourceId"] = json!([rid]);
    msg["mail"]["tags"]["inviteId"] = json!([iid]);
    msg.to_string()
}

/// A proxy in front of DynamoDB Local that holds the first
/// `TransactWriteItems` for `hold` and says when it arrived: a test then
/// commits a conflicting change while the write waits, so the write's reads
/// come before that change and its commit after it, every time.
pub async fn holding_the_next_transaction(
    hold: std::time::Duration,
) -> (invites_devtools::proxy::Proxy, std::sync::Arc<tokio::sync::Notify>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let proxy = invites_devtools::proxy::Proxy::start(&std::env::var("AWS_ENDPOINT_URL_DYNAMODB").unwrap()).await;
    let arrived = std::sync::Arc::new(tokio::sync::Notify::new());
    let (seen, tell) = (AtomicBool::new(false), arrived.clone());
    proxy.set_rule(Some(std::sync::Arc::new(move |text: &str| {
        let first = text.contains("DynamoDB_20120810.TransactWriteItems") && !seen.swap(true, Ordering::SeqCst);
        first.then(|| {
            tell.notify_one();
            invites_devtools::proxy::Inject::Hold(hold)
        })
    })));
    (proxy, arrived)
}
