use crate::Error;
use crate::error::Code;
use serde::{Deserialize, Serialize};

/// Roles on a resource. The owner is whoever registered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::ReadOnly => "read_only",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "read_only" => Some(Role::ReadOnly),
            _ => None,
        }
    }

    /// A role an invite may grant: ownership is never handed out by invite.
    pub fn parse_invitable(s: &str) -> Result<Self, Error> {
        match Self::parse(s) {
            Some(Role::Owner) | None => Err(Error::invalid(Code::InvalidRole, "role must be one of: admin, read_only")),
            Some(role) => Ok(role),
        }
    }

    /// Owners and admins manage invites and members.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admin_and_read_only_are_invitable() {
        assert_eq!(Role::parse_invitable("admin").unwrap(), Role::Admin);
        assert_eq!(Role::parse_invitable("read_only").unwrap(), Role::ReadOnly);
        for bad in ["owner", "Admin", "", "superuser", "read-only"] {
            assert_eq!(Role::parse_invitable(bad).unwrap_err().code(), "invalid_role");
        }
    }

    #[test]
    fn managers() {
        assert!(Role::Owner.can_manage());
        assert!(Role::Admin.can_manage());
        assert!(!Role::ReadOnly.can_manage());
    }
}
