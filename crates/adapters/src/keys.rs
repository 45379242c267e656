//! Where a function's link-signing keys come from.
//!
//! Deployed, the functions that mint or check links get only the keys'
//! Secrets Manager ids (`INVITES_TOKEN_KEY_SECRET`, after a rotation also
//! `INVITES_TOKEN_KEY_PREVIOUS_SECRET`) and read the keys once per sandbox
//! through the AWS Parameters and Secrets Lambda Extension, a local HTTP
//! server on `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` (2773). That needs no
//! Secrets Manager SDK crate, keeps the key out of the function's
//! configuration, and a changed secret reaches new sandboxes without a
//! deploy. The extension answers only once the function's init is over, so
//! the keys are read on the first request that needs them and kept; a failed
//! read fails that request (500, logged) and the next one tries again.
//!
//! Locally and in tests the keys can be given directly (`INVITES_TOKEN_KEY`,
//! `INVITES_TOKEN_KEY_PREVIOUS`, base64).

use crate::config::{ConfigError, number, optional};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use invites_domain::Error;
use invites_domain::token::{Keyring, TokenKey};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::time::Duration;
use tokio::sync::OnceCell;

/// The extension's default port.
const EXTENSION_PORT: u16 = 2773;
/// How long one read from the extension may take (it asks Secrets Manager
/// when its cache is cold).
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The keys of a function that mints or checks links.
#[derive(Debug)]
pub struct Keys {
    keyring: OnceCell<Keyring>,
    /// Set when the keys are read through the extension.
    extension: Option<Extension>,
}

struct Extension {
    port: u16,
    /// Sent as `X-Aws-Parameters-Secrets-Token` (Lambda's `AWS_SESSION_TOKEN`).
    session_token: String,
    current: String,
    previous: Option<String>,
}

impl std::fmt::Debug for Extension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extension").field("port", &self.port).field("current", &self.current).finish_non_exhaustive()
    }
}

fn key(name: &str, base64: &str) -> Result<TokenKey, String> {
    TokenKey::from_base64(base64).map_err(|e| format!("{name}: {e}"))
}

impl Keys {
    /// Keys known up front (tests, local runs).
    pub fn fixed(keyring: Keyring) -> Self {
        Self { keyring: OnceCell::new_with(Some(keyring)), extension: None }
    }

    /// Keys read through the extension on `port` from the secrets `current`
    /// (and `previous`) on first use.
    pub fn through_extension(port: u16, session_token: String, current: String, previous: Option<String>) -> Self {
        Self { keyring: OnceCell::new(), extension: Some(Extension { port, session_token, current, previous }) }
    }

    /// From the environment; `None` when no key is configured (functions
    /// that never see links). Mixing the two ways is refused.
    pub fn from_env() -> Result<Option<Self>, ConfigError> {
        let direct = (optional("INVITES_TOKEN_KEY"), optional("INVITES_TOKEN_KEY_PREVIOUS"));
        let secret = (optional("INVITES_TOKEN_KEY_SECRET"), optional("INVITES_TOKEN_KEY_PREVIOUS_SECRET"));
        match (direct, secret) {
            ((None, None), (None, None)) => Ok(None),
            ((Some(current), previous), (None, None)) => {
                let previous =
                    previous.map(|p| key("INVITES_TOKEN_KEY_PREVIOUS", &p)).transpose().map_err(ConfigError)?;
                let current = key("INVITES_TOKEN_KEY", &current).map_err(ConfigError)?;
                Ok(Some(Self::fixed(Keyring::new(current, previous).map_err(ConfigError)?)))
            }
            ((None, None), (Some(current), previous)) => {
                let port = number("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", EXTENSION_PORT, |_| true)?;
                if previous.as_ref() == Some(&current) {
                    return Err(ConfigError(
                        "INVITES_TOKEN_KEY_PREVIOUS_SECRET must name another secret than INVITES_TOKEN_KEY_SECRET"
                            .into(),
                    ));
                }
                let session_token = optional("AWS_SESSION_TOKEN").unwrap_or_default();
                Ok(Some(Self::through_extension(port, session_token, current, previous)))
            }
            ((None, Some(_)), _) | (_, (None, Some(_))) => {
                Err(ConfigError("a previous token key is set without the current one".into()))
            }
            _ => Err(ConfigError(
                "set either INVITES_TOKEN_KEY(_PREVIOUS) or INVITES_TOKEN_KEY(_PREVIOUS)_SECRET, not both".into(),
            )),
        }
    }

    /// The keyring, read through the extension the first time.
    pub async fn get(&self) -> Result<&Keyring, Error> {
        self.keyring
            .get_or_try_init(|| async {
                let ext = self.extension.as_ref().ok_or_else(|| Error::internal("no link signing key"))?;
                ext.keyring().await.map_err(|e| Error::internal(format!("reading the link signing key: {e}")))
            })
            .await
    }
}

impl Extension {
    async fn keyring(&self) -> Result<Keyring, String> {
        let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let current = key("INVITES_TOKEN_KEY_SECRET", &self.secret(&client, &self.current).await?)?;
        let previous = match &self.previous {
            Some(id) => Some(key("INVITES_TOKEN_KEY_PREVIOUS_SECRET", &self.secret(&client, id).await?)?),
            None => None,
        };
        Keyring::new(current, previous)
    }

    /// `GET /secretsmanager/get?secretId=…` with the sandbox's session token,
    /// which is how the extension knows the caller is this function.
    async fn secret(&self, client: &Client<HttpConnector, Empty<Bytes>>, id: &str) -> Result<String, String> {
        let uri = format!(
            "http://localhost:{}/secretsmanager/get?secretId={}",
            self.port,
            utf8_percent_encode(id, NON_ALPHANUMERIC)
        );
        let req = hyper::Request::get(uri)
            .header("X-Aws-Parameters-Secrets-Token", &self.session_token)
            .body(Empty::new())
            .map_err(|e| e.to_string())?;
        let read = async {
            let resp = client.request(req).await.map_err(|e| format!("the extension did not answer: {e}"))?;
            let status = resp.status();
            let body = resp.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>((status, body))
        };
        let (status, body) =
            tokio::time::timeout(READ_TIMEOUT, read).await.map_err(|_| "the extension did not answer in time")??;
        if !status.is_success() {
            // The body may say why (no permission, no such secret); it never
            // holds the secret itself.
            return Err(format!("the extension answered {status}: {}", String::from_utf8_lossy(&body).trim()));
        }
        #[derive(serde::Deserialize)]
        struct Secret {
            #[serde(rename = "SecretString")]
            secret_string: Option<String>,
        }
        let secret: Secret = serde_json::from_slice(&body).map_err(|_| "the extension's answer is not a secret")?;
        secret.secret_string.ok_or_else(|| "the secret has no SecretString".into())
    }
}
