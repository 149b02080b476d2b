//! RRULE text (RFC 5545) read with the `rrule` crate and expanded in *floating* local
//! time: the rule runs over wall-clock dates and times as if the zone had no offsets, and
//! each occurrence becomes an instant afterwards, in the resource's zone, with the
//! series' DST choice. So 19:00 stays 19:00 across both DST changes (C1), and gaps and
//! folds are decided by slotwise's own [`resolve_local`](crate::time::resolve_local)
//! rather than by the expander.
//!
//! `UNTIL` is kept in the stored rule as a local wall time (`UNTIL=20260409T235959`); an
//! `UNTIL` given as a UTC instant (`…Z`, as RFC 5545 asks when DTSTART has a zone) is
//! turned into the resource's wall time first, and a date (`UNTIL=20260409`) means the
//! end of that local day.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::time::{LocalDateTime, Timestamp};

const FIELD: &str = "recurrence.rrule";

/// A rule read and checked: its parts as written (names and values upper-cased), the
/// rule the expander takes, and its `UNTIL` as a wall time. The parts, not the expander's
/// own printing, are what is stored, so nothing the caller wrote is lost in a round trip.
#[derive(Clone, Debug)]
pub(crate) struct ParsedRule {
    /// The parts but `UNTIL`, e.g. `["FREQ=MONTHLY", "BYDAY=1TU", "COUNT=3"]`.
    parts: Vec<String>,
    /// The same, read by the expander.
    rule: rrule::RRule<rrule::Unvalidated>,
    /// The last wall time an occurrence may start at.
    until: Option<NaiveDateTime>,
}

impl ParsedRule {
    /// Reads `text` (with or without a leading `RRULE:`); an instant `UNTIL` is read in
    /// `tz`.
    pub(crate) fn parse(text: &str, tz: Tz) -> Result<ParsedRule> {
        let body = text.trim();
        let body = body
            .strip_prefix("RRULE:")
            .or_else(|| body.strip_prefix("rrule:"))
            .unwrap_or(body);
        if body.is_empty() || body.len() > 1_024 || body.contains(['\n', '\r']) {
            return Err(Error::invalid_input(
                FIELD,
                "an RRULE is one line of at most 1024 bytes, e.g. FREQ=WEEKLY;BYDAY=TU,TH;COUNT=12",
            ));
        }
        let mut until = None;
        let mut parts = Vec::new();
        for part in body.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let part = part.to_ascii_uppercase();
            match part.split_once('=') {
                Some(("UNTIL", value)) => until = Some(parse_until(value, tz)?),
                Some(("DTSTART", _)) => {
                    return Err(Error::invalid_input(
                        FIELD,
                        "give the first occurrence as the command's `start`, not in the RRULE",
                    ));
                }
                _ => parts.push(part),
            }
        }
        let rule = read(&parts)?;
        let parsed = ParsedRule { parts, rule, until };
        if parsed.counted() && until.is_some() {
            return Err(Error::invalid_input(
                FIELD,
                "an RRULE has COUNT or UNTIL, not both",
            ));
        }
        Ok(parsed)
    }

    fn counted(&self) -> bool {
        self.parts.iter().any(|p| p.starts_with("COUNT="))
    }

    /// The rule's `UNTIL` as a wall time.
    pub(crate) fn until(&self) -> Option<NaiveDateTime> {
        self.until
    }

    /// Whether the rule ends by itself (`COUNT` or `UNTIL`).
    pub(crate) fn is_bounded(&self) -> bool {
        self.counted() || self.until.is_some()
    }

    /// The rule as stored: the parts as written, with `UNTIL` (last) as a local wall time.
    pub(crate) fn to_text(&self) -> String {
        let mut parts = self.parts.clone();
        if let Some(until) = self.until {
            parts.push(format!("UNTIL={}", LocalDateTime(until).to_basic()));
        }
        parts.join(";")
    }

    /// The same rule ending at `until` (a wall time) instead of its `COUNT` or `UNTIL`.
    pub(crate) fn ending_at(&self, until: NaiveDateTime) -> ParsedRule {
        let parts: Vec<String> = self
            .parts
            .iter()
            .filter(|p| !p.starts_with("COUNT="))
            .cloned()
            .collect();
        ParsedRule {
            rule: read(&parts).expect("a rule read once reads again without its COUNT"),
            parts,
            until: Some(until),
        }
    }

    /// The wall-clock starts the rule makes from `first` (its DTSTART), in order, up to
    /// and including `bound` and at most `limit` of them; the flag says whether the rule
    /// went on beyond what was returned.
    pub(crate) fn starts(
        &self,
        first: NaiveDateTime,
        bound: Option<NaiveDateTime>,
        limit: usize,
    ) -> Result<(Vec<NaiveDateTime>, bool)> {
        let mut rule = self.rule.clone();
        if let Some(until) = self.until {
            if until < first {
                return Err(Error::invalid_input(
                    FIELD,
                    format!(
                        "UNTIL {} is before the first occurrence {}",
                        LocalDateTime(until),
                        LocalDateTime(first)
                    ),
                ));
            }
            rule = rule.until(floating(until));
        }
        let set = rule
            .build(floating(first))
            .map_err(|e| Error::invalid_input(FIELD, format!("{e}")))?
            .limit();
        let mut out = Vec::new();
        for dt in &set {
            let local = dt.naive_utc();
            if bound.is_some_and(|b| local > b) || out.len() == limit {
                return Ok((out, true));
            }
            out.push(local);
        }
        Ok((out, false))
    }
}

/// The expander's reading of `parts`.
fn read(parts: &[String]) -> Result<rrule::RRule<rrule::Unvalidated>> {
    parts
        .join(";")
        .parse()
        .map_err(|e: rrule::RRuleError| Error::invalid_input(FIELD, format!("{e}")))
}

