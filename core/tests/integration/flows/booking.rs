//! Booking, modifying, conflicts, versions, idempotency, queries and bad input.

use super::{book, engine_at, fingerprint, with_desks};
use slotwise::{
    Actor, BookingAction, BookingQuery, BookingStatus, Disambiguation, Engine, ErrorCode,
    MemoryStore, ModifyBooking, NewBooking, NewResource, ResourceUpdate,
};

#[test]
fn a_conflicting_booking_is_refused_with_its_collisions_and_writes_nothing() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let first = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let before = fingerprint(&engine);
    let err = book(
        &mut engine,
        "desk-1",
        "bob",
        "2026-03-03T09:30",
        "2026-03-03T11:00",
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(err.conflicts().len(), 1);
    assert_eq!(err.conflicts()[0].id, first.id.as_str());
    assert_eq!(err.conflicts()[0].start, first.start);
    assert_eq!(fingerprint(&engine), before);
}

#[test]
fn capacity_counts_units_at_each_instant() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 3);
    engine
        .book(NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").quantity(2))
        .unwrap();
    engine
        .book(NewBooking::new(
            "desk-1",
            "bob",
            "2026-03-03T09:30",
            "2026-03-03T11:00",
        ))
        .unwrap();
    let err = engine
        .book(NewBooking::new(
            "desk-1",
            "cy",
            "2026-03-03T09:45",
            "2026-03-03T10:00",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(err.conflicts().len(), 2);
    // After 10:00 only bob's unit is taken: two more fit.
    engine
        .book(NewBooking::new("desk-1", "cy", "2026-03-03T10:00", "2026-03-03T10:30").quantity(2))
        .unwrap();
    let too_many = engine
        .book(NewBooking::new("desk-1", "dee", "2026-03-03T09:00", "2026-03-03T10:00").quantity(4))
        .unwrap_err();
    assert_eq!(too_many.code(), ErrorCode::InvalidInput);
}

#[test]
fn a_failed_modify_leaves_the_original_booking_intact() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let ann = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    book(
        &mut engine,
        "desk-2",
        "bob",
        "2026-03-03T09:00",
        "2026-03-03T12:00",
    )
    .unwrap();
    let before = fingerprint(&engine);
    let err = engine
        .modify(ModifyBooking::new(ann.id.as_str()).resource("desk-2"))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(fingerprint(&engine), before);
    // Moving within its own span ignores itself.
    let moved = engine
        .modify(ModifyBooking::new(ann.id.as_str()).times("2026-03-03T09:30", "2026-03-03T10:30"))
        .unwrap();
    assert_eq!(
        (moved.version, moved.start.to_string().as_str()),
        (2, "2026-03-03T14:30:00Z")
    );
    let moved = engine
        .modify(
            ModifyBooking::new(ann.id.as_str())
                .resource("desk-2")
                .times("2026-03-03T12:00", "2026-03-03T13:00"),
        )
        .unwrap();
    assert_eq!(moved.resource.as_str(), "desk-2");
    book(
        &mut engine,
        "desk-1",
        "cy",
        "2026-03-03T09:00",
        "2026-03-03T11:00",
    )
    .unwrap();
}

#[test]
fn a_stale_version_is_a_version_conflict() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let ann = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    engine
        .modify(
            ModifyBooking::new(ann.id.as_str())
                .times("2026-03-03T11:00", "2026-03-03T12:00")
                .expected_version(1),
        )
        .unwrap();
    let err = engine
        .cancel(BookingAction::new(ann.id.as_str()).expected_version(1))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::VersionConflict);
    let update = engine.update_resource(ResourceUpdate {
        id: "desk-1".into(),
        name: Some("x".into()),
        expected_version: Some(7),
        ..Default::default()
    });
    assert_eq!(update.unwrap_err().code(), ErrorCode::VersionConflict);
}

