//! The file format: what a slotwise file looks like, how a file is recognised before
//! anything is written to it, and the versioned migrations applied on open.
//!
//! A slotwise file is a SQLite database whose `application_id` is [`APPLICATION_ID`] and
//! whose `user_version` is the schema version. Opening checks, in order and without
//! writing: the SQLite header (a file that is not SQLite is `not_a_database`), the size
//! the header promises (a truncated file is `corrupt`), the application id (another
//! program's database is `not_slotwise`) and the version (a newer one is
//! `newer_schema`). Only then does it switch to WAL and migrate, in one write transaction,
//! so two processes opening a new file at once migrate it once.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};
use slotwise::{Error, Result, StorageFault};

use crate::error::OrStore;

/// `application_id` of every slotwise file: `"SLTW"`.
pub const APPLICATION_ID: i32 = 0x534C_5457;

/// The schema version this build writes; older files are migrated on open.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration `i` takes a file from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[V1];

/// Version 1: records as JSON bodies beside the columns their indexes need.
const V1: &str = r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES
    ('change_seq', 0), ('sequence', 0), ('longest_booking_ms', 0), ('log_floor', 0);

CREATE TABLE resources (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE policies (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE blocks (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE bookings (
    id TEXT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    member TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    occ_start INTEGER,
    occ_end INTEGER,
    quantity INTEGER NOT NULL,
    lapses_at INTEGER,
    due_at INTEGER,
    series TEXT,
    occurrence INTEGER,
    body TEXT NOT NULL
);
CREATE INDEX bookings_by_resource ON bookings (resource, start, id);
CREATE INDEX bookings_by_member ON bookings (member, start, id);
CREATE INDEX bookings_due ON bookings (due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX bookings_by_series ON bookings (series, occurrence, id) WHERE series IS NOT NULL;
CREATE INDEX bookings_occupancy
    ON bookings (resource, occ_start, id, occ_end, quantity, lapses_at)
    WHERE occ_start IS NOT NULL;

CREATE TABLE series (id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);

CREATE TABLE waitlist (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    open INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX waitlist_open ON waitlist (seq) WHERE open = 1;

CREATE TABLE idempotency (key TEXT PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX idempotency_by_age ON idempotency (created_at, key);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    booking TEXT,
    resource TEXT,
    member TEXT,
    body TEXT NOT NULL
);
CREATE INDEX audit_by_booking ON audit (booking, seq) WHERE booking IS NOT NULL;
CREATE INDEX audit_by_resource ON audit (resource, seq) WHERE resource IS NOT NULL;
CREATE INDEX audit_by_member ON audit (member, seq) WHERE member IS NOT NULL;

CREATE TABLE events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE cursors (consumer TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE changes (
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    old_resource TEXT,
    old_start INTEGER,
    PRIMARY KEY (seq, kind, id)
) WITHOUT ROWID;
"#;

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Length of the SQLite file header.
const HEADER_LEN: usize = 100;

/// Refuses, without opening it, a file that is not SQLite, or that has no write-ahead
/// log and is shorter than its header says. A missing or empty file is a new store.
pub(crate) fn check_file(path: &Path) -> Result<()> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(path, e)),
    };
    let len = file.metadata().map_err(|e| io_error(path, e))?.len();
    if len == 0 {
        return Ok(());
    }
    let mut header = Vec::with_capacity(HEADER_LEN);
    file.by_ref()
        .take(HEADER_LEN as u64)
        .read_to_end(&mut header)
        .map_err(|e| io_error(path, e))?;
    let magic_len = header.len().min(SQLITE_MAGIC.len());
    if header[..magic_len] != SQLITE_MAGIC[..magic_len] {
        return Err(Error::store_fault(
            StorageFault::NotADatabase,
            format!("{} is not a SQLite database", path.display()),
        ));
    }
    if header.len() < HEADER_LEN {
        return Err(truncated(path, len, "its header is cut short"));
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let word = |at: usize| {
        u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    // The page count is valid when written by a SQLite that kept it (version-valid-for
    // equals the change counter). While a write-ahead log exists the file may rightly be
    // shorter: a checkpoint writes page 1 before it extends the file, and a process that
    // dies (or is still) in the middle of one leaves the rest in the log, which SQLite
    // replays on open. Only a file without a log is held to its header.
    let pages = u64::from(word(28));
    let log_len = std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len());
    if log_len == 0 && word(92) == word(24) && pages * page_size > len {
        return Err(truncated(
            path,
            len,
            &format!("its header promises {pages} pages of {page_size} bytes"),
        ));
    }
    Ok(())
}

fn truncated(path: &Path, len: u64, why: &str) -> Error {
    Error::store_fault(
        StorageFault::Corrupt,
        format!(
            "{} is truncated: {why}, but the file holds {len} bytes",
            path.display()
        ),
    )
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::store_fault(StorageFault::Io, format!("{}: {e}", path.display()))
}

/// Reads the file's identity without writing: refuses another program's database and a
/// newer schema. Returns the schema version (0 for a new file).
pub(crate) fn check_identity(conn: &Connection, path: &Path) -> Result<i64> {
    let read = |sql: &str| {
        conn.query_row(sql, [], |row| row.get::<_, i64>(0))
            .or_store()
    };
    let tables = read("SELECT count(*) FROM sqlite_schema")?;
    let application_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    if tables == 0 && application_id == 0 {
        return Ok(0);
    }
    if application_id != i64::from(APPLICATION_ID) {
        return Err(Error::store_fault(
            StorageFault::NotSlotwise,
            format!(
                "{} is a SQLite database but not a slotwise store (application_id {application_id:#x})",
                path.display()
            ),
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(newer(path, version));
    }
    Ok(version)
}

fn newer(path: &Path, version: i64) -> Error {
    Error::store_fault(
        StorageFault::NewerSchema,
        format!(
            "{} has schema version {version}, newer than this build's {SCHEMA_VERSION}; open it with a newer slotwise",
            path.display()
        ),
    )
}

/// Applies every migration a file at `version` lacks, in one write transaction (another
/// process may have migrated it meanwhile, so the version is read again inside).
pub(crate) fn migrate(conn: &mut Connection, path: &Path, version: i64) -> Result<()> {
    if version == SCHEMA_VERSION {
        // Nothing to do: opening a current file writes nothing.
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .or_store()?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .or_store()?;
    if version > SCHEMA_VERSION {
        return Err(newer(path, version));
    }
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(migration).or_store()?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .or_store()?;
    }
    tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}"))
        .or_store()?;
    tx.commit().or_store()
}
