//! Signed webhooks: the operator's HTTPS endpoints that receive the
//! lifecycle events (`crate::events`), each with the event types it wants
//! and its own secret, delivered as the Standard Webhooks specification
//! describes (<https://www.standardwebhooks.com>):
//!
//! - headers `webhook-id` (the event's id: the same on every attempt, so a
//!   receiver drops a second copy), `webhook-timestamp` (epoch seconds of
//!   this attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
//!   "{id}.{timestamp}.{body}">`, one per live secret, space-separated);
//! - secrets `whsec_<base64 of 32 random bytes>`; during a rotation the
//!   previous one signs too, for [`ROTATION_OVERLAP`];
//! - the body `{"type", "timestamp", "data"}`, `data` being the event.
//!
//! Signing is these few lines over the `hmac` and `sha2` crates the link
//! tokens already use; the tests verify every delivery with the npm
//! `standardwebhooks` package, an implementation that is not ours.
//!
//! Decisions here, I/O elsewhere: which endpoints want an event, the retry
//! schedule, when a failing endpoint is switched off.

use crate::Error;
use crate::error::Code;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a new secret (the specification asks for 24 to 64).
const SECRET_BYTES: usize = 32;
/// After a rotation the previous secret signs too, this long (seconds).
pub const ROTATION_OVERLAP: i64 = crate::time::DAY;
/// An endpoint whose deliveries have all failed for this long is switched
/// off (and an alarm fires); deliveries to it wait in the dead-letter queue.
pub const DISABLE_AFTER: i64 = crate::time::DAY;
/// Seconds to wait before each retry of a failed delivery: 5 s, 5 min,
/// 30 min, 2 h, 5 h, 10 h, 10 h (Svix's schedule): eight attempts over
/// 27 h 35 min, then the delivery waits in the dead-letter queue.
pub const RETRY_SCHEDULE: [u32; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// A receiver has this long to answer (seconds).
pub const TIMEOUT_SECS: u64 = 15;
pub const MAX_URL_CHARS: usize = 2048;
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Endpoints a deployment may register.
pub const MAX_ENDPOINTS: usize = 20;

/// A signing secret (`whsec_…`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl Secret {
    pub fn generate() -> Self {
        let mut b = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut b).expect("the OS random number generator is available");
        Self(b)
    }

    /// `whsec_` and the base64 of 24 to 64 bytes.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let bytes = text.strip_prefix(SECRET_PREFIX).and_then(|b| STANDARD.decode(b).ok());
        match bytes {
            Some(b) if (24..=64).contains(&b.len()) => Ok(Self(b)),
            _ => {
                Err(Error::invalid(Code::InvalidRequest, "a webhook secret is whsec_ and the base64 of 24 to 64 bytes"))
            }
        }
    }

    pub fn encode(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(&self.0))
    }

    fn sign(&self, content: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(content.as_bytes());
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }
}

/// `webhook-signature`: one `v1,…` per secret, space-separated.
pub fn signature(secrets: &[Secret], id: &str, timestamp: i64, body: &str) -> String {
    let content = format!("{id}.{timestamp}.{body}");
    secrets.iter().map(|s| s.sign(&content)).collect::<Vec<_>>().join(" ")
}

/// The body of a delivery: Standard Webhooks' envelope around the event.
pub fn body(event: &crate::events::Event) -> Result<String, Error> {
    let envelope = serde_json::json!({
        "type": event.kind,
        "timestamp": crate::time::rfc3339(event.at),
        "data": event,
    });
    serde_json::to_string(&envelope).map_err(Error::internal)
}

/// A secret as stored: current ones have no end, a rotated-out one signs
/// until `until`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredSecret {
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl std::fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoredSecret(…, until {:?})", self.until)
    }
}

/// An endpoint as stored and as the service routes show it (without its secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    /// The event types it receives; empty: every type.
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub enabled: bool,
    /// Why it is off (`failing` after [`DISABLE_AFTER`] of failures, or `operator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// When the first of the failures since the last success happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Never shown and never serialised with the endpoint (the store keeps them beside it).
    #[serde(skip)]
    pub secrets: Vec<StoredSecret>,
    /// The configured endpoint only: a hash of the configuration last
    /// applied, so it is applied again only when the configuration changes
    /// (the operator's changes through the routes stay until then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_hash: Option<String>,
}

