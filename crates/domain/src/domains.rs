//! Domain auto-join: an owner adds an e-mail domain to a resource with a
//! default role and proves control of it with a DNS TXT record. Then anyone
//! signed in with a verified address in exactly that domain sees the
//! resource under "my invitations" as joinable and may join it (never
//! silently, and while seats last). Public mail domains are refused.

use crate::error::Code;
use crate::requests::JoinMode;
use crate::time::rfc3339;
use crate::views::ResourceRef;
use crate::{Email, Error, Identity, Role};
use serde::{Deserialize, Serialize};

/// Mail domains where anyone can get an address: joining by such a domain
/// would let the whole world in.
pub const PUBLIC_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aol.com",
    "comcast.net",
    "fastmail.com",
    "free.fr",
    "freenet.de",
    "gmail.com",
    "gmx.at",
    "gmx.ch",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.co.uk",
    "hotmail.com",
    "hotmail.de",
    "hotmail.fr",
    "icloud.com",
    "libero.it",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.de",
    "mail.ru",
    "mailbox.org",
    "me.com",
    "msn.com",
    "naver.com",
    "orange.fr",
    "outlook.com",
    "outlook.de",
    "pm.me",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "web.de",
    "yahoo.co.uk",
    "yahoo.com",
    "yahoo.de",
    "yahoo.fr",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
];

/// Domains one resource may hold.
pub const MAX_PER_RESOURCE: usize = 20;
/// Where the owner puts the TXT record, under their domain.
pub const TXT_PREFIX: &str = "_invites-challenge";
/// The record's value starts with this.
pub const TXT_VALUE_PREFIX: &str = "invites-verification=";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewDomainBody {
    pub domain: String,
    pub role: String,
    /// `direct` (the default) or `ask` (`requests`).
    #[serde(default, deserialize_with = "crate::text::present")]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDomain {
    pub domain: String,
    pub role: Role,
    pub mode: JoinMode,
}

impl NewDomain {
    pub fn validate(body: NewDomainBody) -> Result<Self, Error> {
        let domain = normalise(&body.domain)?;
        if is_public(&domain) {
            return Err(Error::invalid(
                Code::PublicDomain,
                "a public mail domain cannot be used: anyone can get an address there",
            ));
        }
        let mode = body.mode.as_deref().map(JoinMode::parse).transpose()?.unwrap_or_default();
        Ok(Self { domain, role: Role::parse_invitable(&body.role)?, mode })
    }
}

/// A domain name as the service keeps it: lower case ASCII (IDNA), no
/// trailing dot, at least two labels of letters, digits and hyphens.
pub fn normalise(domain: &str) -> Result<String, Error> {
    let invalid = || Error::invalid(Code::InvalidDomain, "enter a domain name like example.org");
    let trimmed = domain.trim();
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| invalid())?;
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    let tld_ok = labels.last().is_some_and(|t| !t.bytes().all(|b| b.is_ascii_digit()));
    if ascii.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) || !tld_ok {
        return Err(invalid());
    }
    Ok(ascii)
}

/// Whether anyone can get an address at `domain` (or a subdomain of such).
pub fn is_public(domain: &str) -> bool {
    PUBLIC_DOMAINS.iter().any(|p| domain == *p || domain.strip_suffix(p).is_some_and(|rest| rest.ends_with('.')))
}

/// The domain of a verified address, as [`normalise`] keeps it.
pub fn domain_of(email: &Email) -> Option<String> {
    email.as_str().rsplit_once('@').and_then(|(_, d)| normalise(d).ok())
}

/// A domain on a resource, verified or waiting for its TXT record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainClaim {
    pub resource_id: String,
    pub domain: String,
    pub role: Role,
    /// Join at once or ask first (claims made before modes existed: at once).
    #[serde(default, skip_serializing_if = "JoinMode::is_direct")]
    pub mode: JoinMode,
    /// What the TXT record must carry (base64url, 128 bits).
    pub challenge: String,
    pub created_by: String,
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<i64>,
}

impl DomainClaim {
    pub fn new(resource_id: &str, new: NewDomain, challenge: String, by: &str, now: i64) -> Self {
        Self {
            resource_id: resource_id.to_owned(),
            domain: new.domain,
            role: new.role,
            mode: new.mode,
            challenge,
            created_by: by.to_owned(),
            created_at: now,
            verified_at: None,
        }
    }
    pub fn txt_name(&self) -> String {
        format!("{TXT_PREFIX}.{}", self.domain)
    }
    pub fn txt_value(&self) -> String {
        format!("{TXT_VALUE_PREFIX}{}", self.challenge)
    }
    /// Whether the TXT records found at [`Self::txt_name`] prove control:
    /// one of them is exactly the value (a record split into strings of at
    /// most 255 bytes arrives joined; quotes pasted into it are ignored).
    pub fn proven_by(&self, records: &[String]) -> bool {
        let want = self.txt_value();
        records.iter().any(|r| r.trim().trim_matches('"') == want)
    }
}

