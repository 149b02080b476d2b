//! What a durable file must do beyond the store suite: keep everything across reopening,
//! let two connections on one file see each other's writes at once (the cache catches
//! up), and refuse bad files without touching them.

use slotwise::{
    BookingAction, BookingQuery, Engine, ErrorCode, ManualClock, NewBooking, NewResource, Request,
    StorageFault,
};
use slotwise_sqlite::{SqliteStore, SCHEMA_VERSION};

use crate::support::{fast_options, temp_path};

fn clock() -> ManualClock {
    ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap())
}

fn engine(store: SqliteStore) -> Engine<SqliteStore> {
    Engine::new(store).with_clock(clock())
}

fn request(json: serde_json::Value) -> Request {
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_reopened_store_holds_everything_it_acknowledged() {
    let path = temp_path("reopen");
    let mut a = engine(SqliteStore::open(&path).unwrap());
    a.create_resource(NewResource::new("desk-1").capacity(2).tags(["quiet"]))
        .unwrap();
    a.create_resource(NewResource::new("room-1").timezone("Europe/London"))
        .unwrap();
    for json in [
        serde_json::json!({"type": "put_policy", "policy": {"id": "quiet", "scope": {"tag": "quiet"},
                           "rules": {"horizon_days": 100}}}),
        serde_json::json!({"type": "book", "resource": "desk-1", "member": "ann",
                           "start": "2026-03-02T09:00", "end": "2026-03-02T10:00",
                           "idempotency_key": "k1"}),
        serde_json::json!({"type": "hold", "resource": "desk-1", "member": "bob",
                           "start": "2026-03-02T09:00", "end": "2026-03-02T10:00"}),
        serde_json::json!({"type": "create_block", "resource": "room-1",
                           "start": "2026-03-03T09:00", "end": "2026-03-03T12:00"}),
        serde_json::json!({"type": "book_series", "resource": "room-1", "member": "cy",
                           "start": "2026-03-04T19:00", "end": "2026-03-04T21:00",
                           "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=5"}}),
        serde_json::json!({"type": "book", "resource": "room-1", "member": "dee",
                           "start": "2026-03-05T09:00", "end": "2026-03-05T10:00"}),
        serde_json::json!({"type": "join_waitlist", "resource": "room-1", "member": "eve",
                           "start": "2026-03-05T09:00", "end": "2026-03-05T10:00"}),
    ] {
        a.execute(request(json.clone()))
            .unwrap_or_else(|e| panic!("{json}: {e}"));
    }
    let before = a.export_snapshot().unwrap();
    let audit = a.audit(&Default::default()).unwrap();
    drop(a);

    let mut b = engine(SqliteStore::open(&path).unwrap());
    assert_eq!(b.export_snapshot().unwrap(), before);
    assert_eq!(b.audit(&Default::default()).unwrap(), audit);
    assert!(b.integrity_check().unwrap().is_ok());
    // The idempotency record survived too: the retry replays, writing nothing.
    let retry = request(
        serde_json::json!({"type": "book", "resource": "desk-1", "member": "ann",
        "start": "2026-03-02T09:00", "end": "2026-03-02T10:00", "idempotency_key": "k1"}),
    );
    b.execute(retry).unwrap();
    assert_eq!(b.export_snapshot().unwrap().bookings, before.bookings);
    // And the id sequence continues.
    let next = b
        .book(NewBooking::new(
            "desk-1",
            "fay",
            "2026-03-02T11:00",
            "2026-03-02T12:00",
        ))
        .unwrap();
    assert_eq!(next.id.as_str(), format!("bk_{}", before.sequence + 1));
}

#[test]
fn two_connections_on_one_file_see_each_others_writes_at_once() {
    let path = temp_path("two");
    let mut a = engine(SqliteStore::open_with(&path, fast_options()).unwrap());
    let mut b = engine(SqliteStore::open_with(&path, fast_options()).unwrap());
    a.create_resource(NewResource::new("desk-1")).unwrap();

    // B's cache learns of the resource and of A's booking before its conflict check.
    let ann = a
        .book(NewBooking::new(
            "desk-1",
            "ann",
            "2026-03-02T09:00",
            "2026-03-02T10:00",
        ))
        .unwrap();
    let err = b
        .book(NewBooking::new(
            "desk-1",
            "bob",
            "2026-03-02T09:30",
            "2026-03-02T10:30",
        ))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert_eq!(err.conflicts()[0].id, ann.id.as_str());

    // Queries catch up too, without a write in between.
    let window = slotwise::availability::FreeResourcesQuery {
        from: "2026-03-02T09:00:00Z".parse().unwrap(),
        to: "2026-03-02T10:00:00Z".parse().unwrap(),
        quantity: 1,
        filter: Default::default(),
    };
    assert!(b.free_resources(&window).unwrap().is_empty());
    a.cancel(BookingAction::new(ann.id.as_str())).unwrap();
    assert_eq!(b.free_resources(&window).unwrap().len(), 1);
    let bob = b
        .book(NewBooking::new(
            "desk-1",
            "bob",
            "2026-03-02T09:30",
            "2026-03-02T10:30",
        ))
        .unwrap();

    // A now refuses what overlaps B's booking, and both read the same bookings.
    let err = a
        .book(NewBooking::new(
            "desk-1",
            "cy",
            "2026-03-02T10:00",
            "2026-03-02T11:00",
        ))
        .unwrap_err();
    assert_eq!(err.conflicts()[0].id, bob.id.as_str());
    let desk = BookingQuery {
        resource: Some("desk-1".into()),
        ..BookingQuery::default()
    };
    assert_eq!(a.bookings(&desk).unwrap(), b.bookings(&desk).unwrap());
    assert_eq!(
        a.export_snapshot().unwrap(),
        b.export_snapshot().unwrap(),
        "both caches hold the same state"
    );
}