impl Endpoint {
    /// Whether it receives events of type `kind`. A switched-off endpoint
    /// still does: the worker parks its deliveries in the dead-letter queue
    /// until it is on again and they are redriven.
    pub fn wants(&self, kind: &str) -> bool {
        self.event_types.is_empty() || self.event_types.iter().any(|t| t == kind)
    }

    /// The secrets that sign a delivery at `now`: the current one and a
    /// rotated-out one still in its overlap.
    pub fn signing_secrets(&self, now: i64) -> Result<Vec<Secret>, Error> {
        self.secrets.iter().filter(|s| s.until.is_none_or(|u| now < u)).map(|s| Secret::parse(&s.secret)).collect()
    }

    /// The secrets after a rotation at `now`: the new one, and the current
    /// one until `now + ROTATION_OVERLAP` (older ones are dropped).
    pub fn rotated(&self, new: &Secret, now: i64) -> Vec<StoredSecret> {
        let mut out = vec![StoredSecret { secret: new.encode(), until: None }];
        out.extend(
            self.secrets
                .iter()
                .filter(|s| s.until.is_none())
                .map(|s| StoredSecret { secret: s.secret.clone(), until: Some(now + ROTATION_OVERLAP) }),
        );
        out
    }
}

/// An endpoint as the service routes show it: times as RFC 3339, no secrets.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointView<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub event_types: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Endpoint {
    pub fn view(&self) -> EndpointView<'_> {
        EndpointView {
            id: &self.id,
            url: &self.url,
            event_types: &self.event_types,
            description: self.description.as_deref(),
            enabled: self.enabled,
            disabled_reason: self.disabled_reason.as_deref(),
            failing_since: self.failing_since.map(crate::time::rfc3339),
            created_at: crate::time::rfc3339(self.created_at),
            updated_at: crate::time::rfc3339(self.updated_at),
        }
    }
}

/// What the operator sends to register an endpoint.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewEndpointBody {
    pub url: String,
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub description: Option<String>,
}

/// What the operator may change.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EndpointChangeBody {
    #[serde(default, deserialize_with = "crate::text::present")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub event_types: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub enabled: Option<bool>,
}

/// A validated change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EndpointChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub description: Option<String>,
    pub enabled: Option<bool>,
}

/// Where endpoints may point: https, or plain http as well when the
/// deployment allows it (local runs and tests only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UrlRules {
    pub allow_http: bool,
}

impl UrlRules {
    pub fn check(self, url: &str) -> Result<String, Error> {
        let url = url.trim();
        let bad = |why: &str| Err(Error::invalid(Code::InvalidWebhookUrl, why.to_owned()));
        if url.is_empty()
            || url.chars().count() > MAX_URL_CHARS
            || url.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return bad("url must be an absolute https URL of at most 2048 characters");
        }
        let Some(origin) = crate::redirect::origin_of(url) else {
            return bad("url must be an absolute https URL without credentials");
        };
        if url.contains('#') {
            return bad("url must not have a fragment");
        }
        if origin.starts_with("http://") && !self.allow_http {
            return bad("url must use https");
        }
        // An address of the network the function runs in is no endpoint of the operator's.
        let authority = origin.split("://").nth(1).unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        if !self.allow_http && (host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| !public(ip))) {
            return bad("url must name a public host");
        }
        Ok(url.to_owned())
    }
}

/// Whether an address is reachable on the internet (not loopback, private,
/// shared, link-local, unspecified or broadcast).
fn public(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let shared = a == 100 && b & 0xc0 == 64;
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || shared)
        }
        std::net::IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            let local = first & 0xfe00 == 0xfc00 || first & 0xffc0 == 0xfe80;
            !(v6.is_loopback() || v6.is_unspecified() || local)
                && v6.to_ipv4_mapped().is_none_or(|v4| public(std::net::IpAddr::V4(v4)))
        }
    }
}

