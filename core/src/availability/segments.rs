//! Free capacity over time for one resource, by one sweep over the index entries that
//! overlap the window: never a query per slot.

use crate::index::{IntervalIndex, OccupantRef};
use crate::time::{Span, Timestamp};

/// A stretch of time with a constant number of free units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The stretch.
    pub span: Span,
    /// Units free throughout it.
    pub free: u32,
}

/// The free units of a resource of `capacity` over `window` as of `now`, as maximal
/// segments of constant free units covering the whole window, leaving out `exclude` (a
/// booking being moved). Blocks leave 0 free.
pub fn free_segments(
    index: &IntervalIndex,
    window: Span,
    capacity: u32,
    now: Timestamp,
    exclude: Option<&OccupantRef>,
) -> Vec<Segment> {
    let mut events: Vec<(Timestamp, i64)> = Vec::new();
    for e in index.active_overlapping(window, now, exclude) {
        let units = i64::from(e.occupancy.quantity.min(capacity));
        events.push((e.span.start.max(window.start), units));
        events.push((e.span.end.min(window.end), -units));
    }
    events.sort_unstable();
    let mut out: Vec<Segment> = Vec::new();
    let mut used = 0i64;
    let mut at = window.start;
    let mut i = 0;
    let push = |out: &mut Vec<Segment>, start: Timestamp, end: Timestamp, used: i64| {
        if end <= start {
            return;
        }
        let free = (i64::from(capacity) - used).clamp(0, i64::from(capacity)) as u32;
        match out.last_mut() {
            Some(last) if last.free == free && last.span.end == start => last.span.end = end,
            _ => out.push(Segment {
                span: Span { start, end },
                free,
            }),
        }
    };
    while i < events.len() {
        let t = events[i].0;
        push(&mut out, at, t, used);
        while i < events.len() && events[i].0 == t {
            used += events[i].1;
            i += 1;
        }
        at = t;
    }
    push(&mut out, at, window.end, used);
    out
}

/// Maximal spans within `segments` where at least `units` are free.
pub fn runs_with(segments: &[Segment], units: u32) -> Vec<Span> {
    let mut runs: Vec<Span> = Vec::new();
    for s in segments.iter().filter(|s| s.free >= units) {
        match runs.last_mut() {
            Some(last) if last.end == s.span.start => last.end = s.span.end,
            _ => runs.push(s.span),
        }
    }
    runs
}

/// The intersection of two sorted lists of disjoint spans.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push(Span { start, end });
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Occupancy;

    fn ts(min: i64) -> Timestamp {
        Timestamp::from_millis(min * 60_000)
    }

    fn span(a: i64, b: i64) -> Span {
        Span::new(ts(a), ts(b)).unwrap()
    }

    #[test]
    fn segments_cover_the_window_with_free_units() {
        let mut idx = IntervalIndex::new();
        for (id, a, b, q) in [("x", 10, 30, 1), ("y", 20, 40, 1)] {
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
        let segs = free_segments(&idx, span(0, 60), 2, ts(0), None);
        let got: Vec<(i64, i64, u32)> = segs
            .iter()
            .map(|s| {
                (
                    s.span.start.as_millis() / 60_000,
                    s.span.end.as_millis() / 60_000,
                    s.free,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (0, 10, 2),
                (10, 20, 1),
                (20, 30, 0),
                (30, 40, 1),
                (40, 60, 2)
            ]
        );
        assert_eq!(runs_with(&segs, 1), [span(0, 20), span(30, 60)]);
        assert_eq!(runs_with(&segs, 2), [span(0, 10), span(40, 60)]);
    }

    #[test]
    fn intersection_of_span_lists() {
        let a = [span(0, 10), span(20, 30)];
        let b = [span(5, 25)];
        assert_eq!(intersect(&a, &b), [span(5, 10), span(20, 25)]);
    }
}
