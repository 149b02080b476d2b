//! Audit log, event outbox and snapshots.

use super::{book, engine_at, with_desks};
use slotwise::{
    Action, Actor, AuditQuery, ErrorCode, EventQuery, ModifyBooking, NewBooking, Snapshot,
    StoreRead,
};

#[test]
fn events_are_read_from_a_consumer_cursor_and_acknowledged() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let q = EventQuery {
        consumer: Some("mailer".into()),
        ..Default::default()
    };
    let first = engine.events(&q).unwrap();
    assert_eq!(first.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    engine
        .ack_events(slotwise::AckEvents {
            consumer: "mailer".into(),
            seq: 2,
        })
        .unwrap();
    assert_eq!(
        engine.events(&q).unwrap().len(),
        1,
        "at-least-once: unacknowledged events come again"
    );
    assert_eq!(
        engine
            .ack_events(slotwise::AckEvents {
                consumer: "mailer".into(),
                seq: 1
            })
            .unwrap(),
        2,
        "cursors never move back"
    );
    assert_eq!(
        engine
            .ack_events(slotwise::AckEvents {
                consumer: "mailer".into(),
                seq: 9
            })
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn a_snapshot_round_trips_into_a_fresh_engine() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut engine, 1);
    book(
        &mut engine,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    engine
        .hold(NewBooking::new(
            "desk-2",
            "bob",
            "2026-03-03T09:00",
            "2026-03-03T10:00",
        ))
        .unwrap();
    let json = engine.export_snapshot().unwrap().to_json();
    let (mut copy, _) = engine_at("2026-03-02T12:00:00Z");
    let report = copy
        .import_snapshot(Snapshot::from_json(&json).unwrap())
        .unwrap();
    assert_eq!((report.resources, report.bookings), (2, 2));
    let mut again = copy.export_snapshot().unwrap();
    again.exported_at = engine.export_snapshot().unwrap().exported_at;
    assert_eq!(again.to_json(), json);
    // New ids continue after the imported sequence.
    assert_eq!(
        book(
            &mut copy,
            "desk-1",
            "cy",
            "2026-03-04T09:00",
            "2026-03-04T10:00"
        )
        .unwrap()
        .id
        .as_str(),
        "bk_3"
    );
    assert!(copy.integrity_check().unwrap().is_ok());
    // A second import into a non-empty store is refused.
    assert_eq!(
        copy.import_snapshot(Snapshot::from_json(&json).unwrap())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn malformed_or_overbooked_snapshots_are_refused_and_write_nothing() {
    let (mut engine, _) = engine_at("2026-03-02T12:00:00Z");
    for text in ["", "{", "[]", r#"{"format":"other","version":1}"#] {
        assert_eq!(
            Snapshot::from_json(text).unwrap_err().code(),
            ErrorCode::InvalidInput,
            "{text:?}"
        );
    }
    let (mut source, _) = engine_at("2026-03-02T12:00:00Z");
    with_desks(&mut source, 1);
    book(
        &mut source,
        "desk-1",
        "ann",
        "2026-03-03T09:00",
        "2026-03-03T10:00",
    )
    .unwrap();
    let mut snapshot = source.export_snapshot().unwrap();
    let mut twin = snapshot.bookings[0].clone();
    twin.id = "bk_99".into();
    snapshot.bookings.push(twin);
    assert_eq!(
        engine.import_snapshot(snapshot).unwrap_err().code(),
        ErrorCode::Conflict
    );
    assert_eq!(engine.store().booking_count().unwrap(), 0);
    assert!(engine.audit(&AuditQuery::default()).unwrap().is_empty());
}

#[test]
fn every_change_is_audited_with_actor_and_before_after() {
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
        .modify(ModifyBooking::new(ann.id.as_str()).times("2026-03-03T11:00", "2026-03-03T12:00"))
        .unwrap();
    let records = engine
        .audit(&AuditQuery {
            member: Some("ann".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        records.iter().map(|r| r.action).collect::<Vec<_>>(),
        [Action::BookingCreated, Action::BookingModified]
    );
    assert!(records[0].before.is_none() && records[0].after.is_some());
    assert!(records[1].before.is_some());
    assert_eq!(records[1].actor, Actor::member("ann"));
    let by_resource = engine
        .audit(&AuditQuery {
            resource: Some("desk-2".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_resource.len(), 1, "only desk-2's creation");
}
