//! The [`Engine`] facade: runs each command inside one store transaction.
//!
//! The engine is a deterministic state machine: `(stored state, command, clock reading) →
//! (result, writes, audit records, events)`. It holds no booking state of its own, only
//! the store, the clock, the id generator and the config, so several engines (threads,
//! processes) can share a store whose transactions serialise writers.

mod admin;
mod blocks;
mod bookings;
mod config;
mod context;
mod idempotency;
mod lifecycle;
mod policies;
mod queries;
mod resources;
mod series;
mod tick;
mod waitlist;

pub use config::{CheckInConfig, EngineConfig};
pub use policies::Explanation;
pub(crate) use policies::{evaluate_placement, rules_for};
pub use resources::ArchiveOutcome;
pub(crate) use series::is_live as series_booking_is_live;
pub use tick::TickReport;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::error::{ErrorCode, Result};
use crate::ids::{IdGenerator, SequentialIds};
use crate::store::{MemoryStore, Store};
use crate::time::{Clock, SystemClock, Timestamp};
use context::Ctx;

/// The booking engine over a [`Store`].
///
/// ```
/// use slotwise::{Engine, ManualClock, NewBooking, NewResource, ErrorCode};
///
/// let clock = ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap());
/// let mut engine = Engine::in_memory().with_clock(clock);
/// engine.create_resource(NewResource::new("desk-1").timezone("Europe/London")).unwrap();
///
/// let ann = engine.book(NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T12:00")).unwrap();
/// assert_eq!(ann.id.as_str(), "bk_1");
///
/// let err = engine.book(NewBooking::new("desk-1", "bob", "2026-03-02T11:00", "2026-03-02T13:00")).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::Conflict);
/// assert_eq!(err.conflicts()[0].id, "bk_1");
/// ```
pub struct Engine<S: Store = MemoryStore> {
    store: S,
    clock: Box<dyn Clock>,
    ids: Box<dyn IdGenerator>,
    config: EngineConfig,
    rejections: Arc<RejectionCounter>,
}

/// The live counts behind [`Rejections`], shareable between engines.
#[derive(Debug, Default)]
struct RejectionCounter {
    conflicts: AtomicU64,
    policy_violations: AtomicU64,
}

/// Requests this engine refused since it started, by cause (M3). Refused commands write
/// nothing, so these live in memory, per engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejections {
    /// Refused with `conflict`.
    pub conflicts: u64,
    /// Refused with `policy_violation`.
    pub policy_violations: u64,
}

impl Engine<MemoryStore> {
    /// An engine on a fresh in-memory store, with the system clock, sequential ids and
    /// the default config.
    pub fn in_memory() -> Self {
        Engine::new(MemoryStore::new())
    }
}

impl<S: Store> Engine<S> {
    /// An engine on `store`, with the system clock, sequential ids and the default config.
    pub fn new(store: S) -> Self {
        Engine {
            store,
            clock: Box::new(SystemClock),
            ids: Box::new(SequentialIds::default()),
            config: EngineConfig::default(),
            rejections: Arc::default(),
        }
    }

    /// Replaces the clock (T2).
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Replaces the id generator.
    pub fn with_ids(mut self, ids: impl IdGenerator + 'static) -> Self {
        self.ids = Box::new(ids);
        self
    }

    /// Replaces the config.
    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// The config in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Gives the store back.
    pub fn into_store(self) -> S {
        self.store
    }

    /// Requests refused since this engine started, by cause (with those of every
    /// engine it shares its count with, see [`Engine::sharing_rejections_with`]).
    pub fn rejections(&self) -> Rejections {
        Rejections {
            conflicts: self.rejections.conflicts.load(Ordering::Relaxed),
            policy_violations: self.rejections.policy_violations.load(Ordering::Relaxed),
        }
    }

    /// Counts this engine's refusals together with `other`'s, for several engines
    /// serving one store (one per thread, say): each then reports the total, in
    /// [`Engine::rejections`] and in utilization reports.
    pub fn sharing_rejections_with<T: Store>(mut self, other: &Engine<T>) -> Self {
        self.rejections = Arc::clone(&other.rejections);
        self
    }

    /// The clock's current reading.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Runs one mutating command in one transaction: replays a stored result for a known
    /// idempotency key, otherwise runs `body`, stores the result under the key and commits.
    /// Any error drops the transaction, so nothing is written (I4).
    pub(crate) fn mutate<C, T>(
        &mut self,
        command: &'static str,
        input: &C,
        idempotency_key: Option<&str>,
        actor: Option<Actor>,
        body: impl FnOnce(&mut Ctx<'_>, &mut dyn IdGenerator, &EngineConfig) -> Result<T>,
    ) -> Result<T>
    where
        C: Serialize,
        T: Serialize + DeserializeOwned,
    {
        let now = self.clock.now();
        let claim = match idempotency_key {
            Some(key) => Some(idempotency::Claim::new(command, key, input)?),
            None => None,
        };
        // While anyone waits, what time has freed is offered first, in a transaction of
        // its own, so it stands whatever this command's fate and whether or not `tick`
        // ran (B12).
        // `tick` applies the same itself and reports it.
        if command != "tick" {
            waitlist::catch_up(&mut self.store, &mut *self.ids, &self.config, now)?;
        }
        let tx = self.store.begin()?;
        let mut ctx = Ctx::new(tx, now, actor);
        if let Some(claim) = &claim {
            if let Some(replayed) = claim.replay(&*ctx.tx, now, &self.config)? {
                return Ok(replayed);
            }
        }
        let out = match body(&mut ctx, &mut *self.ids, &self.config)
            .and_then(|out| finish(&mut ctx, &mut *self.ids, &self.config).map(|_| out))
        {
            Ok(out) => out,
            Err(e) => {
                match e.code() {
                    ErrorCode::Conflict => {
                        self.rejections.conflicts.fetch_add(1, Ordering::Relaxed);
                    }
                    ErrorCode::PolicyViolation => {
                        self.rejections
                            .policy_violations
                            .fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {}
                }
                return Err(e);
            }
        };
        if let Some(claim) = claim {
            claim.store(&mut *ctx.tx, now, &out)?;
        }
        ctx.tx.commit()?;
        Ok(out)
    }
}

/// What every command does after its own changes: the series occurrences it ended
/// become exdates, and the units it freed are offered to the waitlist.
pub(super) fn finish(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
) -> Result<()> {
    series::exclude_ended(ctx)?;
    waitlist::serve(ctx, ids, config)?;
    Ok(())
}