#[test]
fn a_retried_command_returns_the_first_result_and_changes_nothing() {
    let (mut engine, clock) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let cmd = NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
        .idempotency_key("req-1");
    let first = engine.book(cmd.clone()).unwrap();
    let before = fingerprint(&engine);
    clock.advance_secs(60);
    assert_eq!(engine.book(cmd.clone()).unwrap(), first);
    assert_eq!(fingerprint(&engine), before);
    let other = NewBooking::new("desk-2", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
        .idempotency_key("req-1");
    assert_eq!(
        engine.book(other).unwrap_err().code(),
        ErrorCode::IdempotencyKeyReused
    );
    // Past the retention the key is forgotten: the retry is a new request, which conflicts.
    clock.advance_secs(86_400);
    assert_eq!(engine.tick().unwrap().idempotency_purged, 1);
    assert_eq!(engine.book(cmd).unwrap_err().code(), ErrorCode::Conflict);
}

#[test]
fn queries_filter_by_member_resource_status_and_range() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let a = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let b = book(
        &mut engine,
        "desk-2",
        "ann",
        "2026-03-04T09:00",
        "2026-03-04T10:00",
    )
    .unwrap();
    book(
        &mut engine,
        "desk-1",
        "bob",
        "2026-03-04T09:00",
        "2026-03-04T10:00",
    )
    .unwrap();
    engine.cancel(BookingAction::new(b.id.as_str())).unwrap();
    let ids = |q: BookingQuery, engine: &Engine<MemoryStore>| -> Vec<String> {
        engine
            .bookings(&q)
            .unwrap()
            .iter()
            .map(|b| b.id.to_string())
            .collect()
    };
    assert_eq!(
        ids(
            BookingQuery {
                member: Some("ann".into()),
                ..Default::default()
            },
            &engine
        ),
        ["bk_1", "bk_2"]
    );
    assert_eq!(
        ids(
            BookingQuery {
                member: Some("ann".into()),
                statuses: Some(vec![BookingStatus::Confirmed]),
                ..Default::default()
            },
            &engine
        ),
        [a.id.to_string()]
    );
    assert_eq!(
        ids(
            BookingQuery {
                resource: Some("desk-1".into()),
                from: Some("2026-03-04T00:00:00Z".parse().unwrap()),
                ..Default::default()
            },
            &engine
        ),
        ["bk_3"]
    );
    assert_eq!(
        engine
            .bookings(&BookingQuery::default())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn local_times_in_a_dst_gap_are_refused_unless_disambiguated() {
    let (mut engine, _) = engine_at("2026-03-01T12:00:00Z");
    with_desks(&mut engine, 1);
    let err = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-08T02:30",
        "2026-03-08T04:00",
    )
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NonexistentLocalTime);
    let b = engine
        .book(
            NewBooking::new("desk-1", "ann", "2026-03-08T02:30", "2026-03-08T04:00")
                .disambiguation(Disambiguation::Compatible),
        )
        .unwrap();
    // 02:30 does not exist; compatible reads it as 03:30 EDT = 07:30Z; 04:00 EDT = 08:00Z.
    assert_eq!(b.start.to_string(), "2026-03-08T07:30:00Z");
    assert_eq!(b.span().len_millis(), 30 * 60 * 1000);
}

#[test]
fn bad_input_gets_a_typed_error_and_writes_nothing() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 2);
    let before = fingerprint(&engine);
    let cases: Vec<(NewBooking, ErrorCode)> = vec![
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T10:00", "2026-03-03T10:00"),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-9", "ann", "2026-03-03T09:00", "2026-03-03T10:00"),
            ErrorCode::NotFound,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").quantity(3),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").quantity(0),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "tomorrow", "2026-03-03T10:00"),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
                .title("x".repeat(257)),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
                .metadata(serde_json::json!([1])),
            ErrorCode::InvalidInput,
        ),
        (
            // 40 levels: more than a store could read back.
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").metadata(
                (0..39).fold(
                    serde_json::json!({}),
                    |inner, _| serde_json::json!({ "k": inner }),
                ),
            ),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "a n", "2026-03-03T09:00", "2026-03-03T10:00")
                .actor(Actor::admin("ops")),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2027-03-05T10:00"),
            ErrorCode::InvalidInput,
        ),
        (
            NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
                .actor(Actor::member("bob")),
            ErrorCode::Forbidden,
        ),
    ];
    for (cmd, code) in cases {
        let err = engine.book(cmd.clone()).unwrap_err();
        assert_eq!(err.code(), code, "{cmd:?}");
    }
    let tz = engine
        .create_resource(NewResource::new("desk-3").timezone("Europe/Atlantis"))
        .unwrap_err();
    assert_eq!(tz.code(), ErrorCode::UnknownTimezone);
    let dup = engine
        .create_resource(NewResource::new("desk-1"))
        .unwrap_err();
    assert_eq!(dup.code(), ErrorCode::AlreadyExists);
    let cap = engine
        .create_resource(NewResource::new("desk-4").capacity(0))
        .unwrap_err();
    assert_eq!(cap.code(), ErrorCode::InvalidInput);
    assert_eq!(fingerprint(&engine), before);
}

#[test]
fn lowering_capacity_below_booked_units_is_a_conflict() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 3);
    engine
        .book(NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").quantity(2))
        .unwrap();
    let lower = |c| ResourceUpdate {
        id: "desk-1".into(),
        capacity: Some(c),
        ..Default::default()
    };
    assert_eq!(
        engine.update_resource(lower(1)).unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(engine.update_resource(lower(2)).unwrap().capacity, 2);
}

#[test]
fn an_ended_booking_frees_its_units_whether_or_not_tick_ran() {
    // Regression: a confirmed booking past its end used to block its span until a tick.
    let (mut engine, clock) = engine_at("2026-03-02T08:00:00Z");
    engine.create_resource(NewResource::new("desk-1")).unwrap();
    book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
    )
    .unwrap();
    clock.set("2026-03-02T11:00:00Z".parse().unwrap());
    assert_eq!(
        engine.booking(&"bk_1".into()).unwrap().status,
        BookingStatus::Completed
    );
    let late = book(
        &mut engine,
        "desk-1",
        "bob",
        "2026-03-02T09:00:00Z",
        "2026-03-02T10:00:00Z",
    )
    .unwrap();
    // Created in the past, it reads as completed at once: results agree with reads (B12).
    assert_eq!(late.status, BookingStatus::Completed);
}
