//! A stand-in for the AWS Parameters and Secrets Lambda Extension: the
//! `GET /secretsmanager/get?secretId=…` route on loopback, answering only
//! callers that send the expected `X-Aws-Parameters-Secrets-Token`, so tests
//! and the bench run the functions' real key-reading path. It counts reads
//! and can change a secret (a rotation).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct SecretsExtension {
    pub port: u16,
    /// What a function must send as `X-Aws-Parameters-Secrets-Token`
    /// (Lambda gives it as `AWS_SESSION_TOKEN`).
    pub session_token: String,
    secrets: Arc<Mutex<HashMap<String, String>>>,
    reads: Arc<AtomicU64>,
}

impl SecretsExtension {
    pub async fn start(secrets: &[(&str, &str)]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let me = Self {
            port: listener.local_addr().unwrap().port(),
            session_token: format!("session-{}", std::process::id()),
            secrets: Arc::new(Mutex::new(secrets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())),
            reads: Arc::default(),
        };
        let server = me.clone();
        crate::local_http::serve(listener, move |req| {
            let s = server.clone();
            async move {
                let (status, body) = s.answer(&req.text());
                Some(crate::local_http::reply(status, &[("content-type", "application/json")], body))
            }
        });
        me
    }

    /// The variables a function needs to read through this stand-in.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", self.port.to_string()),
            ("AWS_SESSION_TOKEN", self.session_token.clone()),
        ]
    }

    /// Replaces a secret's value.
    pub fn set(&self, id: &str, value: &str) {
        self.secrets.lock().unwrap().insert(id.into(), value.into());
    }

    /// Secret reads answered so far.
    pub fn reads(&self) -> u64 {
        self.reads.load(Ordering::SeqCst)
    }

    fn answer(&self, head: &str) -> (u16, String) {
        let target = head.split_whitespace().nth(1).unwrap_or("");
        let token = head.lines().find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.trim().eq_ignore_ascii_case("x-aws-parameters-secrets-token").then(|| value.trim())
        });
        if token != Some(self.session_token.as_str()) {
            return (401, r#"{"message":"missing or wrong X-Aws-Parameters-Secrets-Token"}"#.into());
        }
        let Some(id) = target.strip_prefix("/secretsmanager/get?secretId=") else {
            return (400, r#"{"message":"unknown route"}"#.into());
        };
        let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned();
        match self.secrets.lock().unwrap().get(&id) {
            Some(value) => {
                self.reads.fetch_add(1, Ordering::SeqCst);
                (200, serde_json::json!({"Name": id, "SecretString": value}).to_string())
            }
            None => (400, r#"{"message":"ResourceNotFoundException"}"#.into()),
        }
    }
}
