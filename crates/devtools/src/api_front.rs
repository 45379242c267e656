//! The local API's front door, standing where API Gateway's HTTP API stands
//! for the deployed one. `cargo lambda watch` turns an HTTP request into an
//! event itself and answers 500 on its own (the function never runs) when a
//! body or a header value is not UTF-8; API Gateway passes such a body
//! base64-encoded (`isBase64Encoded`) and the function answers it (400). So
//! this front forwards every request to the watch unchanged, except those:
//! it builds the payload-2.0 event API Gateway would and invokes the
//! function the local router names through the watch's Lambda Invoke API.
//!
//! Like the deployed API, it writes one access log line per request in the
//! format of `template.yaml` (`HttpApi.AccessLogSettings.Format`), on
//! stdout; `make test` reads those lines with the log-leak check. A format
//! that uses a `$context` variable this front does not know (one that could
//! carry a path, a query or a header, so a token or an address) stops it at
//! start.

use crate::BoxError;
use crate::local_http::{Incoming, Reply, reply};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use tokio::net::TcpListener;

/// One route of the local router: method, path template, function.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub method: String,
    pub template: String,
    pub function: String,
}

/// The routes of `[workspace.metadata.lambda.watch.router]` in the workspace manifest.
pub fn routes(manifest: &str) -> Result<Vec<Route>, BoxError> {
    let manifest: toml::Value = toml::from_str(manifest)?;
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"].as_table().ok_or("no watch router")?;
    let mut out = Vec::new();
    for (template, entries) in router {
        for e in entries.as_array().ok_or("router entries are a list")? {
            let field = |k: &str| e.get(k).and_then(|v| v.as_str()).map(str::to_owned).ok_or("method and function");
            out.push(Route { method: field("method")?, template: template.clone(), function: field("function")? });
        }
    }
    // Literal segments win over parameters (`…/invites/batch` before `…/invites/{id}`).
    out.sort_by_key(|r| r.template.matches('{').count());
    Ok(out)
}

/// The route and path parameters a method and raw path match.
pub fn matching<'r>(routes: &'r [Route], method: &str, path: &str) -> Option<(&'r Route, Map<String, Value>)> {
    routes.iter().filter(|r| r.method == method).find_map(|r| {
        let (t, p): (Vec<_>, Vec<_>) =
            (r.template.split('/').collect(), path.trim_end_matches('/').split('/').collect());
        if t.len() != p.len() {
            return None;
        }
        let mut params = Map::new();
        for (ts, ps) in t.iter().zip(&p) {
            match ts.strip_prefix('{').and_then(|n| n.strip_suffix('}')) {
                Some(name) if !ps.is_empty() => {
                    let value = percent_encoding::percent_decode_str(ps).decode_utf8_lossy().into_owned();
                    params.insert(name.to_owned(), Value::String(value));
                }
                None if ts == ps => {}
                _ => return None,
            }
        }
        Some((r, params))
    })
}

/// The payload-2.0 event API Gateway makes of a request whose body is not UTF-8.
pub fn gateway_event(req: &Incoming, route: &Route, params: Map<String, Value>) -> Value {
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let mut headers = Map::new();
    for (k, v) in &req.headers {
        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
        match headers.get_mut(k.as_str()) {
            Some(Value::String(joined)) => *joined = format!("{joined},{v}"),
            _ => {
                headers.insert(k.as_str().to_owned(), Value::String(v));
            }
        }
    }
    let mut query_params = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode =
            |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
        let (k, v) = (decode(k), decode(v));
        match query_params.get_mut(&k) {
            // API Gateway joins repeated parameters with commas.
            Some(Value::String(joined)) => *joined = format!("{joined},{v}"),
            _ => {
                query_params.insert(k, Value::String(v));
            }
        }
    }
    let (body, base64) = match std::str::from_utf8(&req.body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (STANDARD.encode(&req.body), true),
    };
    let route_key = format!("{} {}", route.method, route.template);
    json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "queryStringParameters": if query_params.is_empty() { Value::Null } else { Value::Object(query_params) },
        "pathParameters": if params.is_empty() { Value::Null } else { Value::Object(params) },
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": "localhost", "domainPrefix": "localhost",
            "http": {"method": req.method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "local"},
            "requestId": invites_domain::ids::new_ulid(), "routeKey": route_key, "stage": "$default",
            "time": "", "timeEpoch": 0
        },
        "body": body,
        "isBase64Encoded": base64
    })
}

