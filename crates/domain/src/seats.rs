//! Seat accounting: members besides the owner plus live pending invites
//! never exceed the resource's limit. The store keeps a counter guarded by
//! `used < limit` in the same transaction as the write that takes a seat;
//! expired invites give their seat back without anyone acting, so a reader
//! subtracts the expired invites that have not been reclaimed yet.

use crate::Error;
use crate::error::Code;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seats {
    pub used: u32,
    pub limit: u32,
}

impl Seats {
    /// Seats taken right now: the counter, less expired invites whose seat
    /// is already free but not yet reclaimed.
    pub fn in_use(counter: u32, expired_unreclaimed: u32, limit: u32) -> Self {
        Self { used: counter.saturating_sub(expired_unreclaimed), limit }
    }

    /// The counter as stored: exact but for invites that expired since the
    /// sweep last ran (it gives their seats back at expiry).
    pub fn counted(r: &crate::records::Resource) -> Self {
        Self { used: r.seats_used, limit: r.seat_limit }
    }

    pub fn has_free(self) -> bool {
        self.used < self.limit
    }
}

/// No seat is free, even after reclaiming expired invites.
pub fn seat_limit_reached() -> Error {
    Error::conflict(Code::SeatLimitReached, "all seats of this resource are taken")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_invites_give_their_seat_back_without_a_write() {
        assert_eq!(Seats::in_use(10, 3, 10), Seats { used: 7, limit: 10 });
        assert!(Seats::in_use(10, 3, 10).has_free());
        assert!(!Seats::in_use(10, 0, 10).has_free());
        // A counter that lags behind never goes negative.
        assert_eq!(Seats::in_use(1, 4, 10).used, 0);
    }
}
