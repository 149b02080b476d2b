//! iCalendar export (E5): a member's bookings, or one series, as an RFC 5545 calendar.
//!
//! A series is one VEVENT with its `RRULE`, `EXDATE` and `RDATE`, its times written in
//! the series' zone (`DTSTART;TZID=Europe/London:20260303T190000`) with a VTIMEZONE that
//! describes that zone's offsets over the series, so calendar apps show 19:00 every week
//! across DST. An occurrence moved on its own is a second VEVENT with the same `UID` and
//! a `RECURRENCE-ID`. A single booking is a VEVENT of its own. Lines end in CRLF and are
//! folded at 75 octets; text is escaped.

use std::collections::BTreeSet;
use std::fmt::Write;

use chrono::{Offset, TimeZone};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use serde::{Deserialize, Serialize};

use crate::booking::{Booking, BookingStatus};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::MemberId;
use crate::recurrence::{ParsedRule, Series, SeriesStatus};
use crate::store::Store;
use crate::time::{parse_timezone, Disambiguation, LocalDateTime, Span, Timestamp};

/// What to export: a member's bookings (and the series they belong to) in a range, or
/// one series.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IcsQuery {
    /// This member's bookings and series (give `member` or `series`).
    #[serde(default)]
    pub member: Option<MemberId>,
    /// One series.
    #[serde(default)]
    pub series: Option<String>,
    /// Bookings ending after this instant (default: any).
    #[serde(default)]
    pub from: Option<Timestamp>,
    /// Bookings starting before this instant (default: any).
    #[serde(default)]
    pub to: Option<Timestamp>,
}

impl<S: Store> Engine<S> {
    /// The bookings and series `query` names as an iCalendar document (E5).
    ///
    /// ```
    /// use slotwise::{Engine, ManualClock, NewResource};
    /// use slotwise::ics::IcsQuery;
    /// use slotwise::recurrence::NewSeries;
    ///
    /// let mut engine = Engine::in_memory()
    ///     .with_clock(ManualClock::at("2026-03-01T08:00:00Z".parse().unwrap()));
    /// engine.create_resource(NewResource::new("room-a").timezone("Europe/London")).unwrap();
    /// let out = engine.book_series(NewSeries::rrule("room-a", "ann",
    ///     "2026-03-03T19:00", "2026-03-03T21:00", "FREQ=WEEKLY;BYDAY=TU;COUNT=4")).unwrap();
    /// let ics = engine.export_ics(&IcsQuery { series: Some(out.series.id), ..Default::default() }).unwrap();
    /// assert!(ics.contains("DTSTART;TZID=Europe/London:20260303T190000\r\n"));
    /// assert!(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=4\r\n"));
    /// ```
    pub fn export_ics(&self, query: &IcsQuery) -> Result<String> {
        self.store().refresh()?;
        let now = self.now();
        let window = Span::new(
            query.from.unwrap_or(Timestamp::MIN),
            query.to.unwrap_or(Timestamp::MAX),
        )
        .ok_or_else(|| Error::invalid_input("to", "`to` must be after `from`"))?;
        let store = self.store();
        let mut singles = Vec::new();
        let mut series_ids = BTreeSet::new();
        match (&query.member, &query.series) {
            (Some(member), None) => {
                store.member_bookings(member, window, &mut |b| {
                    let b = b.as_of(now);
                    match &b.series {
                        Some(link) => {
                            series_ids.insert(link.id.clone());
                        }
                        None if exported(&b) => singles.push(b),
                        None => {}
                    }
                })?;
            }
            (None, Some(id)) => {
                series_ids.insert(id.clone());
            }
            _ => {
                return Err(Error::invalid_input(
                    "member",
                    "export names exactly one of `member` or `series`",
                ))
            }
        }
        let mut calendar = Calendar::default();
        for id in &series_ids {
            let series = store
                .series(id)?
                .ok_or_else(|| Error::not_found("series", id))?;
            let mut bookings = Vec::new();
            store.series_bookings(id, &mut |b| bookings.push(b.as_of(now)))?;
            calendar.series(&series, &bookings, now)?;
        }
        for b in &singles {
            let tz = store
                .resource(&b.resource)?
                .map(|r| r.tz())
                .transpose()?
                .unwrap_or(chrono_tz::UTC);
            calendar.booking(b, tz, None, now);
        }
        Ok(calendar.finish())
    }
}

