//! The store conformance suite: what every [`Store`] must do, checked through the trait
//! alone. Run it with a factory that makes a fresh, empty store each time.

use crate::audit::{Action, Actor, AuditQuery, AuditRecord};
use crate::booking::{Booking, BookingStatus};
use crate::events::Event;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::index::OccupantRef;
use crate::resource::{empty_object, Resource};
use crate::store::{IdempotencyRecord, Store, StoreRead};
use crate::time::{Span, Timestamp};

/// One named check of the suite.
type Check = (&'static str, fn(&mut dyn Store));

/// Runs every check on stores made by `factory`; panics with the failing check's name.
pub fn store_conformance_suite<S: Store>(mut factory: impl FnMut() -> S) {
    let checks: &[Check] = &[
        ("resources_round_trip", resources_round_trip),
        ("bookings_feed_every_index", bookings_feed_every_index),
        (
            "replacing_a_booking_moves_its_index_entries",
            replacing_moves_index_entries,
        ),
        (
            "terminal_bookings_leave_the_interval_index",
            terminal_bookings_leave_the_index,
        ),
        (
            "rollback_discards_every_write",
            rollback_discards_every_write,
        ),
        ("commit_keeps_every_write", commit_keeps_every_write),
        ("sequences_are_gapless", sequences_are_gapless),
        (
            "idempotency_records_purge_by_age",
            idempotency_purges_by_age,
        ),
        (
            "reads_inside_a_transaction_see_its_writes",
            reads_see_own_writes,
        ),
        (
            "policies_round_trip_and_roll_back",
            policies_round_trip_and_roll_back,
        ),
        (
            "blocks_sit_in_the_index_and_roll_back",
            blocks_sit_in_the_index_and_roll_back,
        ),
        (
            "site_entries_match_every_resource_index",
            site_entries_match_every_resource_index,
        ),
        (
            "series_and_their_bookings_round_trip_and_roll_back",
            series_round_trip_and_roll_back,
        ),
        (
            "waitlist_entries_keep_order_and_open_set",
            waitlist_keeps_order_and_open_set,
        ),
    ];
    for (name, check) in checks {
        let mut store = factory();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&mut store)));
        if let Err(panic) = result {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("store conformance check `{name}` failed: {why}");
        }
    }
}

fn t(minutes: i64) -> Timestamp {
    // 2026-01-01T00:00:00Z plus `minutes`.
    Timestamp::from_millis(1_767_225_600_000 + minutes * 60_000)
}

fn resource(id: &str, capacity: u32) -> Resource {
    Resource {
        id: id.into(),
        name: id.into(),
        kind: "desk".into(),
        tags: vec![],
        capacity,
        timezone: "UTC".into(),
        location: None,
        attributes: empty_object(),
        archived_at: None,
        version: 1,
        created_at: t(0),
        updated_at: t(0),
    }
}

fn booking(id: &str, resource: &str, member: &str, start: i64, end: i64) -> Booking {
    Booking {
        id: id.into(),
        resource: resource.into(),
        member: member.into(),
        start: t(start),
        end: t(end),
        quantity: 1,
        status: BookingStatus::Confirmed,
        version: 1,
        title: None,
        description: None,
        attendees: None,
        metadata: None,
        hold_expires_at: None,
        check_in: None,
        checked_in_at: None,
        ended_at: None,
        cancel_reason: None,
        buffer_before_ms: 0,
        buffer_after_ms: 0,
        series: None,
        waitlist_entry: None,
        created_at: t(0),
        updated_at: t(0),
    }
}

fn audit(booking: &str) -> AuditRecord {
    AuditRecord {
        seq: 0,
        at: t(0),
        actor: Actor::system(),
        action: Action::BookingCreated,
        resource: Some("r1".into()),
        booking: Some(booking.into()),
        member: Some("ann".into()),
        reason: None,
        before: None,
        after: None,
        overridden: Vec::new(),
    }
}

fn event(booking: &str) -> Event {
    Event {
        seq: 0,
        at: t(0),
        kind: Action::BookingCreated,
        resource: Some("r1".into()),
        booking: Some(booking.into()),
        member: Some("ann".into()),
        data: None,
    }
}

fn index_ids(store: &dyn StoreRead, resource: &str, window: Span) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .with_index(&ResourceId::from(resource), &mut |idx| {
            ids = idx
                .overlapping(window)
                .map(|e| e.occupant.id.to_string())
                .collect();
        })
        .unwrap();
    ids
}