/// A wall time as a datetime of the expander's UTC zone: floating time.
fn floating(local: NaiveDateTime) -> chrono::DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// `UNTIL` as a wall time: `YYYYMMDD` (end of that day), `YYYYMMDDTHHMMSS` (wall time) or
/// `YYYYMMDDTHHMMSSZ` (an instant, read in `tz`).
fn parse_until(value: &str, tz: Tz) -> Result<NaiveDateTime> {
    let bad = || {
        Error::invalid_input(
            FIELD,
            format!("UNTIL `{value}` is not YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ"),
        )
    };
    if let Some(utc) = value.strip_suffix('Z') {
        let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        let instant = Timestamp::from_datetime(&naive.and_utc());
        return Ok(LocalDateTime::at(instant, tz).0);
    }
    if value.len() == 8 {
        let date = NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())?;
        return date.and_hms_opt(23, 59, 59).ok_or_else(bad);
    }
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        s.parse::<LocalDateTime>().unwrap().0
    }

    fn starts(rule: &str, first: &str) -> Vec<String> {
        let tz: Tz = "America/New_York".parse().unwrap();
        let parsed = ParsedRule::parse(rule, tz).unwrap();
        parsed
            .starts(local(first), None, 1_000)
            .unwrap()
            .0
            .into_iter()
            .map(|t| LocalDateTime(t).to_string())
            .collect()
    }

    #[test]
    fn weekly_tuesday_thursday_keeps_the_wall_time() {
        let got = starts("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=6", "2026-03-03T19:00");
        assert_eq!(
            got,
            [
                "2026-03-03T19:00:00",
                "2026-03-05T19:00:00",
                "2026-03-10T19:00:00",
                "2026-03-12T19:00:00",
                "2026-03-17T19:00:00",
                "2026-03-19T19:00:00"
            ]
        );
    }

    #[test]
    fn monthly_last_weekday_with_bysetpos() {
        let got = starts(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            "2026-01-30T09:00",
        );
        assert_eq!(
            got,
            [
                "2026-01-30T09:00:00",
                "2026-02-27T09:00:00",
                "2026-03-31T09:00:00"
            ]
        );
    }

    #[test]
    fn utc_until_is_read_in_the_zone_and_stored_local() {
        let tz: Tz = "America/New_York".parse().unwrap();
        // 2026-03-20T00:00Z is 20:00 EDT on the 19th: the 19:00 occurrence that day is in.
        let rule = ParsedRule::parse("FREQ=DAILY;UNTIL=20260320T000000Z", tz).unwrap();
        assert_eq!(rule.to_text(), "FREQ=DAILY;UNTIL=20260319T200000");
        let (got, more) = rule.starts(local("2026-03-17T19:00"), None, 100).unwrap();
        assert_eq!(got.len(), 3);
        assert!(!more);
        let date_only = ParsedRule::parse("FREQ=DAILY;UNTIL=20260318", tz).unwrap();
        assert_eq!(date_only.to_text(), "FREQ=DAILY;UNTIL=20260318T235959");
    }

    #[test]
    fn bad_rules_are_input_errors() {
        let tz: Tz = "UTC".parse().unwrap();
        for text in [
            "",
            "FREQ=FORTNIGHTLY",
            "FREQ=WEEKLY;COUNT=3;UNTIL=20260101",
            "FREQ=WEEKLY;UNTIL=tomorrow",
            "FREQ=MONTHLY;BYMONTHDAY=40",
            "DTSTART=20260101T000000;FREQ=DAILY",
        ] {
            let err = ParsedRule::parse(text, tz)
                .and_then(|r| r.starts(local("2026-03-03T19:00"), None, 10).map(|_| ()))
                .unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{text}");
        }
    }

    #[test]
    fn limit_and_bound_stop_an_endless_rule() {
        let tz: Tz = "UTC".parse().unwrap();
        let rule = ParsedRule::parse("FREQ=SECONDLY", tz).unwrap();
        assert!(!rule.is_bounded());
        let (got, more) = rule.starts(local("2026-03-03T19:00"), None, 50).unwrap();
        assert_eq!((got.len(), more), (50, true));
        let (got, more) = rule
            .starts(
                local("2026-03-03T19:00"),
                Some(local("2026-03-03T19:00:09")),
                50,
            )
            .unwrap();
        assert_eq!((got.len(), more), (10, true));
    }

    #[test]
    fn an_ordinal_weekday_is_kept() {
        let tz: Tz = "UTC".parse().unwrap();
        let rule = ParsedRule::parse("freq=monthly;byday=1tu;count=3", tz).unwrap();
        assert_eq!(rule.to_text(), "FREQ=MONTHLY;BYDAY=1TU;COUNT=3");
        let again = ParsedRule::parse(&rule.to_text(), tz).unwrap();
        let (got, _) = again.starts(local("2026-03-03T19:00"), None, 10).unwrap();
        let got: Vec<String> = got
            .into_iter()
            .map(|t| LocalDateTime(t).to_string())
            .collect();
        assert_eq!(
            got,
            [
                "2026-03-03T19:00:00",
                "2026-04-07T19:00:00",
                "2026-05-05T19:00:00"
            ]
        );
    }

    #[test]
    fn ending_at_replaces_count() {
        let tz: Tz = "UTC".parse().unwrap();
        let rule = ParsedRule::parse("FREQ=WEEKLY;BYDAY=TU;COUNT=10", tz).unwrap();
        let cut = rule.ending_at(local("2026-03-10T19:00"));
        assert_eq!(cut.to_text(), "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260310T190000");
        let (got, _) = cut.starts(local("2026-03-03T19:00"), None, 100).unwrap();
        assert_eq!(got.len(), 2);
    }
}
