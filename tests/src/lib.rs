//! Test support: a fresh table and queue per test on the local stack that
//! `make test` starts, and API Gateway events built from `events/*.json`.

use invites_adapters::keys::Keys;
use invites_adapters::{Config, Queue, Store};
use invites_domain::limits::Limits;
pub use invites_domain::ports::*;
use invites_domain::redirect::RedirectOrigins;
use invites_domain::token::{Keyring, TokenKey};
use invites_http::{ApiResult, AppState, Auth, respond};
use lambda_http::Body;
use serde_json::{Value, json};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

pub const TOKEN_KEY_B64: &str = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXk=";
pub const ACCEPT_URL: &str = "https://app.example.test/invite";
/// The one origin the tests' deployment allows as a `redirectUrl`.
pub const REDIRECT_ORIGIN: &str = "https://app.example.test";

fn require_stack() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok(),
        "the local AWS stack is not running: run the suite with `make test`"
    );
}

pub struct Harness {
    pub api: AppState,
    pub table: String,
    pub queue_url: String,
    pub sqs: aws_sdk_sqs::Client,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_limits(Limits::default()).await
    }

    /// A new table (from template.yaml) and queue with unique names.
    pub async fn with_limits(limits: Limits) -> Self {
        require_stack();
        invites_runtime::logging::init();
        let sdk = invites_adapters::sdk_config().await;
        let template = invites_devtools::load_template(&invites_devtools::template_path()).unwrap();
        let name = format!("t-{}", ulid_like());
        let db = aws_sdk_dynamodb::Client::new(&sdk);
        invites_devtools::create_table(&db, &template, &name).await.unwrap();
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let queue_url = invites_devtools::create_queues(&sqs, &template, &name).await.unwrap();
        let config = Config {
            table: name.clone(),
            queue_url: Some(queue_url.clone()),
            keys: Some(Arc::new(Keys::fixed(
                Keyring::new(TokenKey::from_base64(TOKEN_KEY_B64).unwrap(), None).unwrap(),
            ))),
            accept_url: ACCEPT_URL.into(),
            redirect_origins: RedirectOrigins::parse(REDIRECT_ORIGIN).unwrap(),
            limits,
        };
        let api = AppState {
            store: Store::from_config(&sdk, &config),
            queue: Some(Queue::new(&sdk, queue_url.clone())),
            auth: Auth::Authorizer(Vec::new()),
            config,
        };
        Self { api, table: name, queue_url, sqs }
    }

    pub fn store(&self) -> &Store {
        &self.api.store
    }

    /// Bodies of the messages waiting on the queue (received and left there).
    pub async fn queued(&self) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let r = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .visibility_timeout(30)
                .send()
                .await
                .unwrap();
            let msgs = r.messages.unwrap_or_default();
            if msgs.is_empty() {
                return out;
            }
            out.extend(msgs.iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()));
        }
    }

    /// Every item of the table (to prove that bad requests change nothing).
    pub async fn dump(&self) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let out = self.api.store.client().scan().table_name(&self.table).send().await.unwrap();
        let mut items = out.items.unwrap_or_default();
        items.sort_by_key(|i| format!("{:?}{:?}", i.get("PK"), i.get("SK")));
        items
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ulid_like() -> String {
    invites_domain::ids::new_ulid().to_lowercase()
}

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// An API Gateway HTTP API (payload 2.0) event from `events/`, to adjust.
#[derive(Clone)]
pub struct Req(pub Value);

impl Req {
    pub fn event(name: &str) -> Self {
        let text = std::fs::read_to_string(events_dir().join(format!("{name}.json"))).unwrap();
        Self(serde_json::from_str(&text).unwrap())
    }

    /// Claims as the JWT authorizer passes them; `email` is verified.
    pub fn user(self, sub: &str, email: &str) -> Self {
        self.claims(json!({"sub": sub, "email": email, "email_verified": "true", "name": format!("User {sub}")}))
    }

