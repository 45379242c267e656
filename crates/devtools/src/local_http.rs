//! HTTP on loopback for local tools and tests: a client (reqwest, no TLS)
//! and a server (hyper: HTTP/1.1 with keep-alive and chunked bodies) for the
//! stand-ins: the Runtime API, the Parameters and Secrets extension, the
//! fault-injecting proxy and a scripted SES.

use crate::BoxError;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use std::future::Future;
use tokio::net::{TcpListener, TcpStream};

pub struct Response {
    pub status: u16,
    pub body: String,
}

/// Sends one request and reads the whole answer as text.
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Result<Response, BoxError> {
    let mut req = reqwest::Client::new().request(reqwest::Method::from_bytes(method.as_bytes())?, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req.body(body.to_owned());
    }
    let resp = req.send().await?;
    Ok(Response { status: resp.status().as_u16(), body: resp.text().await? })
}

/// A whole request as a stand-in sees it.
pub struct Incoming {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

impl Incoming {
    /// The request as text (request line, headers, blank line, body), for
    /// rules that pick requests by what they contain.
    pub fn text(&self) -> String {
        let mut out = format!("{} {} HTTP/1.1\r\n", self.method, self.path);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {}\r\n", String::from_utf8_lossy(v.as_bytes())));
        }
        out.push_str("\r\n");
        out.push_str(&String::from_utf8_lossy(&self.body));
        out
    }
}

/// A stand-in's answer.
pub type Reply = hyper::Response<Full<Bytes>>;

/// An answer with `status`, these headers and `body`.
pub fn reply(status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Reply {
    let mut r = hyper::Response::new(Full::new(body.into()));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

/// Sends `req` on to `upstream` (`http://host:port`) as it came (method,
/// path, headers, the signed `host` among them, body) and reads the whole
/// answer; the answer's framing headers are left to the server that passes it on.
pub async fn forward(client: &reqwest::Client, upstream: &str, req: Incoming) -> Result<Answer, BoxError> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())?;
    let r =
        client.request(method, format!("{upstream}{}", req.path)).headers(req.headers).body(req.body).send().await?;
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "content-length" | "transfer-encoding" | "connection"))
        .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    Ok(Answer { status, headers, body: r.bytes().await? })
}

/// A whole answer from upstream, to pass on.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Answer {
    pub fn reply(self) -> Reply {
        let headers: Vec<(&str, &str)> = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        reply(self.status, &headers, self.body)
    }
}

/// Why a connection was closed without an answer (`handle` gave `None`).
#[derive(Debug)]
struct Cut;

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("closed without an answer")
    }
}

impl std::error::Error for Cut {}

/// Serves every connection `listener` accepts with [`serve_connection`].
pub fn serve<H, F>(listener: TcpListener, handle: H)
where
    H: Fn(Incoming) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Option<Reply>> + Send + 'static,
{
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_connection(stream, handle.clone()));
        }
    });
}

/// Serves one connection (keep-alive, chunked or sized bodies): each whole
/// request goes to `handle`; `None` closes the connection without an
/// answer, as a process killed mid-call would.
pub async fn serve_connection<H, F>(stream: TcpStream, handle: H)
where
    H: Fn(Incoming) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Option<Reply>> + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let handle = handle.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body.collect().await.map_err(|_| Cut)?.to_bytes();
            let path = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_default();
            let incoming = Incoming { method: parts.method.to_string(), path, headers: parts.headers, body };
            handle(incoming).await.ok_or(Cut)
        }
    });
    let io = hyper_util::rt::TokioIo::new(stream);
    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
}
