//! Group commit: the callers sharing one store value (threads holding clones of it) add
//! their commands to one open SQLite transaction, each in its own savepoint, and one
//! `COMMIT` — one fsync — makes the whole batch durable.
//!
//! The rule is simple. A command that ends (committed or rolled back) while another
//! writer is queued for the connection leaves the batch open and waits; the command
//! that ends with nobody queued (or that fills the batch) commits it and wakes the
//! others. Nobody returns before the batch holding its command is durable, so a result
//! is never reported for a write that a crash could still lose (I5), and a command's
//! failure is its own: its savepoint is rolled back and the others' stand (I4).

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex, ReentrantMutex, ReentrantMutexGuard};
use slotwise::{Error, Result, StorageFault};

use crate::inner::Inner;

/// The connection, shared by every clone of a store value, and the group-commit state.
pub(crate) struct Shared {
    /// The connection and its cache. Re-entrant, so a read may call another read from
    /// inside its callback, as the engine's queries do.
    pub inner: ReentrantMutex<RefCell<Inner>>,
    /// Writers waiting for the connection.
    queued: AtomicUsize,
    settled: Mutex<Settled>,
    settled_changed: Condvar,
    /// Commands one batch holds at most.
    max_batch: usize,
    /// Batches committed and commands they held, for [`CommitStats`](crate::CommitStats).
    pub committed_batches: AtomicU64,
    pub committed_commands: AtomicU64,
}

/// Which batches are over, and which of them failed.
#[derive(Default)]
struct Settled {
    /// Every batch up to this one has committed or failed.
    up_to: u64,
    /// Recent batches whose commit failed, with the error.
    failed: BTreeSet<(u64, String)>,
}

/// Exclusive use of the connection for one command.
pub(crate) type Turn<'a> = ReentrantMutexGuard<'a, RefCell<Inner>>;

impl Shared {
    pub fn new(inner: Inner, max_batch: usize) -> Shared {
        Shared {
            inner: ReentrantMutex::new(RefCell::new(inner)),
            queued: AtomicUsize::new(0),
            settled: Mutex::new(Settled::default()),
            settled_changed: Condvar::new(),
            max_batch: max_batch.max(1),
            committed_batches: AtomicU64::new(0),
            committed_commands: AtomicU64::new(0),
        }
    }

    /// Takes the connection for a command, opening a batch if none is open. Returns the
    /// turn, the batch the command belongs to, and whether the command runs in a
    /// savepoint: the first command of a batch needs none, as rolling it back is rolling
    /// back the whole transaction.
    pub fn start_turn(&self) -> Result<(Turn<'_>, u64, bool)> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let turn = self.inner.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        let opened = {
            let mut inner = turn.borrow_mut();
            if inner.batch.is_none() {
                inner.open_batch()
            } else {
                Ok(())
            }
        };
        opened?;
        let started = {
            let mut inner = turn.borrow_mut();
            let first = inner.batch.as_ref().is_some_and(|b| b.commands == 0);
            let started = if first {
                Ok(())
            } else {
                inner.conn.execute_batch("SAVEPOINT command")
            };
            let batch = inner.batch.as_mut().expect("a batch is open");
            batch.commands += 1;
            started.map(|_| (batch.id, !first))
        };
        match started {
            Ok((id, savepoint)) => Ok((turn, id, savepoint)),
            Err(e) => {
                // Nothing of this command was written; the batch still has to settle.
                let id = turn.borrow().batch.as_ref().map_or(0, |b| b.id);
                self.end_turn(turn, id)?;
                Err(crate::error::sql(e))
            }
        }
    }

    /// Takes the connection for a read. Readers count as queued: the engine reads just
    /// before it writes, so a reader is usually a writer about to join the batch.
    pub fn read_turn(&self) -> Turn<'_> {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let turn = self.inner.lock();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        turn
    }

    /// Ends a command's turn: commits the batch if nobody is queued (or it is full),
    /// otherwise leaves it to a later command. Either way returns only once the batch is
    /// durable, with an error if its commit failed.
    pub fn end_turn(&self, turn: Turn<'_>, batch: u64) -> Result<()> {
        let full = {
            let inner = turn.borrow();
            let open = inner.batch.as_ref().expect("a batch is open");
            open.commands >= self.max_batch
        };
        // Callers woken by the last commit may be a moment from queueing: give them
        // that moment before committing alone.
        if !full && self.queued.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        if full || self.queued.load(Ordering::SeqCst) == 0 {
            return self.commit(turn, batch);
        }
        drop(turn);
        let mut settled = self.settled.lock();
        while settled.up_to < batch {
            let waited = self
                .settled_changed
                .wait_for(&mut settled, FOLLOWER_PATIENCE);
            if waited.timed_out() && settled.up_to < batch {
                // Whoever was queued only read, or left: commit the batch ourselves if
                // it is still open and nobody else is about to join it.
                drop(settled);
                let turn = self.inner.lock();
                let open = turn.borrow().batch.as_ref().is_some_and(|b| b.id == batch);
                if open && self.queued.load(Ordering::SeqCst) == 0 {
                    return self.commit(turn, batch);
                }
                drop(turn);
                settled = self.settled.lock();
            }
        }
        match settled.failed.iter().find(|(b, _)| *b == batch) {
            Some((_, message)) => Err(Error::store_fault(
                StorageFault::Io,
                format!("the group commit holding this command failed: {message}"),
            )),
            None => Ok(()),
        }
    }

    /// Commits the open batch `batch` and wakes everyone waiting for it.
    fn commit(&self, turn: Turn<'_>, batch: u64) -> Result<()> {
        let outcome = turn.borrow_mut().commit_batch();
        if let Ok(commands) = &outcome {
            self.committed_batches.fetch_add(1, Ordering::Relaxed);
            self.committed_commands
                .fetch_add(*commands as u64, Ordering::Relaxed);
        }
        let mut settled = self.settled.lock();
        settled.up_to = batch;
        if let Err(e) = &outcome {
            settled.failed.insert((batch, e.message().to_owned()));
            while settled.failed.len() > 64 {
                settled.failed.pop_first();
            }
        }
        drop(settled);
        drop(turn);
        self.settled_changed.notify_all();
        outcome.map(|_| ())
    }
}

/// How long a command left in an open batch waits before checking whether anyone is
/// still coming to commit it.
const FOLLOWER_PATIENCE: Duration = Duration::from_micros(500);
