//! Recurring bookings and blocks (C1–C5): the rule a caller gives, its expansion into
//! occurrences, and the stored series that keeps a rule and its bookings consistent.
//!
//! A series is a wall-clock pattern in the resource's zone: a first occurrence
//! (`2026-03-03T19:00`–`21:00`), an RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12`) or
//! a simpler [`WeeklyPattern`] that compiles to one, and EXDATE/RDATE lists. Each
//! occurrence is named by its local start (its *key*, iCalendar's RECURRENCE-ID) and
//! becomes an instant only when it is booked, so 19:00 stays 19:00 across DST.
//!
//! **Consistency (C3).** At every moment the keys of a series' live bookings (any state
//! but cancelled or released) are exactly the rule's occurrences, minus its exdates,
//! plus its rdates — one booking each. Every change keeps that true: an occurrence that
//! is skipped or cancelled becomes an exdate; splitting a series ends the first part's
//! rule with `UNTIL` just before the split; the integrity check (E3) verifies it.
//!
//! **Limits (C4).** A rule with neither `COUNT` nor `UNTIL` is capped, never expanded
//! forever: at the booking horizon when the rules set one, else one year
//! ([`EngineConfig::series_cap_days`](crate::EngineConfig::series_cap_days)) after the
//! first occurrence; the cap is written into the stored rule as `UNTIL`. A rule making
//! more than [`EngineConfig::max_series_occurrences`](crate::EngineConfig::max_series_occurrences)
//! occurrences is refused with `invalid_input` after expanding only one more than that,
//! so `FREQ=SECONDLY` for ten years fails at once. Policies may set tighter limits
//! (`max_series_occurrences`, `max_series_days`).

mod commands;
mod rule;
mod series;
mod weekly;

pub use commands::{CancelSeries, ModifySeries, NewSeries, SeriesView};
pub(crate) use rule::ParsedRule;
pub use series::{
    EditScope, OccurrenceOutcome, OccurrenceReport, Series, SeriesLink, SeriesMode, SeriesOutcome,
    SeriesStatus,
};
pub use weekly::WeeklyPattern;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::time::LocalDateTime;

/// Most RDATEs or EXDATEs one rule may list.
pub const MAX_DATE_LIST: usize = 1_000;

/// How a series recurs: an RRULE or a weekly pattern, with extra and excluded dates.
///
/// ```
/// use slotwise::recurrence::Recurrence;
/// let rule: Recurrence = serde_json::from_str(r#"{
///   "rrule": "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12",
///   "exdates": ["2026-03-10T19:00"]
/// }"#).unwrap();
/// assert_eq!(rule.exdates.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    /// An RFC 5545 RRULE (FREQ, INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS, COUNT,
    /// UNTIL, …), read in the resource's wall time from the command's `start`.
    #[serde(default)]
    pub rrule: Option<String>,
    /// Instead of `rrule`: days of the week, a time range and a date range. The command
    /// then gives no `start` or `end`.
    #[serde(default)]
    pub weekly: Option<WeeklyPattern>,
    /// Local starts to leave out (EXDATE).
    #[serde(default)]
    pub exdates: Vec<LocalDateTime>,
    /// Local starts to add (RDATE), each as long as the first occurrence.
    #[serde(default)]
    pub rdates: Vec<LocalDateTime>,
}

/// A series' pattern as stored: everything needed to list its occurrences again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesRule {
    /// The first occurrence's local start (DTSTART).
    pub first_start: LocalDateTime,
    /// The first occurrence's local end (DTEND); every occurrence lasts as long on the
    /// wall clock.
    pub first_end: LocalDateTime,
    /// The RRULE, with `UNTIL` as a local wall time.
    pub rrule: String,
    /// Excluded local starts, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exdates: Vec<LocalDateTime>,
    /// Added local starts, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rdates: Vec<LocalDateTime>,
}

