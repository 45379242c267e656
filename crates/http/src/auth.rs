//! Who is calling.
//!
//! In AWS the HTTP API JWT authorizer has already checked the token; the
//! claims (`sub`, `email`, `email_verified`, `name`) arrive in the request
//! context and are trusted as they are.
//!
//! Locally there is no authorizer. Setting `INVITES_DEV_AUTH_SECRET` turns on
//! dev mode: the function itself checks an HS256 JWT from the
//! `Authorization: Bearer` header against that secret (see [`dev_token`]).
//! template.yaml never sets the variable, and start-up logs a warning.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use invites_domain::error::Code;
use invites_domain::{Email, Error, Identity};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::HashMap;

pub const DEV_SECRET_ENV: &str = "INVITES_DEV_AUTH_SECRET";
/// The `scope` of a dev token that may call the service routes locally.
pub const DEV_SERVICE_SCOPE: &str = "invites:service";
/// Comma-separated ARN prefixes of the principals that may call the service
/// routes (e.g. `arn:aws:sts::123456789012:assumed-role/billing/`); unset:
/// any principal IAM lets through.
pub const SERVICE_PRINCIPALS_ENV: &str = "INVITES_SERVICE_PRINCIPALS";

#[derive(Clone)]
pub enum Auth {
    /// Trust the API Gateway JWT authorizer's claims, and on the service
    /// routes IAM principals starting with one of these prefixes (none: any).
    Authorizer(Vec<String>),
    /// Local development: verify HS256 bearer tokens with this secret.
    Dev(Vec<u8>),
}

impl Auth {
    /// Reads the mode once at cold start.
    pub fn from_env() -> Self {
        match std::env::var(DEV_SECRET_ENV) {
            Ok(secret) if !secret.is_empty() => {
                tracing::warn!(
                    "DEV AUTH MODE: {DEV_SECRET_ENV} is set, bearer tokens are checked with a local \
                     secret instead of the API Gateway JWT authorizer. Never set it in AWS."
                );
                Self::Dev(secret.into_bytes())
            }
            _ => Self::Authorizer(
                std::env::var(SERVICE_PRINCIPALS_ENV)
                    .unwrap_or_default()
                    .split(',')
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
            ),
        }
    }

    /// The caller, or 401.
    pub fn identity(&self, req: &Request) -> Result<Identity, Error> {
        let claims = match self {
            Self::Authorizer(_) => authorizer_claims(req),
            Self::Dev(secret) => dev_claims(req, secret),
        }
        .ok_or(Error::Unauthenticated)?;
        identity_from_claims(&claims).ok_or(Error::Unauthenticated)
    }

    /// The calling service on a service route (`/v1/service/…`): the IAM
    /// principal whose SigV4 signature API Gateway checked (`AWS_IAM`
    /// authorization), or locally a dev token with the service scope. An end
    /// user's token never passes: 403 `service_only`. With
    /// `INVITES_SERVICE_PRINCIPALS` set, only principals it names pass.
    pub fn service(&self, req: &Request) -> Result<String, Error> {
        let not_a_service = || {
            Error::forbidden(Code::ServiceOnly, "this route is for the operator's backend, with IAM-signed requests")
        };
        match self {
            Self::Authorizer(allowed) => match iam_principal(req) {
                Some(p) if allowed.is_empty() || allowed.iter().any(|entry| principal_allowed(&p, entry)) => Ok(p),
                Some(_) => Err(not_a_service()),
                // An end user's token: known, but not a service.
                None if authorizer_claims(req).is_some() => Err(not_a_service()),
                None => Err(Error::Unauthenticated),
            },
            Self::Dev(secret) => match dev_claims(req, secret) {
                Some(c) if c.get("scope").is_some_and(|s| s == DEV_SERVICE_SCOPE) => {
                    c.get("sub").map(|s| format!("dev:{s}")).ok_or_else(not_a_service)
                }
                Some(_) => Err(not_a_service()),
                None => Err(Error::Unauthenticated),
            },
        }
    }
}