fn member_ids(store: &dyn StoreRead, member: &str, window: Span) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .member_bookings(&MemberId::from(member), window, &mut |b| {
            ids.push(b.id.to_string())
        })
        .unwrap();
    ids
}

fn resource_ids(store: &dyn StoreRead, resource: &str, window: Span) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .resource_bookings(&ResourceId::from(resource), window, &mut |b| {
            ids.push(b.id.to_string())
        })
        .unwrap();
    ids
}

fn span(a: i64, b: i64) -> Span {
    Span::new(t(a), t(b)).unwrap()
}

fn seed(store: &mut dyn Store, bookings: &[Booking]) {
    let mut tx = store.begin().unwrap();
    tx.put_resource(resource("r1", 1)).unwrap();
    tx.put_resource(resource("r2", 3)).unwrap();
    for b in bookings {
        tx.put_booking(b.clone()).unwrap();
    }
    tx.commit().unwrap();
}

fn resources_round_trip(store: &mut dyn Store) {
    seed(store, &[]);
    let r = store.resource(&"r2".into()).unwrap().expect("r2 stored");
    assert_eq!(*r, resource("r2", 3));
    assert!(store.resource(&"nope".into()).unwrap().is_none());
    let mut ids = Vec::new();
    store
        .resources(&mut |r| ids.push(r.id.to_string()))
        .unwrap();
    assert_eq!(ids, ["r1", "r2"], "resources come in id order");
}

fn bookings_feed_every_index(store: &mut dyn Store) {
    let long = booking("b-long", "r1", "bob", 0, 600);
    seed(
        store,
        &[
            booking("b2", "r1", "ann", 660, 720),
            booking("b1", "r1", "ann", 600, 660),
            long,
            booking("b3", "r2", "ann", 600, 700),
        ],
    );
    assert_eq!(store.booking_count().unwrap(), 4);
    assert_eq!(store.booking(&"b1".into()).unwrap().unwrap().start, t(600));
    // Half-open: b-long ends where b1 starts.
    assert_eq!(
        index_ids(store, "r1", span(599, 661)),
        ["b-long", "b1", "b2"]
    );
    assert_eq!(index_ids(store, "r1", span(600, 660)), ["b1"]);
    assert_eq!(
        index_ids(store, "r1", span(300, 301)),
        ["b-long"],
        "long spans are found from inside"
    );
    let ann = member_ids(store, "ann", span(0, 10_000));
    assert_eq!(
        ann,
        ["b1", "b3", "b2"],
        "member bookings come in start order (ties by id)"
    );
    assert_eq!(member_ids(store, "ann", span(659, 661)), ["b1", "b3", "b2"]);
    assert_eq!(resource_ids(store, "r1", span(590, 610)), ["b-long", "b1"]);
    assert_eq!(
        resource_ids(store, "r2", span(0, 600)),
        Vec::<String>::new()
    );
    assert_eq!(
        store.due_bookings(t(660), 10).unwrap(),
        vec![BookingId::from("b-long"), BookingId::from("b1")],
        "due bookings come earliest first, up to now inclusive"
    );
    assert_eq!(
        store.due_bookings(t(10_000), 1).unwrap().len(),
        1,
        "limit is honoured"
    );
}

fn replacing_moves_index_entries(store: &mut dyn Store) {
    seed(store, &[booking("b1", "r1", "ann", 600, 660)]);
    let mut tx = store.begin().unwrap();
    let mut moved = booking("b1", "r2", "ann", 900, 960);
    moved.version = 2;
    tx.put_booking(moved).unwrap();
    tx.commit().unwrap();
    assert!(index_ids(store, "r1", span(0, 10_000)).is_empty());
    assert_eq!(index_ids(store, "r2", span(0, 10_000)), ["b1"]);
    assert_eq!(
        resource_ids(store, "r1", span(0, 10_000)),
        Vec::<String>::new()
    );
    assert_eq!(member_ids(store, "ann", span(900, 901)), ["b1"]);
    assert_eq!(
        store.due_bookings(t(700), 10).unwrap(),
        Vec::<BookingId>::new()
    );
}

