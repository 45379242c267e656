//! Who may do what on a resource, and owner protection: the owner's role
//! never changes, the owner cannot be removed and cannot leave.

use crate::error::Code;
use crate::records::{Invite, Member};
use crate::team_links::TeamLink;
use crate::{Error, Role};

/// The caller's membership, or 404 for outsiders (no existence leak).
pub fn require_member(member: Option<Member>) -> Result<Member, Error> {
    member.ok_or(Error::NotFound)
}

/// Owners and admins manage invites and members: 404 for outsiders, 403 for
/// read-only members.
pub fn require_manager(member: Option<Member>) -> Result<Member, Error> {
    let m = require_member(member)?;
    if m.role.can_manage() {
        Ok(m)
    } else {
        Err(Error::forbidden(Code::Forbidden, "only owners and admins may do this"))
    }
}

/// Only the owner changes what decides who may join on their own (verified
/// domains): 404 for outsiders, 403 for everyone else.
pub fn require_owner(member: Option<Member>) -> Result<Member, Error> {
    let m = require_member(member)?;
    if m.role == Role::Owner { Ok(m) } else { Err(Error::forbidden(Code::Forbidden, "only the owner may do this")) }
}

/// The role the previous owner keeps after handing ownership over: they
/// still manage, in the same term, so what they handed out keeps working.
pub const FORMER_OWNER_ROLE: Role = Role::Admin;

/// Decides a transfer of ownership from `owner` to `to`, a member.
pub fn transfer(owner: &Member, to: &Member) -> Result<(), Error> {
    if owner.role != Role::Owner {
        return Err(Error::forbidden(Code::Forbidden, "only the owner may hand ownership over"));
    }
    if to.user_id == owner.user_id {
        return Err(Error::invalid(Code::InvalidRequest, "this member is the owner already"));
    }
    Ok(())
}

/// Whom ownership goes to: a member's user id.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransferBody {
    pub user_id: String,
}

impl TransferBody {
    /// The user id, present and at most 200 characters (422 `invalid_request`).
    pub fn validate(self) -> Result<String, Error> {
        let id = self.user_id.trim();
        if id.is_empty() || id.chars().count() > 200 {
            return Err(Error::invalid(Code::InvalidRequest, "userId must be a member's user id"));
        }
        Ok(id.to_owned())
    }
}

/// The answer of a transfer.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Transferred {
    pub resource_id: String,
    pub owner_id: String,
    pub previous_owner_id: String,
    /// The role the previous owner has now.
    pub previous_owner_role: Role,
}

/// How a member loses access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// An owner or admin removed them.
    Removed,
    /// They left on their own.
    Left,
}

impl Removal {
    pub fn action(self) -> crate::audit::AuditAction {
        match self {
            Self::Removed => crate::audit::AuditAction::MemberRemoved,
            Self::Left => crate::audit::AuditAction::MemberLeft,
        }
    }
}

/// Whether a member in `viewer`'s role sees the metadata an inviter put on
/// a membership: only those who manage the resource.
pub fn sees_metadata(viewer: Role) -> bool {
    viewer.can_manage()
}

/// Decides a removal: anyone but the owner.
pub fn remove(member: &Member, how: Removal) -> Result<(), Error> {
    match (member.role, how) {
        (Role::Owner, Removal::Removed) => Err(Error::forbidden(Code::OwnerProtected, "the owner cannot be removed")),
        (Role::Owner, Removal::Left) => {
            Err(Error::forbidden(Code::OwnerCannotLeave, "the owner cannot leave their resource"))
        }
        _ => Ok(()),
    }
}

/// Decides a member's role change: `None` when they already have it.
pub fn change_role(member: &Member, role: Role) -> Result<Option<Role>, Error> {
    if member.role == Role::Owner {
        return Err(Error::forbidden(Code::OwnerProtected, "the owner's role cannot be changed"));
    }
    Ok((member.role != role).then_some(role))
}

/// A role change that lost a race with another change.
/// Joining without an invitation (a team link, a domain) after an owner or
/// admin removed the caller: only a new invitation brings them back.
pub fn removed_earlier() -> Error {
    Error::forbidden(
        Code::RemovedFromResource,
        "an owner or admin removed you from this resource; ask them to invite you again",
    )
}

/// Something a manager handed out (a pending invite, a team link): on which
/// resource, by whom, in which of their terms (`Member::term`), when.
#[derive(Debug, Clone, Copy)]
pub struct Made<'a> {
    pub rid: &'a str,
    pub maker: &'a str,
    pub term: Option<&'a str>,
    pub at: i64,
}

impl<'a> Made<'a> {
    pub fn invite(i: &'a Invite) -> Self {
        Self { rid: &i.resource_id, maker: &i.invited_by, term: i.maker_term.as_deref(), at: i.created_at }
    }

    pub fn link(l: &'a TeamLink) -> Self {
        Self { rid: &l.resource_id, maker: &l.created_by, term: l.maker_term.as_deref(), at: l.created_at }
    }
}

/// What a manager handed out works only while its maker still manages the
/// resource in the same term: removal, demotion and leaving end it at once,
/// and a later promotion or rejoining (a new term) does not bring it back.
/// The store holds accept and join to this in their own transaction (a
/// condition on the maker's membership), so no write to the invites and
/// links is needed when someone stops managing. Made before terms existed:
/// a membership without a term that began no later than it.
pub fn still_manages(maker: Option<&Member>, made: Made<'_>) -> bool {
    maker.is_some_and(|m| {
        m.role.can_manage()
            && match (made.term, m.term.as_deref()) {
                (Some(made), Some(now)) => made == now,
                (None, None) => m.joined_at <= made.at,
                _ => false,
            }
    })
}

