use chrono::{DateTime, NaiveDateTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::{resolve_local, Disambiguation, LocalDateTime, Timestamp};
use crate::error::Error;

/// A point in time as a caller wrote it: either an instant with an offset
/// (`2026-03-08T07:30:00Z`, `2026-03-08T13:15:00+05:45`) or a local wall time without one
/// (`2026-03-08T02:30:00`, `2026-03-08T02:30`), read in the resource's timezone with the
/// command's [`Disambiguation`].
///
/// The text is kept as given and read when the command runs, so a malformed value is an
/// `invalid_input` error from the command, never a panic.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeInput(String);

impl TimeInput {
    /// The text as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads the input: an instant as is, a local wall time in `tz` with `choice`.
    /// `field` names the command field in errors.
    pub fn resolve(&self, tz: Tz, choice: Disambiguation, field: &str) -> Result<Timestamp, Error> {
        let text = self.0.trim();
        let t = if self.has_offset() {
            let dt = DateTime::parse_from_rfc3339(text).map_err(|_| malformed(field, text))?;
            Timestamp::from_datetime(&dt)
        } else {
            let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                .ok_or_else(|| malformed(field, text))?;
            resolve_local(tz, local, choice)?
        };
        if !t.is_in_range() {
            return Err(Error::invalid_input(
                field,
                format!("`{text}` is outside 1970-01-01..9999-12-31"),
            ));
        }
        Ok(t)
    }
}

impl TimeInput {
    /// Whether the text carries an offset (an instant) rather than being a wall time.
    pub(crate) fn has_offset(&self) -> bool {
        let text = self.0.trim();
        text.ends_with('Z')
            || text.ends_with('z')
            || text
                .get(10..)
                .is_some_and(|rest| rest.contains('+') || rest.contains('-'))
    }

    /// The wall time in `tz` the input names: a local time as written, an instant as the
    /// wall clock in `tz` shows it.
    pub fn to_local(&self, tz: Tz, field: &str) -> Result<LocalDateTime, Error> {
        if self.has_offset() {
            let t = self.resolve(tz, Disambiguation::Reject, field)?;
            return Ok(LocalDateTime::at(t, tz));
        }
        self.0
            .trim()
            .parse::<LocalDateTime>()
            .map_err(|_| malformed(field, self.0.trim()))
    }
}

fn malformed(field: &str, text: &str) -> Error {
    Error::invalid_input(
        field,
        format!(
            "`{text}` is neither an RFC 3339 instant (2026-03-08T07:30:00Z) nor a local time (2026-03-08T02:30:00)"
        ),
    )
}

impl From<&str> for TimeInput {
    fn from(s: &str) -> Self {
        TimeInput(s.to_owned())
    }
}

impl From<String> for TimeInput {
    fn from(s: String) -> Self {
        TimeInput(s)
    }
}

impl From<Timestamp> for TimeInput {
    fn from(t: Timestamp) -> Self {
        TimeInput(t.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn reads_offsets_and_local_times() {
        let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap();
        let r = |s: &str| {
            TimeInput::from(s)
                .resolve(kathmandu, Disambiguation::Reject, "start")
                .map(|t| t.to_string())
        };
        assert_eq!(r("2026-05-01T09:00").unwrap(), "2026-05-01T03:15:00Z");
        assert_eq!(r("2026-05-01T09:00:00").unwrap(), "2026-05-01T03:15:00Z");
        assert_eq!(r("2026-05-01T09:00:00Z").unwrap(), "2026-05-01T09:00:00Z");
        assert_eq!(
            r("2026-05-01T09:00:00+05:45").unwrap(),
            "2026-05-01T03:15:00Z"
        );
        assert_eq!(r("2026-05-01").unwrap_err().code(), ErrorCode::InvalidInput);
        assert_eq!(r("yesterday").unwrap_err().code(), ErrorCode::InvalidInput);
    }
}
