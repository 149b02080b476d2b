//! E5: the iCalendar export, on calendars that exercise what parsers get wrong most often
//! (DST in several zones, a half-hour zone, BYSETPOS, EXDATE, RDATE, RECURRENCE-ID,
//! capped rules, escaped and folded text).
//!
//! Each case builds an engine, exports it with `export_ics` and checks the text's
//! structure here (CRLF, lines of at most 75 octets, balanced BEGIN/END, UNTIL in UTC,
//! a VTIMEZONE for every TZID). It then writes `<case>.ics` and `<case>.json` into
//! `target/ics-check/`: the JSON lists the occurrences the engine holds (its live
//! bookings: start and end in UTC, and the summary), and `conformance/check-ics.py`
//! (run by `scripts/test` after `cargo test`) parses each calendar with the Python
//! `icalendar` and `recurring-ical-events` packages, expands it and requires exactly those
//! occurrences.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::json;
use slotwise::ics::IcsQuery;
use slotwise::recurrence::{CancelSeries, EditScope, ModifySeries, NewSeries};
use slotwise::time::Disambiguation;
use slotwise::{
    Booking, BookingAction, BookingStatus, Engine, ManualClock, MemoryStore, NewBooking,
    NewResource, Span, StoreRead, Timestamp,
};

/// Where the cases go: `target/ics-check/` beside the test binaries' scratch folder.
fn out_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR lies inside the target folder")
        .join("ics-check")
}

fn engine_at(now: &str) -> Engine<MemoryStore> {
    Engine::in_memory().with_clock(ManualClock::at(now.parse().unwrap()))
}

fn room(engine: &mut Engine<MemoryStore>, id: &str, tz: &str) {
    engine
        .create_resource(NewResource::new(id).timezone(tz))
        .unwrap();
}

fn series(engine: &mut Engine<MemoryStore>, cmd: NewSeries) -> String {
    engine.book_series(cmd).expect("the series books").series.id
}

fn by_series(id: &str) -> IcsQuery {
    IcsQuery {
        series: Some(id.into()),
        ..Default::default()
    }
}

fn by_member(member: &str) -> IcsQuery {
    IcsQuery {
        member: Some(member.into()),
        ..Default::default()
    }
}

/// Whether a booking takes place (or took place): what a calendar should show.
fn live(b: &Booking) -> bool {
    !matches!(
        b.status,
        BookingStatus::Cancelled | BookingStatus::Released | BookingStatus::Expired
    )
}

/// The occurrences a calendar of `member` should hold: their live bookings.
fn member_bookings(engine: &Engine<MemoryStore>, member: &str) -> Vec<Booking> {
    let now = engine.now();
    let mut out = Vec::new();
    engine
        .store()
        .member_bookings(
            &member.into(),
            Span {
                start: Timestamp::MIN,
                end: Timestamp::MAX,
            },
            &mut |b| out.push(b.as_of(now)),
        )
        .unwrap();
    out.retain(live);
    out
}

/// The occurrences a calendar of one series should hold.
fn series_bookings(engine: &Engine<MemoryStore>, id: &str) -> Vec<Booking> {
    let mut out = engine.series(id).unwrap().bookings;
    out.retain(live);
    out
}

/// One calendar to check: the export and the occurrences it must expand to.
struct Case {
    name: &'static str,
    ics: String,
    expected: Vec<Booking>,
}

impl Case {
    fn new(
        name: &'static str,
        engine: &Engine<MemoryStore>,
        query: IcsQuery,
        expected: Vec<Booking>,
    ) -> Case {
        let ics = engine.export_ics(&query).expect("the export is made");
        assert!(!expected.is_empty(), "{name}: no occurrences to expect");
        Case {
            name,
            ics,
            expected,
        }
    }

    fn expected_json(&self) -> serde_json::Value {
        let mut list: Vec<_> = self
            .expected
            .iter()
            .map(|b| {
                json!({
                    "start": b.start.to_string(),
                    "end": b.end.to_string(),
                    "summary": b.title.as_deref().unwrap_or("Booking"),
                })
            })
            .collect();
        list.sort_by_key(|v| (v["start"].to_string(), v["end"].to_string()));
        serde_json::Value::Array(list)
    }
}