fn event_types(types: Vec<String>) -> Result<Vec<String>, Error> {
    if types.len() > 50 {
        return Err(Error::invalid(Code::InvalidEventType, "at most 50 event types"));
    }
    let mut out: Vec<String> = Vec::new();
    for t in types {
        let t = t.trim().to_owned();
        if !crate::events::types().any(|known| known == t) {
            return Err(Error::invalid(
                Code::InvalidEventType,
                format!("unknown event type {t:?} (README \"Lifecycle events\" lists them)"),
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn description(d: Option<String>) -> Result<Option<String>, Error> {
    match d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()) {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_CHARS || d.chars().any(char::is_control) => Err(Error::invalid(
            Code::InvalidRequest,
            format!("description: at most {MAX_DESCRIPTION_CHARS} characters"),
        )),
        d => Ok(d),
    }
}

impl NewEndpointBody {
    /// A new endpoint with a new secret (returned once, to show the operator).
    pub fn validate(self, rules: UrlRules, id: String, now: i64) -> Result<(Endpoint, Secret), Error> {
        let secret = Secret::generate();
        let endpoint = Endpoint {
            id,
            url: rules.check(&self.url)?,
            event_types: event_types(self.event_types)?,
            description: description(self.description)?,
            enabled: true,
            disabled_reason: None,
            failing_since: None,
            created_at: now,
            updated_at: now,
            secrets: vec![StoredSecret { secret: secret.encode(), until: None }],
            config_hash: None,
        };
        Ok((endpoint, secret))
    }
}

impl EndpointChangeBody {
    pub fn validate(self, rules: UrlRules) -> Result<EndpointChange, Error> {
        Ok(EndpointChange {
            url: self.url.map(|u| rules.check(&u)).transpose()?,
            event_types: self.event_types.map(event_types).transpose()?,
            description: self.description.map(|d| description(Some(d))).transpose()?.map(Option::unwrap_or_default),
            enabled: self.enabled,
        })
    }
}

impl EndpointChange {
    /// The endpoint after the change. Switching it on again starts its
    /// failure clock afresh.
    pub fn apply(&self, mut e: Endpoint, now: i64) -> Endpoint {
        if let Some(url) = &self.url {
            e.url = url.clone();
        }
        if let Some(types) = &self.event_types {
            e.event_types = types.clone();
        }
        if let Some(d) = &self.description {
            e.description = Some(d.clone()).filter(|d| !d.is_empty());
        }
        match self.enabled {
            Some(true) => {
                e.enabled = true;
                e.disabled_reason = None;
                e.failing_since = None;
            }
            Some(false) => {
                e.enabled = false;
                e.disabled_reason = Some("operator".into());
            }
            None => {}
        }
        e.updated_at = now;
        e
    }
}

/// One event on its way to one endpoint: a message of the webhook queue.
/// `body` is exactly what is signed and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub endpoint_id: String,
    /// The event's id: `webhook-id`.
    pub message_id: String,
    pub event_type: String,
    pub body: String,
}

/// The deliveries of `events` to the endpoints that want them, in order.
pub fn deliveries(endpoints: &[Endpoint], events: &[crate::events::Event]) -> Result<Vec<Delivery>, Error> {
    let mut out = Vec::new();
    for event in events {
        let wanting: Vec<&Endpoint> = endpoints.iter().filter(|e| e.wants(&event.kind)).collect();
        if wanting.is_empty() {
            continue;
        }
        let body = body(event)?;
        out.extend(wanting.into_iter().map(|e| Delivery {
            endpoint_id: e.id.clone(),
            message_id: event.id.clone(),
            event_type: event.kind.clone(),
            body: body.clone(),
        }));
    }
    Ok(out)
}

/// The id of the endpoint the deployment's configuration names (template
/// parameters `WebhookUrl`, `WebhookSecretId`, `WebhookEventTypes`).
pub const CONFIGURED_ID: &str = "0000000000000000000000WHK1";

/// The configured endpoint, from its URL, its secret and its comma-separated types.
pub fn configured(url: &str, secret: &str, types: &str, rules: UrlRules, now: i64) -> Result<Endpoint, String> {
    let secret = Secret::parse(secret.trim())
        .map_err(|_| "the webhook secret must be whsec_ and the base64 of 24 to 64 bytes".to_owned())?;
    let types: Vec<String> = types.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    let mut hash = Sha256::new();
    hash.update(format!("{url}\n{}\n{}", types.join(","), secret.encode()).as_bytes());
    let config_hash = Some(STANDARD.encode(hash.finalize()));
    Ok(Endpoint {
        id: CONFIGURED_ID.into(),
        url: rules.check(url).map_err(|e| e.public_message())?,
        event_types: event_types(types).map_err(|e| e.public_message())?,
        description: Some("from the deployment's configuration".into()),
        enabled: true,
        disabled_reason: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
        secrets: vec![StoredSecret { secret: secret.encode(), until: None }],
        config_hash,
    })
}

impl Endpoint {
    /// `stored` brought in line with the configuration in `self` (URL,
    /// types, secret; a new secret rotates, the old one signing a day more),
    /// or `None` when this configuration was applied already (what the
    /// operator changed since through the routes stays). Its state (on,
    /// off, failing) stays.
    pub fn update_of(&self, stored: &Endpoint, now: i64) -> Option<Endpoint> {
        if stored.config_hash == self.config_hash {
            return None;
        }
        let current = stored.secrets.iter().find(|s| s.until.is_none()).map(|s| s.secret.as_str());
        let wanted = self.secrets.first().map(|s| s.secret.as_str());
        let mut next = Endpoint {
            url: self.url.clone(),
            event_types: self.event_types.clone(),
            updated_at: now,
            config_hash: self.config_hash.clone(),
            ..stored.clone()
        };
        if current != wanted
            && let Some(secret) = wanted.and_then(|w| Secret::parse(w).ok())
        {
            next.secrets = stored.rotated(&secret, now);
        }
        Some(next)
    }
}

/// Whether an attempt may go ahead ([`crate::ports::Webhooks::claim_delivery`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This attempt holds the delivery until it records its outcome (or
    /// for [`CLAIM_SECS`], if it dies first).
    Got,
    /// The receiver already accepted this event.
    Delivered,
    /// Another copy is being attempted right now: try again later.
    Busy,
}

/// How long a claim holds: longer than an attempt can take.
pub const CLAIM_SECS: i64 = TIMEOUT_SECS as i64 + 15;

/// How one attempt ended, as the receiver answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub id: String,
    pub endpoint_id: String,
    /// The event's id (`webhook-id`).
    pub message_id: String,
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub delivered: bool,
    /// The receiver's HTTP status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Why it failed without an answer (timeout, connection refused, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub latency_ms: u64,
    pub at: i64,
    /// What happens next: `retry` (with `retryAt`), `parked` (dead-letter queue) or `done`.
    pub next: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<i64>,
}

/// An attempt as the service routes list it: times as RFC 3339.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView<'a> {
    pub id: &'a str,
    pub message_id: &'a str,
    pub event_type: &'a str,
    pub attempt: u32,
    pub delivered: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    pub latency_ms: u64,
    pub at: String,
    pub next: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<String>,
}

