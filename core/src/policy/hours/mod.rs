//! Opening hours (P1): a weekly schedule in the resource's local wall time, with date
//! overrides and holidays, and the calendar arithmetic that turns it into UTC spans.
//!
//! Wall times become instants with [`resolve_local`] and [`Disambiguation::Compatible`]: a
//! time in a DST gap moves forward by the gap, a time in a fold takes the earlier instant.
//! So on New York's spring-forward day, 01:00–04:00 is open for two real hours, and on the
//! fall-back day for four. A local date that a zone skipped entirely (Pacific/Apia,
//! 2011-12-30) has no hours at all.

use std::fmt;

use chrono::{Datelike, LocalResult, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;
use crate::time::{resolve_local, Disambiguation, Span, Timestamp};

const FIELD: &str = "opening_hours";
const MINUTES_PER_DAY: u16 = 1_440;

/// When a resource is open: a weekly schedule, date overrides and holidays, all in the
/// resource's local time.
///
/// Precedence on a local date: a holiday closes it whatever else says; otherwise an
/// override replaces that weekday's ranges; otherwise the weekly ranges apply. An overnight
/// range belongs to the date it starts on, so Friday 22:00–06:00 still runs into a Saturday
/// holiday until 06:00.
///
/// ```
/// use slotwise::policy::OpeningHours;
/// use slotwise::{Span, Timestamp};
///
/// let hours: OpeningHours = serde_json::from_str(r#"{
///   "weekly": {
///     "mon": [["08:00", "18:00"]],
///     "tue": [["08:00", "12:00"], ["13:00", "18:00"]],
///     "fri": [["22:00", "06:00"]]
///   },
///   "overrides": [
///     { "date": "2026-12-24", "hours": [["08:00", "12:00"]] },
///     { "date": "2026-12-31", "hours": [] }
///   ],
///   "holidays": ["2026-12-25", "2026-01-01"]
/// }"#).unwrap();
/// hours.validate().unwrap();
///
/// let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
/// let t = |s: &str| s.parse::<Timestamp>().unwrap();
/// // Friday 2026-01-09 opens at 22:00 GMT and closes at 06:00 on Saturday.
/// let weekend = Span::new(t("2026-01-09T00:00:00Z"), t("2026-01-11T00:00:00Z")).unwrap();
/// let open = Span::new(t("2026-01-09T22:00:00Z"), t("2026-01-10T06:00:00Z")).unwrap();
/// assert_eq!(hours.open_spans(london, weekend), vec![open]);
/// assert!(hours.is_open_throughout(london, open));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// The ranges of each weekday.
    pub weekly: WeeklyHours,
    /// Dates whose ranges replace their weekday's (an empty list closes the date).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<DateHours>,
    /// Dates closed all day (`"2026-12-25"`).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "crate::time::iso_date::list"
    )]
    pub holidays: Vec<NaiveDate>,
}

/// The ranges of each weekday; a missing day is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mon: Vec<TimeRange>,
    /// Tuesday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tue: Vec<TimeRange>,
    /// Wednesday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wed: Vec<TimeRange>,
    /// Thursday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thu: Vec<TimeRange>,
    /// Friday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fri: Vec<TimeRange>,
    /// Saturday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sat: Vec<TimeRange>,
    /// Sunday.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sun: Vec<TimeRange>,
}

/// The ranges of one local date, replacing its weekday's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateHours {
    /// The local date (`"2026-12-24"`).
    #[serde(with = "crate::time::iso_date")]
    pub date: NaiveDate,
    /// Its ranges; empty means closed.
    pub hours: Vec<TimeRange>,
}

/// One opening range `[start, end)` in local wall time, stored as minutes since midnight and
/// written as `["HH:MM", "HH:MM"]`.
///
/// `end` may be 1440 (`"24:00"`, the start of the next date). An `end` at or before `start`
/// makes the range overnight: it closes at `end` on the next local date.
///
/// ```
/// use slotwise::policy::TimeRange;
/// let night: TimeRange = serde_json::from_str(r#"["22:00", "06:00"]"#).unwrap();
/// assert_eq!(night, TimeRange { start: 22 * 60, end: 6 * 60 });
/// assert!(night.is_overnight());
/// assert_eq!(serde_json::to_string(&TimeRange::WHOLE_DAY).unwrap(), r#"["00:00","24:00"]"#);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimeRange {
    /// Opening time in minutes since local midnight, below 1440.
    pub start: u16,
    /// Closing time in minutes since local midnight, at most 1440; at or before `start`
    /// means on the next local date.
    pub end: u16,
}

