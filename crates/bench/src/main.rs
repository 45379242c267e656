//! `invites-bench` (run it with `make bench`): every function's release
//! binary under a minimal Lambda Runtime API, against DynamoDB Local, moto and
//! the SES emulator behind counting proxies. Prints a Markdown report.
//!
//! Per function: stripped binary size, init (process start → first
//! `/next`, interleaved with the floor's: `init`), first invocation, warm p50
//! / p99 over N invocations, peak RSS, AWS calls per warm request, and
//! handler overhead (warm latency minus the time spent waiting for AWS
//! answers). Then the mail worker's throughput on 1,000 invites in batches
//! of 10, concurrent vs sequential; a 100-entry bulk invite; how read cost
//! grows with a resource's history (`growth`); and the regression gate
//! against the committed baseline (`gate`).
//!
//! `BENCH_ONLY=init|growth|keys` runs one part only.

mod cold;
mod cpu;
mod gate;
mod growth;
mod init;
mod tls;

use invites_adapters::{Config, Store};
use invites_devtools::proxy::Proxy;
use invites_devtools::runtime_api::RuntimeApi;
use invites_devtools::secrets_extension::SecretsExtension;
use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::limits::Limits;
use invites_domain::ports::{CreateInvite, CreateInvites, Created, Resources};
use invites_domain::token::{Keyring, TokenKey};
use invites_domain::{Email, Identity, ResourceId};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOKEN_KEY: &str = "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktYmVuY2g=";
const OWNER: &str = "bench-owner";
const OWNER_EMAIL: &str = "owner@bench.example.com";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn event(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("events").join(format!("{name}.json"))).unwrap()).unwrap()
}

