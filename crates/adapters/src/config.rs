//! Configuration from environment variables, read once per cold start.
//! Missing or invalid values stop the function at start with a message that
//! names the variable.

use crate::keys::Keys;
use invites_domain::limits::Limits;
use invites_domain::redirect::RedirectOrigins;
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Config {
    /// `INVITES_TABLE`: the single table.
    pub table: String,
    /// `INVITES_QUEUE_URL`: where notification messages go.
    pub queue_url: Option<String>,
    /// The link-signing keys ([`Keys`]: given directly, or the ids of
    /// secrets read through the Parameters and Secrets extension). Only the
    /// functions that mint or check links get them.
    pub keys: Option<Arc<Keys>>,
    /// `INVITES_ACCEPT_URL`: the frontend page invite links open
    /// (`#token=` is appended). Links are built only from this.
    pub accept_url: String,
    /// `INVITES_REDIRECT_ORIGINS`: comma-separated origins an invite's
    /// `redirectUrl` may point to (none: no redirects).
    pub redirect_origins: RedirectOrigins,
    pub limits: Limits,
    /// Where webhook endpoints may point: https only, unless
    /// `INVITES_WEBHOOK_ALLOW_HTTP=true` (local runs and tests).
    pub webhook_urls: invites_domain::webhooks::UrlRules,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "configuration error: {}", self.0)
    }
}
impl std::error::Error for ConfigError {}

/// A variable's trimmed value; `None` when unset or blank.
pub fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Whether a function opens its DynamoDB connection during init
/// (`INVITES_PRIME_ON_INIT`, `true` unless set to `false`; see
/// [`crate::Store::prime`]).
pub fn prime_on_init() -> Result<bool, ConfigError> {
    match optional("INVITES_PRIME_ON_INIT").as_deref() {
        None | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(ConfigError("INVITES_PRIME_ON_INIT must be true or false".into())),
    }
}

/// How long the HTTPS client keeps an idle connection to an AWS service
/// (`INVITES_HTTP_IDLE_TIMEOUT_SECS`, 1–3600, default 50): below the
/// service's own idle timeout, so a pooled connection the service closed
/// while the environment was frozen is never written to ([`crate::sdk_config`]).
pub fn http_idle_timeout() -> Result<std::time::Duration, ConfigError> {
    number("INVITES_HTTP_IDLE_TIMEOUT_SECS", 50, |s: &u64| (1..=3600).contains(s)).map(std::time::Duration::from_secs)
}

fn required(name: &str) -> Result<String, ConfigError> {
    optional(name).ok_or_else(|| ConfigError(format!("{name} is not set")))
}

pub fn number<T: std::str::FromStr>(name: &str, default: T, ok: impl Fn(&T) -> bool) -> Result<T, ConfigError> {
    match optional(name) {
        Some(v) => v.parse().ok().filter(|n| ok(n)).ok_or_else(|| ConfigError(format!("{name} has an invalid value"))),
        None => Ok(default),
    }
}

/// Installs the role catalogue once per cold start: the file at
/// `INVITES_ROLES_FILE` if set, else the one compiled in from
/// `config/roles.json`. A bad one stops the function with every problem named.
pub fn roles_from_env() -> Result<(), ConfigError> {
    use invites_domain::role::{Catalogue, catalogue, install};
    let Some(path) = optional("INVITES_ROLES_FILE") else {
        catalogue();
        return Ok(());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError(format!("INVITES_ROLES_FILE {path}: {e}")))?;
    let parsed = Catalogue::parse(&text).map_err(|e| ConfigError(format!("INVITES_ROLES_FILE {path}: {e}")))?;
    install(parsed).map_err(ConfigError)
}

/// `INVITES_WEBHOOK_ALLOW_HTTP=true` lets webhook endpoints be plain http
/// (local runs and tests); https only otherwise.
pub fn webhook_url_rules() -> Result<invites_domain::webhooks::UrlRules, ConfigError> {
    Ok(invites_domain::webhooks::UrlRules { allow_http: number("INVITES_WEBHOOK_ALLOW_HTTP", false, |_| true)? })
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        roles_from_env()?;
        let keys = Keys::from_env()?.map(Arc::new);
        let accept_url = required("INVITES_ACCEPT_URL")?;
        if !(accept_url.starts_with("https://") || accept_url.starts_with("http://")) || accept_url.contains(['?', '#'])
        {
            return Err(ConfigError("INVITES_ACCEPT_URL must be an http(s) URL without a query or fragment".into()));
        }
        let d = Limits::default();
        Ok(Self {
            table: required("INVITES_TABLE")?,
            queue_url: optional("INVITES_QUEUE_URL"),
            keys,
            accept_url,
            redirect_origins: RedirectOrigins::parse(&optional("INVITES_REDIRECT_ORIGINS").unwrap_or_default())
                .map_err(|e| ConfigError(format!("INVITES_REDIRECT_ORIGINS: {e}")))?,
            limits: Limits {
                seat_limit: number("INVITES_SEAT_LIMIT", d.seat_limit, |n| (1..=10_000).contains(n))?,
                daily_invites: number("INVITES_DAILY_INVITE_LIMIT", d.daily_invites, |n| *n >= 1)?,
                user_daily_invites: number("INVITES_USER_DAILY_INVITE_LIMIT", d.user_daily_invites, |n| *n >= 1)?,
                deployment_daily_emails: number(
                    "INVITES_DEPLOYMENT_DAILY_EMAIL_LIMIT",
                    d.deployment_daily_emails,
                    |n| *n >= 1,
                )?,
                resources_per_owner: number("INVITES_RESOURCES_PER_OWNER", d.resources_per_owner, |n| *n >= 1)?,
                retention_days: number("INVITES_RETENTION_DAYS", d.retention_days, |n| (1..=365).contains(n))?,
                reminder_days: number("INVITES_REMINDER_DAYS", d.reminder_days, |n| (0..=29).contains(n))?,
                requeue_after_secs: number("INVITES_REQUEUE_AFTER_SECS", d.requeue_after_secs, |n| {
                    (10..=86_400).contains(n)
                })?,
                default_locale: match optional("INVITES_DEFAULT_LOCALE") {
                    None => d.default_locale,
                    Some(tag) => invites_domain::Locale::configured(&tag)
                        .map_err(|e| ConfigError(format!("INVITES_DEFAULT_LOCALE: {e}")))?,
                },
                claim_secs: number("INVITES_CLAIM_SECS", d.claim_secs, |n| (2..=900).contains(n))?,
            },
            webhook_urls: webhook_url_rules()?,
        })
    }

    /// For functions that mint or check links: the signing key must be configured.
    pub fn require_token_keys(&self) -> Result<(), ConfigError> {
        self.keys
            .as_ref()
            .map(drop)
            .ok_or_else(|| ConfigError("INVITES_TOKEN_KEY_SECRET (or INVITES_TOKEN_KEY) is not set".into()))
    }

    /// For functions that enqueue mail: the queue URL must be configured.
    pub fn require_queue(&self) -> Result<String, ConfigError> {
        self.queue_url.clone().ok_or_else(|| ConfigError("INVITES_QUEUE_URL is not set".into()))
    }

    /// The link an invitee opens.
    pub fn invite_url(&self, token: &str) -> String {
        format!("{}#token={token}", self.accept_url)
    }

    /// A team link: the same landing page, `#link=` instead of `#token=`.
    pub fn team_link_url(&self, token: &str) -> String {
        format!("{}#link={token}", self.accept_url)
    }
}
