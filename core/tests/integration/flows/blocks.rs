//! Maintenance blocks (M1): strategies, tag targets, removal, and their place in I1.

use slotwise::{
    Actor, BlockOutcome, BlockStrategy, BookingStatus, Engine, ErrorCode, MemoryStore, NewBlock,
    NewBooking, NewResource, OccupantKind, RemoveBlock, ResourceUpdate, Snapshot,
};

use super::engine_at;

fn space() -> Engine<MemoryStore> {
    let (mut engine, _) = engine_at("2026-03-02T08:00:00Z");
    for (id, tags) in [
        ("room-a", vec!["screen"]),
        ("room-b", vec!["screen"]),
        ("room-c", vec![]),
    ] {
        engine
            .create_resource(NewResource::new(id).kind("room").capacity(2).tags(tags))
            .unwrap();
    }
    engine
}

fn block(resource: Option<&str>, tag: Option<&str>, strategy: BlockStrategy) -> NewBlock {
    NewBlock {
        resource: resource.map(Into::into),
        tag: tag.map(Into::into),
        start: "2026-03-03T09:00".into(),
        end: "2026-03-03T12:00".into(),
        disambiguation: Default::default(),
        reason: Some("deep clean".into()),
        strategy,
        recurrence: None,
        idempotency_key: None,
        actor: None,
    }
}

fn book_room(engine: &mut Engine<MemoryStore>, room: &str, member: &str) -> slotwise::Booking {
    engine
        .book(NewBooking::new(
            room,
            member,
            "2026-03-03T10:00",
            "2026-03-03T11:00",
        ))
        .unwrap()
}

#[test]
fn a_block_over_bookings_is_refused_by_default_and_writes_nothing() {
    let mut engine = space();
    let b = book_room(&mut engine, "room-a", "ann");
    let err = engine
        .create_block(block(Some("room-a"), None, BlockStrategy::Reject))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(err.conflicts()[0].id, b.id.as_str());
    assert!(engine.integrity_check().unwrap().is_ok());
    assert_eq!(engine.export_snapshot().unwrap().blocks.len(), 0);
}

#[test]
fn a_blocked_span_takes_every_unit() {
    let mut engine = space();
    let outcome: BlockOutcome = engine
        .create_block(block(Some("room-a"), None, BlockStrategy::Reject))
        .unwrap();
    assert_eq!(outcome.blocks[0].id, "blk_1");
    let err = engine
        .book(NewBooking::new(
            "room-a",
            "ann",
            "2026-03-03T11:45",
            "2026-03-03T12:15",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    let c = &err.conflicts()[0];
    assert_eq!(
        (c.kind, c.id.as_str(), c.quantity),
        (OccupantKind::Block, "blk_1", 2)
    );
    // Touching the block's end is fine.
    engine
        .book(NewBooking::new(
            "room-a",
            "ann",
            "2026-03-03T12:00",
            "2026-03-03T12:30",
        ))
        .unwrap();
}

#[test]
fn the_cancel_strategy_ends_bookings_in_the_way_with_the_reason() {
    let mut engine = space();
    let b = book_room(&mut engine, "room-a", "ann");
    let outcome = engine
        .create_block(block(Some("room-a"), None, BlockStrategy::Cancel))
        .unwrap();
    assert_eq!(outcome.cancelled, vec![b.id.clone()]);
    let after = engine.booking(&b.id).unwrap();
    assert_eq!(after.status, BookingStatus::Cancelled);
    assert_eq!(after.cancel_reason.as_deref(), Some("deep clean"));
}

#[test]
fn the_move_strategy_moves_to_an_equivalent_free_resource_or_refuses() {
    let mut engine = space();
    let b = book_room(&mut engine, "room-a", "ann");
    let outcome = engine
        .create_block(block(Some("room-a"), None, BlockStrategy::Move))
        .unwrap();
    assert_eq!(
        outcome.moved[0].to.as_str(),
        "room-b",
        "room-c lacks the screen tag"
    );
    assert_eq!(engine.booking(&b.id).unwrap().resource.as_str(), "room-b");
    // room-b is now full at that time (2 units taken); nowhere equivalent is left.
    engine
        .book(NewBooking::new(
            "room-b",
            "bob",
            "2026-03-03T10:00",
            "2026-03-03T11:00",
        ))
        .unwrap();
    let err = engine
        .create_block(NewBlock {
            resource: Some("room-b".into()),
            ..block(None, None, BlockStrategy::Move)
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(engine.integrity_check().unwrap().is_ok());
}

#[test]
fn a_tag_block_blocks_every_tagged_resource_and_removal_frees_it() {
    let mut engine = space();
    let outcome = engine
        .create_block(block(None, Some("screen"), BlockStrategy::Reject))
        .unwrap();
    let blocked: Vec<&str> = outcome.blocks.iter().map(|b| b.resource.as_str()).collect();
    assert_eq!(blocked, ["room-a", "room-b"]);
    book_room(&mut engine, "room-c", "ann");
    for b in outcome.blocks {
        engine
            .remove_block(RemoveBlock {
                id: b.id,
                series: false,
                idempotency_key: None,
                actor: None,
            })
            .unwrap();
    }
    book_room(&mut engine, "room-a", "bob");
}

#[test]
fn only_admins_place_blocks() {
    let mut engine = space();
    let mut cmd = block(Some("room-a"), None, BlockStrategy::Reject);
    cmd.actor = Some(Actor::member("ann"));
    assert_eq!(
        engine.create_block(cmd).unwrap_err().code(),
        ErrorCode::Forbidden
    );
    let mut neither = block(None, None, BlockStrategy::Reject);
    neither.actor = Some(Actor::admin("ops"));
    assert_eq!(
        engine.create_block(neither).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn overlapping_blocks_capacity_changes_and_snapshots_keep_integrity() {
    let mut engine = space();
    engine
        .create_block(block(Some("room-a"), None, BlockStrategy::Reject))
        .unwrap();
    engine
        .create_block(NewBlock {
            start: "2026-03-03T11:00".into(),
            end: "2026-03-03T13:00".into(),
            ..block(Some("room-a"), None, BlockStrategy::Reject)
        })
        .unwrap();
    assert!(engine.integrity_check().unwrap().is_ok());
    engine
        .update_resource(ResourceUpdate {
            id: "room-a".into(),
            capacity: Some(1),
            ..Default::default()
        })
        .unwrap();
    let json = engine.export_snapshot().unwrap().to_json();
    let (mut copy, _) = engine_at("2026-03-02T08:00:00Z");
    copy.import_snapshot(Snapshot::from_json(&json).unwrap())
        .unwrap();
    assert_eq!(copy.export_snapshot().unwrap().blocks.len(), 2);
    assert_eq!(
        copy.book(NewBooking::new(
            "room-a",
            "ann",
            "2026-03-03T12:00",
            "2026-03-03T12:30"
        ))
        .unwrap_err()
        .code(),
        ErrorCode::Conflict
    );
    assert!(copy.integrity_check().unwrap().is_ok());
}
