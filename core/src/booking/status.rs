use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, ErrorDetails};
use crate::ids::BookingId;

/// Where a booking is in its life (B5).
///
/// ```text
/// held ──confirm──▶ confirmed ──check_in──▶ checked_in ──check_out / end──▶ completed
///   │                  │ ├─cancel──▶ cancelled
///   ├─ttl passes──▶ expired     ├─no check-in by start + grace──▶ no_show
///   └─release──▶ released       └─end passes──▶ completed
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Occupies capacity until its TTL passes, waiting for a confirm.
    Held,
    /// Booked.
    Confirmed,
    /// The member has arrived.
    CheckedIn,
    /// The hold's TTL passed without a confirm. Terminal.
    Expired,
    /// The hold was let go. Terminal.
    Released,
    /// Cancelled by the member or an admin. Terminal.
    Cancelled,
    /// Check-in was required and did not happen by start + grace. Terminal.
    NoShow,
    /// The span ended, or the member checked out early. Terminal.
    Completed,
}

/// One allowed edge of the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// State before.
    pub from: BookingStatus,
    /// State after.
    pub to: BookingStatus,
}

/// The whole state machine (B5): every allowed transition, and nothing else.
pub const TRANSITIONS: &[Transition] = {
    use BookingStatus::*;
    &[
        Transition {
            from: Held,
            to: Confirmed,
        },
        Transition {
            from: Held,
            to: Expired,
        },
        Transition {
            from: Held,
            to: Released,
        },
        Transition {
            from: Confirmed,
            to: CheckedIn,
        },
        Transition {
            from: Confirmed,
            to: Cancelled,
        },
        Transition {
            from: Confirmed,
            to: NoShow,
        },
        Transition {
            from: Confirmed,
            to: Completed,
        },
        Transition {
            from: CheckedIn,
            to: Completed,
        },
    ]
};

impl BookingStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [BookingStatus; 8] = [
        BookingStatus::Held,
        BookingStatus::Confirmed,
        BookingStatus::CheckedIn,
        BookingStatus::Expired,
        BookingStatus::Released,
        BookingStatus::Cancelled,
        BookingStatus::NoShow,
        BookingStatus::Completed,
    ];

    /// The snake_case name, e.g. `"checked_in"`.
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Held => "held",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::CheckedIn => "checked_in",
            BookingStatus::Expired => "expired",
            BookingStatus::Released => "released",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
            BookingStatus::Completed => "completed",
        }
    }

    /// Whether a booking in this state occupies capacity (before its deadlines pass).
    pub fn occupies(self) -> bool {
        matches!(
            self,
            BookingStatus::Held | BookingStatus::Confirmed | BookingStatus::CheckedIn
        )
    }

    /// Whether no transition leaves this state.
    pub fn is_terminal(self) -> bool {
        !self.occupies()
    }

    /// Whether the table allows `self → to`.
    pub fn can_become(self, to: BookingStatus) -> bool {
        TRANSITIONS.iter().any(|t| t.from == self && t.to == to)
    }

    /// `Ok` when `self → to` is allowed, else an `invalid_transition` error naming both.
    pub fn check_transition(self, to: BookingStatus, booking: &BookingId) -> Result<(), Error> {
        if self.can_become(to) {
            return Ok(());
        }
        Err(Error::new(
            ErrorCode::InvalidTransition,
            format!("booking `{booking}` is {self} and cannot become {to}"),
            ErrorDetails::Transition {
                booking: booking.clone(),
                from: self,
                to,
            },
        ))
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_states_have_no_way_out() {
        for from in BookingStatus::ALL {
            let leaves = BookingStatus::ALL.iter().any(|&to| from.can_become(to));
            assert_eq!(leaves, !from.is_terminal(), "{from}");
        }
    }

    #[test]
    fn refusal_names_both_states() {
        let err = BookingStatus::Cancelled
            .check_transition(BookingStatus::Confirmed, &"bk_1".into())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidTransition);
        assert!(err.message().contains("cancelled") && err.message().contains("confirmed"));
    }
}
