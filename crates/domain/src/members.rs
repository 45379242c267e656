//! Who may do what on a resource, and owner protection: the owner's role
//! never changes, the owner cannot be removed and cannot leave.

use crate::error::Code;
use crate::records::{Invite, Member};
use crate::role::{Can, catalogue};
use crate::team_links::TeamLink;
use crate::{Error, Role};

/// The caller's membership, or 404 for outsiders (no existence leak).
pub fn require_member(member: Option<Member>) -> Result<Member, Error> {
    member.ok_or(Error::NotFound)
}

/// A member whose role may do `what` (the catalogue's `can`): 404 for
/// outsiders, 403 for members whose role may not.
pub fn require(member: Option<Member>, what: Can) -> Result<Member, Error> {
    let m = require_member(member)?;
    if m.role.can(what) { Ok(m) } else { Err(not_allowed(what)) }
}

fn not_allowed(what: Can) -> Error {
    let doing = match what {
        Can::Invite => "manage invitations",
        Can::ManageMembers => "manage members",
        Can::SeeAudit => "see the audit trail",
        Can::ManageTeamLinks => "manage team links",
        Can::ManageDomains => "manage verified domains",
    };
    Error::forbidden(Code::Forbidden, format!("your role may not {doing} on this resource"))
}

/// Whether `by` may hand out or assign `role` through `what`: nobody grants
/// a role above their own (403 `role_not_grantable`).
pub fn may_grant(by: Role, what: Can, role: Role) -> Result<(), Error> {
    if by.may_grant(what, role) {
        Ok(())
    } else {
        Err(Error::forbidden(Code::RoleNotGrantable, format!("your role may not grant the role {}", role.as_str())))
    }
}

/// Only the owner changes what decides who may join on their own (verified
/// domains): 404 for outsiders, 403 for everyone else.
pub fn require_owner(member: Option<Member>) -> Result<Member, Error> {
    let m = require_member(member)?;
    if m.role.is_owner() { Ok(m) } else { Err(Error::forbidden(Code::Forbidden, "only the owner may do this")) }
}

/// The role the previous owner keeps after handing ownership over (the
/// catalogue's `formerOwnerRole`, a managing role).
pub fn former_owner_role() -> Role {
    catalogue().former_owner_role()
}