/// What a TXT lookup found, for [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxtAnswer {
    Records(Vec<String>),
    /// No record at that name (NXDOMAIN or an empty answer).
    None,
    /// The resolver did not answer (timeout, SERVFAIL): why.
    Failed(String),
}

/// The outcome of checking a claim's record: `Ok` when proven.
pub fn verify(claim: &DomainClaim, answer: &TxtAnswer) -> Result<(), Error> {
    let not_yet = |why: String| {
        Error::conflict(
            Code::DomainNotVerified,
            format!("{why}; DNS changes can take a while to be seen, try again later"),
        )
    };
    match answer {
        TxtAnswer::Records(r) if claim.proven_by(r) => Ok(()),
        TxtAnswer::Records(r) => {
            Err(not_yet(format!("{} has {} TXT record(s) but not the expected value", claim.txt_name(), r.len())))
        }
        TxtAnswer::None => Err(not_yet(format!("no TXT record at {}", claim.txt_name()))),
        TxtAnswer::Failed(why) => Err(not_yet(format!("the DNS lookup of {} failed ({why})", claim.txt_name()))),
    }
}

/// Whether `who` may join through `claim`: a verified claim on the domain
/// of the caller's verified address.
pub fn may_join(claim: Option<&DomainClaim>, who: &Identity) -> Result<(), Error> {
    let Some(email) = who.verified_email() else {
        return Err(Error::forbidden(Code::EmailNotVerified, "sign in with a verified e-mail address to join"));
    };
    match claim {
        Some(c) if c.verified_at.is_some() && domain_of(email).as_deref() == Some(c.domain.as_str()) => Ok(()),
        // Never say which domains a resource holds to someone outside them.
        _ => Err(Error::NotFound),
    }
}

/// A domain as the owner sees it, with the record to add while unverified.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DomainView {
    pub domain: String,
    pub role: Role,
    pub mode: JoinMode,
    pub verified: bool,
    pub txt_name: String,
    pub txt_value: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
}

impl From<&DomainClaim> for DomainView {
    fn from(c: &DomainClaim) -> Self {
        Self {
            domain: c.domain.clone(),
            role: c.role,
            mode: c.mode,
            verified: c.verified_at.is_some(),
            txt_name: c.txt_name(),
            txt_value: c.txt_value(),
            created_at: rfc3339(c.created_at),
            verified_at: c.verified_at.map(rfc3339),
        }
    }
}

/// A resource the caller may join because of their address's domain.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Joinable {
    pub resource: ResourceRef,
    pub role: Role,
    pub domain: String,
    /// `ask`: joining sends a request an owner or admin decides.
    pub mode: JoinMode,
}