/// How the deployed API authorizes a route (its `Auth` in template.yaml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAuth {
    /// The JWT authorizer (the default).
    Jwt,
    /// `Authorizer: NONE`: anyone.
    None,
    /// `Authorizer: AWS_IAM`: SigV4-signed requests of the operator.
    Iam,
}

/// Every HTTP route's authorization, by route key, from the template.
pub fn route_auth(template: &serde_yaml::Value) -> std::collections::HashMap<String, RouteAuth> {
    let mut out = std::collections::HashMap::new();
    for (_, res) in template["Resources"].as_mapping().into_iter().flatten() {
        for (_, ev) in res["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let p = &ev["Properties"];
            if ev["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let key = format!(
                "{} {}",
                p["Method"].as_str().unwrap_or_default().to_uppercase(),
                p["Path"].as_str().unwrap_or_default()
            );
            let auth = match p["Auth"]["Authorizer"].as_str() {
                Some("NONE") => RouteAuth::None,
                Some("AWS_IAM") => RouteAuth::Iam,
                _ => RouteAuth::Jwt,
            };
            out.insert(key, auth);
        }
    }
    out
}

/// The production sign-in path locally: the JWT authorizer stand-in and
/// each route's authorization.
pub struct Authorizing {
    pub authorizer: crate::jwt_authorizer::JwtAuthorizer,
    pub routes: std::collections::HashMap<String, RouteAuth>,
}

/// The access log format of the deployed API, as the local front renders it.
#[derive(Debug, Clone)]
pub struct AccessLog {
    format: String,
}

/// The `$context` variables an access log line may use: none of them holds
/// a path, a query string or a header.
const ACCESS_LOG_VARIABLES: &[&str] = &[
    "requestId",
    "requestTime",
    "httpMethod",
    "routeKey",
    "status",
    "responseLatency",
    "integrationLatency",
    "identity.sourceIp",
    "error.responseType",
];

/// What one request leaves in the access log.
pub struct Logged<'a> {
    pub method: &'a str,
    pub route_key: &'a str,
    pub status: u16,
    pub latency_ms: u128,
}

impl AccessLog {
    /// The format of `HttpApi.AccessLogSettings.Format` in the template;
    /// an error names a variable outside [`ACCESS_LOG_VARIABLES`].
    pub fn from_template(template: &serde_yaml::Value) -> Result<Self, BoxError> {
        let format = template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"]
            .as_str()
            .ok_or("template.yaml: HttpApi has no AccessLogSettings.Format")?
            .to_owned();
        for variable in context_variables(&format) {
            if !ACCESS_LOG_VARIABLES.contains(&variable) {
                return Err(format!(
                    "the access log format uses $context.{variable}, which may carry a token or an address \
                     (allowed: {})",
                    ACCESS_LOG_VARIABLES.join(", ")
                )
                .into());
            }
        }
        Ok(Self { format })
    }

    /// One line, as API Gateway would write it for `r`.
    pub fn line(&self, r: &Logged<'_>) -> String {
        let mut line = self.format.clone();
        // Longest names first, so `requestId` never eats `requestIdX`.
        let mut variables = ACCESS_LOG_VARIABLES.to_vec();
        variables.sort_by_key(|v| std::cmp::Reverse(v.len()));
        for variable in variables {
            let value = match variable {
                "requestId" => invites_domain::ids::new_ulid(),
                "requestTime" => invites_domain::time::rfc3339(invites_domain::time::now()),
                "httpMethod" => r.method.to_owned(),
                "routeKey" => r.route_key.to_owned(),
                "status" => r.status.to_string(),
                "responseLatency" | "integrationLatency" => r.latency_ms.to_string(),
                "identity.sourceIp" => "127.0.0.1".to_owned(),
                _ => "-".to_owned(),
            };
            let escaped = serde_json::to_string(&value).unwrap_or_default();
            line = line.replace(&format!("$context.{variable}"), escaped.trim_matches('"'));
        }
        line
    }
}