/// Decides a transfer of ownership from `owner` to `to`, a member.
pub fn transfer(owner: &Member, to: &Member) -> Result<(), Error> {
    if !owner.role.is_owner() {
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
/// a membership: only those who manage members.
pub fn sees_metadata(viewer: Role) -> bool {
    viewer.can(Can::ManageMembers)
}

/// Decides a removal: anyone but the owner; removed by `by` (a member who
/// manages members), only a member whose role `by` may grant.
pub fn remove(member: &Member, how: Removal, by: Option<Role>) -> Result<(), Error> {
    match how {
        _ if !member.role.is_owner() => match by {
            Some(by) if how == Removal::Removed => may_grant(by, Can::ManageMembers, member.role),
            _ => Ok(()),
        },
        Removal::Removed => Err(Error::forbidden(Code::OwnerProtected, "the owner cannot be removed")),
        Removal::Left => Err(Error::forbidden(Code::OwnerCannotLeave, "the owner cannot leave their resource")),
    }
}

/// Decides `by`'s change of a member's role: `None` when they already have
/// it. `by` may grant both the member's role and the new one.
pub fn change_role(by: Role, member: &Member, role: Role) -> Result<Option<Role>, Error> {
    if member.role.is_owner() {
        return Err(Error::forbidden(Code::OwnerProtected, "the owner's role cannot be changed"));
    }
    may_grant(by, Can::ManageMembers, member.role)?;
    may_grant(by, Can::ManageMembers, role)?;
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
/// resource, by whom, in which of their terms (`Member::term`), when, and
/// what it grants through which capability.
#[derive(Debug, Clone, Copy)]
pub struct Made<'a> {
    pub rid: &'a str,
    pub maker: &'a str,
    pub term: Option<&'a str>,
    pub at: i64,
    pub what: Can,
    pub role: Role,
}

impl<'a> Made<'a> {
    pub fn invite(i: &'a Invite) -> Self {
        Self {
            rid: &i.resource_id,
            maker: &i.invited_by,
            term: i.maker_term.as_deref(),
            at: i.created_at,
            what: Can::Invite,
            role: i.role,
        }
    }

    pub fn link(l: &'a TeamLink) -> Self {
        Self {
            rid: &l.resource_id,
            maker: &l.created_by,
            term: l.maker_term.as_deref(),
            at: l.created_at,
            what: Can::ManageTeamLinks,
            role: l.role,
        }
    }

    /// The roles whose holders could make it now (a store condition's values).
    pub fn makers(&self) -> Vec<Role> {
        catalogue().holders(self.what, &[self.role])
    }
}

/// What a manager handed out works only while its maker could still make it
/// (their role may grant its role through the same capability) in the same
/// term: removal, demotion and leaving end it at once,
/// and a later promotion or rejoining (a new term) does not bring it back.
/// The store holds accept and join to this in their own transaction (a
/// condition on the maker's membership), so no write to the invites and
/// links is needed when someone stops managing. Made before terms existed:
/// a membership without a term that began no later than it.
pub fn still_manages(maker: Option<&Member>, made: Made<'_>) -> bool {
    maker.is_some_and(|m| {
        m.role.may_grant(made.what, made.role)
            && match (made.term, m.term.as_deref()) {
                (Some(made), Some(now)) => made == now,
                (None, None) => m.joined_at <= made.at,
                _ => false,
            }
    })
}

/// A role change after which the member may hand out something their
/// previous role could not: a new term starts, so nothing made before a
/// demotion comes back with a promotion.
pub fn promotes(from: Role, to: Role) -> bool {
    let c = catalogue();
    Can::ALL
        .iter()
        .filter(|w| w.hands_out())
        .any(|what| c.grantable(to, *what).iter().any(|g| !c.may_grant(from, *what, *g)))
}

/// The audit detail of a removal or a departure of a manager: what they
/// handed out stops working (`None` for members who did not manage).
pub fn stops_managing(role: Role) -> Option<&'static str> {
    role.manages().then_some(HANDED_OUT_STOPPED)
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
        assert!(require(Some(member(Role::OWNER)), Can::ManageDomains).is_ok());
        assert!(require_owner(Some(member(Role::OWNER))).is_ok());
        assert_eq!(require_owner(Some(member(Role::ADMIN))).unwrap_err().code(), "forbidden");
        assert_eq!(require_owner(None).unwrap_err(), Error::NotFound);
        assert!(require(Some(member(Role::ADMIN)), Can::Invite).is_ok());
        assert_eq!(require(Some(member(Role::ADMIN)), Can::ManageDomains).unwrap_err().status(), 403);
        assert_eq!(require(Some(member(Role::READ_ONLY)), Can::Invite).unwrap_err().status(), 403);
        assert_eq!(require(None, Can::Invite).unwrap_err().status(), 404);
        assert_eq!(require_member(None).unwrap_err().status(), 404);
    }

    #[test]
    fn the_owner_is_protected() {
        let by = Some(Role::ADMIN);
        assert_eq!(remove(&member(Role::OWNER), Removal::Removed, by).unwrap_err().code(), "owner_protected");
        assert_eq!(remove(&member(Role::OWNER), Removal::Left, None).unwrap_err().code(), "owner_cannot_leave");
        assert!(remove(&member(Role::ADMIN), Removal::Left, None).is_ok());
        assert!(remove(&member(Role::READ_ONLY), Removal::Removed, by).is_ok());
        assert_eq!(change_role(Role::OWNER, &member(Role::OWNER), Role::ADMIN).unwrap_err().code(), "owner_protected");
        assert_eq!(change_role(Role::ADMIN, &member(Role::ADMIN), Role::ADMIN).unwrap(), None);
        assert_eq!(change_role(Role::ADMIN, &member(Role::ADMIN), Role::READ_ONLY).unwrap(), Some(Role::READ_ONLY));
        assert_eq!(Removal::Left.action().as_str(), "member.left");
    }

    #[test]
    fn what_a_manager_made_works_while_they_manage_in_the_same_term() {
        let admin = Member { joined_at: 10, term: Some("t1".into()), ..member(Role::ADMIN) };
        let made = |term: Option<&'static str>, at| Made {
            rid: "r",
            maker: "u",
            term,
            at,
            what: Can::Invite,
            role: Role::ADMIN,
        };
        assert!(still_manages(Some(&admin), made(Some("t1"), 10)));
        // Removed, or left: no membership.
        assert!(!still_manages(None, made(Some("t1"), 10)));
        // Demoted.
        assert!(!still_manages(Some(&Member { role: Role::READ_ONLY, ..admin.clone() }), made(Some("t1"), 10)));
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
        let owner = member(Role::OWNER);
        let admin = Member { user_id: "a".into(), ..member(Role::ADMIN) };
        assert!(transfer(&owner, &admin).is_ok());
        assert_eq!(transfer(&admin, &owner).unwrap_err().code(), "forbidden");
        assert_eq!(transfer(&owner, &owner).unwrap_err().code(), "invalid_request");
        assert!(former_owner_role().manages());
        assert_eq!(TransferBody { user_id: " ".into() }.validate().unwrap_err().code(), "invalid_request");
        assert_eq!(TransferBody { user_id: " u1 ".into() }.validate().unwrap(), "u1");
    }

    #[test]
    fn nobody_assigns_or_removes_above_their_own_role() {
        // A read-only member manages nobody; an admin may not make anyone owner.
        let reader = member(Role::READ_ONLY);
        assert_eq!(change_role(Role::READ_ONLY, &reader, Role::ADMIN).unwrap_err().code(), "role_not_grantable");
        assert_eq!(change_role(Role::ADMIN, &reader, Role::OWNER).unwrap_err().code(), "role_not_grantable");
        assert_eq!(remove(&reader, Removal::Removed, Some(Role::READ_ONLY)).unwrap_err().code(), "role_not_grantable");
        assert_eq!(
            may_grant(Role::ADMIN, Can::ManageDomains, Role::READ_ONLY).unwrap_err().code(),
            "role_not_grantable"
        );
        assert!(may_grant(Role::OWNER, Can::ManageDomains, Role::ADMIN).is_ok());
    }

    #[test]
    fn promotions_and_the_end_of_managing() {
        assert!(promotes(Role::READ_ONLY, Role::ADMIN));
        assert!(!promotes(Role::ADMIN, Role::ADMIN));
        assert!(!promotes(Role::ADMIN, Role::READ_ONLY));
        assert!(stops_managing(Role::ADMIN).is_some());
        assert!(stops_managing(Role::READ_ONLY).is_none());
    }
}
