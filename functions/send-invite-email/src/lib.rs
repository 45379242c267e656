//! The mail worker: SQS batch → SES v2 (or, when the operator delivers
//! invitations themselves, one `invite.delivery_requested` event per send
//! on the deployment's EventBridge bus: [`Channel`]).
//!
//! For each message (contract: `invites_domain::message`), a consistent read
//! of the invite; an e-mail goes out only if the invite is still pending,
//! unexpired and the message's `sendId` is still the invite's current one.
//! A claim on the invite (conditional write) makes a message delivered twice
//! send one e-mail; the SES message id and time are recorded after sending.
//!
//! Failures: throttling and other transient errors put the message id in
//! `batchItemFailures` (SQS retries it; after 5 receives it goes to the DLQ).
//! Permanent SES refusals mark the invite's delivery as failed, with an audit
//! entry, and are not retried. A malformed message is logged and dropped: it
//! can never become valid, so retrying would only delay the DLQ alarm.

pub mod render;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;
use invites_adapters::config::{ConfigError, number, optional};
use invites_adapters::mailer::{Email, SendError};
use invites_adapters::{Config, EventBus, Mailer, Store};
use invites_domain::events::{self, DeliveryRequested};
use invites_domain::mail::{Skip, should_send};
use invites_domain::message::{
    DecisionMail as DecisionMessage, Envelope, SendInvite, SendInvites, TYPE_INVITE_SEND, TYPE_INVITES_SEND,
    TYPE_REQUEST_DECIDED, VERSION,
};
use invites_domain::ports::{MailLedger, RequestMailLedger};
use invites_domain::requests::RequestStatus;
use invites_domain::sweep::is_reminder;
use invites_domain::{InviteId, ResourceId, time};
use render::{DecisionMail, InviteMail, Renderer};

/// Messages of one batch processed at the same time (default; set with
/// `INVITES_WORKER_CONCURRENCY`, 1 to 10).
pub const CONCURRENCY: usize = 5;

/// Time kept in hand before Lambda's deadline: no e-mail starts later
/// (one send, its claim and its record take well under it).
pub const RESERVE: std::time::Duration = std::time::Duration::from_secs(5);

/// Where an invitation goes once the worker has claimed its send.
pub enum Channel {
    /// The service sends the e-mail through SES (the default).
    Ses(Mailer),
    /// The operator delivers it (SMS, chat, their own mailer): the worker
    /// publishes the link and the rendered text as an event instead.
    Events(EventBus),
}

pub struct Worker {
    pub config: Config,
    pub store: Store,
    pub channel: Channel,
    pub renderer: Renderer,
    pub concurrency: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    /// The invite's one reminder went out.
    Reminded,
    /// Nothing to send (superseded, revoked, expired, already sent, malformed).
    Skipped(&'static str),
    /// SES refused the e-mail for good; recorded on the invite.
    Failed,
    /// Try again later.
    Retry,
}

impl Worker {
    /// The templates compile once, in `renderer` (a second `Renderer` at
    /// start would compile them twice: it showed in the worker's init).
    pub fn new(sdk: &aws_config::SdkConfig, config: Config, channel: Channel, renderer: Renderer) -> Self {
        Self { store: Store::from_config(sdk, &config), channel, renderer, concurrency: CONCURRENCY, config }
    }

    /// Every e-mail of the batch, `concurrency` at a time (a message of a
    /// bulk invite holds many: each is one piece of work); a message goes
    /// back to the queue when any of its e-mails is to be retried.
    pub async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        self.handle_until(event, None).await
    }

