//! Time passing (B12): one call applies everything due and emits the events.

use serde::{Deserialize, Serialize};

use super::context::Ctx;
use super::{waitlist, Engine, EngineConfig};
use crate::audit::{Action, Actor};
use crate::booking::BookingStatus;
use crate::error::{Error, Result};
use crate::ids::IdGenerator;
use crate::store::Store;

/// How many due bookings one pass reads at a time.
const BATCH: usize = 1_024;

/// What a [`tick`](Engine::tick) applied.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickReport {
    /// Holds whose TTL passed.
    pub expired: usize,
    /// Bookings that missed their check-in deadline.
    pub no_shows: usize,
    /// Bookings whose span ended.
    pub completed: usize,
    /// Waitlist entries whose span began while they waited.
    #[serde(default)]
    pub waitlist_lapsed: usize,
    /// Idempotency records past their retention, deleted.
    pub idempotency_purged: usize,
}

impl<S: Store> Engine<S> {
    /// Applies every time-driven transition due by now (hold expiry, no-show, completion)
    /// with its audit record and event, and purges idempotency records past retention, in
    /// one transaction. Calling it is never needed for correctness: reads and commands
    /// evaluate deadlines themselves; `tick` makes the changes durable and visible as events.
    pub fn tick(&mut self) -> Result<TickReport> {
        self.mutate(
            "tick",
            &(),
            None,
            Some(Actor::system()),
            |ctx, ids, config| {
                let mut report = TickReport::default();
                apply_due(ctx, ids, config, &mut report)?;
                report.waitlist_lapsed = waitlist::lapse_due(ctx)?;
                // A record is expired once `created_at + retention <= now` (as replay reads
                // it); purging takes records created strictly before the cutoff.
                let cutoff = ctx
                    .now
                    .add_secs(-config.idempotency_retention_secs)
                    .add_millis(1);
                report.idempotency_purged = ctx.tx.purge_idempotency(cutoff)?;
                Ok(report)
            },
        )
    }
}

/// Applies every time-driven transition due by now, earliest first, each with its audit
/// record and event, and offers the units each frees to the waitlist before the next
/// (so an offer made when a hold lapsed at 10:00 runs from 10:00, and if it has lapsed
/// too, the next waiter's runs from its end).
pub(super) fn apply_due(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
    report: &mut TickReport,
) -> Result<()> {
    loop {
        let due = ctx.tx.due_bookings(ctx.now, BATCH)?;
        if due.is_empty() {
            return Ok(());
        }
        // Everything due at one instant is applied before what it freed is offered, so
        // waiters are served in joining order over all of it (W3).
        let mut instant = None;
        let mut requeued = false;
        for id in due {
            let before = ctx
                .tx
                .booking(&id)?
                .ok_or_else(|| Error::internal(format!("due booking `{id}` is missing")))?;
            let at = before.due_at();
            if instant.is_some() && instant != at && serve(ctx, ids, config)? {
                // An offer joined the due queue, perhaps ahead of the rest of this batch.
                requeued = true;
                break;
            }
            instant = at;
            let mut after = before.clone();
            if after.apply_due(ctx.now).is_none() {
                return Err(Error::internal(format!(
                    "booking `{id}` is queued as due but has no due transition"
                )));
            }
            let action = match after.status {
                BookingStatus::Expired => {
                    report.expired += 1;
                    Action::BookingExpired
                }
                BookingStatus::NoShow => {
                    report.no_shows += 1;
                    Action::BookingNoShow
                }
                _ => {
                    report.completed += 1;
                    Action::BookingCompleted
                }
            };
            ctx.tx.put_booking(after.clone())?;
            ctx.record_booking(action, Some(&before), &after, None)?;
        }
        if !requeued {
            serve(ctx, ids, config)?;
        }
    }
}

/// Offers what the transitions applied so far freed, if anything.
fn serve(ctx: &mut Ctx<'_>, ids: &mut dyn IdGenerator, config: &EngineConfig) -> Result<bool> {
    if ctx.freed.is_empty() {
        return Ok(false);
    }
    waitlist::serve(ctx, ids, config)
}
