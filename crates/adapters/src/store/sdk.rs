//! How a failed DynamoDB call answers. Busy or unreachable (throttling, the
//! service's own 500s, a connection lost or timed out) after the SDK's own
//! retries is 503 `service_unavailable`, for the caller to try again after
//! `Retry-After`; anything else is a fault of ours (500).

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use invites_domain::Error;

/// Error codes DynamoDB answers when it is busy or failing, not refusing.
const TRANSIENT: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "TransactionInProgressException",
];

/// The answer for a call `op` that failed with `e`.
pub(crate) fn failure<E>(op: &str, e: SdkError<E, HttpResponse>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = format!("{op}: {}", DisplayErrorContext(&e));
    if transient(&e) { Error::unavailable(detail) } else { Error::internal(detail) }
}

/// Busy or unreachable rather than refused.
pub(crate) fn transient<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> bool {
    match e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(s) => {
            s.raw().status().as_u16() >= 500 || s.err().code().is_some_and(|c| TRANSIENT.contains(&c))
        }
        _ => false,
    }
}
