//! Request bodies shared by several routes: one type per shape.

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
