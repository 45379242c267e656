//! Registering a resource: the validated request.

use crate::Error;
use crate::error::Code;
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

/// Body of `PATCH /v1/resources/{rid}`: the settings owners and admins change.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceSettings {
    /// One reminder before expiry for the resource's pending invites.
    pub reminders: bool,
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
}
