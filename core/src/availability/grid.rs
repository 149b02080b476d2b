//! A grid of start times aligned to local midnight in some zone (A3): 09:00, 09:15, … in
//! Asia/Kathmandu are 03:15Z, 03:30Z, … Across a DST change the grid follows local time.

use chrono::{Offset, TimeZone};
use chrono_tz::Tz;

use crate::time::{Span, Timestamp};

/// No zone changes its UTC offset twice within this long, so sampling the range at this
/// interval finds every change.
const PROBE_MS: i64 = 24 * 3_600 * 1_000;

/// Start times every `step_ms`, aligned to local midnight in `tz`.
pub struct LocalGrid {
    tz: Tz,
    step_ms: i64,
    /// The range the grid was made for, cut where the UTC offset changes: each piece's
    /// start and its offset, in order. Within it, stepping is plain arithmetic.
    pieces: Vec<(Timestamp, i64)>,
    range: Span,
}

impl LocalGrid {
    /// A grid for instants within `range` (others are served too, more slowly).
    pub fn new(tz: Tz, step_ms: i64, range: Span) -> Self {
        let mut pieces = vec![(range.start, offset_ms(tz, range.start))];
        let mut probe = range.start;
        while probe < range.end {
            let next = probe.add_millis(PROBE_MS).min(range.end);
            let off = pieces[pieces.len() - 1].1;
            let there = offset_ms(tz, next);
            if there != off {
                pieces.push((first_change(tz, probe, next, off), there));
            }
            probe = next;
        }
        LocalGrid {
            tz,
            step_ms,
            pieces,
            range,
        }
    }

    /// The piece of the range holding `t`, if `t` is in the range.
    fn piece(&self, t: Timestamp) -> Option<usize> {
        if t < self.range.start || t >= self.range.end {
            return None;
        }
        Some(self.pieces.partition_point(|(start, _)| *start <= t) - 1)
    }

    /// The first grid instant at or after `t`.
    pub fn at_or_after(&self, t: Timestamp) -> Timestamp {
        let Some(mut i) = self.piece(t) else {
            return self.at_or_after_anywhere(t);
        };
        let mut from = t;
        loop {
            let candidate = self.round_up(from, self.pieces[i].1);
            match self.pieces.get(i + 1) {
                Some(&(next_start, _)) if candidate >= next_start => {
                    // Nothing left on the grid in this piece: go on in the next.
                    i += 1;
                    from = next_start;
                }
                Some(_) => return candidate,
                None if candidate < self.range.end => return candidate,
                None => return self.at_or_after_anywhere(candidate.min(self.range.end)),
            }
        }
    }

    /// The last grid instant at or before `t`.
    pub fn at_or_before(&self, t: Timestamp) -> Timestamp {
        let Some(mut i) = self.piece(t) else {
            return self.at_or_before_anywhere(t);
        };
        let mut to = t;
        loop {
            let (start, off) = self.pieces[i];
            let candidate = self.round_down(to, off);
            if candidate >= start {
                return candidate;
            }
            if i == 0 {
                return self.at_or_before_anywhere(candidate.max(start.add_millis(-1)));
            }
            i -= 1;
            to = start.add_millis(-1);
        }
    }

    /// [`at_or_after`](Self::at_or_after) for any instant, looking offsets up as it goes.
    fn at_or_after_anywhere(&self, t: Timestamp) -> Timestamp {
        let mut from = t;
        loop {
            let off = offset_ms(self.tz, from);
            let candidate = self.round_up(from, off);
            if offset_ms(self.tz, candidate) == off {
                return candidate;
            }
            // The offset changes in (from, candidate]: nothing before the change is on
            // the grid, so go on from the change in the new offset.
            from = first_change(self.tz, from, candidate, off);
        }
    }

    /// [`at_or_before`](Self::at_or_before) for any instant.
    fn at_or_before_anywhere(&self, t: Timestamp) -> Timestamp {
        let mut to = t;
        loop {
            let off = offset_ms(self.tz, to);
            let candidate = self.round_down(to, off);
            let there = offset_ms(self.tz, candidate);
            if there == off {
                return candidate;
            }
            // The offset changes in (candidate, to]: go back to just before the change.
            to = first_change(self.tz, candidate, to, there).add_millis(-1);
        }
    }

    /// `t` rounded up to the grid of a zone at the constant offset `off`.
    fn round_up(&self, t: Timestamp, off: i64) -> Timestamp {
        let local = t.as_millis() + off;
        let up = (local + self.step_ms - 1).div_euclid(self.step_ms) * self.step_ms;
        Timestamp::from_millis(up - off)
    }

    /// `t` rounded down to the grid of a zone at the constant offset `off`.
    fn round_down(&self, t: Timestamp, off: i64) -> Timestamp {
        let local = t.as_millis() + off;
        Timestamp::from_millis(local.div_euclid(self.step_ms) * self.step_ms - off)
    }

    /// Whether `t` is on the grid.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.at_or_after(t) == t
    }

    /// Whether the zone keeps one UTC offset over the whole range (no DST change).
    pub fn has_fixed_offset(&self) -> bool {
        self.pieces.len() == 1
    }

    /// The grid instant after `t` (which is on the grid).
    pub fn next(&self, t: Timestamp) -> Timestamp {
        if self.has_fixed_offset() && self.piece(t).is_some() {
            return t.add_millis(self.step_ms);
        }
        self.at_or_after(t.add_millis(1))
    }
}

