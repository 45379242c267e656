use tracing_subscriber::filter::LevelFilter;

/// JSON logs with a timestamp (CloudWatch parses them; Lambda's JSON log
/// format keeps them as they are). Each line carries the span of the
/// invocation, which holds the Lambda request id. The level follows
/// `RUST_LOG` (`error` .. `trace`) if set, else Lambda's own log level
/// (`AWS_LAMBDA_LOG_LEVEL`, from the function's logging configuration), else
/// `info`. A plain level, not per-module directives, keeps the regex engine
/// out of every binary. Request and event bodies are never logged.
pub fn init() {
    let level = level(std::env::var("RUST_LOG").ok().as_deref(), std::env::var("AWS_LAMBDA_LOG_LEVEL").ok().as_deref());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .try_init();
}

fn level(rust_log: Option<&str>, lambda: Option<&str>) -> LevelFilter {
    let parse = |v: Option<&str>| v.and_then(|l| l.trim().to_ascii_lowercase().parse::<LevelFilter>().ok());
    // Lambda's levels include FATAL, which is an error here.
    let lambda = lambda.map(|l| if l.eq_ignore_ascii_case("fatal") { "error" } else { l });
    parse(rust_log).or_else(|| parse(lambda)).unwrap_or(LevelFilter::INFO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_follows_rust_log_then_lambda_then_info() {
        assert_eq!(level(Some("debug"), Some("ERROR")), LevelFilter::DEBUG);
        assert_eq!(level(None, Some("WARN")), LevelFilter::WARN);
        assert_eq!(level(None, Some("FATAL")), LevelFilter::ERROR);
        assert_eq!(level(Some("nonsense"), Some("TRACE")), LevelFilter::TRACE);
        assert_eq!(level(None, None), LevelFilter::INFO);
    }
}
