//! Replaying a sample event (`events/*.json`) against `make dev`.
//!
//! The samples carry API Gateway authorizer claims, which dev auth (rightly)
//! ignores: locally a caller proves who they are with a dev token. So a
//! replay signs a dev token for exactly the claims the sample carries, puts
//! it in the `authorization` header, and invokes the function that serves
//! the sample's route (from template.yaml) through `cargo lambda watch`.

use crate::BoxError;
use crate::local_http::request;
use serde_json::Value;

/// The binary serving each route key, from template.yaml's HttpApi events.
pub fn route_binaries(template: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (_, res) in template["Resources"].as_mapping().into_iter().flatten() {
        let Some(binary) = res["Metadata"]["BuildProperties"]["Binary"].as_str() else { continue };
        for (_, ev) in res["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let p = &ev["Properties"];
            if let (Some(m), Some(path)) = (p["Method"].as_str(), p["Path"].as_str()) {
                out.push((format!("{} {path}", m.to_uppercase()), binary.to_owned()));
            }
        }
    }
    out
}

/// The function a sample event goes to: by its route key, the delivery
/// events function for an SNS event (SES events), the event publisher for a
/// table stream's, the webhook worker or the mail worker for an SQS one
/// (by the queue's name), the sweep for a
/// scheduler's event.
pub fn function_of(event: &Value, routes: &[(String, String)]) -> Result<String, BoxError> {
    if event["source"] == "aws.scheduler" {
        return Ok("sweep-invites".into());
    }
    if let Some(records) = event.get("Records") {
        return Ok(match (records[0]["EventSource"].as_str(), records[0]["eventSource"].as_str()) {
            (Some("aws:sns"), _) => "delivery-events",
            (_, Some("aws:dynamodb")) => "publish-events",
            // The webhook queue's messages name an endpoint; the mail queue's do not.
            _ if records[0]["eventSourceARN"].as_str().is_some_and(|a| a.ends_with("-webhooks")) => "deliver-webhooks",
            _ => "send-invite-email",
        }
        .into());
    }
    let key = event["routeKey"].as_str().ok_or("the event has no routeKey")?;
    routes
        .iter()
        .find(|(r, _)| r == key)
        .map(|(_, b)| b.clone())
        .ok_or_else(|| format!("no function serves {key}").into())
}

/// The event as `make dev` accepts it: a dev token for the claims it
/// carries, or a dev service token for an IAM-signed caller.
pub fn sign(mut event: Value, secret: &[u8]) -> Value {
    if let Some(principal) = event["requestContext"]["authorizer"]["iam"]["userArn"].as_str() {
        let token = invites_http::dev_service_token(secret, principal, 600);
        event["headers"]["authorization"] = Value::String(format!("Bearer {token}"));
        return event;
    }
    let claims = event["requestContext"]["authorizer"]["jwt"]["claims"].clone();
    if let Some(sub) = claims["sub"].as_str() {
        let verified = claims["email_verified"].as_str() == Some("true") || claims["email_verified"] == true;
        let email = claims["email"].as_str().filter(|_| verified);
        let token = invites_http::dev_token(secret, sub, email, claims["name"].as_str(), 600);
        event["headers"]["authorization"] = Value::String(format!("Bearer {token}"));
    }
    event
}

/// Invokes `function` with `event` at `invoke_base` (`cargo lambda watch`);
/// returns what the function answered.
pub async fn invoke(invoke_base: &str, function: &str, event: &Value) -> Result<Value, BoxError> {
    let url = format!("{invoke_base}/2015-03-31/functions/{function}/invocations");
    let r = request("POST", &url, &[("content-type", "application/json")], Some(&event.to_string())).await?;
    if r.status != 200 {
        return Err(format!("{function} answered {}: {}", r.status, r.body).into());
    }
    Ok(serde_json::from_str(&r.body)?)
}
