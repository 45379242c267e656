//! Roles on a resource: the owner (whoever registered it or was handed it)
//! and the roles of the deployment's catalogue (`config/roles.json`,
//! compiled in; `INVITES_ROLES_FILE` replaces it at start). The catalogue
//! says what each role may do in this service ([`Can`]), which roles it may
//! grant (only roles listed at or below it: nobody grants above their own),
//! and carries the host product's own permissions with the role.
//!
//! A bad catalogue is refused as a whole when the function starts
//! ([`Catalogue::parse`]), so no request ever meets one.

use crate::Error;
use crate::error::Code;
use crate::invite::Locale;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

/// The catalogue every deployment starts with: today's `admin` and `read_only`.
pub const DEFAULT_CATALOGUE: &str = include_str!("../../../config/roles.json");

/// What a role may do in this service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Can {
    /// Invite people (with the roles in `grants`), see, resend, change and
    /// revoke invites; the resource's reminder setting.
    Invite,
    /// Change members' roles (within `grants`) and remove members; see the
    /// metadata inviters put on memberships.
    ManageMembers,
    /// Read the audit trail.
    SeeAudit,
    /// Create and revoke team links (granting roles within `grants`).
    ManageTeamLinks,
    /// Verify domains whose people join on their own (within `grants`).
    ManageDomains,
}

impl Can {
    pub const ALL: [Can; 5] =
        [Can::Invite, Can::ManageMembers, Can::SeeAudit, Can::ManageTeamLinks, Can::ManageDomains];

    pub fn as_str(self) -> &'static str {
        match self {
            Can::Invite => "invite",
            Can::ManageMembers => "manage_members",
            Can::SeeAudit => "see_audit",
            Can::ManageTeamLinks => "manage_team_links",
            Can::ManageDomains => "manage_domains",
        }
    }

    /// What a role with this capability hands out or changes: what it made
    /// stops working when its maker loses it (`members::still_manages`).
    pub(crate) fn hands_out(self) -> bool {
        !matches!(self, Can::SeeAudit)
    }
}

/// A role's id: the owner's, or one of the catalogue's (or, in data written
/// under an earlier catalogue, a retired id that may do nothing).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role(&'static str);

impl std::fmt::Debug for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl Role {
    pub const OWNER: Role = Role("owner");
    /// The default catalogue's roles (tests and examples; code asks the catalogue).
    pub const ADMIN: Role = Role("admin");
    pub const READ_ONLY: Role = Role("read_only");

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn is_owner(self) -> bool {
        self == Role::OWNER
    }

    /// A role an invite, a team link or a domain may grant: one of the
    /// catalogue's (ownership is never handed out that way), else 422
    /// `invalid_role` naming the catalogue's ids.
    pub fn parse_invitable(s: &str) -> Result<Self, Error> {
        let c = catalogue();
        c.find(s).map(|r| r.id).ok_or_else(|| {
            Error::invalid(
                Code::InvalidRole,
                format!("role must be one of: {}", c.ids().collect::<Vec<_>>().join(", ")),
            )
        })
    }

    /// Whether this role may do `what` (the owner may do everything).
    pub fn can(self, what: Can) -> bool {
        catalogue().can(self, what)
    }

    /// Whether this role may hand out or assign `role` through `what`.
    pub fn may_grant(self, what: Can, role: Role) -> bool {
        catalogue().may_grant(self, what, role)
    }

    /// Whether this role hands out or changes anything (its holder has a
    /// term: `members::still_manages`).
    pub fn manages(self) -> bool {
        Can::ALL.iter().any(|c| c.hands_out() && self.can(*c))
    }

    /// The host product's permissions that come with this role.
    pub fn permissions(self) -> &'static [String] {
        catalogue().permissions(self)
    }

    /// A role id read from stored data: the catalogue's own string, else
    /// one interned once per process (a retired role).
    pub fn intern(s: &str) -> Self {
        if s == Role::OWNER.0 {
            return Role::OWNER;
        }
        if let Some(r) = catalogue().find(s) {
            return r.id;
        }
        static RETIRED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
        let mut retired = RETIRED.lock().unwrap_or_else(|e| e.into_inner());
        match retired.get(s) {
            Some(r) => Role(r),
            None => {
                let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
                retired.insert(leaked);
                Role(leaked)
            }
        }
    }
}

