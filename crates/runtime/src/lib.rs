//! A function's cold start, shared by every binary (API functions through
//! `invites_http::serve`, and the worker, the sweep, the publisher and the
//! delivery-report handler directly), so only HTTP functions depend on the
//! HTTP edge.

pub mod logging;

/// The start of every function: JSON logs, then the AWS configuration its
/// clients share (read once per cold start).
pub async fn start() -> aws_config::SdkConfig {
    logging::init();
    invites_adapters::sdk_config().await
}