/// The structure RFC 5545 asks of every export, plus what the case says it must contain.
/// Returns the unfolded content lines.
fn check_structure(name: &str, ics: &str) -> Vec<String> {
    // CRLF only, and every line ends with one.
    assert!(ics.ends_with("\r\n"), "{name}: does not end in CRLF");
    let bytes = ics.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'\n' => assert!(i > 0 && bytes[i - 1] == b'\r', "{name}: bare LF at {i}"),
            b'\r' => assert!(bytes.get(i + 1) == Some(&b'\n'), "{name}: bare CR at {i}"),
            _ => {}
        }
    }
    // Physical lines of at most 75 octets; continuations start with one space.
    let physical: Vec<&str> = ics.strip_suffix("\r\n").unwrap().split("\r\n").collect();
    let mut lines: Vec<String> = Vec::new();
    for line in &physical {
        assert!(
            line.len() <= 75,
            "{name}: a line of {} octets: {line:?}",
            line.len()
        );
        assert!(!line.is_empty(), "{name}: an empty line");
        match line.strip_prefix(' ') {
            Some(rest) => lines
                .last_mut()
                .unwrap_or_else(|| panic!("{name}: starts with a continuation"))
                .push_str(rest),
            None => lines.push(line.to_string()),
        }
    }
    // BEGIN/END balance, one VCALENDAR around everything.
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    let mut stack: Vec<&str> = Vec::new();
    let mut zones = BTreeSet::new();
    let mut used_zones = BTreeSet::new();
    let mut event_props: Vec<BTreeSet<String>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let (head, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}: no `:` in {line:?}"));
        let mut params = head.split(';');
        let prop = params.next().unwrap();
        assert!(
            !prop.is_empty()
                && prop
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'),
            "{name}: bad property name in {line:?}"
        );
        for param in params {
            let (p, v) = param
                .split_once('=')
                .unwrap_or_else(|| panic!("{name}: bad parameter in {line:?}"));
            if p == "TZID" {
                used_zones.insert(v.to_string());
            }
        }
        match prop {
            "BEGIN" => {
                assert!(i == 0 || !stack.is_empty(), "{name}: a second calendar");
                stack.push(value);
                if value == "VEVENT" {
                    event_props.push(BTreeSet::new());
                }
            }
            "END" => assert_eq!(stack.pop(), Some(value), "{name}: END:{value} unmatched"),
            "TZID" => {
                assert_eq!(stack.last(), Some(&"VTIMEZONE"), "{name}: {line}");
                zones.insert(value.to_string());
            }
            "RRULE" => {
                if let Some(until) = value.split(';').find_map(|p| p.strip_prefix("UNTIL=")) {
                    assert!(
                        until.len() == 16 && until.ends_with('Z') && until.as_bytes()[8] == b'T',
                        "{name}: UNTIL not in UTC: {line}"
                    );
                }
            }
            _ => {}
        }
        if stack.last() == Some(&"VEVENT") && prop != "BEGIN" {
            event_props.last_mut().unwrap().insert(prop.to_string());
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed {stack:?}");
    // Every TZID a property names has its VTIMEZONE.
    for z in &used_zones {
        assert!(zones.contains(z), "{name}: TZID={z} has no VTIMEZONE");
    }
    for props in &event_props {
        for required in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"] {
            assert!(
                props.contains(required),
                "{name}: a VEVENT without {required}"
            );
        }
    }
    assert!(!event_props.is_empty(), "{name}: no VEVENT");
    lines
}

/// The case of series `id`: its export must hold `count` occurrences and a line starting
/// with `line`.
fn series_case(
    name: &'static str,
    engine: &Engine<MemoryStore>,
    id: &str,
    count: usize,
    line: &str,
) -> Case {
    let case = Case::new(name, engine, by_series(id), series_bookings(engine, id));
    assert_eq!(case.expected.len(), count, "{name}");
    let lines = check_structure(case.name, &case.ics);
    assert!(has_line(&lines, line), "{name}: no line {line}");
    case
}

fn has_line(lines: &[String], prefix: &str) -> bool {
    lines.iter().any(|l| l.starts_with(prefix))
}

/// Whether an RRULE has every one of `parts` (in any order), and an UNTIL starting with
/// `until` if given.
fn has_rrule(lines: &[String], parts: &[&str], until: Option<&str>) -> bool {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("RRULE:"))
        .any(|rule| {
            let have: Vec<&str> = rule.split(';').collect();
            parts.iter().all(|p| have.contains(p))
                && until.is_none_or(|u| have.iter().any(|h| h.starts_with(&format!("UNTIL={u}"))))
        })
}

