use std::borrow::Cow;

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
/// `invalid_input` error from the command, never a panic. An input made from a
/// [`Timestamp`] keeps the instant itself, so it is neither formatted nor parsed.
#[derive(Clone, Debug)]
pub struct TimeInput(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Text(String),
    Instant(Timestamp),
}

/// Inputs are equal when their text is: an instant made from a [`Timestamp`] equals the
/// same instant written out in RFC 3339 (`…Z`, whole seconds unless there are
/// milliseconds), as its JSON form does.
impl PartialEq for TimeInput {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Instant(a), Repr::Instant(b)) => a == b,
            _ => self.text() == other.text(),
        }
    }
}

impl Eq for TimeInput {}

impl std::hash::Hash for TimeInput {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text().hash(state);
    }
}

impl Serialize for TimeInput {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Text(text) => serializer.serialize_str(text),
            Repr::Instant(t) => t.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for TimeInput {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(TimeInput::from)
    }
}

impl TimeInput {
    /// The text as given (an instant given as a [`Timestamp`] is written in RFC 3339).
    pub fn text(&self) -> Cow<'_, str> {
        match &self.0 {
            Repr::Text(text) => Cow::Borrowed(text),
            Repr::Instant(t) => Cow::Owned(t.to_string()),
        }
    }

    /// Reads the input: an instant as is, a local wall time in `tz` with `choice`.
    /// `field` names the command field in errors.
    pub fn resolve(&self, tz: Tz, choice: Disambiguation, field: &str) -> Result<Timestamp, Error> {
        let t = match &self.0 {
            Repr::Instant(t) => *t,
            Repr::Text(text) => {
                let text = text.trim();
                if self.has_offset() {
                    let dt =
                        DateTime::parse_from_rfc3339(text).map_err(|_| malformed(field, text))?;
                    Timestamp::from_datetime(&dt)
                } else {
                    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                        .iter()
                        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
                        .ok_or_else(|| malformed(field, text))?;
                    resolve_local(tz, local, choice)?
                }
            }
        };
        if !t.is_in_range() {
            return Err(Error::invalid_input(
                field,
                format!("`{}` is outside 1970-01-01..9999-12-31", self.text().trim()),
            ));
        }
        Ok(t)
    }
}

impl TimeInput {
    /// Whether the text carries an offset (an instant) rather than being a wall time.
    pub(crate) fn has_offset(&self) -> bool {
        let text = match &self.0 {
            Repr::Instant(_) => return true,
            Repr::Text(text) => text.trim(),
        };
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
        let text = self.text();
        text.trim()
            .parse::<LocalDateTime>()
            .map_err(|_| malformed(field, text.trim()))
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
        TimeInput(Repr::Text(s.to_owned()))
    }
}

impl From<String> for TimeInput {
    fn from(s: String) -> Self {
        TimeInput(Repr::Text(s))
    }
}

impl From<Timestamp> for TimeInput {
    fn from(t: Timestamp) -> Self {
        TimeInput(Repr::Instant(t))
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

    #[test]
    fn an_instant_is_kept_as_one_and_written_as_rfc_3339() {
        let kathmandu: Tz = "Asia/Kathmandu".parse().unwrap();
        let t: Timestamp = "2026-05-01T03:15:00.250Z".parse().unwrap();
        let input = TimeInput::from(t);
        assert!(input.has_offset());
        assert_eq!(
            input
                .resolve(kathmandu, Disambiguation::Reject, "start")
                .unwrap(),
            t
        );
        assert_eq!(input.text(), "2026-05-01T03:15:00.250Z");
        assert_eq!(
            input.to_local(kathmandu, "start").unwrap().to_string(),
            LocalDateTime::at(t, kathmandu).to_string()
        );
        let json = serde_json::to_value(&input).unwrap();
        assert_eq!(json, "2026-05-01T03:15:00.250Z");
        let back: TimeInput = serde_json::from_value(json).unwrap();
        assert_eq!(
            back.resolve(kathmandu, Disambiguation::Reject, "start")
                .unwrap(),
            t
        );

        assert_eq!(input, TimeInput::from("2026-05-01T03:15:00.250Z"));
        assert_ne!(input, TimeInput::from("2026-05-01T03:15:00.25Z"));

        let late = TimeInput::from(Timestamp::from_millis(i64::MAX / 2));
        let err = late
            .resolve(kathmandu, Disambiguation::Reject, "end")
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }
}
