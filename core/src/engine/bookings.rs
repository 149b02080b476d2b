//! Making and moving bookings: book (B1), hold (B2), modify (B3).

use super::context::Ctx;
use super::policies::{enforce, evaluate_placement, rules_for};
use super::{CheckInConfig, Engine, EngineConfig};
use crate::audit::{Action, Actor, Role};
use crate::availability::{self, Wanted};
use crate::booking::{Booking, BookingStatus, CheckInTerms};
use crate::commands::{ModifyBooking, NewBooking};
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::ids::{BookingId, IdGenerator, MemberId, ResourceId};
use crate::index::OccupantRef;
use crate::limits::{
    check_json_object, check_opt_text, MAX_LONG_TEXT, MAX_SHORT_TEXT, MAX_SPAN_MS,
};
use crate::policy::{cutoff_violation, EffectiveRules};
use crate::resource::Resource;
use crate::store::Store;
use crate::time::{Disambiguation, Span, TimeInput, Timestamp};

impl<S: Store> Engine<S> {
    /// Books `[start, end)` now (B1): validates, checks capacity and commits atomically.
    /// A collision is a `conflict` error listing what it collided with.
    pub fn book(&mut self, cmd: NewBooking) -> Result<Booking> {
        let actor = booking_actor(&cmd);
        self.mutate(
            "book",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, ids, config| {
                if cmd.ttl_secs.is_some() {
                    return Err(Error::invalid_input(
                        "ttl_secs",
                        "`ttl_secs` applies to holds; `book` confirms at once",
                    ));
                }
                place(ctx, ids, config, &cmd, false)
            },
        )
    }

    /// Places a hold (B2): it occupies capacity like a booking until its TTL passes;
    /// [`confirm`](Engine::confirm) within the TTL makes it a confirmed booking.
    pub fn hold(&mut self, cmd: NewBooking) -> Result<Booking> {
        let actor = booking_actor(&cmd);
        self.mutate(
            "hold",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, ids, config| place(ctx, ids, config, &cmd, true),
        )
    }

    /// Moves a held or confirmed booking in time and/or to another resource, or changes its
    /// units (B3). Conflicts are checked ignoring the booking itself; on any failure the
    /// booking stays as it was (I4).
    pub fn modify(&mut self, cmd: ModifyBooking) -> Result<Booking> {
        let actor = cmd.actor.clone();
        self.mutate(
            "modify",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, config| move_booking(ctx, config, &cmd, Move::Modify),
        )
    }
}

/// Whose move: a member's (or admin's) modification, or an admin's forced move (M2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Move {
    /// B3: held or confirmed bookings, rules enforced unless overridden.
    Modify,
    /// M2: also checked-in bookings, rules overridden and recorded; capacity still holds.
    Force,
}

/// Moves a booking per `cmd` (modify or force-move).
pub(super) fn move_booking(
    ctx: &mut Ctx<'_>,
    config: &EngineConfig,
    cmd: &ModifyBooking,
    how: Move,
) -> Result<Booking> {
    check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
    check_alternatives(cmd.alternatives)?;
    let before = ctx.booking_for_action(&cmd.booking, cmd.expected_version)?;
    let movable = match before.status {
        BookingStatus::Held | BookingStatus::Confirmed => true,
        BookingStatus::CheckedIn => how == Move::Force,
        _ => false,
    };
    if !movable {
        return Err(Error::new(
            ErrorCode::InvalidTransition,
            format!(
                "booking `{}` is {} and can no longer be moved",
                before.id, before.status
            ),
            ErrorDetails::Transition {
                booking: before.id.clone(),
                from: before.status,
                to: before.status,
            },
        ));
    }
    let resource_id = cmd
        .resource
        .clone()
        .unwrap_or_else(|| before.resource.clone());
    let resource = bookable_resource(ctx, &resource_id)?;
    let tz = resource.tz()?;
    let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
    let resolve = |input: &Option<TimeInput>, field: &str, current: Timestamp| match input {
        Some(t) => t.resolve(tz, cmd.disambiguation, field),
        None => Ok(current),
    };
    let start = resolve(&cmd.start, "start", before.start)?;
    let end = resolve(&cmd.end, "end", before.end)?;
    let span = checked_span(start, end)?;
    let quantity = cmd.quantity.unwrap_or(before.quantity);
    check_quantity(quantity, &resource)?;
    let mut violations: Vec<_> = cutoff_violation(&rules, before.start, ctx.now, false)
        .into_iter()
        .collect();
    violations.extend(evaluate_placement(
        &*ctx.tx,
        &rules,
        tz,
        span,
        ctx.now,
        &before.member,
        Some(&before.id),
    )?);
    enforce(ctx, violations, cmd.override_policies || how == Move::Force)?;

    let after = moved(&before, &resource_id, span, quantity, &rules, ctx.now);
    check_capacity(
        ctx,
        config,
        &resource,
        &rules,
        &after,
        Some(&before),
        cmd.alternatives,
    )?;
    ctx.tx.put_booking(after.clone())?;
    ctx.record_booking(
        Action::BookingModified,
        Some(&before),
        &after,
        cmd.reason.as_deref(),
    )?;
    Ok(after.as_of(ctx.now))
}

