//! A grid of start times aligned to local midnight in some zone (A3): 09:00, 09:15, … in
//! Asia/Kathmandu are 03:15Z, 03:30Z, … Across a DST change the grid follows local time.

use chrono::{Offset, TimeZone};
use chrono_tz::Tz;

use crate::time::{Span, Timestamp};

/// Start times every `step_ms`, aligned to local midnight in `tz`.
pub struct LocalGrid {
    tz: Tz,
    step_ms: i64,
    /// The UTC offset when it is the same at both ends of the range the grid serves, so
    /// alignment is plain arithmetic (the common case: no DST change in range).
    fixed_offset_ms: Option<i64>,
}

impl LocalGrid {
    /// A grid for instants within `range`.
    pub fn new(tz: Tz, step_ms: i64, range: Span) -> Self {
        let a = offset_ms(tz, range.start);
        let b = offset_ms(tz, range.end);
        LocalGrid {
            tz,
            step_ms,
            fixed_offset_ms: (a == b).then_some(a),
        }
    }

    /// The first grid instant at or after `t`.
    pub fn at_or_after(&self, t: Timestamp) -> Timestamp {
        let align = |off: i64| {
            let local = t.as_millis() + off;
            let up = local.div_euclid(self.step_ms) * self.step_ms
                + if local.rem_euclid(self.step_ms) == 0 {
                    0
                } else {
                    self.step_ms
                };
            Timestamp::from_millis(up - off)
        };
        match self.fixed_offset_ms {
            Some(off) => align(off),
            None => {
                let first = align(offset_ms(self.tz, t));
                // Across a transition the offset at the candidate may differ; realign once.
                let off = offset_ms(self.tz, first);
                let second = align(off);
                if second >= t {
                    second
                } else {
                    first
                }
            }
        }
    }

    /// Whether `t` is on the grid.
    pub fn contains(&self, t: Timestamp) -> bool {
        self.at_or_after(t) == t
    }

    /// Whether the zone keeps one UTC offset over the whole range (no DST change).
    pub fn has_fixed_offset(&self) -> bool {
        self.fixed_offset_ms.is_some()
    }

    /// The grid instant after `t` (which is on the grid).
    pub fn next(&self, t: Timestamp) -> Timestamp {
        match self.fixed_offset_ms {
            Some(_) => t.add_millis(self.step_ms),
            None => self.at_or_after(t.add_millis(1)),
        }
    }
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
