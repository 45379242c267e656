//! A local stand-in for API Gateway's JWT authorizer (`api-front
//! --jwt-issuer … --jwt-audience …`): it checks a bearer token's RS256
//! signature against the issuer's JWKS (from its discovery document), its
//! issuer, audience, expiry and not-before, and hands the claims on as
//! `requestContext.authorizer.jwt.claims`, strings as API Gateway gives
//! them, so the functions run their production auth code. A token that
//! fails answers 401 `{"message":"Unauthorized"}`, as the deployed API does.

use crate::BoxError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};
use tokio::sync::RwLock;

/// An RSA signing key of the issuer: its `kid`, modulus and exponent.
struct RsaKey {
    kid: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

pub struct JwtAuthorizer {
    issuer: String,
    audience: Vec<String>,
    client: reqwest::Client,
    /// The issuer's signing keys, fetched when a token names one not known yet.
    keys: RwLock<Vec<RsaKey>>,
}

impl JwtAuthorizer {
    pub fn new(issuer: String, audience: Vec<String>) -> Self {
        Self {
            issuer: issuer.trim_end_matches('/').to_owned(),
            audience,
            client: reqwest::Client::new(),
            keys: RwLock::new(Vec::new()),
        }
    }

    /// The claims of a valid `Bearer` token, or why it is refused.
    pub async fn claims(&self, authorization: Option<&str>, now: i64) -> Result<Map<String, Value>, String> {
        let token = authorization.and_then(|a| a.strip_prefix("Bearer ")).ok_or("no bearer token")?.trim();
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts[..] else { return Err("not a JWT".into()) };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| "bad base64url".to_owned());
        let header: Value = serde_json::from_slice(&decode(header)?).map_err(|_| "bad header")?;
        if header["alg"] != "RS256" {
            return Err(format!("alg {} is not RS256", header["alg"]));
        }
        let kid = header["kid"].as_str().ok_or("no kid")?.to_owned();
        let (n, e) = self.key(&kid).await.map_err(|e| format!("signing key {kid}: {e}"))?;
        let message = format!("{}.{}", parts[0], parts[1]);
        aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
            .verify(&aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256, message.as_bytes(), &decode(signature)?)
            .map_err(|_| "bad signature")?;
        let claims: Map<String, Value> = serde_json::from_slice(&decode(payload)?).map_err(|_| "bad payload")?;
        if claims.get("iss").and_then(Value::as_str).map(|i| i.trim_end_matches('/')) != Some(self.issuer.as_str()) {
            return Err("another issuer".into());
        }
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences.iter().any(|a| self.audience.iter().any(|ok| ok == a)) {
            return Err("another audience".into());
        }
        match claims.get("exp").and_then(Value::as_i64) {
            Some(exp) if exp > now => {}
            _ => return Err("expired".into()),
        }
        if claims.get("nbf").and_then(Value::as_i64).is_some_and(|nbf| nbf > now) {
            return Err("not yet valid".into());
        }
        if claims.get("iat").and_then(Value::as_i64).is_some_and(|iat| iat > now + 60) {
            return Err("issued in the future".into());
        }
        Ok(claims)
    }

    /// A key by id, fetching the issuer's JWKS when it is not known yet (keys rotate).
    async fn key(&self, kid: &str) -> Result<(Vec<u8>, Vec<u8>), BoxError> {
        let find = |keys: &[RsaKey]| keys.iter().find(|k| k.kid == kid).map(|k| (k.n.clone(), k.e.clone()));
        if let Some(found) = find(&self.keys.read().await) {
            return Ok(found);
        }
        let get = async |url: &str| -> Result<Value, BoxError> {
            Ok(serde_json::from_slice(&self.client.get(url).send().await?.bytes().await?)?)
        };
        let discovery = get(&format!("{}/.well-known/openid-configuration", self.issuer)).await?;
        let jwks_uri = discovery["jwks_uri"].as_str().ok_or("no jwks_uri")?;
        let jwks = get(jwks_uri).await?;
        let mut keys = Vec::new();
        for k in jwks["keys"].as_array().ok_or("no keys")? {
            if k["kty"] == "RSA" {
                let part = |name: &str| URL_SAFE_NO_PAD.decode(k[name].as_str().unwrap_or_default());
                keys.push(RsaKey {
                    kid: k["kid"].as_str().unwrap_or_default().to_owned(),
                    n: part("n")?,
                    e: part("e")?,
                });
            }
        }
        let found = find(&keys).ok_or("not in the issuer's JWKS")?;
        *self.keys.write().await = keys;
        Ok(found)
    }
}

/// Claims as API Gateway hands them to a function: every value a string
/// (`true`, `1767225600`), arrays as `[a b]`.
pub fn as_gateway_claims(claims: Map<String, Value>) -> Value {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned)).collect::<Vec<_>>().join(" ")
        ),
        other => other.to_string(),
    };
    Value::Object(claims.iter().map(|(k, v)| (k.clone(), Value::String(text(v)))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_reach_the_functions_as_strings_the_way_api_gateway_passes_them() {
        let claims = json!({"sub": "u1", "email_verified": true, "exp": 1767225600, "groups": ["a", "b"]});
        let passed = as_gateway_claims(claims.as_object().unwrap().clone());
        assert_eq!(passed, json!({"sub": "u1", "email_verified": "true", "exp": "1767225600", "groups": "[a b]"}));
    }

    #[tokio::test]
    async fn a_token_that_is_not_a_signed_rs256_jwt_is_refused_before_any_key_is_fetched() {
        let a = JwtAuthorizer::new("http://127.0.0.1:9".into(), vec!["web".into()]);
        assert_eq!(a.claims(None, 0).await.unwrap_err(), "no bearer token");
        assert_eq!(a.claims(Some("Bearer a.b"), 0).await.unwrap_err(), "not a JWT");
        let hs256 = format!("{}.{}.x", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode("{}"));
        assert!(a.claims(Some(&format!("Bearer {hs256}")), 0).await.unwrap_err().contains("not RS256"));
    }
}
