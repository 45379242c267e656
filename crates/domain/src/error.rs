//! The error vocabulary of the service. The HTTP edge maps each variant to a
//! status code in one place (`invites_http::respond`).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 400: the request could not be read at all (bad JSON, wrong content type).
    Malformed(String),
    /// 422: a field is missing or invalid. `code` names the problem.
    Invalid { code: &'static str, message: String },
    /// 401: no caller identity.
    Unauthenticated,
    /// 403: the caller is known but may not do this.
    Forbidden { code: &'static str, message: String },
    /// 404: not found, or not visible to the caller.
    NotFound,
    /// 409: conflicts with the current state.
    Conflict { code: &'static str, message: String },
    /// 410: the link no longer works.
    Gone { code: &'static str, message: String },
    /// 413: body over the limit.
    TooLarge,
    /// 429: try again after `retry_after` seconds.
    RateLimited { retry_after: u64, message: String },
    /// 500: anything unexpected. The text goes to the logs only.
    Internal(String),
}

impl Error {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { code, message: message.into() }
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::Forbidden { code, message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }
    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        Self::Gone { code, message: message.into() }
    }
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }

    /// HTTP status code of this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Malformed(_) => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound => 404,
            Self::Conflict { .. } => 409,
            Self::Gone { .. } => 410,
            Self::TooLarge => 413,
            Self::Invalid { .. } => 422,
            Self::RateLimited { .. } => 429,
            Self::Internal(_) => 500,
        }
    }

    /// Stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed_request",
            Self::Unauthenticated => "unauthenticated",
            Self::NotFound => "not_found",
            Self::TooLarge => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Internal(_) => "internal_error",
            Self::Invalid { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Gone { code, .. } => code,
        }
    }

    /// Message safe to show a client: never internal details.
    pub fn public_message(&self) -> String {
        match self {
            Self::Malformed(m) => m.clone(),
            Self::Unauthenticated => "sign-in required".into(),
            Self::NotFound => "not found".into(),
            Self::TooLarge => "request body too large".into(),
            Self::Internal(_) => "internal error".into(),
            Self::Invalid { message, .. }
            | Self::Forbidden { message, .. }
            | Self::Conflict { message, .. }
            | Self::Gone { message, .. }
            | Self::RateLimited { message, .. } => message.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Internal(detail) => write!(f, "internal: {detail}"),
            other => write!(f, "{}: {}", other.code(), other.public_message()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;