impl Serialize for Role {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Role {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Role::intern(&s))
    }
}

/// A label or description in every UI language.
pub type Words = BTreeMap<String, String>;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OwnerEntry {
    pub label: Words,
    pub description: Words,
    #[serde(default)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RoleEntry {
    #[serde(deserialize_with = "leak")]
    pub id: Role,
    pub label: Words,
    pub description: Words,
    #[serde(default)]
    pub can: Vec<Can>,
    #[serde(default)]
    pub grants: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A catalogue's role id, kept for the life of the process (one catalogue
/// is read per process, so this is bounded).
fn leak<'de, D: Deserializer<'de>>(d: D) -> Result<Role, D::Error> {
    Ok(Role(Box::leak(String::deserialize(d)?.into_boxed_str())))
}

/// The deployment's roles, highest first.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Catalogue {
    pub owner: OwnerEntry,
    pub roles: Vec<RoleEntry>,
    /// The role a previous owner keeps after handing ownership over.
    pub former_owner_role: String,
}

const MAX_ROLES: usize = 20;
const MAX_PERMISSIONS: usize = 50;

impl Catalogue {
    /// Reads and checks a catalogue: every problem in one message, so an
    /// operator fixes the file once.
    pub fn parse(json: &str) -> Result<Self, String> {
        let c: Catalogue = serde_json::from_str(json).map_err(|e| format!("role catalogue: {e}"))?;
        let problems = c.problems();
        if problems.is_empty() { Ok(c) } else { Err(format!("role catalogue: {}", problems.join("; "))) }
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.roles.is_empty() || self.roles.len() > MAX_ROLES {
            out.push(format!("between 1 and {MAX_ROLES} roles are needed"));
        }
        let mut seen = BTreeSet::new();
        // The languages it covers: English and every one any role has words
        // in; each role needs them all (the others fall back to English).
        let langs: Vec<Locale> = Locale::ALL
            .into_iter()
            .filter(|l| {
                *l == Locale::En
                    || self
                        .roles
                        .iter()
                        .map(|r| (&r.label, &r.description))
                        .chain([(&self.owner.label, &self.owner.description)])
                        .any(|(a, b)| a.contains_key(l.as_str()) || b.contains_key(l.as_str()))
            })
            .collect();
        for (rank, r) in self.roles.iter().enumerate() {
            let valid_id = r.id.0.len() <= 40
                && r.id.0.starts_with(|c: char| c.is_ascii_lowercase())
                && r.id.0.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_id {
                out.push(format!("role id {:?} must be 1-40 of a-z, 0-9, _ starting with a letter", r.id));
            }
            if r.id.is_owner() {
                out.push("\"owner\" is the owner's own role, not a catalogue role".into());
            }
            if !seen.insert(r.id) {
                out.push(format!("duplicate role id {:?}", r.id));
            }
            words(&mut out, &langs, &format!("role {:?}", r.id), &r.label, &r.description);
            permissions(&mut out, &format!("role {:?}", r.id), &r.permissions);
            for g in &r.grants {
                match self.roles.iter().position(|o| o.id.0 == g) {
                    None => out.push(format!("role {:?} grants {g:?}, which does not exist", r.id)),
                    Some(at) if at < rank => out.push(format!("role {:?} grants {g:?}, which is above it", r.id)),
                    Some(_) => {}
                }
            }
            let mut caps = BTreeSet::new();
            if !r.can.iter().all(|c| caps.insert(*c)) {
                out.push(format!("role {:?} lists a capability twice", r.id));
            }
        }
        words(&mut out, &langs, "the owner", &self.owner.label, &self.owner.description);
        permissions(&mut out, "the owner", &self.owner.permissions);
        match self.find(&self.former_owner_role) {
            None => out.push(format!("formerOwnerRole {:?} is not a role of the catalogue", self.former_owner_role)),
            Some(r) if !r.can.iter().any(|c| c.hands_out()) => {
                out.push(format!("formerOwnerRole {:?} must be a managing role", self.former_owner_role))
            }
            Some(_) => {}
        }
        out
    }

