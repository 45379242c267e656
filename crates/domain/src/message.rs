//! The queue message contract between the API and the mail worker.
//!
//! Version 1 (JSON): `{"v":1,"type":"invite.send","resourceId","inviteId","sendId"}`.
//! It names an invite and a send attempt, never the token or the e-mail
//! address: the worker reads the invite and sends only if it is still pending,
//! unexpired and `sendId` is still the invite's current one (a resend or a
//! revoke supersedes older messages).
//!
//! `{"v":1,"type":"invites.send","resourceId","invites":[{"inviteId","sendId"},…]}`:
//! up to [`INVITES_PER_MESSAGE`] of one resource's invites in one message (a
//! bulk invite's, so one SQS call queues a hundred); the worker handles each
//! as an `invite.send` and retries the message when any of them needs it
//! (those sent already are skipped then).
//!
//! `{"v":1,"type":"request.decided","resourceId","userId","requestId"}`: the
//! decision on a request to join, told to the person who asked (the worker
//! reads the request; nothing goes out when it was replaced meanwhile).

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;
pub const TYPE_INVITE_SEND: &str = "invite.send";
pub const TYPE_INVITES_SEND: &str = "invites.send";
pub const TYPE_REQUEST_DECIDED: &str = "request.decided";
/// Invites per `invites.send` message.
pub const INVITES_PER_MESSAGE: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvite {
    pub v: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub resource_id: String,
    pub invite_id: String,
    pub send_id: String,
}

impl SendInvite {
    pub fn new(resource_id: String, invite_id: String, send_id: String) -> Self {
        Self { v: VERSION, kind: TYPE_INVITE_SEND.into(), resource_id, invite_id, send_id }
    }
}

/// Many invites' e-mails in one message (`invites.send`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvites {
    pub v: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub resource_id: String,
    pub invites: Vec<InviteSend>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteSend {
    pub invite_id: String,
    pub send_id: String,
}

impl SendInvites {
    /// `msgs` in messages of up to [`INVITES_PER_MESSAGE`], each of one
    /// resource, in order; with each message, how many of `msgs` it holds.
    pub fn group(msgs: &[SendInvite]) -> Vec<(Self, usize)> {
        msgs.chunk_by(|a, b| a.resource_id == b.resource_id)
            .flat_map(|run| run.chunks(INVITES_PER_MESSAGE))
            .map(|chunk| {
                let invites = chunk
                    .iter()
                    .map(|m| InviteSend { invite_id: m.invite_id.clone(), send_id: m.send_id.clone() })
                    .collect();
                let group = Self {
                    v: VERSION,
                    kind: TYPE_INVITES_SEND.into(),
                    resource_id: chunk[0].resource_id.clone(),
                    invites,
                };
                (group, chunk.len())
            })
            .collect()
    }

    /// Each invite's message, as if queued on its own.
    pub fn each(&self) -> impl Iterator<Item = SendInvite> + '_ {
        self.invites.iter().map(|i| SendInvite::new(self.resource_id.clone(), i.invite_id.clone(), i.send_id.clone()))
    }
}

/// The type and version every message carries, read first.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Envelope {
    pub v: u32,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionMail {
    pub v: u32,
    #[serde(rename = "type")]
    pub kind: String,
    pub resource_id: String,
    pub user_id: String,
    pub request_id: String,
}

impl DecisionMail {
    pub fn of(r: &crate::requests::JoinRequest) -> Self {
        Self {
            v: VERSION,
            kind: TYPE_REQUEST_DECIDED.into(),
            resource_id: r.resource_id.clone(),
            user_id: r.user_id.clone(),
            request_id: r.request_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invites_go_ten_to_a_message_and_one_resource_per_message() {
        let msg = |r: &str, i: usize| SendInvite::new(r.into(), format!("i{i}"), format!("s{i}"));
        let msgs: Vec<SendInvite> = (0..23).map(|i| msg(if i < 21 { "a" } else { "b" }, i)).collect();
        let groups = SendInvites::group(&msgs);
        let sizes: Vec<(String, usize)> = groups.iter().map(|(g, n)| (g.resource_id.clone(), *n)).collect();
        assert_eq!(sizes, [("a".into(), 10), ("a".into(), 10), ("a".into(), 1), ("b".into(), 2)]);
        let back: Vec<SendInvite> = groups.iter().flat_map(|(g, _)| g.each().collect::<Vec<_>>()).collect();
        assert_eq!(back, msgs);
        let text = serde_json::to_string(&groups[3].0).unwrap();
        assert_eq!(
            text,
            r#"{"v":1,"type":"invites.send","resourceId":"b","invites":[{"inviteId":"i21","sendId":"s21"},{"inviteId":"i22","sendId":"s22"}]}"#
        );
    }
}
