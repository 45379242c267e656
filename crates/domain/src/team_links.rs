//! Team links: a shareable link an owner or admin makes for a resource, with
//! a role, an expiry and a maximum number of uses. Whoever opens it and signs
//! in (with a verified e-mail) becomes a member while uses and seats last:
//! the seat is taken at join, not when the link is made. Every join is
//! audited (`member.joined`) and so published as an event.
//!
//! The link's token is minted like an invite's (`token`, kind team link) from
//! a stored nonce, so the same link can be copied again and a revoke kills it.

use crate::error::Code;
use crate::invite::{DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS};
use crate::records::Member;
use crate::requests::JoinMode;
use crate::time::{DAY, rfc3339};
use crate::views::ResourceRef;
use crate::{Error, Identity, Role};
use serde::{Deserialize, Serialize};

/// Uses one link may have at most.
pub const MAX_USES: u32 = 1000;
/// Uses when the request names none.
pub const DEFAULT_USES: u32 = 10;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NewTeamLinkBody {
    pub role: String,
    #[serde(default, deserialize_with = "crate::text::whole_number")]
    pub expires_in_days: Option<i64>,
    #[serde(default, deserialize_with = "crate::text::whole_number")]
    pub max_uses: Option<i64>,
    /// `direct` (the default) or `ask` (`requests`).
    #[serde(default, deserialize_with = "crate::text::present")]
    pub mode: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTeamLink {
    pub role: Role,
    pub expires_in_days: i64,
    pub max_uses: u32,
    pub mode: JoinMode,
}

impl NewTeamLink {
    pub fn validate(body: NewTeamLinkBody) -> Result<Self, Error> {
        let role = Role::parse_invitable(&body.role)?;
        let expires_in_days = body.expires_in_days.unwrap_or(DEFAULT_EXPIRY_DAYS);
        if !(1..=MAX_EXPIRY_DAYS).contains(&expires_in_days) {
            return Err(Error::invalid(
                Code::InvalidExpiresInDays,
                format!("expiresInDays must be between 1 and {MAX_EXPIRY_DAYS}"),
            ));
        }
        let max_uses = match body.max_uses {
            None => DEFAULT_USES,
            Some(n) if (1..=i64::from(MAX_USES)).contains(&n) => n as u32,
            Some(_) => return Err(Error::invalid(Code::InvalidMaxUses, format!("maxUses must be 1 to {MAX_USES}"))),
        };
        let mode = body.mode.as_deref().map(JoinMode::parse).transpose()?.unwrap_or_default();
        Ok(Self { role, expires_in_days, max_uses, mode })
    }
}

/// A team link as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamLink {
    pub resource_id: String,
    pub link_id: String,
    pub role: Role,
    /// Token nonce (base64url, 128 bits).
    pub nonce: String,
    pub max_uses: u32,
    pub uses: u32,
    /// Join at once or ask first (links made before modes existed: at once).
    #[serde(default, skip_serializing_if = "JoinMode::is_direct")]
    pub mode: JoinMode,
    pub created_by: String,
    /// The maker's `Member::term` when they made it (absent on links
    /// written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maker_term: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    Active,
    Expired,
    UsedUp,
    Revoked,
    /// Would work, but whoever made it no longer manages the resource
    /// (`members::still_manages`). Never stored: derived from their membership.
    Withdrawn,
}

impl TeamLink {
    pub fn new(resource_id: &str, link_id: String, new: NewTeamLink, nonce: String, by: &Member, now: i64) -> Self {
        Self {
            resource_id: resource_id.to_owned(),
            link_id,
            role: new.role,
            nonce,
            max_uses: new.max_uses,
            uses: 0,
            mode: new.mode,
            created_by: by.user_id.clone(),
            maker_term: by.term.clone(),
            created_at: now,
            expires_at: now + new.expires_in_days * DAY,
            revoked_at: None,
            revoked_by: None,
        }
    }

    pub fn status(&self, now: i64) -> LinkStatus {
        if self.revoked_at.is_some() {
            LinkStatus::Revoked
        } else if self.uses >= self.max_uses {
            LinkStatus::UsedUp
        } else if self.expires_at <= now {
            LinkStatus::Expired
        } else {
            LinkStatus::Active
        }
    }

    /// The status once the maker's membership is known: an active link of
    /// someone who no longer manages is withdrawn.
    pub fn status_given(&self, now: i64, maker_manages: bool) -> LinkStatus {
        match self.status(now) {
            LinkStatus::Active if !maker_manages => LinkStatus::Withdrawn,
            status => status,
        }
    }
}

