//! The harness: a fresh table and queue per test on the local stack, the
//! real binaries under a Runtime API stand-in, and the worker and bus of a test.

use super::*;

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
        let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
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
            webhook_urls: invites_domain::webhooks::UrlRules { allow_http: true },
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
    /// The queued e-mails, one per invite: a bulk invite's `invites.send`
    /// message counts as each of its invites (`{"type": "invites.send",
    /// "resourceId", "inviteId", "sendId"}`). Takes them off the queue.
    pub async fn queued(&self) -> Vec<Value> {
        self.queued_messages()
            .await
            .into_iter()
            .flat_map(|m| match m["type"].as_str() {
                Some("invites.send") => m["invites"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| {
                        serde_json::json!({"v": m["v"], "type": m["type"], "resourceId": m["resourceId"],
                            "inviteId": i["inviteId"], "sendId": i["sendId"]})
                    })
                    .collect(),
                _ => vec![m],
            })
            .collect()
    }

    /// The queued messages as they are. Takes them off the queue.
    pub async fn queued_messages(&self) -> Vec<Value> {
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

pub(crate) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) fn ulid_like() -> String {
    invites_domain::ids::new_ulid().to_lowercase()
}

pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

pub const SENDER: &str = "invites@example.com";

/// A variable of the local stack's environment (an emulator's endpoint),
/// which `make test` sets.
pub fn stack(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: run the suite with `make test`"))
}

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
    /// A function binary under its own Runtime API, against this harness's
    /// table and queue, with its DynamoDB calls going to `dynamodb` (a proxy
    /// that injects faults or contends), the link key in its environment,
    /// and budgets that never get in a test's way.
    pub async fn function_through(&self, name: &str, dynamodb: &str) -> Function {
        self.function_through_with(name, dynamodb, Vec::new()).await
    }

    /// [`Harness::function_through`] with more of the function's environment
    /// (a role catalogue, say).
    pub async fn function_through_with(&self, name: &str, dynamodb: &str, more: Vec<(&str, String)>) -> Function {
        let mut vars = vec![
            ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.to_owned()),
            ("AWS_ENDPOINT_URL_SQS", std::env::var("AWS_ENDPOINT_URL_SQS").unwrap()),
            ("INVITES_TABLE", self.table.clone()),
            ("INVITES_QUEUE_URL", self.queue_url.clone()),
            ("INVITES_TOKEN_KEY", crate::TOKEN_KEY_B64.into()),
            ("INVITES_ACCEPT_URL", crate::ACCEPT_URL.into()),
            ("INVITES_SENDER", SENDER.into()),
            ("INVITES_SEAT_LIMIT", "1000".into()),
            ("INVITES_DAILY_INVITE_LIMIT", "1000".into()),
            ("INVITES_USER_DAILY_INVITE_LIMIT", "1000".into()),
        ];
        vars.extend(more);
        Function::start(name, vars).await
    }

    /// The mail worker wired to this harness's table and the SES emulator.
    pub async fn worker(&self) -> send_invite_email::Worker {
        let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
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
        let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
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

impl Harness {
    /// Hands this table's stream to a `publish-events` process, as Lambda's
    /// event source mapping does, until nothing new is left.
    pub async fn publish_stream(&self, publisher: &mut Function) {
        let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
        let mut reader = invites_devtools::streams::StreamReader::open(&sdk, &self.table, true).await.unwrap();
        let mut idle = 0;
        while idle < 3 {
            let n = reader.round(100, async |event: &Value| publisher.invoke(event).await).await.unwrap();
            idle = if n == 0 { idle + 1 } else { 0 };
        }
    }
}