/// The `$context.…` variables a format uses.
fn context_variables(format: &str) -> Vec<&str> {
    format
        .split("$context.")
        .skip(1)
        .map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')).next().unwrap_or(""))
        .map(|v| v.trim_end_matches('.'))
        .collect()
}

/// Serves the front on `listener`, in front of the watch at `watch`
/// (`http://host:port`), writing `log`'s line for every request.
///
/// With `authorizing`, every request of a route is checked as the deployed
/// API checks it (a JWT route's token, 401 otherwise; IAM routes 403, as
/// no SigV4 is made locally) and goes to its function as the event API
/// Gateway makes, the claims in `requestContext.authorizer.jwt.claims`.
pub fn start(
    listener: TcpListener,
    watch: String,
    routes: Vec<Route>,
    log: AccessLog,
    authorizing: Option<Authorizing>,
) {
    let (client, routes, watch, log) = (reqwest::Client::new(), Arc::new(routes), Arc::new(watch), Arc::new(log));
    let authorizing = Arc::new(authorizing);
    crate::local_http::serve(listener, move |req| {
        let (client, routes, watch, log, authorizing) =
            (client.clone(), routes.clone(), watch.clone(), log.clone(), authorizing.clone());
        async move {
            let started = std::time::Instant::now();
            let method = req.method.clone();
            let raw_path = req.path.split('?').next().unwrap_or("").to_owned();
            let route_key = matching(&routes, &method, &raw_path)
                .map_or_else(|| "-".to_owned(), |(r, _)| format!("{} {}", r.method, r.template));
            let answer = pass(req, &client, &routes, &watch, authorizing.as_ref().as_ref())
                .await
                .unwrap_or_else(|e| reply(502, &[], e.to_string()));
            let logged = Logged {
                method: &method,
                route_key: &route_key,
                status: answer.status().as_u16(),
                latency_ms: started.elapsed().as_millis(),
            };
            println!("{}", log.line(&logged));
            Some(answer)
        }
    });
}

/// Whether `cargo lambda watch` can make the event itself: a UTF-8 body and
/// ASCII header values.
fn passes_the_watch(req: &Incoming) -> bool {
    std::str::from_utf8(&req.body).is_ok() && req.headers.values().all(|v| v.as_bytes().is_ascii())
}

async fn pass(
    req: Incoming,
    client: &reqwest::Client,
    routes: &[Route],
    watch: &str,
    authorizing: Option<&Authorizing>,
) -> Result<Reply, BoxError> {
    let raw_path = req.path.split('?').next().unwrap_or("").to_owned();
    let invoked = match matching(routes, &req.method, &raw_path) {
        Some((route, params)) if authorizing.is_some() || !passes_the_watch(&req) => {
            let mut event = gateway_event(&req, route, params);
            if let Some(a) = authorizing {
                let key = format!("{} {}", route.method, route.template);
                let json_reply = |status, message: &str| {
                    reply(status, &[("content-type", "application/json")], json!({ "message": message }).to_string())
                };
                match a.routes.get(&key).copied().unwrap_or(RouteAuth::Jwt) {
                    RouteAuth::None => {}
                    RouteAuth::Iam => return Ok(json_reply(403, "Forbidden")),
                    RouteAuth::Jwt => {
                        let header = req.headers.get("authorization").and_then(|v| v.to_str().ok());
                        match a.authorizer.claims(header, invites_domain::time::now()).await {
                            Ok(claims) => {
                                event["requestContext"]["authorizer"] = json!({"jwt": {
                                    "claims": crate::jwt_authorizer::as_gateway_claims(claims), "scopes": null}});
                            }
                            Err(why) => {
                                eprintln!("api-front: {key}: token refused: {why}");
                                return Ok(json_reply(401, "Unauthorized"));
                            }
                        }
                    }
                }
            }
            let url = format!("{watch}/2015-03-31/functions/{}/invocations", route.function);
            let answer =
                client.post(url).header("content-type", "application/json").body(event.to_string()).send().await?;
            Some(serde_json::from_slice::<Value>(&answer.bytes().await?)?)
        }
        _ => None,
    };
    let Some(answer) = invoked else {
        // Authorizing, nothing but the API's routes is open (the watch's
        // Invoke API would take any event, claims and all).
        if authorizing.is_some() && !req.method.eq_ignore_ascii_case("OPTIONS") {
            return Ok(reply(
                404,
                &[("content-type", "application/json")],
                json!({"message": "Not Found"}).to_string(),
            ));
        }
        return Ok(crate::local_http::forward(client, watch, req).await?.reply());
    };
    // The function's payload-2.0 answer, as API Gateway turns it into HTTP.
    let status = answer["statusCode"].as_u64().unwrap_or(500) as u16;
    let headers = answer["headers"]
        .as_object()
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect())
        .unwrap_or_default();
    let text = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool() == Some(true) {
        STANDARD.decode(text)?
    } else {
        text.as_bytes().to_vec()
    };
    Ok(crate::local_http::Answer { status, headers, body: body.into() }.reply())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[workspace.metadata.lambda.watch.router]