    fn find(&self, id: &str) -> Option<&RoleEntry> {
        self.roles.iter().find(|r| r.id.0 == id)
    }

    /// The catalogue's role ids, highest first.
    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.roles.iter().map(|r| r.id.0)
    }

    pub fn can(&self, role: Role, what: Can) -> bool {
        role.is_owner() || self.find(role.0).is_some_and(|r| r.can.contains(&what))
    }

    /// Whether `role` may hand out or assign `granted` through `what`:
    /// never the owner's role; a retired role (still on a membership) counts
    /// as the lowest, so whoever may do `what` moves people off it.
    pub fn may_grant(&self, role: Role, what: Can, granted: Role) -> bool {
        if granted.is_owner() || !self.can(role, what) {
            return false;
        }
        match self.find(granted.0) {
            None => true,
            Some(_) if role.is_owner() => true,
            Some(_) => self.find(role.0).is_some_and(|r| r.grants.iter().any(|g| g == granted.0)),
        }
    }

    /// Every role (the owner's first) that may do `what` and grant each of
    /// `granting`: the values of a store condition on the caller's role.
    pub fn holders(&self, what: Can, granting: &[Role]) -> Vec<Role> {
        std::iter::once(Role::OWNER)
            .chain(self.roles.iter().map(|r| r.id))
            .filter(|r| self.can(*r, what) && granting.iter().all(|g| self.may_grant(*r, what, *g)))
            .collect()
    }

    /// The roles `role` may hand out through `what`, highest first.
    pub fn grantable(&self, role: Role, what: Can) -> Vec<Role> {
        self.roles.iter().map(|r| r.id).filter(|g| self.may_grant(role, what, *g)).collect()
    }

    /// The roles `role` may grant through any capability, highest first.
    pub fn grantable_at_all(&self, role: Role) -> Vec<Role> {
        self.roles.iter().map(|r| r.id).filter(|g| Can::ALL.iter().any(|c| self.may_grant(role, *c, *g))).collect()
    }

    /// What `GET /v1/roles` answers: every role's labels and descriptions
    /// in every UI language, what it may do and grant (no permissions: the
    /// route is public, for the landing pages).
    pub fn view(&self) -> serde_json::Value {
        let roles: Vec<_> = self
            .roles
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "label": r.label, "description": r.description, "can": r.can, "grants": r.grants,
                })
            })
            .collect();
        serde_json::json!({
            "owner": {"id": Role::OWNER, "label": self.owner.label, "description": self.owner.description},
            "roles": roles,
            "formerOwnerRole": self.former_owner_role(),
        })
    }

    pub fn permissions(&self, role: Role) -> &[String] {
        if role.is_owner() {
            return &self.owner.permissions;
        }
        self.find(role.0).map_or(&[], |r| &r.permissions)
    }

    /// The role's label and description in `locale` (a retired role: its id).
    pub fn words(&self, role: Role, locale: Locale) -> (&str, &str) {
        let (label, description) = match self.find(role.0) {
            _ if role.is_owner() => (&self.owner.label, &self.owner.description),
            Some(r) => (&r.label, &r.description),
            None => return (role.0, ""),
        };
        // A language the catalogue does not cover: English (checked at start).
        fn pick(w: &Words, locale: Locale) -> &str {
            w.get(locale.as_str()).or_else(|| w.get("en")).map_or("", |s| s.as_str())
        }
        (pick(label, locale), pick(description, locale))
    }

    pub fn former_owner_role(&self) -> Role {
        self.find(&self.former_owner_role).map_or(Role::OWNER, |r| r.id)
    }
}

