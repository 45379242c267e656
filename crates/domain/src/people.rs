//! A person's data, on request: the operator's support or privacy team asks,
//! through an IAM service route, for everything the service holds about an
//! e-mail address or a user id, across all resources (invites, memberships,
//! the address's holders, requests to join, audit entries naming them,
//! suppression entries, their own budget items). The store finds it with a
//! scan of the table (a rare, operator-only read), a bounded stretch per
//! request with a cursor to go on from.

use crate::error::Code;
use crate::{Email, Error};
use serde::{Deserialize, Serialize};

/// How long one export request reads the table before it answers with a
/// cursor (well inside the function's timeout).
pub const READ_SECS: u64 = 5;

/// `{email}` or `{userId}`: exactly one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PersonBody {
    #[serde(default, deserialize_with = "crate::text::present")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub user_id: Option<String>,
    /// Where the previous answer stopped (`nextCursor`).
    #[serde(default, deserialize_with = "crate::text::present")]
    pub cursor: Option<String>,
}

/// Whom a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Person {
    /// Everything holding this address (normalised as the service keeps it).
    Email(Email),
    /// Everything naming this user id.
    User(String),
}

impl PersonBody {
    pub fn validate(self) -> Result<(Person, Option<String>), Error> {
        let person = match (self.email, self.user_id) {
            (Some(e), None) => Person::Email(Email::parse(&e)?),
            (None, Some(u)) => Person::User(
                crate::ids::user_id(&u)
                    .map_err(|_| Error::invalid(Code::InvalidRequest, "userId is not a user id this service keeps"))?
                    .to_owned(),
            ),
            _ => {
                return Err(Error::invalid(Code::InvalidRequest, "name exactly one of email and userId"));
            }
        };
        Ok((person, self.cursor))
    }
}

/// What kind of item holds the data (from its sort key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invite,
    Membership,
    /// Who holds the address on a resource (an invite or a member).
    AddressHolder,
    Request,
    AuditEntry,
    Suppression,
    /// The marker that an owner or admin removed them.
    Removed,
    /// An idempotency record of theirs.
    Idempotency,
    /// Their own partition: daily budgets, owned-resource count, bulk keys.
    Account,
    /// A resource they own.
    Resource,
    Other,
}

impl Kind {
    /// The kind of an item with this partition and sort key.
    pub fn of(pk: &str, sk: &str) -> Self {
        if pk.starts_with("USER#") {
            return Kind::Account;
        }
        match sk.split_once('#').map_or(sk, |(prefix, _)| prefix) {
            "INVITE" => Kind::Invite,
            "MEMBER" => Kind::Membership,
            "EMAIL" => Kind::AddressHolder,
            "REQUEST" => Kind::Request,
            "AUDIT" => Kind::AuditEntry,
            "SUPPRESSED" => Kind::Suppression,
            "REMOVED" => Kind::Removed,
            "IDEMPOTENCY" => Kind::Idempotency,
            "RESOURCE" => Kind::Resource,
            _ => Kind::Other,
        }
    }
}

/// One item holding the person's data, as stored (index keys left out).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    pub kind: Kind,
    /// The resource it belongs to (none for their own partition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    pub item: serde_json::Value,
}

/// One stretch of the export.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub items: Vec<Held>,
    /// Items of the table read so far in this stretch.
    pub scanned: u64,
    /// Where to go on from: send it back as `cursor` until there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// What one stretch of an erasure did. Run it again with `nextCursor`
/// until there is none; a whole run again finds nothing left to do (the
/// pseudonym is stable), so an interrupted erasure is simply rerun.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    /// What the person's address or user id became where a record must stay
    /// (audit entries, ended invites): a keyed hash, the same on every run.
    pub pseudonym: String,
    /// Pending invitations to the address, ended (declined) with their seats freed.
    pub invites_ended: u32,
    /// Memberships ended (their seats freed; `member.removed` by `service`).
    pub memberships_ended: u32,
    /// Requests to join removed.
    pub requests_removed: u32,
    /// Items that stay with the pseudonym in place of the address or user
    /// id (ended invites, audit entries, what they made or decided).
    pub pseudonymised: u32,
    /// Suppression entries kept only as the keyed hash of the address.
    pub suppressions_hashed: u32,
    /// Other items removed (address holders, removal markers, their own
    /// budget items and idempotency records).
    pub removed: u32,
    /// Resources they own: their memberships there are left as they are
    /// (and, erasing by user id, nothing at all is erased while there are
    /// any): transfer the ownership (or delete the resource), then run the
    /// erasure again.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_of: Vec<String>,
    pub scanned: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `text` with every occurrence of the address replaced by the pseudonym
