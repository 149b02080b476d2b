//! Next available (A4): the earliest start at or after a time where a matching resource is
//! free for a duration, found by widening the searched range rather than scanning ahead.

use serde::{Deserialize, Serialize};

use super::{checked_range, one, SlotSearch, MAX_RANGE_MS};
use crate::audit::Role;
use crate::commands::ResourceFilter;
use crate::engine::{rules_for, Engine};
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::{Span, Timestamp, MS_PER_MIN};

/// How far ahead [`Engine::next_available`] looks by default: 30 days.
pub const DEFAULT_LOOKAHEAD_DAYS: u32 = 30;

const MS_PER_DAY: i64 = 24 * 60 * MS_PER_MIN;

/// The earliest bookable start at or after `from` (A4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextAvailableQuery {
    /// Earliest start wanted.
    pub from: Timestamp,
    /// Length of the booking.
    pub duration_mins: u32,
    /// These resources only; when empty, every resource matching `filter`.
    #[serde(default)]
    pub resources: Vec<ResourceId>,
    /// Resource filters (used when `resources` is empty).
    #[serde(default)]
    pub filter: ResourceFilter,
    /// Units needed (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// How many days after `from` to look (default 30, at most 366).
    #[serde(default)]
    pub within_days: Option<u32>,
    /// Whose rules apply (default `member`).
    #[serde(default)]
    pub role: Role,
}

/// Where and when the next booking could go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextAvailable {
    /// The resource.
    pub resource: ResourceId,
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
}

impl<S: Store> Engine<S> {
    /// The earliest slot starting at or after `from` on a matching resource, on each
    /// resource's granularity grid and under its rules (hours, buffers, blocks, lead time,
    /// horizon), or `None` when nothing is free within the look-ahead. Ties go to the
    /// resource with the smallest id.
    ///
    /// The look-ahead is searched in ranges that double from one day, so a resource free
    /// soon costs one short sweep.
    pub fn next_available(&self, query: &NextAvailableQuery) -> Result<Option<NextAvailable>> {
        self.store().refresh()?;
        if query.duration_mins == 0 {
            return Err(Error::invalid_input(
                "duration_mins",
                "duration must be positive",
            ));
        }
        let days = query.within_days.unwrap_or(DEFAULT_LOOKAHEAD_DAYS);
        let lookahead = i64::from(days) * MS_PER_DAY;
        if days == 0 || lookahead > MAX_RANGE_MS {
            return Err(Error::invalid_input(
                "within_days",
                "look ahead 1 to 366 days",
            ));
        }
        let whole = checked_range(query.from, query.from.add_millis(lookahead))?;
        let now = self.now();
        let candidates = self.candidates(query)?;
        let mut rules = Vec::with_capacity(candidates.len());
        for r in &candidates {
            rules.push(rules_for(self.store(), r, query.role, self.config())?);
        }
        let duration_ms = i64::from(query.duration_mins) * MS_PER_MIN;
        let mut searches = Vec::with_capacity(candidates.len());
        for (r, rules) in candidates.iter().zip(&rules) {
            if let Some(s) =
                SlotSearch::new(r, rules, duration_ms, None, None, query.quantity, now)?
            {
                searches.push((r, s));
            }
        }
        let mut reach = MS_PER_DAY.max(duration_ms);
        loop {
            // Every slot found in [from, from + reach) starts at or before
            // from + reach - duration, and every slot missed starts after it, so the
            // earliest found is the earliest overall.
            let range = Span {
                start: whole.start,
                end: whole.start.add_millis(reach.min(lookahead)),
            };
            let mut best: Option<NextAvailable> = None;
            for (r, search) in &searches {
                let store: &dyn StoreRead = self.store();
                if let Some(slot) = search.first(store, range, now)? {
                    if best.as_ref().is_none_or(|b| slot.start < b.start) {
                        best = Some(NextAvailable {
                            resource: r.id.clone(),
                            start: slot.start,
                            end: slot.end,
                        });
                    }
                }
            }
            if best.is_some() || reach >= lookahead {
                return Ok(best);
            }
            reach *= 2;
        }
    }

    /// The resources a next-available query covers, in id order; archived resources
    /// take no bookings, whatever the query says.
    fn candidates(&self, query: &NextAvailableQuery) -> Result<Vec<Resource>> {
        let mut out = self.named_or_filtered(&query.resources, &query.filter)?;
        out.retain(|r| !r.is_archived());
        Ok(out)
    }
}
