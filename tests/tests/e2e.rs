//! End to end through the real binaries: `make test` runs every function under
//! `cargo lambda watch` (dev auth on) against the local stack; this test is
//! the frontend, the invitee's mailbox and Lambda's SQS event source mapping.
//! One test, sequential, because it owns the shared e2e queue.

use invites_devtools::local_http::{Response, request};
use invites_devtools::pump::Pump;
use invites_tests::{inbox, unique_email};
use serde_json::{Value, json};

struct E2e {
    api: String,
    secret: String,
    pump: Pump,
}

impl E2e {
    async fn new() -> Self {
        let var =
            |n: &str| std::env::var(n).unwrap_or_else(|_| panic!("{n} is not set: run the suite with `make test`"));
        let api = var("INVITES_E2E_API");
        let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
        let pump = Pump {
            sqs: aws_sdk_sqs::Client::new(&sdk),
            queue_url: var("INVITES_QUEUE_URL"),
            invoke_base: api.clone(),
            function: "send-invite-email".into(),
            wait_secs: 1,
        };
        Self { api, secret: var("INVITES_DEV_AUTH_SECRET"), pump }
    }

    fn token(&self, sub: &str, email: &str) -> String {
        invites_http::dev_token(self.secret.as_bytes(), sub, Some(email), Some(&format!("User {sub}")), 600)
    }

    async fn call(&self, method: &str, path: &str, bearer: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let auth = bearer.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(a) = &auth {
            headers.push(("authorization", a.as_str()));
        }
        let body = body.map(|b| b.to_string());
        let Response { status, body } =
            request(method, &format!("{}{path}", self.api), &headers, body.as_deref()).await.unwrap();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }
}

fn link_token(mail: &Value) -> String {
    let text = mail["body"]["text"].as_str().unwrap();
    let url = text.split_whitespace().find(|w| w.contains("token=")).expect("a link in the text part");
    url.split("token=").nth(1).unwrap().to_owned()
}

