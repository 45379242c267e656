//! Request bodies shared by several routes: one type per shape.

use invites_domain::requests::{Ask, Joined};
use invites_domain::{Error, Role};
use serde::Deserialize;

/// `{token}`: lookup, accept, decline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    pub token: String,
}

/// `{role}`: the role an invite grants or a member has.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

impl RoleBody {
    /// The role, which must be one an invite may grant (never `owner`).
    pub fn role(&self) -> Result<Role, Error> {
        Role::parse_invitable(&self.role)
    }
}

/// `{rotate?, ignoreSuppression?}`: resend.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResendBody {
    #[serde(default)]
    pub rotate: bool,
    #[serde(default)]
    pub ignore_suppression: bool,
}

impl From<ResendBody> for invites_domain::ports::ResendOptions {
    fn from(b: ResendBody) -> Self {
        Self { rotate: b.rotate, ignore_suppression: b.ignore_suppression }
    }
}

/// `{token, note?, locale?}`: joining through a team link; the note and the
/// language of the answer count when the link asks first.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinBody {
    pub token: String,
    #[serde(default, deserialize_with = "invites_domain::text::present")]
    note: Option<String>,
    #[serde(default, deserialize_with = "invites_domain::text::present")]
    locale: Option<String>,
}

impl JoinBody {
    pub fn ask(&self) -> Result<Ask, Error> {
        Ask::validate(self.note.as_deref(), self.locale.as_deref())
    }
}

/// `{note?, locale?}` (or no body): joining through a verified domain.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AskBody {
    #[serde(default, deserialize_with = "invites_domain::text::present")]
    note: Option<String>,
    #[serde(default, deserialize_with = "invites_domain::text::present")]
    locale: Option<String>,
}

impl AskBody {
    pub fn ask(&self) -> Result<Ask, Error> {
        Ask::validate(self.note.as_deref(), self.locale.as_deref())
    }
}

/// A join's answer: 200 with the membership, or 202 with the request when
/// the way in asks first.
pub fn joined(joined: &Joined) -> crate::ApiResult {
    match joined {
        Joined::Member(_) => crate::json(200, joined),
        Joined::Asked { .. } => crate::json(202, joined),
    }
}