/// A role change that makes a member a manager: a new term starts.
pub fn promotes(from: Role, to: Role) -> bool {
    !from.can_manage() && to.can_manage()
}

/// The audit detail of a removal or a departure of a manager: what they
/// handed out stops working (`None` for members who did not manage).
pub fn stops_managing(role: Role) -> Option<&'static str> {
    role.can_manage().then_some(HANDED_OUT_STOPPED)
}

const HANDED_OUT_STOPPED: &str = "their pending invites and team links stopped working";

pub fn changed_meanwhile() -> Error {
    Error::conflict(Code::ChangedMeanwhile, "it changed meanwhile; reload and try again")
}

/// A member for unit tests: user `u` of resource `r`, joined at 0.
#[cfg(test)]
pub(crate) fn test_member(role: Role) -> Member {
    Member {
        resource_id: "r".into(),
        user_id: "u".into(),
        role,
        email: None,
        name: None,
        invite_id: None,
        joined_at: 0,
        term: None,
        metadata: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> Member {
        test_member(role)
    }

    #[test]
    fn managers_outsiders_and_readers() {
        assert!(require_manager(Some(member(Role::Owner))).is_ok());
        assert!(require_owner(Some(member(Role::Owner))).is_ok());
        assert_eq!(require_owner(Some(member(Role::Admin))).unwrap_err().code(), "forbidden");
        assert_eq!(require_owner(None).unwrap_err(), Error::NotFound);
        assert!(require_manager(Some(member(Role::Admin))).is_ok());
        assert_eq!(require_manager(Some(member(Role::ReadOnly))).unwrap_err().status(), 403);
        assert_eq!(require_manager(None).unwrap_err().status(), 404);
        assert_eq!(require_member(None).unwrap_err().status(), 404);
    }

    #[test]
    fn the_owner_is_protected() {
        assert_eq!(remove(&member(Role::Owner), Removal::Removed).unwrap_err().code(), "owner_protected");
        assert_eq!(remove(&member(Role::Owner), Removal::Left).unwrap_err().code(), "owner_cannot_leave");
        assert!(remove(&member(Role::Admin), Removal::Left).is_ok());
        assert!(remove(&member(Role::ReadOnly), Removal::Removed).is_ok());
        assert_eq!(change_role(&member(Role::Owner), Role::Admin).unwrap_err().code(), "owner_protected");
        assert_eq!(change_role(&member(Role::Admin), Role::Admin).unwrap(), None);
        assert_eq!(change_role(&member(Role::Admin), Role::ReadOnly).unwrap(), Some(Role::ReadOnly));
        assert_eq!(Removal::Left.action().as_str(), "member.left");
    }

    #[test]
    fn what_a_manager_made_works_while_they_manage_in_the_same_term() {
        let admin = Member { joined_at: 10, term: Some("t1".into()), ..member(Role::Admin) };
        let made = |term: Option<&'static str>, at| Made { rid: "r", maker: "u", term, at };
        assert!(still_manages(Some(&admin), made(Some("t1"), 10)));
        // Removed, or left: no membership.
        assert!(!still_manages(None, made(Some("t1"), 10)));
        // Demoted.
        assert!(!still_manages(Some(&Member { role: Role::ReadOnly, ..admin.clone() }), made(Some("t1"), 10)));
        // Left and came back, or demoted and promoted again: a new term,
        // even within the same second.
        assert!(!still_manages(Some(&Member { term: Some("t2".into()), ..admin.clone() }), made(Some("t1"), 10)));
        // Made before terms existed: by a membership at least as old, never
        // by one that has a term since (it rejoined or was promoted).
        let legacy = Member { term: None, ..admin.clone() };
        assert!(still_manages(Some(&legacy), made(None, 10)));
        assert!(!still_manages(Some(&legacy), made(None, 9)));
        assert!(!still_manages(Some(&admin), made(None, 50)));
        assert!(!still_manages(Some(&legacy), made(Some("t1"), 50)));
    }

    #[test]
    fn only_the_owner_hands_ownership_to_someone_else() {
        let owner = member(Role::Owner);
        let admin = Member { user_id: "a".into(), ..member(Role::Admin) };
        assert!(transfer(&owner, &admin).is_ok());
        assert_eq!(transfer(&admin, &owner).unwrap_err().code(), "forbidden");
        assert_eq!(transfer(&owner, &owner).unwrap_err().code(), "invalid_request");
        assert!(FORMER_OWNER_ROLE.can_manage());
        assert_eq!(TransferBody { user_id: " ".into() }.validate().unwrap_err().code(), "invalid_request");
        assert_eq!(TransferBody { user_id: " u1 ".into() }.validate().unwrap(), "u1");
    }

    #[test]
    fn promotions_and_the_end_of_managing() {
        assert!(promotes(Role::ReadOnly, Role::Admin));
        assert!(!promotes(Role::Admin, Role::Admin));
        assert!(!promotes(Role::Admin, Role::ReadOnly));
        assert!(stops_managing(Role::Admin).is_some());
        assert!(stops_managing(Role::ReadOnly).is_none());
    }
}
