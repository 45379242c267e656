//! E-mail addresses: validated with the `email_address` crate and stored in
//! one normal form everywhere, so an address typed in Unicode and the
//! identity provider's punycode compare equal: the local part in Unicode NFC
//! and lower case, the domain in its IDNA ASCII form (UTS 46: `bücher.de` is
//! `xn--bcher-kva.de`). Domains whose labels mix Latin, Greek and Cyrillic
//! letters (`pаypal.com` with a Cyrillic `а`) are refused as look-alikes.

use crate::Error;
use crate::error::Code;
use email_address::{EmailAddress, Options};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

#[derive(PartialEq, Eq, Clone, Copy)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
}

fn script(c: char) -> Option<Script> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Some(Script::Latin),
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(Script::Greek),
        '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => {
            Some(Script::Cyrillic)
        }
        _ => None,
    }
}

/// A label whose letters come from more than one of Latin, Greek, Cyrillic.
fn mixes_scripts(label: &str) -> bool {
    let mut seen = label.chars().filter_map(script);
    let Some(first) = seen.next() else { return false };
    seen.any(|s| s != first)
}

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
        let bad = |why: &str| Error::invalid(Code::InvalidEmail, format!("email {why}"));
        if trimmed.is_empty() {
            return Err(bad("is required"));
        }
        if trimmed.chars().count() > MAX_LEN {
            return Err(bad("is longer than 254 characters"));
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(|| bad("is not a valid address"))?;
        let (unicode, shown) = idna::domain_to_unicode(domain);
        if shown.is_err() {
            return Err(bad("is not a valid address"));
        }
        if unicode.split('.').any(mixes_scripts) {
            return Err(bad("mixes scripts in its domain, like a look-alike of another domain"));
        }
        let ascii = idna::domain_to_ascii(domain).map_err(|_| bad("is not a valid address"))?;
        let normal = format!("{}@{ascii}", local.nfc().collect::<String>().to_lowercase());
        if normal.chars().count() > MAX_LEN {
            return Err(bad("is longer than 254 characters"));
        }
        let options = Options::default().without_display_text().without_domain_literal();
        let parsed = EmailAddress::parse_with_options(&normal, options).map_err(|_| bad("is not a valid address"))?;
        let domain = parsed.domain();
        if !domain.contains('.') || domain.ends_with('.') || domain.starts_with('.') {
            return Err(bad("needs a domain like example.com"));
        }
        Ok(Self(normal))
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
    fn unicode_and_punycode_meet_in_one_form() {
        let typed = Email::parse("Jörg@Bücher.DE").unwrap();
        assert_eq!(typed.as_str(), "jörg@xn--bcher-kva.de");
        // The identity provider's punycode, and a decomposed ö (NFD), are the same address.
        assert_eq!(Email::parse("jörg@xn--bcher-kva.de").unwrap(), typed);
        assert_eq!(Email::parse("jo\u{308}rg@bücher.de").unwrap(), typed);
        // A whole-script domain is fine.
        assert_eq!(Email::parse("иван@пример.рф").unwrap().as_str(), "иван@xn--e1afmkfd.xn--p1ai");
    }

    #[test]
    fn mixed_script_look_alike_domains_are_refused() {
        for bad in ["ceo@p\u{0430}ypal.com", "ceo@xn--pypal-4ve.com", "a@g\u{03BF}ogle.com"] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_email", "{bad}");
            assert!(err.public_message().contains("mixes scripts"), "{bad}: {}", err.public_message());
        }
    }

    #[test]
    fn masks_local_part() {
        let e = Email::parse("jane@example.com").unwrap();
        assert_eq!(e.masked(), "j***@example.com");
        assert_eq!(format!("{e}"), "j***@example.com");
    }
}
