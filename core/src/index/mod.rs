//! The per-resource interval index: which occupants (bookings, blocks) hold how many units
//! over which span, answering conflict and occupancy questions without scanning.
//!
//! Entries are keyed by the start of the span they occupy (buffers included) in a
//! `BTreeMap`. An overlap query for `[a, b)` visits only keys in `[a - longest, b)`, where
//! `longest` is the longest span ever stored in this index (bounded in practice by the
//! maximum booking duration), so its cost is `O(log n + k)` for `k` nearby entries,
//! whatever the number of bookings. Capacity > 1 is answered by a sweep over those
//! entries only.

mod site;
mod sweep;

pub use site::SiteIndex;

use std::collections::BTreeMap;

use compact_str::CompactString;

use crate::booking::Booking;
use crate::error::{ConflictItem, OccupantKind};
use crate::time::{Span, Timestamp};

/// The index entry of a booking (start, occupant, occupancy), if it occupies capacity:
/// its occupied span, units and lapse time, exactly as every index derives them.
pub fn booking_entry(booking: &Booking) -> Option<(Timestamp, OccupantRef, Occupancy)> {
    if !booking.status.occupies() {
        return None;
    }
    let span = booking.occupied_span();
    Some((
        span.start,
        OccupantRef::booking(booking.id.as_str()),
        Occupancy {
            end: span.end,
            quantity: booking.quantity,
            lapses_at: booking.lapses_at(),
        },
    ))
}

/// The index entry of a block: it holds more units than any resource has.
pub fn block_entry(block: &crate::block::Block) -> (Timestamp, OccupantRef, Occupancy) {
    (
        block.start,
        OccupantRef {
            kind: OccupantKind::Block,
            id: block.id.as_str().into(),
        },
        Occupancy {
            end: block.end,
            quantity: crate::block::Block::UNITS,
            lapses_at: None,
        },
    )
}

/// Which occupant an index entry stands for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OccupantRef {
    /// Booking or block.
    pub kind: OccupantKind,
    /// Its id.
    pub id: CompactString,
}

impl OccupantRef {
    /// A booking's entry.
    pub fn booking(id: &str) -> Self {
        OccupantRef {
            kind: OccupantKind::Booking,
            id: id.into(),
        }
    }

    const LOWEST: OccupantRef = OccupantRef {
        kind: OccupantKind::Booking,
        id: CompactString::const_new(""),
    };
}

/// What an entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Occupancy {
    /// End of the occupied span (exclusive); the start is the key.
    pub end: Timestamp,
    /// Units held.
    pub quantity: u32,
    /// From this instant on the entry no longer holds anything (an unconfirmed hold's
    /// expiry, a check-in deadline, a booking's end). `None`: held until removed.
    pub lapses_at: Option<Timestamp>,
}

impl Occupancy {
    /// Whether it holds its units as of `now`.
    pub fn is_active_at(&self, now: Timestamp) -> bool {
        self.lapses_at.is_none_or(|l| now < l)
    }
}

/// One entry as seen by a query.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The occupied span.
    pub span: Span,
    /// Whose it is.
    pub occupant: &'a OccupantRef,
    /// Units and lapse time.
    pub occupancy: &'a Occupancy,
}

impl Entry<'_> {
    /// The entry as a conflict report item.
    pub fn to_conflict(&self) -> ConflictItem {
        ConflictItem {
            kind: self.occupant.kind,
            id: self.occupant.id.to_string(),
            start: self.span.start,
            end: self.span.end,
            quantity: self.occupancy.quantity,
        }
    }
}

/// The interval index of one resource.
#[derive(Clone, Debug, Default)]
pub struct IntervalIndex {
    entries: BTreeMap<(Timestamp, OccupantRef), Occupancy>,
    longest_ms: i64,
}

