//! HTTP to loopback services (emulators, `cargo lambda watch`) for local
//! tools and tests, through reqwest without TLS.

use crate::BoxError;

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
