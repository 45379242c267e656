//! The mail worker's bookkeeping on the invite item, so that a message
//! delivered twice (or a stale one) sends at most one e-mail.

use super::items::*;
use super::{LIVE_INVITE, Store, n, s};
use invites_domain::audit::{Audit, AuditAction, SYSTEM};
use invites_domain::invite::mail_locale;
use invites_domain::members::Made;
use invites_domain::ports::MailLedger;
use invites_domain::records::Invite;
use invites_domain::sweep::{due_after_sent, is_reminder};
use invites_domain::{Error, InviteId, InviteStatus, Locale, ResourceId};

impl MailLedger for Store {
    async fn invite(&self, rid: ResourceId, iid: InviteId) -> Result<Option<Invite>, Error> {
        let Some(mut invite) = self.invite_item(&rid.to_string(), &iid.to_string()).await?.map(|i| i.record) else {
            return Ok(None);
        };
        if invite.status == InviteStatus::Pending {
            let (manages, resource) = self.maker_and_resource(Made::invite(&invite)).await?;
            // A deleted resource's invites are gone: nothing goes out.
            if resource.is_none_or(|r| r.deleted_at.is_some()) {
                return Ok(None);
            }
            if !manages {
                invite.status = InviteStatus::Withdrawn;
            }
        }
        Ok(Some(invite))
    }

    async fn resource_for_mail(&self, rid: &str, invite: Option<Locale>) -> Result<(String, Locale), Error> {
        let r = self.resource_item(rid).await?;
        let default = r.as_ref().and_then(|r| r.default_locale);
        let locale = mail_locale(invite, default, self.limits.default_locale);
        Ok((r.map(|r| r.name).unwrap_or_default(), locale))
    }

    async fn link_token(&self, invite: &Invite) -> Result<String, Error> {
        Store::link_token(self, invite).await
    }

    async fn claim_send(&self, invite: &Invite, send_id: &str, now: i64) -> Result<bool, Error> {
        self.update_if(
            &res_pk(&invite.resource_id),
            &invite_sk(&invite.invite_id),
            "SET sendingId = :sid, sendingAt = :now",
            &format!(
                "{LIVE_INVITE} AND sendId = :sid \
                 AND (attribute_not_exists(sentSendId) OR sentSendId <> :sid) \
                 AND (attribute_not_exists(sendingId) OR sendingId <> :sid OR sendingAt < :stale)"
            ),
            &[
                (":sid", s(send_id)),
                (":now", n(now)),
                (":pending", s(InviteStatus::Pending.as_str())),
                (":stale", n(now - self.limits.claim_secs)),
            ],
        )
        .await
    }

    async fn record_sent(
        &self,
        invite: &Invite,
        send_id: &str,
        message_id: &str,
        locale: Locale,
        now: i64,
    ) -> Result<(), Error> {
        let reminder = is_reminder(invite, send_id);
        // Next due: the reminder's day while one is wanted, else the expiry.
        let set = format!(
            "SET sentSendId = :sid, sesMessageId = :mid, sentAt = :now, GSI2PK = :due_pk, GSI2SK = :due, \
             locale = if_not_exists(locale, :locale){}",
            if reminder { ", remindedAt = :now" } else { "" }
        );
        let remove = " REMOVE sendingId, sendingAt, deliveryError, deliveryState, deliveryRank, bounceType, deliveryAt";
        let values = vec![
            (":sid", s(send_id)),
            (":mid", s(message_id)),
            (":now", n(now)),
            (":due_pk", s(DUE_PK)),
            (":due", n(due_after_sent(invite, &self.limits))),
            (":locale", s(locale.as_str())),
        ];
        let pk = res_pk(&invite.resource_id);
        let changed =
            self.update_if(&pk, &invite_sk(&invite.invite_id), &(set + remove), "sendingId = :sid", &values).await?;
        if changed && reminder {
            let entry =
                Audit { action: AuditAction::InviteReminded, actor: SYSTEM, subject: &invite.invite_id, detail: None };
            self.put_audit(&invite.resource_id, entry, now).await?;
        }
        Ok(())
    }

    async fn release_send(&self, invite: &Invite, send_id: &str) -> Result<(), Error> {
        self.update_if(
            &res_pk(&invite.resource_id),
            &invite_sk(&invite.invite_id),
            "REMOVE sendingId, sendingAt",
            "sendingId = :sid",
            &[(":sid", s(send_id))],
        )
        .await
        .map(drop)
    }

    async fn record_delivery_failed(
        &self,
        invite: &Invite,
        send_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<(), Error> {
        let reason: String = reason.chars().take(300).collect();
        let changed = self
            .update_if(
                &res_pk(&invite.resource_id),
                &invite_sk(&invite.invite_id),
                "SET deliveryError = :reason, sentSendId = :sid, updatedAt = :now REMOVE sendingId, sendingAt",
                "sendingId = :sid",
                &[(":sid", s(send_id)), (":reason", s(&reason)), (":now", n(now))],
            )
            .await?;
        if changed {
            let entry = Audit {
                action: AuditAction::DeliveryFailed,
                actor: SYSTEM,
                subject: &invite.invite_id,
                detail: Some(reason),
            };
            self.put_audit(&invite.resource_id, entry, now).await?;
        }
        Ok(())
    }
}
