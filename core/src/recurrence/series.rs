//! The stored series record and what booking or editing one reports.

use serde::{Deserialize, Serialize};

use super::SeriesRule;
use crate::error::{ConflictItem, ErrorCode};
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::policy::Violation;
use crate::time::{Disambiguation, LocalDateTime, Timestamp};

/// A recurring booking (C1): the rule, and what every occurrence books.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Engine-made id (`ser_{n}`).
    pub id: String,
    /// The resource every occurrence books (a single occurrence may be moved elsewhere).
    pub resource: ResourceId,
    /// The member it belongs to.
    pub member: MemberId,
    /// The zone the rule is read in: the resource's when the series was made.
    pub timezone: String,
    /// The pattern.
    pub rule: SeriesRule,
    /// How wall times in DST gaps and folds were read.
    pub disambiguation: Disambiguation,
    /// Units each occurrence takes.
    pub quantity: u32,
    /// Title of every occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Description of every occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Attendees of every occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendees: Option<u32>,
    /// Caller-defined JSON of every occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Active, or ended by a cancellation of everything still to come.
    pub status: SeriesStatus,
    /// The series this one was split from by a this-and-following edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<String>,
    /// Bumped by every change (B7).
    pub version: u64,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// Whether a series still has occurrences to come.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesStatus {
    /// Its occurrences stand.
    Active,
    /// Everything still to come was cancelled.
    Cancelled,
}

/// Where a booking sits in a series.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesLink {
    /// The series.
    pub id: String,
    /// The occurrence's key: its local start under the rule (RECURRENCE-ID), which stays
    /// the same when this one occurrence is moved.
    pub occurrence: LocalDateTime,
}

/// All-or-nothing or best-effort (C2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeriesMode {
    /// Every occurrence is booked, or none is and the error lists each that failed.
    #[default]
    AllOrNothing,
    /// Every occurrence that can be booked is; the rest are skipped (and become exdates).
    BestEffort,
}

/// Which occurrences an edit touches (C3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditScope {
    /// The named occurrence only.
    One,
    /// The named occurrence and every later one: the series is split there.
    Following,
    /// Every occurrence that has not started.
    #[default]
    All,
}

/// Booked or skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceOutcome {
    /// It has a booking.
    Booked,
    /// It was left out; `reason` says why.
    Skipped,
}

/// What happened to one occurrence (C2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OccurrenceReport {
    /// The occurrence's key (local start under the rule).
    pub occurrence: LocalDateTime,
    /// Its start, when its wall time exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Timestamp>,
    /// Its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Timestamp>,
    /// Booked or skipped.
    pub outcome: OccurrenceOutcome,
    /// The booking, when booked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingId>,
    /// Why it was skipped: `conflict`, `policy_violation`, `nonexistent_local_time`,
    /// `ambiguous_local_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorCode>,
    /// What it collided with.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<ConflictItem>,
    /// The rules it broke.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
}

/// What booking or editing a series did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesOutcome {
    /// The series as it now stands (for a this-and-following edit, the new series).
    pub series: Series,
    /// Each occurrence touched, in order.
    pub occurrences: Vec<OccurrenceReport>,
    /// Whether an unbounded rule was cut at the cap (C4).
    #[serde(default, skip_serializing_if = "is_false")]
    pub capped: bool,
    /// For a this-and-following edit: the series it was split from, now ending before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<Box<Series>>,
}

fn is_false(b: &bool) -> bool {
    !b
}