/// (a delivery diagnostic or an audit detail can quote it).
pub fn scrub(text: &str, address: &str, pseudonym: &str) -> String {
    let (lower, needle) = (text.to_lowercase(), address.to_lowercase());
    if needle.is_empty() || !lower.contains(&needle) || lower.len() != text.len() {
        return text.replace(address, pseudonym);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = lower[at..].find(&needle) {
        out.push_str(&text[at..at + found]);
        out.push_str(pseudonym);
        at += found + needle.len();
    }
    out.push_str(&text[at..]);
    out
}

/// `text` with `id` replaced by the pseudonym where it stands as a word of
/// its own (`from user-1`, `role=admin, request=…`), never inside another
/// word: a short id like `0` or `u1` leaves `10` and `u12` alone.
pub fn scrub_token(text: &str, id: &str, pseudonym: &str) -> String {
    if id.is_empty() {
        return text.to_owned();
    }
    let is_word = |c: char| !(c.is_whitespace() || matches!(c, ',' | '=' | '(' | ')' | ';' | '<' | '>' | '"' | '\''));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(id) {
        let before = rest[..at].chars().next_back().or_else(|| out.chars().next_back()).is_none_or(|c| !is_word(c));
        let after = rest[at + id.len()..].chars().next().is_none_or(|c| !is_word(c));
        out.push_str(&rest[..at]);
        out.push_str(if before && after { pseudonym } else { id });
        rest = &rest[at + id.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(email: Option<&str>, user: Option<&str>) -> PersonBody {
        PersonBody { email: email.map(Into::into), user_id: user.map(Into::into), cursor: None }
    }

    #[test]
    fn exactly_one_of_address_and_user_id() {
        assert_eq!(
            body(Some(" Ann@Example.COM "), None).validate().unwrap().0,
            Person::Email(Email::parse("ann@example.com").unwrap())
        );
        assert_eq!(body(None, Some("user-1")).validate().unwrap().0, Person::User("user-1".into()));
        for bad in [body(None, None), body(Some("a@example.com"), Some("u"))] {
            assert_eq!(bad.validate().unwrap_err().code(), "invalid_request");
        }
        assert_eq!(body(Some("not an address"), None).validate().unwrap_err().code(), "invalid_email");
        let too_long = "\u{4b46}".repeat(200);
        assert_eq!(body(None, Some(&too_long)).validate().unwrap_err().code(), "invalid_request", "a 422, not a 404");
    }

    #[test]
    fn an_address_is_scrubbed_whatever_its_case() {
        let p = "erased-ab12";
        assert_eq!(
            scrub("550 <Ann@Example.com> unknown; ann@example.com", "ann@example.com", p),
            "550 <erased-ab12> unknown; erased-ab12"
        );
        assert_eq!(scrub("nothing here", "ann@example.com", p), "nothing here");
    }

    #[test]
    fn an_id_is_scrubbed_only_where_it_stands_alone() {
        let p = "erased-x";
        assert_eq!(scrub_token("from user-1", "user-1", p), "from erased-x");
        assert_eq!(scrub_token("from user-12, to user-1", "user-1", p), "from user-12, to erased-x");
        assert_eq!(scrub_token("seats 10 -> 20", "0", p), "seats 10 -> 20");
        assert_eq!(scrub_token("0", "0", p), "erased-x");
        assert_eq!(scrub_token("role=admin, by=u1", "u1", p), "role=admin, by=erased-x");
    }

    #[test]
    fn the_kind_follows_the_keys() {
        assert_eq!(Kind::of("RES#r", "INVITE#i"), Kind::Invite);
        assert_eq!(Kind::of("RES#r", "EMAIL#a@example.com"), Kind::AddressHolder);
        assert_eq!(Kind::of("RES#r", "SUPPRESSED#a@example.com"), Kind::Suppression);
        assert_eq!(Kind::of("USER#u", "RATE#20000"), Kind::Account);
        assert_eq!(Kind::of("RES#r", "RESOURCE"), Kind::Resource);
    }
}
