//! Opening hours: calendar arithmetic across DST, overnight ranges, overrides and holidays.
use super::*;
use crate::error::ErrorCode;

fn hours(json: &str) -> OpeningHours {
    let hours: OpeningHours = serde_json::from_str(json).unwrap();
    hours.validate().unwrap();
    hours
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap()
}

/// A UTC span as an ISO 8601 interval, `2026-01-05T08:00/2026-01-06T06:00`, with the
/// end's date left out when it is the start's: `2026-01-05T08:00/18:00`.
fn span(text: &str) -> Span {
    let utc = |s: &str| format!("{s}:00Z").parse::<Timestamp>().unwrap();
    let (from, to) = text.split_once('/').unwrap();
    let to = match to.len() {
        5 => format!("{}{to}", &from[..11]),
        _ => to.to_owned(),
    };
    Span::new(utc(from), utc(&to)).unwrap()
}

/// The inverse of [`span`]; seconds, if any, stay visible so they fail the comparison.
fn show(span: &Span) -> String {
    let minute = |t: Timestamp| {
        let text = t.to_string();
        text.strip_suffix(":00Z")
            .map_or(text.clone(), str::to_owned)
    };
    let (from, to) = (minute(span.start), minute(span.end));
    match to.strip_prefix(&from[..11]) {
        Some(time) => format!("{from}/{time}"),
        None => format!("{from}/{to}"),
    }
}

/// Checks a table of `window => open spans` lines: UTC intervals as in [`span`], spans
/// separated by spaces or continued on the next line, `closed` for none.
fn check(hours: &OpeningHours, tz: &str, table: &str) {
    let mut cases: Vec<(&str, String)> = Vec::new();
    for line in table.lines().map(str::trim).filter(|line| !line.is_empty()) {
        match (line.split_once(" => "), cases.last_mut()) {
            (Some((window, open)), _) => cases.push((window, open.to_owned())),
            (None, Some((_, open))) => *open = format!("{open} {line}"),
            (None, None) => panic!("`{line}` names no window"),
        }
    }
    for (window, expected) in cases {
        let open: Vec<String> = (hours.open_spans(zone(tz), span(window)).iter())
            .map(show)
            .collect();
        let open = if open.is_empty() {
            "closed".into()
        } else {
            open.join(" ")
        };
        assert_eq!(open, expected, "{tz}, window {window}");
    }
}

fn range(start: u16, end: u16) -> TimeRange {
    TimeRange { start, end }
}

