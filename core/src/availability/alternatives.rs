//! Alternatives offered with a conflict (A5): the same resource at nearby times (within
//! 12 hours, never starting in the past when the request does not), and similar resources
//! (same kind, at least the same tags) at the same time. Each one would pass the member's
//! rules and fit, as the store stands.

use std::collections::BinaryHeap;
use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use super::{bookable_windows, SlotSearch};
use crate::audit::Role;
use crate::booking::Booking;
use crate::engine::{evaluate_placement, EngineConfig};
use crate::error::Result;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::index::OccupantRef;
use crate::policy::{effective_rules, EffectiveRules};
use crate::resource::Resource;
use crate::store::StoreRead;
use crate::time::{Span, Timestamp, MS_PER_MIN};

/// How far before and after the requested start same-resource alternatives are sought.
pub const NEARBY_MS: i64 = 12 * 60 * MS_PER_MIN;
/// Most similar resources examined for one answer, so a conflict on a large site costs a
/// bounded amount of work.
pub const MAX_SIMILAR_EXAMINED: usize = 64;

/// Which way an alternative differs from the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    /// The same resource at another time.
    SameResource,
    /// Another resource of the same kind and tags at the same time.
    SimilarResource,
}

impl std::fmt::Display for AlternativeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            AlternativeKind::SameResource => "same_resource",
            AlternativeKind::SimilarResource => "similar_resource",
        })
    }
}

/// A booking that would go through instead of a conflicting one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alternative {
    /// How it differs.
    pub kind: AlternativeKind,
    /// The resource.
    pub resource: ResourceId,
    /// Start.
    pub start: Timestamp,
    /// End (exclusive).
    pub end: Timestamp,
}

/// The request an alternative is sought for.
pub(crate) struct Wanted<'a> {
    /// The resource asked for.
    pub resource: &'a Resource,
    /// Its rules for the actor.
    pub rules: &'a EffectiveRules,
    /// Whose rules apply.
    pub role: Role,
    /// The span asked for.
    pub span: Span,
    /// Units.
    pub quantity: u32,
    /// The member who would hold the booking.
    pub member: &'a MemberId,
    /// The booking being moved, as stored before the move.
    pub moving: Option<&'a Booking>,
}

impl Wanted<'_> {
    fn moving_id(&self) -> Option<&BookingId> {
        self.moving.map(|b| &b.id)
    }

    /// Whether `resource` and `span` are where the booking being moved already is: no
    /// alternative to moving it.
    fn is_where_it_is(&self, resource: &ResourceId, span: Span) -> bool {
        self.moving
            .is_some_and(|b| &b.resource == resource && b.start == span.start && b.end == span.end)
    }
}

/// Up to `max` alternatives to `wanted`, alternating nearby times on the same resource
/// (closest first) with similar resources (same location first, then by id).
pub(crate) fn alternatives(
    store: &dyn StoreRead,
    config: &EngineConfig,
    wanted: &Wanted<'_>,
    now: Timestamp,
    max: usize,
) -> Result<Vec<Alternative>> {
    if max == 0 {
        return Ok(Vec::new());
    }
    let same = nearby_times(store, wanted, now, max)?;
    let similar = similar_resources(store, config, wanted, now, max)?;
    let mut out = Vec::with_capacity(max);
    let (mut a, mut b) = (same.into_iter(), similar.into_iter());
    while out.len() < max {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) => out.extend(x.into_iter().chain(y).take(max - out.len())),
        }
    }
    Ok(out)
}

