//! Requests built from `events/*.json` as API Gateway sends them, and the
//! response as a client sees it.

use super::*;

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

/// Asserts that a response is the error `code` with `status`, the shape
/// every client reads (`{"error": {"code", "message"}}`).
#[track_caller]
pub fn assert_error(r: &Resp, status: u16, code: &str) {
    assert_eq!((r.status, r.body["error"]["code"].as_str()), (status, Some(code)), "{}", r.body);
}
