//! Invite states, expiry rules and the validated "new invite" request.

use crate::error::Code;
use crate::redirect::RedirectOrigins;
use crate::{Email, Error, Role, time::DAY};
use serde::{Deserialize, Serialize};

pub const DEFAULT_EXPIRY_DAYS: i64 = 7;
pub const MAX_EXPIRY_DAYS: i64 = 30;
pub const MAX_MESSAGE_CHARS: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
    Declined,
    /// The address bounced for good or complained; resend may bring it back.
    Undeliverable,
    /// Pending, but whoever sent it no longer manages the resource
    /// (`members::still_manages`): it cannot be accepted. Never stored: the
    /// views derive it from the inviter's membership.
    Withdrawn,
}

impl InviteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Revoked => "revoked",
            Self::Expired => "expired",
            Self::Declined => "declined",
            Self::Undeliverable => "undeliverable",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "accepted" => Self::Accepted,
            "revoked" => Self::Revoked,
            "expired" => Self::Expired,
            "declined" => Self::Declined,
            "undeliverable" => Self::Undeliverable,
            _ => return None,
        })
    }

    /// Not ended for good: an admin may still revoke or resend it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Expired | Self::Undeliverable | Self::Withdrawn)
    }

    /// The state a reader must see: a pending invite past its expiry is
    /// expired even while DynamoDB TTL has not removed or touched it.
    pub fn effective(self, expires_at: i64, now: i64) -> Self {
        if self == Self::Pending && expires_at <= now { Self::Expired } else { self }
    }

    /// The state people see once the inviter's membership is known: a
    /// pending invite from someone who no longer manages is withdrawn.
    pub fn unless_withdrawn(self, inviter_manages: bool) -> Self {
        if self == Self::Pending && !inviter_manages { Self::Withdrawn } else { self }
    }
}

/// `?status=` on the list route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    All,
    Only(InviteStatus),
}

impl StatusFilter {
    pub fn parse(s: Option<&str>) -> Result<Self, Error> {
        match s {
            None | Some("all") => Ok(Self::All),
            Some(s) => InviteStatus::parse(s).map(Self::Only).ok_or_else(|| {
                Error::invalid(
                    Code::InvalidStatus,
                    "status must be one of: pending, accepted, revoked, expired, declined, undeliverable, all",
                )
            }),
        }
    }

    /// What the filter keeps, stated on the stored status and expiry (a
    /// pending invite past its expiry is expired, whatever TTL has done).
    pub fn keeps(self) -> Keeps {
        match self {
            Self::All => Keeps::Everything,
            Self::Only(InviteStatus::Pending) => Keeps::LivePending,
            Self::Only(InviteStatus::Expired) => Keeps::ExpiredOrPastExpiry,
            Self::Only(other) => Keeps::Stored(other),
        }
    }
}

/// The meaning of a [`StatusFilter`], for a store to express as a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeps {
    Everything,
    /// Stored as pending and not yet expired.
    LivePending,
    /// Stored as expired, or stored as pending and expired.
    ExpiredOrPastExpiry,
    /// Stored with this status.
    Stored(InviteStatus),
}

/// A language of the e-mails, the landing pages and the screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "de")]
    De,
    #[serde(rename = "fr")]
    Fr,
    #[serde(rename = "es")]
    Es,
    #[serde(rename = "it")]
    It,
    #[serde(rename = "nl")]
    Nl,
    #[serde(rename = "pl")]
    Pl,
    #[serde(rename = "pt-BR")]
    PtBr,
    #[serde(rename = "ja")]
    Ja,
    #[serde(rename = "ar")]
    Ar,
}

impl Locale {
    /// Every UI language.
    pub const ALL: [Locale; 10] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Es,
        Locale::It,
        Locale::Nl,
        Locale::Pl,
        Locale::PtBr,
        Locale::Ja,
        Locale::Ar,
    ];

    /// The supported language a BCP 47 tag asks for: the tag itself
    /// (`pt-BR`), else its language (`de-AT` → `de`, `pt-PT` → `pt-BR`,
    /// `es-419` → `es`); `None` for a well-formed tag of another language
    /// (`sv`), which then falls back (the resource's default, then the
    /// deployment's). Not a language tag at all: 422 `invalid_locale`.
    pub fn negotiate(tag: &str) -> Result<Option<Self>, Error> {
        let tag = tag.trim().replace('_', "-");
        let mut parts = tag.split('-');
        let lang = parts.next().unwrap_or("").to_ascii_lowercase();
        let well_formed = (2..=3).contains(&lang.len())
            && lang.bytes().all(|b| b.is_ascii_lowercase())
            && tag.len() <= 35
            && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(Error::invalid(Code::InvalidLocale, "locale must be a language tag such as en, de or pt-BR"));
        }
        Ok(Self::ALL.into_iter().find(|l| l.as_str().split('-').next() == Some(lang.as_str())))
    }

    /// A language tag as the deployment's configuration names it: a
    /// supported one, or an error naming the supported ones.
    pub fn configured(tag: &str) -> Result<Self, String> {
        match Self::negotiate(tag) {
            Ok(Some(l)) => Ok(l),
            _ => {
                Err(format!("{tag:?} is not a supported language; one of: {}", Self::ALL.map(Self::as_str).join(", ")))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
            Self::Fr => "fr",
            Self::Es => "es",
            Self::It => "it",
            Self::Nl => "nl",
            Self::Pl => "pl",
            Self::PtBr => "pt-BR",
            Self::Ja => "ja",
            Self::Ar => "ar",
        }
    }

    /// Written right to left.
    pub fn is_rtl(self) -> bool {
        self == Self::Ar
    }
}