/// Weekly on Tuesdays 19:00–21:00 in London from March to November (both DST changes),
/// UNTIL given in UTC.
fn london_weekly() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "Europe/London");
    let id = series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "ann",
            "2026-03-03T19:00",
            "2026-03-03T21:00",
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261110T235959Z",
        )
        .title("Choir"),
    );
    let case = Case::new(
        "london-weekly-dst",
        &engine,
        by_series(&id),
        series_bookings(&engine, &id),
    );
    assert_eq!(case.expected.len(), 37);
    let lines = check_structure(case.name, &case.ics);
    assert!(has_line(
        &lines,
        "DTSTART;TZID=Europe/London:20260303T190000"
    ));
    assert!(has_rrule(
        &lines,
        &["FREQ=WEEKLY", "BYDAY=TU"],
        Some("2026")
    ));
    case
}

/// Tuesdays and Thursdays 18:30–19:15 in New York, COUNT=40 from February: across both
/// of 2026's changes (8 March, 1 November). Exported by member, with a single booking.
fn new_york_weekly() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "America/New_York");
    series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "bob",
            "2026-02-24T18:30",
            "2026-02-24T19:15",
            "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=80",
        )
        .title("Yoga"),
    );
    engine
        .book(NewBooking::new(
            "room-a",
            "bob",
            "2026-03-08T12:00",
            "2026-03-08T13:30",
        ))
        .unwrap();
    let case = Case::new(
        "new-york-weekly-dst",
        &engine,
        by_member("bob"),
        member_bookings(&engine, "bob"),
    );
    assert_eq!(case.expected.len(), 81);
    let lines = check_structure(case.name, &case.ics);
    assert!(has_rrule(
        &lines,
        &["FREQ=WEEKLY", "COUNT=80", "BYDAY=TU,TH"],
        None
    ));
    case
}

/// The last weekday of every month (BYSETPOS=-1), 09:00–10:00 in New York, for a year,
/// and the first Tuesday of each month (BYDAY=1TU).
fn monthly_bysetpos() -> Case {
    let mut engine = engine_at("2026-01-01T08:00:00Z");
    room(&mut engine, "room-a", "America/New_York");
    series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "cat",
            "2026-01-30T09:00",
            "2026-01-30T10:00",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12",
        )
        .title("Month end"),
    );
    // And the first Tuesday of every month (an ordinal BYDAY), 17:00–18:00.
    series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "cat",
            "2026-02-03T17:00",
            "2026-02-03T18:00",
            "FREQ=MONTHLY;BYDAY=1TU;COUNT=10",
        )
        .title("First Tuesday"),
    );
    let case = Case::new(
        "monthly-bysetpos",
        &engine,
        by_member("cat"),
        member_bookings(&engine, "cat"),
    );
    assert_eq!(case.expected.len(), 12 + 10);
    let lines = check_structure(case.name, &case.ics);
    assert!(has_rrule(
        &lines,
        &["FREQ=MONTHLY", "BYDAY=1TU", "COUNT=10"],
        None
    ));
    assert!(has_rrule(
        &lines,
        &[
            "FREQ=MONTHLY",
            "BYDAY=MO,TU,WE,TH,FR",
            "BYSETPOS=-1",
            "COUNT=12"
        ],
        None
    ));
    case
}