/// Active team links a resource may have at once: every one of them shows in
/// the admin screen, and a departing admin cannot leave a stock behind.
pub const MAX_ACTIVE: usize = 20;

/// Whether another link may be made while `links` exist: 409
/// `too_many_links` at [`MAX_ACTIVE`] active ones.
/// Withdrawn links do not count: they no longer work.
pub fn may_create(statuses: impl IntoIterator<Item = LinkStatus>) -> Result<(), Error> {
    let active = statuses.into_iter().filter(|s| *s == LinkStatus::Active).count();
    if active >= MAX_ACTIVE {
        return Err(Error::conflict(
            Code::TooManyLinks,
            format!("a resource can have at most {MAX_ACTIVE} active team links; withdraw one first"),
        ));
    }
    Ok(())
}

/// The links the admin screen lists: every active one first (so none is
/// ever out of sight), then the newest ended ones, `max` in all.
pub fn listed(mut links: Vec<(TeamLink, LinkStatus)>, max: usize) -> Vec<(TeamLink, LinkStatus)> {
    links.sort_by(|(a, sa), (b, sb)| {
        let (aa, ba) = (*sa == LinkStatus::Active, *sb == LinkStatus::Active);
        ba.cmp(&aa).then_with(|| b.link_id.cmp(&a.link_id))
    });
    links.truncate(max);
    links
}

/// Whether `who` may join through `link` now (seats are the store's
/// condition at the join itself).
pub fn may_join(link: &TeamLink, who: &Identity, now: i64) -> Result<(), Error> {
    gone(link.status(now))?;
    match who.verified_email() {
        Some(_) => Ok(()),
        None => Err(Error::forbidden(Code::EmailNotVerified, "sign in with a verified e-mail address to join")),
    }
}

/// 410 for a link that no longer works; `Ok` for an active one.
pub fn gone(status: LinkStatus) -> Result<(), Error> {
    match status {
        LinkStatus::Active => Ok(()),
        LinkStatus::Revoked => Err(Error::gone(Code::LinkRevoked, "this team link was revoked")),
        LinkStatus::Expired => Err(Error::gone(Code::LinkExpired, "this team link has expired")),
        LinkStatus::UsedUp => Err(Error::gone(Code::LinkUsedUp, "this team link has been used as often as it may")),
        LinkStatus::Withdrawn => Err(Error::gone(
            Code::LinkWithdrawn,
            "whoever made this team link no longer manages the resource; ask one of its admins for a new one",
        )),
    }
}

/// Joining by link while an invitation to the same address is pending.
pub fn invitation_waiting() -> Error {
    Error::conflict(Code::AlreadyPending, "an invitation to your address is waiting: accept it instead")
}

/// A team link as owners and admins see it (with its URL while active).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TeamLinkView {
    pub id: String,
    pub resource_id: String,
    pub role: Role,
    pub status: LinkStatus,
    pub uses: u32,
    pub max_uses: u32,
    pub mode: JoinMode,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl TeamLinkView {
    /// The link in `status` (`TeamLink::status_given`).
    pub fn of(l: &TeamLink, status: LinkStatus) -> Self {
        Self {
            id: l.link_id.clone(),
            resource_id: l.resource_id.clone(),
            role: l.role,
            status,
            uses: l.uses,
            max_uses: l.max_uses,
            mode: l.mode,
            created_by: l.created_by.clone(),
            created_at: rfc3339(l.created_at),
            expires_at: rfc3339(l.expires_at),
            revoked_at: l.revoked_at.map(rfc3339),
            url: None,
        }
    }

    /// The link's URL, shown while it works.
    pub fn with_url(mut self, url: String) -> Self {
        self.url = (self.status == LinkStatus::Active).then_some(url);
        self
    }
}

