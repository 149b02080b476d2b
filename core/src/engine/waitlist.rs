//! Waitlist commands and the offers made when units free up (W1–W3). The queue's rules
//! are described in [`crate::waitlist`].

use super::bookings::{
    bookable_resource, booking_actor_for, check_acting_for, check_quantity, check_ttl, collisions,
    new_booking, resolve_span,
};
use super::context::{Ctx, Freed};
use super::policies::{evaluate_placement, rules_for};
use super::tick::{apply_due, TickReport};
use super::{Engine, EngineConfig};
use crate::audit::{Action, Actor, Role};
use crate::booking::BookingStatus;
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::ids::IdGenerator;
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::Timestamp;
use crate::waitlist::{
    JoinWaitlist, Offer, WaitlistAction, WaitlistEntry, WaitlistPosition, WaitlistQuery,
    WaitlistStatus,
};

impl<S: Store> Engine<S> {
    /// Joins a waitlist for a span that is full (W1): on one resource, or on any resource
    /// matching a filter. Refused with `not_full` when the span could be booked now,
    /// `already_exists` when the member already waits for this span, `waitlist_full`
    /// when the queue is at its maximum length, and `policy_violation` when the member's
    /// rules would refuse the booking anyway.
    ///
    /// ```
    /// use slotwise::{Engine, ManualClock, NewBooking, NewResource};
    /// use slotwise::waitlist::{JoinWaitlist, WaitlistStatus};
    ///
    /// let mut engine = Engine::in_memory()
    ///     .with_clock(ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap()));
    /// engine.create_resource(NewResource::new("room-a")).unwrap();
    /// engine.book(NewBooking::new("room-a", "ann", "2026-03-02T09:00", "2026-03-02T10:00")).unwrap();
    /// let wait = engine.join_waitlist(JoinWaitlist::for_resource(
    ///     "room-a", "bob", "2026-03-02T09:00", "2026-03-02T10:00")).unwrap();
    /// assert_eq!((wait.position, wait.queue_length), (Some(1), 1));
    /// assert_eq!(wait.entry.status, WaitlistStatus::Waiting);
    /// ```
    pub fn join_waitlist(&mut self, cmd: JoinWaitlist) -> Result<WaitlistPosition> {
        let actor = booking_actor_for(cmd.actor.as_ref(), &cmd.member);
        self.mutate(
            "join_waitlist",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, config| join(ctx, config, &cmd),
        )
    }

    /// Leaves a waitlist; a pending offer's hold is released (and passes on).
    pub fn leave_waitlist(&mut self, cmd: WaitlistAction) -> Result<WaitlistPosition> {
        self.mutate(
            "leave_waitlist",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, _| {
                let entry = entry_for_action(ctx, &cmd.entry)?;
                if !entry.status.is_open() {
                    return Err(closed(&entry));
                }
                let mut after = entry.clone();
                after.status = WaitlistStatus::Left;
                after.version += 1;
                after.updated_at = ctx.now;
                ctx.tx.put_waitlist_entry(after.clone())?;
                ctx.record_waitlist(Action::WaitlistLeft, &after)?;
                if let Some(offer) = &entry.offer {
                    let hold = ctx
                        .tx
                        .booking(&offer.booking)?
                        .map(|b| b.as_of(ctx.now))
                        .filter(|b| b.status == BookingStatus::Held);
                    if let Some(before) = hold {
                        let mut released = before.clone();
                        released.status = BookingStatus::Released;
                        released.version += 1;
                        released.updated_at = ctx.now;
                        released.ended_at = Some(ctx.now);
                        ctx.tx.put_booking(released.clone())?;
                        ctx.record_booking(
                            Action::BookingReleased,
                            Some(&before),
                            &released,
                            Some("left the waitlist"),
                        )?;
                    }
                }
                position(&*ctx.tx, &after, ctx.now)
            },
        )
    }