/// The file's bytes, to show a refused file was not written to.
fn bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

fn refused(path: &std::path::Path) -> (StorageFault, String) {
    let err = SqliteStore::open(path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Storage);
    (
        err.storage_fault().expect("a storage fault"),
        err.message().to_owned(),
    )
}

#[test]
fn garbage_is_refused_as_not_a_database_and_left_alone() {
    for garbage in [
        b"hello, this is not a database at all".repeat(200),
        vec![0u8; 8192],
        b"SQLite".to_vec(),
    ] {
        let path = temp_path("garbage");
        std::fs::write(&path, &garbage).unwrap();
        let (fault, message) = refused(&path);
        assert!(
            matches!(fault, StorageFault::NotADatabase | StorageFault::Corrupt),
            "{fault}: {message}"
        );
        assert_eq!(bytes(&path), garbage, "the file was modified");
        assert!(!std::path::Path::new(&format!("{}-wal", path.display())).exists());
    }
}

/// A closed store file with some bookings in it.
fn store_file(name: &str) -> std::path::PathBuf {
    let path = temp_path(name);
    let mut e = engine(SqliteStore::open(&path).unwrap());
    e.create_resource(NewResource::new("desk-1")).unwrap();
    for day in 2..28 {
        e.book(NewBooking::new(
            "desk-1",
            "ann",
            format!("2026-03-{day:02}T09:00"),
            format!("2026-03-{day:02}T10:00"),
        ))
        .unwrap();
    }
    drop(e);
    path
}

#[test]
fn a_truncated_store_is_refused_as_corrupt_and_left_alone() {
    let path = store_file("truncated");
    let whole = bytes(&path);
    assert!(whole.len() > 8192, "the store spans several pages");
    for keep in [whole.len() - 4096, whole.len() / 2, 4096, 50] {
        std::fs::write(&path, &whole[..keep]).unwrap();
        let (fault, message) = refused(&path);
        assert_eq!(fault, StorageFault::Corrupt, "{keep} bytes: {message}");
        assert!(message.contains("truncated"), "{message}");
        assert_eq!(bytes(&path), &whole[..keep], "the file was modified");
    }
    std::fs::write(&path, &whole).unwrap();
    let e = engine(SqliteStore::open(&path).unwrap());
    assert_eq!(e.export_snapshot().unwrap().bookings.len(), 26);
}

#[test]
fn another_programs_database_is_refused_as_not_slotwise() {
    let path = temp_path("foreign");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
        .unwrap();
    drop(conn);
    let before = bytes(&path);
    let (fault, message) = refused(&path);
    assert_eq!(fault, StorageFault::NotSlotwise, "{message}");
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let path = store_file("newer");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
        .unwrap();
    drop(conn);
    let before = bytes(&path);
    let (fault, message) = refused(&path);
    assert_eq!(fault, StorageFault::NewerSchema, "{message}");
    assert!(
        message.contains(&format!("{}", SCHEMA_VERSION + 1)),
        "{message}"
    );
    assert_eq!(bytes(&path), before);
}

#[test]
fn a_new_file_gets_the_current_schema_and_application_id() {
    let path = temp_path("fresh");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let read = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(read("PRAGMA user_version"), SCHEMA_VERSION);
    assert_eq!(
        read("PRAGMA application_id"),
        i64::from(slotwise_sqlite::APPLICATION_ID)
    );
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn opening_and_reading_a_current_store_writes_nothing() {
    let path = store_file("untouched");
    let before = bytes(&path);
    let e = engine(SqliteStore::open(&path).unwrap());
    assert_eq!(e.export_snapshot().unwrap().bookings.len(), 26);
    drop(e);
    assert_eq!(bytes(&path), before);
}