/// Whether a single booking belongs in an export: anything that took or takes place.
fn exported(b: &Booking) -> bool {
    !matches!(
        b.status,
        BookingStatus::Cancelled | BookingStatus::Released | BookingStatus::Expired
    )
}

/// A calendar being written: its events, and the zones and spans they use.
#[derive(Default)]
struct Calendar {
    events: String,
    zones: Vec<(Tz, Timestamp, Timestamp)>,
}

impl Calendar {
    fn use_zone(&mut self, tz: Tz, from: Timestamp, to: Timestamp) {
        match self.zones.iter_mut().find(|(z, ..)| *z == tz) {
            Some((_, lo, hi)) => {
                *lo = (*lo).min(from);
                *hi = (*hi).max(to);
            }
            None => self.zones.push((tz, from, to)),
        }
    }

    fn series(&mut self, series: &Series, bookings: &[Booking], now: Timestamp) -> Result<()> {
        let tz = parse_timezone(&series.timezone)?;
        let rule = &series.rule;
        let at = |l: LocalDateTime| l.resolve(tz, Disambiguation::Compatible);
        let first = at(rule.first_start)?;
        let first_end = at(rule.first_end)?;
        let mut last = first_end;
        let tzid = tz.name();
        let mut e = Lines::begin("VEVENT");
        e.prop("UID", &format!("{}@slotwise", series.id));
        e.prop("DTSTAMP", &utc(now));
        e.prop(
            &format!("DTSTART;TZID={tzid}"),
            &rule.first_start.to_basic(),
        );
        e.prop(&format!("DTEND;TZID={tzid}"), &rule.first_end.to_basic());
        e.prop("RRULE", &rrule_for_export(&rule.rrule, tz)?);
        for (name, list) in [("EXDATE", &rule.exdates), ("RDATE", &rule.rdates)] {
            if !list.is_empty() {
                let values: Vec<String> = list.iter().map(|k| k.to_basic()).collect();
                e.prop(&format!("{name};TZID={tzid}"), &values.join(","));
            }
        }
        e.text("SUMMARY", series.title.as_deref().unwrap_or("Booking"));
        if let Some(d) = &series.description {
            e.text("DESCRIPTION", d);
        }
        e.text("LOCATION", series.resource.as_str());
        e.prop(
            "STATUS",
            match series.status {
                SeriesStatus::Active => "CONFIRMED",
                SeriesStatus::Cancelled => "CANCELLED",
            },
        );
        e.prop("SEQUENCE", &(series.version - 1).to_string());
        e.end("VEVENT");
        self.events.push_str(&e.0);
        // Occurrences that are not where a reader of the rule puts them: RFC 5545 reads a
        // wall time in a gap with the offset before it and one in a fold as the first,
        // and gives every occurrence the first one's exact length. Those get an override.
        let length_ms = first_end.as_millis() - first.as_millis();
        for b in bookings {
            let Some(link) = &b.series else { continue };
            last = last.max(b.end);
            let read_start = at(link.occurrence).ok();
            let in_place = b.resource == series.resource
                && read_start == Some(b.start)
                && read_start.map(|s| s.add_millis(length_ms)) == Some(b.end);
            if !in_place && crate::engine::series_booking_is_live(b) {
                self.booking(b, tz, Some((series, link.occurrence)), now);
            }
        }
        self.use_zone(tz, first, last);
        Ok(())
    }

