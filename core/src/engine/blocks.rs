//! Maintenance blocks (M1): placing them with a strategy for the bookings in the way, and
//! removing them.

use std::collections::BTreeSet;

use super::admin::end_by_force;
use super::context::Ctx;
use super::policies::require_admin;
use super::{Engine, EngineConfig};
use crate::audit::Action;
use crate::block::{Block, BlockOutcome, BlockStrategy, MovedBooking};
use crate::booking::Booking;
use crate::commands::{BlockQuery, NewBlock, RemoveBlock};
use crate::error::{ConflictItem, Error, OccupantKind, Result};
use crate::ids::{BookingId, ResourceId};
use crate::limits::{check_opt_text, MAX_LONG_TEXT};
use crate::recurrence::SeriesRule;
use crate::resource::Resource;
use crate::store::Store;
use crate::time::{Span, Timestamp};

impl<S: Store> Engine<S> {
    /// Blocks a resource, or every resource with a tag, for a span (M1). Bookings in the
    /// way are handled by the command's strategy: `reject` refuses with a `conflict`
    /// listing them, `cancel` ends them with the block's reason, `move` moves each to an
    /// equivalent free resource (or refuses if one cannot move). All-or-nothing.
    pub fn create_block(&mut self, cmd: NewBlock) -> Result<BlockOutcome> {
        self.mutate(
            "create_block",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, config| {
                require_admin(ctx, "place or remove blocks")?;
                check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
                let targets = block_targets(ctx, &cmd)?;
                let mut outcome = BlockOutcome {
                    blocks: Vec::new(),
                    cancelled: Vec::new(),
                    moved: Vec::new(),
                };
                let target_ids: BTreeSet<ResourceId> =
                    targets.iter().map(|r| r.id.clone()).collect();
                let reason = cmd.reason.as_deref().unwrap_or("maintenance");
                let series = match &cmd.recurrence {
                    Some(_) => Some(format!("blks_{}", ctx.tx.next_sequence()?)),
                    None => None,
                };
                let mut placements = Vec::new();
                for resource in &targets {
                    for span in block_spans(resource, &cmd, config)? {
                        placements.push((resource.clone(), span));
                    }
                }
                for (resource, span) in placements {
                    let in_the_way = bookings_in_the_way(ctx, &resource.id, span)?;
                    match cmd.strategy {
                        BlockStrategy::Reject if !in_the_way.is_empty() => {
                            return Err(Error::conflict(in_the_way));
                        }
                        BlockStrategy::Reject => {}
                        BlockStrategy::Cancel => {
                            for item in &in_the_way {
                                let id = BookingId::from(item.id.as_str());
                                end_by_force(ctx, &id, reason)?;
                                outcome.cancelled.push(id);
                            }
                        }
                        BlockStrategy::Move => {
                            for item in &in_the_way {
                                let id = BookingId::from(item.id.as_str());
                                let to = move_booking(ctx, &id, &resource, &target_ids, reason)
                                    .ok_or_else(|| Error::conflict(vec![item.clone()]))??;
                                outcome.moved.push(MovedBooking {
                                    booking: id,
                                    from: resource.id.clone(),
                                    to,
                                });
                            }
                        }
                    }
                    let block = Block {
                        id: format!("blk_{}", ctx.tx.next_sequence()?),
                        resource: resource.id.clone(),
                        start: span.start,
                        end: span.end,
                        reason: cmd.reason.clone(),
                        series: series.clone(),
                        created_at: ctx.now,
                    };
                    ctx.tx.put_block(block.clone())?;
                    ctx.record_block(Action::BlockCreated, &block)?;
                    outcome.blocks.push(block);
                }
                Ok(outcome)
            },
        )
    }

    /// Removes a block; its span becomes bookable again.
    pub fn remove_block(&mut self, cmd: RemoveBlock) -> Result<Block> {
        self.mutate(
            "remove_block",
            &cmd,
            cmd.idempotency_key.as_deref(),
            cmd.actor.clone(),
            |ctx, _, _| {
                require_admin(ctx, "place or remove blocks")?;
                let block = ctx
                    .tx
                    .delete_block(&cmd.id)?
                    .ok_or_else(|| Error::not_found("block", &cmd.id))?;
                ctx.record_block(Action::BlockRemoved, &block)?;
                if let (true, Some(series)) = (cmd.series, &block.series) {
                    let mut rest = Vec::new();
                    ctx.tx.blocks(&mut |b| {
                        if b.series.as_ref() == Some(series) && b.end > ctx.now {
                            rest.push(b.id.clone());
                        }
                    })?;
                    rest.sort();
                    for id in rest {
                        if let Some(other) = ctx.tx.delete_block(&id)? {
                            ctx.record_block(Action::BlockRemoved, &other)?;
                        }
                    }
                }
                Ok(block)
            },
        )
    }

    /// A resource's blocks overlapping `[from, to)`, in start order.
    pub fn blocks(&self, query: &BlockQuery) -> Result<Vec<Block>> {
        self.store().refresh()?;
        let window = Span::new(
            query.from.unwrap_or(Timestamp::MIN),
            query.to.unwrap_or(Timestamp::MAX),
        )
        .ok_or_else(|| Error::invalid_input("to", "`to` must be after `from`"))?;
        let mut out = Vec::new();
        self.store
            .resource_blocks(&query.resource, window, &mut |b| out.push(b.clone()))?;
        Ok(out)
    }
}

