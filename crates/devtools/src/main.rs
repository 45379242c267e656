//! `invites-dev`: local development helper.
//!
//! ```text
//! invites-dev token --sub USER [--email ADDRESS] [--name NAME] [--ttl SECONDS]
//! invites-dev init                 # table + queues from template.yaml on the local stack
//! invites-dev pump                 # SQS -> worker through `cargo lambda watch`, like Lambda's event source mapping
//! ```

use invites_devtools::{BoxError, create_queues, create_table, load_template, template_path};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn env(name: &str) -> Result<String, BoxError> {
    std::env::var(name).map_err(|_| format!("{name} is not set (run through `make dev` or scripts/stack.sh)").into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("token") => {
            let secret = env(invites_http::auth::DEV_SECRET_ENV)?;
            let sub = arg(&args, "--sub").ok_or("--sub is required")?;
            let ttl = arg(&args, "--ttl").map(|t| t.parse()).transpose()?.unwrap_or(3600 * 12);
            let email = arg(&args, "--email");
            let name = arg(&args, "--name");
            println!("{}", invites_http::dev_token(secret.as_bytes(), &sub, email.as_deref(), name.as_deref(), ttl));
        }
        Some("init") => {
            let template = load_template(&template_path())?;
            let sdk = invites_adapters::sdk_config().await;
            let table = env("INVITES_TABLE")?;
            let db = aws_sdk_dynamodb::Client::new(&sdk);
            if db.describe_table().table_name(&table).send().await.is_err() {
                create_table(&db, &template, &table).await?;
            }
            let queue = env("INVITES_QUEUE_NAME")?;
            let url = create_queues(&aws_sdk_sqs::Client::new(&sdk), &template, &queue).await?;
            eprintln!("table {table} and queue {url} ready");
            println!("{url}");
        }
        Some("pump") => {
            let sdk = invites_adapters::sdk_config().await;
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
            loop {
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
        _ => {
            eprintln!(
                "usage: invites-dev token --sub USER [--email ADDRESS] [--name NAME] [--ttl SECONDS]\n       invites-dev init\n       invites-dev pump"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