/// Whether an IAM principal's ARN is one `INVITES_SERVICE_PRINCIPALS`
/// allows: the entry itself, or below it at a path boundary (`…/billing`
/// and `…/billing/` allow `…/billing/session`, never `…/billing-admin/…`).
fn principal_allowed(principal: &str, entry: &str) -> bool {
    match principal.strip_prefix(entry) {
        Some(rest) => rest.is_empty() || entry.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

fn iam_principal(req: &Request) -> Option<String> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => {
            let iam = ctx.authorizer.as_ref()?.iam.as_ref()?;
            iam.user_arn.clone().or_else(|| iam.caller_id.clone()).filter(|p| !p.is_empty())
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn authorizer_claims(req: &Request) -> Option<HashMap<String, String>> {
    match req.request_context_ref()? {
        RequestContext::ApiGatewayV2(ctx) => ctx.authorizer.as_ref()?.jwt.as_ref().map(|j| j.claims.clone()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn identity_from_claims(claims: &HashMap<String, String>) -> Option<Identity> {
    let sub = claims.get("sub").map(|s| s.trim()).filter(|s| !s.is_empty() && s.len() <= 256)?;
    // An unparseable e-mail claim just means "no usable e-mail".
    let email = claims.get("email").and_then(|e| Email::parse(e).ok());
    let email_verified = claims.get("email_verified").is_some_and(|v| v == "true");
    // Shown to invitees in e-mails and on screens: one plain line.
    let name = claims
        .get("name")
        .map(|n| invites_domain::text::one_line(n).chars().take(200).collect::<String>())
        .filter(|n| !n.is_empty());
    Some(Identity { sub: sub.to_owned(), email, email_verified, name })
}

fn hs256(secret: &[u8], signing_input: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    mac
}

fn dev_claims(req: &Request, secret: &[u8]) -> Option<HashMap<String, String>> {
    let header = req.headers().get("authorization")?.to_str().ok()?;
    let token = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer "))?.trim();
    verify_dev_token(token, secret, invites_domain::time::now())
}

/// Checks an HS256 JWT and returns its claims as the authorizer would pass
/// them (every value as a string).
pub fn verify_dev_token(token: &str, secret: &[u8], now: i64) -> Option<HashMap<String, String>> {
    if token.len() > 4096 {
        return None;
    }
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header.get("alg")?.as_str()? != "HS256" {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    hs256(secret, &format!("{h}.{p}")).verify_slice(&sig).ok()?;
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    let exp = payload.get("exp").and_then(Value::as_i64)?;
    if exp <= now {
        return None;
    }
    let claims = payload
        .as_object()?
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
        .collect();
    Some(claims)
}

/// Signs a dev token (HS256) for local use and tests.
pub fn dev_token(secret: &[u8], sub: &str, email: Option<&str>, name: Option<&str>, ttl_secs: i64) -> String {
    let mut payload = json!({
        "sub": sub,
        "exp": invites_domain::time::now() + ttl_secs,
        "iss": "invites-dev",
    });
    if let Some(email) = email {
        payload["email"] = json!(email);
        payload["email_verified"] = json!(true);
    }
    if let Some(name) = name {
        payload["name"] = json!(name);
    }
    sign_dev(secret, &payload)
}

/// A dev token for the service routes (what IAM signing is in AWS).
pub fn dev_service_token(secret: &[u8], service: &str, ttl_secs: i64) -> String {
    let payload = json!({
        "sub": service,
        "scope": DEV_SERVICE_SCOPE,
        "exp": invites_domain::time::now() + ttl_secs,
        "iss": "invites-dev",
    });
    sign_dev(secret, &payload)
}

fn sign_dev(secret: &[u8], payload: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let sig = hs256(secret, &format!("{header}.{payload}")).finalize().into_bytes();
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(sig))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_service_principal_is_allowed_only_at_a_path_boundary() {
        let entry = "arn:aws:sts::123456789012:assumed-role/billing";
        assert!(super::principal_allowed(entry, entry));
        assert!(super::principal_allowed("arn:aws:sts::123456789012:assumed-role/billing/session-1", entry));
        assert!(!super::principal_allowed("arn:aws:sts::123456789012:assumed-role/billing-admin/session-1", entry));
        let slash = "arn:aws:sts::123456789012:assumed-role/billing/";
        assert!(super::principal_allowed("arn:aws:sts::123456789012:assumed-role/billing/s", slash));
        assert!(!super::principal_allowed("arn:aws:sts::123456789012:assumed-role/billing-admin/s", slash));
        assert!(!super::principal_allowed("arn:aws:sts::123456789012:assumed-role/bill", entry));
    }

    use super::*;

    #[test]
    fn dev_token_round_trip() {
        let t = dev_token(b"s3cret", "user-1", Some("A@Example.com"), Some("Ann"), 60);
        let claims = verify_dev_token(&t, b"s3cret", invites_domain::time::now()).unwrap();
        let id = identity_from_claims(&claims).unwrap();
        assert_eq!(id.sub, "user-1");
        assert_eq!(id.email.unwrap().as_str(), "a@example.com");
        assert!(id.email_verified);
        assert_eq!(id.name.as_deref(), Some("Ann"));
    }

    #[test]
    fn wrong_secret_expired_or_tampered_tokens_fail() {
        let now = invites_domain::time::now();
        let t = dev_token(b"s3cret", "u", None, None, 60);
        assert!(verify_dev_token(&t, b"other", now).is_none());
        assert!(verify_dev_token(&t, b"s3cret", now + 120).is_none());
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin","exp":9999999999}"#);
        parts[1] = &forged;
        assert!(verify_dev_token(&parts.join("."), b"s3cret", now).is_none());
        let none_alg = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#), forged);
        assert!(verify_dev_token(&none_alg, b"s3cret", now).is_none());
    }

    #[test]
    fn claims_without_sub_are_not_an_identity() {
        let mut c = HashMap::new();
        c.insert("email".to_string(), "a@b.co".to_string());
        assert!(identity_from_claims(&c).is_none());
        c.insert("sub".to_string(), "u".to_string());
        c.insert("email_verified".to_string(), "false".to_string());
        let id = identity_from_claims(&c).unwrap();
        assert!(!id.email_verified);
        assert!(id.verified_email().is_none());
    }
}