/// The language an invite's e-mail and landing page use: the invite's own,
/// else the resource's default, else the deployment's.
pub fn mail_locale(invite: Option<Locale>, resource: Option<Locale>, deployment: Locale) -> Locale {
    invite.or(resource).unwrap_or(deployment)
}

/// The body of `POST /v1/resources/{rid}/invites` as a client sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewInviteBody {
    pub email: String,
    pub role: String,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub locale: Option<String>,
    #[serde(default, deserialize_with = "crate::text::whole_number")]
    pub expires_in_days: Option<i64>,
    /// Invite an address on the resource's suppression list anyway.
    #[serde(default)]
    pub ignore_suppression: bool,
    /// `false`: no reminder before expiry for this invite.
    #[serde(default, deserialize_with = "crate::text::present")]
    pub reminder: Option<bool>,
    /// Where accept sends the invitee (an allowed origin only).
    #[serde(default, deserialize_with = "crate::text::present")]
    pub redirect_url: Option<String>,
    /// The caller's own data, kept with the invite and copied to the membership.
    #[serde(default, deserialize_with = "crate::text::present")]
    pub metadata: Option<Metadata>,
}

/// A small JSON object a caller keeps with an invite (their ids, a team, a
/// plan); the service never reads it.
pub type Metadata = serde_json::Map<String, serde_json::Value>;

/// The largest `metadata`, as compact JSON.
pub const MAX_METADATA_BYTES: usize = 2048;

/// Records keep `metadata` as its JSON text: stored as it came, whatever
/// numbers or keys it holds (DynamoDB's own maps refuse numbers beyond
/// 1e125, empty keys and deep nesting).
pub mod metadata_as_text {
    use super::Metadata;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &Option<Metadata>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.serialize_str(&serde_json::to_string(m).map_err(serde::ser::Error::custom)?),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Metadata>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| serde_json::from_str(&text).map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// A validated invite request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    pub email: Email,
    pub role: Role,
    pub message: Option<String>,
    /// The e-mail's language if the caller named a supported one.
    pub locale: Option<Locale>,
    pub expires_in_days: i64,
    /// The admin knows the address bounced or complained and invites anyway.
    pub ignore_suppression: bool,
    /// One reminder before expiry (unless the resource turned them off).
    pub reminder: bool,
    pub redirect_url: Option<String>,
    pub metadata: Option<Metadata>,
}

impl NewInvite {
    pub fn validate(body: NewInviteBody, origins: &RedirectOrigins) -> Result<Self, Error> {
        let email = Email::parse(&body.email)?;
        let role = Role::parse_invitable(&body.role)?;
        let message = match body.message.map(|m| m.trim().to_owned()) {
            Some(m) if m.chars().count() > MAX_MESSAGE_CHARS => {
                return Err(Error::invalid(
                    Code::InvalidMessage,
                    format!("message must be at most {MAX_MESSAGE_CHARS} characters"),
                ));
            }
            Some(m) if m.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') => {
                return Err(Error::invalid(Code::InvalidMessage, "message contains control characters"));
            }
            Some(m) if m.is_empty() => None,
            other => other,
        };
        let locale = body.locale.as_deref().map(Locale::negotiate).transpose()?.flatten();
        let expires_in_days = body.expires_in_days.unwrap_or(DEFAULT_EXPIRY_DAYS);
        if !(1..=MAX_EXPIRY_DAYS).contains(&expires_in_days) {
            return Err(Error::invalid(
                Code::InvalidExpiresInDays,
                format!("expiresInDays must be between 1 and {MAX_EXPIRY_DAYS}"),
            ));
        }
        let redirect_url = body.redirect_url.as_deref().map(|u| origins.check(u)).transpose()?;
        let metadata = body.metadata.filter(|m| !m.is_empty());
        if metadata
            .as_ref()
            .is_some_and(|m| serde_json::to_string(m).map_or(usize::MAX, |s| s.len()) > MAX_METADATA_BYTES)
        {
            return Err(Error::invalid(
                Code::InvalidMetadata,
                format!("metadata must be a JSON object of at most {MAX_METADATA_BYTES} bytes"),
            ));
        }
        Ok(Self {
            email,
            role,
            message,
            locale,
            expires_in_days,
            ignore_suppression: body.ignore_suppression,
            reminder: body.reminder.unwrap_or(true),
            redirect_url,
            metadata,
        })
    }

    pub fn expires_at(&self, now: i64) -> i64 {
        now + self.expires_in_days * DAY
    }
}

