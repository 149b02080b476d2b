//! The simple weekly pattern members give instead of an RRULE: days of the week, a time
//! range and a date range. It compiles to an RRULE, which is what the series stores.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::policy::TimeRange;
use crate::time::LocalDateTime;

const FIELD: &str = "recurrence.weekly";
const DAYS: [(&str, Weekday, &str); 7] = [
    ("mon", Weekday::Mon, "MO"),
    ("tue", Weekday::Tue, "TU"),
    ("wed", Weekday::Wed, "WE"),
    ("thu", Weekday::Thu, "TH"),
    ("fri", Weekday::Fri, "FR"),
    ("sat", Weekday::Sat, "SA"),
    ("sun", Weekday::Sun, "SU"),
];

/// "Every Tue and Thu 19:00–21:00 from 3 March to 9 April".
///
/// ```
/// use slotwise::recurrence::WeeklyPattern;
/// let p: WeeklyPattern = serde_json::from_str(r#"{
///   "days": ["tue", "thu"], "times": ["19:00", "21:00"],
///   "from": "2026-03-03", "until": "2026-04-09"
/// }"#).unwrap();
/// let (start, end, rrule) = p.compile().unwrap();
/// assert_eq!(start.to_string(), "2026-03-03T19:00:00");
/// assert_eq!(end.to_string(), "2026-03-03T21:00:00");
/// assert_eq!(rrule, "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260409T235959");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyPattern {
    /// Days of the week: `mon` … `sun`.
    pub days: Vec<String>,
    /// Local start and end time; an end at or before the start is on the next day.
    pub times: TimeRange,
    /// The first date the pattern may fall on.
    #[serde(with = "crate::time::iso_date")]
    pub from: NaiveDate,
    /// The last date an occurrence may start on (inclusive). Unset: capped like any
    /// unbounded rule.
    #[serde(default, with = "crate::time::iso_date::option")]
    pub until: Option<NaiveDate>,
}

impl WeeklyPattern {
    /// The first occurrence's local start and end, and the equivalent RRULE.
    pub fn compile(&self) -> Result<(LocalDateTime, LocalDateTime, String)> {
        if self.days.is_empty() {
            return Err(Error::invalid_input(FIELD, "name at least one day"));
        }
        let mut codes = Vec::new();
        let mut weekdays = Vec::new();
        for (name, weekday, code) in DAYS {
            if self.days.iter().any(|d| d == name) {
                codes.push(code);
                weekdays.push(weekday);
            }
        }
        if let Some(bad) = self
            .days
            .iter()
            .find(|d| !DAYS.iter().any(|(n, ..)| n == d))
        {
            return Err(Error::invalid_input(
                FIELD,
                format!("`{bad}` is not a day; use mon, tue, wed, thu, fri, sat, sun"),
            ));
        }
        let first = (0..7)
            .filter_map(|i| self.from.checked_add_days(chrono::Days::new(i)))
            .find(|d| weekdays.contains(&d.weekday()))
            .ok_or_else(|| Error::invalid_input(FIELD, "`from` is out of range"))?;
        if let Some(until) = self.until {
            if until < first {
                return Err(Error::invalid_input(
                    FIELD,
                    "no chosen day falls between `from` and `until`",
                ));
            }
        }
        if self.times.start >= 1_440 {
            return Err(Error::invalid_input(
                FIELD,
                "the start time is out of range",
            ));
        }
        let start = self.times.start_on(first);
        let end = start + self.times.wall_length();
        let mut rrule = format!("FREQ=WEEKLY;BYDAY={}", codes.join(","));
        if let Some(until) = self.until {
            rrule.push_str(&format!(";UNTIL={}T235959", until.format("%Y%m%d")));
        }
        Ok((LocalDateTime(start), LocalDateTime(end), rrule))
    }
}