    /// Claims an offer (W3): confirms the offered hold, the same as
    /// [`confirm`](Engine::confirm) on it. After the claim TTL: `hold_expired`.
    pub fn claim_waitlist_offer(&mut self, cmd: WaitlistAction) -> Result<WaitlistPosition> {
        self.mutate(
            "claim_waitlist_offer",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, _| {
                let entry = entry_for_action(ctx, &cmd.entry)?;
                let offer = match (&entry.status, &entry.offer) {
                    (WaitlistStatus::Offered, Some(offer)) => offer.clone(),
                    (WaitlistStatus::Expired, Some(offer)) => {
                        return Err(Error::new(
                            ErrorCode::HoldExpired,
                            format!(
                                "the offer to waitlist entry `{}` lapsed at {}",
                                entry.id, offer.expires_at
                            ),
                            ErrorDetails::HoldExpired {
                                booking: offer.booking.clone(),
                                expired_at: offer.expires_at,
                            },
                        ))
                    }
                    _ => return Err(closed(&entry)),
                };
                let before = ctx
                    .tx
                    .booking(&offer.booking)?
                    .ok_or_else(|| Error::not_found("booking", offer.booking.as_str()))?
                    .as_of(ctx.now);
                before
                    .status
                    .check_transition(BookingStatus::Confirmed, &before.id)?;
                let mut after = before.clone();
                after.status = BookingStatus::Confirmed;
                after.version += 1;
                after.updated_at = ctx.now;
                ctx.tx.put_booking(after.clone())?;
                ctx.record_booking(Action::BookingConfirmed, Some(&before), &after, None)?;
                let claimed = ctx
                    .tx
                    .waitlist_entry(&entry.id)?
                    .ok_or_else(|| Error::internal("a claimed entry vanished"))?;
                position(&*ctx.tx, &claimed, ctx.now)
            },
        )
    }

    /// One entry with its position and queue length, as of now (W2).
    pub fn waitlist_entry(&self, id: &str) -> Result<WaitlistPosition> {
        self.store().refresh()?;
        let entry = self
            .store
            .waitlist_entry(id)?
            .ok_or_else(|| Error::not_found("waitlist entry", id))?;
        position(&self.store, &entry, self.now())
    }

    /// Entries matching `query`, in joining order, each with its position (W2).
    pub fn waitlist(&self, query: &WaitlistQuery) -> Result<Vec<WaitlistPosition>> {
        self.store().refresh()?;
        let now = self.now();
        let mut picked = Vec::new();
        self.store.waitlist_entries(&mut |e| {
            let e = e.as_of(now);
            let wanted = query.member.as_ref().is_none_or(|m| &e.member == m)
                && query.resource.as_ref().is_none_or(|r| {
                    e.resource.as_ref() == Some(r)
                        || e.offer.as_ref().is_some_and(|o| &o.resource == r)
                })
                && (!query.open_only || e.status.is_open());
            if wanted {
                picked.push(e);
            }
        })?;
        picked
            .iter()
            .map(|e| position(&self.store, e, now))
            .collect()
    }
}

