//! `slotwise-sqlite`: the durable default store of slotwise (S2).
//!
//! One SQLite file holds everything: resources, policies, bookings, blocks, series,
//! waitlists, idempotency records, the audit trail and the event outbox. It is safe for
//! several threads and several processes at once, and never loses a command it
//! acknowledged (I5).
//!
//! ```
//! use slotwise::{Engine, NewBooking, NewResource, ManualClock};
//! use slotwise_sqlite::SqliteStore;
//!
//! # fn main() -> slotwise::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("slotwise-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let path = dir.join("bookings.db");
//! # let _ = std::fs::remove_file(&path);
//! let clock = ManualClock::at("2026-03-02T08:00:00Z".parse()?);
//! let mut engine = Engine::new(SqliteStore::open(&path)?).with_clock(clock.clone());
//! engine.create_resource(NewResource::new("desk-1"))?;
//! let ann = engine.book(NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00"))?;
//! drop(engine);
//!
//! // Reopened (or opened by another process), the store has the booking.
//! let engine = Engine::new(SqliteStore::open(&path)?).with_clock(clock);
//! assert_eq!(engine.booking(&ann.id)?.member.as_str(), "ann");
//! # Ok(())
//! # }
//! ```
//!
//! # How it works
//!
//! - **Durability.** WAL journal, `synchronous=FULL` by default: a command returns only
//!   after the transaction holding it is fsynced ([`Synchronous`] trades that away).
//! - **Serving at memory speed.** Conflict checks and availability are answered from the
//!   core's in-memory interval indexes, kept beside the connection together with the
//!   resources, policies and blocks. Booking records, series, waitlists, audit and events
//!   are read from SQLite by key through its indexes; nothing scans all bookings. Opening
//!   a store builds the indexes from one covering SQLite index, in (resource, start)
//!   order.
//! - **Several processes on one file.** Writers take SQLite's write lock with
//!   `BEGIN IMMEDIATE`, so they serialise across threads and processes. Every write
//!   transaction bumps a change sequence in the file and notes what it changed (with the
//!   index entry a booking had before) in a change log. A writer reads the sequence right
//!   after taking the lock and, if another process moved it, applies the log to its cache
//!   before the command reads anything, so its conflict check always sees every
//!   committed booking: two processes can never double-book. Queries check SQLite's
//!   `data_version` first and catch up the same way. A process that falls further behind
//!   than the log keeps (65,536 write transactions) reloads its cache.
//! - **Group commit.** Clones of a [`SqliteStore`] share one connection. Commands from
//!   several threads are gathered into one SQLite transaction, each in its own savepoint
//!   (so each is still all-or-nothing), and committed with one fsync; a command's result
//!   is returned once that commit is durable. Throughput therefore grows with callers.
//! - **Schema.** Files carry an application id and a schema version; migrations run on
//!   open, in one transaction. A file that is not SQLite, another program's database, a
//!   truncated file or a newer schema is refused with a `storage` error naming the
//!   [`StorageFault`](slotwise::StorageFault), and is not written to.
//!
//! Reads outside a command may see a command of this process whose group commit is in
//! flight; a command itself never reports success before its write is durable.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache;
mod error;
mod group;
mod inner;
mod rows;
mod schema;
mod transaction;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use slotwise::{Result, Store, Transaction};

pub use schema::{APPLICATION_ID, SCHEMA_VERSION};

use crate::error::OrStore;
use crate::group::Shared;
use crate::inner::Inner;
use crate::transaction::SqliteTransaction;

/// How hard SQLite works to make each commit survive a crash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit is fsynced before the command returns: nothing acknowledged is lost,
    /// even on power loss. The default.
    #[default]
    Full,
    /// Commits are fsynced at checkpoints only: a process crash loses nothing, a power
    /// loss may lose the last commits (never corrupts). Several times faster per commit.
    Normal,
    /// No fsync at all: for tests and throwaway data.
    Off,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
            Synchronous::Off => "OFF",
        }
    }
}

/// Options for [`SqliteStore::open_with`].
#[derive(Clone, Debug)]
pub struct SqliteOptions {
    /// Durability of each commit; [`Synchronous::Full`] by default.
    pub synchronous: Synchronous,
    /// How long a writer waits for another process's write lock before failing with a
    /// `busy` fault; 30 s by default.
    pub busy_timeout: Duration,
    /// Most commands one group commit gathers; 64 by default.
    pub max_batch: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            synchronous: Synchronous::Full,
            busy_timeout: Duration::from_secs(30),
            max_batch: 64,
        }
    }
}

/// The SQLite store. Clones share one connection, cache and group commit: give each
/// thread a clone (and its own `Engine`) and their commands commit together.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
    path: Arc<PathBuf>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the store at `path` with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (or creates) the store at `path`.
    ///
    /// Refuses, without writing to it, a file that is not SQLite (`not_a_database`), a
    /// truncated one (`corrupt`), another program's database (`not_slotwise`) and one
    /// written by a newer slotwise (`newer_schema`).
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self> {
        let path = path.as_ref();
        schema::check_file(path)?;
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .or_store()?;
        conn.busy_timeout(options.busy_timeout).or_store()?;
        conn.set_prepared_statement_cache_capacity(64);
        let version = schema::check_identity(&conn, path)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .or_store()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(slotwise::Error::store_fault(
                slotwise::StorageFault::Io,
                format!("{} cannot use WAL (journal mode {mode})", path.display()),
            ));
        }
        // A 64 MiB page cache keeps the index pages a booking touches in memory.
        conn.execute_batch(&format!(
            "PRAGMA synchronous = {}; PRAGMA cache_size = -65536",
            options.synchronous.pragma()
        ))
        .or_store()?;
        schema::migrate(&mut conn, path, version)?;
        let inner = Inner::new(conn)?;
        Ok(SqliteStore {
            shared: Arc::new(Shared::new(inner, options.max_batch)),
            path: Arc::new(path.to_owned()),
        })
    }

    /// The file this store keeps.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What group commit has done so far for this store value and its clones.
    pub fn commit_stats(&self) -> CommitStats {
        CommitStats {
            transactions: self.shared.committed_batches.load(Ordering::Relaxed),
            commands: self.shared.committed_commands.load(Ordering::Relaxed),
        }
    }
}

/// Counts of durable commits: `commands / transactions` is the average group size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// SQLite transactions committed (one fsync each with [`Synchronous::Full`]).
    pub transactions: u64,
    /// Commands (engine transactions) they held, including failed ones rolled back to
    /// their savepoint; a failed command alone in its transaction is not counted.
    pub commands: u64,
}

slotwise::delegate_store_reads!(SqliteStore, |self| self.shared.read_turn().borrow());

impl Store for SqliteStore {
    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>> {
        Ok(Box::new(SqliteTransaction::begin(&self.shared)?))
    }

    fn refresh(&self) -> Result<()> {
        let guard = self.shared.inner.lock();
        // Inside another read of this thread the cache is already fresh.
        let Ok(mut inner) = guard.try_borrow_mut() else {
            return Ok(());
        };
        inner.refresh()
    }
}
