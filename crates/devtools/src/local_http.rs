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

/// Where the first whole HTTP/1.1 message in `buf` ends: `(body_start,
/// end)`, its head being `buf[..body_start]` and its body (by
/// `content-length`) `buf[body_start..end]`; `None` until all of it is there.
/// For the loopback servers of tools and tests (no chunked bodies).
pub fn framed(buf: &[u8]) -> Option<(usize, usize)> {
    let body_start = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..body_start]);
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    (buf.len() >= body_start + len).then_some((body_start, body_start + len))
}

/// Reads the next whole request from a loopback connection: `(head, body)`,
/// keeping what follows in `buf`; `None` when the peer closed.
pub async fn read_request(stream: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> Option<(String, String)> {
    use tokio::io::AsyncReadExt;
    loop {
        if let Some((body_start, end)) = framed(buf) {
            let head = String::from_utf8_lossy(&buf[..body_start - 4]).to_string();
            let body = String::from_utf8_lossy(&buf[body_start..end]).to_string();
            buf.drain(..end);
            return Some((head, body));
        }
        let mut chunk = [0u8; 16384];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}