    pub fn claims(mut self, claims: Value) -> Self {
        self.0["requestContext"]["authorizer"] = json!({"jwt": {"claims": claims, "scopes": null}});
        self
    }

    pub fn anonymous(mut self) -> Self {
        if let Some(rc) = self.0["requestContext"].as_object_mut() {
            rc.remove("authorizer");
        }
        self
    }

    pub fn path(mut self, key: &str, value: &str) -> Self {
        self.0["pathParameters"][key] = json!(value);
        self
    }

    pub fn query(mut self, key: &str, value: &str) -> Self {
        if !self.0["queryStringParameters"].is_object() {
            self.0["queryStringParameters"] = json!({});
        }
        self.0["queryStringParameters"][key] = json!(value);
        self.sync_raw_query()
    }

    pub fn no_query(mut self) -> Self {
        self.0["queryStringParameters"] = json!({});
        self.sync_raw_query()
    }

    /// Keeps `rawQueryString` in step with `queryStringParameters`.
    fn sync_raw_query(mut self) -> Self {
        let raw = self.0["queryStringParameters"]
            .as_object()
            .map(|q| {
                q.iter()
                    .map(|(k, v)| format!("{k}={}", percent(v.as_str().unwrap_or_default())))
                    .collect::<Vec<_>>()
                    .join("&")
            })
            .unwrap_or_default();
        self.0["rawQueryString"] = json!(raw);
        self
    }

    pub fn body(self, body: Value) -> Self {
        self.raw_body(&body.to_string())
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.0["body"] = json!(body);
        self
    }

    pub fn header(mut self, key: &str, value: &str) -> Self {
        self.0["headers"][key] = json!(value);
        self
    }

    pub fn without_header(mut self, key: &str) -> Self {
        if let Some(h) = self.0["headers"].as_object_mut() {
            h.remove(key);
        }
        self
    }

    pub fn build(&self) -> lambda_http::Request {
        lambda_http::request::from_str(&self.0.to_string()).expect("a valid API Gateway event")
    }
}

/// Status, headers and JSON body of a response.
pub struct Resp {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
}