    /// [`Worker::handle`] within Lambda's `deadline`: once less than
    /// [`RESERVE`] is left, no further e-mail is started and its message
    /// goes back to the queue (a batch of bulk messages holds up to a
    /// hundred e-mails; a timeout would return them all, and an e-mail
    /// SES had taken but not yet recorded could go out twice).
    pub async fn handle_until(&self, event: SqsEvent, deadline: Option<std::time::SystemTime>) -> SqsBatchResponse {
        let work: Vec<(usize, Work)> =
            event.records.iter().enumerate().flat_map(|(i, r)| work(r).into_iter().map(move |w| (i, w))).collect();
        let late = move || {
            deadline.is_some_and(|d| d.duration_since(std::time::SystemTime::now()).unwrap_or_default() < RESERVE)
        };
        let outcomes: Vec<(usize, Outcome)> = futures::stream::iter(work)
            .map(|(i, w)| async move { (i, if late() { Outcome::Retry } else { self.run(w).await }) })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        emit_metrics(outcomes.iter().map(|(_, o)| o));
        let mut retry: Vec<usize> = outcomes.iter().filter(|(_, o)| *o == Outcome::Retry).map(|(i, _)| *i).collect();
        retry.sort_unstable();
        retry.dedup();
        let mut response = SqsBatchResponse::default();
        for i in retry {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = event.records[i].message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
        response
    }

    /// One message's e-mails, one after another; `Retry` when any is to be
    /// retried, else the last one's outcome.
    pub async fn process(&self, record: &SqsMessage) -> Outcome {
        let mut last = Outcome::Skipped("malformed");
        for w in work(record) {
            let outcome = self.run(w).await;
            if last != Outcome::Retry {
                last = outcome;
            }
        }
        last
    }

    async fn run(&self, work: Work) -> Outcome {
        match work {
            Work::Skip => Outcome::Skipped("malformed"),
            Work::Decision(msg) => match self.tell_decision(&msg).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    tracing::error!(request_id = %msg.request_id, error = %e, "will retry");
                    Outcome::Retry
                }
            },
            Work::Invite(msg) => match self.send(&msg).await {
                Ok(outcome) => {
                    tracing::info!(invite_id = %msg.invite_id, outcome = ?outcome, "processed");
                    outcome
                }
                Err(e) => {
                    tracing::error!(invite_id = %msg.invite_id, error = %e, "will retry");
                    Outcome::Retry
                }
            },
        }
    }

    async fn send(&self, msg: &SendInvite) -> Result<Outcome, invites_domain::Error> {
        let (Ok(rid), Ok(iid)) = (ResourceId::parse(&msg.resource_id), InviteId::parse(&msg.invite_id)) else {
            return Ok(Outcome::Skipped("malformed"));
        };
        let now = time::now();
        let item = self.store.invite(rid, iid).await?;
        if let Err(skip) = should_send(item.as_ref(), msg, now) {
            return Ok(Outcome::Skipped(skip.as_str()));
        }
        let Some(item) = item else { return Ok(Outcome::Skipped("invite gone")) };
        if !self.store.claim_send(&item, &msg.send_id, now).await? {
            return Ok(Outcome::Skipped("claimed elsewhere or changed"));
        }
        let (resource, locale) = self.store.resource_for_mail(&item.resource_id, item.locale).await?;
        let url = self.config.invite_url(&MailLedger::link_token(&self.store, &item).await?);
        let reminder = is_reminder(&item, &msg.send_id);
        let rendered = self
            .renderer
            .invite(&InviteMail {
                locale,
                to: &item.email,
                inviter: &item.inviter_name,
                resource: &resource,
                role: item.role,
                message: item.message.as_deref(),
                url: &url,
                expires_at: item.expires_at,
                now,
                reminder,
            })
            .map_err(invites_domain::Error::internal)?;
        let sent = match &self.channel {
            Channel::Ses(mailer) => {
                let tags =
                    vec![("inviteId".into(), item.invite_id.clone()), ("resourceId".into(), item.resource_id.clone())];
                let mail = Email {
                    to: item.email.clone(),
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                    tags,
                };
                mailer.send(&mail).await
            }
            Channel::Events(bus) => {
                let request = DeliveryRequested {
                    version: events::VERSION,
                    id: &msg.send_id,
                    kind: events::DELIVERY_REQUESTED,
                    resource_id: &item.resource_id,
                    resource_name: &resource,
                    invite_id: &item.invite_id,
                    email: &item.email,
                    role: item.role,
                    locale,
                    inviter_name: &item.inviter_name,
                    message: item.message.as_deref(),
                    link: &url,
                    expires_at: item.expires_at,
                    reminder,
                    subject: &rendered.subject,
                    text: &rendered.text,
                };
                bus.request_delivery(&request).await
            }
        };
        match sent {
            Ok(message_id) => {
                // The e-mail is out: never ask for a retry from here on, or
                // the invitee would get it twice.
                if let Err(e) = self.store.record_sent(&item, &msg.send_id, &message_id, locale, time::now()).await {
                    tracing::error!(invite_id = %item.invite_id, error = %e, "sent, but could not record it");
                }
                Ok(if reminder { Outcome::Reminded } else { Outcome::Sent })
            }
            Err(SendError::Transient(reason)) => {
                tracing::warn!(invite_id = %item.invite_id, %reason, "the channel refused for now");
                self.store.release_send(&item, &msg.send_id).await?;
                Ok(Outcome::Retry)
            }
            Err(SendError::Permanent(reason)) => {
                tracing::warn!(invite_id = %item.invite_id, %reason, "the channel refused for good");
                self.store.record_delivery_failed(&item, &msg.send_id, &reason, time::now()).await?;
                Ok(Outcome::Failed)
            }
        }
    }
}

