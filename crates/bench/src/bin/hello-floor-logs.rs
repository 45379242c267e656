//! The floor plus the functions' JSON log subscriber (`invites_runtime::logging`):
//! its gap to `hello-floor` in the interleaved init run is what setting up
//! the logs costs at start.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    invites_runtime::logging::init();
    lambda_runtime::run(service_fn(|e: LambdaEvent<Value>| async move { Ok::<_, lambda_runtime::Error>(e.payload) }))
        .await
}