fn nearby_times(
    store: &dyn StoreRead,
    wanted: &Wanted<'_>,
    now: Timestamp,
    max: usize,
) -> Result<Vec<Alternative>> {
    let me = wanted.moving.map(|b| OccupantRef::booking(b.id.as_str()));
    let Some(search) = SlotSearch::new(
        wanted.resource,
        wanted.rules,
        wanted.span.len_millis(),
        None,
        None,
        wanted.quantity,
        now,
    )?
    else {
        return Ok(Vec::new());
    };
    let search = search.excluding(me.as_ref());
    // Nothing already begun is offered for a request in the future.
    let not_before = if wanted.span.start >= now {
        now
    } else {
        Timestamp::MIN
    };
    let range = Span {
        start: wanted.span.start.add_millis(-NEARBY_MS).max(not_before),
        end: wanted.span.end.add_millis(NEARBY_MS),
    };
    let mut slots = Vec::new();
    search.walk(store, range, now, &mut |slot| {
        let here = Span {
            start: slot.start,
            end: slot.end,
        };
        if slot.start != wanted.span.start && !wanted.is_where_it_is(&wanted.resource.id, here) {
            slots.push(slot);
        }
        ControlFlow::Continue(())
    })?;
    let distance = |t: Timestamp| (t.as_millis() - wanted.span.start.as_millis()).abs();
    slots.sort_by_key(|s| (distance(s.start), s.start));
    let tz = wanted.resource.tz()?;
    let mut out = Vec::new();
    for slot in slots {
        if out.len() == max {
            break;
        }
        let span = Span {
            start: slot.start,
            end: slot.end,
        };
        // Quotas and sanctions can differ from one day to the next.
        let broken = evaluate_placement(
            store,
            wanted.rules,
            tz,
            span,
            now,
            wanted.member,
            wanted.moving_id(),
        )?;
        if broken.is_empty() {
            out.push(Alternative {
                kind: AlternativeKind::SameResource,
                resource: wanted.resource.id.clone(),
                start: slot.start,
                end: slot.end,
            });
        }
    }
    Ok(out)
}

fn similar_resources(
    store: &dyn StoreRead,
    config: &EngineConfig,
    wanted: &Wanted<'_>,
    now: Timestamp,
    max: usize,
) -> Result<Vec<Alternative>> {
    let original = wanted.resource;
    // Ids only (ids up to 24 bytes are inline), at most MAX_SIMILAR_EXAMINED of each
    // location class kept; same location first, then by id.
    let mut near: BinaryHeap<ResourceId> = BinaryHeap::new();
    let mut far: BinaryHeap<ResourceId> = BinaryHeap::new();
    store.resources(&mut |r| {
        let similar = r.id != original.id
            && !wanted.is_where_it_is(&r.id, wanted.span)
            && !r.is_archived()
            && r.kind == original.kind
            && r.capacity >= wanted.quantity
            && original.tags.iter().all(|t| r.tags.contains(t));
        if similar {
            let class = if r.location == original.location {
                &mut near
            } else {
                &mut far
            };
            keep_smallest(class, &r.id);
        }
    })?;
    let candidates: Vec<ResourceId> = near
        .into_sorted_vec()
        .into_iter()
        .chain(far.into_sorted_vec())
        .collect();
    let policies = store.policies()?;
    let me = wanted.moving.map(|b| OccupantRef::booking(b.id.as_str()));
    let mut out = Vec::new();
    for id in candidates.iter().take(MAX_SIMILAR_EXAMINED) {
        if out.len() == max {
            break;
        }
        let Some(r) = store.resource(id)? else {
            continue;
        };
        let r = &*r;
        let rules = effective_rules(&policies, r, wanted.role, config);
        let windows = bookable_windows(
            store,
            r,
            &rules,
            wanted.span,
            wanted.quantity,
            now,
            me.as_ref(),
        )?;
        if windows.first() != Some(&wanted.span) {
            continue;
        }
        let broken = evaluate_placement(
            store,
            &rules,
            r.tz()?,
            wanted.span,
            now,
            wanted.member,
            wanted.moving_id(),
        )?;
        if broken.is_empty() {
            out.push(Alternative {
                kind: AlternativeKind::SimilarResource,
                resource: r.id.clone(),
                start: wanted.span.start,
                end: wanted.span.end,
            });
        }
    }
    Ok(out)
}

/// Adds `id` to `kept` so that it holds the `MAX_SIMILAR_EXAMINED` smallest ids seen,
/// whatever order the store visits resources in: one comparison per id once full.
fn keep_smallest(kept: &mut BinaryHeap<ResourceId>, id: &ResourceId) {
    if kept.len() < MAX_SIMILAR_EXAMINED {
        kept.push(id.clone());
    } else if kept.peek().is_some_and(|largest| id < largest) {
        kept.pop();
        kept.push(id.clone());
    }
}