fn words(out: &mut Vec<String>, langs: &[Locale], whose: &str, label: &Words, description: &Words) {
    for &locale in langs {
        let l = locale.as_str();
        match label.get(l).map(|s| s.trim()) {
            Some(s) if !s.is_empty() && s.chars().count() <= 60 => {}
            _ => out.push(format!("{whose} needs a label in {l:?} (1-60 characters)")),
        }
        match description.get(l).map(|s| s.trim()) {
            Some(s) if !s.is_empty() && s.chars().count() <= 300 => {}
            _ => out.push(format!("{whose} needs a description in {l:?} (1-300 characters)")),
        }
    }
    for l in label.keys().chain(description.keys()) {
        if !Locale::ALL.iter().any(|x| x.as_str() == l) {
            out.push(format!("{whose} has words in {l:?}, which is not a UI language"));
        }
    }
}

fn permissions(out: &mut Vec<String>, whose: &str, list: &[String]) {
    if list.len() > MAX_PERMISSIONS {
        out.push(format!("{whose} has more than {MAX_PERMISSIONS} permissions"));
    }
    let mut seen = BTreeSet::new();
    for p in list {
        let ok = (1..=100).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '*' | '/'));
        if !ok {
            out.push(format!("{whose}: permission {p:?} must be 1-100 of a-z, A-Z, 0-9, : . _ - * /"));
        }
        if !seen.insert(p) {
            out.push(format!("{whose}: permission {p:?} is listed twice"));
        }
    }
}

static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();

/// The deployment's catalogue: the one [`install`]ed at start, else the default.
pub fn catalogue() -> &'static Catalogue {
    CATALOGUE.get_or_init(|| Catalogue::parse(DEFAULT_CATALOGUE).expect("the default role catalogue is valid"))
}