/// What the landing page shows for a team link (no sign-in needed).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TeamLinkLookup {
    pub resource: ResourceRef,
    pub role: Role,
    pub status: LinkStatus,
    /// `ask`: the landing page offers a request (with a note), not a join.
    pub mode: JoinMode,
    pub expires_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(max_uses: u32, uses: u32) -> TeamLink {
        let new = NewTeamLink { role: Role::READ_ONLY, expires_in_days: 7, max_uses, mode: JoinMode::Direct };
        TeamLink {
            uses,
            ..TeamLink::new("r", "l".into(), new, "n".into(), &crate::members::test_member(Role::OWNER), 0)
        }
    }

    fn who(email: Option<&str>, verified: bool) -> Identity {
        Identity {
            sub: "u".into(),
            email: email.map(|e| crate::Email::parse(e).unwrap()),
            email_verified: verified,
            name: None,
        }
    }

    #[test]
    fn a_link_needs_an_invitable_role_and_bounded_expiry_and_uses() {
        let body = |role: &str, days: Option<i64>, uses: Option<i64>| NewTeamLinkBody {
            role: role.into(),
            expires_in_days: days,
            max_uses: uses,
            mode: None,
        };
        let ok = NewTeamLink::validate(body("admin", None, None)).unwrap();
        assert_eq!((ok.expires_in_days, ok.max_uses), (DEFAULT_EXPIRY_DAYS, DEFAULT_USES));
        assert_eq!(NewTeamLink::validate(body("owner", None, None)).unwrap_err().code(), "invalid_role");
        assert_eq!(NewTeamLink::validate(body("admin", Some(31), None)).unwrap_err().code(), "invalid_expires_in_days");
        for bad in [0, -1, 1001] {
            assert_eq!(NewTeamLink::validate(body("admin", None, Some(bad))).unwrap_err().code(), "invalid_max_uses");
        }
    }

    #[test]
    fn a_link_works_while_uses_and_time_last_and_until_revoked() {
        let l = link(2, 1);
        let signed_in = who(Some("a@example.com"), true);
        assert_eq!(l.status(0), LinkStatus::Active);
        assert!(may_join(&l, &signed_in, 0).is_ok());
        assert_eq!(may_join(&link(2, 2), &signed_in, 0).unwrap_err().code(), "link_used_up");
        assert_eq!(may_join(&l, &signed_in, 7 * DAY).unwrap_err().code(), "link_expired");
        let revoked = TeamLink { revoked_at: Some(1), ..l.clone() };
        assert_eq!(may_join(&revoked, &signed_in, 0).unwrap_err().code(), "link_revoked");
        assert_eq!(may_join(&l, &who(Some("a@example.com"), false), 0).unwrap_err().code(), "email_not_verified");
        assert_eq!(may_join(&l, &who(None, true), 0).unwrap_err().code(), "email_not_verified");
    }

    #[test]
    fn the_url_is_shown_only_while_the_link_works() {
        let view = |l: TeamLink, maker_manages| TeamLinkView::of(&l, l.status_given(0, maker_manages));
        assert!(view(link(2, 0), true).with_url("u".into()).url.is_some());
        assert!(view(link(2, 2), true).with_url("u".into()).url.is_none());
        let withdrawn = view(link(2, 0), false);
        assert_eq!(withdrawn.status, LinkStatus::Withdrawn);
        assert!(withdrawn.with_url("u".into()).url.is_none());
        // Ended for another reason first: that reason shows.
        assert_eq!(view(link(2, 2), false).status, LinkStatus::UsedUp);
        assert_eq!(gone(LinkStatus::Withdrawn).unwrap_err().code(), "link_withdrawn");
    }

    #[test]
    fn active_links_are_capped_and_always_listed_first() {
        let now = 100;
        let numbered = |n: u32| TeamLink { link_id: format!("{n:04}"), ..link(10, 0) };
        let seen = |links: &[TeamLink]| links.iter().map(|l| (l.clone(), l.status(now))).collect::<Vec<_>>();
        let mut links: Vec<TeamLink> = (0..MAX_ACTIVE as u32).map(numbered).collect();
        assert_eq!(may_create(seen(&links).into_iter().map(|(_, s)| s)).unwrap_err().code(), "too_many_links");
        links[0].revoked_at = Some(now);
        assert!(may_create(seen(&links).into_iter().map(|(_, s)| s)).is_ok(), "a revoked link frees its place");
        let mut statuses: Vec<LinkStatus> = (0..MAX_ACTIVE).map(|_| LinkStatus::Active).collect();
        statuses[3] = LinkStatus::Withdrawn;
        assert!(may_create(statuses).is_ok(), "so does a withdrawn one");
        // The oldest link still active stays in the list whatever ended after it.
        let mut many: Vec<TeamLink> = (1..300).map(|n| TeamLink { revoked_at: Some(now), ..numbered(n) }).collect();
        many.push(numbered(0));
        let shown = listed(seen(&many), 200);
        assert_eq!((shown.len(), shown[0].0.link_id.as_str()), (200, "0000"));
        assert_eq!(shown[1].0.link_id, "0299", "then the newest ended");
    }
}
