//! The error vocabulary of the service: one catalogue of every code a
//! client can see, with its HTTP status ([`Code`]). The HTTP edge turns an
//! [`Error`] into a response in one place (`invites_http::respond`).
//! `openapi.yaml` (`ErrorDetail.code`) and the web UI's strings in every
//! language list the same codes: a test in this module holds them together.

use std::fmt;

macro_rules! codes {
    ($($variant:ident = $wire:literal => $status:literal,)*) => {
        /// Every machine-readable error code, with its HTTP status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// The code on the wire (`error.code`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $wire,)* }
            }

            /// The HTTP status every error with this code answers.
            pub fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }
        }
    };
}

/// `code`, checked (in debug builds and tests) to answer with `status`.
fn answering(code: Code, status: u16) -> Code {
    debug_assert_eq!(code.status(), status, "{code:?} is not a {status} code");
    code
}

impl PartialEq<&str> for Code {
    fn eq(&self, wire: &&str) -> bool {
        self.as_str() == *wire
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

codes! {
    MalformedRequest = "malformed_request" => 400,
    Unauthenticated = "unauthenticated" => 401,
    NotFound = "not_found" => 404,
    PayloadTooLarge = "payload_too_large" => 413,
    RateLimited = "rate_limited" => 429,
    InternalError = "internal_error" => 500,
    ServiceUnavailable = "service_unavailable" => 503,
    EmailMismatch = "email_mismatch" => 403,
    EmailNotVerified = "email_not_verified" => 403,
    Forbidden = "forbidden" => 403,
    InvitesDisabled = "invites_disabled" => 403,
    OwnerCannotLeave = "owner_cannot_leave" => 403,
    OwnerProtected = "owner_protected" => 403,
    RemovedFromResource = "removed_from_resource" => 403,
    RoleNotGrantable = "role_not_grantable" => 403,
    ResourceLimitReached = "resource_limit_reached" => 403,
    ServiceOnly = "service_only" => 403,
    AlreadyMember = "already_member" => 409,
    AlreadyPending = "already_pending" => 409,
    ChangedMeanwhile = "changed_meanwhile" => 409,
    DomainNotVerified = "domain_not_verified" => 409,
    EmailSuppressed = "email_suppressed" => 409,
    InviteAlreadyUsed = "invite_already_used" => 409,
    InviteNotPending = "invite_not_pending" => 409,
    RequestNotPending = "request_not_pending" => 409,
    SeatLimitReached = "seat_limit_reached" => 409,
    TooManyDomains = "too_many_domains" => 409,
    TooManyLinks = "too_many_links" => 409,
    TooManyWebhooks = "too_many_webhooks" => 409,
    InviteDeclined = "invite_declined" => 410,
    InviteExpired = "invite_expired" => 410,
    InviteRevoked = "invite_revoked" => 410,
    InviteUndeliverable = "invite_undeliverable" => 410,
    InviteWithdrawn = "invite_withdrawn" => 410,
    LinkExpired = "link_expired" => 410,
    LinkRevoked = "link_revoked" => 410,
    LinkUsedUp = "link_used_up" => 410,
    LinkWithdrawn = "link_withdrawn" => 410,
    RequestExpired = "request_expired" => 410,
    ResourceDeleted = "resource_deleted" => 410,
    DuplicateEntry = "duplicate_entry" => 422,
    IdempotencyKeyReused = "idempotency_key_reused" => 422,
    InvalidBatch = "invalid_batch" => 422,
    InvalidClientId = "invalid_client_id" => 422,
    InvalidCursor = "invalid_cursor" => 422,
    InvalidDateRange = "invalid_date_range" => 422,
    InvalidDomain = "invalid_domain" => 422,
    InvalidEmail = "invalid_email" => 422,
    InvalidEventType = "invalid_event_type" => 422,
    InvalidEntry = "invalid_entry" => 422,
    InvalidExpiresInDays = "invalid_expires_in_days" => 422,
    InvalidIdempotencyKey = "invalid_idempotency_key" => 422,
    InvalidLimit = "invalid_limit" => 422,
    InvalidLocale = "invalid_locale" => 422,
    InvalidMaxUses = "invalid_max_uses" => 422,
    InvalidMessage = "invalid_message" => 422,
    InvalidMetadata = "invalid_metadata" => 422,
    InvalidMode = "invalid_mode" => 422,
    InvalidName = "invalid_name" => 422,
    InvalidNote = "invalid_note" => 422,
    InvalidPlan = "invalid_plan" => 422,
    InvalidReason = "invalid_reason" => 422,
    InvalidRedirectUrl = "invalid_redirect_url" => 422,
    InvalidRequest = "invalid_request" => 422,
    InvalidRole = "invalid_role" => 422,
    InvalidSeatLimit = "invalid_seat_limit" => 422,
    InvalidStatus = "invalid_status" => 422,
    InvalidWebhookUrl = "invalid_webhook_url" => 422,
    PublicDomain = "public_domain" => 422,
    RedirectNotAllowed = "redirect_not_allowed" => 422,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// 400: the request could not be read at all (bad JSON, wrong content type).
    Malformed(String),
    /// 422: a field is missing or invalid. `code` names the problem.
    Invalid { code: Code, message: String },
    /// 401: no caller identity.
    Unauthenticated,
    /// 403: the caller is known but may not do this.
    Forbidden { code: Code, message: String },
    /// 404: not found, or not visible to the caller.
    NotFound,
    /// 409: conflicts with the current state.
    Conflict { code: Code, message: String },
    /// 410: the link no longer works.
    Gone { code: Code, message: String },
    /// 413: body over the limit.
    TooLarge,
    /// 429: try again after `retry_after` seconds.
    RateLimited { retry_after: u64, message: String },
    /// 500: anything unexpected. The text goes to the logs only.
    Internal(String),
    /// 503: the table stayed busy or unreachable beyond the SDK's retries
    /// (throttling, its 500s, a lost connection), or a transaction kept
    /// conflicting; nothing the caller did. Clients try again after
    /// `Retry-After`. The text goes to the logs only.
    Unavailable(String),
}

impl Error {
    pub fn invalid(code: Code, message: impl Into<String>) -> Self {
        Self::Invalid { code: answering(code, 422), message: message.into() }
    }
    pub fn forbidden(code: Code, message: impl Into<String>) -> Self {
        Self::Forbidden { code: answering(code, 403), message: message.into() }
    }
    pub fn conflict(code: Code, message: impl Into<String>) -> Self {
        Self::Conflict { code: answering(code, 409), message: message.into() }
    }
    pub fn gone(code: Code, message: impl Into<String>) -> Self {
        Self::Gone { code: answering(code, 410), message: message.into() }
    }
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::Internal(detail.to_string())
    }
    pub fn unavailable(detail: impl fmt::Display) -> Self {
        Self::Unavailable(detail.to_string())
    }

    /// HTTP status code of this error (the catalogue's, for its code).
    pub fn status(&self) -> u16 {
        self.code().status()
    }

    /// Stable machine-readable code for clients.
    pub fn code(&self) -> Code {
        match self {
            Self::Malformed(_) => Code::MalformedRequest,
            Self::Unauthenticated => Code::Unauthenticated,
            Self::NotFound => Code::NotFound,
            Self::TooLarge => Code::PayloadTooLarge,
            Self::RateLimited { .. } => Code::RateLimited,
            Self::Internal(_) => Code::InternalError,
            Self::Unavailable(_) => Code::ServiceUnavailable,
            Self::Invalid { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::Gone { code, .. } => *code,
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
            Self::Unavailable(_) => "the service is busy; try again in a moment".into(),
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
            Self::Unavailable(detail) => write!(f, "unavailable: {detail}"),
            other => write!(f, "{}: {}", other.code().as_str(), other.public_message()),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn repo_file(path: &str) -> String {
        let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    /// The codes `openapi.yaml` lists in `ErrorDetail.code`'s enum.
    fn documented_codes(openapi: &str) -> BTreeSet<String> {
        let detail = &openapi[openapi.find("    ErrorDetail:").expect("ErrorDetail in openapi.yaml")..];
        let list = &detail[detail.find("enum: [").expect("ErrorDetail.code has an enum") + 7..];
        list[..list.find(']').unwrap()].split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect()
    }

    /// The `error.<code>` keys of one language's strings (`web/src/locales/<tag>.json`).
    fn translated_codes(strings: &str) -> BTreeSet<String> {
        let strings: serde_json::Map<String, serde_json::Value> = serde_json::from_str(strings).unwrap();
        strings.keys().filter_map(|k| k.strip_prefix("error.")).map(str::to_owned).collect()
    }

    fn missing(from: &BTreeSet<String>) -> Vec<&'static str> {
        Code::ALL.iter().map(|c| c.as_str()).filter(|c| !from.contains(*c)).collect()
    }

    #[test]
    fn every_code_is_documented_and_in_every_language_of_the_web_ui() {
        let openapi = documented_codes(&repo_file("openapi.yaml"));
        assert_eq!(missing(&openapi), Vec::<&str>::new(), "codes missing from openapi.yaml ErrorDetail.code");
        let known: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let stale: Vec<_> = openapi.iter().filter(|c| !known.contains(c.as_str())).collect();
        assert!(stale.is_empty(), "openapi.yaml lists codes the service never answers: {stale:?}");
        for locale in crate::Locale::ALL {
            let translated = translated_codes(&repo_file(&format!("web/src/locales/{}.json", locale.as_str())));
            assert_eq!(missing(&translated), Vec::<&str>::new(), "codes without words in the web UI's {locale:?}");
        }
    }

    #[test]
    fn each_code_has_one_status_and_the_error_answers_with_it() {
        let wires: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(wires.len(), Code::ALL.len(), "wire names are unique");
        assert_eq!(Error::conflict(Code::SeatLimitReached, "x").status(), 409);
        assert_eq!(Error::gone(Code::LinkExpired, "x").status(), 410);
        assert_eq!(Error::NotFound.code().as_str(), "not_found");
    }
}