/// Makes `c` the process's catalogue; only before anything asked for one.
pub fn install(c: Catalogue) -> Result<(), String> {
    match CATALOGUE.set(c) {
        Ok(()) => Ok(()),
        Err(c) if &c == catalogue() => Ok(()),
        Err(_) => Err("role catalogue: another one is in use already".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_is_todays_admin_and_read_only() {
        let c = Catalogue::parse(DEFAULT_CATALOGUE).unwrap();
        assert_eq!(c.ids().collect::<Vec<_>>(), ["admin", "read_only"]);
        assert_eq!(Role::parse_invitable("admin").unwrap(), Role::ADMIN);
        assert_eq!(Role::parse_invitable("read_only").unwrap(), Role::READ_ONLY);
        for bad in ["owner", "Admin", "", "superuser", "read-only"] {
            let e = Role::parse_invitable(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_role");
        }
        assert!(Role::OWNER.manages() && Role::ADMIN.manages() && !Role::READ_ONLY.manages());
        assert!(Role::ADMIN.can(Can::SeeAudit) && !Role::ADMIN.can(Can::ManageDomains));
        assert!(Role::OWNER.can(Can::ManageDomains) && !Role::READ_ONLY.can(Can::Invite));
        assert!(Role::ADMIN.may_grant(Can::Invite, Role::ADMIN) && !Role::ADMIN.may_grant(Can::Invite, Role::OWNER));
        assert_eq!(c.former_owner_role(), Role::ADMIN);
        assert_eq!(c.holders(Can::Invite, &[Role::READ_ONLY]), [Role::OWNER, Role::ADMIN]);
        assert_eq!(c.holders(Can::ManageDomains, &[]), [Role::OWNER]);
        assert_eq!(c.words(Role::ADMIN, Locale::De).0, "Administrator");
    }

    const THREE: &str = r#"{
        "owner": {"label": {"en": "Owner", "de": "Inhaber"}, "description": {"en": "all", "de": "alles"}, "permissions": ["*"]},
        "roles": [
          {"id": "editor", "label": {"en": "Editor", "de": "Redakteur"}, "description": {"en": "e", "de": "e"},
           "can": ["invite", "manage_members"], "grants": ["editor", "viewer"], "permissions": ["reports:export"]},
          {"id": "billing", "label": {"en": "Billing", "de": "Abrechnung"}, "description": {"en": "b", "de": "b"},
           "can": ["invite"], "grants": ["viewer"]},
          {"id": "viewer", "label": {"en": "Viewer", "de": "Betrachter"}, "description": {"en": "v", "de": "v"}}
        ],
        "formerOwnerRole": "editor"
    }"#;

    #[test]
    fn a_custom_catalogue_grants_only_at_or_below_each_role() {
        let c = Catalogue::parse(THREE).unwrap();
        let [editor, billing, viewer] = [Role("editor"), Role("billing"), Role("viewer")];
        assert_eq!(c.grantable(billing, Can::Invite), [viewer]);
        assert_eq!(c.grantable(editor, Can::Invite), [editor, viewer]);
        assert_eq!(c.grantable(Role::OWNER, Can::Invite), [editor, billing, viewer]);
        assert_eq!(c.holders(Can::Invite, &[editor]), [Role::OWNER, editor]);
        assert_eq!(c.holders(Can::Invite, &[viewer]), [Role::OWNER, editor, billing]);
        assert!(!c.may_grant(billing, Can::ManageMembers, viewer), "billing cannot manage members");
        assert_eq!(c.permissions(editor), ["reports:export"]);
        assert_eq!(c.permissions(Role::OWNER), ["*"]);
        assert!(c.permissions(viewer).is_empty());
    }

    fn refused(json: &str) -> String {
        Catalogue::parse(json).unwrap_err()
    }

    #[test]
    fn a_bad_catalogue_is_refused_with_every_problem_named() {
        let e = refused(&THREE.replace(r#""can": ["invite"]"#, r#""can": ["invite", "fly"]"#));
        assert!(e.contains("unknown variant `fly`"), "{e}");
        let e = refused(&THREE.replace(r#""id": "billing""#, r#""id": "editor""#));
        assert!(e.contains("duplicate role id \"editor\""), "{e}");
        let e = refused(&THREE.replace(r#""grants": ["viewer"]"#, r#""grants": ["auditor"]"#));
        assert!(e.contains("grants \"auditor\", which does not exist"), "{e}");
        let e = refused(&THREE.replace(r#""grants": ["viewer"]"#, r#""grants": ["editor"]"#));
        assert!(e.contains("grants \"editor\", which is above it"), "{e}");
        let e = refused(&THREE.replace(r#""de": "Abrechnung""#, r#""sv": "Fakturering""#));
        assert!(e.contains("role \"billing\" needs a label in \"de\"") && e.contains("\"sv\", which is not"), "{e}");
        // A language one role has words in, every role needs; English always.
        let e = refused(&THREE.replace(r#""de": "Abrechnung""#, r#""de": "Abrechnung", "ja": "請求""#));
        assert!(
            e.contains("role \"editor\" needs a label in \"ja\"") && e.contains("the owner needs a label in \"ja\""),
            "{e}"
        );
        let e = refused(&THREE.replace(r#""en": "Billing", "#, ""));
        assert!(e.contains("role \"billing\" needs a label in \"en\""), "{e}");
        let e = refused(&THREE.replace(r#""formerOwnerRole": "editor""#, r#""formerOwnerRole": "viewer""#));
        assert!(e.contains("must be a managing role"), "{e}");
        let e = refused(&THREE.replace(r#""reports:export""#, r#""reports export""#));
        assert!(e.contains("permission \"reports export\""), "{e}");
        let e = refused(&THREE.replace(r#""id": "viewer""#, r#""id": "owner""#));
        assert!(e.contains("the owner's own role"), "{e}");
        let e = refused(&THREE.replace(r#""formerOwnerRole""#, r#""formerOwner""#));
        assert!(e.contains("unknown field `formerOwner`"), "{e}");
    }

    #[test]
    fn a_retired_role_in_stored_data_reads_and_may_do_nothing() {
        let r: Role = serde_json::from_str("\"auditor\"").unwrap();
        assert_eq!(r.as_str(), "auditor");
        assert_eq!(serde_json::from_str::<Role>("\"auditor\"").unwrap(), r);
        assert!(!r.can(Can::Invite) && !r.manages() && r.permissions().is_empty());
        assert!(Role::parse_invitable("auditor").is_err());
        // Whoever manages members moves people off it; nobody grants it anew (422 above).
        assert!(Role::ADMIN.may_grant(Can::ManageMembers, r) && !Role::READ_ONLY.may_grant(Can::ManageMembers, r));
        assert_eq!(serde_json::to_string(&Role::ADMIN).unwrap(), "\"admin\"");
    }
}
