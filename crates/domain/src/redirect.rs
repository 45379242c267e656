//! Where an invitee goes after accepting: an invite may name a
//! `redirectUrl`, which must be on one of the deployment's allowed origins
//! (`INVITES_REDIRECT_ORIGINS`), so that a link can never send an invitee to
//! a page the operator does not own (no open redirect).

use crate::Error;
use crate::error::Code;

/// The longest `redirectUrl` accepted.
pub const MAX_URL_CHARS: usize = 2048;

/// Allowed origins, each `scheme://host[:port]` in lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedirectOrigins(Vec<String>);

/// `scheme://authority` of an absolute http(s) URL, lower-cased; `None` when
/// it is not one, has credentials, or has an empty host.
pub(crate) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') || authority.starts_with(':') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

impl RedirectOrigins {
    /// From a comma-separated list; each entry must be an origin alone
    /// (no path, query or fragment). An empty list allows no redirect.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let entry = entry.trim_end_matches('/');
            match origin_of(entry) {
                Some(origin) if origin.len() == entry.len() => out.push(origin),
                _ => return Err(format!("{entry} is not an origin like https://app.example.com")),
            }
        }
        Ok(Self(out))
    }

    /// The URL, if it is an absolute http(s) URL on an allowed origin.
    pub fn check(&self, url: &str) -> Result<String, Error> {
        let url = url.trim();
        if url.chars().count() > MAX_URL_CHARS || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(Error::invalid(
                Code::InvalidRedirectUrl,
                format!("redirectUrl must be an absolute URL of at most {MAX_URL_CHARS} characters"),
            ));
        }
        let Some(origin) = origin_of(url) else {
            return Err(Error::invalid(Code::InvalidRedirectUrl, "redirectUrl must be an absolute http(s) URL"));
        };
        if !self.0.contains(&origin) {
            return Err(Error::invalid(
                Code::RedirectNotAllowed,
                "redirectUrl must be on one of the origins this service is configured to allow",
            ));
        }
        Ok(url.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_origins_pass() {
        let o = RedirectOrigins::parse("https://app.example.com, http://localhost:5173/").unwrap();
        assert_eq!(
            o.check("https://app.example.com/projects/7?tab=1#x").unwrap(),
            "https://app.example.com/projects/7?tab=1#x"
        );
        assert!(o.check("HTTPS://APP.example.com").is_ok(), "scheme and host are case-insensitive");
        assert!(o.check("http://localhost:5173/welcome").is_ok());
        for (url, code) in [
            ("https://evil.example.com/", "redirect_not_allowed"),
            ("https://app.example.com.evil.test/", "redirect_not_allowed"),
            ("https://app.example.com:8443/", "redirect_not_allowed"),
            ("http://app.example.com/", "redirect_not_allowed"),
            ("https://user@app.example.com/", "invalid_redirect_url"),
            ("javascript:alert(1)", "invalid_redirect_url"),
            ("//app.example.com/", "invalid_redirect_url"),
            ("/relative", "invalid_redirect_url"),
            ("https://app.example.com/a b", "invalid_redirect_url"),
        ] {
            assert_eq!(o.check(url).unwrap_err().code(), code, "{url}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(o.check(&long).unwrap_err().code(), "invalid_redirect_url");
    }

    #[test]
    fn no_origins_no_redirects_and_bad_entries_are_refused_at_start() {
        assert_eq!(
            RedirectOrigins::parse("").unwrap().check("https://a.example").unwrap_err().code(),
            "redirect_not_allowed"
        );
        for bad in ["app.example.com", "https://app.example.com/path", "ftp://x.example", "https://"] {
            assert!(RedirectOrigins::parse(bad).is_err(), "{bad}");
        }
    }
}