    fn booking(
        &mut self,
        b: &Booking,
        tz: Tz,
        exception_of: Option<(&Series, LocalDateTime)>,
        now: Timestamp,
    ) {
        let tzid = tz.name();
        let mut e = Lines::begin("VEVENT");
        match exception_of {
            Some((series, key)) => {
                e.prop("UID", &format!("{}@slotwise", series.id));
                e.prop(&format!("RECURRENCE-ID;TZID={tzid}"), &key.to_basic());
            }
            None => e.prop("UID", &format!("{}@slotwise", b.id)),
        }
        e.prop("DTSTAMP", &utc(now));
        for (name, t) in [("DTSTART", b.start), ("DTEND", b.end)] {
            let (params, value) = date_time(t, tz);
            e.prop(&format!("{name}{params}"), &value);
        }
        e.text("SUMMARY", b.title.as_deref().unwrap_or("Booking"));
        if let Some(d) = &b.description {
            e.text("DESCRIPTION", d);
        }
        e.text("LOCATION", b.resource.as_str());
        e.prop(
            "STATUS",
            match b.status {
                BookingStatus::Held => "TENTATIVE",
                _ => "CONFIRMED",
            },
        );
        e.prop("SEQUENCE", &(b.version - 1).to_string());
        e.end("VEVENT");
        self.events.push_str(&e.0);
        self.use_zone(tz, b.start, b.end);
    }

    fn finish(self) -> String {
        let mut out = Lines::begin("VCALENDAR");
        out.prop("VERSION", "2.0");
        out.prop("PRODID", "-//slotwise//slotwise//EN");
        out.prop("CALSCALE", "GREGORIAN");
        for (tz, from, to) in &self.zones {
            vtimezone(&mut out, *tz, *from, *to);
        }
        out.0.push_str(&self.events);
        out.end("VCALENDAR");
        out.0
    }
}