impl NewInvite {
    /// Fingerprint of the request for `Idempotency-Key` replays: the same key
    /// with a different request is refused.
    pub fn fingerprint(&self, resource_id: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut canonical = serde_json::json!([
            resource_id,
            self.email.as_str(),
            self.role.as_str(),
            self.message,
            self.locale.map_or("en", Locale::as_str),
            self.expires_in_days,
        ]);
        if let Some(a) = canonical.as_array_mut() {
            if !self.reminder {
                a.push("no reminder".into());
            }
            // Appended only when present, so keys of older requests still match.
            if self.redirect_url.is_some() || self.metadata.is_some() {
                a.push(serde_json::json!({"redirectUrl": self.redirect_url, "metadata": self.metadata}));
            }
        }
        let digest = Sha256::digest(canonical.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The same `Idempotency-Key` came with a different request.
pub fn idempotency_key_reused() -> Error {
    Error::invalid(Code::IdempotencyKeyReused, "this Idempotency-Key was used with a different request")
}

/// Checks an `Idempotency-Key` header value: 1 to 128 visible ASCII characters.
pub fn validate_idempotency_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::invalid(
            Code::InvalidIdempotencyKey,
            "Idempotency-Key must be 1 to 128 visible ASCII characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(email: &str, role: &str) -> NewInviteBody {
        NewInviteBody { email: email.into(), role: role.into(), ..Default::default() }
    }

    fn validate(b: NewInviteBody) -> Result<NewInvite, Error> {
        NewInvite::validate(b, &RedirectOrigins::parse("https://app.example.com").unwrap())
    }

    #[test]
    fn redirect_and_metadata_are_checked_and_part_of_the_fingerprint() {
        let plain = validate(body("a@b.co", "admin")).unwrap();
        let mut b = body("a@b.co", "admin");
        b.redirect_url = Some("https://app.example.com/welcome".into());
        b.metadata = Some(serde_json::from_str(r#"{"team":"blue","seat":3}"#).unwrap());
        let v = validate(b.clone()).unwrap();
        assert_eq!(v.redirect_url.as_deref(), Some("https://app.example.com/welcome"));
        assert_eq!(v.metadata.as_ref().unwrap()["seat"], 3);
        assert_ne!(v.fingerprint("r"), plain.fingerprint("r"));
        let mut other = b.clone();
        other.metadata = Some(serde_json::from_str(r#"{"team":"red","seat":3}"#).unwrap());
        assert_ne!(validate(other).unwrap().fingerprint("r"), v.fingerprint("r"));
        b.redirect_url = Some("https://elsewhere.example.com/".into());
        assert_eq!(validate(b.clone()).unwrap_err().code(), "redirect_not_allowed");
        b.redirect_url = None;
        b.metadata = Some(serde_json::from_str(&format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_METADATA_BYTES))).unwrap());
        assert_eq!(validate(b.clone()).unwrap_err().code(), "invalid_metadata");
        b.metadata = Some(Metadata::new());
        assert_eq!(validate(b).unwrap().metadata, None, "an empty object is no metadata");
    }

    #[test]
    fn pending_past_expiry_reads_as_expired() {
        assert_eq!(InviteStatus::Pending.effective(100, 99), InviteStatus::Pending);
        assert_eq!(InviteStatus::Pending.effective(100, 100), InviteStatus::Expired);
        assert_eq!(InviteStatus::Revoked.effective(100, 200), InviteStatus::Revoked);
        assert_eq!(InviteStatus::Accepted.effective(100, 200), InviteStatus::Accepted);
    }

    #[test]
    fn defaults() {
        let v = validate(body("A@B.co", "admin")).unwrap();
        assert_eq!(v.email.as_str(), "a@b.co");
        assert_eq!(v.expires_in_days, 7);
        assert_eq!(v.locale, None, "no language named: the resource's or the deployment's");
        assert_eq!(v.expires_at(1000), 1000 + 7 * DAY);
        assert!(v.reminder);
        let mut b = body("a@b.co", "admin");
        b.reminder = Some(false);
        let off = validate(b).unwrap();
        assert!(!off.reminder);
        assert_ne!(off.fingerprint("r"), v.fingerprint("r"), "a replay must ask for the same reminder");
    }

    #[test]
    fn expiry_bounds() {
        for (days, ok) in [(0, false), (1, true), (30, true), (31, false), (-5, false)] {
            let mut b = body("a@b.co", "read_only");
            b.expires_in_days = Some(days);
            assert_eq!(validate(b).is_ok(), ok, "{days}");
        }
    }

    #[test]
    fn message_and_locale_rules() {
        let mut b = body("a@b.co", "admin");
        b.message = Some("x".repeat(1001));
        assert_eq!(validate(b).unwrap_err().code(), "invalid_message");
        let locale = |tag: &str| {
            let mut b = body("a@b.co", "admin");
            b.locale = Some(tag.into());
            validate(b).map(|v| v.locale)
        };
        assert_eq!(locale("de-AT").unwrap(), Some(Locale::De));
        assert_eq!(locale("fr").unwrap(), Some(Locale::Fr));
        assert_eq!(locale("pt").unwrap(), Some(Locale::PtBr));
        assert_eq!(locale("PT_pt").unwrap(), Some(Locale::PtBr));
        assert_eq!(locale("es-419").unwrap(), Some(Locale::Es));
        assert_eq!(locale("ar-EG").unwrap(), Some(Locale::Ar));
        assert_eq!(locale("sv").unwrap(), None, "another language falls back, no error");
        for bad in ["x", "english", "de--AT", "d3", "de-AT-toolongsubtag"] {
            assert_eq!(locale(bad).unwrap_err().code(), "invalid_locale", "{bad:?}");
        }
    }

    /// The tags inside `[...]` after `marker` in a file of the repository.
    fn listed(path: &str, marker: &str) -> Vec<String> {
        let full = format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
        let at = text.find(marker).unwrap_or_else(|| panic!("{marker} in {path}")) + marker.len();
        let list = &text[at..];
        let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
        list.split(',').map(|t| t.trim().trim_matches(['\'', '"']).to_owned()).filter(|t| !t.is_empty()).collect()
    }

    #[test]
    fn every_language_is_everywhere_a_language_is_listed() {
        // docs/locales.md, step 1: the service's list is the screens', the contract's and the template's.
        let ours: Vec<String> = Locale::ALL.iter().map(|l| l.as_str().to_owned()).collect();
        assert_eq!(listed("web/src/config.ts", "export const LOCALES ="), ours, "web/src/config.ts LOCALES");
        assert_eq!(
            listed("openapi.yaml", "A language of the e-mails and screens.\n      enum:"),
            ours,
            "openapi Locale"
        );
        assert_eq!(
            listed("template.yaml", "DefaultLocale:\n    Type: String\n    Default: en\n    AllowedValues:"),
            ours
        );
        let rtl: Vec<String> = Locale::ALL.iter().filter(|l| l.is_rtl()).map(|l| l.as_str().to_owned()).collect();
        assert_eq!(listed("web/src/config.ts", "export const RTL_LOCALES: readonly Locale[] ="), rtl, "right to left");
        for l in Locale::ALL {
            for dir in ["web/src/locales", "functions/send-invite-email/locales"] {
                let file = format!("{}/../../{dir}/{}.json", env!("CARGO_MANIFEST_DIR"), l.as_str());
                assert!(std::path::Path::new(&file).exists(), "{file}");
            }
        }
    }

    #[test]
    fn languages_fall_back_from_invite_to_resource_to_deployment() {
        use Locale::*;
        assert_eq!(mail_locale(Some(Ja), Some(De), Fr), Ja);
        assert_eq!(mail_locale(None, Some(De), Fr), De);
        assert_eq!(mail_locale(None, None, Fr), Fr);
        for l in Locale::ALL {
            assert_eq!(Locale::negotiate(l.as_str()).unwrap(), Some(l));
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        assert!(Locale::configured("xx").unwrap_err().contains("pt-BR"));
        assert!(Ar.is_rtl() && !De.is_rtl());
    }

    #[test]
    fn status_filter() {
        assert_eq!(StatusFilter::parse(None).unwrap(), StatusFilter::All);
        assert_eq!(StatusFilter::parse(Some("expired")).unwrap(), StatusFilter::Only(InviteStatus::Expired));
        assert_eq!(StatusFilter::parse(Some("bogus")).unwrap_err().status(), 422);
        assert_eq!(StatusFilter::Only(InviteStatus::Pending).keeps(), Keeps::LivePending);
        assert_eq!(StatusFilter::Only(InviteStatus::Expired).keeps(), Keeps::ExpiredOrPastExpiry);
        assert_eq!(StatusFilter::Only(InviteStatus::Revoked).keeps(), Keeps::Stored(InviteStatus::Revoked));
    }
}
