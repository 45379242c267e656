use tracing_subscriber::filter::LevelFilter;

/// JSON logs (CloudWatch parses them; Lambda's JSON log format keeps them as
/// they are). Each line carries the span of the invocation, which holds the
/// Lambda request id. Level from `RUST_LOG` (`error` .. `trace`), default
/// `info`. A plain level, not per-module directives, keeps the regex engine
/// out of every binary.
pub fn init() {
    let level =
        std::env::var("RUST_LOG").ok().and_then(|l| l.trim().parse::<LevelFilter>().ok()).unwrap_or(LevelFilter::INFO);
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .without_time()
        .try_init();
}
