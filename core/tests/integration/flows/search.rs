//! Finding room: next available (A4), alternatives in a conflict answer (A5) and the
//! reasons of "why not" (A7).

use serde_json::json;
use slotwise::availability::NextAvailableQuery;
use slotwise::{
    Actor, AlternativeKind, BlockStrategy, Engine, ErrorCode, MemoryStore, ModifyBooking, NewBlock,
    NewBooking, NewResource, ReasonCode, ResourceFilter, Role, ViolationCode,
};

use super::{engine_at, put_policy};

/// Three quiet desks and a loud one at one location, London time; opening hours
/// 08:00–18:00 every day.
fn space() -> Engine<MemoryStore> {
    let (mut engine, _) = engine_at("2026-03-02T07:00:00Z");
    for (id, tags) in [
        ("desk-1", vec!["quiet"]),
        ("desk-2", vec!["quiet"]),
        ("desk-3", vec!["quiet", "window"]),
        ("desk-4", vec![]),
    ] {
        engine
            .create_resource(
                NewResource::new(id)
                    .kind("desk")
                    .timezone("Europe/London")
                    .tags(tags)
                    .location("hq"),
            )
            .unwrap();
    }
    let day = json!([["08:00", "18:00"]]);
    put_policy(
        &mut engine,
        json!({
            "id": "hours",
            "scope": "global",
            "rules": {"opening_hours": {"weekly": {
                "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day
            }}}
        }),
    );
    engine
}

fn book(engine: &mut Engine<MemoryStore>, desk: &str, start: &str, end: &str) {
    engine
        .book(NewBooking::new(desk, "someone", start, end))
        .unwrap();
}

fn next(engine: &Engine<MemoryStore>, query: NextAvailableQuery) -> Option<(String, String)> {
    engine
        .next_available(&query)
        .unwrap()
        .map(|n| (n.resource.to_string(), n.start.to_string()))
}

fn query(from: &str, mins: u32, resources: &[&str]) -> NextAvailableQuery {
    NextAvailableQuery {
        from: from.parse().unwrap(),
        duration_mins: mins,
        resources: resources.iter().map(|r| (*r).into()).collect(),
        filter: ResourceFilter::default(),
        quantity: 1,
        within_days: None,
        role: Role::Member,
    }
}

#[test]
fn next_available_skips_bookings_closed_hours_and_blocks() {
    let mut engine = space();
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T08:00",
        "2026-03-02T12:00",
    );
    // Free from 12:00, but only 1 h is asked for; the earliest is 12:00 (UTC = London
    // in March).
    assert_eq!(
        next(&engine, query("2026-03-02T08:00:00Z", 60, &["desk-1"])),
        Some(("desk-1".into(), "2026-03-02T12:00:00Z".into()))
    );
    // Asking after closing rolls over to the next opening.
    assert_eq!(
        next(&engine, query("2026-03-02T17:30:00Z", 60, &["desk-1"])),
        Some(("desk-1".into(), "2026-03-03T08:00:00Z".into()))
    );
    // A block over all of the 3rd pushes it to the 4th.
    engine
        .create_block(NewBlock {
            resource: Some("desk-1".into()),
            tag: None,
            start: "2026-03-03T00:00".into(),
            end: "2026-03-04T00:00".into(),
            disambiguation: Default::default(),
            reason: None,
            strategy: BlockStrategy::Reject,
            recurrence: None,
            idempotency_key: None,
            actor: None,
        })
        .unwrap();
    assert_eq!(
        next(&engine, query("2026-03-02T17:30:00Z", 60, &["desk-1"])),
        Some(("desk-1".into(), "2026-03-04T08:00:00Z".into()))
    );
    // An off-grid "from" starts on the grid.
    assert_eq!(
        next(&engine, query("2026-03-02T12:05:00Z", 60, &["desk-1"])),
        Some(("desk-1".into(), "2026-03-02T12:15:00Z".into()))
    );
}