/// Weekly in London; one occurrence cancelled through the series (EXDATE), another by a
/// plain cancel of its booking (EXDATE too), one given as an EXDATE from the start.
fn exdate_cancelled() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "Europe/London");
    let id = series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "dan",
            "2026-03-02T08:15",
            "2026-03-02T09:00",
            "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=20",
        )
        .exdates(vec!["2026-03-04T08:15".parse().unwrap()])
        .title("Stand-up"),
    );
    engine
        .cancel_series(CancelSeries {
            series: id.clone(),
            scope: EditScope::One,
            occurrence: Some("2026-03-30T08:15".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
    let booking = series_bookings(&engine, &id)
        .into_iter()
        .find(|b| b.start == "2026-04-01T07:15:00Z".parse::<Timestamp>().unwrap())
        .expect("the 1 April occurrence");
    engine.cancel(BookingAction::new(booking.id)).unwrap();
    series_case(
        "exdate-cancelled",
        &engine,
        &id,
        17,
        "EXDATE;TZID=Europe/London:20260304T081500,20260330T081500,20260401T081500",
    )
}

/// Weekly in New York; one occurrence moved to other hours through the series, one moved
/// to another room, one moved by a plain `modify` of its booking: each a RECURRENCE-ID.
fn moved_occurrence() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "America/New_York");
    room(&mut engine, "room-b", "America/New_York");
    let id = series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "eve",
            "2026-03-03T19:00",
            "2026-03-03T21:00",
            "FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        )
        .title("Book club"),
    );
    engine
        .modify_series(ModifySeries {
            series: id.clone(),
            scope: EditScope::One,
            occurrence: Some("2026-03-10T19:00".parse().unwrap()),
            times: Some(serde_json::from_value(json!(["07:30", "08:45"])).unwrap()),
            ..Default::default()
        })
        .unwrap();
    engine
        .modify_series(ModifySeries {
            series: id.clone(),
            scope: EditScope::One,
            occurrence: Some("2026-03-24T19:00".parse().unwrap()),
            resource: Some("room-b".into()),
            ..Default::default()
        })
        .unwrap();
    let booking = series_bookings(&engine, &id)
        .into_iter()
        .find(|b| b.start == "2026-04-07T23:00:00Z".parse::<Timestamp>().unwrap())
        .expect("the 7 April occurrence");
    let mut change = slotwise::ModifyBooking::new(booking.id);
    change.start = Some("2026-04-09T12:00".into());
    change.end = Some("2026-04-09T13:00".into());
    engine.modify(change).unwrap();
    let case = Case::new(
        "moved-occurrence",
        &engine,
        by_member("eve"),
        member_bookings(&engine, "eve"),
    );
    assert_eq!(case.expected.len(), 10);
    let lines = check_structure(case.name, &case.ics);
    for key in ["20260310T190000", "20260324T190000", "20260407T190000"] {
        let want = format!("RECURRENCE-ID;TZID=America/New_York:{key}");
        assert!(has_line(&lines, &want), "{want}");
    }
    case
}

/// Weekly in London with two RDATEs (a Saturday, and a date after the rule ends).
fn rdate() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "Europe/London");
    let mut cmd = NewSeries::rrule(
        "room-a",
        "fay",
        "2026-03-16T17:00",
        "2026-03-16T18:30",
        "FREQ=WEEKLY;BYDAY=MO;COUNT=6",
    )
    .title("Lesson");
    cmd.recurrence.rdates = vec![
        "2026-03-28T10:00".parse().unwrap(),
        "2026-06-01T17:00".parse().unwrap(),
    ];
    let id = series(&mut engine, cmd);
    series_case(
        "rdate",
        &engine,
        &id,
        8,
        "RDATE;TZID=Europe/London:20260328T100000,20260601T170000",
    )
}

/// An unbounded weekly rule in London, capped a year after its first occurrence: the
/// cap is written as UNTIL (in UTC).
fn capped_unbounded() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "Europe/London");
    let out = engine
        .book_series(
            NewSeries::rrule(
                "room-a",
                "gus",
                "2026-02-06T12:00",
                "2026-02-06T13:00",
                "FREQ=WEEKLY;BYDAY=FR",
            )
            .title("Lunch"),
        )
        .unwrap();
    assert!(out.capped);
    let id = out.series.id;
    let case = Case::new(
        "capped-unbounded",
        &engine,
        by_series(&id),
        series_bookings(&engine, &id),
    );
    assert_eq!(case.expected.len(), 53);
    let lines = check_structure(case.name, &case.ics);
    assert!(has_rrule(
        &lines,
        &["FREQ=WEEKLY", "BYDAY=FR"],
        Some("2027")
    ));
    case
}

/// Australia/Lord_Howe: +10:30 in winter, +11:00 in summer, changing by half an hour on
/// the first Sundays of April and October. Sundays 19:00–20:00 across both changes, and a
/// daily 00:30–01:30 across the October change (02:00 → 02:30).
fn lord_howe() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "Australia/Lord_Howe");
    series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "hal",
            "2026-03-01T19:00",
            "2026-03-01T20:00",
            "FREQ=WEEKLY;BYDAY=SU;UNTIL=20261101",
        )
        .title("Island walk"),
    );
    series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "hal",
            "2026-09-30T00:30",
            "2026-09-30T01:30",
            "FREQ=DAILY;COUNT=8",
        )
        .title("Night shift"),
    );
    let case = Case::new(
        "lord-howe-half-hour",
        &engine,
        by_member("hal"),
        member_bookings(&engine, "hal"),
    );
    assert_eq!(case.expected.len(), 36 + 8);
    let lines = check_structure(case.name, &case.ics);
    assert!(has_line(&lines, "TZOFFSETTO:+1030"));
    assert!(has_line(&lines, "TZOFFSETTO:+1100"));
    case
}