impl IntervalIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries (lapsed ones included until removed).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// An index of `entries` (span, occupant, occupancy), built in one pass: what a
    /// durable store uses to bring its index up from disk. Entries given in start order
    /// build fastest.
    pub fn from_entries(entries: impl IntoIterator<Item = (Span, OccupantRef, Occupancy)>) -> Self {
        let mut longest_ms = 0;
        let entries = entries
            .into_iter()
            .map(|(span, occupant, occupancy)| {
                longest_ms = longest_ms.max(span.len_millis());
                ((span.start, occupant), occupancy)
            })
            .collect();
        IntervalIndex {
            entries,
            longest_ms,
        }
    }

    /// Adds (or replaces) an entry occupying `span`.
    pub fn insert(&mut self, span: Span, occupant: OccupantRef, occupancy: Occupancy) {
        self.longest_ms = self.longest_ms.max(span.len_millis());
        self.entries.insert((span.start, occupant), occupancy);
    }

    /// Adds the entry of a booking that occupies capacity (held, confirmed, checked in):
    /// its occupied span, units and lapse time, exactly as every store derives them.
    /// Bookings in terminal states are ignored.
    pub fn insert_booking(&mut self, booking: &Booking) {
        if let Some((start, occupant, occupancy)) = booking_entry(booking) {
            self.insert(
                Span {
                    start,
                    end: occupancy.end,
                },
                occupant,
                occupancy,
            );
        }
    }

    /// Adds a block's entry: it holds more units than any resource has.
    pub fn insert_block(&mut self, block: &crate::block::Block) {
        let (start, occupant, occupancy) = block_entry(block);
        self.insert(
            Span {
                start,
                end: occupancy.end,
            },
            occupant,
            occupancy,
        );
    }

    /// Removes a block's entry.
    pub fn remove_block(&mut self, block: &crate::block::Block) {
        self.remove(
            block.start,
            &OccupantRef {
                kind: OccupantKind::Block,
                id: block.id.as_str().into(),
            },
        );
    }

    /// Removes the entry [`insert_booking`](IntervalIndex::insert_booking) added for
    /// `booking` (as it was when inserted).
    pub fn remove_booking(&mut self, booking: &Booking) {
        if booking.status.occupies() {
            self.remove(
                booking.occupied_span().start,
                &OccupantRef::booking(booking.id.as_str()),
            );
        }
    }

    /// Removes the entry of `occupant` that starts at `start`.
    pub fn remove(&mut self, start: Timestamp, occupant: &OccupantRef) -> Option<Occupancy> {
        // A BTreeMap cannot look up a borrowed tuple, so the key is rebuilt; ids are inline.
        let removed = self.entries.remove(&(start, occupant.clone()));
        if self.entries.is_empty() {
            self.longest_ms = 0;
        }
        removed
    }

    /// Every entry, active or not, in start order.
    pub fn iter(&self) -> impl Iterator<Item = Entry<'_>> {
        self.entries
            .iter()
            .map(|((start, occupant), occupancy)| Entry {
                span: Span {
                    start: *start,
                    end: occupancy.end,
                },
                occupant,
                occupancy,
            })
    }

    /// Entries whose occupied span overlaps `window`, active or not, in start order.
    pub fn overlapping(&self, window: Span) -> impl Iterator<Item = Entry<'_>> {
        let lowest_start = window.start.add_millis(-self.longest_ms);
        let range = (lowest_start, OccupantRef::LOWEST)..(window.end, OccupantRef::LOWEST);
        self.entries
            .range(range)
            .filter(move |(_, occ)| occ.end > window.start)
            .map(|((start, occupant), occupancy)| Entry {
                span: Span {
                    start: *start,
                    end: occupancy.end,
                },
                occupant,
                occupancy,
            })
    }

    /// Entries that hold units as of `now` and overlap `window`, skipping `exclude` (the
    /// booking being modified).
    pub fn active_overlapping<'a>(
        &'a self,
        window: Span,
        now: Timestamp,
        exclude: Option<&'a OccupantRef>,
    ) -> impl Iterator<Item = Entry<'a>> + 'a {
        self.overlapping(window).filter(move |e| {
            e.occupancy.is_active_at(now) && exclude.is_none_or(|x| x != e.occupant)
        })
    }

    /// Whether `quantity` more units fit everywhere in `window` on a resource of
    /// `capacity` units, as of `now`. The fast question: no report is built.
    pub fn fits(
        &self,
        window: Span,
        quantity: u32,
        capacity: u32,
        now: Timestamp,
        exclude: Option<&OccupantRef>,
    ) -> bool {
        if quantity > capacity {
            return false;
        }
        let spare = capacity - quantity;
        let mut overlapping = self.active_overlapping(window, now, exclude);
        if spare == 0 {
            return overlapping.next().is_none();
        }
        sweep::peak(overlapping.map(|e| clip(e, window))) <= spare
    }

    /// Everything that keeps `quantity` units from fitting in `window`: the active entries
    /// overlapping an instant where the units would exceed `capacity`. Empty when it fits.
    pub fn conflicts(
        &self,
        window: Span,
        quantity: u32,
        capacity: u32,
        now: Timestamp,
        exclude: Option<&OccupantRef>,
    ) -> Vec<ConflictItem> {
        let entries: Vec<Entry<'_>> = self.active_overlapping(window, now, exclude).collect();
        let spare = capacity.saturating_sub(quantity);
        let clipped: Vec<(Span, u32)> = entries.iter().map(|e| clip(*e, window)).collect();
        let over = sweep::spans_above(&clipped, spare);
        entries
            .iter()
            .zip(&clipped)
            .filter(|(_, (span, _))| over.iter().any(|o| o.overlaps(span)))
            .map(|(e, _)| {
                let mut item = e.to_conflict();
                // A block holds the whole resource, whatever its capacity.
                item.quantity = item.quantity.min(capacity);
                item
            })
            .collect()
    }

    /// What breaks I1 on a resource of `capacity` within `window`: bookings overlapping a
    /// block (with the blocks they overlap), and bookings overlapping an instant where
    /// bookings alone hold more than `capacity` units. Blocks may overlap each other.
    /// Used by the integrity check, capacity changes and snapshot import.
    pub fn over_capacity(&self, window: Span, capacity: u32, now: Timestamp) -> Vec<ConflictItem> {
        let (blocks, bookings): (Vec<Entry<'_>>, Vec<Entry<'_>>) = self
            .active_overlapping(window, now, None)
            .partition(|e| e.occupant.kind == OccupantKind::Block);
        let clipped: Vec<(Span, u32)> = bookings.iter().map(|e| clip(*e, window)).collect();
        let over = sweep::spans_above(&clipped, capacity);
        let mut out: Vec<ConflictItem> = Vec::new();
        for (e, (span, _)) in bookings.iter().zip(&clipped) {
            let blocked: Vec<&Entry<'_>> =
                blocks.iter().filter(|b| b.span.overlaps(&e.span)).collect();
            if !blocked.is_empty() || over.iter().any(|o| o.overlaps(span)) {
                out.push(e.to_conflict());
            }
            for b in blocked {
                let item = ConflictItem {
                    quantity: capacity,
                    ..b.to_conflict()
                };
                if !out.contains(&item) {
                    out.push(item);
                }
            }
        }
        out
    }

    /// The most units held at any instant of `window` as of `now`.
    pub fn peak_usage(&self, window: Span, now: Timestamp, exclude: Option<&OccupantRef>) -> u32 {
        sweep::peak(
            self.active_overlapping(window, now, exclude)
                .map(|e| clip(e, window)),
        )
    }
}