impl TimeRange {
    /// 00:00–24:00.
    pub const WHOLE_DAY: TimeRange = TimeRange {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// Whether the range closes on the next local date (`"24:00"` counts as this date's end).
    pub fn is_overnight(&self) -> bool {
        self.end <= self.start
    }

    /// Its opening time on local `date`.
    pub fn start_on(&self, date: NaiveDate) -> chrono::NaiveDateTime {
        date.and_hms_opt(u32::from(self.start / 60), u32::from(self.start % 60), 0)
            .unwrap_or_else(|| date.and_hms_opt(0, 0, 0).expect("midnight exists"))
    }

    /// How long it lasts on the wall clock.
    pub fn wall_length(&self) -> chrono::Duration {
        let end = if self.is_overnight() {
            i64::from(self.end) + i64::from(MINUTES_PER_DAY)
        } else {
            i64::from(self.end)
        };
        chrono::Duration::minutes(end - i64::from(self.start))
    }

    /// The instants of this range on local `date`; `None` for a malformed range, or when
    /// the DST arithmetic leaves nothing (e.g. 02:30–03:15 on a spring-forward day).
    fn on(self, tz: Tz, date: NaiveDate) -> Option<Span> {
        if self.start >= MINUTES_PER_DAY || self.end > MINUTES_PER_DAY {
            return None;
        }
        // "24:00" and an overnight end are both wall times on the next date.
        let end_date = if self.end == MINUTES_PER_DAY || self.is_overnight() {
            date.succ_opt()?
        } else {
            date
        };
        let at = |date: NaiveDate, minutes: u16| {
            let local = date.and_hms_opt(u32::from(minutes / 60), u32::from(minutes % 60), 0)?;
            resolve_local(tz, local, Disambiguation::Compatible).ok()
        };
        Span::new(
            at(date, self.start)?,
            at(end_date, self.end % MINUTES_PER_DAY)?,
        )
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", WallTime(self.start), WallTime(self.end))
    }
}

/// Minutes since midnight, shown as `HH:MM`.
struct WallTime(u16);

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Reads exactly `HH:MM`, from 00:00 to 24:00.
fn parse_wall_time(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit().then(|| u16::from(b[i] - b'0'));
    let (hour, minute) = (digit(0)? * 10 + digit(1)?, digit(3)? * 10 + digit(4)?);
    let minutes = hour * 60 + minute;
    (minute < 60 && minutes <= MINUTES_PER_DAY).then_some(minutes)
}

impl Serialize for TimeRange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (start, end) = (WallTime(self.start), WallTime(self.end));
        (start.to_string(), end.to_string()).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TimeRange {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (start, end) = <(String, String)>::deserialize(deserializer)?;
        let minutes = |text: &str| {
            parse_wall_time(text).ok_or_else(|| {
                de::Error::custom(format!(
                    "`{text}` is not a wall time HH:MM between 00:00 and 24:00"
                ))
            })
        };
        Ok(TimeRange {
            start: minutes(&start)?,
            end: minutes(&end)?,
        })
    }
}

impl WeeklyHours {
    /// The ranges of `weekday`.
    pub fn day(&self, weekday: Weekday) -> &[TimeRange] {
        match weekday {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }
}

impl OpeningHours {
    /// Most ranges on one day (weekday or override).
    pub const MAX_RANGES_PER_DAY: usize = 8;
    /// Most overrides, and most holidays, in one schedule.
    pub const MAX_DATED_ENTRIES: usize = 1_000;

    /// Open 24 hours a day, every day.
    pub fn always() -> Self {
        let day = vec![TimeRange::WHOLE_DAY];
        OpeningHours {
            weekly: WeeklyHours {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day.clone(),
                sat: day.clone(),
                sun: day,
            },
            overrides: Vec::new(),
            holidays: Vec::new(),
        }
    }