/// The actor of a booking command: as given, else the member acting for themself.
fn booking_actor(cmd: &NewBooking) -> Option<Actor> {
    booking_actor_for(cmd.actor.as_ref(), &cmd.member)
}

/// The actor given, else `member` acting for themself.
pub(super) fn booking_actor_for(actor: Option<&Actor>, member: &MemberId) -> Option<Actor> {
    Some(
        actor
            .cloned()
            .unwrap_or_else(|| Actor::member(member.as_str())),
    )
}

/// Book or hold: everything but the TTL is shared.
fn place(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
    cmd: &NewBooking,
    hold: bool,
) -> Result<Booking> {
    if let Some(ttl) = cmd.ttl_secs {
        check_ttl(ttl, config)?;
    }
    check_alternatives(cmd.alternatives)?;
    check_booking_fields(
        ctx,
        &cmd.resource,
        &cmd.member,
        cmd.title.as_deref(),
        cmd.description.as_deref(),
        cmd.metadata.as_ref(),
    )?;
    let resource = bookable_resource(ctx, &cmd.resource)?;
    let span = resolve_span(&resource, &cmd.start, &cmd.end, cmd.disambiguation)?;
    check_quantity(cmd.quantity, &resource)?;
    let rules = rules_for(&*ctx.tx, &resource, ctx.actor.role, config)?;
    let hold_until = if hold {
        let ttl = cmd.ttl_secs.unwrap_or(rules.hold_ttl_secs);
        check_ttl(ttl, config)?;
        Some(ctx.now.add_secs(ttl))
    } else {
        None
    };
    let violations = evaluate_placement(
        &*ctx.tx,
        &rules,
        resource.tz()?,
        span,
        ctx.now,
        &cmd.member,
        None,
    )?;
    enforce(ctx, violations, cmd.override_policies)?;

    let sequence = ctx.tx.next_sequence()?;
    let mut booking = new_booking(
        ids.booking_id(sequence),
        &cmd.resource,
        &cmd.member,
        span,
        cmd.quantity,
        &rules,
        hold_until,
        ctx.now,
    );
    booking.title = cmd.title.clone();
    booking.description = cmd.description.clone();
    booking.attendees = cmd.attendees;
    booking.metadata = cmd.metadata.clone();
    check_capacity(
        ctx,
        config,
        &resource,
        &rules,
        &booking,
        None,
        cmd.alternatives,
    )?;
    if ctx.tx.booking(&booking.id)?.is_some() {
        return Err(Error::internal(format!(
            "the id generator made `{}` twice",
            booking.id
        )));
    }
    ctx.tx.put_booking(booking.clone())?;
    let action = if hold_until.is_some() {
        Action::BookingHeld
    } else {
        Action::BookingCreated
    };
    ctx.record_booking(action, None, &booking, None)?;
    Ok(booking.as_of(ctx.now))
}

