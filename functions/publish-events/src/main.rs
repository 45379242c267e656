use lambda_runtime::{LambdaEvent, service_fn};
use publish_events::Publisher;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = invites_runtime::start().await;
    // Events carry each role's permissions from the deployment's catalogue.
    invites_adapters::config::roles_from_env()?;
    // Webhooks: the endpoints are in the table, the deliveries go to their queue.
    let webhooks = match invites_adapters::WebhookQueue::from_env(&sdk) {
        Some(queue) => {
            let table = std::env::var("INVITES_TABLE").map_err(|_| "INVITES_TABLE is not set (webhooks need it)")?;
            Some((invites_adapters::Store::new(&sdk, table, None, Default::default()), queue))
        }
        None => None,
    };
    let publisher: &'static Publisher =
        Box::leak(Box::new(Publisher { bus: invites_adapters::EventBus::from_env(&sdk)?, webhooks }));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::dynamodb::Event>| async move {
        Ok::<_, lambda_runtime::Error>(publisher.handle(event.payload).await)
    }))
    .await
}