#[tokio::test]
async fn invite_mail_accept_revoke_and_redelivery_through_the_binaries() {
    let e = E2e::new().await;
    let owner_email = unique_email("owner");
    let owner = e.token(&format!("owner-{owner_email}"), &owner_email);

    // Signed out: 401 from the real binary.
    assert_eq!(e.call("POST", "/v1/resources", None, Some(json!({"name": "x"}))).await.0, 401);

    let (status, resource) = e.call("POST", "/v1/resources", Some(&owner), Some(json!({"name": "E2E shop"}))).await;
    assert_eq!(status, 201, "{resource}");
    let rid = resource["id"].as_str().unwrap();

    // Create over HTTP -> queued -> the worker sends -> the e-mail is in the inbox.
    let invitee_email = unique_email("invitee");
    let (status, created) = e
        .call(
            "POST",
            &format!("/v1/resources/{rid}/invites"),
            Some(&owner),
            Some(json!({"email": invitee_email, "role": "read_only"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let round = e.pump.round().await.unwrap();
    assert_eq!((round.received, round.deleted, round.failed), (1, 1, 0));
    let mails = inbox(&invitee_email).await;
    assert_eq!(mails.len(), 1);
    eprintln!(
        "--- rendered e-mail (text part) ---\nSubject: {}\n\n{}",
        mails[0]["subject"],
        mails[0]["body"]["text"].as_str().unwrap()
    );
    let token = link_token(&mails[0]);

    // Lookup (no sign-in) -> accept as the invitee -> listed as accepted and a member.
    let (status, landing) = e.call("POST", "/v1/invites/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!(
        (status, landing["status"].as_str(), landing["resource"]["name"].as_str()),
        (200, Some("pending"), Some("E2E shop"))
    );
    let invitee = e.token("invitee-1", &invitee_email);
    let (status, membership) =
        e.call("POST", "/v1/invites/accept", Some(&invitee), Some(json!({"token": token}))).await;
    assert_eq!(status, 200, "{membership}");
    let (_, listed) = e.call("GET", &format!("/v1/resources/{rid}/invites?status=accepted"), Some(&owner), None).await;
    assert_eq!(listed["items"][0]["email"], invitee_email.as_str());
    let (status, seen) = e.call("GET", &format!("/v1/resources/{rid}"), Some(&invitee), None).await;
    assert_eq!((status, seen["role"].as_str()), (200, Some("read_only")));

    // Revoke before the worker runs -> no e-mail.
    let revoked_email = unique_email("revoked");
    let (_, created) = e
        .call(
            "POST",
            &format!("/v1/resources/{rid}/invites"),
            Some(&owner),
            Some(json!({"email": revoked_email, "role": "admin"})),
        )
        .await;
    let iid = created["invite"]["id"].as_str().unwrap();
    assert_eq!(e.call("DELETE", &format!("/v1/resources/{rid}/invites/{iid}"), Some(&owner), None).await.0, 204);
    let round = e.pump.round().await.unwrap();
    assert_eq!((round.received, round.deleted), (1, 1), "a revoked invite's message is consumed");
    assert!(inbox(&revoked_email).await.is_empty());

    // The same SQS message delivered twice -> one e-mail.
    let twice_email = unique_email("twice");
    e.call(
        "POST",
        &format!("/v1/resources/{rid}/invites"),
        Some(&owner),
        Some(json!({"email": twice_email, "role": "admin"})),
    )
    .await;
    let out = e.pump.sqs.receive_message().queue_url(&e.pump.queue_url).wait_time_seconds(1).send().await.unwrap();
    let m = &out.messages.unwrap()[0];
    let event = json!({"Records": [{"messageId": m.message_id(), "receiptHandle": m.receipt_handle(), "body": m.body(), "eventSource": "aws:sqs"}]});
    assert!(e.pump.invoke(&event).await.unwrap().is_empty());
    assert!(e.pump.invoke(&event).await.unwrap().is_empty());
    assert_eq!(inbox(&twice_email).await.len(), 1);
}

/// `make invoke EVENT=…` replays every sample event against the local API,
/// signed for the claims it carries: none is refused as unauthenticated and
/// none fails.
#[tokio::test]
async fn every_sample_event_replays_against_the_local_api() {
    use invites_devtools::replay;
    let e = E2e::new().await;
    let template = invites_devtools::load_template(&invites_devtools::template_path()).unwrap();
    let routes = replay::route_binaries(&template);
    let mut replayed = 0;
    for entry in std::fs::read_dir(invites_tests::events_dir()).unwrap() {
        let path = entry.unwrap().path();
        let sample: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let signed_in = sample["requestContext"]["authorizer"]["jwt"]["claims"]["sub"].is_string();
        let function = replay::function_of(&sample, &routes).unwrap();
        let answer = replay::invoke(&e.api, &function, &replay::sign(sample, e.secret.as_bytes())).await.unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(answer.get("errorType").is_none(), "{name}: {answer}");
        if let Some(status) = answer["statusCode"].as_u64() {
            assert!(status < 500, "{name}: {answer}");
            if signed_in {
                assert_ne!(status, 401, "{name} was not signed in: {answer}");
            }
        }
        replayed += 1;
    }
    assert_eq!(replayed, std::fs::read_dir(invites_tests::events_dir()).unwrap().count());
}

/// Through the real binaries over HTTP: the operator's backend sets a plan
/// (dev service token for IAM), an owner makes a team link, one person joins
/// and the next finds the plan's only seat taken; with a bigger plan, the
/// owner verifies a domain (its TXT record on the DNS stand-in) and a
/// colleague finds the resource joinable and joins. The table's stream,
/// read as Lambda reads it, goes through `publish-events` onto the local
/// bus, each change exactly once.
#[tokio::test]
async fn plan_team_link_domain_and_their_events_through_the_binaries() {
    use invites_devtools::streams::StreamReader;
    let e = E2e::new().await;
    let owner_email = unique_email("link-owner");
    let owner = e.token(&format!("owner-{owner_email}"), &owner_email);
    let (_, resource) = e.call("POST", "/v1/resources", Some(&owner), Some(json!({"name": "Linked team"}))).await;
    let rid = resource["id"].as_str().unwrap().to_owned();

    let billing = invites_http::dev_service_token(e.secret.as_bytes(), "billing", 600);
    let plan = json!({"seatLimit": 1});
    assert_eq!(
        e.call("PUT", &format!("/v1/service/resources/{rid}/plan"), Some(&owner), Some(plan.clone())).await.0,
        403
    );
    let (status, set) = e.call("PUT", &format!("/v1/service/resources/{rid}/plan"), Some(&billing), Some(plan)).await;
    assert_eq!((status, set["seatLimit"].as_u64()), (200, Some(1)), "{set}");

    let (status, link) =
        e.call("POST", &format!("/v1/resources/{rid}/links"), Some(&owner), Some(json!({"role": "read_only"}))).await;
    assert_eq!(status, 201, "{link}");
    let token = link["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();
    let (status, seen) = e.call("POST", "/v1/links/lookup", None, Some(json!({"token": token}))).await;
    assert_eq!((status, seen["resource"]["name"].as_str()), (200, Some("Linked team")));
    let first_email = unique_email("joiner");
    let first = e.token(&format!("joiner-{first_email}"), &first_email);
    let (status, joined) = e.call("POST", "/v1/links/join", Some(&first), Some(json!({"token": token}))).await;
    assert_eq!((status, joined["role"].as_str()), (200, Some("read_only")), "{joined}");
    let second_email = unique_email("late");
    let second = e.token(&format!("late-{second_email}"), &second_email);
    let (status, refused) = e.call("POST", "/v1/links/join", Some(&second), Some(json!({"token": token}))).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("seat_limit_reached")));

    let plan = json!({"seatLimit": 5});
    assert_eq!(e.call("PUT", &format!("/v1/service/resources/{rid}/plan"), Some(&billing), Some(plan)).await.0, 200);
    let domain = format!("e2e-{}.test", invites_domain::ids::new_ulid().to_lowercase());
    let domains = format!("/v1/resources/{rid}/domains");
    let (status, added) =
        e.call("POST", &domains, Some(&owner), Some(json!({"domain": domain, "role": "admin"}))).await;
    assert_eq!(status, 201, "{added}");
    let verify = format!("{domains}/{domain}/verify");
    assert_eq!(e.call("POST", &verify, Some(&owner), None).await.0, 409, "no record yet");
    let dns_dir = std::path::PathBuf::from(std::env::var("INVITES_DNS_DIR").unwrap());
    std::fs::create_dir_all(&dns_dir).unwrap();
    std::fs::write(dns_dir.join(added["txtName"].as_str().unwrap()), added["txtValue"].as_str().unwrap()).unwrap();
    let (status, verified) = e.call("POST", &verify, Some(&owner), None).await;
    assert_eq!((status, verified["verified"].as_bool()), (200, Some(true)), "{verified}");
    let colleague = e.token(&format!("colleague-{domain}"), &format!("colleague@{domain}"));
    let (status, joinable) = e.call("GET", "/v1/me/joinable", Some(&colleague), None).await;
    assert_eq!((status, joinable["items"][0]["resource"]["id"].as_str()), (200, Some(rid.as_str())), "{joinable}");
    let (status, joined) = e.call("POST", &format!("/v1/me/joinable/{rid}/join"), Some(&colleague), None).await;
    assert_eq!((status, joined["role"].as_str()), (200, Some("admin")), "{joined}");

    let sdk = invites_adapters::sdk_config().await.expect("the AWS configuration");
    let mut stream = StreamReader::open(&sdk, &std::env::var("INVITES_TABLE").unwrap(), true).await.unwrap();
    let publish = async |event: &Value| invites_devtools::replay::invoke(&e.api, "publish-events", event).await.ok();
    let mut idle = 0;
    while idle < 3 {
        idle = if stream.round(100, publish).await.unwrap() == 0 { idle + 1 } else { 0 };
    }
    let seen_url = e
        .pump
        .sqs
        .get_queue_url()
        .queue_name(format!("{}-seen", std::env::var("INVITES_EVENT_BUS").unwrap()))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let events = invites_devtools::take_events(&e.pump.sqs, &seen_url).await.unwrap();
    let mut ours: Vec<&str> =
        events.iter().filter(|ev| ev["resourceId"] == rid.as_str()).map(|ev| ev["type"].as_str().unwrap()).collect();
    ours.sort();
    assert_eq!(
        ours,
        [
            "domain.added",
            "domain.verified",
            "link.created",
            "member.joined",
            "member.joined",
            "resource.created",
            "resource.plan_changed",
            "resource.plan_changed"
        ]
    );
}