#[test]
fn next_available_takes_the_earliest_matching_resource_and_honours_the_lookahead() {
    let mut engine = space();
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T08:00",
        "2026-03-02T12:00",
    );
    book(
        &mut engine,
        "desk-2",
        "2026-03-02T08:00",
        "2026-03-02T10:00",
    );
    book(
        &mut engine,
        "desk-3",
        "2026-03-02T08:00",
        "2026-03-02T11:00",
    );
    let mut q = query("2026-03-02T08:00:00Z", 60, &[]);
    q.filter.tags = vec!["quiet".into()];
    assert_eq!(
        next(&engine, q.clone()),
        Some(("desk-2".into(), "2026-03-02T10:00:00Z".into()))
    );
    // A duration the rules can never allow finds nothing (the default maximum is 8 h).
    q.duration_mins = 9 * 60;
    assert_eq!(next(&engine, q.clone()), None);
    // Zero days, or more than 366, is bad input.
    q.duration_mins = 60;
    q.within_days = Some(400);
    assert_eq!(
        engine.next_available(&q).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn next_available_searches_far_ahead_when_the_near_future_is_full() {
    let mut engine = space();
    // desk-4 is booked solid, opening hours only, for 20 days.
    for day in 2..22 {
        let date = format!("2026-03-{day:02}");
        book(
            &mut engine,
            "desk-4",
            &format!("{date}T08:00"),
            &format!("{date}T16:00"),
        );
        book(
            &mut engine,
            "desk-4",
            &format!("{date}T16:00"),
            &format!("{date}T18:00"),
        );
    }
    assert_eq!(
        next(&engine, query("2026-03-02T07:00:00Z", 120, &["desk-4"])),
        Some(("desk-4".into(), "2026-03-22T08:00:00Z".into()))
    );
    let mut short = query("2026-03-02T07:00:00Z", 120, &["desk-4"]);
    short.within_days = Some(10);
    assert_eq!(next(&engine, short), None);
}

#[test]
fn a_conflict_offers_nearby_times_and_similar_desks() {
    let mut engine = space();
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T10:00",
        "2026-03-02T11:00",
    );
    let err = engine
        .book(
            NewBooking::new("desk-1", "bob", "2026-03-02T10:00", "2026-03-02T11:00")
                .alternatives(4),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let got: Vec<(AlternativeKind, String, String)> = err
        .alternatives()
        .iter()
        .map(|a| (a.kind, a.resource.to_string(), a.start.to_string()))
        .collect();
    // Alternating: the nearest free times on desk-1 (09:00 and 11:00 are equally near;
    // the earlier first) and quiet desks at the same time (desk-4 has no "quiet" tag).
    assert_eq!(
        got,
        [
            (
                AlternativeKind::SameResource,
                "desk-1".into(),
                "2026-03-02T09:00:00Z".into()
            ),
            (
                AlternativeKind::SimilarResource,
                "desk-2".into(),
                "2026-03-02T10:00:00Z".into()
            ),
            (
                AlternativeKind::SameResource,
                "desk-1".into(),
                "2026-03-02T11:00:00Z".into()
            ),
            (
                AlternativeKind::SimilarResource,
                "desk-3".into(),
                "2026-03-02T10:00:00Z".into()
            ),
        ]
    );
    // Every alternative really is bookable.
    for a in err.alternatives() {
        let why = engine
            .explain(&NewBooking::new(
                a.resource.clone(),
                "bob",
                a.start.to_string(),
                a.end.to_string(),
            ))
            .unwrap();
        assert!(why.bookable, "{a:?}: {why:?}");
    }
    // The JSON answer carries them too.
    let json = err.to_json();
    assert_eq!(
        json["details"]["alternatives"][1]["kind"],
        "similar_resource"
    );
}

#[test]
fn alternatives_respect_hours_and_can_be_turned_off() {
    let mut engine = space();
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T08:00",
        "2026-03-02T09:00",
    );
    for desk in ["desk-2", "desk-3"] {
        book(&mut engine, desk, "2026-03-02T08:00", "2026-03-02T09:00");
    }
    let err = engine
        .book(NewBooking::new(
            "desk-1",
            "bob",
            "2026-03-02T08:00",
            "2026-03-02T09:00",
        ))
        .unwrap_err();
    // The default is three; nothing before 08:00 (closed), no similar desk free.
    let starts: Vec<String> = err
        .alternatives()
        .iter()
        .map(|a| format!("{} {}", a.resource, a.start))
        .collect();
    assert_eq!(
        starts,
        [
            "desk-1 2026-03-02T09:00:00Z",
            "desk-1 2026-03-02T09:15:00Z",
            "desk-1 2026-03-02T09:30:00Z"
        ]
    );
    let none = engine
        .book(
            NewBooking::new("desk-1", "bob", "2026-03-02T08:00", "2026-03-02T09:00")
                .alternatives(0),
        )
        .unwrap_err();
    assert!(none.alternatives().is_empty());
    let too_many = engine
        .book(
            NewBooking::new("desk-1", "bob", "2026-03-02T08:00", "2026-03-02T09:00")
                .alternatives(21),
        )
        .unwrap_err();
    assert_eq!(too_many.code(), ErrorCode::InvalidInput);
}

