//! Requests to join: a team link or a verified domain in the mode "ask
//! first" ([`JoinMode::Ask`]) does not let people in directly; whoever
//! comes through it asks (with an optional note), and an owner or admin
//! approves (the person becomes a member with the link's or domain's role,
//! a seat taken in the same transaction) or declines (with an optional
//! reason). One pending request per person and resource; a request that
//! nobody decides expires after [`EXPIRY_DAYS`]; asking counts against the
//! resource's daily request budget. Each step is audited (`request.*`) and
//! so published; the person is told the decision by e-mail in their
//! language and sees it under "my invitations".

use crate::error::Code;
use crate::invite::Locale;
use crate::text::one_line;
use crate::time::{DAY, rfc3339};
use crate::views::ResourceRef;
use crate::{Error, Identity, Role};
use serde::{Deserialize, Serialize};

/// Days a request waits for a decision before it expires.
pub const EXPIRY_DAYS: i64 = 14;
/// Days a decided or expired request stays for the person to see.
pub const KEPT_DAYS: i64 = 30;
/// Characters a note or a reason may have.
pub const MAX_TEXT: usize = 500;
/// Requests one resource takes per UTC day (every link and domain together).
pub const DAILY_PER_RESOURCE: u32 = 100;

/// How a team link or a verified domain lets people in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinMode {
    /// At once, while seats last (the default, and what links and domains
    /// written before modes existed do).
    #[default]
    Direct,
    /// A request an owner or admin decides.
    Ask,
}

impl JoinMode {
    /// The mode as stored and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Ask => "ask",
        }
    }

    pub fn is_direct(&self) -> bool {
        *self == JoinMode::Direct
    }

    pub fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "direct" => Ok(Self::Direct),
            "ask" => Ok(Self::Ask),
            _ => Err(Error::invalid(Code::InvalidMode, "mode must be direct or ask")),
        }
    }
}

/// What a request came through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum Via {
    /// A team link (its id).
    Link(String),
    /// A verified domain.
    Domain(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Declined,
    /// Never stored: a pending request past its expiry.
    Expired,
}

impl RequestStatus {
    /// The status as stored and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Expired => "expired",
        }
    }
}

/// A request as the store keeps it (one per person and resource: asking
/// again after a decision replaces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinRequest {
    pub resource_id: String,
    /// This request (a ULID): the decision e-mail names it, so a message
    /// about an earlier request of the same person sends nothing.
    pub request_id: String,
    pub user_id: String,
    /// The verified address they asked with.
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The role approval grants (the link's or domain's when they asked).
    pub role: Role,
    pub via: Via,
    /// The language of the decision e-mail: the screen's the person asked
    /// from, if the service speaks it (else the resource's default, then
    /// the deployment's, as for an invitation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Locale>,
    /// `Pending`, `Approved` or `Declined`.
    pub status: RequestStatus,
    pub created_at: i64,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What asking adds to a join: the note and the language of the answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ask {
    pub note: Option<String>,
    pub locale: Option<Locale>,
}

impl Ask {
    pub fn validate(note: Option<&str>, locale: Option<&str>) -> Result<Self, Error> {
        // A language the service does not speak is not the asker's fault: it falls back.
        let locale = locale.and_then(|l| Locale::negotiate(l).ok().flatten());
        Ok(Self { note: text(note, Code::InvalidNote, "note")?, locale })
    }
}

/// A note or reason: trimmed, at most [`MAX_TEXT`] characters, line breaks
/// kept, other control and bidi characters removed; empty is none.
fn text(raw: Option<&str>, code: Code, what: &str) -> Result<Option<String>, Error> {
    let Some(raw) = raw else { return Ok(None) };
    let kept: String = raw.lines().map(one_line).collect::<Vec<_>>().join("\n");
    let kept = kept.trim();
    if kept.chars().count() > MAX_TEXT {
        return Err(Error::invalid(code, format!("the {what} may have at most {MAX_TEXT} characters")));
    }
    Ok((!kept.is_empty()).then(|| kept.to_owned()))
}

/// The body of a decline: an optional reason shown to the person.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeclineBody {
    #[serde(default, deserialize_with = "crate::text::present")]
    pub reason: Option<String>,
}

impl DeclineBody {
    pub fn validate(self) -> Result<Option<String>, Error> {
        text(self.reason.as_deref(), Code::InvalidReason, "reason")
    }
}