/// Runs a handler on a request exactly as the function's runtime loop does.
pub async fn call<'a, F, Fut>(handler: F, api: &'a AppState, req: &Req) -> Resp
where
    F: FnOnce(&'a AppState, lambda_http::Request) -> Fut,
    Fut: Future<Output = ApiResult>,
{
    let resp = respond(handler(api, req.build()).await);
    let body = match resp.body() {
        Body::Text(t) => serde_json::from_str(t).unwrap_or(Value::String(t.clone())),
        Body::Binary(b) => serde_json::from_slice(b).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    Resp { status: resp.status().as_u16(), headers: resp.headers().clone(), body }
}

/// The owner of a fresh resource, used by most tests.
pub const OWNER: (&str, &str) = ("user-owner", "owner@example.com");

/// Registers a resource as [`OWNER`] and returns its id.
pub async fn new_resource(h: &Harness) -> String {
    let r = call(resources::handle, &h.api, &Req::event("create-resource").user(OWNER.0, OWNER.1)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Invites `email` with `role` as `(sub, email)`; returns the response.
pub async fn invite(h: &Harness, rid: &str, by: (&str, &str), email: &str, role: &str) -> Resp {
    let req = Req::event("create-invite")
        .user(by.0, by.1)
        .path("rid", rid)
        .without_header("idempotency-key")
        .body(json!({"email": email, "role": role}));
    call(create_invite::handle, &h.api, &req).await
}

/// The token inside an invite URL from a create response.
pub fn token_of(created: &Resp) -> String {
    let url = created.body["url"].as_str().expect("url in create response");
    url.split("token=").nth(1).unwrap().to_owned()
}

pub async fn accept(h: &Harness, token: &str, sub: &str, email: &str) -> Resp {
    let req = Req::event("accept-invite").user(sub, email).body(json!({ "token": token }));
    call(accept_invite::handle, &h.api, &req).await
}

pub async fn lookup(h: &Harness, token: &str) -> Resp {
    call(accept_invite::handle, &h.api, &Req::event("lookup-invite").body(json!({ "token": token }))).await
}

/// Invites `email` as `role` and has `sub` accept it; returns the invite id.
pub async fn add_member(h: &Harness, rid: &str, sub: &str, email: &str, role: &str) -> String {
    let created = invite(h, rid, OWNER, email, role).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let r = accept(h, &token_of(&created), sub, email).await;
    assert_eq!(r.status, 200, "{}", r.body);
    created.body["invite"]["id"].as_str().unwrap().to_owned()
}

pub async fn seats_used(h: &Harness, rid: &str) -> u64 {
    let get = Req::event("get-resource").user(OWNER.0, OWNER.1).path("rid", rid);
    call(resources::handle, &h.api, &get).await.body["seats"]["used"].as_u64().unwrap()
}

pub const SENDER: &str = "invites@example.com";

/// A debug build of a function's binary (make test builds them first).
pub fn binary(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/debug").join(name);
    assert!(path.exists(), "{} is missing: `cargo build --workspace` first (make test does)", path.display());
    path
}

/// A function's real binary under its own Lambda Runtime API, with only
/// what Lambda gives a process plus `vars` in its environment.
pub struct Function {
    pub child: tokio::process::Child,
    pub api: invites_devtools::runtime_api::RuntimeApi,
}

impl Function {
    pub async fn start(name: &str, vars: Vec<(&str, String)>) -> Self {
        let api = invites_devtools::runtime_api::RuntimeApi::start().await;
        let child = tokio::process::Command::new(binary(name))
            .env_clear()
            .envs(api.lambda_env(name))
            .envs(vars)
            .env("RUST_LOG", "error")
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        while api.first_next().await.is_none() {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        Self { child, api }
    }

    /// Invokes it; `None` when the process died meanwhile.
    pub async fn invoke(&mut self, event: &Value) -> Option<Value> {
        tokio::select! {
            out = self.api.invoke(event.to_string()) => Some(serde_json::from_str(&out.body).unwrap()),
            _ = self.child.wait() => None,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or_default()
    }
}

impl Harness {
    /// The mail worker wired to this harness's table and the SES emulator.
    pub async fn worker(&self) -> send_invite_email::Worker {
        let sdk = invites_adapters::sdk_config().await;
        send_invite_email::Worker::new(
            &sdk,
            self.api.config.clone(),
            send_invite_email::Channel::Ses(invites_adapters::Mailer::new(&sdk, SENDER.into(), None)),
            send_invite_email::render::Renderer::default(),
        )
    }

    /// An event bus for this harness's table (`<table>-events`, on moto) and
    /// the queue its one rule fills: (bus name, queue URL).
    pub async fn event_bus(&self) -> (String, String) {
        let sdk = invites_adapters::sdk_config().await;
        let bus = format!("{}-events", self.table);
        let seen =
            invites_devtools::create_event_bus(&aws_sdk_eventbridge::Client::new(&sdk), &self.sqs, &bus).await.unwrap();
        (bus, seen)
    }

    /// Takes the waiting queue messages off the queue as one SQS event.
    pub async fn take_batch(&self) -> aws_lambda_events::event::sqs::SqsEvent {
        let r = self.sqs.receive_message().queue_url(&self.queue_url).max_number_of_messages(10).send().await.unwrap();
        let mut event = aws_lambda_events::event::sqs::SqsEvent::default();
        for m in r.messages.unwrap_or_default() {
            let mut msg = aws_lambda_events::event::sqs::SqsMessage::default();
            msg.message_id = m.message_id.clone();
            msg.body = m.body.clone();
            msg.receipt_handle = m.receipt_handle.clone();
            event.records.push(msg);
        }
        event
    }
}

/// `GET` over plain HTTP/1.1 on loopback; returns the body.
pub async fn http_get(url: &str) -> String {
    invites_devtools::local_http::request("GET", url, &[], None).await.unwrap().body
}

/// E-mails the SES emulator holds for `to`.
pub async fn inbox(to: &str) -> Vec<Value> {
    let base = std::env::var("INVITES_SES_INBOX_URL").expect("SES emulator URL");
    let store: Value = serde_json::from_str(&http_get(&format!("{base}/store")).await).unwrap();
    store["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["destination"]["to"].as_array().is_some_and(|a| a.iter().any(|x| x == to)))
        .cloned()
        .collect()
}

/// A unique address, so tests sharing one SES emulator never see each other's mail.
pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", ulid_like())
}

/// A stand-in for SES that answers with scripted errors (then 200s), to
/// check how the worker treats throttling and refusals through the real SDK.
pub struct FaultySes {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl FaultySes {
    /// `script`: (HTTP status, SES error type) per request, in order.
    pub async fn start(script: Vec<(u16, &'static str)>) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = requests.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let step = script.get(n).copied();
                tokio::spawn(async move {
                    // Read the request head and body (content-length) before answering.
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    loop {
                        let Ok(read) = stream.read(&mut chunk).await else { return };
                        if read == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..read]);
                        if invites_devtools::local_http::framed(&buf).is_some() {
                            break;
                        }
                    }
                    let (status, kind, body) = match step {
                        Some((status, kind)) => (status, kind, format!(r#"{{"message":"injected {kind}"}}"#)),
                        None => (200, "", r#"{"MessageId":"fake-message-id"}"#.to_string()),
                    };
                    let reason = if status == 200 { "OK" } else { "Error" };
                    let error_header =
                        if kind.is_empty() { String::new() } else { format!("x-amzn-ErrorType: {kind}\r\n") };
                    let resp = format!(
                        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n{error_header}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(resp.as_bytes()).await;
                });
            }
        });
        Self { url, requests }
    }

    pub fn mailer(&self) -> invites_adapters::Mailer {
        let sdk_conf = aws_sdk_sesv2::config::Builder::new()
            .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
            .region(aws_sdk_sesv2::config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sesv2::config::Credentials::new("local", "local", None, None, "test"))
            .endpoint_url(&self.url)
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::standard().with_max_attempts(1))
            .build();
        invites_adapters::Mailer::from_client(aws_sdk_sesv2::Client::from_conf(sdk_conf), SENDER.into(), None)
    }
}

/// A sample SES event from `events/` (an SNS record), aimed at one sent invite.
pub fn ses_event(sample: &str, rid: &str, iid: &str, message_id: &str) -> String {
    let path = events_dir().join(format!("{sample}.json"));
    let event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut msg: Value = serde_json::from_str(event["Records"][0]["Sns"]["Message"].as_str().unwrap()).unwrap();
    msg["mail"]["messageId"] = json!(message_id);
    msg["mail"]["tags"]["resourceId"] = json!([rid]);
    msg["mail"]["tags"]["inviteId"] = json!([iid]);
    msg.to_string()
}

/// `POST …/resend` as the owner.
pub async fn resend(h: &Harness, rid: &str, iid: &str, body: Value) -> Resp {
    let req = Req::event("resend-invite").user(OWNER.0, OWNER.1).path("rid", rid).path("id", iid).body(body);
    call(manage_invite::handle, &h.api, &req).await
}

/// Invites `email` as read-only as [`OWNER`], with `extra` fields in the
/// body (locale, message, reminder, …); asserts 201.
pub async fn invite_to(h: &Harness, rid: &str, email: &str, extra: Value) -> Resp {
    let mut body = json!({"email": email, "role": "read_only"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let req = Req::event("create-invite")
        .user(OWNER.0, OWNER.1)
        .path("rid", rid)
        .without_header("idempotency-key")
        .body(body);
    let r = call(create_invite::handle, &h.api, &req).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r
}