#[test]
fn london_hours_follow_the_wall_clock_in_winter_and_summer() {
    let h = hours(r#"{"weekly": {"mon": [["08:00", "18:00"]]}}"#);
    // Monday 2026-01-05 is GMT (+00:00); Monday 2026-07-06 is BST (+01:00).
    let table = "
        2026-01-05T00:00/2026-01-06T00:00 => 2026-01-05T08:00/18:00
        2026-07-06T00:00/2026-07-07T00:00 => 2026-07-06T07:00/17:00
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn several_ranges_a_day_stay_apart_unless_they_touch_or_overlap() {
    let h = hours(
        r#"{"weekly": {
            "tue": [["13:00", "18:00"], ["08:00", "12:00"]],
            "wed": [["08:00", "12:00"], ["12:00", "13:00"], ["12:30", "14:00"]]
        }}"#,
    );
    // Tuesday 2026-01-06 and Wednesday 2026-01-07, GMT.
    let table = "
        2026-01-06T00:00/2026-01-08T00:00 => 2026-01-06T08:00/12:00 2026-01-06T13:00/18:00
            2026-01-07T08:00/14:00
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn overnight_range_runs_into_the_next_date_even_across_a_dst_change() {
    let h = hours(r#"{"weekly": {"fri": [["22:00", "06:00"]], "sat": [["22:00", "06:00"]]}}"#);
    // Friday 2026-01-09 22:00 GMT to Saturday 06:00, Saturday 22:00 to Sunday 06:00; a
    // window starting on Saturday still sees Friday's range. Saturday 2026-03-28 22:00
    // GMT to Sunday 06:00 BST is seven real hours.
    let table = "
        2026-01-09T00:00/2026-01-11T12:00 => 2026-01-09T22:00/2026-01-10T06:00
            2026-01-10T22:00/2026-01-11T06:00
        2026-01-10T00:00/12:00 => 2026-01-10T00:00/06:00
        2026-03-28T12:00/2026-03-29T12:00 => 2026-03-28T22:00/2026-03-29T05:00
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn override_replaces_or_closes_only_its_own_date() {
    let h = hours(
        r#"{"weekly": {"thu": [["08:00", "18:00"]]},
            "overrides": [{"date": "2026-12-31", "hours": []},
                          {"date": "2026-12-24", "hours": [["08:00", "12:00"]]}]}"#,
    );
    // Thursdays 2026-12-17 (weekly), 12-24 (override) and 12-31 (closed), GMT.
    let table = "
        2026-12-17T00:00/2026-12-18T00:00 => 2026-12-17T08:00/18:00
        2026-12-24T00:00/2026-12-25T00:00 => 2026-12-24T08:00/12:00
        2026-12-31T00:00/2027-01-01T00:00 => closed
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn holiday_beats_overrides_but_not_the_overnight_range_running_into_it() {
    let h = hours(
        r#"{"weekly": {"thu": [["22:00", "06:00"]], "fri": [["08:00", "18:00"]]},
            "overrides": [{"date": "2026-12-25", "hours": [["10:00", "11:00"]]}],
            "holidays": ["2026-12-25"]}"#,
    );
    // Friday 2026-12-18 is an ordinary Friday; Friday 12-25 is the holiday.
    let table = "
        2026-12-18T00:00/2026-12-19T00:00 => 2026-12-18T00:00/06:00 2026-12-18T08:00/18:00
        2026-12-24T00:00/2026-12-26T00:00 => 2026-12-24T22:00/2026-12-25T06:00
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn end_of_24_00_and_whole_days_merge_into_one_span_across_midnight() {
    let h = hours(
        r#"{"weekly": {"fri": [["18:00", "24:00"]],
            "sat": [["00:00", "24:00"]], "sun": [["00:00", "24:00"]]}}"#,
    );
    let table = "
        2026-01-09T00:00/2026-01-13T00:00 => 2026-01-09T18:00/2026-01-12T00:00
    ";
    check(&h, "Europe/London", table);
    let london = zone("Europe/London");
    assert!(h.is_open_throughout(london, span("2026-01-09T18:00/2026-01-12T00:00")));
    assert!(!h.is_open_throughout(london, span("2026-01-11T23:00/2026-01-12T01:00")));
}

#[test]
fn new_york_dst_days_shorten_or_lengthen_01_to_04() {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT; 01:00 EST = 06:00Z, 04:00 EDT = 08:00Z,
    // two real hours. 2026-11-01: 02:00 EDT falls back to 01:00 EST and 01:00 takes the
    // earlier reading; 01:00 EDT = 05:00Z, 04:00 EST = 09:00Z, four real hours.
    let h = hours(r#"{"weekly": {"sun": [["01:00", "04:00"]]}}"#);
    let table = "
        2026-03-08T00:00/2026-03-09T00:00 => 2026-03-08T06:00/08:00
        2026-11-01T00:00/2026-11-02T00:00 => 2026-11-01T05:00/09:00
    ";
    check(&h, "America/New_York", table);
}

#[test]
fn range_starting_in_the_gap_opens_when_the_gap_ends() {
    // 02:30 does not exist on 2026-03-08: it opens at 03:30 EDT = 07:30Z; 05:00 EDT = 09:00Z.
    let h = hours(r#"{"weekly": {"sun": [["02:30", "05:00"]]}}"#);
    let table = "
        2026-03-08T00:00/2026-03-09T00:00 => 2026-03-08T07:30/09:00
    ";
    check(&h, "America/New_York", table);
    // 02:30–03:15 becomes 03:30–03:15 EDT: nothing is left, and nothing breaks.
    let inverted = hours(r#"{"weekly": {"sun": [["02:30", "03:15"]]}}"#);
    let table = "
        2026-03-08T00:00/2026-03-09T00:00 => closed
    ";
    check(&inverted, "America/New_York", table);
}

#[test]
fn kathmandu_quarter_hour_offset_moves_09_00_to_03_15_utc() {
    // Asia/Kathmandu is +05:45 all year.
    let h = hours(r#"{"weekly": {"mon": [["09:00", "17:00"]]}}"#);
    let table = "
        2026-01-05T00:00/2026-01-06T00:00 => 2026-01-05T03:15/11:15
    ";
    check(&h, "Asia/Kathmandu", table);
}

#[test]
fn apia_skipped_friday_has_no_hours_and_its_neighbours_are_exact() {
    // Apia went from -10:00 to +14:00 after Thursday 2011-12-29; Friday 12-30 never
    // happened (without the skip its 06:00 would read as 2011-12-30T16:00Z). Thursday
    // 09:00–17:00 at -10:00, then Saturday 09:00–17:00 at +14:00.
    let h = hours(
        r#"{"weekly": {"thu": [["09:00", "17:00"]], "fri": [["06:00", "07:00"]],
            "sat": [["09:00", "17:00"]]}}"#,
    );
    let table = "
        2011-12-29T00:00/2012-01-01T00:00 => 2011-12-29T19:00/2011-12-30T03:00
            2011-12-30T19:00/2011-12-31T03:00
    ";
    check(&h, "Pacific/Apia", table);
}

#[test]
fn spans_are_clipped_to_the_window() {
    let h = hours(r#"{"weekly": {"mon": [["08:00", "18:00"]]}}"#);
    let table = "
        2026-01-05T10:00/12:00 => 2026-01-05T10:00/12:00
        2026-01-05T17:00/2026-01-06T09:00 => 2026-01-05T17:00/18:00
        2026-01-05T18:00/2026-01-06T08:00 => closed
        2026-01-05T07:00/08:00 => closed
    ";
    check(&h, "Europe/London", table);
}

#[test]
fn open_throughout_needs_one_unbroken_open_span() {
    let h = hours(r#"{"weekly": {"tue": [["08:00", "12:00"], ["13:00", "18:00"]]}}"#);
    let throughout = |window| h.is_open_throughout(zone("Europe/London"), span(window));
    assert!(throughout("2026-01-06T08:00/12:00"));
    assert!(throughout("2026-01-06T13:30/14:00"));
    assert!(!throughout("2026-01-06T07:45/08:15"));
    assert!(!throughout("2026-01-06T11:00/14:00"));
    assert!(!throughout("2026-01-06T17:30/18:30"));
}

#[test]
fn always_open_is_one_span_over_a_year_of_dst_changes_in_any_zone() {
    let always = OpeningHours::always();
    always.validate().unwrap();
    // Santiago changes clocks at midnight; Lord Howe by half an hour; Apia skipped a day.
    for tz in ["Europe/London", "America/Santiago", "Australia/Lord_Howe"] {
        let table = "
            2026-01-01T00:00/2027-01-01T00:00 => 2026-01-01T00:00/2027-01-01T00:00
        ";
        check(&always, tz, table);
    }
    let skipped = span("2011-12-01T00:00/2012-02-01T00:00");
    assert!(always.is_open_throughout(zone("Pacific/Apia"), skipped));
}

/// The message of the `invalid_input` error on `opening_hours` that `hours` fails with.
fn rejection(hours: &OpeningHours) -> String {
    let err = hours.validate().unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(
        err.to_json()["details"],
        serde_json::json!({ "field": FIELD })
    );
    err.message().to_owned()
}

#[test]
fn validate_rejects_malformed_ranges_naming_the_day() {
    let unchecked = |json| rejection(&serde_json::from_str(json).unwrap());
    let empty = unchecked(r#"{"weekly": {"mon": [["09:00", "09:00"]]}}"#);
    assert!(empty.starts_with("weekly.mon[0] 09:00–09:00 is empty"));
    let late_start = unchecked(r#"{"weekly": {"wed": [["24:00", "06:00"]]}}"#);
    assert!(late_start.starts_with("weekly.wed[0] 24:00–06:00 must start before"));
    let special = unchecked(
        r#"{"weekly": {}, "overrides": [{"date": "2026-12-24", "hours": [["12:00", "12:00"]]}]}"#,
    );
    assert!(special.starts_with("override for 2026-12-24: hours[0] 12:00–12:00 is empty"));
    let mut late_end = OpeningHours::always();
    late_end.weekly.sun = vec![range(600, 1_500)];
    assert_eq!(
        rejection(&late_end),
        "weekly.sun[0] 10:00–25:00 must end by 24:00"
    );
}

#[test]
fn validate_rejects_oversized_or_duplicate_entries() {
    let mut h = hours(r#"{"weekly": {}}"#);
    let ranges = |n: u16| (0..n).map(|i| range(i * 60, i * 60 + 30)).collect();
    h.weekly.fri = ranges(8);
    h.validate().unwrap();
    h.weekly.fri = ranges(9);
    assert_eq!(
        rejection(&h),
        "weekly.fri has 9 ranges; at most 8 are allowed"
    );

    let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let dates = |n: u64| (0..n).map(|i| base + chrono::Days::new(i));
    let closed = |date| DateHours {
        date,
        hours: vec![],
    };
    let mut h = hours(r#"{"weekly": {}}"#);
    h.holidays = dates(1_000).collect();
    h.overrides = dates(1_000).map(closed).collect();
    h.validate().unwrap();
    h.holidays.push(base);
    assert_eq!(rejection(&h), "1001 holidays; at most 1000 are allowed");
    h.holidays.pop();
    h.overrides.push(closed(base));
    assert_eq!(rejection(&h), "1001 overrides; at most 1000 are allowed");

    h.overrides.truncate(2);
    h.overrides[1].date = base;
    assert!(rejection(&h).starts_with("two overrides for 2026-01-01"));
}

#[test]
fn json_round_trip_keeps_the_documented_shape() {
    let json = serde_json::json!({
        "weekly": {"mon": [["08:00", "18:00"]], "tue": [["08:00", "12:00"], ["13:00", "18:00"]],
                   "fri": [["22:00", "06:00"]]},
        "overrides": [{"date": "2026-12-24", "hours": [["08:00", "12:00"]]},
                      {"date": "2026-12-31", "hours": []}],
        "holidays": ["2026-12-25", "2026-01-01"]
    });
    let h: OpeningHours = serde_json::from_value(json.clone()).unwrap();
    h.validate().unwrap();
    assert_eq!(h.weekly.fri, [range(22 * 60, 6 * 60)]);
    assert_eq!(
        h.holidays[0],
        NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()
    );
    assert_eq!(serde_json::to_value(&h).unwrap(), json);
    let always = serde_json::to_value(OpeningHours::always()).unwrap();
    assert_eq!(
        always["weekly"]["sun"],
        serde_json::json!([["00:00", "24:00"]])
    );
    let back: OpeningHours = serde_json::from_value(always).unwrap();
    assert_eq!(back, OpeningHours::always());
}

#[test]
fn json_rejects_malformed_times_dates_and_unknown_fields() {
    let bad = [
        r#"{"weekly": {"mon": [["8:00", "18:00"]]}}"#,
        r#"{"weekly": {"mon": [["08:00", "24:30"]]}}"#,
        r#"{"weekly": {"mon": [["08:00", "12:60"]]}}"#,
        r#"{"weekly": {"mon": [["08:00", "18:00", "20:00"]]}}"#,
        r#"{"weekly": {"mon": [["08:00"]]}}"#,
        r#"{"weekly": {"wen": [["08:00", "18:00"]]}}"#,
        r#"{"weekly": {}, "timezone": "Europe/London"}"#,
        r#"{"weekly": {}, "holidays": ["2026-12-32"]}"#,
        r#"{"weekly": {}, "holidays": ["2026-1-01"]}"#,
        r#"{"weekly": {}, "overrides": [{"date": "2026-12-24"}]}"#,
        r#"{"holidays": []}"#,
    ];
    for json in bad {
        let parsed = serde_json::from_str::<OpeningHours>(json);
        assert!(parsed.is_err(), "{json}");
    }
}
