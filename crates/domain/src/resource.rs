//! Registering a resource: the validated request.

use crate::error::Code;
use crate::{Error, Locale};
use serde::Deserialize;

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_CLIENT_ID_CHARS: usize = 128;

/// Body of `POST /v1/resources`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewResourceBody {
    pub name: String,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub client_id: Option<String>,
    /// `false`: no reminders before expiry for this resource's invites.
    #[serde(default, deserialize_with = "crate::text::present")]
    pub reminders: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResource {
    pub name: String,
    pub client_id: Option<String>,
    pub reminders: bool,
}

/// Body of `PATCH /v1/resources/{rid}`: the settings owners and admins
/// change; what it leaves out stays as it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceSettingsBody {
    /// One reminder before expiry for the resource's pending invites.
    #[serde(default, deserialize_with = "crate::text::present")]
    pub reminders: Option<bool>,
    /// The language of its invitations that name none; `""`: the deployment's.
    #[serde(default, deserialize_with = "crate::text::present")]
    pub default_locale: Option<String>,
}

/// The validated change of a resource's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceSettings {
    pub reminders: Option<bool>,
    /// `Some(None)`: back to the deployment's default.
    pub default_locale: Option<Option<Locale>>,
}

impl ResourceSettings {
    pub fn validate(body: ResourceSettingsBody) -> Result<Self, Error> {
        let default_locale = match body.default_locale.as_deref().map(str::trim) {
            None => None,
            Some("") => Some(None),
            // An admin's setting: a language this service does not speak is refused, not dropped.
            Some(tag) => Some(Some(Locale::negotiate(tag)?.ok_or_else(|| {
                Error::invalid(Code::InvalidLocale, format!("{tag} is not one of the service's languages"))
            })?)),
        };
        if body.reminders.is_none() && default_locale.is_none() {
            return Err(Error::invalid(Code::InvalidRequest, "name a setting to change: reminders or defaultLocale"));
        }
        Ok(Self { reminders: body.reminders, default_locale })
    }

    /// The audit entries' details, one per setting changed.
    pub fn details(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(on) = self.reminders {
            out.push(format!("reminders {}", if on { "on" } else { "off" }));
        }
        if let Some(l) = self.default_locale {
            out.push(format!("locale {}", l.map_or("default", Locale::as_str)));
        }
        out
    }
}

fn printable(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

impl NewResource {
    pub fn validate(body: NewResourceBody) -> Result<Self, Error> {
        let name = crate::text::one_line(&body.name);
        // The limit holds for what was sent (as the schema says), not only for what is kept.
        let too_long = body.name.chars().count() > MAX_NAME_CHARS;
        if name.is_empty() || too_long || !printable(&name) {
            return Err(Error::invalid(
                Code::InvalidName,
                format!("name must be 1 to {MAX_NAME_CHARS} printable characters"),
            ));
        }
        let client_id = body.client_id.map(|c| c.trim().to_owned());
        if let Some(c) = &client_id
            && (c.is_empty() || c.chars().count() > MAX_CLIENT_ID_CHARS || !printable(c))
        {
            return Err(Error::invalid(
                Code::InvalidClientId,
                format!("clientId must be 1 to {MAX_CLIENT_ID_CHARS} printable characters"),
            ));
        }
        Ok(Self { name, client_id, reminders: body.reminders.unwrap_or(true) })
    }
}

/// Every link of a deleted resource, and the resource itself, answers this
/// (410 `resource_deleted`).
pub fn deleted() -> crate::Error {
    crate::Error::gone(crate::error::Code::ResourceDeleted, "this resource was deleted")
}

/// How long the sweep takes to remove a deleted resource's items: it runs
/// every few minutes and removes up to [`CLEAN_UP_PER_RUN`] items a run.
pub const CLEAN_UP_PER_RUN: usize = 5000;

#[cfg(test)]
mod tests {
    use super::*;

    fn body(name: &str, client_id: Option<&str>) -> NewResourceBody {
        NewResourceBody { name: name.into(), client_id: client_id.map(Into::into), reminders: None }
    }

    #[test]
    fn names_and_client_ids() {
        assert_eq!(NewResource::validate(body("  Site  ", None)).unwrap().name, "Site");
        assert_eq!(NewResource::validate(body("Shop\u{202E}gnp.exe", None)).unwrap().name, "Shopgnp.exe");
        assert_eq!(NewResource::validate(body("a\u{7}b", None)).unwrap().name, "a b");
        // 201 characters as sent, even when fewer would be kept (control characters dropped).
        let padded = format!("{}\u{1}\u{1}", "x".repeat(199));
        for bad in ["", "   ", "\u{202E}", &"x".repeat(201), &padded] {
            assert_eq!(NewResource::validate(body(bad, None)).unwrap_err().code(), "invalid_name", "{bad:?}");
        }
        assert_eq!(NewResource::validate(body("S", Some(" c-1 "))).unwrap().client_id.as_deref(), Some("c-1"));
        for bad in ["", "a\nb", &"c".repeat(129)] {
            assert_eq!(NewResource::validate(body("S", Some(bad))).unwrap_err().code(), "invalid_client_id");
        }
    }

    #[test]
    fn settings_change_what_they_name() {
        let set = |json: &str| ResourceSettings::validate(serde_json::from_str(json).unwrap());
        let s = set(r#"{"defaultLocale": "pt"}"#).unwrap();
        assert_eq!((s.reminders, s.default_locale), (None, Some(Some(Locale::PtBr))));
        assert_eq!(s.details(), ["locale pt-BR"]);
        let s = set(r#"{"reminders": false, "defaultLocale": ""}"#).unwrap();
        assert_eq!(s.details(), ["reminders off", "locale default"]);
        assert_eq!(set(r#"{"defaultLocale": "sv"}"#).unwrap_err().code(), "invalid_locale");
        assert_eq!(set(r#"{"defaultLocale": "no such"}"#).unwrap_err().code(), "invalid_locale");
        assert_eq!(set("{}").unwrap_err().code(), "invalid_request");
        assert!(serde_json::from_str::<ResourceSettingsBody>(r#"{"defaultLocale": null}"#).is_err());
    }
}
