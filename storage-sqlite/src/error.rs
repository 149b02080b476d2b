//! SQLite and decoding failures as slotwise `storage` errors, each with its
//! [`StorageFault`].

use rusqlite::ErrorCode as SqliteCode;
use slotwise::{Error, StorageFault};

/// The fault a SQLite error stands for.
fn fault_of(e: &rusqlite::Error) -> StorageFault {
    match e.sqlite_error_code() {
        Some(SqliteCode::NotADatabase) => StorageFault::NotADatabase,
        Some(SqliteCode::DatabaseCorrupt) => StorageFault::Corrupt,
        Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => StorageFault::Busy,
        _ => StorageFault::Io,
    }
}

/// A SQLite error as a `storage` error.
pub(crate) fn sql(e: rusqlite::Error) -> Error {
    Error::store_fault(fault_of(&e), format!("sqlite: {e}"))
}

/// A stored record that does not decode: the file was damaged or edited by hand.
pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::store_fault(
        StorageFault::Corrupt,
        format!("a stored {what} does not decode: {e}"),
    )
}

/// `?` for SQLite results inside functions returning `slotwise::Result`.
pub(crate) trait OrStore<T> {
    /// The value, or the error as a `storage` error.
    fn or_store(self) -> slotwise::Result<T>;
}

impl<T> OrStore<T> for rusqlite::Result<T> {
    fn or_store(self) -> slotwise::Result<T> {
        self.map_err(sql)
    }
}