/// What an expansion found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Expansion {
    /// Occurrence keys in order: the rule's starts, minus exdates, plus rdates.
    pub keys: Vec<LocalDateTime>,
    /// Whether an unbounded rule was cut at the cap.
    pub capped: bool,
}

impl SeriesRule {
    /// A checked rule: `rrule` read in `tz` and stored as written, the lists sorted, and
    /// an occurrence that ends after it starts, within 366 days.
    pub(crate) fn new(
        first_start: LocalDateTime,
        first_end: LocalDateTime,
        rrule: &str,
        recurrence: &Recurrence,
        tz: Tz,
    ) -> Result<(SeriesRule, ParsedRule)> {
        let parsed = ParsedRule::parse(rrule, tz)?;
        let mut rule = SeriesRule {
            first_start,
            first_end,
            rrule: parsed.to_text(),
            exdates: recurrence.exdates.clone(),
            rdates: recurrence.rdates.clone(),
        };
        rule.normalise_lists()?;
        let length_ms = rule.wall_duration().num_milliseconds();
        if length_ms <= 0 || length_ms > crate::limits::MAX_SPAN_MS {
            return Err(Error::invalid_input(
                "end",
                "each occurrence must end after it starts, within 366 days",
            ));
        }
        Ok((rule, parsed))
    }

    /// The instants of occurrence `key` lasting `duration` on the wall clock in `tz`,
    /// read with `choice`: `None` when the DST change leaves it empty.
    pub(crate) fn span_of(
        key: LocalDateTime,
        duration: chrono::Duration,
        tz: Tz,
        choice: crate::time::Disambiguation,
    ) -> Result<Option<crate::time::Span>> {
        let start = key.resolve(tz, choice)?;
        let end = LocalDateTime(key.0 + duration).resolve(tz, choice)?;
        Ok(crate::time::Span::new(start, end))
    }
    /// Checks the rule and lists its occurrences: at most `max` of them (more is an
    /// `invalid_input` error), an unbounded rule cut after `cap`.
    pub(crate) fn expand(&self, tz: Tz, cap: NaiveDateTime, max: usize) -> Result<Expansion> {
        let parsed = ParsedRule::parse(&self.rrule, tz)?;
        let bound = (!parsed.is_bounded()).then_some(cap);
        let (starts, more) = parsed.starts(self.first_start.0, bound, max + 1)?;
        let capped = more && bound.is_some() && starts.len() <= max;
        // RFC 5545: the set is the rule's starts and the RDATEs, less the EXDATEs.
        let mut keys: Vec<LocalDateTime> = starts.into_iter().map(LocalDateTime).collect();
        keys.extend(self.rdates.iter().copied());
        keys.sort_unstable();
        keys.dedup();
        keys.retain(|k| self.exdates.binary_search(k).is_err());
        if keys.len() > max {
            return Err(Error::invalid_input(
                "recurrence",
                format!("the rule makes more than {max} occurrences; give a COUNT or an UNTIL"),
            ));
        }
        Ok(Expansion { keys, capped })
    }

    /// The wall-clock length of every occurrence.
    pub fn wall_duration(&self) -> chrono::Duration {
        self.first_end.0 - self.first_start.0
    }

    /// The occurrence named `key`: its local start and end.
    pub fn occurrence(&self, key: LocalDateTime) -> (LocalDateTime, LocalDateTime) {
        (key, LocalDateTime(key.0 + self.wall_duration()))
    }

    /// Checks the lists and sorts them.
    pub(crate) fn normalise_lists(&mut self) -> Result<()> {
        for (field, list) in [
            ("recurrence.exdates", &mut self.exdates),
            ("recurrence.rdates", &mut self.rdates),
        ] {
            if list.len() > MAX_DATE_LIST {
                return Err(Error::invalid_input(
                    field,
                    format!("at most {MAX_DATE_LIST} dates"),
                ));
            }
            list.sort_unstable();
            list.dedup();
        }
        Ok(())
    }
}
