//! A function's cold start, shared by every binary (API functions through
//! `invites_http::serve`, and the worker, the sweep, the publisher and the
//! delivery-report handler directly), so only HTTP functions depend on the
//! HTTP edge.

pub mod logging;

/// The start of every function: JSON logs, then the AWS configuration its
/// clients share (read once per cold start); an invalid setting of it is
/// logged and stops the function.
pub async fn start() -> Result<aws_config::SdkConfig, invites_adapters::config::ConfigError> {
    logging::init();
    invites_adapters::sdk_config().await.inspect_err(|e| tracing::error!("{e}"))
}

/// Opens the store's DynamoDB connection, and the queue's when the function
/// queues messages, during init, side by side, unless
/// `INVITES_PRIME_ON_INIT=false` (`invites_adapters::Store::prime`,
/// `invites_adapters::Queue::prime`); a failure is logged, not fatal: the
/// first request opens that connection instead.
pub async fn prime(
    store: &invites_adapters::Store,
    queue: Option<&invites_adapters::Queue>,
) -> Result<(), invites_adapters::config::ConfigError> {
    if !invites_adapters::config::prime_on_init()? {
        return Ok(());
    }
    let queue = async {
        match queue {
            Some(q) => q.prime().await,
            None => Ok(()),
        }
    };
    let (table, queue) = tokio::join!(store.prime(), queue);
    for (what, result) in [("DynamoDB", table), ("SQS", queue)] {
        if let Err(e) = result {
            tracing::warn!(error = %e, "the {what} connection opens on the first request instead of during init");
        }
    }
    Ok(())
}
