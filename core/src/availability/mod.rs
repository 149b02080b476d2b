//! Availability (A1–A3, A6), answered from the in-memory interval index with one sweep per
//! resource and never a query per slot.
//!
//! A booking of `[s, s + d)` fits when its span padded by its buffers lies in a run with
//! enough free units, and the span itself lies in opening hours. So the *bookable windows*
//! of a resource are: the runs with enough free units (computed over the query range
//! widened by the buffers), shrunk by the buffers, intersected with the open spans. Every
//! answer below is read off those windows.

mod alternatives;
mod free;
mod grid;
mod next;
mod search;
mod segments;
pub(crate) mod why_not;

pub(crate) use alternatives::{alternatives, Wanted};
pub use alternatives::{Alternative, AlternativeKind, MAX_SIMILAR_EXAMINED, NEARBY_MS};
pub use next::{NextAvailable, NextAvailableQuery, DEFAULT_LOOKAHEAD_DAYS};
pub use why_not::{Reason, ReasonCode};

pub use segments::Segment;

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use crate::audit::Role;
use crate::commands::ResourceFilter;
use crate::engine::{rules_for, Engine};
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::index::OccupantRef;
use crate::policy::EffectiveRules;
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::{parse_timezone, Span, Timestamp, MS_PER_MIN};
use grid::LocalGrid;
pub(crate) use search::SlotSearch;
use segments::{free_segments, intersect, runs_with};

/// Most alternatives one conflict answer carries (A5).
pub const MAX_ALTERNATIVES: u32 = 20;
/// Most slots one query returns.
pub const MAX_SLOTS: usize = 10_000;
/// Longest range one availability query may cover: 366 days.
pub const MAX_RANGE_MS: i64 = 366 * 24 * 3_600 * 1_000;

/// Which resources are free for the whole of `[from, to)` (A1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreeResourcesQuery {
    /// Start.
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
    /// Units needed (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Resource filters.
    #[serde(default)]
    pub filter: ResourceFilter,
}

/// Free windows of resources in a range (A2), or their free units (A6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsQuery {
    /// The resources.
    pub resources: Vec<ResourceId>,
    /// Start.
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
    /// Units needed (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Only windows at least this long (default: the policy's minimum duration).
    #[serde(default)]
    pub min_duration_mins: Option<u32>,
    /// Whose rules apply (default `member`).
    #[serde(default)]
    pub role: Role,
}

/// Bookable start times of a duration on a step grid (A3).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotsQuery {
    /// The resource.
    pub resource: ResourceId,
    /// Start of the range (slots start at or after it).
    pub from: Timestamp,
    /// End of the range (slots end at or before it).
    pub to: Timestamp,
    /// Slot length.
    pub duration_mins: u32,
    /// Step between starts (default: the policy's granularity).
    #[serde(default)]
    pub step_mins: Option<u32>,
    /// Zone whose local midnight the grid is aligned to (default: the resource's).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Units needed (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Whose rules apply (default `member`).
    #[serde(default)]
    pub role: Role,
}

fn one() -> u32 {
    1
}

/// A free window of one resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeWindow {
    /// The resource.
    pub resource: ResourceId,
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
}

/// A stretch with a constant number of free units (A6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitsWindow {
    /// The resource.
    pub resource: ResourceId,
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
    /// Units free throughout.
    pub free: u32,
}

/// A bookable slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
}

fn checked_range(from: Timestamp, to: Timestamp) -> Result<Span> {
    let range = Span::new(from, to)
        .ok_or_else(|| Error::invalid_input("to", "`to` must be after `from`"))?;
    if range.len_millis() > MAX_RANGE_MS {
        return Err(Error::invalid_input(
            "to",
            "an availability range spans at most 366 days",
        ));
    }
    Ok(range)
}

/// The bookable windows of `resource` within `range` for `quantity` units under `rules`:
/// where a booking (with its buffers) fits and the resource is open. The units of
/// `exclude` (a booking being moved) count as free.
pub(crate) fn bookable_windows(
    store: &dyn StoreRead,
    resource: &Resource,
    rules: &EffectiveRules,
    range: Span,
    quantity: u32,
    now: Timestamp,
    exclude: Option<&OccupantRef>,
) -> Result<Vec<Span>> {
    let before = i64::from(rules.buffer_before_mins) * MS_PER_MIN;
    let after = i64::from(rules.buffer_after_mins) * MS_PER_MIN;
    let widened = range.padded(before, after);
    let mut runs = Vec::new();
    store.with_index(&resource.id, &mut |idx| {
        runs = runs_with(
            &free_segments(idx, widened, resource.capacity, now, exclude),
            quantity,
        );
    })?;
    let shrunk: Vec<Span> = runs
        .iter()
        .filter_map(|r| Span::new(r.start.add_millis(before), r.end.add_millis(-after)))
        .collect();
    let open = match &rules.opening_hours {
        Some(hours) => hours.open_spans(resource.tz()?, range),
        None => vec![range],
    };
    Ok(intersect(&shrunk, &open))
}