impl JoinRequest {
    pub fn new(resource_id: &str, who: &Identity, role: Role, via: Via, ask: Ask, now: i64) -> Result<Self, Error> {
        let Some(email) = who.verified_email() else {
            return Err(Error::forbidden(Code::EmailNotVerified, "sign in with a verified e-mail address to join"));
        };
        Ok(Self {
            resource_id: resource_id.to_owned(),
            request_id: crate::ids::new_ulid(),
            user_id: who.sub.clone(),
            email: email.as_str().to_owned(),
            name: who.name.clone(),
            note: ask.note,
            role,
            via,
            locale: ask.locale,
            status: RequestStatus::Pending,
            created_at: now,
            expires_at: now + EXPIRY_DAYS * DAY,
            decided_by: None,
            decided_at: None,
            reason: None,
        })
    }

    pub fn status(&self, now: i64) -> RequestStatus {
        match self.status {
            RequestStatus::Pending if self.expires_at <= now => RequestStatus::Expired,
            s => s,
        }
    }

    /// When the item may go: a while after it was decided or expired.
    pub fn keep_until(&self) -> i64 {
        self.decided_at.unwrap_or(self.expires_at) + KEPT_DAYS * DAY
    }

    /// The person, as approval makes them a member (their address was
    /// verified when they asked).
    pub fn requester(&self) -> Identity {
        Identity {
            sub: self.user_id.clone(),
            email: crate::Email::parse(&self.email).ok(),
            email_verified: true,
            name: self.name.clone(),
        }
    }
}

/// Whether a request may be decided now: 409 `request_not_pending` once
/// decided, 410 `request_expired` past its expiry.
pub fn may_decide(request: &JoinRequest, now: i64) -> Result<(), Error> {
    match request.status(now) {
        RequestStatus::Pending => Ok(()),
        RequestStatus::Expired => Err(Error::gone(Code::RequestExpired, "this request has expired")),
        _ => Err(Error::conflict(Code::RequestNotPending, "this request has been decided already")),
    }
}

/// Whether asking again is asking anew: the person's earlier request is
/// decided or expired (a pending one is answered as it is).
pub fn asks_anew(earlier: Option<&JoinRequest>, now: i64) -> bool {
    earlier.is_none_or(|r| r.status(now) != RequestStatus::Pending)
}

/// Requests listed: pending ones first (oldest first, the queue to work
/// through), then the newest decided and expired ones, `max` in all.
pub fn listed(mut requests: Vec<JoinRequest>, now: i64, max: usize) -> Vec<JoinRequest> {
    requests.sort_by(|a, b| {
        let (pa, pb) = (a.status(now) == RequestStatus::Pending, b.status(now) == RequestStatus::Pending);
        pb.cmp(&pa).then_with(|| if pa { a.created_at.cmp(&b.created_at) } else { b.created_at.cmp(&a.created_at) })
    });
    requests.truncate(max);
    requests
}

/// A request as owners and admins see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    pub id: String,
    pub resource_id: String,
    pub user_id: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub role: Role,
    pub via: Via,
    pub status: RequestStatus,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RequestView {
    pub fn of(r: &JoinRequest, now: i64) -> Self {
        Self {
            id: r.request_id.clone(),
            resource_id: r.resource_id.clone(),
            user_id: r.user_id.clone(),
            email: r.email.clone(),
            name: r.name.clone(),
            note: r.note.clone(),
            role: r.role,
            via: r.via.clone(),
            status: r.status(now),
            created_at: rfc3339(r.created_at),
            expires_at: rfc3339(r.expires_at),
            decided_at: r.decided_at.map(rfc3339),
            reason: r.reason.clone(),
        }
    }
}