/// The stored RRULE with its local `UNTIL` written as UTC, as RFC 5545 requires when
/// DTSTART names a zone.
fn rrule_for_export(text: &str, tz: Tz) -> Result<String> {
    let parsed = ParsedRule::parse(text, tz)?;
    let Some(until) = parsed.until() else {
        return Ok(text.to_owned());
    };
    let instant = LocalDateTime(until).resolve(tz, Disambiguation::Later)?;
    Ok(text
        .split(';')
        .map(|part| {
            if part.starts_with("UNTIL=") {
                format!("UNTIL={}", utc(instant))
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(";"))
}

/// An instant as a DATE-TIME: the wall time with its TZID when a reader gets the same
/// instant back from it, else UTC (the later of two readings in a fold, say).
fn date_time(t: Timestamp, tz: Tz) -> (String, String) {
    let local = LocalDateTime::at(t, tz);
    if local.resolve(tz, Disambiguation::Compatible).ok() == Some(t) {
        (format!(";TZID={}", tz.name()), local.to_basic())
    } else {
        (String::new(), utc(t))
    }
}

fn utc(t: Timestamp) -> String {
    t.to_datetime().format("%Y%m%dT%H%M%SZ").to_string()
}

/// A VTIMEZONE for `tz` covering `[from, to]`: the offset in force at `from` (as an
/// observance from 1970), then every change up to `to`.
fn vtimezone(out: &mut Lines, tz: Tz, from: Timestamp, to: Timestamp) {
    out.begin_component("VTIMEZONE");
    out.prop("TZID", tz.name());
    let offset_at = |t: Timestamp| tz.offset_from_utc_datetime(&t.to_datetime().naive_utc());
    let start = offset_at(from);
    let observance = |out: &mut Lines, local: String, before: i32, after: chrono_tz::TzOffset| {
        let kind = if after.dst_offset().num_seconds() != 0 {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        out.begin_component(kind);
        out.prop("DTSTART", &local);
        out.prop("TZOFFSETFROM", &offset_text(before));
        out.prop("TZOFFSETTO", &offset_text(after.fix().local_minus_utc()));
        if let Some(name) = after.abbreviation() {
            out.text("TZNAME", name);
        }
        out.end(kind);
    };
    let first_offset = start.fix().local_minus_utc();
    observance(out, "19700101T000000".into(), first_offset, start);
    for (at, before, after) in transitions(tz, from, to) {
        let local = at
            .to_datetime()
            .naive_utc()
            .checked_add_signed(chrono::Duration::seconds(i64::from(before)))
            .map(|l| l.format("%Y%m%dT%H%M%S").to_string())
            .unwrap_or_default();
        observance(out, local, before, after);
    }
    out.end("VTIMEZONE");
}

/// Every offset change of `tz` in `(from, to]`: the instant, the offset before (seconds)
/// and the offset after. Found by probing every 6 hours (zones change at most a few times
/// a year) and narrowing each change to the second.
fn transitions(
    tz: Tz,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Timestamp, i32, chrono_tz::TzOffset)> {
    const STEP_MS: i64 = 6 * 3_600_000;
    let offset_at = |t: Timestamp| tz.offset_from_utc_datetime(&t.to_datetime().naive_utc());
    let secs = |t: Timestamp| offset_at(t).fix().local_minus_utc();
    let mut out = Vec::new();
    let mut t = from;
    // Zones whose exports span years still get every change; the cap keeps a corrupt
    // range from looping for long.
    let mut steps = 0;
    while t < to && steps < 40_000 {
        let next = t.add_millis(STEP_MS).min(to);
        if secs(next) != secs(t) {
            let (mut lo, mut hi) = (t.as_millis(), next.as_millis());
            while hi - lo > 1_000 {
                let mid = lo + (hi - lo) / 2;
                if secs(Timestamp::from_millis(mid)) == secs(t) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let at = Timestamp::from_millis(hi - hi.rem_euclid(1_000));
            out.push((at, secs(t), offset_at(at)));
        }
        t = next;
        steps += 1;
    }
    out
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    if a % 60 == 0 {
        format!("{sign}{:02}{:02}", a / 3_600, a % 3_600 / 60)
    } else {
        format!("{sign}{:02}{:02}{:02}", a / 3_600, a % 3_600 / 60, a % 60)
    }
}

/// iCalendar lines: CRLF endings, folded at 75 octets.
struct Lines(String);

impl Lines {
    fn begin(component: &str) -> Lines {
        let mut l = Lines(String::new());
        l.begin_component(component);
        l
    }

    fn begin_component(&mut self, component: &str) {
        self.line(&format!("BEGIN:{component}"));
    }

    fn end(&mut self, component: &str) {
        self.line(&format!("END:{component}"));
    }

    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn text(&mut self, name: &str, value: &str) {
        let mut escaped = String::with_capacity(value.len());
        for c in value.chars() {
            match c {
                '\\' => escaped.push_str("\\\\"),
                ';' => escaped.push_str("\\;"),
                ',' => escaped.push_str("\\,"),
                '\n' => escaped.push_str("\\n"),
                '\r' => {}
                c => escaped.push(c),
            }
        }
        self.prop(name, &escaped);
    }

    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            if width + c.len_utf8() > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += c.len_utf8();
        }
        let _ = write!(self.0, "\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_and_text_escapes() {
        let mut l = Lines(String::new());
        l.text("SUMMARY", &"a,b;c\n".repeat(20));
        for line in l.0.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
        assert!(l.0.starts_with("SUMMARY:a\\,b\\;c\\n"));
    }

    #[test]
    fn new_york_2026_changes_twice() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let found = transitions(ny, t("2026-01-01T00:00:00Z"), t("2027-01-01T00:00:00Z"));
        let at: Vec<String> = found.iter().map(|(at, ..)| at.to_string()).collect();
        assert_eq!(at, ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"]);
        assert_eq!(offset_text(found[0].1), "-0500");
        assert_eq!(offset_text(19_800), "+0530");
    }
}
