//! Holds, cancellation, check-in and check-out, archiving.

use super::{book, engine_at, with_desks};
use slotwise::{
    Action, Actor, ArchiveResource, AuditQuery, BookingAction, BookingStatus, CheckInConfig,
    Engine, EngineConfig, ErrorCode, EventQuery, ManualClock, NewBooking,
};

#[test]
fn a_hold_confirmed_within_its_ttl_becomes_confirmed_and_after_it_is_hold_expired() {
    let (mut engine, clock) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    let hold = engine
        .hold(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-03T09:00",
            "2026-03-03T10:00",
        ))
        .unwrap();
    assert_eq!(hold.status, BookingStatus::Held);
    assert_eq!(
        hold.hold_expires_at,
        Some("2026-03-02T12:02:00Z".parse().unwrap())
    );
    clock.advance_secs(119);
    let confirmed = engine
        .confirm(BookingAction::new(hold.id.as_str()))
        .unwrap();
    assert_eq!(
        (confirmed.status, confirmed.version),
        (BookingStatus::Confirmed, 2)
    );

    let late = engine
        .hold(NewBooking::new("desk-2", "ann", "2026-03-03T09:00", "2026-03-03T10:00").ttl_secs(30))
        .unwrap();
    clock.advance_secs(30);
    let err = engine
        .confirm(BookingAction::new(late.id.as_str()))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::HoldExpired);
    // The expired hold no longer holds its unit, though tick never ran.
    assert_eq!(
        engine.booking(&late.id).unwrap().status,
        BookingStatus::Expired
    );
    book(
        &mut engine,
        "desk-2",
        "bob",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
}

#[test]
fn hold_ttl_must_be_positive_and_bounded() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    for ttl in [0, -5, 86_401] {
        let err = engine
            .hold(
                NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00")
                    .ttl_secs(ttl),
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "ttl {ttl}");
    }
    let err = engine
        .book(NewBooking::new("desk-1", "ann", "2026-03-03T09:00", "2026-03-03T10:00").ttl_secs(60))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[test]
fn cancel_frees_capacity_and_only_the_member_or_an_admin_may_cancel() {
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
    let err = engine
        .cancel(BookingAction::new(ann.id.as_str()).actor(Actor::member("bob")))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    let cancelled = engine
        .cancel(
            BookingAction::new(ann.id.as_str())
                .actor(Actor::admin("ops"))
                .reason("flood"),
        )
        .unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("flood"));
    book(
        &mut engine,
        "desk-1",
        "bob",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let again = engine
        .cancel(BookingAction::new(ann.id.as_str()))
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::InvalidTransition);
    assert!(again.message().contains("cancelled"));
    let audit = engine
        .audit(&AuditQuery {
            booking: Some(ann.id.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(audit.last().unwrap().actor, Actor::admin("ops"));
    assert_eq!(audit.last().unwrap().reason.as_deref(), Some("flood"));
}

#[test]
fn required_check_in_turns_a_missed_booking_into_a_no_show_that_frees_its_units() {
    let clock = ManualClock::at("2026-03-03T13:00:00Z".parse().unwrap());
    let config = EngineConfig {
        check_in: CheckInConfig {
            required: true,
            opens_before_secs: 600,
            grace_secs: 300,
        },
        ..Default::default()
    };
    let mut engine = Engine::in_memory()
        .with_clock(clock.clone())
        .with_config(config);
    with_desks(&mut engine, 1);
    let ann = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let bob = book(
        &mut engine,
        "desk-2",
        "bob",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    assert_eq!(
        engine
            .check_in(BookingAction::new(bob.id.as_str()))
            .unwrap_err()
            .code(),
        ErrorCode::CheckInNotOpen
    );
    clock.set("2026-03-03T13:55:00Z".parse().unwrap());
    assert_eq!(
        engine
            .check_in(BookingAction::new(bob.id.as_str()))
            .unwrap()
            .status,
        BookingStatus::CheckedIn
    );
    clock.set("2026-03-03T14:05:00Z".parse().unwrap());
    assert_eq!(
        engine.booking(&ann.id).unwrap().status,
        BookingStatus::NoShow
    );
    book(
        &mut engine,
        "desk-1",
        "cy",
        "2026-03-03T09:15",
        "2026-03-03T10:00",
    )
    .unwrap();
    // Early check-out completes bob's booking and frees the rest of it.
    clock.set("2026-03-03T14:30:00Z".parse().unwrap());
    let out = engine
        .check_out(BookingAction::new(bob.id.as_str()))
        .unwrap();
    assert_eq!(
        (out.status, out.ended_at),
        (
            BookingStatus::Completed,
            Some("2026-03-03T14:30:00Z".parse().unwrap())
        )
    );
    book(
        &mut engine,
        "desk-2",
        "dee",
        "2026-03-03T09:30",
        "2026-03-03T10:00",
    )
    .unwrap();
    // ann missed her deadline, and so did cy (09:15 + 5 min grace passed at 14:30Z).
    let report = engine.tick().unwrap();
    assert_eq!(
        (report.no_shows, report.completed),
        (2, 0),
        "bob already checked out"
    );
}

#[test]
fn archiving_is_refused_with_future_bookings_unless_forced() {
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
    let err = engine
        .archive_resource(ArchiveResource {
            id: "desk-1".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::HasFutureBookings);
    let outcome = engine
        .archive_resource(ArchiveResource {
            id: "desk-1".into(),
            force: true,
            reason: Some("renovation".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(outcome.ended_bookings, vec![ann.id.clone()]);
    assert_eq!(
        engine.booking(&ann.id).unwrap().status,
        BookingStatus::Cancelled
    );
    assert_eq!(
        book(
            &mut engine,
            "desk-1",
            "bob",
            "2026-03-05T09:00",
            "2026-03-05T10:00"
        )
        .unwrap_err()
        .code(),
        ErrorCode::ResourceArchived
    );
    let kinds: Vec<Action> = engine
        .events(&EventQuery::default())
        .unwrap()
        .iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.last(), Some(&Action::ResourceArchived));
    assert!(kinds.contains(&Action::BookingCancelled));
}

#[test]
fn check_out_needs_a_check_in_first() {
    let (mut engine, clock) = engine_at("2026-03-03T13:00:00Z");
    with_desks(&mut engine, 1);
    let ann = book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    clock.set("2026-03-03T14:10:00Z".parse().unwrap());
    let err = engine
        .check_out(BookingAction::new(ann.id.as_str()))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidTransition);
    engine
        .check_in(BookingAction::new(ann.id.as_str()))
        .unwrap();
    assert_eq!(
        engine
            .check_out(BookingAction::new(ann.id.as_str()))
            .unwrap()
            .status,
        BookingStatus::Completed
    );
}