/// A request as the person who asked sees it under "my invitations".
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyRequest {
    pub id: String,
    pub resource: ResourceRef,
    pub role: Role,
    pub status: RequestStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MyRequest {
    pub fn of(r: &JoinRequest, resource: ResourceRef, now: i64) -> Self {
        Self {
            id: r.request_id.clone(),
            resource,
            role: r.role,
            status: r.status(now),
            note: r.note.clone(),
            created_at: rfc3339(r.created_at),
            expires_at: rfc3339(r.expires_at),
            decided_at: r.decided_at.map(rfc3339),
            reason: r.reason.clone(),
        }
    }
}

/// The answer of a join through a link or domain: a membership, or (in the
/// mode "ask first") the pending request.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", untagged)]
pub enum Joined {
    Member(crate::views::Membership),
    Asked { request: RequestView },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(verified: bool) -> Identity {
        Identity {
            sub: "u1".into(),
            email: Some(crate::Email::parse("a@example.com").unwrap()),
            email_verified: verified,
            name: Some("A".into()),
        }
    }

    fn request(now: i64) -> JoinRequest {
        JoinRequest::new("r", &who(true), Role::READ_ONLY, Via::Link("l".into()), Ask::default(), now).unwrap()
    }

    #[test]
    fn only_a_verified_address_asks() {
        let err =
            JoinRequest::new("r", &who(false), Role::READ_ONLY, Via::Domain("example.com".into()), Ask::default(), 0);
        assert_eq!(err.unwrap_err().code(), "email_not_verified");
        assert_eq!(request(0).requester().verified_email().unwrap().as_str(), "a@example.com");
    }

    #[test]
    fn notes_and_reasons_are_bounded_and_plain() {
        let long = "x".repeat(MAX_TEXT + 1);
        assert_eq!(Ask::validate(Some(&long), None).unwrap_err().code(), "invalid_note");
        assert!(Ask::validate(Some(&"é".repeat(MAX_TEXT)), None).is_ok(), "characters, not bytes");
        let ask = Ask::validate(Some("  line one\u{202E}\r\nline two\t \n"), Some("de-AT")).unwrap();
        assert_eq!(ask.note.as_deref(), Some("line one\nline two"));
        assert_eq!(ask.locale, Some(Locale::De));
        assert_eq!(Ask::validate(Some("   "), Some("xx")).unwrap(), Ask::default());
        let reason = DeclineBody { reason: Some(long) }.validate();
        assert_eq!(reason.unwrap_err().code(), "invalid_reason");
        assert_eq!(DeclineBody::default().validate().unwrap(), None);
    }

    #[test]
    fn a_request_is_decided_once_while_it_lasts() {
        let r = request(0);
        assert!(may_decide(&r, EXPIRY_DAYS * DAY - 1).is_ok());
        assert_eq!(may_decide(&r, EXPIRY_DAYS * DAY).unwrap_err().code(), "request_expired");
        let decided = JoinRequest { status: RequestStatus::Declined, decided_at: Some(5), ..r.clone() };
        assert_eq!(may_decide(&decided, 6).unwrap_err().code(), "request_not_pending");
        assert!(!asks_anew(Some(&r), 1), "a pending request is answered as it is");
        assert!(asks_anew(Some(&decided), 6) && asks_anew(None, 0));
        assert!(asks_anew(Some(&r), EXPIRY_DAYS * DAY), "an expired one is asked anew");
    }

    #[test]
    fn decided_requests_stay_a_while_then_go() {
        let r = request(0);
        assert_eq!(r.keep_until(), (EXPIRY_DAYS + KEPT_DAYS) * DAY);
        let decided = JoinRequest { decided_at: Some(DAY), ..r };
        assert_eq!(decided.keep_until(), (1 + KEPT_DAYS) * DAY);
    }

    #[test]
    fn pending_requests_are_listed_first_oldest_first() {
        let at = |t: i64, status| JoinRequest { created_at: t, status, ..request(t) };
        let list = vec![
            at(1, RequestStatus::Declined),
            at(3, RequestStatus::Pending),
            at(2, RequestStatus::Pending),
            at(4, RequestStatus::Approved),
        ];
        let order: Vec<i64> = listed(list, 10, 3).iter().map(|r| r.created_at).collect();
        assert_eq!(order, vec![2, 3, 4]);
    }

    #[test]
    fn modes_parse_and_default_to_direct() {
        assert_eq!(JoinMode::default(), JoinMode::Direct);
        assert_eq!(JoinMode::parse("ask").unwrap(), JoinMode::Ask);
        assert_eq!(JoinMode::parse("Ask").unwrap_err().code(), "invalid_mode");
        for mode in [JoinMode::Direct, JoinMode::Ask] {
            assert_eq!(serde_json::to_value(mode).unwrap(), mode.as_str(), "as serde writes it");
            assert_eq!(JoinMode::parse(mode.as_str()).unwrap(), mode);
        }
        for status in [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Declined, RequestStatus::Expired]
        {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }
}
