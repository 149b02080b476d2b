//! Several threads on one store value (group commit) and on several connections to one
//! file: retry storms, batching, and each command still all-or-nothing on its own.

use std::sync::{Arc, Barrier};
use std::thread;

use slotwise::{Engine, ErrorCode, ManualClock, NewBooking, NewResource, Store};
use slotwise_sqlite::{SqliteOptions, SqliteStore};

use crate::support::temp_path;

fn clock() -> ManualClock {
    ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap())
}

fn engine(store: SqliteStore) -> Engine<SqliteStore> {
    Engine::new(store).with_clock(clock())
}

#[test]
fn a_thousand_concurrent_retries_of_one_keyed_command_make_one_booking() {
    let path = temp_path("storm");
    let first = SqliteStore::open(&path).unwrap();
    engine(first.clone())
        .create_resource(NewResource::new("desk-1"))
        .unwrap();
    // Two connections (as two processes would have), eight threads on each.
    let second = SqliteStore::open(&path).unwrap();
    let threads = 16;
    let per_thread = 1_000 / threads + 1;
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = if t % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            let start = start.clone();
            thread::spawn(move || {
                let mut e = engine(store);
                start.wait();
                (0..per_thread)
                    .map(|_| {
                        e.book(
                            NewBooking::new(
                                "desk-1",
                                "ann",
                                "2026-03-02T09:00",
                                "2026-03-02T10:00",
                            )
                            .idempotency_key("book-ann-once"),
                        )
                        .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(results.len() >= 1_000);
    assert!(
        results.iter().all(|b| *b == results[0]),
        "every retry returns the first result"
    );
    let e = engine(SqliteStore::open(&path).unwrap());
    let snapshot = e.export_snapshot().unwrap();
    assert_eq!(snapshot.bookings.len(), 1);
    assert_eq!(snapshot.bookings[0], results[0]);
    let audit = e.audit(&Default::default()).unwrap();
    assert_eq!(audit.len(), 2, "the resource and one booking: {audit:#?}");
    assert!(e.integrity_check().unwrap().is_ok());
}

#[test]
fn commands_queued_behind_a_transaction_commit_with_it_and_each_stands_alone() {
    let path = temp_path("group");
    let store = SqliteStore::open(&path).unwrap();
    let mut setup = engine(store.clone());
    for r in 0..8 {
        setup
            .create_resource(NewResource::new(format!("desk-{r}")))
            .unwrap();
    }
    setup
        .book(NewBooking::new(
            "desk-3",
            "owner",
            "2026-03-02T09:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    let before = store.commit_stats();

    // Hold the connection in a transaction of our own while eight callers queue up.
    let mut holder = store.clone();
    let tx = holder.begin().unwrap();
    let handles: Vec<_> = (0..8)
        .map(|r| {
            let mut e = engine(store.clone());
            thread::spawn(move || {
                e.book(NewBooking::new(
                    format!("desk-{r}"),
                    format!("m{r}"),
                    "2026-03-02T09:30",
                    "2026-03-02T10:30",
                ))
            })
        })
        .collect();
    // The callers queue behind the held transaction; give them time to get there (the
    // assertions below hold however many made it).
    thread::sleep(std::time::Duration::from_millis(300));
    tx.commit().unwrap();
    let outcomes: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    // desk-3 was taken: that command failed alone, the seven others stand.
    for (r, outcome) in outcomes.iter().enumerate() {
        match r {
            3 => assert_eq!(outcome.as_ref().unwrap_err().code(), ErrorCode::Conflict),
            _ => assert!(outcome.is_ok(), "desk-{r}: {outcome:?}"),
        }
    }
    let after = store.commit_stats();
    let commands = after.commands - before.commands;
    let transactions = after.transactions - before.transactions;
    assert_eq!(commands, 9, "the held transaction and the eight bookings");
    assert!(
        transactions < commands,
        "queued commands share commits: {transactions} commits for {commands} commands"
    );
    let reopened = engine(SqliteStore::open(&path).unwrap());
    assert_eq!(reopened.export_snapshot().unwrap().bookings.len(), 8);
    assert!(reopened.integrity_check().unwrap().is_ok());
}

#[test]
fn a_52_week_series_is_one_transaction() {
    let path = temp_path("series");
    let store = SqliteStore::open(&path).unwrap();
    let mut e = engine(store.clone());
    e.create_resource(NewResource::new("room-1").timezone("Europe/London"))
        .unwrap();
    let before = store.commit_stats();
    let request = serde_json::json!({"type": "book_series", "resource": "room-1", "member": "ann",
        "start": "2026-03-04T19:00", "end": "2026-03-04T21:00",
        "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=52"}});
    e.execute(serde_json::from_value(request).unwrap()).unwrap();
    let after = store.commit_stats();
    assert_eq!(after.transactions - before.transactions, 1);
    assert_eq!(after.commands - before.commands, 1);
    assert_eq!(e.export_snapshot().unwrap().bookings.len(), 52);
}

#[test]
fn many_callers_on_one_store_never_double_book() {
    let path = temp_path("callers");
    let store = SqliteStore::open_with(
        &path,
        SqliteOptions {
            max_batch: 5,
            ..SqliteOptions::default()
        },
    )
    .unwrap();
    let mut setup = engine(store.clone());
    setup.create_resource(NewResource::new("desk-1")).unwrap();
    setup
        .create_resource(NewResource::new("desk-2").capacity(2))
        .unwrap();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let mut e = engine(store.clone());
            thread::spawn(move || {
                let mut ok = 0;
                for i in 0..150 {
                    let desk = if (t + i) % 2 == 0 { "desk-1" } else { "desk-2" };
                    let hour = 9 + (i * 7 + t) % 6;
                    let b = NewBooking::new(
                        desk,
                        format!("m{t}"),
                        format!("2026-03-02T{hour:02}:00"),
                        format!("2026-03-02T{:02}:30", hour + 1),
                    );
                    match e.book(b) {
                        Ok(_) => ok += 1,
                        Err(err) => assert_eq!(err.code(), ErrorCode::Conflict, "{err}"),
                    }
                }
                ok
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let e = engine(SqliteStore::open(&path).unwrap());
    let snapshot = e.export_snapshot().unwrap();
    assert_eq!(snapshot.bookings.len(), ok);
    assert!(
        e.integrity_check().unwrap().is_ok(),
        "no overlap beyond capacity"
    );
    let stats = store.commit_stats();
    assert!(stats.commands >= ok as u64, "{stats:?}");
}