fn as_user(mut e: Value, sub: &str, email: &str) -> Value {
    e["requestContext"]["authorizer"] =
        json!({"jwt": {"claims": {"sub": sub, "email": email, "email_verified": "true"}, "scopes": null}});
    e
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[derive(Clone)]
struct Env {
    ddb: Proxy,
    sqs: Proxy,
    ses: Proxy,
    table: String,
    queue_url: String,
    /// When set, the functions read the link key through this stand-in for
    /// the Parameters and Secrets extension (as deployed) instead of the
    /// environment.
    secrets: Option<SecretsExtension>,
}

const KEY_SECRET: &str = "arn:aws:secretsmanager:us-east-1:000000000000:secret:invites/link-key-AbCdEf";

impl Env {
    fn vars(&self, api: &RuntimeApi) -> Vec<(String, String)> {
        let key = match &self.secrets {
            Some(ext) => [ext.env(), vec![("INVITES_TOKEN_KEY_SECRET", KEY_SECRET.into())]].concat(),
            None => vec![("INVITES_TOKEN_KEY", TOKEN_KEY.into())],
        };
        api.lambda_env("bench")
            .into_iter()
            .chain(key)
            .chain([
                ("AWS_ENDPOINT_URL_DYNAMODB", self.ddb.url.clone()),
                ("AWS_ENDPOINT_URL_SQS", self.sqs.url.clone()),
                ("AWS_ENDPOINT_URL_SESV2", self.ses.url.clone()),
                ("INVITES_TABLE", self.table.clone()),
                ("INVITES_QUEUE_URL", self.queue_url.clone()),
                ("INVITES_ACCEPT_URL", "https://app.example.com/invite".into()),
                ("INVITES_SENDER", "invites@example.com".into()),
                ("INVITES_SEAT_LIMIT", "10000".into()),
                ("INVITES_DAILY_INVITE_LIMIT", "100000".into()),
                ("INVITES_USER_DAILY_INVITE_LIMIT", "1000000".into()),
                ("INVITES_DEPLOYMENT_DAILY_EMAIL_LIMIT", "10000000".into()),
                ("INVITES_EVENT_BUS", "bench-events".into()),
                ("RUST_LOG", "warn".into()),
            ])
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn take_stats(&self) -> Taken {
        let (a, b, c) = (self.ddb.take(), self.sqs.take(), self.ses.take());
        let mut names = std::collections::BTreeMap::new();
        for s in [&a, &b, &c] {
            for (k, v) in &s.calls {
                *names.entry(k.clone()).or_insert(0) += v;
            }
        }
        Taken {
            calls: names.values().sum(),
            busy: a.busy + b.busy + c.busy,
            desc: names.iter().map(|(k, v)| format!("{k}×{v}")).collect::<Vec<_>>().join(", "),
            items_read: a.items_read,
        }
    }
}

/// The AWS calls since the last look.
struct Taken {
    calls: u64,
    /// Time spent waiting for their answers.
    busy: Duration,
    /// `name×count, …`
    desc: String,
    /// Items DynamoDB read for them.
    items_read: u64,
}

struct Row {
    name: String,
    size: u64,
    first: Duration,
    p50: Duration,
    p99: Duration,
    rss_kb: u64,
    calls: String,
    calls_n: u64,
    overhead_p50: Duration,
}

fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Starts the binary under a fresh Runtime API, with `extra` added to its
/// environment; returns it, the API and the init time (process start →
/// first `/next`).
async fn spawn(env: &Env, path: &Path, extra: &[(String, String)]) -> (tokio::process::Child, RuntimeApi, Duration) {
    spawn_with(env, path, &[], extra).await
}

/// [`spawn`] of a program with arguments (the peers: an interpreter and
/// their script).
async fn spawn_with(
    env: &Env,
    path: &Path,
    args: &[String],
    extra: &[(String, String)],
) -> (tokio::process::Child, RuntimeApi, Duration) {
    let api = RuntimeApi::start().await;
    let start = Instant::now();
    let mut child = tokio::process::Command::new(path)
        .args(args)
        .env_clear()
        .envs(env.vars(&api))
        .envs(extra.iter().cloned())
        // Its log and metric lines would fill the report (panics stay on stderr).
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let init = loop {
        if let Some(t) = api.first_next().await {
            break t - start;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{} stopped during init ({status}): is its configuration complete?", path.display());
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{} never asked for work", path.display());
        tokio::time::sleep(Duration::from_micros(100)).await;
    };
    (child, api, init)
}

async fn run_function(env: &Env, bin: &str, n: usize, mut next_event: impl FnMut(usize) -> Value) -> Row {
    let path = root().join("target/release").join(bin);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let (mut child, api, _) = spawn(env, &path, &[]).await;
    let pid = child.id().unwrap();
    env.take_stats();
    let first = api.invoke(next_event(0).to_string()).await;
    assert!(!first.error, "{bin} failed: {}", first.body);
    env.take_stats();
    let mut lat = Vec::with_capacity(n);
    let mut overhead = Vec::with_capacity(n);
    let (mut calls, mut calls_n) = (String::new(), 0);
    for i in 1..=n {
        let out = api.invoke(next_event(i).to_string()).await;
        assert!(!out.error, "{bin} failed: {}", out.body);
        if let Some(status) = serde_json::from_str::<Value>(&out.body).ok().and_then(|v| v["statusCode"].as_u64()) {
            assert!(status < 400, "{bin} answered {status}: {}", out.body);
        }
        let taken = env.take_stats();
        if i == n {
            (calls, calls_n) = (taken.desc, taken.calls);
        }
        lat.push(out.latency);
        overhead.push(out.latency.saturating_sub(taken.busy));
    }
    let rss_kb = peak_rss_kb(pid);
    let _ = child.kill().await;
    lat.sort();
    overhead.sort();
    Row {
        name: bin.into(),
        size,
        first: first.latency,
        p50: percentile(&lat, 0.5),
        p99: percentile(&lat, 0.99),
        rss_kb,
        calls: if calls.is_empty() { "–".into() } else { calls },
        calls_n,
        overhead_p50: percentile(&overhead, 0.5),
    }
}

/// Init and first request of `create-invite` with the key in the
/// environment and read through the extension stand-in, in interleaved cold
/// starts (so drift on the machine hits both alike); medians and spread.
async fn key_read_cost(env: &Env, create: &Value, starts: usize) {
    let path = root().join("target/release/create-invite");
    let with_extension =
        Env { secrets: Some(SecretsExtension::start(&[(KEY_SECRET, TOKEN_KEY)]).await), ..env.clone() };
    let mut samples = [(Vec::new(), Vec::new()), (Vec::new(), Vec::new())];
    for i in 0..starts {
        for (variant, env) in [env, &with_extension].into_iter().enumerate() {
            let (mut child, api, init) = spawn(env, &path, &[]).await;
            let mut e = create.clone();
            e["body"] =
                json!(json!({"email": format!("key{variant}-{i}@bench.example.com"), "role": "admin"}).to_string());
            let first = api.invoke(e.to_string()).await;
            assert!(!first.error, "{}", first.body);
            samples[variant].0.push(init);
            samples[variant].1.push(first.latency);
            let _ = child.kill().await;
        }
    }
    println!(
        "| create-invite, {starts} interleaved cold starts | init median (min–max) | first request median (min–max) |"
    );
    println!("| --- | ---: | ---: |");
    for (name, (inits, firsts)) in ["key in the environment", "key via the extension"].iter().zip(samples.iter_mut()) {
        inits.sort();
        firsts.sort();
        let spread = |v: &[Duration]| format!("{} ms ({}–{})", ms(percentile(v, 0.5)), ms(v[0]), ms(v[v.len() - 1]));
        println!("| {name} | {} | {} |", spread(inits), spread(firsts));
    }
}

async fn invites(store: &Store, rid: ResourceId, prefix: &str, count: usize) -> Vec<Created> {
    let owner = Identity {
        sub: OWNER.into(),
        email: Some(Email::parse(OWNER_EMAIL).unwrap()),
        email_verified: true,
        name: Some("Bench Owner".into()),
    };
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let body = NewInviteBody {
            email: format!("{prefix}{i}@bench.example.com"),
            role: "read_only".into(),
            ..Default::default()
        };
        let cmd = CreateInvite {
            rid,
            invite: NewInvite::validate(body, &Default::default()).unwrap(),
            idempotency_key: None,
        };
        out.push(store.create_invite(&owner, cmd, invites_domain::time::now()).await.unwrap());
    }
    out
}

fn sqs_event(messages: &[Value]) -> Value {
    json!({"Records": messages.iter().enumerate().map(|(i, m)| json!({
        "messageId": format!("m-{i}-{}", invites_domain::ids::new_ulid()),
        "receiptHandle": "r",
        "body": m.to_string(),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:bench",
        "awsRegion": "us-east-1"
    })).collect::<Vec<_>>()})
}

async fn worker_throughput(env: &Env, store: &Store, rid: ResourceId, concurrency: usize, total: usize) -> Duration {
    let run = invites_domain::ids::new_ulid().to_lowercase();
    let created = invites(store, rid, &format!("w{concurrency}-{run}-"), total).await;
    let messages: Vec<Value> =
        created.iter().map(|c| serde_json::to_value(c.message.as_ref().unwrap()).unwrap()).collect();
    let api = RuntimeApi::start().await;
    let mut child = tokio::process::Command::new(root().join("target/release/send-invite-email"))
        .env_clear()
        .envs(env.vars(&api))
        .env("INVITES_WORKER_CONCURRENCY", concurrency.to_string())
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    while api.first_next().await.is_none() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let start = Instant::now();
    for batch in messages.chunks(10) {
        let out = api.invoke(sqs_event(batch).to_string()).await;
        let v: Value = serde_json::from_str(&out.body).unwrap();
        assert!(v["batchItemFailures"].as_array().is_none_or(|a| a.is_empty()), "{}", out.body);
    }
    let took = start.elapsed();
    let _ = child.kill().await;
    took
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_INVOCATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let throughput_total: usize =
        std::env::var("BENCH_WORKER_INVITES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let upstream = |var: &str| std::env::var(var).unwrap_or_else(|_| panic!("{var} not set: run with `make bench`"));
    let env0 = (
        Proxy::start(&upstream("AWS_ENDPOINT_URL_DYNAMODB")).await,
        Proxy::start(&upstream("AWS_ENDPOINT_URL_SQS")).await,
        Proxy::start(&upstream("AWS_ENDPOINT_URL_SESV2")).await,
    );

    // Table and queue from template.yaml, straight on the emulators.
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let template = invites_devtools::load_template(&invites_devtools::template_path()).unwrap();
    let table = format!("bench-{}", invites_domain::ids::new_ulid().to_lowercase());
    invites_devtools::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &template, &table).await.unwrap();
    let queue_url = invites_devtools::create_queues(&aws_sdk_sqs::Client::new(&sdk), &template, &table).await.unwrap();
    let env = Env {
        ddb: env0.0,
        sqs: env0.1,
        ses: env0.2,
        table: table.clone(),
        queue_url: queue_url.clone(),
        secrets: None,
    };

    let limits = Limits {
        seat_limit: 10_000,
        daily_invites: 100_000,
        user_daily_invites: 1_000_000,
        deployment_daily_emails: 10_000_000,
        resources_per_owner: 1_000,
        retention_days: 30,
        ..Limits::default()
    };
    let config = Config {
        table: table.clone(),
        queue_url: Some(queue_url),
        keys: Some(std::sync::Arc::new(invites_adapters::keys::Keys::fixed(
            Keyring::new(TokenKey::from_base64(TOKEN_KEY).unwrap(), None).unwrap(),
        ))),
        accept_url: "https://app.example.com/invite".into(),
        redirect_origins: Default::default(),
        limits,
        webhook_urls: Default::default(),
    };
    let store = Store::from_config(&sdk, &config);
    let owner = Identity {
        sub: OWNER.into(),
        email: Some(Email::parse(OWNER_EMAIL).unwrap()),
        email_verified: true,
        name: None,
    };
    let view = store
        .create_resource(
            &owner,
            invites_domain::resource::NewResource { name: "Bench".into(), client_id: None, reminders: true },
            invites_domain::time::now(),
        )
        .await
        .unwrap();
    let rid_s = view.id.clone();
    let rid = ResourceId::parse(&rid_s).unwrap();
    eprintln!("bench: setting up invites...");
    let to_accept = invites(&store, rid, "acc", n + 1).await;
    let to_revoke = invites(&store, rid, "rev", n + 1).await;
    let to_mail = invites(&store, rid, "mail", n + 1).await;

    let owner_ev = |name: &str| as_user(event(name), OWNER, OWNER_EMAIL);
    let mut rows = Vec::new();
    let mut rows_init = None;
    let create = {
        let mut e = owner_ev("create-invite");
        e["pathParameters"]["rid"] = json!(rid_s);
        e["headers"].as_object_mut().unwrap().remove("idempotency-key");
        e
    };
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "keys" {
        key_read_cost(&env, &create, n.max(15)).await;
        return;
    }
    let mut figures = gate::Figures::default();
    if only.is_empty() || only == "cold" {
        cold_phase(&env, &store, rid, &owner_ev, &mut figures).await;
        if only == "cold" {
            return;
        }
    }
    if only.is_empty() || only == "init" {
        let inits = init_phase(&env).await;
        if only == "init" {
            return;
        }
        for f in FUNCTIONS {
            let size = std::fs::metadata(root().join("target/release").join(f)).map(|m| m.len()).unwrap_or(0);
            figures.size_mb.insert(f.to_string(), size as f64 / 1e6);
            figures.init_gap_ms.insert(f.to_string(), inits.gap_ms(f));
        }
        rows_init = Some(inits);
    }
    if only.is_empty() || only == "growth" {
        let sizes: Vec<usize> = std::env::var("BENCH_GROWTH")
            .unwrap_or_else(|_| "10,1000,10000".into())
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        let db = aws_sdk_dynamodb::Client::new(&sdk);
        let measures = growth::measure(&env, &store, &db, &table, &sizes).await;
        println!("### How read cost grows with a resource's history\n");
        growth::print(&measures, &sizes);
        println!();
        for m in &measures {
            figures.items_read.insert(format!("{} @ {}", m.page, m.history), m.items_read as f64);
        }
        let (took, calls) = bulk_invite(&env, &rid_s).await;
        println!(
            "Bulk invite, 100 entries in one request (create-invite, warm, median of 3): {} ms, {calls} AWS calls\n",
            ms(took)
        );
        figures.calls.insert("create-invite, bulk of 100".into(), calls as f64);
        if only == "growth" {
            return;
        }
    }
    eprintln!("bench: functions...");
    rows.push(run_function(&env, "hello-floor", n, |_| json!({})).await);
    let get = {
        let mut e = owner_ev("get-resource");
        e["pathParameters"]["rid"] = json!(rid_s);
        e
    };
    rows.push(run_function(&env, "resources", n, |_| get.clone()).await);
    let new_invite = |tag: &'static str| {
        let create = &create;
        move |i: usize| {
            let mut e = create.clone();
            e["body"] = json!(json!({"email": format!("{tag}{i}@bench.example.com"), "role": "admin"}).to_string());
            e
        }
    };
    rows.push(run_function(&env, "create-invite", n, new_invite("new")).await);
    // The same function reading its key as deployed: through the extension,
    // on its first request.
    let with_extension =
        Env { secrets: Some(SecretsExtension::start(&[(KEY_SECRET, TOKEN_KEY)]).await), ..env.clone() };
    let mut row = run_function(&with_extension, "create-invite", n, new_invite("ext")).await;
    row.name = "create-invite, key via extension".into();
    rows.push(row);
    let list = {
        let mut e = owner_ev("list-invites");
        e["pathParameters"]["rid"] = json!(rid_s);
        e["queryStringParameters"] = json!({"limit": "50"});
        e["rawQueryString"] = json!("limit=50");
        e
    };
    rows.push(run_function(&env, "list-invites", n, |_| list.clone()).await);
    let accept = event("accept-invite");
    rows.push(
        run_function(&env, "accept-invite", n, |i| {
            let mut e = as_user(accept.clone(), &format!("acc-user-{i}"), &format!("acc{i}@bench.example.com"));
            e["body"] = json!(json!({"token": to_accept[i].token}).to_string());
            e
        })
        .await,
    );
    let revoke = {
        let mut e = owner_ev("revoke-invite");
        e["pathParameters"]["rid"] = json!(rid_s);
        e
    };
    rows.push(
        run_function(&env, "revoke-invite", n, |i| {
            let mut e = revoke.clone();
            e["pathParameters"]["id"] = json!(to_revoke[i].invite.id);
            e
        })
        .await,
    );
    let link = {
        let mut e = owner_ev("copy-invite-link");
        e["pathParameters"]["rid"] = json!(rid_s);
        e["pathParameters"]["id"] = json!(to_mail[0].invite.id);
        e["rawPath"] = json!(format!("/v1/resources/{rid_s}/invites/{}/link", to_mail[0].invite.id));
        e
    };
    rows.push(run_function(&env, "manage-invite", n, |_| link.clone()).await);
    let members = {
        let mut e = owner_ev("list-members");
        e["pathParameters"]["rid"] = json!(rid_s);
        e
    };
    rows.push(run_function(&env, "members", n, |_| members.clone()).await);
    let mine = owner_ev("my-resources");
    rows.push(run_function(&env, "me", n, |_| mine.clone()).await);
    rows.push(
        run_function(&env, "send-invite-email", n, |i| {
            sqs_event(&[serde_json::to_value(to_mail[i].message.as_ref().unwrap()).unwrap()])
        })
        .await,
    );

    eprintln!("bench: worker throughput...");
    let sequential = worker_throughput(&env, &store, rid, 1, throughput_total).await;
    let concurrent = worker_throughput(&env, &store, rid, 10, throughput_total).await;
    // The same with a region's network wait added to every AWS call.
    let latency =
        Duration::from_millis(std::env::var("BENCH_LATENCY_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(10));
    eprintln!("bench: worker throughput with {} ms per AWS call...", latency.as_millis());
    for p in [&env.ddb, &env.sqs, &env.ses] {
        p.set_delay(latency);
    }
    let latency_total = 200;
    let mut with_latency = Vec::new();
    for c in [1, 2, 5, 10] {
        with_latency.push((c, worker_throughput(&env, &store, rid, c, latency_total).await));
    }
    for p in [&env.ddb, &env.sqs, &env.ses] {
        p.set_delay(Duration::ZERO);
    }

    let inits = rows_init.expect("init measured");
    println!("### Every binary\n");
    println!(
        "| function | stripped size | init (median of {INIT_ROUNDS}, interleaved) | gap to floor | ÷ floor | first call | warm p50 | warm p99 | handler overhead p50 | peak RSS | AWS calls per warm request |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in &rows {
        // The floor, and the rows of the init run (not the key-via-extension one).
        let init = match r.name.as_str() {
            "hello-floor" => format!("{} | – | 1.0×", inits.floor.spread()),
            name => match inits.each.get(name) {
                Some(f) => format!("{} | {:+.2} ms | {:.1}×", f.spread(), inits.gap_ms(name), inits.ratio(name)),
                None => "– | – | –".into(),
            },
        };
        println!(
            "| {} | {:.2} MB | {init} | {} ms | {} ms | {} ms | {} ms | {:.1} MB | {} |",
            r.name,
            r.size as f64 / 1e6,
            ms(r.first),
            ms(r.p50),
            ms(r.p99),
            ms(r.overhead_p50),
            r.rss_kb as f64 / 1024.0,
            r.calls
        );
        if r.name != "hello-floor" && !r.name.contains(',') {
            figures.calls.insert(r.name.clone(), r.calls_n as f64);
        }
    }
    println!();
    println!(
        "Worker, {throughput_total} invites in batches of 10 (SES emulator): sequential {:.2} s ({:.0}/s), concurrent (10) {:.2} s ({:.0}/s), ratio {:.1}×",
        sequential.as_secs_f64(),
        throughput_total as f64 / sequential.as_secs_f64(),
        concurrent.as_secs_f64(),
        throughput_total as f64 / concurrent.as_secs_f64(),
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    println!();
    println!(
        "Worker with {} ms added to every AWS call, {latency_total} invites in batches of 10:",
        latency.as_millis()
    );
    println!();
    println!("| INVITES_WORKER_CONCURRENCY | time | e-mails/s per worker instance | vs 1 |");
    println!("| ---: | ---: | ---: | ---: |");
    let base = with_latency[0].1.as_secs_f64();
    for (c, took) in &with_latency {
        println!(
            "| {c} | {:.2} s | {:.0} | {:.1}× |",
            took.as_secs_f64(),
            latency_total as f64 / took.as_secs_f64(),
            base / took.as_secs_f64()
        );
    }
    println!("\n{n} warm invocations per function.\n");
    println!("### Regression gate\n");
    if !figures.check() {
        std::process::exit(1);
    }
}

/// Every function `make bench` builds (scripts/bench.sh), for init and size.
const FUNCTIONS: &[&str] = &[
    "resources",
    "create-invite",
    "list-invites",
    "accept-invite",
    "revoke-invite",
    "manage-invite",
    "members",
    "me",
    "team-links",
    "domains",
    "send-invite-email",
    "delivery-events",
    "sweep-invites",
    "publish-events",
];

/// Interleaved rounds of cold starts (`BENCH_INIT_ROUNDS`).
const INIT_ROUNDS: usize = 15;

/// Init of every function, and of `create-invite` with each trust store and
/// as built before the init work, in one interleaved run.
async fn init_phase(env: &Env) -> init::Inits {
    use init::Start;
    let rounds = std::env::var("BENCH_INIT_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(INIT_ROUNDS);
    let empty = std::env::temp_dir().join("invites-bench-no-certs");
    std::fs::create_dir_all(&empty).unwrap();
    let empty = empty.to_string_lossy().to_string();
    let mut starts: Vec<Start> = FUNCTIONS.iter().map(|f| Start::release(f)).collect();
    starts.push(
        Start::release("create-invite")
            .with("create-invite, system roots (bundle and folder)", &[("INVITES_TRUST_STORE", "system")]),
    );
    starts.push(Start::release("create-invite").with(
        "create-invite, system roots, bundle only",
        &[
            ("INVITES_TRUST_STORE", "system"),
            ("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"),
            ("SSL_CERT_DIR", &empty),
        ],
    ));
    // Lambda sets AWS_LAMBDA_FUNCTION_NAME; empty, the SDK's usual chains
    // run (profile files, region and credential providers in turn).
    starts.push(
        Start::release("create-invite")
            .with("create-invite, the SDK's default chains", &[("AWS_LAMBDA_FUNCTION_NAME", "")]),
    );
    starts.push(Start::release("hello-floor-logs").with("hello-floor with the JSON log subscriber", &[]));
    starts.push(
        Start::release("hello-floor-sdk")
            .with("hello-floor with the log subscriber, the SDK and a DynamoDB client", &[]),
    );
    let before = root().join("target/release/create-invite.before");
    if before.exists() {
        starts.push(Start { label: "create-invite as built before (5f1f233)".into(), path: before, env: Vec::new() });
    }
    eprintln!("bench: init, {rounds} interleaved rounds of {} binaries and the floor...", starts.len());
    let inits = init::interleaved(env, &starts, rounds).await;
    println!("### Init, interleaved with the floor ({rounds} rounds)\n");
    inits.print(&starts, rounds);
    println!();
    inits
}

/// A 100-entry bulk invite through the warm `create-invite`: median of 3.
async fn bulk_invite(env: &Env, rid: &str) -> (Duration, u64) {
    let (mut child, api, _) = spawn(env, &root().join("target/release/create-invite"), &[]).await;
    let mut took = Vec::new();
    let mut calls = 0;
    for round in 0..4 {
        let mut e = as_user(event("create-invite-batch"), OWNER, OWNER_EMAIL);
        e["pathParameters"]["rid"] = json!(rid);
        e["rawPath"] = json!(format!("/v1/resources/{rid}/invites/batch"));
        e["headers"]["idempotency-key"] = json!(format!("bulk-{round}-{}", invites_domain::ids::new_ulid()));
        let entries: Vec<Value> = (0..100)
            .map(|i| json!({"email": format!("bulk{round}-{i}@bench.example.com"), "role": "read_only"}))
            .collect();
        e["body"] = json!(json!({ "invites": entries }).to_string());
        env.take_stats();
        let out = api.invoke(e.to_string()).await;
        let status = serde_json::from_str::<Value>(&out.body).ok().and_then(|v| v["statusCode"].as_u64());
        assert!(!out.error && status.is_some_and(|s| s < 300), "bulk: {}", out.body);
        // The first round warms the process up.
        if round > 0 {
            took.push(out.latency);
            calls = env.take_stats().calls;
        }
    }
    let _ = child.kill().await;
    took.sort();
    (percentile(&took, 0.5), calls)
}

/// The cold request of every HTTP function and of the worker's first batch
/// under the 128 MB CPU model over TLS, the Node and Python peers beside
/// them, each lever, and the memory sizes, in one interleaved run
/// (`BENCH_COLD_ROUNDS`, default 5).
async fn cold_phase(
    env: &Env,
    store: &Store,
    rid: ResourceId,
    owner_ev: &dyn Fn(&str) -> Value,
    figures: &mut gate::Figures,
) {
    use cold::Case;
    use std::cell::Cell;
    let rounds: usize = std::env::var("BENCH_COLD_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let rid_s = rid.to_string();
    let ca = tls::Ca::make(&std::env::temp_dir().join(format!("invites-bench-tls-{}", std::process::id())));
    let sqs = ca.front(&env.sqs.url).await;
    // The queue's URL on the TLS front too (the Node SDK sends to the
    // queue URL's host when it differs from the endpoint).
    let queue_path = env.queue_url.splitn(4, '/').nth(3).unwrap_or_default();
    let mut over_tls = vec![
        ("AWS_ENDPOINT_URL_DYNAMODB".to_owned(), ca.front(&env.ddb.url).await),
        ("AWS_ENDPOINT_URL_SESV2".to_owned(), ca.front(&env.ses.url).await),
        ("INVITES_QUEUE_URL".to_owned(), format!("{sqs}/{queue_path}")),
        ("AWS_ENDPOINT_URL_SQS".to_owned(), sqs),
    ];
    over_tls.extend(ca.trust_env());
    // Invites that the cold requests consume, one per request.
    let per_case = rounds * (1 + 5);
    eprintln!("bench: cold requests, setting up invites...");
    let to_accept = invites(store, rid, "cold-acc", per_case).await;
    let to_revoke = invites(store, rid, "cold-rev", per_case).await;
    let to_mail = invites(store, rid, "cold-mail", per_case * 10).await;
    let (accepted, revoked, mailed) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let take = |c: &Cell<usize>| {
        let k = c.get();
        c.set(k + 1);
        k
    };
    let on_rid = |name: &str, tail: &str| {
        let mut e = owner_ev(name);
        e["pathParameters"]["rid"] = json!(rid_s);
        e["rawPath"] = json!(format!("/v1/resources/{rid_s}{tail}"));
        e
    };
    let create = on_rid("create-invite", "/invites");
    let new_invite = |i: usize| {
        let mut e = create.clone();
        e["headers"].as_object_mut().unwrap().remove("idempotency-key");
        e["body"] = json!(json!({"email": format!("cold{i}@bench.example.com"), "role": "admin"}).to_string());
        e
    };
    let accept = event("accept-invite");
    let accept_one = |_: usize| {
        let k = take(&accepted);
        let mut e = as_user(accept.clone(), &format!("cold-acc-{k}"), &format!("cold-acc{k}@bench.example.com"));
        e["body"] = json!(json!({"token": to_accept[k].token}).to_string());
        e
    };
    let peer_accept = |i: usize| {
        let mut e = as_user(accept.clone(), &format!("peer-acc-{i}"), &format!("peer-acc{i}@bench.example.com"));
        e["body"] = json!(json!({"token": format!("peer-token-{i}")}).to_string());
        e
    };
    let revoke = on_rid("revoke-invite", "/invites");
    let list = on_rid("list-invites", "/invites");
    let link = {
        let mut e = on_rid("copy-invite-link", "");
        e["pathParameters"]["id"] = json!(to_mail[0].invite.id);
        e
    };
    let (members, team_links, domains) =
        (on_rid("list-members", "/members"), on_rid("list-team-links", "/links"), on_rid("list-domains", "/domains"));
    let mine = owner_ev("my-resources");
    let release = |bin: &str| root().join("target/release").join(bin);
    let fixed = |e: Value| move |_: usize| e.clone();
    fn tls<'a>(over_tls: &[(String, String)]) -> impl Fn(Case<'a>) -> Case<'a> + '_ {
        move |c| c.env(over_tls)
    }
    let tls = tls(&over_tls);
    let mut cases = vec![
        tls(Case::new("resources (create-resource)", release("resources"), 128, |i| {
            let mut e = as_user(
                event("create-resource"),
                &format!("cold-owner-{i}"),
                &format!("cold-owner{i}@bench.example.com"),
            );
            e["body"] = json!(json!({"name": format!("Cold {i}")}).to_string());
            e
        })),
        tls(Case::new("create-invite", release("create-invite"), 128, new_invite)),
        tls(Case::new("list-invites", release("list-invites"), 128, fixed(list))),
        tls(Case::new("accept-invite", release("accept-invite"), 128, accept_one)),
        tls(Case::new("revoke-invite", release("revoke-invite"), 128, |_| {
            let mut e = revoke.clone();
            e["pathParameters"]["id"] = json!(to_revoke[take(&revoked)].invite.id);
            e
        })),
        tls(Case::new("manage-invite (copy link)", release("manage-invite"), 128, fixed(link))),
        tls(Case::new("members (list)", release("members"), 128, fixed(members))),
        tls(Case::new("me (my resources)", release("me"), 128, fixed(mine))),
        tls(Case::new("team-links (list)", release("team-links"), 128, fixed(team_links))),
        tls(Case::new("domains (list)", release("domains"), 128, fixed(domains))),
        tls(Case::new("send-invite-email (a batch of 10)", release("send-invite-email"), 128, |_| {
            let batch: Vec<Value> = (0..10)
                .map(|_| serde_json::to_value(to_mail[take(&mailed)].message.as_ref().unwrap()).unwrap())
                .collect();
            sqs_event(&batch)
        })),
    ];
    let http_functions = cases.len() - 1;
    // The peers: the same AWS calls as create-invite and accept-invite.
    let node = which("node");
    let peer_node = root().join("bench/peers/node/peer.mjs").to_string_lossy().into_owned();
    let python = root().join(".local/venv/bin/python");
    let peer_python = root().join("bench/peers/python/peer.py").to_string_lossy().into_owned();
    let node_ca = [("NODE_EXTRA_CA_CERTS".to_owned(), ca.ca_file())];
    let python_ca = [("AWS_CA_BUNDLE".to_owned(), ca.ca_file())];
    let peers = [
        ("Node 20 peer, create-invite", node.clone(), peer_node.clone(), "create-invite", &node_ca),
        ("Node 20 peer, accept-invite", node, peer_node, "accept-invite", &node_ca),
        ("Python 3.11 peer, create-invite", python.clone(), peer_python.clone(), "create-invite", &python_ca),
        ("Python 3.11 peer, accept-invite", python, peer_python, "accept-invite", &python_ca),
    ];
    for (label, program, script, op, trust) in peers {
        let make = if op == "create-invite" {
            Box::new(new_invite) as Box<dyn Fn(usize) -> Value>
        } else {
            Box::new(peer_accept)
        };
        cases.push(tls(Case::new(label, program, 128, make).args(&[&script, op]).env(trust)));
    }
    // The levers, each on create-invite at 128 MB.
    let no_prime = [("INVITES_PRIME_ON_INIT".to_owned(), "false".to_owned())];
    let jitter = root().join("target/bench-jitter/release/create-invite");
    let mut levers = vec![("create-invite", "as built: no jitter entropy, connection opened in init")];
    cases.push(tls(Case::new(LEVER_NO_PRIME, release("create-invite"), 128, new_invite).env(&no_prime)));
    levers.push((LEVER_NO_PRIME, "connection opened on the first request"));
    cases.push(Case::new(LEVER_PLAIN, release("create-invite"), 128, new_invite).env(&no_prime));
    levers.push((
        LEVER_PLAIN,
        "no TLS (plain HTTP), opened on the first request: the handshake's cost is the row above minus this one",
    ));
    if jitter.exists() {
        cases.push(tls(Case::new(LEVER_JITTER, jitter.clone(), 128, new_invite)));
        levers.push((LEVER_JITTER, "with aws-lc's jitter entropy, connection opened in init"));
        cases.push(tls(Case::new(LEVER_BEFORE, jitter, 128, new_invite).env(&no_prime)));
        levers.push((LEVER_BEFORE, "with jitter entropy, opened on the first request: as built before this round"));
    } else {
        eprintln!(
            "bench: no target/bench-jitter/release/create-invite: the entropy lever is left out (scripts/bench.sh builds it)"
        );
    }
    // Connection reuse after a pause: the environment frozen, the service
    // closing connections idle for 2 s (as DynamoDB does after about 60 s).
    let closing = Duration::from_secs(2);
    let sqs_closing = ca.front_closing_idle(&env.sqs.url, Some(closing)).await;
    let mut closing_idle = vec![
        ("AWS_ENDPOINT_URL_DYNAMODB".to_owned(), ca.front_closing_idle(&env.ddb.url, Some(closing)).await),
        ("AWS_ENDPOINT_URL_SESV2".to_owned(), ca.front_closing_idle(&env.ses.url, Some(closing)).await),
        ("INVITES_QUEUE_URL".to_owned(), format!("{sqs_closing}/{queue_path}")),
        ("AWS_ENDPOINT_URL_SQS".to_owned(), sqs_closing),
    ];
    closing_idle.extend(ca.trust_env());
    let idle_timeout = |secs: u64| [("INVITES_HTTP_IDLE_TIMEOUT_SECS".to_owned(), secs.to_string())];
    let pauses = [
        (PAUSE_SHORT, 1, 50, "1 s: shorter than the service's idle timeout", "50 s (as built)"),
        (PAUSE_FRESH, 3, 1, "3 s: longer than the service's", "1 s: below the service's (as built, scaled)"),
        (
            PAUSE_STALE,
            3,
            90,
            "3 s: longer than the service's",
            "90 s: above the service's (hyper's default, as before)",
        ),
    ];
    for (label, pause, client, _, _) in pauses {
        let case = Case::new(label, release("create-invite"), 128, new_invite);
        cases.push(case.env(&closing_idle).env(&idle_timeout(client)).pause(Duration::from_secs(pause)));
    }
    // The memory sizes.
    let mut sizes = vec![(128, "create-invite".to_owned())];
    for mb in [256, 512, cpu::FULL_VCPU_MB] {
        let label = format!("create-invite at {mb} MB");
        cases.push(tls(Case::new(&label, release("create-invite"), mb, new_invite)));
        sizes.push((mb, label));
    }

    let measured = cold::measure(env, &ca, &cases, rounds).await;
    println!("### The cold request: 128 MB's CPU share after init, over TLS ({rounds} interleaved rounds)\n");
    cold::print(&cases[..http_functions + 1 + 4], &measured);
    println!();
    for (ours, peer_a, peer_b) in [
        ("create-invite", "Node 20 peer, create-invite", "Python 3.11 peer, create-invite"),
        ("accept-invite", "Node 20 peer, accept-invite", "Python 3.11 peer, accept-invite"),
    ] {
        let faster = measured[peer_a].cold.median.min(measured[peer_b].cold.median);
        println!(
            "{ours}: cold request {} ms, the faster peer's {} ms: **{:.1}× faster**  ",
            ms(measured[ours].cold.median),
            ms(faster),
            faster.as_secs_f64() / measured[ours].cold.median.as_secs_f64()
        );
    }
    println!("\n### The levers, each measured in the same run (create-invite, 128 MB)\n");
    println!("| lever | init | first request | cold request | warm |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (key, what) in &levers {
        let m = &measured[*key];
        println!("| {what} | {} | {} | {} | {} |", m.init.spread(), m.first.spread(), m.cold.spread(), m.warm.spread());
    }
    println!("\n### Where the first and the warm request went (medians)\n");
    cold::print_breakdown(&cases[..http_functions + 1 + 4], &measured);
    println!(
        "\n### A request after a pause, the process frozen meanwhile (create-invite, 128 MB; the service closes connections idle for {} s)\n",
        closing.as_secs()
    );
    println!(
        "| pause | the client's idle timeout | the request after the pause | connections it opened (median) | warm, before the pause |"
    );
    println!("| --- | --- | ---: | ---: | ---: |");
    for (label, _, _, pause, client) in pauses {
        let m = &measured[label];
        let after = m.after_pause.as_ref().unwrap().spread();
        println!("| {pause} | {client} | {after} | {} | {} |", m.after_pause_connections, m.warm.spread());
    }
    println!("\n### Memory size: latency and cost (create-invite)\n");
    cold::print_memory("create-invite", &sizes, &measured);
    println!();
    for c in &cases[..http_functions + 1] {
        let m = &measured[&c.label];
        figures.cold_ms.insert(c.label.clone(), m.cold.median.as_secs_f64() * 1000.0);
        figures.warm_quota_ms.insert(c.label.clone(), m.warm.median.as_secs_f64() * 1000.0);
        figures.cold_own_ms.insert(c.label.clone(), m.cold_own.median.as_secs_f64() * 1000.0);
    }
}

const LEVER_NO_PRIME: &str = "create-invite, not primed";
const LEVER_PLAIN: &str = "create-invite, plain HTTP, not primed";
const LEVER_JITTER: &str = "create-invite, jitter entropy";
const LEVER_BEFORE: &str = "create-invite, jitter entropy, not primed";
const PAUSE_SHORT: &str = "create-invite, a short pause";
const PAUSE_FRESH: &str = "create-invite, a long pause, idle timeout below the service's";
const PAUSE_STALE: &str = "create-invite, a long pause, idle timeout above the service's";

/// A program on the `PATH`, by absolute path (the cases run with an empty
/// environment).
fn which(program: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on the PATH"))
}