#[test]
fn a_conflicting_modify_counts_its_own_span_as_free_but_never_offers_it() {
    let mut engine = space();
    let mine = engine
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T09:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T10:00",
        "2026-03-02T11:00",
    );
    let err = engine
        .modify(
            ModifyBooking::new(mine.id.clone())
                .times("2026-03-02T09:30", "2026-03-02T10:30")
                .actor(Actor::member("ann")),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    // 09:15–10:15 and 09:45–10:45 collide with the other booking; 09:00–10:00 is where it
    // already is, so no alternative; 08:45 is free because its own span counts as free.
    let first = &err.alternatives()[0];
    assert_eq!(first.start.to_string(), "2026-03-02T08:45:00Z");
    assert!(err
        .alternatives()
        .iter()
        .all(|a| !(a.resource == mine.resource && a.start == mine.start)));
}

#[test]
fn why_not_names_each_obstacle() {
    let mut engine = space();
    put_policy(
        &mut engine,
        json!({
            "id": "buffers",
            "scope": {"resource": "desk-2"},
            "rules": {"buffer_after_mins": 30}
        }),
    );
    book(
        &mut engine,
        "desk-1",
        "2026-03-02T10:00",
        "2026-03-02T11:00",
    );
    book(
        &mut engine,
        "desk-2",
        "2026-03-02T10:00",
        "2026-03-02T11:00",
    );
    engine
        .create_block(NewBlock {
            resource: Some("desk-3".into()),
            tag: None,
            start: "2026-03-02T10:00".into(),
            end: "2026-03-02T12:00".into(),
            disambiguation: Default::default(),
            reason: None,
            strategy: BlockStrategy::Reject,
            recurrence: None,
            idempotency_key: None,
            actor: None,
        })
        .unwrap();
    let reasons = |desk: &str, start: &str, end: &str| {
        engine
            .explain(&NewBooking::new(desk, "bob", start, end))
            .unwrap()
            .reasons
            .iter()
            .map(|r| (r.code, r.violation))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reasons("desk-1", "2026-03-02T10:30", "2026-03-02T11:30"),
        [(ReasonCode::Booked, None)]
    );
    // desk-2's booking ends at 11:00 but its buffer runs to 11:30.
    assert_eq!(
        reasons("desk-2", "2026-03-02T11:00", "2026-03-02T12:00"),
        [(ReasonCode::Buffer, None)]
    );
    assert_eq!(
        reasons("desk-3", "2026-03-02T11:00", "2026-03-02T12:00"),
        [(ReasonCode::Blocked, None)]
    );
    assert_eq!(
        reasons("desk-4", "2026-03-02T17:00", "2026-03-02T19:10"),
        [
            (ReasonCode::Closed, Some(ViolationCode::Closed)),
            (ReasonCode::Policy, Some(ViolationCode::Granularity)),
        ]
    );
    assert_eq!(
        reasons("desk-4", "2026-03-02T09:00", "2026-03-02T10:00"),
        []
    );
}
