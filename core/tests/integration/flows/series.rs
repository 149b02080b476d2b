//! Recurring series through the Rust API (C1–C5): expansion across DST, all-or-nothing
//! and best-effort, edits of one / following / all, and consistency after each.

use slotwise::recurrence::{
    CancelSeries, EditScope, ModifySeries, NewSeries, OccurrenceOutcome, SeriesMode, SeriesStatus,
    WeeklyPattern,
};
use slotwise::{ErrorCode, NewResource};

use super::{book, engine_at, fingerprint};

fn room(engine: &mut slotwise::Engine<slotwise::MemoryStore>, tz: &str) {
    engine
        .create_resource(NewResource::new("room-a").timezone(tz))
        .unwrap();
}

fn starts(out: &slotwise::recurrence::SeriesOutcome) -> Vec<String> {
    out.occurrences
        .iter()
        .map(|o| o.start.unwrap().to_string())
        .collect()
}

#[test]
fn weekly_series_keeps_its_wall_time_across_both_dst_changes() {
    let (mut engine, _) = engine_at("2026-03-01T08:00:00Z");
    room(&mut engine, "Europe/London");
    let out = engine
        .book_series(NewSeries::rrule(
            "room-a",
            "ann",
            "2026-03-24T19:00",
            "2026-03-24T21:00",
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T235959Z",
        ))
        .unwrap();
    let s = starts(&out);
    assert_eq!(s.first().unwrap(), "2026-03-24T19:00:00Z"); // GMT
    assert_eq!(s[1], "2026-03-31T18:00:00Z"); // BST
    assert_eq!(s.last().unwrap(), "2026-11-03T19:00:00Z"); // GMT again
    assert_eq!(
        out.series.rule.rrule,
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261103T235959"
    );
    assert!(engine.integrity_check().unwrap().violations.is_empty());
}

#[test]
fn all_or_nothing_writes_nothing_and_lists_every_failure() {
    let (mut engine, _) = engine_at("2026-03-01T08:00:00Z");
    room(&mut engine, "UTC");
    book(
        &mut engine,
        "room-a",
        "bob",
        "2026-03-10T19:30:00Z",
        "2026-03-10T20:00:00Z",
    )
    .unwrap();
    book(
        &mut engine,
        "room-a",
        "bob",
        "2026-03-17T18:00:00Z",
        "2026-03-17T19:30:00Z",
    )
    .unwrap();
    let before = fingerprint(&engine);
    let cmd = NewSeries::rrule(
        "room-a",
        "ann",
        "2026-03-03T19:00",
        "2026-03-03T21:00",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=5",
    );
    let err = engine.book_series(cmd.clone()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SeriesRejected);
    let details = serde_json::to_value(err.details()).unwrap();
    let failed = details["occurrences"].as_array().unwrap();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["occurrence"], "2026-03-10T19:00:00");
    assert_eq!(failed[0]["reason"], "conflict");
    assert_eq!(failed[0]["conflicts"][0]["id"], "bk_1");
    assert_eq!(fingerprint(&engine), before);

    let out = engine
        .book_series(cmd.mode(SeriesMode::BestEffort))
        .unwrap();
    let outcomes: Vec<_> = out.occurrences.iter().map(|o| o.outcome).collect();
    use OccurrenceOutcome::*;
    assert_eq!(outcomes, [Booked, Skipped, Skipped, Booked, Booked]);
    assert_eq!(out.series.rule.exdates.len(), 2);
    assert!(engine.integrity_check().unwrap().violations.is_empty());
}

#[test]
fn edits_one_following_and_all_keep_rule_and_bookings_consistent() {
    let (mut engine, clock) = engine_at("2026-03-01T08:00:00Z");
    room(&mut engine, "America/New_York");
    engine
        .create_resource(NewResource::new("room-b").timezone("America/New_York"))
        .unwrap();
    let out = engine
        .book_series(NewSeries::weekly(
            "room-a",
            "ann",
            serde_json::from_value::<WeeklyPattern>(serde_json::json!({
                "days": ["tue", "thu"], "times": ["19:00", "21:00"],
                "from": "2026-03-02", "until": "2026-03-26"
            }))
            .unwrap(),
        ))
        .unwrap();
    assert_eq!(out.occurrences.len(), 8);
    let id = out.series.id.clone();
    let ok = |e: &slotwise::Engine<slotwise::MemoryStore>| {
        let report = e.integrity_check().unwrap();
        assert!(report.violations.is_empty(), "{:?}", report.violations);
    };

    // One occurrence moves to room-b: it stays in the series.
    let one = engine
        .modify_series(ModifySeries {
            series: id.clone(),
            scope: EditScope::One,
            occurrence: Some("2026-03-05T19:00".parse().unwrap()),
            resource: Some("room-b".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(one.occurrences.len(), 1);
    ok(&engine);

    // Cancel one: it becomes an exdate.
    let c = engine
        .cancel_series(CancelSeries {
            series: id.clone(),
            scope: EditScope::One,
            occurrence: Some("2026-03-10T19:00".parse().unwrap()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(c.series.rule.exdates, ["2026-03-10T19:00".parse().unwrap()]);
    ok(&engine);

    // From the 17th on, 18:00–20:00: the series splits.
    let split = engine
        .modify_series(ModifySeries {
            series: id.clone(),
            scope: EditScope::Following,
            occurrence: Some("2026-03-17T19:00".parse().unwrap()),
            times: Some(serde_json::from_value(serde_json::json!(["18:00", "20:00"])).unwrap()),
            ..Default::default()
        })
        .unwrap();
    let head = split.split_from.clone().unwrap();
    assert_eq!(
        head.rule.rrule,
        "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260312T190000"
    );
    assert_eq!(
        split.series.rule.first_start.to_string(),
        "2026-03-17T18:00:00"
    );
    assert_eq!(split.occurrences.len(), 4);
    assert_eq!(
        split.occurrences[0].start.unwrap().to_string(),
        "2026-03-17T22:00:00Z"
    );
    ok(&engine);

    // Time passes past the 19th; "all" changes only what is still to come.
    clock.set("2026-03-20T12:00:00Z".parse().unwrap());
    let all = engine
        .modify_series(ModifySeries {
            series: split.series.id.clone(),
            scope: EditScope::All,
            resource: Some("room-b".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.occurrences.len(), 2);
    assert!(all.split_from.is_some());
    ok(&engine);

    // Cancel all that is left.
    let gone = engine
        .cancel_series(CancelSeries {
            series: all.series.id.clone(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(gone.series.status, SeriesStatus::Cancelled);
    ok(&engine);
}

#[test]
fn an_endless_rule_is_capped_and_an_absurd_one_refused_fast() {
    let (mut engine, _) = engine_at("2026-03-01T08:00:00Z");
    room(&mut engine, "UTC");
    let out = engine
        .book_series(NewSeries::rrule(
            "room-a",
            "ann",
            "2026-03-02T09:00",
            "2026-03-02T10:00",
            "FREQ=WEEKLY",
        ))
        .unwrap();
    assert!(out.capped);
    assert_eq!(out.occurrences.len(), 53);
    assert!(out.series.rule.rrule.contains("UNTIL="));

    let started = std::time::Instant::now();
    let err = engine
        .book_series(NewSeries::rrule(
            "room-a",
            "ann",
            "2026-03-02T09:00:00",
            "2026-03-02T09:00:01",
            "FREQ=SECONDLY;UNTIL=20360101T000000Z",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
