//! The floor of the benchmark: a `lambda_runtime` function that does nothing,
//! built with the same release profile as the real functions.

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(service_fn(|e: LambdaEvent<Value>| async move { Ok::<_, lambda_runtime::Error>(e.payload) }))
        .await
}