/// The spans a block command puts on `resource`: one, or every occurrence of its
/// recurrence in the resource's wall time (C5).
fn block_spans(resource: &Resource, cmd: &NewBlock, config: &EngineConfig) -> Result<Vec<Span>> {
    let Some(recurrence) = &cmd.recurrence else {
        return Ok(vec![super::bookings::resolve_span(
            resource,
            &cmd.start,
            &cmd.end,
            cmd.disambiguation,
        )?]);
    };
    if recurrence.weekly.is_some() {
        return Err(Error::invalid_input(
            "recurrence.weekly",
            "a recurring block gives an `rrule`; `start` and `end` are its first occurrence",
        ));
    }
    let tz = resource.tz()?;
    let text = recurrence
        .rrule
        .as_deref()
        .ok_or_else(|| Error::invalid_input("recurrence.rrule", "give the block's RRULE"))?;
    let (rule, _) = SeriesRule::new(
        cmd.start.to_local(tz, "start")?,
        cmd.end.to_local(tz, "end")?,
        text,
        recurrence,
        tz,
    )?;
    let cap = rule.first_start.0 + chrono::Duration::days(i64::from(config.series_cap_days));
    let keys = rule.expand(tz, cap, config.max_series_occurrences)?.keys;
    keys.into_iter()
        .map(|key| {
            let span = SeriesRule::span_of(key, rule.wall_duration(), tz, cmd.disambiguation)?;
            span.ok_or_else(|| {
                Error::invalid_input("recurrence", format!("the occurrence at {key} is empty"))
            })
        })
        .collect()
}

/// The resources a block command names: one resource, or every unarchived one with the tag.
fn block_targets(ctx: &Ctx<'_>, cmd: &NewBlock) -> Result<Vec<std::sync::Arc<Resource>>> {
    match (&cmd.resource, &cmd.tag) {
        (Some(id), None) => Ok(vec![ctx.resource(id)?]),
        (None, Some(tag)) => {
            let mut ids = Vec::new();
            ctx.tx.resources(&mut |r| {
                if !r.is_archived() && r.tags.contains(tag) {
                    ids.push(r.id.clone());
                }
            })?;
            if ids.is_empty() {
                return Err(Error::invalid_input(
                    "tag",
                    format!("no resource carries tag `{tag}`"),
                ));
            }
            ids.iter().map(|id| ctx.resource(id)).collect()
        }
        _ => Err(Error::invalid_input(
            "resource",
            "a block names exactly one of `resource` or `tag`",
        )),
    }
}

/// Bookings (not blocks) that hold units somewhere in `span`, buffers included.
fn bookings_in_the_way(
    ctx: &Ctx<'_>,
    resource: &ResourceId,
    span: Span,
) -> Result<Vec<ConflictItem>> {
    let mut items = Vec::new();
    ctx.tx.with_index(resource, &mut |idx| {
        items = idx
            .active_overlapping(span, ctx.now, None)
            .filter(|e| e.occupant.kind == OccupantKind::Booking)
            .map(|e| e.to_conflict())
            .collect();
    })?;
    Ok(items)
}

/// Moves a booking off `from` to the first equivalent resource (by id) where it fits:
/// same kind and location, at least its tags, enough capacity, not archived, not being
/// blocked. `None` when there is none.
fn move_booking(
    ctx: &mut Ctx<'_>,
    id: &BookingId,
    from: &Resource,
    blocked: &BTreeSet<ResourceId>,
    reason: &str,
) -> Option<Result<ResourceId>> {
    let before: Booking = match ctx.tx.booking(id) {
        Ok(Some(b)) => b.as_of(ctx.now),
        Ok(None) => {
            return Some(Err(Error::internal(format!(
                "indexed booking `{id}` is missing"
            ))))
        }
        Err(e) => return Some(Err(e)),
    };
    let mut candidates: Vec<Resource> = Vec::new();
    let listed = ctx.tx.resources(&mut |r| {
        let equivalent = !r.is_archived()
            && !blocked.contains(&r.id)
            && r.kind == from.kind
            && r.location == from.location
            && r.capacity >= before.quantity
            && from.tags.iter().all(|t| r.tags.contains(t));
        if equivalent {
            candidates.push(r.clone());
        }
    });
    if let Err(e) = listed {
        return Some(Err(e));
    }
    let occupied = before.occupied_span();
    for candidate in candidates {
        let mut fits = false;
        if let Err(e) = ctx.tx.with_index(&candidate.id, &mut |idx| {
            fits = idx.fits(occupied, before.quantity, candidate.capacity, ctx.now, None);
        }) {
            return Some(Err(e));
        }
        if fits {
            let mut after = before.clone();
            after.resource = candidate.id.clone();
            after.version += 1;
            after.updated_at = ctx.now;
            let written = ctx.tx.put_booking(after.clone()).and_then(|_| {
                ctx.record_booking(Action::BookingModified, Some(&before), &after, Some(reason))
            });
            return Some(written.map(|_| candidate.id));
        }
    }
    None
}
