//! Invitation rules with no AWS types: e-mail normalisation, roles, invite
//! states and expiry, seat arithmetic, link tokens and the error vocabulary
//! the HTTP edge turns into responses.

pub mod email;
pub mod error;
pub mod ids;
pub mod invite;
pub mod message;
pub mod role;
pub mod time;
pub mod token;

pub use email::Email;
pub use error::Error;
pub use ids::{InviteId, ResourceId};
pub use invite::{InviteStatus, Locale, StatusFilter};
pub use role::Role;

/// The caller as the API Gateway JWT authorizer (or local dev mode) saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub sub: String,
    /// Normalised e-mail from the `email` claim, when present and valid.
    pub email: Option<Email>,
    pub email_verified: bool,
    /// Display name (`name` claim), if the identity provider sends one.
    pub name: Option<String>,
}

impl Identity {
    /// The name shown to invitees: the display name, else the e-mail, else the id.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.email.as_ref().map(|e| e.as_str().to_owned()))
            .unwrap_or_else(|| self.sub.clone())
    }

    /// The e-mail the identity provider has verified, if any.
    pub fn verified_email(&self) -> Option<&Email> {
        self.email.as_ref().filter(|_| self.email_verified)
    }
}
