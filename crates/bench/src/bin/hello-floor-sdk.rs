//! The floor plus what every function sets up before its first request
//! besides its own configuration: the JSON log subscriber, the SDK's
//! configuration with its HTTPS client and trust store
//! (`invites_adapters::sdk_config`), and one DynamoDB client. Its gap to
//! `hello-floor` in the interleaved init run is that set-up's cost.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    invites_runtime::logging::init();
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let db = aws_sdk_dynamodb::Client::new(&sdk);
    lambda_runtime::run(service_fn(move |e: LambdaEvent<Value>| {
        let _ = &db;
        async move { Ok::<_, lambda_runtime::Error>(e.payload) }
    }))
    .await
}