impl Worker {
    /// Tells the person who asked to join the decision, once: by SES, or,
    /// when the operator delivers mail themselves, not at all (the
    /// `request.approved` / `request.declined` events are theirs to use).
    async fn tell_decision(&self, msg: &DecisionMessage) -> Result<Outcome, invites_domain::Error> {
        let Channel::Ses(mailer) = &self.channel else { return Ok(Outcome::Skipped("delivered by the operator")) };
        let Some(request) = self.store.decided_request(msg).await? else {
            return Ok(Outcome::Skipped("request replaced or gone"));
        };
        if !self.store.claim_decision_mail(msg, time::now()).await? {
            return Ok(Outcome::Skipped("told already"));
        }
        let (resource, locale) = self.store.resource_for_mail(&request.resource_id, request.locale).await?;
        let rendered = self
            .renderer
            .decision(&DecisionMail {
                locale,
                to: &request.email,
                resource: &resource,
                role: request.role,
                approved: request.status == RequestStatus::Approved,
                reason: request.reason.as_deref(),
                url: &self.config.accept_url,
            })
            .map_err(invites_domain::Error::internal)?;
        let tags = vec![("resourceId".into(), request.resource_id.clone())];
        let mail = Email {
            to: request.email.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            tags,
        };
        match mailer.send(&mail).await {
            Ok(_) => Ok(Outcome::Sent),
            Err(SendError::Transient(reason)) => {
                tracing::warn!(request_id = %msg.request_id, %reason, "the channel refused for now");
                self.store.release_decision_mail(msg).await?;
                Ok(Outcome::Retry)
            }
            Err(SendError::Permanent(reason)) => {
                tracing::warn!(request_id = %msg.request_id, %reason, "the channel refused for good");
                Ok(Outcome::Failed)
            }
        }
    }
}

/// One e-mail to handle.
enum Work {
    Invite(SendInvite),
    Decision(DecisionMessage),
    /// A malformed message, or one of an unknown version or type.
    Skip,
}

/// What a message asks for: one e-mail, or a bulk invite's many.
fn work(record: &SqsMessage) -> Vec<Work> {
    let body = record.body.as_deref().unwrap_or("");
    let Ok(envelope) = serde_json::from_str::<Envelope>(body) else {
        tracing::error!(message_id = ?record.message_id, "dropping malformed queue message");
        return vec![Work::Skip];
    };
    let parsed = match (envelope.v, envelope.kind.as_str()) {
        (VERSION, TYPE_INVITE_SEND) => serde_json::from_str(body).map(|m| vec![Work::Invite(m)]).ok(),
        (VERSION, TYPE_INVITES_SEND) => {
            serde_json::from_str::<SendInvites>(body).map(|m| m.each().map(Work::Invite).collect()).ok()
        }
        (VERSION, TYPE_REQUEST_DECIDED) => serde_json::from_str(body).map(|m| vec![Work::Decision(m)]).ok(),
        _ => {
            tracing::error!(message_id = ?record.message_id, v = envelope.v, "dropping queue message of unknown version or type");
            None
        }
    };
    parsed.filter(|w| !w.is_empty()).unwrap_or_else(|| vec![Work::Skip])
}

/// The batch's figures as an embedded-metric log line: e-mails sent,
/// reminders sent, refused for good, left for retry, suppressed (the address
/// bounced or complained meanwhile) and otherwise skipped.
fn emit_metrics<'a>(outcomes: impl Iterator<Item = &'a Outcome>) {
    let mut counts = [
        ("EmailsSent", 0),
        ("RemindersSent", 0),
        ("EmailsFailed", 0),
        ("EmailsRetried", 0),
        ("EmailsSuppressed", 0),
        ("MessagesSkipped", 0),
    ];
    for o in outcomes {
        let i = match o {
            Outcome::Sent => 0,
            Outcome::Reminded => 1,
            Outcome::Failed => 2,
            Outcome::Retry => 3,
            Outcome::Skipped(reason) if *reason == Skip::Suppressed.as_str() => 4,
            Outcome::Skipped(_) => 5,
        };
        counts[i].1 += 1;
    }
    invites_adapters::metrics::emit("send-invite-email", &counts);
}

/// `INVITES_WORKER_CONCURRENCY` (default 5, 1 to 10).
pub fn concurrency_from_env() -> Result<usize, ConfigError> {
    number("INVITES_WORKER_CONCURRENCY", CONCURRENCY, |n| (1..=10).contains(n))
}

/// The channel from `INVITES_DELIVERY`: `ses` (the default; needs
/// `INVITES_SENDER`, optional `INVITES_SES_CONFIGURATION_SET`) or `events`
/// (needs `INVITES_EVENT_BUS`).
pub fn channel_from_env(sdk: &aws_config::SdkConfig) -> Result<Channel, ConfigError> {
    match optional("INVITES_DELIVERY").as_deref().unwrap_or("ses") {
        "ses" => {
            let from = optional("INVITES_SENDER").ok_or_else(|| ConfigError("INVITES_SENDER is not set".into()))?;
            Ok(Channel::Ses(Mailer::new(sdk, from, optional("INVITES_SES_CONFIGURATION_SET"))))
        }
        "events" => Ok(Channel::Events(EventBus::from_env(sdk)?)),
        _ => Err(ConfigError("INVITES_DELIVERY must be ses or events".into())),
    }
}