impl Attempt {
    pub fn view(&self) -> AttemptView<'_> {
        AttemptView {
            id: &self.id,
            message_id: &self.message_id,
            event_type: &self.event_type,
            attempt: self.attempt,
            delivered: self.delivered,
            status_code: self.status_code,
            error: self.error.as_deref(),
            latency_ms: self.latency_ms,
            at: crate::time::rfc3339(self.at),
            next: &self.next,
            retry_at: self.retry_at.map(crate::time::rfc3339),
        }
    }
}

/// A receiver accepted a delivery with a 2xx status; redirects and
/// everything else are failures.
pub fn accepted(status: u16) -> bool {
    (200..300).contains(&status)
}

/// After failed attempt number `attempt` (1-based): seconds until the next
/// one, or `None` when the schedule is spent and the delivery is parked.
pub fn retry_after(schedule: &[u32], attempt: u32) -> Option<u32> {
    schedule.get(usize::try_from(attempt).ok()?.checked_sub(1)?).copied()
}

/// What a failure at `now` does to its endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// The first failure since the last success: the clock starts.
    StartFailing,
    /// Still failing, not yet for long.
    KeepTrying,
    /// Every delivery has failed for `disable_after` seconds: switch it off.
    Disable,
}

pub fn after_failure(endpoint: &Endpoint, now: i64, disable_after: i64) -> AfterFailure {
    match endpoint.failing_since {
        None => AfterFailure::StartFailing,
        Some(since) if now - since >= disable_after => AfterFailure::Disable,
        Some(_) => AfterFailure::KeepTrying,
    }
}

