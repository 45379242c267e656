//! Adapters to AWS: configuration read once per cold start, the single-table
//! DynamoDB store (see `infra/table-design.md`), the SQS queue, SES, the
//! EventBridge bus, and the functions' embedded-metric log lines.

pub mod config;
#[cfg(feature = "dns")]
pub mod dns;
pub mod events;
pub mod keys;
pub mod mailer;
pub mod metrics;
pub mod queue;
pub mod ses_events;
pub mod store;

pub use config::Config;
pub use events::EventBus;
pub use mailer::Mailer;
pub use queue::Queue;
pub use store::Store;

/// Shared AWS SDK configuration. Endpoints come from the standard
/// `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how local runs point the
/// SDK at DynamoDB Local, moto and the SES emulator.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await
}
