//! Admin overrides (M2): force-cancel and force-move, each with a reason, audited. Rules
//! give way (and the audit record lists what was overridden); capacity never does (I1).

use super::bookings::{move_booking, Move};
use super::context::Ctx;
use super::policies::{require_admin, rules_for};
use super::Engine;
use crate::audit::{Action, Actor};
use crate::booking::{Booking, BookingStatus};
use crate::commands::{BookingAction, ModifyBooking};
use crate::error::{Error, Result};
use crate::ids::BookingId;
use crate::limits::{check_opt_text, MAX_LONG_TEXT};
use crate::policy::cutoff_violation;
use crate::store::Store;

impl<S: Store> Engine<S> {
    /// Ends a booking at once on an admin's word, whatever the cutoffs (M2): a hold is
    /// released, a confirmed booking cancelled, a checked-in one checked out. The reason
    /// is required and recorded, with any cutoff overridden.
    ///
    /// ```
    /// use slotwise::{Actor, BookingAction, BookingStatus, Engine, ManualClock, NewBooking, NewResource};
    ///
    /// let clock = ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap());
    /// let mut engine = Engine::in_memory().with_clock(clock);
    /// engine.create_resource(NewResource::new("room-1")).unwrap();
    /// let b = engine.book(NewBooking::new("room-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00")).unwrap();
    ///
    /// let ended = engine
    ///     .force_cancel(BookingAction::new(b.id).reason("burst pipe").actor(Actor::admin("ops")))
    ///     .unwrap();
    /// assert_eq!(ended.status, BookingStatus::Cancelled);
    /// ```
    pub fn force_cancel(&mut self, cmd: BookingAction) -> Result<Booking> {
        let actor = Some(cmd.actor.clone().unwrap_or_else(Actor::system));
        self.mutate(
            "force_cancel",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, config| {
                require_admin(ctx, "force-cancel bookings")?;
                let reason = required_reason(cmd.reason.as_deref())?;
                let current = ctx.booking_for_action(&cmd.booking, cmd.expected_version)?;
                if current.status == BookingStatus::Confirmed {
                    let resource = ctx.resource(&current.resource)?;
                    let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
                    ctx.overridden
                        .extend(cutoff_violation(&rules, current.start, ctx.now, true));
                }
                end_by_force(ctx, &current.id, reason)?.ok_or_else(|| {
                    current
                        .status
                        .check_transition(BookingStatus::Cancelled, &current.id)
                        .err()
                        .unwrap_or_else(|| Error::internal("an active booking did not end"))
                })
            },
        )
    }

    /// Moves a held, confirmed or checked-in booking on an admin's word (M2): in time, to
    /// another resource, or to other units. Policies are overridden and the overridden
    /// rules recorded; the move must still fit, or it is a `conflict` with alternatives.
    /// The reason is required.
    pub fn force_move(&mut self, cmd: ModifyBooking) -> Result<Booking> {
        let actor = Some(cmd.actor.clone().unwrap_or_else(Actor::system));
        self.mutate(
            "force_move",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, config| {
                require_admin(ctx, "force-move bookings")?;
                required_reason(cmd.reason.as_deref())?;
                move_booking(ctx, config, &cmd, Move::Force)
            },
        )
    }
}

fn required_reason(reason: Option<&str>) -> Result<&str> {
    check_opt_text("reason", reason, MAX_LONG_TEXT)?;
    match reason.map(str::trim) {
        Some(r) if !r.is_empty() => Ok(r),
        _ => Err(Error::invalid_input(
            "reason",
            "an admin override needs a reason",
        )),
    }
}

/// Ends one booking by force (an override or a forced archive): a hold is released, a
/// confirmed booking cancelled, a checked-in one completed now. `None` when it had already
/// ended.
pub(super) fn end_by_force(
    ctx: &mut Ctx<'_>,
    id: &BookingId,
    reason: &str,
) -> Result<Option<Booking>> {
    let before = ctx
        .tx
        .booking(id)?
        .ok_or_else(|| Error::not_found("booking", id.as_str()))?;
    let current = before.as_of(ctx.now);
    let (to, action) = match current.status {
        BookingStatus::Held => (BookingStatus::Released, Action::BookingReleased),
        BookingStatus::Confirmed => (BookingStatus::Cancelled, Action::BookingCancelled),
        BookingStatus::CheckedIn => (BookingStatus::Completed, Action::BookingCheckedOut),
        _ => return Ok(None),
    };
    let mut after: Booking = current;
    after.status = to;
    after.ended_at = Some(ctx.now);
    after.cancel_reason = (to == BookingStatus::Cancelled).then(|| reason.to_owned());
    after.version += 1;
    after.updated_at = ctx.now;
    ctx.tx.put_booking(after.clone())?;
    ctx.record_booking(action, Some(&before), &after, Some(reason))?;
    Ok(Some(after.as_of(ctx.now)))
}
