//! State-machine commands on one booking (B2, B4, B6): confirm, release, cancel, check in,
//! check out. Each reads the booking as of now, so a hold whose TTL has passed is expired
//! here whether or not `tick` ran (B12).

use super::context::Ctx;
use super::policies::{enforce, rules_for};
use super::{Engine, EngineConfig};
use crate::audit::Action;
use crate::audit::Role;
use crate::booking::{Booking, BookingStatus};
use crate::commands::BookingAction;
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::limits::{check_opt_text, MAX_LONG_TEXT};
use crate::policy::cutoff_violation;
use crate::store::Store;
use crate::time::Timestamp;

impl<S: Store> Engine<S> {
    /// Confirms a hold within its TTL (B2). After the TTL: `hold_expired`.
    pub fn confirm(&mut self, cmd: BookingAction) -> Result<Booking> {
        self.transition(
            "confirm",
            cmd,
            BookingStatus::Confirmed,
            Action::BookingConfirmed,
            |b, now| {
                if b.status == BookingStatus::Expired {
                    let expired_at = b.hold_expires_at.unwrap_or(now);
                    return Err(Error::new(
                        ErrorCode::HoldExpired,
                        format!("the hold on booking `{}` expired at {expired_at}", b.id),
                        ErrorDetails::HoldExpired {
                            booking: b.id.clone(),
                            expired_at,
                        },
                    ));
                }
                Ok(())
            },
        )
    }

    /// Lets a hold go before its TTL (B2), freeing its units at once.
    pub fn release(&mut self, cmd: BookingAction) -> Result<Booking> {
        self.transition(
            "release",
            cmd,
            BookingStatus::Released,
            Action::BookingReleased,
            |_, _| Ok(()),
        )
    }

    /// Cancels a confirmed booking (B4), freeing its units at once. The reason is kept on
    /// the booking and in the audit log.
    pub fn cancel(&mut self, cmd: BookingAction) -> Result<Booking> {
        self.transition(
            "cancel",
            cmd,
            BookingStatus::Cancelled,
            Action::BookingCancelled,
            |_, _| Ok(()),
        )
    }

    /// Checks a confirmed booking in (B6), from the window's opening until its deadline.
    pub fn check_in(&mut self, cmd: BookingAction) -> Result<Booking> {
        self.transition(
            "check_in",
            cmd,
            BookingStatus::CheckedIn,
            Action::BookingCheckedIn,
            |b, now| {
                // A booking that can never check in (cancelled, held, …) is an invalid
                // transition, not "not open yet", which would invite a pointless retry.
                b.status.check_transition(BookingStatus::CheckedIn, &b.id)?;
                if let Some(terms) = b.check_in {
                    if now < terms.opens_at {
                        return Err(Error::new(
                            ErrorCode::CheckInNotOpen,
                            format!(
                                "check-in for booking `{}` opens at {}",
                                b.id, terms.opens_at
                            ),
                            ErrorDetails::CheckInWindow {
                                opens_at: terms.opens_at,
                            },
                        ));
                    }
                }
                Ok(())
            },
        )
    }

    /// Checks a booking out before its end (B6): it completes and frees the rest of its span.
    pub fn check_out(&mut self, cmd: BookingAction) -> Result<Booking> {
        self.transition(
            "check_out",
            cmd,
            BookingStatus::Completed,
            Action::BookingCheckedOut,
            |b, _| {
                // confirmed → completed is the end of an unattended span; checking out
                // needs a check-in first.
                if b.status == BookingStatus::Confirmed {
                    return Err(Error::new(
                        ErrorCode::InvalidTransition,
                        format!(
                            "booking `{}` is confirmed but not checked in, so it cannot check out",
                            b.id
                        ),
                        ErrorDetails::Transition {
                            booking: b.id.clone(),
                            from: b.status,
                            to: BookingStatus::Completed,
                        },
                    ));
                }
                Ok(())
            },
        )
    }

    /// The shared shape: load as of now, check actor and version, run the command's own
    /// check (which may refine a refusal, e.g. `hold_expired`), check the transition
    /// table, write, record.
    fn transition(
        &mut self,
        name: &'static str,
        cmd: BookingAction,
        to: BookingStatus,
        action: Action,
        check: impl FnOnce(&Booking, Timestamp) -> Result<()>,
    ) -> Result<Booking> {
        let actor = cmd.actor.clone();
        self.mutate(
            name,
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, config| apply_transition(ctx, config, &cmd, to, action, check),
        )
    }
}

/// Moves one booking to `to` inside a running command (the shape described on
/// `Engine::transition`).
pub(super) fn apply_transition(
    ctx: &mut Ctx<'_>,
    config: &EngineConfig,
    cmd: &BookingAction,
    to: BookingStatus,
    action: Action,
    check: impl FnOnce(&Booking, Timestamp) -> Result<()>,
) -> Result<Booking> {
    check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
    let stored = ctx.booking_for_action(&cmd.booking, cmd.expected_version)?;
    check(&stored, ctx.now)?;
    stored.status.check_transition(to, &stored.id)?;
    if to == BookingStatus::Cancelled {
        let resource = ctx.resource(&stored.resource)?;
        let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
        if let Some(late) = cutoff_violation(&rules, stored.start, ctx.now, true) {
            // An admin may cancel late; the audit record says so (P6).
            let admin = ctx.actor.role != Role::Member;
            enforce(ctx, vec![late], admin)?;
        }
    }
    let mut after = stored.clone();
    after.status = to;
    after.version += 1;
    after.updated_at = ctx.now;
    match to {
        BookingStatus::CheckedIn => after.checked_in_at = Some(ctx.now),
        BookingStatus::Cancelled => {
            after.cancel_reason = cmd.reason.clone();
            after.ended_at = Some(ctx.now);
        }
        BookingStatus::Released | BookingStatus::Completed => after.ended_at = Some(ctx.now),
        _ => {}
    }
    ctx.tx.put_booking(after.clone())?;
    ctx.record_booking(action, Some(&stored), &after, cmd.reason.as_deref())?;
    Ok(after.as_of(ctx.now))
}
