/// JSON logs (CloudWatch parses them; Lambda's JSON log format keeps them as
/// they are). Each line carries the span of the invocation, which holds the
/// Lambda request id. Level from `RUST_LOG`, default `info`.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .try_init();
}