/// Checks what every new booking carries: ids, texts and metadata, and that a member
/// books only for themself.
pub(super) fn check_booking_fields(
    ctx: &Ctx<'_>,
    resource: &ResourceId,
    member: &MemberId,
    title: Option<&str>,
    description: Option<&str>,
    metadata: Option<&serde_json::Value>,
) -> Result<()> {
    resource.validate("resource")?;
    member.validate("member")?;
    check_opt_text("title", title, MAX_SHORT_TEXT)?;
    check_opt_text("description", description, MAX_LONG_TEXT)?;
    if let Some(metadata) = metadata {
        check_json_object("metadata", metadata)?;
    }
    check_acting_for(ctx, member, "book")
}

/// `forbidden` when a member acts for another member (`what`: "book", …).
pub(super) fn check_acting_for(ctx: &Ctx<'_>, member: &MemberId, what: &str) -> Result<()> {
    if ctx.actor.role == Role::Member && ctx.actor.id != member.as_str() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            format!(
                "member `{}` may not {what} for member `{member}`",
                ctx.actor.id
            ),
            ErrorDetails::Field {
                field: "member".into(),
            },
        ));
    }
    Ok(())
}

/// A new booking of `span` made at `at` under `rules`: held until `hold_until` if given,
/// else confirmed; no title or metadata yet.
#[allow(clippy::too_many_arguments)]
pub(super) fn new_booking(
    id: BookingId,
    resource: &ResourceId,
    member: &MemberId,
    span: Span,
    quantity: u32,
    rules: &EffectiveRules,
    hold_until: Option<Timestamp>,
    at: Timestamp,
) -> Booking {
    Booking {
        id,
        resource: resource.clone(),
        member: member.clone(),
        start: span.start,
        end: span.end,
        quantity,
        status: if hold_until.is_some() {
            BookingStatus::Held
        } else {
            BookingStatus::Confirmed
        },
        version: 1,
        title: None,
        description: None,
        attendees: None,
        metadata: None,
        hold_expires_at: hold_until,
        check_in: Some(check_in_terms(&rules.check_in, span)),
        checked_in_at: None,
        ended_at: None,
        cancel_reason: None,
        buffer_before_ms: minutes_ms(rules.buffer_before_mins),
        buffer_after_ms: minutes_ms(rules.buffer_after_mins),
        series: None,
        waitlist_entry: None,
        created_at: at,
        updated_at: at,
    }
}

/// `before` moved to `span` on `resource` with `quantity` units at `now`: the next
/// version, with the check-in window and buffers the target's rules give.
pub(super) fn moved(
    before: &Booking,
    resource: &ResourceId,
    span: Span,
    quantity: u32,
    rules: &EffectiveRules,
    now: Timestamp,
) -> Booking {
    let mut after = before.clone();
    after.resource = resource.clone();
    after.start = span.start;
    after.end = span.end;
    after.quantity = quantity;
    after.check_in = Some(check_in_terms(&rules.check_in, span));
    after.buffer_before_ms = minutes_ms(rules.buffer_before_mins);
    after.buffer_after_ms = minutes_ms(rules.buffer_after_mins);
    after.version += 1;
    after.updated_at = now;
    after
}

/// What `booking` would collide with on `resource` as of `at` (nothing when it fits);
/// `moving` is its stored self, left out.
pub(super) fn collisions(
    ctx: &Ctx<'_>,
    resource: &Resource,
    booking: &Booking,
    moving: Option<&Booking>,
    at: Timestamp,
) -> Result<Vec<crate::error::ConflictItem>> {
    let window = booking.occupied_span();
    let me = moving.map(|b| OccupantRef::booking(b.id.as_str()));
    let mut conflicts = Vec::new();
    ctx.tx.with_index(&resource.id, &mut |idx| {
        if !idx.fits(window, booking.quantity, resource.capacity, at, me.as_ref()) {
            conflicts = idx.conflicts(window, booking.quantity, resource.capacity, at, me.as_ref());
        }
    })?;
    Ok(conflicts)
}

