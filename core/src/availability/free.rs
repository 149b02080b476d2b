//! Which resources are free for a whole range (A1), site-wide in one pass: the store's
//! site index names the few resources with anything near the range, only those get their
//! own index checked, and rules are resolved once per group of resources sharing them.

use std::collections::HashMap;

use super::{checked_range, FreeResourcesQuery};
use crate::audit::Role;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::policy::{EffectiveRules, RulesCache};
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::{Span, Timestamp, MS_PER_MIN};

impl<S: Store> Engine<S> {
    /// The resources matching `filter` where `quantity` units are free, and which are
    /// open, for the whole of `[from, to)`, in id order (A1). "Free" counts the buffers a
    /// booking of the range would get under the member rules.
    ///
    /// Cost: one scan of the site index over the range, plus one index check per resource
    /// the scan names; never a check of every resource's index.
    pub fn free_resources(&self, query: &FreeResourcesQuery) -> Result<Vec<ResourceId>> {
        self.store().refresh()?;
        let range = checked_range(query.from, query.to)?;
        let now = self.now();
        let store: &dyn StoreRead = self.store();
        let policies = store.policies()?;
        // A booking of the range occupies it padded by its buffers: whatever touches the
        // range padded by the widest buffers of any policy may be in the way.
        let (before, after) = policies.iter().fold((0, 0), |(b, a), p| {
            (
                b.max(p.rules.buffer_before_mins.unwrap_or(0)),
                a.max(p.rules.buffer_after_mins.unwrap_or(0)),
            )
        });
        let mut touched: HashMap<ResourceId, Vec<Span>> = HashMap::new();
        store.site_entries(
            range.padded(minutes(before), minutes(after)),
            &mut |r, e| {
                if e.occupancy.is_active_at(now) {
                    touched.entry(r.clone()).or_default().push(e.span);
                }
            },
        )?;
        let mut check = FreeCheck {
            store,
            range,
            quantity: query.quantity,
            now,
            touched,
            rules: RulesCache::new(&policies, Role::Member, self.config()),
            open: Vec::new(),
        };
        let mut free = Vec::new();
        let mut failure: Option<Error> = None;
        store.resources(&mut |r| {
            let wanted = failure.is_none()
                && !r.is_archived()
                && r.capacity >= query.quantity
                && query.filter.admits(r);
            if wanted {
                match check.is_free(r) {
                    Ok(true) => free.push(r.id.clone()),
                    Ok(false) => {}
                    Err(e) => failure = Some(e),
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        debug_assert!(free.is_sorted(), "stores visit resources in id order");
        Ok(free)
    }
}

fn minutes(m: u32) -> i64 {
    i64::from(m) * MS_PER_MIN
}

/// The state of one free-resources query.
struct FreeCheck<'a> {
    store: &'a dyn StoreRead,
    range: Span,
    quantity: u32,
    now: Timestamp,
    /// The spans of the active entries near the range, by resource.
    touched: HashMap<ResourceId, Vec<Span>>,
    rules: RulesCache<'a>,
    /// (rules group, timezone, open throughout the range), for each pair met so far.
    open: Vec<(usize, String, bool)>,
}

impl FreeCheck<'_> {
    /// Whether `r` is free and open.
    fn is_free(&mut self, r: &Resource) -> Result<bool> {
        let group = self.rules.group(r);
        if let Some(near) = self.touched.get(&r.id) {
            if !self.fits(r, self.rules.rules(group), near)? {
                return Ok(false);
            }
        }
        let Some(hours) = &self.rules.rules(group).opening_hours else {
            return Ok(true);
        };
        let known = self
            .open
            .iter()
            .find(|(g, tz, _)| *g == group && *tz == r.timezone);
        if let Some((_, _, open)) = known {
            return Ok(*open);
        }
        let open = hours.is_open_throughout(r.tz()?, self.range);
        self.open.push((group, r.timezone.clone(), open));
        Ok(open)
    }

    /// Whether a booking of the range fits on `r`, which has active entries over `near`.
    fn fits(&self, r: &Resource, rules: &EffectiveRules, near: &[Span]) -> Result<bool> {
        let occupied = self.range.padded(
            minutes(rules.buffer_before_mins),
            minutes(rules.buffer_after_mins),
        );
        if r.capacity == 1 {
            // Any active entry holds at least the one unit there is.
            return Ok(!near.iter().any(|span| span.overlaps(&occupied)));
        }
        let mut fits = false;
        self.store.with_index(&r.id, &mut |idx| {
            fits = idx.fits(occupied, self.quantity, r.capacity, self.now, None);
        })?;
        Ok(fits)
    }
}
