//! What a policy check reports (P8): every rule a proposal breaks, each with a stable code,
//! a message and the rule's parameters, so a UI can show the rules before a member commits.

use serde::{Deserialize, Serialize};

/// Which rule was broken. The snake_case string form is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationCode {
    /// Outside opening hours (P1).
    Closed,
    /// Start or end off the granularity grid (P2).
    Granularity,
    /// Shorter than the minimum duration (P2).
    MinDuration,
    /// Longer than the maximum duration (P2).
    MaxDuration,
    /// Less notice than the lead time (P3).
    LeadTime,
    /// Beyond the booking horizon (P3).
    Horizon,
    /// Too many bookings on one local day (P5).
    BookingsPerDay,
    /// Too many bookings in one local week (P5).
    BookingsPerWeek,
    /// Too many bookings in one local month (P5).
    BookingsPerMonth,
    /// Too many booked hours in one local week (P5).
    HoursPerWeek,
    /// Too many active bookings at once (P5).
    ConcurrentActive,
    /// Too close to the start to cancel (P6).
    CancelCutoff,
    /// Too close to the start to modify (P6).
    ModifyCutoff,
    /// Booking is suspended after repeated no-shows (P9).
    Suspended,
    /// A series has more occurrences than allowed (C4).
    SeriesOccurrences,
    /// A series spans more days than allowed (C4).
    SeriesDays,
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// Which rule.
    pub code: ViolationCode,
    /// For people.
    pub message: String,
    /// The rule's parameters and the values that broke it.
    pub params: serde_json::Value,
}

impl Violation {
    pub(crate) fn new(
        code: ViolationCode,
        message: impl Into<String>,
        params: serde_json::Value,
    ) -> Self {
        Violation {
            code,
            message: message.into(),
            params,
        }
    }
}
