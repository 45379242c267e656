//! SES's reports on sent e-mails, recorded on the invite they concern
//! (decisions: `invites_domain::delivery`).

use super::items::*;
use super::{Check, Store, Tx, n, retry, s};
use aws_sdk_dynamodb::types::Update;
use invites_domain::audit::{Audit, SYSTEM};
use invites_domain::delivery::{self, DeliveryEvent, Record};
use invites_domain::ports::DeliveryLedger;
use invites_domain::{Error, InviteId, InviteStatus, ResourceId};

/// SES diagnostics kept on the invite and in the audit trail.
const MAX_DETAIL_CHARS: usize = 300;

impl DeliveryLedger for Store {
    async fn record_delivery(
        &self,
        rid: ResourceId,
        iid: InviteId,
        event: &DeliveryEvent,
        now: i64,
    ) -> Result<Record, Error> {
        let (rid, iid) = (rid.to_string(), iid.to_string());
        let detail: Option<String> = event.detail.as_ref().map(|d| d.chars().take(MAX_DETAIL_CHARS).collect());
        retry!({
            let item = self.invite_item(&rid, &iid).await?;
            let decision = delivery::record(item.as_deref(), event);
            let (Record::Apply { undeliverable, suppress }, Some(item)) = (&decision, item) else {
                return Ok(decision);
            };
            let mut set =
                vec!["deliveryState = :state", "deliveryRank = :rank", "deliveryAt = :now", "updatedAt = :now"];
            let mut remove = vec![];
            let mut update = Update::builder()
                .table_name(&self.table)
                .key("PK", s(&item.pk))
                .key("SK", s(&item.sk))
                // Only for the message it concerns, and only forward (a
                // duplicate or a late event loses here if it raced past the read).
                .condition_expression(
                    "sesMessageId = :mid AND sentSendId = sendId \
                     AND (attribute_not_exists(deliveryRank) OR deliveryRank < :rank) AND #s = :seen",
                )
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":state", s(event.state.as_str()))
                .expression_attribute_values(":rank", n(event.rank()))
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":mid", s(&event.message_id))
                .expression_attribute_values(":seen", s(item.status.as_str()));
            match event.bounce {
                Some(b) => {
                    set.push("bounceType = :bounce");
                    update = update.expression_attribute_values(":bounce", s(b.as_str()));
                }
                None => remove.push("bounceType"),
            }
            if let Some(d) = &detail {
                set.push("deliveryError = :detail");
                update = update.expression_attribute_values(":detail", s(d));
            }
            if *undeliverable {
                // Out of "my invitations"; the seat and the address go back below.
                set.push("#s = :undeliverable");
                remove.extend(["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]);
                update = update.expression_attribute_values(":undeliverable", s(InviteStatus::Undeliverable.as_str()));
            }
            let mut expression = format!("SET {}", set.join(", "));
            if !remove.is_empty() {
                expression.push_str(&format!(" REMOVE {}", remove.join(", ")));
            }
            let mut tx = Tx::new();
            tx.update(Check::Invite, update.update_expression(expression).build().map_err(Error::internal)?);
            if *undeliverable {
                self.give_back_seat(&mut tx, &item).await?;
            }
            if *suppress {
                let entry = SuppressedItem {
                    pk: res_pk(&rid),
                    sk: suppressed_sk(&item.email),
                    entity: "suppressed".into(),
                    reason: event.state.as_str().into(),
                    invite_id: iid.clone(),
                    at: now,
                };
                tx.put(Check::None, self.put(&entry, None, &[])?);
            }
            if let Some(action) = event.audit_action() {
                let what = match event.bounce {
                    Some(b) => Some(format!(
                        "{} bounce{}",
                        b.as_str(),
                        detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
                    )),
                    None => detail.clone(),
                };
                tx.put(
                    Check::None,
                    self.audit(&rid, Audit { action, actor: SYSTEM, subject: &iid, detail: what }, now)?,
                );
            }
            // A failed condition: the invite moved on (another event, a
            // revoke, a resend), and the next round decides again.
            self.transact(tx).await?;
            Ok(decision)
        })
    }
}
