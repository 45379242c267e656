//! SES event publishing records (the configuration set's SNS destination),
//! read into the domain's `DeliveryEvent`. The worker tags every e-mail with
//! `resourceId` and `inviteId`; SES returns the tags in `mail.tags`, which is
//! how an event finds its invite (the message id must then match).

use invites_domain::delivery::{BounceType, DeliveryEvent, DeliveryState};
use invites_domain::{InviteId, ResourceId};
use serde::Deserialize;
use std::collections::HashMap;

/// An event about one of the service's e-mails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressed {
    pub resource_id: ResourceId,
    pub invite_id: InviteId,
    pub event: DeliveryEvent,
}

/// Why a record carries nothing to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// Not JSON, or not an SES event.
    Malformed,
    /// Send, open, click and other types the service does not track.
    OtherType,
    /// No invite tags: not an e-mail of this service.
    NotAnInvite,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SesEvent {
    /// `eventType` (event publishing); `notificationType` (identity notifications).
    #[serde(alias = "notificationType")]
    event_type: String,
    mail: Mail,
    bounce: Option<Bounce>,
    complaint: Option<Complaint>,
    reject: Option<Reject>,
    delivery_delay: Option<Delay>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Mail {
    message_id: String,
    #[serde(default)]
    tags: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bounce {
    bounce_type: String,
    bounce_sub_type: Option<String>,
    #[serde(default)]
    bounced_recipients: Vec<Recipient>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recipient {
    status: Option<String>,
    diagnostic_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Complaint {
    complaint_feedback_type: Option<String>,
}

#[derive(Deserialize)]
struct Reject {
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delay {
    delay_type: Option<String>,
    #[serde(default)]
    delayed_recipients: Vec<Recipient>,
}

fn diagnostic(kind: Option<&str>, recipients: &[Recipient]) -> Option<String> {
    let first = recipients.first();
    let code = first.and_then(|r| r.diagnostic_code.as_deref().or(r.status.as_deref()));
    match (kind, code) {
        (Some(k), Some(c)) => Some(format!("{k}: {c}")),
        (k, c) => k.or(c).map(str::to_owned),
    }
}

/// Reads one SES event (the SNS message body).
pub fn parse(json: &str) -> Result<Addressed, Skip> {
    let ev: SesEvent = serde_json::from_str(json).map_err(|_| Skip::Malformed)?;
    let (state, bounce, detail) = match ev.event_type.as_str() {
        "Delivery" => (DeliveryState::Delivered, None, None),
        "DeliveryDelay" => {
            let d = ev.delivery_delay.ok_or(Skip::Malformed)?;
            (DeliveryState::Delayed, None, diagnostic(d.delay_type.as_deref(), &d.delayed_recipients))
        }
        "Bounce" => {
            let b = ev.bounce.ok_or(Skip::Malformed)?;
            // "Undetermined" is not a proof the address is bad: soft.
            let kind = if b.bounce_type == "Permanent" { BounceType::Hard } else { BounceType::Soft };
            (DeliveryState::Bounced, Some(kind), diagnostic(b.bounce_sub_type.as_deref(), &b.bounced_recipients))
        }
        "Complaint" => {
            let c = ev.complaint.ok_or(Skip::Malformed)?;
            (DeliveryState::Complained, None, c.complaint_feedback_type)
        }
        "Reject" => (DeliveryState::Rejected, None, ev.reject.and_then(|r| r.reason)),
        _ => return Err(Skip::OtherType),
    };
    let tag = |name: &str| ev.mail.tags.get(name).and_then(|v| v.first()).cloned().unwrap_or_default();
    let (Ok(resource_id), Ok(invite_id)) = (ResourceId::parse(&tag("resourceId")), InviteId::parse(&tag("inviteId")))
    else {
        return Err(Skip::NotAnInvite);
    };
    Ok(Addressed {
        resource_id,
        invite_id,
        event: DeliveryEvent { message_id: ev.mail.message_id, state, bounce, detail },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RID: &str = "01JC0000000000000000000000";
    const IID: &str = "01JC0000000000000000000001";

    fn event(kind: &str, body: serde_json::Value) -> String {
        let mut v = serde_json::json!({
            "eventType": kind,
            "mail": {"messageId": "m-1", "tags": {"resourceId": [RID], "inviteId": [IID], "ses:configuration-set": ["invites"]}}
        });
        v.as_object_mut().unwrap().extend(body.as_object().unwrap().clone());
        v.to_string()
    }

    #[test]
    fn every_tracked_type_is_read() {
        let hard = parse(&event("Bounce", serde_json::json!({"bounce": {"bounceType": "Permanent", "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "x@example.com", "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]}})))
        .unwrap();
        assert_eq!(hard.resource_id.to_string(), RID);
        assert_eq!(hard.event.message_id, "m-1");
        assert_eq!((hard.event.state, hard.event.bounce), (DeliveryState::Bounced, Some(BounceType::Hard)));
        assert_eq!(hard.event.detail.as_deref(), Some("General: smtp; 550 5.1.1 user unknown"));
        let soft = parse(&event(
            "Bounce",
            serde_json::json!({"bounce": {"bounceType": "Transient", "bounceSubType": "MailboxFull"}}),
        ))
        .unwrap();
        assert_eq!(soft.event.bounce, Some(BounceType::Soft));
        assert_eq!(soft.event.detail.as_deref(), Some("MailboxFull"));
        let delivered = parse(&event("Delivery", serde_json::json!({"delivery": {"smtpResponse": "250 ok"}}))).unwrap();
        assert_eq!(delivered.event.state, DeliveryState::Delivered);
        let c =
            parse(&event("Complaint", serde_json::json!({"complaint": {"complaintFeedbackType": "abuse"}}))).unwrap();
        assert_eq!((c.event.state, c.event.detail.as_deref()), (DeliveryState::Complained, Some("abuse")));
        let r = parse(&event("Reject", serde_json::json!({"reject": {"reason": "Bad content"}}))).unwrap();
        assert_eq!((r.event.state, r.event.detail.as_deref()), (DeliveryState::Rejected, Some("Bad content")));
        let d =
            parse(&event("DeliveryDelay", serde_json::json!({"deliveryDelay": {"delayType": "MailboxFull"}}))).unwrap();
        assert_eq!(d.event.state, DeliveryState::Delayed);
    }

    #[test]
    fn other_types_foreign_mail_and_garbage_are_skipped() {
        assert_eq!(parse(&event("Open", serde_json::json!({}))), Err(Skip::OtherType));
        assert_eq!(parse(&event("Bounce", serde_json::json!({}))), Err(Skip::Malformed));
        assert_eq!(parse("not json"), Err(Skip::Malformed));
        let foreign = r#"{"eventType":"Delivery","mail":{"messageId":"m","tags":{"campaign":["x"]}}}"#;
        assert_eq!(parse(foreign), Err(Skip::NotAnInvite));
        let bad_id =
            r#"{"eventType":"Delivery","mail":{"messageId":"m","tags":{"resourceId":["../x"],"inviteId":["y"]}}}"#;
        assert_eq!(parse(bad_id), Err(Skip::NotAnInvite));
    }
}
