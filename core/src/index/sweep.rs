//! Sweep-line helpers over a handful of clipped spans (the entries near one query).

use crate::time::{Span, Timestamp};

/// Boundary events sorted by time, ends before starts at the same instant (half-open).
fn events(spans: impl IntoIterator<Item = (Span, u32)>) -> Vec<(Timestamp, i64)> {
    let mut events = Vec::new();
    for (span, quantity) in spans {
        events.push((span.start, i64::from(quantity)));
        events.push((span.end, -i64::from(quantity)));
    }
    events.sort_unstable();
    events
}

/// The most units held at one instant.
pub(super) fn peak(spans: impl IntoIterator<Item = (Span, u32)>) -> u32 {
    let mut used = 0i64;
    let mut peak = 0i64;
    for (_, delta) in events(spans) {
        used += delta;
        peak = peak.max(used);
    }
    u32::try_from(peak).unwrap_or(u32::MAX)
}

/// The maximal spans during which more than `limit` units are held.
pub(super) fn spans_above(spans: &[(Span, u32)], limit: u32) -> Vec<Span> {
    let limit = i64::from(limit);
    let mut over = Vec::new();
    let mut used = 0i64;
    let mut open: Option<Timestamp> = None;
    let events = events(spans.iter().copied());
    let mut i = 0;
    while i < events.len() {
        let at = events[i].0;
        while i < events.len() && events[i].0 == at {
            used += events[i].1;
            i += 1;
        }
        match (open, used > limit) {
            (None, true) => open = Some(at),
            (Some(start), false) => {
                over.push(Span { start, end: at });
                open = None;
            }
            _ => {}
        }
    }
    over
}
