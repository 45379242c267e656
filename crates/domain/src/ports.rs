//! Ports: one trait per use case, implemented by the DynamoDB store
//! (`invites_adapters::Store`), used by the HTTP handlers and the mail
//! worker. Each method states the errors it answers with; the store keeps
//! every rule atomic (one transaction per rule set) and decides with the
//! functions of `lifecycle`, `members` and `seats`.
//!
//! Every method that acts on a resource takes the caller and checks their
//! membership and role itself: 404 `not_found` for outsiders (no existence
//! leak), 403 `forbidden` for read-only members on management routes.
//! Unexpected failures are `Error::Internal` (500, details only in logs).

// Handlers call these on the concrete store inside a current-thread
// runtime, so the futures' auto traits are known at every call site.
#![allow(async_fn_in_trait)]

use crate::delivery::{DeliveryEvent, Record};
use crate::domains::{DomainView, Joinable, NewDomain, TxtAnswer};
use crate::invite::{NewInvite, StatusFilter};
use crate::message::{DecisionMail, SendInvite};
use crate::plan::{Plan, PlanView};
use crate::records::Invite;
use crate::requests::{Ask, Joined, MyRequest, RequestView};
use crate::resource::{NewResource, ResourceSettings};
use crate::team_links::{NewTeamLink, TeamLinkLookup, TeamLinkView};
use crate::views::{
    AuditView, InviteView, LookupView, MemberView, Membership, MyInvite, MyResource, Page, ResourceView,
};
use crate::{Error, Identity, InviteId, ResourceId, Role};

/// A validated invite request for one resource.
pub struct CreateInvite {
    pub rid: ResourceId,
    pub invite: NewInvite,
    /// `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
}

pub struct Created {
    pub invite: InviteView,
    /// The link token (never stored; derived from the stored nonce).
    pub token: String,
    /// The e-mail to queue; `None` for an idempotent replay (queued the first time).
    pub message: Option<SendInvite>,
}

/// A working link of a pending invite.
pub struct Link {
    pub invite: InviteView,
    pub token: String,
    pub expires_at: i64,
}

/// How to resend.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResendOptions {
    /// A new link: earlier links stop working.
    pub rotate: bool,
    /// Send to an address on the resource's suppression list anyway.
    pub ignore_suppression: bool,
}

pub struct Resent {
    pub link: Link,
    pub message: SendInvite,
}

/// Page request of a list route: `limit` is already validated (1..=100).
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    pub limit: usize,
    pub cursor: Option<&'a str>,
}