fn terminal_bookings_leave_the_index(store: &mut dyn Store) {
    seed(store, &[booking("b1", "r1", "ann", 600, 660)]);
    let mut tx = store.begin().unwrap();
    let mut cancelled = booking("b1", "r1", "ann", 600, 660);
    cancelled.status = BookingStatus::Cancelled;
    tx.put_booking(cancelled).unwrap();
    tx.commit().unwrap();
    assert!(index_ids(store, "r1", span(0, 10_000)).is_empty());
    assert_eq!(
        resource_ids(store, "r1", span(0, 10_000)),
        ["b1"],
        "history stays queryable"
    );
    assert!(store.due_bookings(t(10_000), 10).unwrap().is_empty());
    let mut held = booking("b2", "r1", "ann", 600, 660);
    held.status = BookingStatus::Held;
    held.hold_expires_at = Some(t(5));
    let mut tx = store.begin().unwrap();
    tx.put_booking(held).unwrap();
    tx.commit().unwrap();
    let mut lapses = None;
    store
        .with_index(&"r1".into(), &mut |idx| {
            lapses = idx.iter().next().map(|e| e.occupancy.lapses_at);
        })
        .unwrap();
    assert_eq!(
        lapses,
        Some(Some(t(5))),
        "a hold's entry lapses at its expiry"
    );
}