impl<S: Store> Engine<S> {
    /// Free windows of each resource within `[from, to)` (A2): after opening hours,
    /// blocks, bookings and buffers, cut to the granularity grid, and at least the
    /// minimum duration (the query's or the policy's, whichever is longer), in resource
    /// then start order.
    pub fn free_windows(&self, query: &WindowsQuery) -> Result<Vec<FreeWindow>> {
        self.store().refresh()?;
        let range = checked_range(query.from, query.to)?;
        let now = self.now();
        let mut out = Vec::new();
        for id in &query.resources {
            let resource = self.resource(id)?;
            let rules = rules_for(self.store(), &resource, query.role, self.config())?;
            let min_ms = i64::from(
                query
                    .min_duration_mins
                    .unwrap_or(0)
                    .max(rules.min_duration_mins)
                    .max(1),
            ) * MS_PER_MIN;
            let grid = LocalGrid::new(
                resource.tz()?,
                i64::from(rules.granularity_mins.max(1)) * MS_PER_MIN,
                range,
            );
            let windows = bookable_windows(
                self.store(),
                &resource,
                &rules,
                range,
                query.quantity,
                now,
                None,
            )?;
            for w in windows {
                let (start, end) = (grid.at_or_after(w.start), grid.at_or_before(w.end));
                if end.as_millis() - start.as_millis() >= min_ms {
                    out.push(FreeWindow {
                        resource: id.clone(),
                        start,
                        end,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Free units of each resource within `[from, to)` as stretches of constant free
    /// units (A6), from bookings and blocks (rules aside).
    pub fn remaining_units(&self, query: &WindowsQuery) -> Result<Vec<UnitsWindow>> {
        self.store().refresh()?;
        let range = checked_range(query.from, query.to)?;
        let now = self.now();
        let mut out = Vec::new();
        for id in &query.resources {
            let resource = self.resource(id)?;
            self.store().with_index(id, &mut |idx| {
                out.extend(
                    free_segments(idx, range, resource.capacity, now, None)
                        .into_iter()
                        .map(|s| UnitsWindow {
                            resource: id.clone(),
                            start: s.span.start,
                            end: s.span.end,
                            free: s.free,
                        }),
                );
            })?;
        }
        Ok(out)
    }

    /// Bookable start times for `duration_mins` on a step grid aligned to local midnight in
    /// the resource's (or the given) timezone (A3): every slot here would pass the rules
    /// that depend on time (opening hours, granularity, durations, lead time, horizon,
    /// buffers) and fit in capacity. Quotas depend on the member and are checked at booking.
    pub fn slots(&self, query: &SlotsQuery) -> Result<Vec<Slot>> {
        self.store().refresh()?;
        let range = checked_range(query.from, query.to)?;
        if query.duration_mins == 0 || query.step_mins == Some(0) {
            return Err(Error::invalid_input(
                "duration_mins",
                "duration and step must be positive",
            ));
        }
        let now = self.now();
        let resource = self.resource(&query.resource)?;
        let rules = rules_for(self.store(), &resource, query.role, self.config())?;
        if let Some(step) = query.step_mins {
            if step % rules.granularity_mins.max(1) != 0 {
                return Err(Error::invalid_input(
                    "step_mins",
                    format!(
                        "the step must be a multiple of the granularity of `{}` ({} min)",
                        resource.id, rules.granularity_mins
                    ),
                ));
            }
        }
        let tz = query.timezone.as_deref().map(parse_timezone).transpose()?;
        let Some(search) = SlotSearch::new(
            &resource,
            &rules,
            i64::from(query.duration_mins) * MS_PER_MIN,
            query.step_mins,
            tz,
            query.quantity,
            now,
        )?
        else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        search.walk(self.store(), range, now, &mut |slot| {
            out.push(slot);
            if out.len() == MAX_SLOTS {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        Ok(out)
    }
}