pub trait Resources {
    /// Registers a resource; the caller becomes its owner (and their
    /// verified e-mail can never be invited to it). No business errors.
    async fn create_resource(&self, who: &Identity, new: NewResource, now: i64) -> Result<ResourceView, Error>;
    /// The resource, the caller's role and the seats in use. 404 for outsiders.
    async fn resource(&self, rid: ResourceId, who: &Identity) -> Result<ResourceView, Error>;
    /// The audit trail of a range of days, oldest first, for download
    /// (`see_audit`). 404 / 403; 422 `invalid_cursor`.
    async fn audit_export(
        &self,
        rid: ResourceId,
        who: &Identity,
        range: crate::audit_export::Range,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error>;
    /// The audit trail, newest first. 404 / 403; 422 `invalid_cursor`.
    async fn audit_trail(
        &self,
        rid: ResourceId,
        who: &Identity,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error>;
    /// Changes the resource's settings (owner, admin), audited. 404 / 403.
    async fn update_resource(
        &self,
        rid: ResourceId,
        who: &Identity,
        settings: ResourceSettings,
        now: i64,
    ) -> Result<ResourceView, Error>;
    /// Deletes the resource: by its owner (`by`), or by the operator's
    /// service route (`None`). One transaction marks it deleted (every path
    /// checks the mark from then on), gives the owner's count back and
    /// audits it; the sweep removes its items after ([`Sweep::clean_up`]).
    /// 404 for outsiders and once deleted, 403 for members but the owner.
    async fn delete_resource(&self, rid: ResourceId, by: Option<&Identity>, now: i64) -> Result<(), Error>;
}

/// The customer's plan, set by their backend (the service route).
pub trait Plans {
    /// Sets what `plan` names; `by` is the calling service's identity (an
    /// IAM principal), for the audit trail.
    async fn set_plan(&self, rid: ResourceId, plan: Plan, by: &str, now: i64) -> Result<PlanView, Error>;
}

/// Team links: shareable links with a role, an expiry and a use limit.
pub trait TeamLinks {
    /// A new link (owner, admin) and its token.
    async fn create_link(
        &self,
        rid: ResourceId,
        who: &Identity,
        new: NewTeamLink,
        now: i64,
    ) -> Result<(TeamLinkView, String), Error>;
    /// The resource's links, newest first, each with its token (owner, admin).
    async fn links(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<Vec<(TeamLinkView, String)>, Error>;
    /// Ends a link at once (owner, admin); again → no change.
    async fn revoke_link(&self, rid: ResourceId, lid: InviteId, who: &Identity, now: i64) -> Result<(), Error>;
    /// What a link's landing page shows, without sign-in.
    async fn lookup_link(&self, token: &str, now: i64) -> Result<TeamLinkLookup, Error>;
    /// The signed-in caller joins through the link: a use and a seat; or,
    /// when the link asks first, a use and a request (`ask`'s note).
    async fn join(&self, token: &str, who: &Identity, ask: Ask, now: i64) -> Result<Joined, Error>;
}

/// The DNS, asked for a domain's proof of control.
pub trait TxtLookup {
    /// The TXT records at `name` (each record's strings joined).
    async fn txt(&self, name: &str) -> TxtAnswer;
}

/// Verified domains (owner) and joining through them (anyone whose verified
/// address is in one).
pub trait Domains {
    /// Adds an unverified domain with a default role (owner); the same
    /// domain again answers the existing one (`false`: not new).
    async fn add_domain(
        &self,
        rid: ResourceId,
        who: &Identity,
        new: NewDomain,
        now: i64,
    ) -> Result<(DomainView, bool), Error>;
    /// The resource's domains (owner).
    async fn domains(&self, rid: ResourceId, who: &Identity) -> Result<Vec<DomainView>, Error>;
    /// Looks up the domain's TXT record and marks it verified when it holds
    /// the challenge (owner); 409 `domain_not_verified` otherwise.
    async fn verify_domain(
        &self,
        rid: ResourceId,
        domain: &str,
        who: &Identity,
        dns: &impl TxtLookup,
        now: i64,
    ) -> Result<DomainView, Error>;
    /// Removes a domain (owner): nobody joins through it any more; members
    /// who did stay. Again → no change.
    async fn remove_domain(&self, rid: ResourceId, domain: &str, who: &Identity, now: i64) -> Result<(), Error>;
    /// Resources the caller may join through their verified address's
    /// domain, leaving out those they are a member of.
    async fn joinable(&self, who: &Identity) -> Result<Vec<Joinable>, Error>;
    /// Joins such a resource with the domain's role, while seats last; or,
    /// when the domain asks first, a request.
    async fn join_by_domain(&self, rid: ResourceId, who: &Identity, ask: Ask, now: i64) -> Result<Joined, Error>;
}

/// Requests to join (`requests`): decided by members who may invite with
/// the request's role.
pub trait Requests {
    /// The resource's requests, pending ones first. 404 / 403.
    async fn requests(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<Vec<RequestView>, Error>;
    /// Approves the person's pending request: they become a member with its
    /// role, a seat taken in the same transaction. 404 / 403; 403
    /// `role_not_grantable`, `removed_from_resource`; 409
    /// `request_not_pending`, `seat_limit_reached`, `already_member`; 410
    /// `request_expired`. The answer carries the e-mail to queue.
    async fn approve_request(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        now: i64,
    ) -> Result<(RequestView, DecisionMail), Error>;
    /// Declines it, with an optional reason shown to the person. The same
    /// refusals (but seats).
    async fn decline_request(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        reason: Option<String>,
        now: i64,
    ) -> Result<(RequestView, DecisionMail), Error>;
    /// The caller's own requests, with the state of each.
    async fn my_requests(&self, who: &Identity, now: i64) -> Result<Vec<MyRequest>, Error>;
}

/// A person's data on request (`people`), for the operator's privacy team.
pub trait People {
    /// Everything held about the person, from `cursor` on, read for about
    /// `budget`. 422 `invalid_cursor`.
    async fn export_person(
        &self,
        person: &crate::people::Person,
        cursor: Option<&str>,
        budget: std::time::Duration,
    ) -> Result<crate::people::Export, Error>;
    /// Erases what the same read finds (see `people::Erasure`); safe to run
    /// again. 422 `invalid_cursor`.
    async fn erase_person(
        &self,
        person: &crate::people::Person,
        cursor: Option<&str>,
        budget: std::time::Duration,
        now: i64,
    ) -> Result<crate::people::Erasure, Error>;
}

/// The mail worker's ledger of decision e-mails: one e-mail per decision.
pub trait RequestMailLedger {
    /// The decided request a message names (`None` when it was replaced
    /// by a newer one, is still pending, or is gone).
    async fn decided_request(&self, mail: &DecisionMail) -> Result<Option<crate::requests::JoinRequest>, Error>;
    /// Claims the e-mail; `false` when it went out (or is going) already.
    async fn claim_decision_mail(&self, mail: &DecisionMail, now: i64) -> Result<bool, Error>;
    /// Gives the claim back after a transient failure.
    async fn release_decision_mail(&self, mail: &DecisionMail) -> Result<(), Error>;
}

pub trait CreateInvites {
    /// Creates an invite, checking all at once: the caller manages the
    /// resource (404 / 403), a seat is free (409 `seat_limit_reached`, after
    /// reclaiming expired invites), the address has no live invite and is not
    /// a member (409 `already_pending`, `already_member`), the daily budget
    /// (429 `rate_limited`), and the idempotency key (422
    /// `invalid_idempotency_key`, `idempotency_key_reused`; a replay returns
    /// the first invite with no message).
    async fn create_invite(&self, who: &Identity, cmd: CreateInvite, now: i64) -> Result<Created, Error> {
        self.create_invite_as(who, &mut None, cmd, now).await
    }

    /// The same, for one caller's many invites (a bulk invite): `inviter`
    /// keeps the caller's membership as read for the first, so each invite
    /// after it needs no read of its own (read again if it stopped holding).
    async fn create_invite_as(
        &self,
        who: &Identity,
        inviter: &mut Option<crate::records::Member>,
        cmd: CreateInvite,
        now: i64,
    ) -> Result<Created, Error>;

    /// Many invites of one caller to one resource (a bulk invite), answered
    /// in order, with the same checks and answers as one at a time. Once a
    /// refusal is about the caller (`bulk::about_the_caller`: not allowed
    /// here any more), the entries after it are refused with it. A store
    /// may group entries into fewer transactions; this default makes one
    /// transaction per entry.
    async fn create_invites(&self, who: &Identity, cmds: Vec<CreateInvite>, now: i64) -> Vec<Result<Created, Error>> {
        let mut inviter = None;
        let mut out: Vec<Result<Created, Error>> = Vec::with_capacity(cmds.len());
        for cmd in cmds {
            let ended = out.iter().rev().find_map(|r| r.as_ref().err().filter(|e| crate::bulk::about_the_caller(e)));
            let result = match ended {
                Some(e) => Err(e.clone()),
                None => self.create_invite_as(who, &mut inviter, cmd, now).await,
            };
            out.push(result);
        }
        out
    }
}

/// Bulk invites (`bulk::invite_all`) need this beyond single invites.
pub trait BatchKeys {
    /// Binds `key` to this batch's `fingerprint` for 24 hours, in the
    /// caller's own partition (keys are per caller and resource); 422 `idempotency_key_reused` when it is
    /// already bound to another batch.
    async fn claim_batch_key(
        &self,
        rid: ResourceId,
        who: &Identity,
        key: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), Error>;
}

pub trait ListInvites {
    /// Invites newest first; a pending invite past its expiry is listed and
    /// filtered as expired. 404 / 403; 422 `invalid_cursor`.
    async fn list_invites(
        &self,
        rid: ResourceId,
        who: &Identity,
        filter: StatusFilter,
        page: PageRequest<'_>,
        now: i64,
    ) -> Result<Page<InviteView>, Error>;
    /// One invite. 404 / 403.
    async fn get_invite(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<InviteView, Error>;
}

/// What anyone holding a link can do. Unknown, forged, truncated and foreign
/// tokens are 404 `not_found` through one code path.
pub trait Links {
    /// What the landing page shows; changes nothing.
    async fn lookup(&self, token: &str, now: i64) -> Result<LookupView, Error>;
    /// Joins as the invite's role (see `lifecycle::accept` for the answers:
    /// 403 `email_mismatch` / `email_not_verified`, 409
    /// `invite_already_used` / `already_member`, 410 when ended).
    async fn accept(&self, token: &str, who: &Identity, now: i64) -> Result<Membership, Error>;
    /// Says no; the seat is free at once. 410 when no longer live.
    async fn decline(&self, token: &str, now: i64) -> Result<(), Error>;
}

pub trait ManageInvites {
    /// Revokes: permanent, the link dies and the seat is free at once, no
    /// e-mail. 404 / 403; 409 `invite_not_pending` once accepted or declined.
    async fn revoke(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<(), Error>;
    /// Queues the e-mail again (see `lifecycle::resend`): same link unless
    /// `rotate`. 404 / 403; 409 `invite_not_pending`, `already_pending`,
    /// `already_member`, `seat_limit_reached`, `email_suppressed` (without
    /// `ignore_suppression`); 429 `rate_limited`.
    async fn resend(
        &self,
        rid: ResourceId,
        iid: InviteId,
        who: &Identity,
        opts: ResendOptions,
        now: i64,
    ) -> Result<Resent, Error>;
    /// The working link of a pending invite (audited). 404 / 403; 409 `invite_not_pending`.
    async fn copy_link(&self, rid: ResourceId, iid: InviteId, who: &Identity, now: i64) -> Result<Link, Error>;
    /// Changes the role a pending invite grants. 404 / 403; 409
    /// `invite_not_pending`, `changed_meanwhile`.
    async fn change_invite_role(
        &self,
        rid: ResourceId,
        iid: InviteId,
        role: Role,
        who: &Identity,
        now: i64,
    ) -> Result<InviteView, Error>;
}

pub trait Members {
    /// Members with roles. 404 for outsiders.
    async fn members(&self, rid: ResourceId, who: &Identity) -> Result<Vec<MemberView>, Error>;
    /// Changes a member's role. 404 / 403; 403 `owner_protected`; 409 `changed_meanwhile`.
    async fn change_member_role(
        &self,
        rid: ResourceId,
        uid: &str,
        role: Role,
        who: &Identity,
        now: i64,
    ) -> Result<MemberView, Error>;
    /// Removes a member and frees the seat. 404 / 403; 403 `owner_protected`.
    async fn remove_member(&self, rid: ResourceId, uid: &str, who: &Identity, now: i64) -> Result<(), Error>;
    /// The caller leaves. 404 for outsiders; 403 `owner_cannot_leave`.
    async fn leave(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<(), Error>;
    /// Hands ownership to the member `to`, by the owner (`by`) or the
    /// operator's service route (`None`): the owner becomes
    /// `members::FORMER_OWNER_ROLE`, `to` the owner, in one transaction that
    /// also moves the owned-resource counts. 404 / 403 for the caller; 404
    /// when `to` is not a member; 422 when they own it already; 403
    /// `resource_limit_reached` when `to` owns as many as one user may.
    async fn transfer_ownership(
        &self,
        rid: ResourceId,
        to: &str,
        by: Option<&Identity>,
        now: i64,
    ) -> Result<crate::members::Transferred, Error>;
}

pub trait OwnViews {
    /// Pending, unexpired invitations to the caller's verified e-mail (none
    /// without one), newest first, with their tokens.
    async fn my_invites(&self, who: &Identity, now: i64) -> Result<Vec<MyInvite>, Error>;
    /// Resources the caller can access, with the role.
    async fn my_resources(&self, who: &Identity) -> Result<Vec<MyResource>, Error>;
}

/// The mail worker's bookkeeping on the invite, so that a message delivered
/// twice (or a stale one) sends at most one e-mail.
pub trait MailLedger {
    /// The invite as the worker must see it: `status` is
    /// [`InviteStatus::Withdrawn`](crate::InviteStatus::Withdrawn) when its
    /// inviter no longer manages the resource (no e-mail with a dead link).
    async fn invite(&self, rid: ResourceId, iid: InviteId) -> Result<Option<Invite>, Error>;
    /// The resource's name ("" once it is gone) and the language of an
    /// e-mail whose invite named `invite` ([`crate::invite::mail_locale`]).
    async fn resource_for_mail(
        &self,
        rid: &str,
        invite: Option<crate::Locale>,
    ) -> Result<(String, crate::Locale), Error>;
    /// The invite's working link token.
    async fn link_token(&self, invite: &Invite) -> Result<String, Error>;
    /// Claims a send; `false` when the invite moved on, the send already
    /// happened, or another worker holds a fresh claim.
    async fn claim_send(&self, invite: &Invite, send_id: &str, now: i64) -> Result<bool, Error>;
    /// Records the SES message id of a claimed send and when the sweep is
    /// next due (`sweep::due_after_sent`); a reminder's send is audited.
    /// An invite that named no language keeps the one its first e-mail
    /// spoke (`locale`), so its landing page, resends and reminder speak it
    /// too whatever its resource's default becomes.
    async fn record_sent(
        &self,
        invite: &Invite,
        send_id: &str,
        message_id: &str,
        locale: crate::Locale,
        now: i64,
    ) -> Result<(), Error>;
    /// Gives a claim back after a transient failure, so a retry can send.
    async fn release_send(&self, invite: &Invite, send_id: &str) -> Result<(), Error>;
    /// SES refused the e-mail for good: keep the reason and audit it.
    async fn record_delivery_failed(&self, invite: &Invite, send_id: &str, reason: &str, now: i64)
    -> Result<(), Error>;
}

/// What SES reports after sending (see `delivery`).
pub trait DeliveryLedger {
    /// Records an event on the invite whose current message it concerns,
    /// atomically with what it implies (undeliverable, seat freed,
    /// suppression, audit). Unknown, stale and duplicate events change
    /// nothing and answer `Record::Ignore`.
    async fn record_delivery(
        &self,
        rid: ResourceId,
        iid: InviteId,
        event: &DeliveryEvent,
        now: i64,
    ) -> Result<Record, Error>;
}

/// An invite the sweep found due, with the due time it was found under.
pub struct Due {
    pub invite: Invite,
    pub due: i64,
}

/// How a reminder claim ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Reminder {
    /// The reminder is the invite's current send now: queue this.
    Claimed(SendInvite),
    /// The address is on the resource's suppression list: no reminder.
    Suppressed,
    /// The resource's daily e-mail budget or the deployment's cap is spent
    /// today: look again after midnight (UTC).
    OverBudget,
    /// The invite moved on or another sweep took it.
    Lost,
}

/// The scheduled sweep's reads and writes (see `sweep`). Every write is
/// conditioned on the due time it read, so sweeps that overlap act once.
/// What one clean-up of a deleted resource did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CleanedUp {
    /// Items removed.
    pub removed: u64,
    /// Nothing but the resource's marker (kept until retention, with its
    /// audit trail) is left.
    pub finished: bool,
}

pub trait Sweep {
    /// Resources deleted and not yet cleaned up, oldest first, at most `limit`.
    async fn deleted_resources(&self, limit: usize) -> Result<Vec<String>, Error>;
    /// Removes up to `budget` items of a deleted resource (invites, members,
    /// links, domains, locks, counters); its audit trail stays until its
    /// retention, its marker as long. Safe to run again and overlapping.
    async fn clean_up(&self, rid: &str, budget: usize, now: i64) -> Result<CleanedUp, Error>;
    /// Invites due at `now`, earliest first, at most `limit`.
    async fn due_invites(&self, now: i64, limit: usize) -> Result<Vec<Due>, Error>;
    /// Whether the resource sends reminders (`false` once it is gone).
    async fn reminders_on(&self, rid: &str) -> Result<bool, Error>;
    /// Gives an expired invite's seat and address back (if it still holds
    /// them) and records the expiry; `false` when another sweep or a
    /// reclaim on demand got there first (the invite is then only made sure
    /// to be marked expired and off the index).
    async fn free_seat(&self, due: &Due, now: i64) -> Result<bool, Error>;
    /// Invitation e-mails the deployment counted today (its daily cap's count).
    async fn emails_today(&self, now: i64) -> Result<u64, Error>;
    /// Whether the invite's inviter still manages its resource (a withdrawn
    /// invite gets no e-mail: its link would not work).
    async fn inviter_manages(&self, invite: &Invite) -> Result<bool, Error>;
    /// Moves the invite to `next` (or off the index); `false` when another
    /// sweep or a write moved it first.
    async fn reschedule(&self, due: &Due, next: Option<i64>) -> Result<bool, Error>;
    /// Makes a new send the invite's reminder, once, unless the address is
    /// suppressed; due again `requeue_after_secs` later in case it is lost.
    async fn claim_reminder(&self, due: &Due, now: i64) -> Result<Reminder, Error>;
}

/// The operator's webhook endpoints (the IAM service routes) and the
/// deliveries to them (the webhook worker).
pub trait Webhooks {
    /// Registers an endpoint; 409 `too_many_webhooks` beyond
    /// [`crate::webhooks::MAX_ENDPOINTS`].
    async fn add_endpoint(&self, endpoint: &crate::webhooks::Endpoint) -> Result<(), Error>;
    /// Registers the configured endpoint ([`crate::webhooks::CONFIGURED_ID`]),
    /// or brings it in line with the configuration (keeping its state).
    async fn ensure_endpoint(&self, configured: &crate::webhooks::Endpoint, now: i64) -> Result<(), Error>;
    /// Every endpoint, oldest first, with its secrets (for the worker and the fan-out).
    async fn endpoints(&self) -> Result<Vec<crate::webhooks::Endpoint>, Error>;
    /// One endpoint with its secrets; 404 when there is none.
    async fn endpoint(&self, id: &str) -> Result<crate::webhooks::Endpoint, Error>;
    async fn change_endpoint(
        &self,
        id: &str,
        change: &crate::webhooks::EndpointChange,
        now: i64,
    ) -> Result<crate::webhooks::Endpoint, Error>;
    /// A new secret; the current one keeps signing for a day.
    async fn rotate_secret(&self, id: &str, now: i64) -> Result<crate::webhooks::Secret, Error>;
    /// Removes an endpoint (its attempts stay until they expire); 404 when there is none.
    async fn remove_endpoint(&self, id: &str) -> Result<(), Error>;
    /// An endpoint's attempts, newest first.
    async fn attempts(&self, id: &str, page: PageRequest<'_>) -> Result<Page<crate::webhooks::Attempt>, Error>;
    /// Claims an event's delivery to an endpoint before an attempt, so two
    /// copies of one delivery (a publisher's retry queues it twice) are
    /// never in flight at once and a delivered event is not sent again.
    async fn claim_delivery(
        &self,
        endpoint_id: &str,
        message_id: &str,
        now: i64,
    ) -> Result<crate::webhooks::Claim, Error>;
    /// Records an attempt and ends its claim: a success marks the event
    /// delivered and ends the endpoint's failing streak, a failure starts
    /// it or, after `disable_after` seconds of failures, switches the
    /// endpoint off (answering `true` when this attempt did).
    async fn record_attempt(&self, attempt: &crate::webhooks::Attempt, disable_after: i64) -> Result<bool, Error>;
}
