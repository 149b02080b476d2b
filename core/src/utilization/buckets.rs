//! Cutting a range into local hours of one zone. Every UTC offset in use is a whole number
//! of quarter hours, so local hour and date boundaries fall on UTC quarter hours: the range
//! is walked in quarter hours and runs with the same local (date, hour) merged.

use chrono::{NaiveDate, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

use crate::time::{Span, Timestamp, MS_PER_MIN};

const QUARTER_MS: i64 = 15 * MS_PER_MIN;

/// A stretch of one local hour on one local date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalHour {
    /// The stretch (UTC).
    pub span: Span,
    /// The local date.
    pub date: NaiveDate,
    /// The local hour of day, 0–23.
    pub hour: u8,
}

/// The local hours of `tz` covering `range`, in order. A DST gap simply has no stretch for
/// the skipped hour; a fold gives the repeated hour twice.
pub fn local_hours(tz: Tz, range: Span) -> Vec<LocalHour> {
    let mut out: Vec<LocalHour> = Vec::new();
    let mut at = range.start;
    let mut last_offset = None;
    while at < range.end {
        let next_quarter = (at.as_millis().div_euclid(QUARTER_MS) + 1) * QUARTER_MS;
        let end = Timestamp::from_millis(next_quarter).min(range.end);
        let local = tz.from_utc_datetime(&at.to_datetime().naive_utc());
        let (date, hour) = (local.date_naive(), local.hour() as u8);
        // In a fold the repeated hour has the same date and hour but another offset.
        let offset = local.offset().fix().local_minus_utc();
        let same_offset = last_offset.replace(offset) == Some(offset);
        match out.last_mut() {
            Some(last) if same_offset && last.date == date && last.hour == hour => {
                last.span.end = end;
            }
            _ => out.push(LocalHour {
                span: Span { start: at, end },
                date,
                hour,
            }),
        }
        at = end;
    }
    out
}

/// Adds `weight × overlap(span, hour)` (in milliseconds) into `acc[i]` for every local
/// hour `i` that `span` overlaps. `hours` must be from [`local_hours`].
pub fn spread(hours: &[LocalHour], span: Span, weight: u64, acc: &mut [u64]) {
    let first = hours.partition_point(|h| h.span.end <= span.start);
    for (i, h) in hours.iter().enumerate().skip(first) {
        if h.span.start >= span.end {
            break;
        }
        let overlap =
            h.span.end.min(span.end).as_millis() - h.span.start.max(span.start).as_millis();
        if overlap > 0 {
            acc[i] += weight * overlap as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn range(a: &str, b: &str) -> Span {
        Span::new(t(a), t(b)).unwrap()
    }

    #[test]
    fn new_york_spring_forward_day_has_23_hours_without_2am() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let hours = local_hours(tz, range("2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"));
        assert_eq!(hours.len(), 23);
        assert!(hours.iter().all(|h| h.hour != 2));
        assert!(hours.iter().all(|h| h.span.len_millis() == 3_600_000));
    }

    #[test]
    fn london_fall_back_repeats_1am() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let hours = local_hours(tz, range("2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z"));
        assert_eq!(hours.len(), 25);
        assert_eq!(hours.iter().filter(|h| h.hour == 1).count(), 2);
    }

    #[test]
    fn kathmandu_hours_start_at_quarter_past_utc() {
        let tz: Tz = "Asia/Kathmandu".parse().unwrap();
        let hours = local_hours(tz, range("2026-05-01T00:00:00Z", "2026-05-01T02:00:00Z"));
        // 05:45, 06:00–07:00, 07:00–07:45 local.
        assert_eq!(hours.len(), 3);
        assert_eq!(hours[0].hour, 5);
        assert_eq!(hours[0].span.len_millis(), 15 * 60_000);
        assert_eq!(hours[1].span.start, t("2026-05-01T00:15:00Z"));
    }

    #[test]
    fn apia_skips_a_whole_local_day() {
        let tz: Tz = "Pacific/Apia".parse().unwrap();
        let hours = local_hours(tz, range("2011-12-29T09:00:00Z", "2011-12-31T09:00:00Z"));
        let missing = NaiveDate::from_ymd_opt(2011, 12, 30).unwrap();
        assert!(hours.iter().all(|h| h.date != missing));
        assert_eq!(hours.len(), 48);
    }

    #[test]
    fn spread_splits_a_span_over_hours() {
        let tz: Tz = "UTC".parse().unwrap();
        let hours = local_hours(tz, range("2026-05-01T08:00:00Z", "2026-05-01T12:00:00Z"));
        let mut acc = vec![0; hours.len()];
        spread(
            &hours,
            range("2026-05-01T08:30:00Z", "2026-05-01T10:15:00Z"),
            2,
            &mut acc,
        );
        assert_eq!(acc, [2 * 1_800_000, 2 * 3_600_000, 2 * 900_000, 0]);
    }
}
