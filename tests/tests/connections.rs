//! The functions' connections to AWS (docs/performance.md, "The cold
//! request"): opened during init, where Lambda gives burst CPU, the queue's
//! beside the table's in a function that queues; left to the first request
//! with `INVITES_PRIME_ON_INIT=false`; and a bad idle timeout stops a
//! function at start.

use invites_devtools::proxy::Proxy;
use invites_tests::*;
use std::collections::BTreeMap;

/// The AWS calls a function made during its init, by the table's proxy and
/// the queue's.
async fn calls_during_init(
    h: &Harness,
    name: &str,
    more: Vec<(&str, String)>,
) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let table = Proxy::start(&stack("AWS_ENDPOINT_URL_DYNAMODB")).await;
    let sqs = Proxy::start(&stack("AWS_ENDPOINT_URL_SQS")).await;
    let mut vars = vec![("AWS_ENDPOINT_URL_SQS", sqs.url.clone())];
    vars.extend(more);
    let f = h.function_through_with(name, &table.url, vars).await;
    let calls = (table.take().calls, sqs.take().calls);
    drop(f);
    calls
}

#[tokio::test]
async fn a_function_opens_its_connections_during_init_the_queues_too_where_it_queues() {
    let h = Harness::new().await;
    for function in ["create-invite", "manage-invite", "members"] {
        let (table, queue) = calls_during_init(&h, function, vec![]).await;
        assert_eq!(table.get("getitem"), Some(&1), "{function}, the table's connection: {table:?}");
        assert_eq!(queue.get("getqueueurl"), Some(&1), "{function}, the queue's connection: {queue:?}");
        assert_eq!(queue.values().sum::<u64>(), 1, "{function}: nothing queued: {queue:?}");
    }
    // A function that never queues has no queue client to open.
    let (table, queue) = calls_during_init(&h, "list-invites", vec![]).await;
    assert_eq!(table.get("getitem"), Some(&1), "{table:?}");
    assert!(queue.is_empty(), "{queue:?}");
    // The idle timeout's edges start (a bad value stops it: below).
    for secs in ["1", "3600"] {
        let (table, _) =
            calls_during_init(&h, "create-invite", vec![("INVITES_HTTP_IDLE_TIMEOUT_SECS", secs.into())]).await;
        assert_eq!(table.get("getitem"), Some(&1), "started with {secs} s");
    }
    // Switched off, the first request opens both.
    let off = vec![("INVITES_PRIME_ON_INIT", "false".to_owned())];
    let (table, queue) = calls_during_init(&h, "create-invite", off).await;
    assert!(table.is_empty() && queue.is_empty(), "{table:?} {queue:?}");
}

/// The priming call is one the queue answers (not a refusal that merely
/// opened the connection), and a queue that does not exist is an error.
#[tokio::test]
async fn the_queues_priming_call_is_answered() {
    let h = Harness::new().await;
    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let queue = invites_adapters::Queue::new(&sdk, h.queue_url.clone());
    queue.prime().await.expect("the queue answers its own name");
    let missing = invites_adapters::Queue::new(&sdk, format!("{}-missing", h.queue_url));
    assert!(missing.prime().await.is_err());
}

/// An idle timeout that is not a whole number of seconds from 1 to 3,600
/// stops an API function and the worker at start, naming the variable.
#[test]
fn a_bad_idle_timeout_stops_a_function_at_start() {
    for function in ["create-invite", "send-invite-email"] {
        for value in ["0", "3601", "ten", "-5"] {
            let out = std::process::Command::new(binary(function))
                .env_clear()
                .env("INVITES_TABLE", "t")
                .env("INVITES_QUEUE_URL", "http://localhost:1/q")
                .env("INVITES_ACCEPT_URL", ACCEPT_URL)
                .env("INVITES_TOKEN_KEY", TOKEN_KEY_B64)
                .env("INVITES_SENDER", "invites@example.com")
                .env("AWS_REGION", "eu-central-1")
                .env("INVITES_HTTP_IDLE_TIMEOUT_SECS", value)
                .output()
                .unwrap();
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(!out.status.success(), "{function} started with {value}");
            assert!(
                said.contains("INVITES_HTTP_IDLE_TIMEOUT_SECS has an invalid value"),
                "{function}, {value}: {said}"
            );
        }
    }
}