/// A resource that exists and is not archived.
pub(super) fn bookable_resource(
    ctx: &Ctx<'_>,
    id: &crate::ids::ResourceId,
) -> Result<std::sync::Arc<Resource>> {
    let resource = ctx.resource(id)?;
    if resource.is_archived() {
        return Err(Error::new(
            ErrorCode::ResourceArchived,
            format!("resource `{id}` is archived and takes no new bookings"),
            ErrorDetails::Entity {
                entity: "resource".into(),
                id: id.to_string(),
            },
        ));
    }
    Ok(resource)
}

/// Reads `start` and `end` in the resource's timezone.
pub(super) fn resolve_span(
    resource: &Resource,
    start: &TimeInput,
    end: &TimeInput,
    choice: Disambiguation,
) -> Result<Span> {
    let tz = resource.tz()?;
    let start = start.resolve(tz, choice, "start")?;
    let end = end.resolve(tz, choice, "end")?;
    checked_span(start, end)
}

pub(super) fn checked_span(start: Timestamp, end: Timestamp) -> Result<Span> {
    let span = Span::new(start, end).ok_or_else(|| {
        Error::invalid_input("end", format!("end {end} must be after start {start}"))
    })?;
    if span.len_millis() > MAX_SPAN_MS {
        return Err(Error::invalid_input(
            "end",
            "a booking may span at most 366 days",
        ));
    }
    Ok(span)
}

pub(super) fn check_quantity(quantity: u32, resource: &Resource) -> Result<()> {
    if quantity == 0 || quantity > resource.capacity {
        return Err(Error::invalid_input(
            "quantity",
            format!(
                "quantity must be 1 to the capacity of `{}` ({}), not {quantity}",
                resource.id, resource.capacity
            ),
        ));
    }
    Ok(())
}

pub(super) fn check_ttl(ttl: i64, config: &EngineConfig) -> Result<()> {
    if ttl <= 0 || ttl > config.max_hold_ttl_secs {
        return Err(Error::invalid_input(
            "ttl_secs",
            format!(
                "a hold TTL must be 1 to {} seconds, not {ttl}",
                config.max_hold_ttl_secs
            ),
        ));
    }
    Ok(())
}

fn minutes_ms(minutes: u32) -> i64 {
    i64::from(minutes) * 60_000
}

/// The check-in window of a booking over `span` under `rules` (B6).
fn check_in_terms(rules: &CheckInConfig, span: Span) -> CheckInTerms {
    CheckInTerms {
        opens_at: span.start.add_secs(-rules.opens_before_secs),
        deadline: rules
            .required
            .then(|| span.start.add_secs(rules.grace_secs).min(span.end)),
    }
}

/// `conflict` unless the booking's units fit everywhere in its occupied span (its stored
/// self aside when it is being moved). The error lists the collisions and offers up to
/// `alternatives` bookings that would go through instead (A5).
pub(super) fn check_capacity(
    ctx: &Ctx<'_>,
    config: &EngineConfig,
    resource: &Resource,
    rules: &EffectiveRules,
    booking: &Booking,
    moving: Option<&Booking>,
    alternatives: Option<u32>,
) -> Result<()> {
    let conflicts = collisions(ctx, resource, booking, moving, ctx.now)?;
    if conflicts.is_empty() {
        return Ok(());
    }
    let wanted = Wanted {
        resource,
        rules,
        role: ctx.actor.role,
        span: Span {
            start: booking.start,
            end: booking.end,
        },
        quantity: booking.quantity,
        member: &booking.member,
        moving,
    };
    let max = alternatives.unwrap_or(config.max_alternatives);
    let offered = availability::alternatives(&*ctx.tx, config, &wanted, ctx.now, max as usize)?;
    Err(Error::conflict_with_alternatives(conflicts, offered))
}

/// `invalid_input` when a request asks for more alternatives than one answer carries.
fn check_alternatives(alternatives: Option<u32>) -> Result<()> {
    match alternatives {
        Some(n) if n > availability::MAX_ALTERNATIVES => Err(Error::invalid_input(
            "alternatives",
            format!(
                "ask for at most {} alternatives",
                availability::MAX_ALTERNATIVES
            ),
        )),
        _ => Ok(()),
    }
}
