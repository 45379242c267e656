//! Server-generated identifiers (ULIDs: 128 bits, time-ordered).

use crate::Error;
use std::fmt;
use ulid::Ulid;

macro_rules! ulid_id {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Ulid);

        impl $name {
            pub fn new() -> Self {
                Self(Ulid::new())
            }
            /// Parses an id from a path; anything else is "not found".
            pub fn parse(s: &str) -> Result<Self, Error> {
                if s.len() != 26 {
                    return Err(Error::NotFound);
                }
                Ulid::from_string(s).map(Self).map_err(|_| Error::NotFound)
            }
            pub fn to_bytes(self) -> [u8; 16] {
                self.0.to_bytes()
            }
            pub fn from_bytes(b: [u8; 16]) -> Self {
                Self(Ulid::from_bytes(b))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

ulid_id!(ResourceId);
ulid_id!(InviteId);

/// A user id from a path (`{uid}`): the identity provider's `sub`, 1 to 256
/// bytes without control characters. Anything else cannot be a member: 404.
pub fn user_id(s: &str) -> Result<&str, Error> {
    if s.is_empty() || s.len() > 256 || s.chars().any(char::is_control) {
        return Err(Error::NotFound);
    }
    Ok(s)
}

/// A fresh time-ordered id for audit entries and send attempts; strictly
/// increasing within a process, even within one millisecond.
pub fn new_ulid() -> String {
    use std::sync::Mutex;
    static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);
    let mut generator = GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    generator.get_or_insert_with(ulid::Generator::new).generate().unwrap_or_else(|_| Ulid::new()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_bounded() {
        assert_eq!(user_id("auth0|abc").unwrap(), "auth0|abc");
        for bad in ["", "a\u{0}b", &"é".repeat(129)] {
            assert_eq!(user_id(bad).unwrap_err(), Error::NotFound);
        }
    }

    #[test]
    fn new_ulids_increase() {
        let ids: Vec<String> = (0..1000).map(|_| new_ulid()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn parse_rejects_junk_as_not_found() {
        for bad in ["", "abc", "../etc", &"x".repeat(10_000), "01ARZ3NDEKTSV4RRFFQ69G5FA/"] {
            assert_eq!(ResourceId::parse(bad).unwrap_err(), Error::NotFound);
        }
        let id = ResourceId::new();
        assert_eq!(ResourceId::parse(&id.to_string()).unwrap(), id);
    }
}
