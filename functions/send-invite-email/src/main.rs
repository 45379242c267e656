use lambda_runtime::{LambdaEvent, service_fn};
use send_invite_email::render::{Brand, Renderer};
use send_invite_email::{Worker, channel_from_env, concurrency_from_env};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = invites_runtime::start().await?;
    let config = invites_adapters::Config::from_env()?;
    config.require_token_keys()?;
    let mut worker = Worker::new(&sdk, config, channel_from_env(&sdk)?, Renderer::new(Brand::from_env()?));
    worker.concurrency = concurrency_from_env()?;
    invites_runtime::prime(&worker.store, None).await?;
    let worker: &'static Worker = Box::leak(Box::new(worker));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::sqs::SqsEvent>| async move {
        // Lambda's deadline; one closer than two reserves at the start is a
        // local runtime's (none, or a few seconds): not applied.
        let deadline = std::time::UNIX_EPOCH + std::time::Duration::from_millis(event.context.deadline);
        let room = deadline.duration_since(std::time::SystemTime::now()).unwrap_or_default();
        let deadline = (room >= 2 * send_invite_email::RESERVE).then_some(deadline);
        Ok::<_, lambda_runtime::Error>(worker.handle_until(event.payload, deadline).await)
    }))
    .await
}
