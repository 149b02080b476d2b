//! Integration tests of every engine flow through the Rust API. The JSON scenarios in
//! `conformance/` cover the same rules through the request door; these pin down the typed
//! API and the properties a scenario cannot express (rollback of a failed command's
//! side effects, replay identity, snapshot round trips).

mod admin;
mod blocks;
mod booking;
mod lifecycle;
mod policies;
mod records;
mod search;
mod series;
mod waitlist;

use slotwise::{AuditQuery, Engine, ManualClock, MemoryStore, NewBooking, NewResource, StoreRead};

pub fn engine_at(now: &str) -> (Engine<MemoryStore>, ManualClock) {
    let clock = ManualClock::at(now.parse().unwrap());
    (Engine::in_memory().with_clock(clock.clone()), clock)
}

/// Puts the policy given as JSON, as the system.
pub fn put_policy(engine: &mut Engine<MemoryStore>, policy: serde_json::Value) {
    let policy: slotwise::Policy = serde_json::from_value(policy).unwrap();
    engine
        .put_policy(slotwise::PutPolicy {
            policy,
            idempotency_key: None,
            actor: None,
        })
        .unwrap();
}

pub fn with_desks(engine: &mut Engine<MemoryStore>, capacity: u32) {
    for id in ["desk-1", "desk-2"] {
        engine
            .create_resource(
                NewResource::new(id)
                    .capacity(capacity)
                    .timezone("America/New_York"),
            )
            .unwrap();
    }
}

pub fn book(
    engine: &mut Engine<MemoryStore>,
    desk: &str,
    member: &str,
    start: &str,
    end: &str,
) -> slotwise::Result<slotwise::Booking> {
    engine.book(NewBooking::new(desk, member, start, end))
}

/// Everything a failed command must leave untouched.
pub fn fingerprint(engine: &Engine<MemoryStore>) -> (String, usize, u64, u64) {
    let mut snapshot = engine.export_snapshot().unwrap();
    snapshot.exported_at = slotwise::Timestamp::MIN;
    let audit = engine
        .audit(&AuditQuery {
            limit: Some(usize::MAX),
            ..Default::default()
        })
        .unwrap()
        .len();
    (
        snapshot.to_json(),
        audit,
        engine.store().last_event_seq().unwrap(),
        engine.store().sequence().unwrap(),
    )
}