/// The first instant in `(lo, hi]` whose offset is not `off`, the offset at `lo`; `hi`
/// when there is none. Offsets change rarely, so a binary search is exact.
fn first_change(tz: Tz, lo: Timestamp, hi: Timestamp, off: i64) -> Timestamp {
    let (mut lo, mut hi) = (lo.as_millis(), hi.as_millis());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_ms(tz, Timestamp::from_millis(mid)) == off {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Timestamp::from_millis(hi)
}

fn offset_ms(tz: Tz, t: Timestamp) -> i64 {
    let off = tz.offset_from_utc_datetime(&t.to_datetime().naive_utc());
    i64::from(off.fix().local_minus_utc()) * 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn aligns_to_local_midnight_in_a_quarter_hour_zone() {
        let tz: Tz = "Asia/Kathmandu".parse().unwrap();
        let range = Span::new(t("2026-05-01T00:00:00Z"), t("2026-05-02T00:00:00Z")).unwrap();
        let grid = LocalGrid::new(tz, 30 * 60_000, range);
        // 03:20Z is 09:05 local; the next half hour is 09:30 local = 03:45Z.
        assert_eq!(
            grid.at_or_after(t("2026-05-01T03:20:00Z")).to_string(),
            "2026-05-01T03:45:00Z"
        );
        assert_eq!(
            grid.at_or_after(t("2026-05-01T03:45:00Z")).to_string(),
            "2026-05-01T03:45:00Z"
        );
    }

    #[test]
    fn follows_a_half_hour_dst_shift() {
        // Lord Howe springs forward 02:00 → 02:30 on 2026-10-04 (+10:30 → +11:00).
        let tz: Tz = "Australia/Lord_Howe".parse().unwrap();
        let range = Span::new(t("2026-10-03T12:00:00Z"), t("2026-10-04T12:00:00Z")).unwrap();
        let grid = LocalGrid::new(tz, 60 * 60_000, range);
        let mut starts = vec![grid.at_or_after(t("2026-10-03T13:30:00Z"))];
        for _ in 0..3 {
            starts.push(grid.next(*starts.last().unwrap()));
        }
        let got: Vec<String> = starts.iter().map(|s| s.to_string()).collect();
        // 00:00 and 01:00 at +10:30, then 03:00 and 04:00 at +11:00.
        assert_eq!(
            got,
            [
                "2026-10-03T13:30:00Z",
                "2026-10-03T14:30:00Z",
                "2026-10-03T16:00:00Z",
                "2026-10-03T17:00:00Z"
            ]
        );
        assert_eq!(
            grid.at_or_before(t("2026-10-03T15:59:00Z")).to_string(),
            "2026-10-03T14:30:00Z"
        );
        // Falling back 02:00 → 01:30 on 2026-04-05 (+11:00 → +10:30): 01:00 comes once.
        let range = Span::new(t("2026-04-04T12:00:00Z"), t("2026-04-05T12:00:00Z")).unwrap();
        let grid = LocalGrid::new(tz, 60 * 60_000, range);
        let one = grid.at_or_after(t("2026-04-04T14:00:00Z"));
        assert_eq!(one.to_string(), "2026-04-04T14:00:00Z");
        assert_eq!(grid.next(one).to_string(), "2026-04-04T15:30:00Z");
    }

    #[test]
    fn skips_apias_missing_day() {
        let tz: Tz = "Pacific/Apia".parse().unwrap();
        let range = Span::new(t("2011-12-29T00:00:00Z"), t("2012-01-01T00:00:00Z")).unwrap();
        let grid = LocalGrid::new(tz, 24 * 60 * 60_000, range);
        // Local midnight of the 29th (-10:00) is 10:00Z; the next midnight is the 31st
        // (+14:00), 10:00Z on the 30th.
        let first = grid.at_or_after(t("2011-12-29T09:00:00Z"));
        assert_eq!(first.to_string(), "2011-12-29T10:00:00Z");
        assert_eq!(grid.next(first).to_string(), "2011-12-30T10:00:00Z");
        assert_eq!(
            grid.at_or_before(t("2011-12-30T09:59:00Z")).to_string(),
            "2011-12-29T10:00:00Z"
        );
    }

    #[test]
    fn follows_local_time_across_a_dst_change() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let range = Span::new(t("2026-03-07T00:00:00Z"), t("2026-03-10T00:00:00Z")).unwrap();
        let grid = LocalGrid::new(tz, 60 * 60_000, range);
        // 01:00 EST is 06:00Z; the next local hour is 03:00 EDT = 07:00Z.
        let one = grid.at_or_after(t("2026-03-08T06:00:00Z"));
        assert_eq!(one.to_string(), "2026-03-08T06:00:00Z");
        assert_eq!(grid.next(one).to_string(), "2026-03-08T07:00:00Z");
        // Noon EDT on the 9th is 16:00Z.
        assert_eq!(
            grid.at_or_after(t("2026-03-09T15:30:00Z")).to_string(),
            "2026-03-09T16:00:00Z"
        );
    }
}