    /// Checks the schedule; errors are `invalid_input` on field `opening_hours` and name
    /// the offending day or date. Refuses a range that is empty (start equals end), starts
    /// at or after 24:00 or ends after it; more than [`Self::MAX_RANGES_PER_DAY`] ranges on
    /// a day; more than [`Self::MAX_DATED_ENTRIES`] overrides or holidays; two overrides
    /// for one date.
    pub fn validate(&self) -> Result<(), Error> {
        let w = &self.weekly;
        let days = [
            ("mon", &w.mon),
            ("tue", &w.tue),
            ("wed", &w.wed),
            ("thu", &w.thu),
            ("fri", &w.fri),
            ("sat", &w.sat),
            ("sun", &w.sun),
        ];
        for (day, ranges) in days {
            check_day(format_args!("weekly.{day}"), ranges)?;
        }
        for (what, len) in [
            ("overrides", self.overrides.len()),
            ("holidays", self.holidays.len()),
        ] {
            if len > Self::MAX_DATED_ENTRIES {
                return Err(Error::invalid_input(
                    FIELD,
                    format!(
                        "{len} {what}; at most {} are allowed",
                        Self::MAX_DATED_ENTRIES
                    ),
                ));
            }
        }
        for o in &self.overrides {
            check_day(format_args!("override for {}: hours", o.date), &o.hours)?;
        }
        let mut dates: Vec<NaiveDate> = self.overrides.iter().map(|o| o.date).collect();
        dates.sort_unstable();
        if let Some(pair) = dates.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::invalid_input(
                FIELD,
                format!("two overrides for {}; give each date once", pair[0]),
            ));
        }
        Ok(())
    }

    /// The UTC spans during which it is open within `window`, clipped to it, sorted, and
    /// merged where they overlap or touch (so 24/7 hours give one span).
    ///
    /// Each local date from the day before `window` starts (for overnight ranges) to the
    /// day it ends is visited once, after one pass over the overrides and holidays.
    pub fn open_spans(&self, tz: Tz, window: Span) -> Vec<Span> {
        // Outside slotwise's instant range the local calendar is meaningless anyway.
        let local_date = |t: Timestamp| {
            let utc = t.clamp(Timestamp::MIN, Timestamp::MAX).to_datetime();
            tz.from_utc_datetime(&utc.naive_utc()).date_naive()
        };
        let last = local_date(window.end);
        let Some(first) = local_date(window.start).pred_opt() else {
            return Vec::new();
        };
        let in_window = |date: &NaiveDate| (first..=last).contains(date);
        let mut overrides: Vec<(NaiveDate, &[TimeRange])> = (self.overrides.iter())
            .filter(|o| in_window(&o.date))
            .map(|o| (o.date, o.hours.as_slice()))
            .collect();
        overrides.sort_unstable_by_key(|(date, _)| *date);
        let mut holidays: Vec<NaiveDate> =
            self.holidays.iter().copied().filter(in_window).collect();
        holidays.sort_unstable();

        let mut spans = Vec::new();
        for date in first.iter_days().take_while(|date| *date <= last) {
            let ranges = match overrides.binary_search_by_key(&date, |(d, _)| *d) {
                Ok(i) => overrides[i].1,
                Err(_) => self.weekly.day(date.weekday()),
            };
            if ranges.is_empty() || holidays.binary_search(&date).is_ok() {
                continue;
            }
            if !date_exists(tz, date) {
                continue;
            }
            spans.extend(ranges.iter().filter_map(|range| {
                let open = range.on(tz, date)?;
                Span::new(open.start.max(window.start), open.end.min(window.end))
            }));
        }
        spans.sort_unstable();
        // `dedup_by` hands (later, kept): fold each span into the one before when they meet.
        spans.dedup_by(|later, kept| {
            let meets = later.start <= kept.end;
            if meets {
                kept.end = kept.end.max(later.end);
            }
            meets
        });
        spans
    }

    /// Whether `span` lies entirely inside one open span (merged across touching ranges).
    pub fn is_open_throughout(&self, tz: Tz, span: Span) -> bool {
        self.open_spans(tz, span) == [span]
    }
}

/// Refuses malformed ranges and too many ranges on one day; `place` names the day.
fn check_day(place: fmt::Arguments<'_>, ranges: &[TimeRange]) -> Result<(), Error> {
    if ranges.len() > OpeningHours::MAX_RANGES_PER_DAY {
        return Err(Error::invalid_input(
            FIELD,
            format!(
                "{place} has {} ranges; at most {} are allowed",
                ranges.len(),
                OpeningHours::MAX_RANGES_PER_DAY
            ),
        ));
    }
    for (i, range) in ranges.iter().enumerate() {
        let problem = if range.start >= MINUTES_PER_DAY {
            "must start before 24:00"
        } else if range.end > MINUTES_PER_DAY {
            "must end by 24:00"
        } else if range.start == range.end {
            "is empty (for a whole day write 00:00–24:00)"
        } else {
            continue;
        };
        return Err(Error::invalid_input(
            FIELD,
            format!("{place}[{i}] {range} {problem}"),
        ));
    }
    Ok(())
}

/// Whether any wall time on `date` exists in `tz`: false only for a date the zone skipped,
/// such as 2011-12-30 in Pacific/Apia. Gaps are contiguous and DST gaps last an hour or so,
/// so a date missing both its first and its last second is missing entirely.
fn date_exists(tz: Tz, date: NaiveDate) -> bool {
    let exists = |h, m, s| {
        date.and_hms_opt(h, m, s)
            .is_some_and(|local| !matches!(tz.from_local_datetime(&local), LocalResult::None))
    };
    exists(0, 0, 0) || exists(23, 59, 59)
}

#[cfg(test)]
mod tests;