/// The schedule from `INVITES_WEBHOOK_RETRY_SCHEDULE` (seconds, comma-separated; tests shorten it).
pub fn parse_schedule(text: &str) -> Result<Vec<u32>, String> {
    let out: Result<Vec<u32>, _> = text.split(',').map(|s| s.trim().parse::<u32>()).collect();
    match out {
        Ok(v) if !v.is_empty() && v.iter().all(|s| *s <= 43_200) => Ok(v),
        _ => {
            Err(format!("INVITES_WEBHOOK_RETRY_SCHEDULE: seconds, comma-separated, each at most 43200 (got {text:?})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(types: &[&str]) -> Endpoint {
        let (e, _) = NewEndpointBody {
            url: "https://hooks.example.com/invites".into(),
            event_types: types.iter().map(|t| t.to_string()).collect(),
            description: None,
        }
        .validate(UrlRules::default(), "ep".into(), 1_000)
        .unwrap();
        e
    }

    #[test]
    fn the_signature_is_standard_webhooks_v1() {
        // The example of the specification's reference libraries: secret,
        // id, timestamp and body give this signature.
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_rotation_signs_with_both_secrets_for_a_day() {
        let mut e = endpoint(&[]);
        let old = e.signing_secrets(0).unwrap();
        let new = Secret::generate();
        e.secrets = e.rotated(&new, 10_000);
        assert_eq!(e.signing_secrets(10_000).unwrap(), vec![new.clone(), old[0].clone()]);
        assert_eq!(e.signing_secrets(10_000 + ROTATION_OVERLAP).unwrap(), vec![new.clone()]);
        let sig = signature(&e.signing_secrets(10_001).unwrap(), "id", 1, "{}");
        assert_eq!(sig.split(' ').count(), 2, "{sig}");
        // A second rotation drops the oldest at once.
        let newest = Secret::generate();
        e.secrets = e.rotated(&newest, 20_000);
        assert_eq!(e.signing_secrets(20_000).unwrap(), vec![newest, new]);
    }

    #[test]
    fn secrets_are_whsec_and_24_to_64_bytes() {
        let s = Secret::generate();
        assert!(s.encode().starts_with("whsec_"));
        assert_eq!(Secret::parse(&s.encode()).unwrap(), s);
        assert!(Secret::parse("whsec_c2hvcnQ=").is_err(), "5 bytes");
        assert!(Secret::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err(), "no prefix");
        assert_eq!(format!("{s:?}"), "Secret(…)", "never in a log");
    }

    #[test]
    fn endpoints_want_their_types_also_while_off() {
        let all = endpoint(&[]);
        assert!(all.wants("invite.created") && all.wants("member.removed"));
        let some = endpoint(&["invite.accepted", "invite.accepted"]);
        assert_eq!(some.event_types, vec!["invite.accepted"], "duplicates dropped");
        assert!(some.wants("invite.accepted") && !some.wants("invite.created"));
        let off = EndpointChange { enabled: Some(false), ..Default::default() }.apply(all, 2_000);
        assert!(off.wants("invite.created"), "queued while off: parked, then redriven");
        assert_eq!((off.enabled, off.disabled_reason.as_deref()), (false, Some("operator")));
    }

    #[test]
    fn bad_registrations_are_refused() {
        let register = |url: &str, types: &[&str], allow_http| {
            NewEndpointBody {
                url: url.into(),
                event_types: types.iter().map(|t| t.to_string()).collect(),
                description: None,
            }
            .validate(UrlRules { allow_http }, "ep".into(), 0)
            .map(|_| ())
            .map_err(|e| e.code())
        };
        assert_eq!(register("http://hooks.example.com/x", &[], false), Err(Code::InvalidWebhookUrl));
        assert_eq!(register("http://127.0.0.1:9/x", &[], true), Ok(()));
        for url in [
            "",
            "hooks.example.com",
            "https://user:pw@hooks.example.com/",
            "https://h.example.com/#x",
            "ftp://h.example.com",
            "https://h .example.com",
        ] {
            assert_eq!(register(url, &[], true), Err(Code::InvalidWebhookUrl), "{url}");
        }
        for url in [
            "https://169.254.169.254/latest",
            "https://10.0.0.8/x",
            "https://[::1]:8443/x",
            "https://localhost/x",
            "https://[::ffff:192.168.1.1]/",
            "https://100.64.0.1/",
        ] {
            assert_eq!(register(url, &[], false), Err(Code::InvalidWebhookUrl), "{url}: not a public host");
        }
        assert_eq!(register("https://203.0.113.7:8443/hook", &[], false), Ok(()));
        let null = serde_json::from_str::<EndpointChangeBody>(r#"{"enabled": null}"#);
        assert!(null.is_err(), "no field is nullable");
        assert_eq!(register("https://h.example.com", &["invite.nope"], false), Err(Code::InvalidEventType));
        let long = "x".repeat(201);
        let change = EndpointChangeBody { description: Some(long), ..Default::default() };
        assert_eq!(change.validate(UrlRules::default()).map(|_| ()).map_err(|e| e.code()), Err(Code::InvalidRequest));
    }

    #[test]
    fn retries_follow_the_schedule_then_park() {
        assert_eq!(retry_after(&RETRY_SCHEDULE, 1), Some(5));
        assert_eq!(retry_after(&RETRY_SCHEDULE, 7), Some(36_000));
        assert_eq!(retry_after(&RETRY_SCHEDULE, 8), None, "eight attempts, then the dead-letter queue");
        assert_eq!(retry_after(&RETRY_SCHEDULE, 0), None);
        let total: u32 = RETRY_SCHEDULE.iter().sum();
        assert_eq!(total, 27 * 3600 + 35 * 60 + 5, "27 h 35 min 5 s from the first attempt to the last");
        assert_eq!(parse_schedule("1, 2,4"), Ok(vec![1, 2, 4]));
        assert!(parse_schedule("1,x").is_err() && parse_schedule("50000").is_err());
        assert!(accepted(200) && accepted(204) && !accepted(301) && !accepted(500) && !accepted(410));
    }

    #[test]
    fn the_configured_endpoint_follows_the_configuration_and_keeps_its_state() {
        let rules = UrlRules::default();
        let a = Secret::generate().encode();
        let wanted =
            configured("https://hooks.example.com/x", &a, "invite.accepted, member.joined", rules, 10).unwrap();
        assert_eq!((wanted.id.as_str(), wanted.event_types.len()), (CONFIGURED_ID, 2));
        assert!(configured("http://hooks.example.com", &a, "", rules, 0).is_err());
        assert!(configured("https://hooks.example.com", "whsec_x", "", rules, 0).is_err());
        assert!(configured("https://hooks.example.com", &a, "invite.nope", rules, 0).is_err());
        let mut stored = wanted.clone();
        stored.enabled = false;
        assert_eq!(wanted.update_of(&stored, 20), None, "nothing differs");
        stored.url = "https://changed-by-the-operator.example.com".into();
        assert_eq!(wanted.update_of(&stored, 20), None, "the same configuration is not applied again");
        let b = Secret::generate().encode();
        let rotated = configured("https://hooks.example.com/y", &b, "", rules, 30).unwrap();
        let next = rotated.update_of(&stored, 30).unwrap();
        assert_eq!(
            (next.url.as_str(), next.event_types.len(), next.enabled),
            ("https://hooks.example.com/y", 0, false)
        );
        assert_eq!(next.signing_secrets(31).unwrap().len(), 2, "the old secret signs a day more");
    }

    #[test]
    fn an_endpoint_failing_for_a_day_is_switched_off() {
        let mut e = endpoint(&[]);
        assert_eq!(after_failure(&e, 100, DISABLE_AFTER), AfterFailure::StartFailing);
        e.failing_since = Some(100);
        assert_eq!(after_failure(&e, 100 + DISABLE_AFTER - 1, DISABLE_AFTER), AfterFailure::KeepTrying);
        assert_eq!(after_failure(&e, 100 + DISABLE_AFTER, DISABLE_AFTER), AfterFailure::Disable);
        let on = EndpointChange { enabled: Some(true), ..Default::default() }.apply(e, 200);
        assert_eq!((on.enabled, on.failing_since), (true, None), "switched on again: the clock starts afresh");
    }
}
