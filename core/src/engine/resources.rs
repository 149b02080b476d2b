//! Resource commands (R1).

use serde::{Deserialize, Serialize};

use super::admin::end_by_force;
use super::context::check_version;
use super::Engine;
use crate::audit::Action;
use crate::commands::{ArchiveResource, NewResource, ResourceUpdate};
use crate::error::{Error, ErrorCode, ErrorDetails, OccupantKind, Result};
use crate::ids::BookingId;
use crate::limits::{check_opt_text, MAX_LONG_TEXT};
use crate::resource::{empty_object, normalize_tags, Resource};
use crate::store::Store;
use crate::time::{Span, Timestamp};

/// What archiving did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArchiveOutcome {
    /// The archived resource.
    pub resource: Resource,
    /// Bookings ended because of it (only with `force`).
    pub ended_bookings: Vec<BookingId>,
}

impl<S: Store> Engine<S> {
    /// Creates a resource (R1). `already_exists` if the id is taken.
    pub fn create_resource(&mut self, cmd: NewResource) -> Result<Resource> {
        let actor = cmd.actor.clone();
        self.mutate(
            "create_resource",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, _| {
                let mut resource = Resource {
                    id: cmd.id.clone(),
                    name: cmd.name.clone().unwrap_or_else(|| cmd.id.to_string()),
                    kind: cmd.kind.clone().unwrap_or_else(|| "desk".into()),
                    tags: cmd.tags.clone(),
                    capacity: cmd.capacity.unwrap_or(1),
                    timezone: cmd.timezone.clone().unwrap_or_else(|| "UTC".into()),
                    location: cmd.location.clone(),
                    attributes: cmd.attributes.clone().unwrap_or_else(empty_object),
                    archived_at: None,
                    version: 1,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                normalize_tags(&mut resource.tags);
                resource.validate()?;
                if ctx.tx.resource(&resource.id)?.is_some() {
                    return Err(Error::already_exists("resource", resource.id.as_str()));
                }
                ctx.tx.put_resource(resource.clone())?;
                ctx.record_resource(Action::ResourceCreated, None, &resource, None)?;
                Ok(resource)
            },
        )
    }

    /// Changes a resource's fields. Lowering the capacity below what future bookings hold
    /// is a `conflict` listing them.
    pub fn update_resource(&mut self, cmd: ResourceUpdate) -> Result<Resource> {
        let actor = cmd.actor.clone();
        self.mutate(
            "update_resource",
            &cmd,
            cmd.idempotency_key.as_deref(),
            actor,
            |ctx, _, _| {
                let before = ctx.resource(&cmd.id)?;
                if let Some(expected) = cmd.expected_version {
                    check_version("resource", cmd.id.as_str(), expected, before.version)?;
                }
                let mut after = (*before).clone();
                if let Some(v) = &cmd.name {
                    after.name = v.clone();
                }
                if let Some(v) = &cmd.kind {
                    after.kind = v.clone();
                }
                if let Some(v) = &cmd.tags {
                    after.tags = v.clone();
                    normalize_tags(&mut after.tags);
                }
                if let Some(v) = cmd.capacity {
                    after.capacity = v;
                }
                if let Some(v) = &cmd.timezone {
                    after.timezone = v.clone();
                }
                if let Some(v) = &cmd.location {
                    after.location = Some(v.clone());
                }
                if let Some(v) = &cmd.attributes {
                    after.attributes = v.clone();
                }
                after.validate()?;
                if after.capacity < before.capacity {
                    let future = future_window(ctx.now);
                    let mut over = Vec::new();
                    ctx.tx.with_index(&after.id, &mut |idx| {
                        over = idx.over_capacity(future, after.capacity, ctx.now);
                    })?;
                    if !over.is_empty() {
                        return Err(Error::conflict(over));
                    }
                }
                after.version += 1;
                after.updated_at = ctx.now;
                ctx.tx.put_resource(after.clone())?;
                ctx.record_resource(Action::ResourceUpdated, Some(&before), &after, None)?;
                Ok(after)
            },
        )
    }

    /// Archives a resource (R1). While bookings that have not ended occupy it, this is
    /// `has_future_bookings` unless `force`, which cancels them (releases holds, completes
    /// check-ins), each audited and evented.
    pub fn archive_resource(&mut self, cmd: ArchiveResource) -> Result<ArchiveOutcome> {
        let actor = cmd.actor.clone();
        self.mutate("archive_resource", &cmd, cmd.idempotency_key.as_deref(), actor, |ctx, _, _| {
            check_opt_text("reason", cmd.reason.as_deref(), MAX_LONG_TEXT)?;
            let before = ctx.resource(&cmd.id)?;
            if before.is_archived() {
                return Ok(ArchiveOutcome {
                    resource: (*before).clone(),
                    ended_bookings: Vec::new(),
                });
            }
            let mut occupying: Vec<BookingId> = Vec::new();
            ctx.tx.with_index(&cmd.id, &mut |idx| {
                // Blocks end with the resource; only bookings stand in the way.
                occupying = idx
                    .active_overlapping(future_window(ctx.now), ctx.now, None)
                    .filter(|e| e.occupant.kind == OccupantKind::Booking)
                    .map(|e| BookingId::from(e.occupant.id.as_str()))
                    .collect();
            })?;
            if !occupying.is_empty() && !cmd.force {
                return Err(Error::new(
                    ErrorCode::HasFutureBookings,
                    format!(
                        "resource `{}` has {} booking(s) that have not ended; archive with force to cancel them",
                        cmd.id,
                        occupying.len()
                    ),
                    ErrorDetails::FutureBookings {
                        bookings: occupying,
                    },
                ));
            }
            let reason = cmd.reason.as_deref().unwrap_or("resource archived");
            for id in &occupying {
                end_by_force(ctx, id, reason)?;
            }
            let mut after = (*before).clone();
            after.archived_at = Some(ctx.now);
            after.version += 1;
            after.updated_at = ctx.now;
            ctx.tx.put_resource(after.clone())?;
            ctx.record_resource(Action::ResourceArchived, Some(&before), &after, cmd.reason.as_deref())?;
            Ok(ArchiveOutcome {
                resource: after,
                ended_bookings: occupying,
            })
        })
    }
}

/// Everything from `now` on.
pub(super) fn future_window(now: Timestamp) -> Span {
    Span {
        start: now,
        end: Timestamp::MAX,
    }
}
