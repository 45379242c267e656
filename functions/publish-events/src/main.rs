// The handler's future (events to the bus and to every webhook's queue) nests deeper than the
// compiler's default query depth when computing its layout on a clean build.
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};
use publish_events::Publisher;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    let sdk = invites_runtime::start().await?;
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
    // The endpoint the template's parameters name (WebhookUrl, WebhookSecretId, WebhookEventTypes).
    let configured = match (webhooks.is_some(), invites_adapters::config::optional("INVITES_WEBHOOK_URL")) {
        (true, Some(url)) => {
            let secret = invites_adapters::config::optional("INVITES_WEBHOOK_SECRET").unwrap_or_default();
            let types = invites_adapters::config::optional("INVITES_WEBHOOK_EVENT_TYPES").unwrap_or_default();
            let rules = invites_adapters::config::webhook_url_rules()?;
            // A bad one is logged and left out: it must not hold up the events on the bus.
            invites_domain::webhooks::configured(&url, &secret, &types, rules, invites_domain::time::now())
                .inspect_err(|e| {
                    tracing::error!("INVITES_WEBHOOK_URL, _SECRET, _EVENT_TYPES: {e}; no configured endpoint")
                })
                .ok()
        }
        _ => None,
    };
    let publisher: &'static Publisher = Box::leak(Box::new(Publisher {
        bus: invites_adapters::EventBus::from_env(&sdk)?,
        webhooks,
        configured,
        configured_done: Default::default(),
    }));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<aws_lambda_events::event::dynamodb::Event>| async move {
        Ok::<_, lambda_runtime::Error>(publisher.handle(event.payload).await)
    }))
    .await
}
