// The store's retried rounds nest futures one level deeper than the default limit allows.
#![recursion_limit = "256"]
use delivery_events::Handler;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = invites_runtime::start().await?;
    let config = invites_adapters::Config::from_env()?;
    let handler: &'static Handler =
        Box::leak(Box::new(Handler { store: invites_adapters::Store::from_config(&sdk, &config) }));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sns::SnsEvent>| async move {
        handler.handle(event.payload).await.map_err(|e| lambda_runtime::Error::from(e.to_string()))
    }))
    .await
}
