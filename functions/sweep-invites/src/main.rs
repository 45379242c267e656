use lambda_runtime::{LambdaEvent, service_fn};
use sweep_invites::Sweeper;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = invites_runtime::start().await?;
    let config = invites_adapters::Config::from_env()?;
    let sweeper: &'static Sweeper = Box::leak(Box::new(Sweeper {
        store: invites_adapters::Store::from_config(&sdk, &config),
        queue: invites_adapters::Queue::new(&sdk, config.require_queue()?),
        limits: config.limits,
    }));
    // The scheduler's event carries nothing the sweep needs: it runs at the
    // current time.
    lambda_runtime::run(service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let summary = sweeper.run(invites_domain::time::now()).await.map_err(|e| e.to_string())?;
        tracing::info!(?summary, "sweep done");
        Ok::<_, lambda_runtime::Error>(summary)
    }))
    .await
}