fn join(ctx: &mut Ctx<'_>, config: &EngineConfig, cmd: &JoinWaitlist) -> Result<WaitlistPosition> {
    cmd.member.validate("member")?;
    check_acting_for(ctx, &cmd.member, "join a waitlist")?;
    let ttl = cmd.claim_ttl_secs.unwrap_or(config.waitlist_claim_ttl_secs);
    check_ttl(ttl, config).map_err(|_| {
        Error::invalid_input(
            "claim_ttl_secs",
            format!(
                "a claim TTL must be 1 to {} seconds, not {ttl}",
                config.max_hold_ttl_secs
            ),
        )
    })?;
    let (targets, span) = match (&cmd.resource, &cmd.filter) {
        (Some(id), None) => {
            let resource = bookable_resource(ctx, id)?;
            check_quantity(cmd.quantity, &resource)?;
            let span = resolve_span(&resource, &cmd.start, &cmd.end, cmd.disambiguation)?;
            (vec![resource], span)
        }
        (None, Some(filter)) => {
            // Resources matching a filter may sit in different zones: no one wall clock.
            for (field, input) in [("start", &cmd.start), ("end", &cmd.end)] {
                if !input.has_offset() {
                    return Err(Error::invalid_input(
                        field,
                        format!(
                            "`{}` has no offset; a waitlist on a filter takes instants (…Z or ±hh:mm)",
                            input.text()
                        ),
                    ));
                }
            }
            let utc = chrono_tz::UTC;
            let start = cmd.start.resolve(utc, cmd.disambiguation, "start")?;
            let end = cmd.end.resolve(utc, cmd.disambiguation, "end")?;
            let span = super::bookings::checked_span(start, end)?;
            let mut targets = Vec::new();
            ctx.tx.resources(&mut |r| {
                if filter.admits(r) && r.capacity >= cmd.quantity {
                    targets.push(std::sync::Arc::new(r.clone()));
                }
            })?;
            if targets.is_empty() {
                return Err(Error::invalid_input(
                    "filter",
                    "no resource matches the filter with enough capacity",
                ));
            }
            (targets, span)
        }
        _ => {
            return Err(Error::invalid_input(
                "resource",
                "a waitlist entry names exactly one of `resource` or `filter`",
            ))
        }
    };
    if cmd.quantity == 0 {
        return Err(Error::invalid_input(
            "quantity",
            "quantity must be at least 1",
        ));
    }
    if span.start <= ctx.now {
        return Err(Error::invalid_input(
            "start",
            "a waitlist is for a span that has not begun",
        ));
    }
    for resource in &targets {
        let rules = rules_for(&*ctx.tx, resource, Role::Member, config)?;
        let violations = evaluate_placement(
            &*ctx.tx,
            &rules,
            resource.tz()?,
            span,
            ctx.now,
            &cmd.member,
            None,
        )?;
        if !violations.is_empty() {
            if cmd.resource.is_some() {
                return Err(Error::policy_violation(violations));
            }
            // A filter looks on at the other resources.
            continue;
        }
        let probe = new_booking(
            Default::default(),
            &resource.id,
            &cmd.member,
            span,
            cmd.quantity,
            &rules,
            None,
            ctx.now,
        );
        if collisions(ctx, resource, &probe, None, ctx.now)?.is_empty() {
            return Err(Error::new(
                ErrorCode::NotFull,
                format!(
                    "`{}` is free for this span; book it instead of waiting",
                    resource.id
                ),
                ErrorDetails::Entity {
                    entity: "resource".into(),
                    id: resource.id.to_string(),
                },
            ));
        }
    }
    let mut same_member = false;
    let mut queue_length = 0;
    let candidate = WaitlistEntry {
        id: String::new(),
        seq: 0,
        member: cmd.member.clone(),
        resource: cmd.resource.clone(),
        filter: cmd.filter.clone(),
        start: span.start,
        end: span.end,
        quantity: cmd.quantity,
        claim_ttl_secs: ttl,
        status: WaitlistStatus::Waiting,
        offer: None,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    ctx.tx.open_waitlist_entries(&mut |e| {
        let e = e.as_of(ctx.now);
        if !e.status.is_open() {
            return;
        }
        if e.member == cmd.member && e.start == span.start && e.end == span.end {
            same_member = true;
        }
        if e.same_queue(&candidate) {
            queue_length += 1;
        }
    })?;
    if same_member {
        return Err(Error::new(
            ErrorCode::AlreadyExists,
            format!("member `{}` already waits for this span", cmd.member),
            ErrorDetails::Entity {
                entity: "waitlist entry".into(),
                id: cmd.member.to_string(),
            },
        ));
    }
    if queue_length >= config.max_waitlist_length {
        return Err(Error::new(
            ErrorCode::WaitlistFull,
            format!(
                "this waitlist already has {} entries, its maximum",
                config.max_waitlist_length
            ),
            ErrorDetails::None {},
        ));
    }
    let seq = ctx.tx.next_sequence()?;
    let entry = WaitlistEntry {
        id: format!("wl_{seq}"),
        seq,
        ..candidate
    };
    ctx.tx.put_waitlist_entry(entry.clone())?;
    ctx.record_waitlist(Action::WaitlistJoined, &entry)?;
    position(&*ctx.tx, &entry, ctx.now)
}

/// An entry the actor may act on, as of now.
fn entry_for_action(ctx: &mut Ctx<'_>, id: &str) -> Result<WaitlistEntry> {
    let entry = ctx
        .tx
        .waitlist_entry(id)?
        .ok_or_else(|| Error::not_found("waitlist entry", id))?;
    if !ctx.actor_given {
        ctx.actor = Actor::member(entry.member.as_str());
    }
    if ctx.actor.role == Role::Member && ctx.actor.id != entry.member.as_str() {
        return Err(Error::new(
            ErrorCode::Forbidden,
            format!(
                "member `{}` may not act on waitlist entry `{id}` of another member",
                ctx.actor.id
            ),
            ErrorDetails::Entity {
                entity: "waitlist entry".into(),
                id: id.to_owned(),
            },
        ));
    }
    Ok(entry.as_of(ctx.now))
}

fn closed(entry: &WaitlistEntry) -> Error {
    Error::new(
        ErrorCode::InvalidInput,
        format!(
            "waitlist entry `{}` is {} and no longer in the queue",
            entry.id, entry.status
        ),
        ErrorDetails::Entity {
            entity: "waitlist entry".into(),
            id: entry.id.clone(),
        },
    )
}

/// `entry` (read as of `now`) with its place in its queue.
fn position(
    store: &dyn StoreRead,
    entry: &WaitlistEntry,
    now: Timestamp,
) -> Result<WaitlistPosition> {
    let entry = entry.as_of(now);
    let mut ahead = 0;
    let mut queue_length = 0;
    store.open_waitlist_entries(&mut |e| {
        let e = e.as_of(now);
        if e.status.is_open() && e.same_queue(&entry) {
            queue_length += 1;
            if e.seq < entry.seq {
                ahead += 1;
            }
        }
    })?;
    Ok(WaitlistPosition {
        position: entry.status.is_open().then_some(ahead + 1),
        queue_length,
        entry,
    })
}

/// While anyone waits and time has made something due, applies it (with the offers it
/// leads to) in a transaction of its own before a command runs, so those offers are in
/// place whether or not `tick` ran and whatever the command's fate.
pub(super) fn catch_up<S: Store>(
    store: &mut S,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
    now: Timestamp,
) -> Result<()> {
    if store.due_bookings(now, 1)?.is_empty() {
        return Ok(());
    }
    let mut anyone_waits = false;
    store.open_waitlist_entries(&mut |_| anyone_waits = true)?;
    if !anyone_waits {
        return Ok(());
    }
    let mut ctx = Ctx::new(store.begin()?, now, Some(Actor::system()));
    apply_due(&mut ctx, ids, config, &mut TickReport::default())?;
    super::finish(&mut ctx, ids, config)?;
    ctx.tx.commit()
}

/// Offers the units this command freed to the waitlist, first come first served (W3).
/// Everything freed at one instant is served together: the waiting entries that overlap
/// any of it are tried in joining order, each on the first freed resource (by id) its
/// target admits and where it fits. Returns whether any offer was made.
pub(super) fn serve(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
) -> Result<bool> {
    let mut offered = false;
    while let Some(at) = ctx.freed.iter().map(|f| f.at).min() {
        let (now_freed, later): (Vec<Freed>, Vec<Freed>) =
            ctx.freed.drain(..).partition(|f| f.at == at);
        ctx.freed.extend(later);
        let mut resources: Vec<std::sync::Arc<Resource>> = Vec::new();
        for f in &now_freed {
            if resources.iter().any(|r| r.id == f.resource) {
                continue;
            }
            if let Some(r) = ctx.tx.resource(&f.resource)? {
                if !r.is_archived() {
                    resources.push(r);
                }
            }
        }
        resources.sort_by(|a, b| a.id.cmp(&b.id));
        let freed_on = |e: &WaitlistEntry, r: &Resource| {
            e.quantity <= r.capacity
                && match (&e.resource, &e.filter) {
                    (Some(id), _) => id == &r.id,
                    (None, Some(filter)) => filter.admits(r),
                    (None, None) => false,
                }
                && now_freed
                    .iter()
                    .any(|f| f.resource == r.id && e.span().overlaps(&f.window))
        };
        let mut waiting = Vec::new();
        ctx.tx.open_waitlist_entries(&mut |e| {
            let serves = e.status == WaitlistStatus::Waiting
                && at < e.start
                && resources.iter().any(|r| freed_on(e, r));
            if serves {
                waiting.push(e.clone());
            }
        })?;
        let actor = std::mem::replace(&mut ctx.actor, Actor::system());
        let result = (|| {
            for entry in waiting {
                for resource in resources.iter().filter(|r| freed_on(&entry, r)) {
                    if offer(ctx, ids, config, resource, entry.clone(), at)? {
                        offered = true;
                        break;
                    }
                }
            }
            Ok(())
        })();
        ctx.actor = actor;
        result?;
    }
    Ok(offered)
}

/// Offers `entry` a hold on `resource` as of `at` if it fits there now, under the
/// member's rules. Returns whether it did.
fn offer(
    ctx: &mut Ctx<'_>,
    ids: &mut dyn IdGenerator,
    config: &EngineConfig,
    resource: &Resource,
    entry: WaitlistEntry,
    at: Timestamp,
) -> Result<bool> {
    let rules = rules_for(&*ctx.tx, resource, Role::Member, config)?;
    let span = entry.span();
    let violations = evaluate_placement(
        &*ctx.tx,
        &rules,
        resource.tz()?,
        span,
        at,
        &entry.member,
        None,
    )?;
    if !violations.is_empty() {
        return Ok(false);
    }
    let expires_at = at.add_secs(entry.claim_ttl_secs);
    let probe = new_booking(
        Default::default(),
        &resource.id,
        &entry.member,
        span,
        entry.quantity,
        &rules,
        Some(expires_at),
        at,
    );
    if !collisions(ctx, resource, &probe, None, at)?.is_empty() {
        return Ok(false);
    }
    let sequence = ctx.tx.next_sequence()?;
    let mut hold = probe;
    hold.id = ids.booking_id(sequence);
    hold.waitlist_entry = Some(entry.id.clone());
    ctx.tx.put_booking(hold.clone())?;
    ctx.record_booking(Action::BookingHeld, None, &hold, Some("waitlist offer"))?;
    let mut after = entry;
    after.status = WaitlistStatus::Offered;
    after.offer = Some(Offer {
        booking: hold.id.clone(),
        resource: resource.id.clone(),
        offered_at: at,
        expires_at,
    });
    after.version += 1;
    after.updated_at = at;
    ctx.tx.put_waitlist_entry(after.clone())?;
    ctx.record_waitlist(Action::WaitlistOffered, &after)?;
    Ok(true)
}

/// Stores the lapse of every waiting entry whose span has begun; returns how many.
pub(super) fn lapse_due(ctx: &mut Ctx<'_>) -> Result<usize> {
    let mut lapsed = Vec::new();
    ctx.tx.open_waitlist_entries(&mut |e| {
        if e.status == WaitlistStatus::Waiting && ctx.now >= e.start {
            lapsed.push(e.clone());
        }
    })?;
    for entry in &lapsed {
        // Time-driven, like a booking's expiry: no version bump, so reads agree whether
        // or not this ran (B12).
        let after = entry.as_of(ctx.now);
        ctx.tx.put_waitlist_entry(after.clone())?;
        ctx.record_waitlist(Action::WaitlistLapsed, &after)?;
    }
    Ok(lapsed.len())
}
