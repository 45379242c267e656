//! What the customer's plan allows a resource: its seats and whether its
//! admins may invite at all. The SaaS backend sets it through the service
//! route (`PUT /v1/service/resources/{rid}/plan`, authorized by IAM, never by
//! an end user's token) when a customer upgrades or downgrades.
//!
//! A lower limit never takes anything away: members and pending invites stay,
//! and only new invites (and resends that would take a seat again) are
//! refused until seats come free or the plan grows.

use crate::Error;
use crate::error::Code;
use crate::records::Resource;
use serde::{Deserialize, Serialize};

/// Seats a plan may give one resource.
pub const MAX_SEATS: u32 = 10_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PlanBody {
    #[serde(default, deserialize_with = "crate::text::whole_number")]
    pub seat_limit: Option<i64>,
    #[serde(default, deserialize_with = "crate::text::present")]
    pub invites_enabled: Option<bool>,
}

/// A validated change of plan: what it sets (at least one of the two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub seat_limit: Option<u32>,
    pub invites_enabled: Option<bool>,
}

impl Plan {
    pub fn validate(body: PlanBody) -> Result<Self, Error> {
        let seat_limit = match body.seat_limit {
            Some(n) if !(1..=i64::from(MAX_SEATS)).contains(&n) => {
                return Err(Error::invalid(Code::InvalidSeatLimit, format!("seatLimit must be 1 to {MAX_SEATS}")));
            }
            n => n.map(|n| n as u32),
        };
        if seat_limit.is_none() && body.invites_enabled.is_none() {
            return Err(Error::invalid(Code::InvalidPlan, "set seatLimit, invitesEnabled or both"));
        }
        Ok(Self { seat_limit, invites_enabled: body.invites_enabled })
    }

    /// The audit entry's detail: what the resource had and has now.
    pub fn detail(&self, before: &Resource) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.seat_limit {
            parts.push(format!("seats {} -> {n}", before.seat_limit));
        }
        if let Some(on) = self.invites_enabled {
            parts.push(format!("inviting {} -> {}", on_off(before.invites_enabled), on_off(on)));
        }
        parts.join(", ")
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// A new invite (or a resend that takes a seat again) on a resource whose
/// plan has inviting turned off.
pub fn invites_disabled() -> Error {
    Error::forbidden(Code::InvitesDisabled, "this resource's plan does not include inviting people")
}

/// The plan as the service route answers it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlanView {
    pub resource_id: String,
    pub seat_limit: u32,
    pub invites_enabled: bool,
    /// Seats taken now; above `seatLimit` after a downgrade, until people leave.
    pub seats_used: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(seat_limit: Option<i64>, invites_enabled: Option<bool>) -> PlanBody {
        PlanBody { seat_limit, invites_enabled }
    }

    #[test]
    fn a_plan_sets_one_or_both_within_bounds() {
        assert_eq!(Plan::validate(body(Some(5), None)).unwrap(), Plan { seat_limit: Some(5), invites_enabled: None });
        assert_eq!(Plan::validate(body(None, Some(false))).unwrap().invites_enabled, Some(false));
        for bad in [0, -1, i64::from(MAX_SEATS) + 1] {
            assert_eq!(Plan::validate(body(Some(bad), None)).unwrap_err().code(), "invalid_seat_limit", "{bad}");
        }
        assert_eq!(Plan::validate(body(None, None)).unwrap_err().code(), "invalid_plan");
    }

    #[test]
    fn the_detail_says_before_and_after() {
        let mut r = crate::records::test_resource();
        r.seat_limit = 10;
        let p = Plan { seat_limit: Some(3), invites_enabled: Some(false) };
        assert_eq!(p.detail(&r), "seats 10 -> 3, inviting on -> off");
        assert_eq!(invites_disabled().status(), 403);
    }
}
