//! Alternatives offered with a conflict (A5): the same resource at nearby times (closest
//! first, within 12 hours, never starting in the past when the request does not), and
//! similar resources (same kind, at least the same tags) at the same time, sought among
//! the resource's neighbours in id order, same location first. Each one would pass the
//! member's rules and fit, as the store stands. The cost is bounded: a few sweeps of one
//! index and at most [`MAX_SIMILAR_EXAMINED`] similar resources checked.

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

/// How far before and after the request same-resource alternatives are sought.
pub const NEARBY_MS: i64 = 12 * 60 * MS_PER_MIN;
/// How far the first, cheaper search for same-resource alternatives reaches.
const NEARBY_FIRST_MS: i64 = 2 * 60 * MS_PER_MIN;
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
/// (closest first) with similar resources (same location first, then neighbours by id).
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
    // Search within two hours first, then within twelve: every slot lying within
    // `reach` of the request starts at most `reach` away and every other slot further, so
    // what a narrow search finds is the closest there is.
    let tz = wanted.resource.tz()?;
    let mut out = Vec::new();
    for reach in [NEARBY_FIRST_MS, NEARBY_MS] {
        let range = Span {
            start: wanted.span.start.add_millis(-reach).max(not_before),
            end: wanted.span.end.add_millis(reach),
        };
        let mut slots = Vec::new();
        search.walk(store, range, now, &mut |slot| {
            let here = Span {
                start: slot.start,
                end: slot.end,
            };
            if slot.start != wanted.span.start && !wanted.is_where_it_is(&wanted.resource.id, here)
            {
                slots.push(here);
            }
            ControlFlow::Continue(())
        })?;
        let distance = |t: Timestamp| (t.as_millis() - wanted.span.start.as_millis()).abs();
        slots.sort_by_key(|s| (distance(s.start), s.start));
        out.clear();
        for span in slots {
            if out.len() == max {
                break;
            }
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
                    start: span.start,
                    end: span.end,
                });
            }
        }
        if out.len() == max {
            break;
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
    let policies = store.policies()?;
    let me = wanted.moving.map(|b| OccupantRef::booking(b.id.as_str()));
    // Neighbours in id order (desk-7, desk-8, … wrapping round), at most
    // MAX_SIMILAR_EXAMINED similar ones; the walk stops once enough are found.
    let mut found: Vec<(bool, Alternative)> = Vec::new();
    let mut examined = 0;
    let mut failure = None;
    store.resources_after(&original.id, &mut |r| {
        let similar = r.kind == original.kind
            && r.capacity >= wanted.quantity
            && !r.is_archived()
            && original.tags.iter().all(|t| r.tags.contains(t))
            && r.id != original.id
            && !wanted.is_where_it_is(&r.id, wanted.span);
        if !similar {
            return ControlFlow::Continue(());
        }
        examined += 1;
        match fits_at_the_same_time(store, config, &policies, wanted, r, now, me.as_ref()) {
            Ok(true) => found.push((
                r.location != original.location,
                Alternative {
                    kind: AlternativeKind::SimilarResource,
                    resource: r.id.clone(),
                    start: wanted.span.start,
                    end: wanted.span.end,
                },
            )),
            Ok(false) => {}
            Err(e) => failure = Some(e),
        }
        let enough = failure.is_some()
            || examined == MAX_SIMILAR_EXAMINED
            || found.iter().filter(|(far, _)| !far).count() == max;
        if enough {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    // Same location first; otherwise in the order met.
    found.sort_by_key(|(far, _)| *far);
    Ok(found.into_iter().take(max).map(|(_, a)| a).collect())
}

/// Whether `r` could take the wanted booking at the wanted time under its own rules.
fn fits_at_the_same_time(
    store: &dyn StoreRead,
    config: &EngineConfig,
    policies: &[crate::policy::Policy],
    wanted: &Wanted<'_>,
    r: &Resource,
    now: Timestamp,
    me: Option<&OccupantRef>,
) -> Result<bool> {
    let rules = effective_rules(policies, r, wanted.role, config);
    let windows = bookable_windows(store, r, &rules, wanted.span, wanted.quantity, now, me)?;
    if windows.first() != Some(&wanted.span) {
        return Ok(false);
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
    Ok(broken.is_empty())
}
