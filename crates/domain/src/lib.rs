//! Every decision of the service, with no AWS types: values (e-mails,
//! roles, ids, link tokens), the invite state machine (`lifecycle`), seat
//! accounting (`seats`), sending budgets (`budgets`), owner protection
//! (`members`), limits and retention (`limits`), bulk invites (`bulk`), team
//! links (`team_links`), the customer's plan (`plan`), where accept may
//! redirect (`redirect`), the mail worker's send decision (`mail`), what SES
//! reports after sending (`delivery`), the scheduled re-queue and reminder
//! (`sweep`), the lifecycle events published from the audit trail
//! (`events`), the records and the JSON views, the error vocabulary, and the
//! use-case ports the store implements (`ports`). Unit-tested in seconds:
//! `make unit`.

pub mod audit;
pub mod audit_export;
pub mod budgets;
pub mod bulk;
pub mod delivery;
pub mod domains;
pub mod email;
pub mod error;
pub mod events;
pub mod ids;
pub mod invite;
pub mod lifecycle;
pub mod limits;
pub mod mail;
pub mod members;
pub mod message;
pub mod people;
pub mod plan;
pub mod ports;
pub mod records;
pub mod redirect;
pub mod requests;
pub mod resource;
pub mod role;
pub mod seats;
pub mod sweep;
pub mod team_links;
pub mod text;
pub mod time;
pub mod token;
pub mod views;
pub mod webhooks;

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
    /// The name shown to invitees: the display name, else the verified
    /// e-mail (never an unverified one: anyone can claim any address), else the id.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.verified_email().map(|e| e.as_str().to_owned()))
            .unwrap_or_else(|| self.sub.clone())
    }

    /// The e-mail the identity provider has verified, if any.
    pub fn verified_email(&self) -> Option<&Email> {
        self.email.as_ref().filter(|_| self.email_verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unverified_address_is_never_shown_as_the_inviter() {
        let mut who = Identity {
            sub: "u-1".into(),
            email: Some(Email::parse("ceo@bank.example").unwrap()),
            email_verified: false,
            name: None,
        };
        assert_eq!(who.display_name(), "u-1");
        who.email_verified = true;
        assert_eq!(who.display_name(), "ceo@bank.example");
        who.name = Some("Ann".into());
        assert_eq!(who.display_name(), "Ann");
    }
}
