//! Who may do what on a resource, and owner protection: the owner's role
//! never changes, the owner cannot be removed and cannot leave.

use crate::error::Code;
use crate::records::Member;
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

pub fn changed_meanwhile() -> Error {
    Error::conflict(Code::ChangedMeanwhile, "it changed meanwhile; reload and try again")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> Member {
        Member {
            resource_id: "r".into(),
            user_id: "u".into(),
            role,
            email: None,
            name: None,
            invite_id: None,
            joined_at: 0,
            metadata: None,
        }
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
}
