//! The site-wide time index: every occupying entry of every resource by start time, so one
//! range scan tells which resources have anything at all in a window. "Which of 1,000 desks
//! are free from 10:00 to 12:00" (A1) then checks only the few desks the scan names, not
//! every desk's own index.
//!
//! Entries are kept in tiers by length, each a `BTreeMap` keyed by start. A window query
//! scans each tier from `window.start - longest in tier`, so one year-long block makes
//! only its own tier's scans reach back a year, not every scan.

use std::collections::BTreeMap;

use super::{Entry, Occupancy, OccupantRef};
use crate::ids::ResourceId;
use crate::time::{Span, Timestamp};

const HOUR_MS: i64 = 3_600_000;
/// Upper bounds of the tiers' lengths; the last tier takes everything longer.
const TIER_BOUNDS_MS: [i64; 5] = [
    HOUR_MS,
    4 * HOUR_MS,
    16 * HOUR_MS,
    64 * HOUR_MS,
    256 * HOUR_MS,
];

#[derive(Clone, Debug, Default)]
struct Tier {
    /// (start, occupant) → (end, units, lapse; resource).
    entries: BTreeMap<(Timestamp, OccupantRef), (Occupancy, ResourceId)>,
    longest_ms: i64,
}

/// Every occupying entry of every resource, by start (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct SiteIndex {
    tiers: [Tier; TIER_BOUNDS_MS.len() + 1],
}

fn tier_of(span: Span) -> usize {
    let len = span.len_millis();
    TIER_BOUNDS_MS
        .iter()
        .position(|bound| len <= *bound)
        .unwrap_or(TIER_BOUNDS_MS.len())
}

impl SiteIndex {
    /// Adds the entry of `occupant` on `resource` from `start` (its occupancy says until
    /// when, how many units and when it lapses).
    pub fn insert(
        &mut self,
        resource: &ResourceId,
        start: Timestamp,
        occupant: OccupantRef,
        occupancy: Occupancy,
    ) {
        let span = Span {
            start,
            end: occupancy.end,
        };
        let tier = &mut self.tiers[tier_of(span)];
        tier.longest_ms = tier.longest_ms.max(span.len_millis());
        tier.entries
            .insert((start, occupant), (occupancy, resource.clone()));
    }

    /// An index of `entries` (resource, span, occupant, occupancy), built in one pass per
    /// tier: what a durable store uses to bring its index up from disk.
    pub fn from_entries(
        entries: impl IntoIterator<Item = (ResourceId, Span, OccupantRef, Occupancy)>,
    ) -> Self {
        let mut sorted: [Vec<_>; TIER_BOUNDS_MS.len() + 1] = Default::default();
        let mut site = SiteIndex::default();
        for (resource, span, occupant, occupancy) in entries {
            let tier = tier_of(span);
            site.tiers[tier].longest_ms = site.tiers[tier].longest_ms.max(span.len_millis());
            sorted[tier].push(((span.start, occupant), (occupancy, resource)));
        }
        for (tier, entries) in site.tiers.iter_mut().zip(sorted) {
            tier.entries = entries.into_iter().collect();
        }
        site
    }

    /// Removes the entry [`insert`](SiteIndex::insert) added for `occupant` over `span`.
    pub fn remove(&mut self, span: Span, occupant: &OccupantRef) {
        let tier = &mut self.tiers[tier_of(span)];
        tier.entries.remove(&(span.start, occupant.clone()));
        if tier.entries.is_empty() {
            tier.longest_ms = 0;
        }
    }

    /// Calls `visit` with every entry overlapping `window` and its resource, active or
    /// lapsed, in no particular order.
    pub fn overlapping(&self, window: Span, visit: &mut dyn FnMut(&ResourceId, Entry<'_>)) {
        for tier in &self.tiers {
            let lowest = window.start.add_millis(-tier.longest_ms);
            let range = (lowest, OccupantRef::LOWEST)..(window.end, OccupantRef::LOWEST);
            for ((start, occupant), (occupancy, resource)) in tier.entries.range(range) {
                if occupancy.end > window.start {
                    let span = Span {
                        start: *start,
                        end: occupancy.end,
                    };
                    visit(
                        resource,
                        Entry {
                            span,
                            occupant,
                            occupancy,
                        },
                    );
                }
            }
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.tiers.iter().map(|t| t.entries.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a_h: i64, b_h: i64) -> Span {
        Span::new(
            Timestamp::from_millis(a_h * HOUR_MS),
            Timestamp::from_millis(b_h * HOUR_MS),
        )
        .unwrap()
    }

    fn touching(index: &SiteIndex, window: Span) -> Vec<String> {
        let mut out = Vec::new();
        index.overlapping(window, &mut |r, _| out.push(r.to_string()));
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn finds_short_and_long_entries_and_forgets_removed_ones() {
        let mut index = SiteIndex::default();
        for (desk, s, id) in [
            ("desk-1", span(10, 11), "a"),
            ("desk-2", span(0, 24 * 30), "b"),
            ("desk-3", span(11, 12), "c"),
        ] {
            let occupancy = Occupancy {
                end: s.end,
                quantity: 1,
                lapses_at: None,
            };
            index.insert(&desk.into(), s.start, OccupantRef::booking(id), occupancy);
        }
        assert_eq!(index.len(), 3);
        assert_eq!(touching(&index, span(10, 11)), ["desk-1", "desk-2"]);
        // Half-open: touching at 11:00 is no overlap.
        assert_eq!(touching(&index, span(11, 12)), ["desk-2", "desk-3"]);
        assert_eq!(
            touching(&index, span(24 * 30, 24 * 31)),
            Vec::<String>::new()
        );
        index.remove(span(0, 24 * 30), &OccupantRef::booking("b"));
        assert_eq!(touching(&index, span(100, 101)), Vec::<String>::new());
        assert_eq!(index.len(), 2);
    }
}
