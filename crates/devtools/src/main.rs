//! `invites-dev`: local development helper (`invites-dev --help`).

use clap::{Parser, Subcommand};
use invites_devtools::{
    BoxError, create_event_bus, create_queues, create_table, load_template, replay, take_events, template_path,
};

#[derive(Parser)]
#[command(name = "invites-dev", about = "Local development helper for the invites service")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a dev token (HS256, checked by the functions' dev auth).
    Token {
        #[arg(long)]
        sub: String,
        /// A verified e-mail claim.
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 12 * 3600)]
        ttl: i64,
        /// A token for the service routes (/v1/service/…) instead, as the
        /// operator's backend (IAM-signed requests in AWS); --sub names it.
        #[arg(long)]
        service: bool,
    },
    /// Create the table, the queues and the event bus ($INVITES_EVENT_BUS)
    /// from template.yaml on the local stack; prints the mail queue URL.
    Init,
    /// What Lambda's triggers do, through `cargo lambda watch`: SQS -> mail
    /// worker and the table's stream -> event publisher (event source
    /// mappings), and the sweep every few seconds (the scheduler).
    Pump {
        /// Seconds between sweeps (0: no sweep).
        #[arg(long, default_value_t = 15)]
        sweep_every: u64,
    },
    /// Show the mail dead-letter queue (invite ids, receive counts), and with
    /// --redrive move its messages back to the mail queue. Locally it finds
    /// the queues itself; deployed, pass the stack outputs MailQueueUrl and
    /// MailDeadLetterQueueUrl (with AWS credentials in the environment).
    Dlq {
        /// Move every message back to the mail queue.
        #[arg(long)]
        redrive: bool,
        /// The mail queue (default: $INVITES_QUEUE_URL).
        #[arg(long)]
        queue_url: Option<String>,
        /// The dead-letter queue (default: the mail queue's URL + "-dlq", as created locally).
        #[arg(long)]
        dlq_url: Option<String>,
    },
    /// Print (and take) the lifecycle events published on the local bus
    /// since the last call, one JSON object per line.
    Events,
    /// The local API's front door (where API Gateway stands when deployed):
    /// forwards to `cargo lambda watch`, except requests whose body is not
    /// UTF-8, which go to the function as the base64-encoded event API
    /// Gateway would make.
    ApiFront {
        /// The port to listen on (127.0.0.1).
        #[arg(long)]
        port: u16,
        /// `cargo lambda watch`'s address, e.g. http://127.0.0.1:9001.
        #[arg(long)]
        watch: String,
        /// Check tokens as API Gateway's JWT authorizer does, against this
        /// OpenID Connect issuer (its discovery document and JWKS), and hand
        /// the functions the claims; they then run without dev auth.
        #[arg(long)]
        jwt_issuer: Option<String>,
        /// The audiences (client ids) the authorizer accepts.
        #[arg(long, value_delimiter = ',')]
        jwt_audience: Vec<String>,
    },
    /// Check a role catalogue as a function's start does (every problem
    /// named, exit 1), and time reading it (the cold start's share).
    Roles {
        /// The catalogue file (default: the checked-in config/roles.json).
        #[arg(default_value = "config/roles.json")]
        file: std::path::PathBuf,
    },
    /// Replay a sample event (events/NAME.json) against `make dev`, signed with
    /// a dev token for the claims it carries; prints the function's answer.
    Invoke {
        /// The sample's name (create-invite) or a path to an event file.
        event: String,
    },
}

