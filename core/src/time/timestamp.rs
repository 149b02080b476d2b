use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// A UTC instant: whole milliseconds since 1970-01-01T00:00:00Z.
///
/// Serialises as an RFC 3339 string in UTC (`2026-03-08T07:30:00Z`), so JSON stays readable
/// and every binding sees the same text. Parsing accepts any RFC 3339 offset.
///
/// ```
/// use slotwise::Timestamp;
/// let t: Timestamp = "2026-03-08T02:30:00-05:00".parse().unwrap();
/// assert_eq!(t.to_string(), "2026-03-08T07:30:00Z");
/// assert_eq!(t.add_secs(90).to_string(), "2026-03-08T07:31:30Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest instant slotwise accepts: 1970-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(0);
    /// The latest instant slotwise accepts: 9999-12-31T23:59:59Z.
    pub const MAX: Timestamp = Timestamp(253_402_300_799_000);

    /// The instant `ms` milliseconds after the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// This instant moved by `ms` milliseconds (saturating at the representable range).
    pub const fn add_millis(self, ms: i64) -> Self {
        Timestamp(self.0.saturating_add(ms))
    }

    /// This instant moved by `secs` seconds (saturating).
    pub const fn add_secs(self, secs: i64) -> Self {
        self.add_millis(secs.saturating_mul(1_000))
    }

    /// Whether the instant lies in the range slotwise accepts ([`Timestamp::MIN`]..=[`Timestamp::MAX`]).
    pub fn is_in_range(self) -> bool {
        (Self::MIN..=Self::MAX).contains(&self)
    }

    /// The instant as a chrono UTC date-time.
    pub fn to_datetime(self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The instant of a chrono date-time in any zone.
    pub fn from_datetime<Tz: chrono::TimeZone>(dt: &DateTime<Tz>) -> Self {
        Timestamp(dt.timestamp_millis())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = if self.0 % 1_000 == 0 {
            SecondsFormat::Secs
        } else {
            SecondsFormat::Millis
        };
        f.write_str(&self.to_datetime().to_rfc3339_opts(format, true))
    }
}

impl std::str::FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let dt = DateTime::parse_from_rfc3339(s).map_err(|_| {
            Error::invalid_input(
                "timestamp",
                format!("`{s}` is not an RFC 3339 instant such as 2026-03-08T07:30:00Z"),
            )
        })?;
        let t = Timestamp::from_datetime(&dt);
        if !t.is_in_range() {
            return Err(Error::invalid_input(
                "timestamp",
                format!("`{s}` is outside 1970-01-01..9999-12-31"),
            ));
        }
        Ok(t)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(deserializer)?;
        s.parse().map_err(|e: Error| de::Error::custom(e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let t: Timestamp = "2026-01-01T09:15:00.250Z".parse().unwrap();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-01-01T09:15:00.250Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn rejects_text_without_offset_and_out_of_range() {
        assert!("2026-01-01T09:15:00".parse::<Timestamp>().is_err());
        assert!("1969-12-31T23:59:59Z".parse::<Timestamp>().is_err());
        assert!("not a time".parse::<Timestamp>().is_err());
    }
}