"/v1/resources/{rid}/invites/{id}" = [{ method = "GET", function = "list-invites" }]
"/v1/resources/{rid}/invites/batch" = [{ method = "POST", function = "create-invite" }]
"/v1/resources/{rid}/invites" = [{ method = "POST", function = "create-invite" }]
"#;

    #[test]
    fn a_path_finds_its_route_and_parameters_literal_segments_first() {
        let routes = routes(MANIFEST).unwrap();
        let (r, p) = matching(&routes, "POST", "/v1/resources/R1/invites/batch").unwrap();
        assert_eq!((r.function.as_str(), p["rid"].as_str()), ("create-invite", Some("R1")));
        let (r, p) = matching(&routes, "GET", "/v1/resources/R1/invites/I%201").unwrap();
        assert_eq!((r.template.as_str(), p["id"].as_str()), ("/v1/resources/{rid}/invites/{id}", Some("I 1")));
        assert!(matching(&routes, "DELETE", "/v1/resources/R1/invites").is_none());
        assert!(matching(&routes, "POST", "/v1/resources//invites").is_none());
    }

    #[test]
    fn a_body_that_is_not_utf8_travels_base64_encoded_with_the_route_key() {
        let routes = routes(MANIFEST).unwrap();
        let (route, params) = matching(&routes, "POST", "/v1/resources/R1/invites").unwrap();
        let mut headers = hyper::HeaderMap::new();
        headers.insert("authorization", "Bearer t".parse().unwrap());
        let req = Incoming {
            method: "POST".into(),
            path: "/v1/resources/R1/invites?x=1".into(),
            headers,
            body: vec![0xff, 0xfe, b'{'].into(),
        };
        let e = gateway_event(&req, route, params);
        assert_eq!(e["routeKey"], "POST /v1/resources/{rid}/invites");
        assert_eq!(
            (e["rawPath"].as_str(), e["rawQueryString"].as_str()),
            (Some("/v1/resources/R1/invites"), Some("x=1"))
        );
        assert_eq!((e["isBase64Encoded"].as_bool(), e["body"].as_str()), (Some(true), Some("//57")));
        assert_eq!(e["queryStringParameters"]["x"], "1");
        assert_eq!(e["pathParameters"]["rid"], "R1");
        assert_eq!(e["headers"]["authorization"], "Bearer t");
    }

    #[test]
    fn the_templates_access_log_names_the_route_template_never_the_path() {
        let template = crate::load_template(&crate::template_path()).unwrap();
        let log = AccessLog::from_template(&template).unwrap();
        let line =
            log.line(&Logged { method: "POST", route_key: "POST /v1/invites/accept", status: 410, latency_ms: 7 });
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!((v["route"].as_str(), v["status"].as_str()), (Some("POST /v1/invites/accept"), Some("410")));
        assert!(!line.contains("$context"), "{line}");
        // A variable that could carry a token or an address stops the front.
        let mut leaky = template.clone();
        leaky["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"] =
            serde_yaml::Value::from(r#"{"path":"$context.path","route":"$context.routeKey"}"#);
        let refused = AccessLog::from_template(&leaky).unwrap_err().to_string();
        assert!(refused.contains("$context.path"), "{refused}");
    }
}