fn env(name: &str) -> Result<String, BoxError> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through `make dev` or scripts/stack.sh)").into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    match Cli::parse().command {
        Command::Roles { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let catalogue = invites_domain::role::Catalogue::parse(&text)?;
            // Read and checked once per cold start: the median of many reads.
            let mut took: Vec<std::time::Duration> = (0..201)
                .map(|_| {
                    let at = std::time::Instant::now();
                    std::hint::black_box(invites_domain::role::Catalogue::parse(std::hint::black_box(&text)).ok());
                    at.elapsed()
                })
                .collect();
            took.sort();
            println!(
                "{}: {} roles ({}), valid; read and checked in {:.1} µs (median of {})",
                file.display(),
                catalogue.roles.len(),
                catalogue.ids().collect::<Vec<_>>().join(", "),
                took[took.len() / 2].as_secs_f64() * 1e6,
                took.len()
            );
        }
        Command::Token { sub, email, name, ttl, service } => {
            let secret = env(invites_http::auth::DEV_SECRET_ENV)?;
            if service {
                println!("{}", invites_http::dev_service_token(secret.as_bytes(), &sub, ttl));
            } else {
                println!(
                    "{}",
                    invites_http::dev_token(secret.as_bytes(), &sub, email.as_deref(), name.as_deref(), ttl)
                );
            }
        }
        Command::ApiFront { port, watch, jwt_issuer, jwt_audience } => {
            let manifest = std::fs::read_to_string(template_path().with_file_name("Cargo.toml"))?;
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let template = load_template(&template_path())?;
            let log = invites_devtools::api_front::AccessLog::from_template(&template)?;
            let authorizing = match jwt_issuer {
                Some(issuer) if jwt_audience.is_empty() => {
                    return Err(format!("--jwt-issuer {issuer} needs --jwt-audience").into());
                }
                Some(issuer) => Some(invites_devtools::api_front::Authorizing {
                    authorizer: invites_devtools::jwt_authorizer::JwtAuthorizer::new(issuer, jwt_audience),
                    routes: invites_devtools::api_front::route_auth(&template),
                }),
                None => None,
            };
            let routes = invites_devtools::api_front::routes(&manifest)?;
            invites_devtools::api_front::start(listener, watch, routes, log, authorizing);
            std::future::pending::<()>().await;
        }
        Command::Init => {
            let template = load_template(&template_path())?;
            let sdk = invites_adapters::sdk_config().await?;
            let table = env("INVITES_TABLE")?;
            let db = aws_sdk_dynamodb::Client::new(&sdk);
            match db.describe_table().table_name(&table).send().await {
                Err(_) => create_table(&db, &template, &table).await?,
                // Kept from before the table had a stream (lifecycle events): add it.
                Ok(d) if d.table().and_then(|t| t.latest_stream_arn()).is_none() => {
                    let spec = aws_sdk_dynamodb::types::StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(aws_sdk_dynamodb::types::StreamViewType::NewImage)
                        .build()?;
                    db.update_table().table_name(&table).stream_specification(spec).send().await?;
                }
                Ok(_) => {}
            }
            let queue = env("INVITES_QUEUE_NAME")?;
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            let url = create_queues(&sqs, &template, &queue).await?;
            // The webhook queues beside it: `$INVITES_QUEUE_URL-webhooks` (and `-dlq`).
            invites_devtools::create_webhook_queues(&sqs, &template, &queue).await?;
            let bus = env("INVITES_EVENT_BUS")?;
            create_event_bus(&aws_sdk_eventbridge::Client::new(&sdk), &sqs, &bus).await?;
            eprintln!("table {table}, queue {url} and event bus {bus} ready");
            println!("{url}");
        }
        Command::Dlq { redrive, queue_url, dlq_url } => {
            let queue_url = match queue_url {
                Some(u) => u,
                None => env("INVITES_QUEUE_URL")?,
            };
            let dlq_url = dlq_url.unwrap_or_else(|| format!("{queue_url}-dlq"));
            let sqs = aws_sdk_sqs::Client::new(&invites_adapters::sdk_config().await?);
            if redrive {
                let moved = invites_devtools::dlq::redrive(&sqs, &dlq_url, &queue_url).await?;
                println!("moved {moved} message(s) back to {queue_url}");
            } else {
                let (total, dead) = invites_devtools::dlq::show(&sqs, &dlq_url, 50).await?;
                println!("{total} message(s) in {dlq_url}");
                for d in dead {
                    let at = invites_domain::time::rfc3339(d.sent_at_ms / 1000);
                    println!("  queued {at}, received {}x: {}", d.receive_count, d.body);
                }
            }
        }
        Command::Events => {
            let sdk = invites_adapters::sdk_config().await?;
            let sqs = aws_sdk_sqs::Client::new(&sdk);
            let url = sqs.get_queue_url().queue_name(format!("{}-seen", env("INVITES_EVENT_BUS")?)).send().await?;
            for event in take_events(&sqs, url.queue_url().unwrap_or_default()).await? {
                println!("{event}");
            }
        }
        Command::Invoke { event } => {
            let path = if event.ends_with(".json") {
                std::path::PathBuf::from(&event)
            } else {
                template_path().with_file_name("events").join(format!("{event}.json"))
            };
            let sample: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            let function = replay::function_of(&sample, &replay::route_binaries(&load_template(&template_path())?))?;
            let secret = env(invites_http::auth::DEV_SECRET_ENV)?;
            let base = format!("http://127.0.0.1:{}", env("API_PORT")?);
            let answer = replay::invoke(&base, &function, &replay::sign(sample, secret.as_bytes())).await?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
        }
        Command::Pump { sweep_every } => {
            let sdk = invites_adapters::sdk_config().await?;
            let pump = invites_devtools::pump::Pump {
                sqs: aws_sdk_sqs::Client::new(&sdk),
                queue_url: env("INVITES_QUEUE_URL")?,
                invoke_base: format!("http://127.0.0.1:{}", env("API_PORT")?),
                function: "send-invite-email".into(),
                wait_secs: 1,
            };
            eprintln!("pump: delivering {} to send-invite-email", pump.queue_url);
            // Start the worker process now, not with the first invite.
            if let Err(e) = pump.invoke(&serde_json::json!({ "Records": [] })).await {
                eprintln!("pump: warm-up: {e}");
            }
            // The table's stream -> publish-events, beside the mail (neither waits for the other).
            // A table kept from before the stream existed (`make reset` starts clean) has none.
            let stream = invites_devtools::streams::StreamReader::open(&sdk, &env("INVITES_TABLE")?, false).await;
            let base = pump.invoke_base.clone();
            match stream {
                Err(e) => {
                    eprintln!("pump: no lifecycle events ({e}); `make reset` recreates the table with its stream")
                }
                Ok(mut stream) => drop(tokio::spawn(async move {
                    let publish =
                        async |event: &serde_json::Value| match replay::invoke(&base, "publish-events", event).await {
                            Ok(answer) => Some(answer),
                            Err(e) => {
                                eprintln!("pump: publish-events: {e}");
                                None
                            }
                        };
                    loop {
                        match stream.round(100, publish).await {
                            Ok(0) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
                            Ok(n) => eprintln!("pump: {n} table change(s) handed to publish-events"),
                            Err(e) => {
                                eprintln!("pump: stream: {e}");
                                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                            }
                        }
                    }
                })),
            }
            // The webhook queue -> deliver-webhooks, when webhooks are on (make dev).
            if let Ok(queue_url) = env("INVITES_WEBHOOK_QUEUE_URL") {
                let webhooks = invites_devtools::pump::Pump {
                    sqs: aws_sdk_sqs::Client::new(&sdk),
                    queue_url,
                    invoke_base: pump.invoke_base.clone(),
                    function: "deliver-webhooks".into(),
                    wait_secs: 1,
                };
                drop(tokio::spawn(async move {
                    loop {
                        match webhooks.round().await {
                            Ok(r) if r.received > 0 => {
                                eprintln!("pump: webhooks: {} done, {} to try again later", r.deleted, r.failed)
                            }
                            Ok(_) => {}
                            Err(e) => {
                                eprintln!("pump: webhooks: {e}");
                                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                            }
                        }
                    }
                }));
            }
            let mut last_sweep = std::time::Instant::now();
            loop {
                if sweep_every > 0 && last_sweep.elapsed().as_secs() >= sweep_every {
                    last_sweep = std::time::Instant::now();
                    match pump.sweep().await {
                        Ok(s) if s["due"].as_u64().unwrap_or(0) > 0 => eprintln!("pump: sweep {s}"),
                        Ok(_) => {}
                        Err(e) => eprintln!("pump: sweep: {e}"),
                    }
                }
                match pump.round().await {
                    Ok(r) if r.received > 0 => eprintln!("pump: {} delivered, {} left for retry", r.deleted, r.failed),
                    Ok(_) => {}
                    Err(e) => {
                        eprintln!("pump: {e}");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                }
            }
        }
    }
    Ok(())
}