fn rollback_discards_every_write(store: &mut dyn Store) {
    seed(store, &[booking("b1", "r1", "ann", 600, 660)]);
    {
        let mut tx = store.begin().unwrap();
        tx.put_resource(resource("r3", 1)).unwrap();
        let mut changed = booking("b1", "r1", "ann", 700, 760);
        changed.version = 2;
        tx.put_booking(changed).unwrap();
        tx.put_booking(booking("b9", "r1", "bob", 800, 860))
            .unwrap();
        tx.put_idempotency(IdempotencyRecord {
            key: "k".into(),
            fingerprint: "f".into(),
            result: serde_json::json!(1),
            created_at: t(0),
        })
        .unwrap();
        tx.append_audit(audit("b9")).unwrap();
        tx.append_event(event("b9")).unwrap();
        tx.set_consumer_cursor("mailer", 1).unwrap();
        tx.next_sequence().unwrap();
        // Dropped without commit.
    }
    assert!(store.resource(&"r3".into()).unwrap().is_none());
    assert!(store.booking(&"b9".into()).unwrap().is_none());
    assert_eq!(store.booking(&"b1".into()).unwrap().unwrap().start, t(600));
    assert_eq!(index_ids(store, "r1", span(0, 10_000)), ["b1"]);
    assert_eq!(
        member_ids(store, "bob", span(0, 10_000)),
        Vec::<String>::new()
    );
    assert!(store.idempotency("k").unwrap().is_none());
    assert!(store.audit(&AuditQuery::default()).unwrap().is_empty());
    assert!(store
        .audit(&AuditQuery {
            booking: Some("b9".into()),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
    assert!(store.events(0, 10).unwrap().is_empty());
    assert_eq!(store.last_event_seq().unwrap(), 0);
    assert_eq!(store.consumer_cursor("mailer").unwrap(), 0);
    assert_eq!(store.sequence().unwrap(), 0);
    assert_eq!(
        store.due_bookings(t(10_000), 10).unwrap(),
        vec![BookingId::from("b1")]
    );
}

fn commit_keeps_every_write(store: &mut dyn Store) {
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    tx.put_booking(booking("b1", "r1", "ann", 600, 660))
        .unwrap();
    tx.put_idempotency(IdempotencyRecord {
        key: "k".into(),
        fingerprint: "f".into(),
        result: serde_json::json!({"id": "b1"}),
        created_at: t(0),
    })
    .unwrap();
    assert_eq!(tx.append_audit(audit("b1")).unwrap(), 1);
    assert_eq!(tx.append_event(event("b1")).unwrap(), 1);
    tx.set_consumer_cursor("mailer", 1).unwrap();
    tx.commit().unwrap();
    assert_eq!(store.idempotency("k").unwrap().unwrap().result["id"], "b1");
    let by_booking = store
        .audit(&AuditQuery {
            booking: Some("b1".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_booking.len(), 1);
    assert_eq!(by_booking[0].seq, 1);
    let by_member = store
        .audit(&AuditQuery {
            member: Some("ann".into()),
            from: Some(t(0)),
            to: Some(t(1)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_member.len(), 1);
    assert!(store
        .audit(&AuditQuery {
            member: Some("ann".into()),
            from: Some(t(1)),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
    assert_eq!(store.events(0, 10).unwrap()[0].seq, 1);
    assert_eq!(store.consumer_cursor("mailer").unwrap(), 1);
}

fn sequences_are_gapless(store: &mut dyn Store) {
    seed(store, &[]);
    for round in 0..3u64 {
        let mut tx = store.begin().unwrap();
        assert_eq!(tx.next_sequence().unwrap(), round * 2 + 1);
        assert_eq!(tx.next_sequence().unwrap(), round * 2 + 2);
        tx.append_audit(audit("x")).unwrap();
        tx.append_event(event("x")).unwrap();
        tx.commit().unwrap();
    }
    let mut tx = store.begin().unwrap();
    tx.raise_sequence(100).unwrap();
    tx.raise_sequence(50).unwrap();
    assert_eq!(tx.next_sequence().unwrap(), 101);
    tx.commit().unwrap();
    let seqs: Vec<u64> = store
        .events(0, 100)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2, 3]);
    assert_eq!(
        store.events(2, 100).unwrap().len(),
        1,
        "reading after a cursor"
    );
    let audit_seqs: Vec<u64> = store
        .audit(&AuditQuery {
            after_seq: Some(1),
            limit: Some(1),
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|a| a.seq)
        .collect();
    assert_eq!(audit_seqs, [2]);
}

fn idempotency_purges_by_age(store: &mut dyn Store) {
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    for (key, minute) in [("old", 0), ("new", 10)] {
        tx.put_idempotency(IdempotencyRecord {
            key: key.into(),
            fingerprint: "f".into(),
            result: serde_json::Value::Null,
            created_at: t(minute),
        })
        .unwrap();
    }
    tx.commit().unwrap();
    let mut tx = store.begin().unwrap();
    assert_eq!(tx.purge_idempotency(t(5)).unwrap(), 1);
    tx.commit().unwrap();
    assert!(store.idempotency("old").unwrap().is_none());
    assert!(store.idempotency("new").unwrap().is_some());
}

fn reads_see_own_writes(store: &mut dyn Store) {
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    tx.put_booking(booking("b1", "r1", "ann", 600, 660))
        .unwrap();
    assert!(tx.booking(&"b1".into()).unwrap().is_some());
    let mut found = false;
    tx.with_index(&"r1".into(), &mut |idx| {
        found = idx
            .overlapping(span(610, 620))
            .any(|e| *e.occupant == OccupantRef::booking("b1"));
    })
    .unwrap();
    assert!(
        found,
        "the index inside the transaction holds the new booking"
    );
    tx.commit().unwrap();
}

fn policy(id: &str, max: u32) -> crate::policy::Policy {
    crate::policy::Policy {
        id: id.into(),
        scope: crate::policy::Scope::Global,
        exempt_roles: vec![],
        rules: crate::policy::Rules {
            max_duration_mins: Some(max),
            ..Default::default()
        },
    }
}

fn policy_ids(store: &dyn StoreRead) -> Vec<String> {
    store
        .policies()
        .unwrap()
        .iter()
        .map(|p| p.id.clone())
        .collect()
}

fn policies_round_trip_and_roll_back(store: &mut dyn Store) {
    let mut tx = store.begin().unwrap();
    tx.put_policy(policy("b", 60)).unwrap();
    tx.put_policy(policy("a", 30)).unwrap();
    tx.commit().unwrap();
    assert_eq!(policy_ids(store), ["a", "b"], "policies come in id order");
    {
        let mut tx = store.begin().unwrap();
        tx.put_policy(policy("a", 90)).unwrap();
        assert!(tx.delete_policy("b").unwrap());
        assert!(!tx.delete_policy("zz").unwrap());
        assert_eq!(policy_ids(&*tx), ["a"]);
    }
    assert_eq!(policy_ids(store), ["a", "b"], "rollback restores both");
    assert_eq!(store.policies().unwrap()[0], policy("a", 30));
    let mut tx = store.begin().unwrap();
    tx.put_policy(policy("a", 90)).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        store.policies().unwrap()[0],
        policy("a", 90),
        "put replaces by id"
    );
}

fn maintenance(id: &str, start: i64, end: i64) -> crate::block::Block {
    crate::block::Block {
        id: id.into(),
        resource: "r1".into(),
        start: t(start),
        end: t(end),
        reason: None,
        series: None,
        created_at: t(0),
    }
}

fn block_ids(store: &dyn StoreRead, window: Span) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .resource_blocks(&"r1".into(), window, &mut |b| ids.push(b.id.clone()))
        .unwrap();
    ids
}

fn blocks_sit_in_the_index_and_roll_back(store: &mut dyn Store) {
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    tx.put_block(maintenance("blk_1", 600, 660)).unwrap();
    tx.put_block(maintenance("blk_2", 0, 30)).unwrap();
    tx.commit().unwrap();
    assert_eq!(block_ids(store, span(0, 10_000)), ["blk_2", "blk_1"]);
    assert_eq!(block_ids(store, span(630, 640)), ["blk_1"]);
    assert_eq!(index_ids(store, "r1", span(630, 640)), ["blk_1"]);
    assert_eq!(store.block("blk_1").unwrap().unwrap().end, t(660));
    {
        let mut tx = store.begin().unwrap();
        assert!(tx.delete_block("blk_1").unwrap().is_some());
        assert!(tx.delete_block("nope").unwrap().is_none());
        tx.put_block(maintenance("blk_3", 700, 760)).unwrap();
    }
    assert_eq!(
        block_ids(store, span(0, 10_000)),
        ["blk_2", "blk_1"],
        "rollback"
    );
    let mut tx = store.begin().unwrap();
    tx.delete_block("blk_2").unwrap();
    tx.commit().unwrap();
    let mut all = Vec::new();
    store.blocks(&mut |b| all.push(b.id.clone())).unwrap();
    assert_eq!(all, ["blk_1"]);
    assert!(index_ids(store, "r1", span(0, 30)).is_empty());
}

/// Every (resource, occupant, span) the site-wide query returns, sorted.
fn site_ids(store: &dyn StoreRead, window: Span) -> Vec<(String, String, Span)> {
    let mut out = Vec::new();
    store
        .site_entries(window, &mut |r, e| {
            out.push((r.to_string(), e.occupant.id.to_string(), e.span))
        })
        .unwrap();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn site_entries_match_every_resource_index(store: &mut dyn Store) {
    let mut moved = booking("b1", "r1", "ann", 600, 660);
    seed(
        store,
        &[
            moved.clone(),
            booking("b2", "r2", "bob", 630, 700),
            booking("b3", "r2", "cy", 0, 60 * 24 * 40),
        ],
    );
    let mut tx = store.begin().unwrap();
    tx.put_block(maintenance("blk_1", 650, 720)).unwrap();
    tx.commit().unwrap();
    let every = |store: &dyn StoreRead, window: Span| {
        let mut want = Vec::new();
        for r in ["r1", "r2"] {
            store
                .with_index(&r.into(), &mut |idx| {
                    for e in idx.overlapping(window) {
                        want.push((r.to_string(), e.occupant.id.to_string(), e.span));
                    }
                })
                .unwrap();
        }
        want.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        want
    };
    for window in [
        span(0, 10),
        span(640, 660),
        span(660, 700),
        span(50_000, 50_001),
    ] {
        assert_eq!(site_ids(store, window), every(store, window), "{window:?}");
    }
    // A move, a cancellation and a rolled-back write stay in step.
    let mut tx = store.begin().unwrap();
    moved.start = t(900);
    moved.end = t(960);
    tx.put_booking(moved).unwrap();
    let mut cancelled = booking("b2", "r2", "bob", 630, 700);
    cancelled.status = BookingStatus::Cancelled;
    tx.put_booking(cancelled).unwrap();
    tx.commit().unwrap();
    {
        let mut tx = store.begin().unwrap();
        tx.put_booking(booking("b4", "r1", "dee", 640, 650))
            .unwrap();
    }
    for window in [span(600, 720), span(900, 901)] {
        assert_eq!(site_ids(store, window), every(store, window), "{window:?}");
    }
    assert_eq!(
        site_ids(store, span(600, 720))
            .into_iter()
            .map(|(_, id, _)| id)
            .collect::<Vec<_>>(),
        ["blk_1", "b3"],
        "r1's block, then r2's long booking; b1 moved away, b2 cancelled, b4 rolled back"
    );
}

fn a_series(id: &str, version: u64) -> crate::recurrence::Series {
    crate::recurrence::Series {
        id: id.into(),
        resource: "r1".into(),
        member: "ann".into(),
        timezone: "UTC".into(),
        rule: crate::recurrence::SeriesRule {
            first_start: "1970-01-01T10:00".parse().unwrap(),
            first_end: "1970-01-01T11:00".parse().unwrap(),
            rrule: "FREQ=DAILY;COUNT=3".into(),
            exdates: Vec::new(),
            rdates: Vec::new(),
        },
        disambiguation: Default::default(),
        quantity: 1,
        title: None,
        description: None,
        attendees: None,
        metadata: None,
        status: crate::recurrence::SeriesStatus::Active,
        split_from: None,
        version,
        created_at: t(0),
        updated_at: t(0),
    }
}

fn occurrence(id: &str, series: &str, day: i64) -> Booking {
    let mut b = booking(id, "r1", "ann", day * 1_440 + 600, day * 1_440 + 660);
    b.series = Some(crate::recurrence::SeriesLink {
        id: series.into(),
        occurrence: crate::time::LocalDateTime::at(b.start, chrono_tz::UTC),
    });
    b
}

fn series_booking_ids(store: &dyn StoreRead, series: &str) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .series_bookings(series, &mut |b| ids.push(b.id.to_string()))
        .unwrap();
    ids
}

fn series_round_trip_and_roll_back(store: &mut dyn Store) {
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    tx.put_series(a_series("ser_1", 1)).unwrap();
    // Stored out of order; read back in occurrence order.
    tx.put_booking(occurrence("b3", "ser_1", 2)).unwrap();
    tx.put_booking(occurrence("b1", "ser_1", 0)).unwrap();
    tx.put_booking(occurrence("b2", "ser_1", 1)).unwrap();
    tx.commit().unwrap();
    assert_eq!(store.series("ser_1").unwrap(), Some(a_series("ser_1", 1)));
    assert_eq!(series_booking_ids(store, "ser_1"), ["b1", "b2", "b3"]);
    {
        let mut tx = store.begin().unwrap();
        tx.put_series(a_series("ser_1", 2)).unwrap();
        tx.put_series(a_series("ser_2", 1)).unwrap();
        let mut moved = occurrence("b2", "ser_2", 1);
        moved.version = 2;
        tx.put_booking(moved).unwrap();
        assert_eq!(
            series_booking_ids(&*tx, "ser_1"),
            ["b1", "b3"],
            "reads see writes"
        );
        // Dropped: rolled back.
    }
    assert_eq!(store.series("ser_1").unwrap().unwrap().version, 1);
    assert!(store.series("ser_2").unwrap().is_none());
    assert_eq!(series_booking_ids(store, "ser_1"), ["b1", "b2", "b3"]);
    assert!(series_booking_ids(store, "ser_2").is_empty());
    let mut all = Vec::new();
    store.all_series(&mut |s| all.push(s.id.clone())).unwrap();
    assert_eq!(all, ["ser_1"]);
}

fn waiting(
    id: &str,
    seq: u64,
    status: crate::waitlist::WaitlistStatus,
) -> crate::waitlist::WaitlistEntry {
    crate::waitlist::WaitlistEntry {
        id: id.into(),
        seq,
        member: "ann".into(),
        resource: Some("r1".into()),
        filter: None,
        start: t(600),
        end: t(660),
        quantity: 1,
        claim_ttl_secs: 900,
        status,
        offer: None,
        version: 1,
        created_at: t(0),
        updated_at: t(0),
    }
}

fn waitlist_keeps_order_and_open_set(store: &mut dyn Store) {
    use crate::waitlist::WaitlistStatus::{Left, Offered, Waiting};
    seed(store, &[]);
    let mut tx = store.begin().unwrap();
    tx.put_waitlist_entry(waiting("wl_9", 9, Waiting)).unwrap();
    tx.put_waitlist_entry(waiting("wl_3", 3, Offered)).unwrap();
    tx.put_waitlist_entry(waiting("wl_5", 5, Left)).unwrap();
    tx.commit().unwrap();
    let ids = |store: &dyn StoreRead, open: bool| {
        let mut ids = Vec::new();
        let mut push = |e: &crate::waitlist::WaitlistEntry| ids.push(e.id.clone());
        if open {
            store.open_waitlist_entries(&mut push).unwrap();
        } else {
            store.waitlist_entries(&mut push).unwrap();
        }
        ids
    };
    assert_eq!(ids(store, false), ["wl_3", "wl_5", "wl_9"], "joining order");
    assert_eq!(
        ids(store, true),
        ["wl_3", "wl_9"],
        "only waiting and offered"
    );
    {
        let mut tx = store.begin().unwrap();
        tx.put_waitlist_entry(waiting("wl_9", 9, Left)).unwrap();
        tx.put_waitlist_entry(waiting("wl_11", 11, Waiting))
            .unwrap();
        assert_eq!(ids(&*tx, true), ["wl_3", "wl_11"], "reads see writes");
    }
    assert_eq!(ids(store, true), ["wl_3", "wl_9"], "rolled back");
    assert_eq!(
        store.waitlist_entry("wl_9").unwrap().unwrap().status,
        Waiting
    );
    assert!(store.waitlist_entry("wl_11").unwrap().is_none());
}
