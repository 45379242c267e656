use invites_domain::Error;
use invites_domain::error::Code;
use lambda_http::{Body, Request, RequestExt};
use serde::de::DeserializeOwned;

/// Largest request body accepted (413 above).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Largest bulk request body: 100 entries with personal messages.
pub const MAX_BULK_BODY_BYTES: usize = 128 * 1024;

/// Reads a JSON body: 413 when too large, 400 when it is not JSON (or is sent
/// with another content type), 422 when the JSON does not fit the schema.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, Error> {
    json_body_up_to(req, MAX_BODY_BYTES)
}

/// [`json_body`] where the body may be left out (the default then).
pub fn json_body_or_default<T: DeserializeOwned + Default>(req: &Request) -> Result<T, Error> {
    match req.body() {
        Body::Empty => Ok(T::default()),
        Body::Text(t) if t.trim().is_empty() => Ok(T::default()),
        _ => json_body(req),
    }
}

/// [`json_body`] with another size limit.
pub fn json_body_up_to<T: DeserializeOwned>(req: &Request, max_bytes: usize) -> Result<T, Error> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => b"",
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => b"",
    };
    if bytes.len() > max_bytes {
        return Err(Error::TooLarge);
    }
    if let Some(ct) = req.headers().get(lambda_http::http::header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        let mime = ct.split(';').next().unwrap_or("").trim();
        if mime != "application/json" && !mime.ends_with("+json") {
            return Err(Error::Malformed("content type must be application/json".into()));
        }
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Malformed("request body must be a JSON object".into()));
    }
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|_| Error::Malformed("request body is not valid JSON".into()))?;
    if !value.is_object() {
        return Err(Error::Malformed("request body must be a JSON object".into()));
    }
    serde_json::from_value(value).map_err(|e| Error::invalid(Code::InvalidRequest, e.to_string()))
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref().and_then(|q| q.first(name)).map(str::to_owned)
}

/// A header value as text, if present and printable.
/// A header's value as sent (bytes that are not ASCII kept, lossily, so a
/// check of the value refuses them instead of reading the header as absent).
pub fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// `?limit=` and `?cursor=` of a list route.
pub fn page(req: &Request) -> Result<(usize, Option<String>), Error> {
    Ok((parse_limit(query_param(req, "limit").as_deref())?, query_param(req, "cursor")))
}

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;

/// `?limit=`: 1 to 100, default 50.
pub fn parse_limit(raw: Option<&str>) -> Result<usize, Error> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| Error::invalid(Code::InvalidLimit, format!("limit must be between 1 and {MAX_LIMIT}"))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn limit_bounds() {
        assert_eq!(super::parse_limit(None).unwrap(), 50);
        assert_eq!(super::parse_limit(Some("100")).unwrap(), 100);
        for bad in ["0", "101", "-1", "abc", "99999999999999999999999"] {
            assert_eq!(super::parse_limit(Some(bad)).unwrap_err().status(), 422);
        }
    }
}