/// A single booking whose title and description need escaping and folding: commas,
/// semicolons, a backslash, newlines, a tab, and non-ASCII text long enough to fold
/// inside multi-byte characters. Plus a series in another zone, so the member's calendar
/// has two VTIMEZONEs.
fn text_escaping() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "salle-paris", "Europe/Paris");
    room(&mut engine, "room-ny", "America/New_York");
    let title =
        "Réunion; budget, Q3 — «ünïcødé» 会議室 🚀\nline two, with \\ a backslash\tand a tab; \
                 ééééééééééééééééééééééééééééééééééééééé 日本語のテキスト";
    let mut cmd =
        NewBooking::new("salle-paris", "ivy", "2026-03-29T01:30", "2026-03-29T04:00").title(title);
    // 02:00–03:00 does not exist in Paris that night; the start is before the gap.
    cmd.description = Some(format!("{title}\r\n{}", "ü".repeat(100)));
    cmd.disambiguation = Disambiguation::Reject;
    engine.book(cmd).unwrap();
    series(
        &mut engine,
        NewSeries::rrule(
            "room-ny",
            "ivy",
            "2026-03-05T10:00",
            "2026-03-05T11:00",
            "FREQ=WEEKLY;BYDAY=TH;COUNT=3",
        )
        .title("Comma, semicolon; \"quote\""),
    );
    let case = Case::new(
        "text-escaping",
        &engine,
        by_member("ivy"),
        member_bookings(&engine, "ivy"),
    );
    assert_eq!(case.expected.len(), 4);
    let lines = check_structure(case.name, &case.ics);
    assert!(case.ics.contains("\r\n "), "nothing was folded");
    assert!(has_line(&lines, "SUMMARY:Réunion\\; budget\\, Q3"));
    assert!(has_line(&lines, "SUMMARY:Comma\\, semicolon\\; \"quote\""));
    assert!(lines.iter().any(|l| l == "BEGIN:VTIMEZONE"));
    assert!(has_line(
        &lines,
        "DTSTART;TZID=Europe/Paris:20260329T013000"
    ));
    case
}

/// New York, weekly 01:30–02:30 read `later` in the fold of 1 November: that occurrence is
/// the second 01:30 (EST), which a reader of the wall time would take as the first, so it
/// is exported as an override in UTC.
fn fold_later() -> Case {
    let mut engine = engine_at("2026-10-01T08:00:00Z");
    room(&mut engine, "room-a", "America/New_York");
    let id = series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "hal",
            "2026-10-25T01:30",
            "2026-10-25T02:30",
            "FREQ=WEEKLY;COUNT=3",
        )
        .disambiguation(Disambiguation::Later)
        .title("Night shift"),
    );
    series_case("fold-later", &engine, &id, 3, "DTSTART:20261101T063000Z")
}

/// New York, weekly 00:30–04:00 on Sundays across the spring change: the wall clock gives
/// the 8 March occurrence 2.5 real hours where RFC 5545 gives every occurrence the first
/// one's exact 3.5, so that one is exported with its own end.
fn span_across_the_change() -> Case {
    let mut engine = engine_at("2026-02-01T08:00:00Z");
    room(&mut engine, "room-a", "America/New_York");
    let id = series(
        &mut engine,
        NewSeries::rrule(
            "room-a",
            "ida",
            "2026-03-01T00:30",
            "2026-03-01T04:00",
            "FREQ=WEEKLY;BYDAY=SU;COUNT=3",
        )
        .title("Night owls"),
    );
    series_case(
        "span-across-the-change",
        &engine,
        &id,
        3,
        "RECURRENCE-ID;TZID=America/New_York:20260308T003000",
    )
}

#[test]
fn ics_exports_are_well_formed_and_written_for_the_parser_check() {
    let cases = [
        london_weekly(),
        new_york_weekly(),
        monthly_bysetpos(),
        exdate_cancelled(),
        moved_occurrence(),
        rdate(),
        capped_unbounded(),
        lord_howe(),
        text_escaping(),
        fold_later(),
        span_across_the_change(),
    ];
    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    // Leave only this run's cases, so the parser check never reads a stale one.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("ics" | "json")
        ) {
            std::fs::remove_file(&path).unwrap();
        }
    }
    for case in &cases {
        std::fs::write(dir.join(format!("{}.ics", case.name)), &case.ics).unwrap();
        let json = serde_json::to_string_pretty(&case.expected_json()).unwrap();
        std::fs::write(dir.join(format!("{}.json", case.name)), json + "\n").unwrap();
    }
}
