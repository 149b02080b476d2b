use chrono::{LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::Timestamp;
use crate::error::Error;

/// How to read a local wall time that a DST change made nonexistent (a gap) or ambiguous
/// (a fold) — the same four choices as Temporal and jiff.
///
/// | choice | gap (e.g. 02:30 on a spring-forward day) | fold (e.g. 01:30 on a fall-back day) |
/// |---|---|---|
/// | `reject` (default) | `nonexistent_local_time` error | `ambiguous_local_time` error |
/// | `compatible` | shifted forward by the gap (03:30) | the earlier instant |
/// | `earlier` | shifted backward by the gap (01:30) | the earlier instant |
/// | `later` | shifted forward by the gap (03:30) | the later instant |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disambiguation {
    /// Refuse gaps and folds with a typed error.
    #[default]
    Reject,
    /// What most calendars do: later across a gap, earlier in a fold.
    Compatible,
    /// The earlier of the two readings.
    Earlier,
    /// The later of the two readings.
    Later,
}

/// Parses an IANA timezone name such as `Europe/London`; unknown names are an
/// `unknown_timezone` error.
pub fn parse_timezone(name: &str) -> Result<Tz, Error> {
    name.parse::<Tz>()
        .map_err(|_| Error::unknown_timezone(name))
}

/// Turns a local wall time in `tz` into an instant, applying `choice` in DST gaps and folds.
///
/// ```
/// use slotwise::{resolve_local, Disambiguation, ErrorCode};
/// let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
/// let gap = chrono::NaiveDateTime::parse_from_str("2026-03-08T02:30", "%Y-%m-%dT%H:%M").unwrap();
/// let err = resolve_local(ny, gap, Disambiguation::Reject).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::NonexistentLocalTime);
/// let t = resolve_local(ny, gap, Disambiguation::Compatible).unwrap();
/// assert_eq!(t.to_string(), "2026-03-08T07:30:00Z"); // 03:30 EDT
/// ```
pub fn resolve_local(
    tz: Tz,
    local: NaiveDateTime,
    choice: Disambiguation,
) -> Result<Timestamp, Error> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Ok(Timestamp::from_datetime(&dt)),
        LocalResult::Ambiguous(earlier, later) => match choice {
            Disambiguation::Reject => Err(Error::ambiguous_local_time(
                tz,
                local,
                Timestamp::from_datetime(&earlier),
                Timestamp::from_datetime(&later),
            )),
            Disambiguation::Compatible | Disambiguation::Earlier => {
                Ok(Timestamp::from_datetime(&earlier))
            }
            Disambiguation::Later => Ok(Timestamp::from_datetime(&later)),
        },
        LocalResult::None => {
            let (before, after) = gap_offsets_secs(tz, local);
            let as_utc_ms = local.and_utc().timestamp_millis();
            // Read the wall time with the offset in force before the gap: that instant lies
            // after the transition, i.e. the wall time pushed forward by the gap's length.
            let shifted_forward = Timestamp::from_millis(as_utc_ms - before * 1_000);
            let shifted_backward = Timestamp::from_millis(as_utc_ms - after * 1_000);
            match choice {
                Disambiguation::Reject => Err(Error::nonexistent_local_time(
                    tz,
                    local,
                    shifted_backward,
                    shifted_forward,
                )),
                Disambiguation::Compatible | Disambiguation::Later => Ok(shifted_forward),
                Disambiguation::Earlier => Ok(shifted_backward),
            }
        }
    }
}

/// The UTC offsets (seconds) in force a day before and a day after a local time that falls
/// in a gap. Zone transitions are months apart, and the longest gap on record (Pacific/Apia
/// skipping 2011-12-30) is one day, so the probes land on either side of it.
fn gap_offsets_secs(tz: Tz, local: NaiveDateTime) -> (i64, i64) {
    let probe = |hours: i64| {
        let t = local.and_utc() + chrono::Duration::hours(hours);
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc() as i64
    };
    (probe(-36), probe(36))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn resolve(tz: &str, s: &str, choice: Disambiguation) -> Result<String, ErrorCode> {
        resolve_local(parse_timezone(tz).unwrap(), local(s), choice)
            .map(|t| t.to_string())
            .map_err(|e| e.code())
    }

    #[test]
    fn new_york_gap_and_fold() {
        use Disambiguation::*;
        let ny = "America/New_York";
        assert_eq!(
            resolve(ny, "2026-03-08T02:30", Reject),
            Err(ErrorCode::NonexistentLocalTime)
        );
        assert_eq!(
            resolve(ny, "2026-03-08T02:30", Later).unwrap(),
            "2026-03-08T07:30:00Z"
        );
        assert_eq!(
            resolve(ny, "2026-03-08T02:30", Earlier).unwrap(),
            "2026-03-08T06:30:00Z"
        );
        assert_eq!(
            resolve(ny, "2026-11-01T01:30", Reject),
            Err(ErrorCode::AmbiguousLocalTime)
        );
        assert_eq!(
            resolve(ny, "2026-11-01T01:30", Compatible).unwrap(),
            "2026-11-01T05:30:00Z"
        );
        assert_eq!(
            resolve(ny, "2026-11-01T01:30", Later).unwrap(),
            "2026-11-01T06:30:00Z"
        );
    }

    #[test]
    fn lord_howe_half_hour_gap() {
        // Lord Howe moves from +10:30 to +11:00 at 02:00 local on the first Sunday of October.
        assert_eq!(
            resolve(
                "Australia/Lord_Howe",
                "2026-10-04T02:15",
                Disambiguation::Compatible
            )
            .unwrap(),
            "2026-10-03T15:45:00Z" // 02:45 +11:00
        );
    }

    #[test]
    fn apia_skipped_a_whole_day() {
        assert_eq!(
            resolve("Pacific/Apia", "2011-12-30T12:00", Disambiguation::Reject),
            Err(ErrorCode::NonexistentLocalTime)
        );
        assert_eq!(
            resolve("Pacific/Apia", "2011-12-30T12:00", Disambiguation::Later).unwrap(),
            "2011-12-30T22:00:00Z" // 2011-12-31T12:00 +14:00
        );
    }

    #[test]
    fn unknown_zone_is_typed() {
        assert_eq!(
            parse_timezone("Mars/Olympus").unwrap_err().code(),
            ErrorCode::UnknownTimezone
        );
    }
}