fn clip(entry: Entry<'_>, window: Span) -> (Span, u32) {
    let span = Span {
        start: entry.span.start.max(window.start),
        end: entry.span.end.min(window.end),
    };
    (span, entry.occupancy.quantity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(min: i64) -> Timestamp {
        Timestamp::from_millis(min * 60_000)
    }

    fn span(a: i64, b: i64) -> Span {
        Span::new(ts(a), ts(b)).unwrap()
    }

    fn index(entries: &[(i64, i64, u32, &str)]) -> IntervalIndex {
        let mut idx = IntervalIndex::new();
        for &(a, b, q, id) in entries {
            idx.insert(
                span(a, b),
                OccupantRef::booking(id),
                Occupancy {
                    end: ts(b),
                    quantity: q,
                    lapses_at: None,
                },
            );
        }
        idx
    }

    #[test]
    fn half_open_spans_touching_do_not_conflict() {
        let idx = index(&[(60, 120, 1, "a")]);
        assert!(idx.fits(span(120, 180), 1, 1, ts(0), None));
        assert!(idx.fits(span(0, 60), 1, 1, ts(0), None));
        assert!(!idx.fits(span(119, 180), 1, 1, ts(0), None));
    }

    #[test]
    fn long_entries_are_found_from_far_before() {
        let idx = index(&[(0, 1_000, 1, "long"), (500, 510, 1, "short")]);
        let hits = idx.conflicts(span(900, 905), 1, 1, ts(0), None);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "long");
    }

    #[test]
    fn capacity_counts_concurrent_units_not_overlapping_entries() {
        // Capacity 2: a and b overlap each other's halves, never more than 2 at once.
        let idx = index(&[(0, 60, 1, "a"), (60, 120, 1, "b"), (30, 90, 1, "c")]);
        assert_eq!(idx.peak_usage(span(0, 120), ts(0), None), 2);
        assert!(!idx.fits(span(0, 120), 1, 2, ts(0), None));
        assert!(idx.fits(span(0, 120), 1, 3, ts(0), None));
        // Only the entries overlapping the instants that would be over capacity are reported.
        let hits = idx.conflicts(span(40, 50), 1, 2, ts(0), None);
        let ids: Vec<_> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
    }

    #[test]
    fn lapsed_and_excluded_entries_do_not_count() {
        let mut idx = IntervalIndex::new();
        idx.insert(
            span(0, 60),
            OccupantRef::booking("hold"),
            Occupancy {
                end: ts(60),
                quantity: 1,
                lapses_at: Some(ts(-58)),
            },
        );
        assert!(!idx.fits(span(0, 60), 1, 1, ts(-59), None));
        assert!(idx.fits(span(0, 60), 1, 1, ts(-58), None));
        let me = OccupantRef::booking("hold");
        assert!(idx.fits(span(0, 60), 1, 1, ts(-59), Some(&me)));
    }
}
