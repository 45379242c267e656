//! The queue message contract between the API and the mail worker.
//!
//! Version 1 (JSON): `{"v":1,"type":"invite.send","resourceId","inviteId","sendId"}`.
//! It names an invite and a send attempt, never the token or the e-mail
//! address: the worker reads the invite and sends only if it is still pending,
//! unexpired and `sendId` is still the invite's current one (a resend or a
//! revoke supersedes older messages).
//!
//! `{"v":1,"type":"request.decided","resourceId","userId","requestId"}`: the
//! decision on a request to join, told to the person who asked (the worker
//! reads the request; nothing goes out when it was replaced meanwhile).

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;
pub const TYPE_INVITE_SEND: &str = "invite.send";
pub const TYPE_REQUEST_DECIDED: &str = "request.decided";

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
