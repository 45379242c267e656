//! The queue message contract between the API and the mail worker.
//!
//! Version 1 (JSON): `{"v":1,"type":"invite.send","resourceId","inviteId","sendId"}`.
//! It names an invite and a send attempt, never the token or the e-mail
//! address: the worker reads the invite and sends only if it is still pending,
//! unexpired and `sendId` is still the invite's current one (a resend or a
//! revoke supersedes older messages).

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;
pub const TYPE_INVITE_SEND: &str = "invite.send";

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
