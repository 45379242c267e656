//! The one place where results become HTTP responses.

use invites_domain::Error;
use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::json;

pub type ApiResult = Result<Response<Body>, Error>;

/// Seconds a client waits before trying again after a 503.
const UNAVAILABLE_RETRY_AFTER: &str = "1";

/// A JSON response with the given status.
pub fn json<T: Serialize>(status: u16, value: &T) -> ApiResult {
    let body = serde_json::to_string(value).map_err(Error::internal)?;
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(body))
        .map_err(Error::internal)
}

/// A CSV download (`filename`), with the cursor of the next page, if any,
/// in `x-next-cursor`.
pub fn csv(body: String, filename: &str, next_cursor: Option<&str>) -> ApiResult {
    let mut r = Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", format!("attachment; filename=\"{filename}\""))
        .header("cache-control", "no-store");
    if let Some(c) = next_cursor {
        r = r.header("x-next-cursor", c);
    }
    r.body(Body::Text(body)).map_err(Error::internal)
}

pub fn no_content() -> ApiResult {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header("cache-control", "no-store")
        .body(Body::Empty)
        .map_err(Error::internal)
}

/// An error as clients see it, `{"code", "message"}` (also one refused
/// line of a bulk request); logged here, internal details only in the log.
pub fn error_body(err: &Error) -> serde_json::Value {
    match err {
        Error::Internal(detail) => tracing::error!(error = %detail, "request failed"),
        Error::Unavailable(detail) => tracing::warn!(error = %detail, "store unavailable; the caller may retry"),
        other => tracing::info!(status = other.status(), code = other.code().as_str(), "request rejected"),
    }
    json!({ "code": err.code().as_str(), "message": err.public_message() })
}

/// Turns a handler result into a response. Errors become
/// `{"error": {"code", "message"}}`; internal details are logged, not sent.
pub fn respond(result: ApiResult) -> Response<Body> {
    match result {
        Ok(response) => response,
        Err(err) => error_response(&err),
    }
}

pub fn error_response(err: &Error) -> Response<Body> {
    let body = json!({ "error": error_body(err) });
    let mut builder = Response::builder()
        .status(err.status())
        .header("content-type", "application/json")
        .header("cache-control", "no-store");
    match err {
        Error::RateLimited { retry_after, .. } => builder = builder.header("retry-after", retry_after.to_string()),
        Error::Unavailable(_) => builder = builder.header("retry-after", UNAVAILABLE_RETRY_AFTER),
        _ => {}
    }
    builder.body(Body::Text(body.to_string())).unwrap_or_else(|_| {
        let mut r = Response::new(Body::Empty);
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &Response<Body>) -> serde_json::Value {
        match r.body() {
            Body::Text(t) => serde_json::from_str(t).unwrap(),
            _ => panic!("text body expected"),
        }
    }

    #[test]
    fn an_unavailable_store_answers_503_with_retry_after_and_no_detail() {
        let r = respond(Err(Error::unavailable("transact: ProvisionedThroughputExceededException on table-arn")));
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "1");
        let b = body(&r);
        assert_eq!(b["error"]["code"], "service_unavailable");
        assert!(!b.to_string().contains("table-arn"), "{b}");
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let r = respond(Err(Error::internal("dynamodb said: secret table arn")));
        assert_eq!(r.status(), 500);
        let b = body(&r);
        assert_eq!(b["error"]["code"], "internal_error");
        assert!(!b.to_string().contains("arn"));
    }

    #[test]
    fn rate_limit_has_retry_after() {
        let r = respond(Err(Error::RateLimited { retry_after: 42, message: "slow down".into() }));
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "42");
        assert_eq!(body(&r)["error"]["code"], "rate_limited");
    }

    #[test]
    fn conflict_shape() {
        let r =
            respond(Err(Error::conflict(invites_domain::error::Code::AlreadyPending, "an invite is already pending")));
        assert_eq!(r.status(), 409);
        assert_eq!(body(&r), json!({"error": {"code": "already_pending", "message": "an invite is already pending"}}));
    }
}
