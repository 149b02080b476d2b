//! Local wall times without a zone (`2026-03-03T19:00:00`): the occurrences of a series
//! are named by them, the way iCalendar's RECURRENCE-ID names an occurrence.

use std::fmt;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::{resolve_local, Disambiguation, Timestamp};
use crate::error::Error;

/// A wall-clock date and time in some zone the context gives, to the second. Written
/// `YYYY-MM-DDTHH:MM:SS`; `YYYY-MM-DDTHH:MM` is read too.
///
/// ```
/// use slotwise::time::LocalDateTime;
/// let t: LocalDateTime = "2026-03-03T19:00".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-03-03T19:00:00");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub NaiveDateTime);

const FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

impl LocalDateTime {
    /// The instant this wall time names in `tz`, with `choice` in DST gaps and folds.
    pub fn resolve(self, tz: Tz, choice: Disambiguation) -> Result<Timestamp, Error> {
        resolve_local(tz, self.0, choice)
    }

    /// The wall time in `tz` at instant `t`.
    pub fn at(t: Timestamp, tz: Tz) -> Self {
        LocalDateTime(t.to_datetime().with_timezone(&tz).naive_local())
    }

    /// The same wall time written as iCalendar's basic form, `20260303T190000`.
    pub fn to_basic(self) -> String {
        self.0.format("%Y%m%dT%H%M%S").to_string()
    }
}

impl std::str::FromStr for LocalDateTime {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
            .map(LocalDateTime)
            .ok_or_else(|| {
                Error::invalid_input(
                    "local_time",
                    format!("`{text}` is not a local date and time (2026-03-03T19:00:00)"),
                )
            })
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(FORMAT))
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|e: Error| de::Error::custom(e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_resolves() {
        let t: LocalDateTime = "2026-03-28T01:30:00".parse().unwrap();
        let london: Tz = "Europe/London".parse().unwrap();
        let at = t.resolve(london, Disambiguation::Reject).unwrap();
        assert_eq!(at.to_string(), "2026-03-28T01:30:00Z");
        assert_eq!(LocalDateTime::at(at, london), t);
        assert_eq!(t.to_basic(), "20260328T013000");
        assert!("2026-03-29".parse::<LocalDateTime>().is_err());
    }
}
