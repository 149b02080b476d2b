//! The series commands: book one (C1, C2), change one (C3), cancel one (C3).

use serde::{Deserialize, Serialize};

use super::{EditScope, Recurrence, SeriesMode};
use crate::audit::Actor;
use crate::ids::{MemberId, ResourceId};
use crate::policy::TimeRange;
use crate::time::{Disambiguation, LocalDateTime, TimeInput};

/// Book a recurring series (C1, C2).
///
/// `start` and `end` are the first occurrence, as local wall times in the resource's zone
/// (or instants, read as the resource's wall time); with a
/// [`weekly`](super::Recurrence::weekly) pattern they are left out.
///
/// ```
/// use slotwise::recurrence::{NewSeries, SeriesMode};
/// let cmd = NewSeries::rrule("room-a", "ann", "2026-03-03T19:00", "2026-03-03T21:00",
///     "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12").mode(SeriesMode::BestEffort);
/// assert_eq!(cmd.quantity, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSeries {
    /// The resource.
    pub resource: ResourceId,
    /// The member it is for.
    pub member: MemberId,
    /// First occurrence's start (not with `weekly`).
    #[serde(default)]
    pub start: Option<TimeInput>,
    /// First occurrence's end (not with `weekly`).
    #[serde(default)]
    pub end: Option<TimeInput>,
    /// How it recurs.
    pub recurrence: Recurrence,
    /// All-or-nothing (default) or best-effort.
    #[serde(default)]
    pub mode: SeriesMode,
    /// How wall times in DST gaps and folds are read, for every occurrence (default
    /// `reject`: such an occurrence fails with `nonexistent_local_time` or
    /// `ambiguous_local_time`).
    #[serde(default)]
    pub disambiguation: Disambiguation,
    /// Units per occurrence (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Attendee count.
    #[serde(default)]
    pub attendees: Option<u32>,
    /// Free-form JSON object.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Admins only: go ahead despite policy violations (each is recorded).
    #[serde(default)]
    pub override_policies: bool,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

fn one() -> u32 {
    1
}

impl NewSeries {
    /// A series from an RRULE, first occurrence `[start, end)`.
    pub fn rrule(
        resource: impl Into<ResourceId>,
        member: impl Into<MemberId>,
        start: impl Into<TimeInput>,
        end: impl Into<TimeInput>,
        rrule: impl Into<String>,
    ) -> Self {
        NewSeries {
            resource: resource.into(),
            member: member.into(),
            start: Some(start.into()),
            end: Some(end.into()),
            recurrence: Recurrence {
                rrule: Some(rrule.into()),
                ..Default::default()
            },
            mode: SeriesMode::AllOrNothing,
            disambiguation: Disambiguation::Reject,
            quantity: 1,
            title: None,
            description: None,
            attendees: None,
            metadata: None,
            override_policies: false,
            idempotency_key: None,
            actor: None,
        }
    }

    /// A series from a weekly pattern.
    pub fn weekly(
        resource: impl Into<ResourceId>,
        member: impl Into<MemberId>,
        pattern: super::WeeklyPattern,
    ) -> Self {
        let mut cmd = NewSeries::rrule(resource, member, "", "", "");
        cmd.start = None;
        cmd.end = None;
        cmd.recurrence = Recurrence {
            weekly: Some(pattern),
            ..Default::default()
        };
        cmd
    }

    /// Sets the mode.
    pub fn mode(mut self, mode: SeriesMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the DST disambiguation.
    pub fn disambiguation(mut self, d: Disambiguation) -> Self {
        self.disambiguation = d;
        self
    }

    /// Sets excluded occurrences.
    pub fn exdates(mut self, exdates: Vec<LocalDateTime>) -> Self {
        self.recurrence.exdates = exdates;
        self
    }

    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Sets the acting user.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }
}

/// Change a series (C3): one occurrence, this and the following ones, or all that have
/// not started. Every touched occurrence moves or none does.
///
/// `times` sets a new local time of day (`["18:00", "20:00"]`; an end at or before the
/// start is the next day) on each occurrence's own date; `resource` and `quantity` move
/// them elsewhere or change their units. A this-and-following change splits the series:
/// the first part ends before the named occurrence and a new series carries the rest.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifySeries {
    /// The series.
    pub series: String,
    /// Which occurrences (default `all`).
    #[serde(default)]
    pub scope: EditScope,
    /// The occurrence (its key, the local start under the rule) for `one` and
    /// `following`.
    #[serde(default)]
    pub occurrence: Option<LocalDateTime>,
    /// New local time of day.
    #[serde(default)]
    pub times: Option<TimeRange>,
    /// New resource.
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// New units.
    #[serde(default)]
    pub quantity: Option<u32>,
    /// Why (recorded).
    #[serde(default)]
    pub reason: Option<String>,
    /// Admins only: go ahead despite policy violations.
    #[serde(default)]
    pub override_policies: bool,
    /// The series version the caller read (B7).
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the series' member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Cancel a series (C3): one occurrence, this and the following ones, or all that have
/// not started. All-or-nothing; each occurrence is cancelled as a booking would be
/// (cutoffs apply to members).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelSeries {
    /// The series.
    pub series: String,
    /// Which occurrences (default `all`).
    #[serde(default)]
    pub scope: EditScope,
    /// The occurrence for `one` and `following`.
    #[serde(default)]
    pub occurrence: Option<LocalDateTime>,
    /// Why (kept on the cancelled bookings).
    #[serde(default)]
    pub reason: Option<String>,
    /// The series version the caller read (B7).
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the series' member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// A series with its bookings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesView {
    /// The series.
    pub series: super::Series,
    /// Its bookings in occurrence order, as of now, in every state.
    pub bookings: Vec<crate::booking::Booking>,
}
