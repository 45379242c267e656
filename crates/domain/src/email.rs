//! E-mail addresses: validated with the `email_address` crate, stored
//! normalised (trimmed, lower-case) so they compare case-insensitively.

use crate::Error;
use email_address::{EmailAddress, Options};
use std::fmt;

/// RFC 5321 limit on a forward path.
pub const MAX_LEN: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Validates and normalises an address typed by a person.
    ///
    /// Rejects display names (`Name <a@b.c>`), addresses over 254 characters,
    /// domains without a dot (`a@localhost`) and domains ending in a dot.
    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        let bad = |why: &str| Error::invalid("invalid_email", format!("email {why}"));
        if trimmed.is_empty() {
            return Err(bad("is required"));
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(bad("is longer than 254 characters"));
        }
        let options = Options::default().without_display_text().without_domain_literal();
        let parsed = EmailAddress::parse_with_options(trimmed, options).map_err(|_| bad("is not a valid address"))?;
        let domain = parsed.domain();
        if !domain.contains('.') || domain.ends_with('.') || domain.starts_with('.') {
            return Err(bad("needs a domain like example.com"));
        }
        Ok(Self(parsed.as_str().to_lowercase()))
    }

    /// Rebuilds an already normalised address read back from storage.
    pub fn from_normalised(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `j***@example.com`: what a landing page or a log line may show.
    pub fn masked(&self) -> String {
        match self.0.rsplit_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".into(),
        }
    }
}

impl fmt::Display for Email {
    /// Displays masked, so an address never lands in a log by accident.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_whitespace() {
        let e = Email::parse("  Jane.Doe@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "jane.doe@example.com");
        assert_eq!(e, Email::parse("JANE.DOE@example.com").unwrap());
    }

    #[test]
    fn rejects_what_is_not_a_plain_address() {
        for bad in [
            "",
            "   ",
            "no-at-sign",
            "a@",
            "@example.com",
            "Jane <jane@example.com>",
            "jane@localhost",
            "jane@example.com.",
            "jane@[127.0.0.1]",
            "two@@example.com",
            "a b@example.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_email", "{bad:?}");
            assert_eq!(err.status(), 422);
        }
    }

    #[test]
    fn length_limit_is_254() {
        let local = "a".repeat(64);
        let label = "b".repeat(60);
        let ok = format!("{local}@{label}.{label}.{label}.cc"); // 64+1+186 = 251
        assert!(ok.len() <= MAX_LEN);
        assert!(Email::parse(&ok).is_ok());
        let too_long = format!("{local}@{label}.{label}.{label}.{}", "c".repeat(10));
        assert!(too_long.len() > MAX_LEN);
        assert_eq!(Email::parse(&too_long).unwrap_err().code(), "invalid_email");
    }

    #[test]
    fn unicode_is_accepted_and_lowercased() {
        let e = Email::parse("Jörg@Bücher.de").unwrap();
        assert_eq!(e.as_str(), "jörg@bücher.de");
    }

    #[test]
    fn masks_local_part() {
        let e = Email::parse("jane@example.com").unwrap();
        assert_eq!(e.masked(), "j***@example.com");
        assert_eq!(format!("{e}"), "j***@example.com");
    }
}
