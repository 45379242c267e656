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

/// Opens the store's DynamoDB connection during init, unless
/// `INVITES_PRIME_ON_INIT=false` (`invites_adapters::Store::prime`); a
/// failure is logged, not fatal: the first request opens it instead.
pub async fn prime(store: &invites_adapters::Store) -> Result<(), invites_adapters::config::ConfigError> {
    if invites_adapters::config::prime_on_init()?
        && let Err(e) = store.prime().await
    {
        tracing::warn!(error = %e, "the DynamoDB connection opens on the first request instead of during init");
    }
    Ok(())
}