/// What adding a domain to a resource that holds `held` does.
#[derive(Debug, PartialEq)]
pub enum Adding<'a> {
    /// Held already with the same role and mode: nothing changes.
    Held(&'a DomainClaim),
    /// Held with another role or mode: adding it again changes them (audited).
    Change(&'a DomainClaim),
    /// A new claim, to prove.
    New,
}

/// Decides adding `new`: held already (same or other role), refused with
/// 409 `too_many_domains` at [`MAX_PER_RESOURCE`], or new.
pub fn adding<'a>(held: &'a [DomainClaim], new: &NewDomain) -> Result<Adding<'a>, Error> {
    match held.iter().find(|c| c.domain == new.domain) {
        Some(existing) if existing.role == new.role && existing.mode == new.mode => Ok(Adding::Held(existing)),
        Some(existing) => Ok(Adding::Change(existing)),
        None if held.len() >= MAX_PER_RESOURCE => Err(Error::conflict(
            Code::TooManyDomains,
            format!("a resource can have at most {MAX_PER_RESOURCE} domains; remove one first"),
        )),
        None => Ok(Adding::New),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(domain: &str, role: &str) -> NewDomainBody {
        NewDomainBody { domain: domain.into(), role: role.into(), mode: None }
    }

    fn claim(verified: bool) -> DomainClaim {
        let new = NewDomain::validate(body("acme.test", "read_only")).unwrap();
        DomainClaim { verified_at: verified.then_some(5), ..DomainClaim::new("r", new, "abc".into(), "owner", 0) }
    }

    fn who(email: &str, verified: bool) -> Identity {
        Identity { sub: "u".into(), email: Some(Email::parse(email).unwrap()), email_verified: verified, name: None }
    }

    #[test]
    fn domains_are_kept_as_lower_case_ascii() {
        assert_eq!(normalise(" Acme.Example. ").unwrap(), "acme.example");
        assert_eq!(normalise("bücher.example").unwrap(), "xn--bcher-kva.example");
        for bad in
            ["", "acme", "acme..example", "-acme.example", "acme.example/x", "a b.example", "10.0.0.1", "@acme.io"]
        {
            assert_eq!(normalise(bad).unwrap_err().code(), "invalid_domain", "{bad}");
        }
        assert_eq!(normalise(&format!("{}.example", "a".repeat(64))).unwrap_err().code(), "invalid_domain");
    }

    #[test]
    fn public_mail_domains_and_owner_roles_are_refused() {
        for public in ["gmail.com", "GMail.com", "mx.outlook.com", "proton.me."] {
            assert_eq!(NewDomain::validate(body(public, "admin")).unwrap_err().code(), "public_domain", "{public}");
        }
        assert!(NewDomain::validate(body("notgmail.com", "admin")).is_ok(), "only the domain itself and below");
        assert_eq!(NewDomain::validate(body("acme.test", "owner")).unwrap_err().code(), "invalid_role");
    }

    #[test]
    fn only_the_exact_record_value_proves_control() {
        let c = claim(false);
        assert_eq!(c.txt_name(), "_invites-challenge.acme.test");
        assert!(verify(&c, &TxtAnswer::Records(vec!["v=spf1 -all".into(), "invites-verification=abc".into()])).is_ok());
        assert!(verify(&c, &TxtAnswer::Records(vec!["\"invites-verification=abc\"".into()])).is_ok());
        for wrong in [
            TxtAnswer::Records(vec!["invites-verification=abcd".into()]),
            TxtAnswer::Records(vec!["invites-verification=".into()]),
            TxtAnswer::None,
            TxtAnswer::Failed("timed out".into()),
        ] {
            assert_eq!(verify(&c, &wrong).unwrap_err().code(), "domain_not_verified", "{wrong:?}");
        }
    }

    #[test]
    fn only_verified_addresses_in_a_verified_domain_may_join() {
        let (verified, pending) = (claim(true), claim(false));
        assert!(may_join(Some(&verified), &who("a@ACME.test", true)).is_ok());
        assert_eq!(may_join(Some(&verified), &who("a@acme.test", false)).unwrap_err().code(), "email_not_verified");
        assert_eq!(may_join(Some(&pending), &who("a@acme.test", true)).unwrap_err(), Error::NotFound);
        assert_eq!(may_join(Some(&verified), &who("a@eng.acme.test", true)).unwrap_err(), Error::NotFound);
        assert_eq!(may_join(Some(&verified), &who("a@acme.test.evil", true)).unwrap_err(), Error::NotFound);
        assert_eq!(may_join(None, &who("a@acme.test", true)).unwrap_err(), Error::NotFound);
    }

    #[test]
    fn adding_a_held_domain_changes_only_its_role_or_mode_and_the_limit_stops_new_ones() {
        let new = |d: &str, role, mode| NewDomain { domain: d.into(), role, mode };
        let claim = |d: &str, role| DomainClaim::new("R", new(d, role, JoinMode::Direct), "c".into(), "u", 0);
        let held = vec![claim("a.example", Role::READ_ONLY)];
        let again = new("a.example", Role::READ_ONLY, JoinMode::Direct);
        assert_eq!(adding(&held, &again), Ok(Adding::Held(&held[0])));
        let other_role = new("a.example", Role::ADMIN, JoinMode::Direct);
        assert_eq!(adding(&held, &other_role), Ok(Adding::Change(&held[0])));
        let asking = new("a.example", Role::READ_ONLY, JoinMode::Ask);
        assert_eq!(adding(&held, &asking), Ok(Adding::Change(&held[0])));
        let full: Vec<_> = (0..MAX_PER_RESOURCE).map(|i| claim(&format!("d{i}.example"), Role::READ_ONLY)).collect();
        let fresh = new("new.example", Role::READ_ONLY, JoinMode::Direct);
        assert_eq!(adding(&full, &fresh).unwrap_err().code(), "too_many_domains");
        assert_eq!(adding(&full[1..], &fresh), Ok(Adding::New));
    }
}
