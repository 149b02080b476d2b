//! Walking the bookable start times of one resource (A3), shared by the slot list, next
//! available (A4) and the alternatives of a conflict answer (A5).

use std::ops::ControlFlow;

use chrono_tz::Tz;

use super::grid::LocalGrid;
use super::{bookable_windows, Slot};
use crate::index::OccupantRef;
use crate::policy::EffectiveRules;
use crate::resource::Resource;
use crate::store::StoreRead;
use crate::time::{Span, Timestamp, MS_PER_MIN};

/// What a slot must satisfy besides fitting: its length, the grid it starts on, and the
/// window the rules leave for starts.
pub(crate) struct SlotSearch<'a> {
    resource: &'a Resource,
    rules: &'a EffectiveRules,
    duration_ms: i64,
    step_ms: i64,
    /// The zone whose local midnight the step grid is aligned to.
    grid_tz: Tz,
    quantity: u32,
    earliest: Timestamp,
    latest: Timestamp,
    /// The booking being moved, whose own units count as free.
    exclude: Option<&'a OccupantRef>,
}

impl<'a> SlotSearch<'a> {
    /// A search for `duration_ms`-long slots of `quantity` units on `resource` under
    /// `rules`, starting on a `step_mins` grid (default: the granularity) in `grid_tz`
    /// (default: the resource's zone). `None` when the rules allow no such slot at all
    /// (a duration outside the limits, a step off the granularity, more units than the
    /// capacity).
    pub fn new(
        resource: &'a Resource,
        rules: &'a EffectiveRules,
        duration_ms: i64,
        step_mins: Option<u32>,
        grid_tz: Option<Tz>,
        quantity: u32,
        now: Timestamp,
    ) -> crate::error::Result<Option<Self>> {
        let granularity_ms = i64::from(rules.granularity_mins.max(1)) * MS_PER_MIN;
        let step_ms = i64::from(step_mins.unwrap_or(rules.granularity_mins)) * MS_PER_MIN;
        let within_rules = duration_ms > 0
            && step_ms > 0
            && duration_ms >= i64::from(rules.min_duration_mins) * MS_PER_MIN
            && duration_ms <= i64::from(rules.max_duration_mins) * MS_PER_MIN
            && step_ms % granularity_ms == 0
            && quantity > 0
            && quantity <= resource.capacity;
        if !within_rules {
            return Ok(None);
        }
        Ok(Some(SlotSearch {
            resource,
            rules,
            duration_ms,
            step_ms,
            grid_tz: match grid_tz {
                Some(tz) => tz,
                None => resource.tz()?,
            },
            quantity,
            earliest: rules.lead_time_mins.map_or(Timestamp::MIN, |lead| {
                now.add_millis(i64::from(lead) * MS_PER_MIN)
            }),
            latest: rules.horizon_days.map_or(Timestamp::MAX, |days| {
                now.add_millis(i64::from(days) * 24 * 60 * MS_PER_MIN)
            }),
            exclude: None,
        }))
    }

    /// Counts the units of `booking` as free (it is the one being moved).
    pub fn excluding(mut self, booking: Option<&'a OccupantRef>) -> Self {
        self.exclude = booking;
        self
    }

    /// Calls `visit` with every bookable slot lying within `range`, in start order, until
    /// it breaks. One sweep of the index over `range`, never a query per slot.
    pub fn walk(
        &self,
        store: &dyn StoreRead,
        range: Span,
        now: Timestamp,
        visit: &mut dyn FnMut(Slot) -> ControlFlow<()>,
    ) -> crate::error::Result<()> {
        let resource_tz = self.resource.tz()?;
        let grid = LocalGrid::new(self.grid_tz, self.step_ms, range);
        let granularity = i64::from(self.rules.granularity_mins.max(1)) * MS_PER_MIN;
        let rules_grid = LocalGrid::new(resource_tz, granularity, range);
        // The policy's grid is the resource's. A grid in another zone, one crossing a DST
        // change, or a length that is not a whole number of grains may step off it (across
        // a half-hour shift, 90 minutes can run from one local hour to another), so then
        // each start and end is checked.
        let whole_grains = self.duration_ms % granularity == 0;
        let check_alignment =
            self.grid_tz != resource_tz || !rules_grid.has_fixed_offset() || !whole_grains;
        let windows = bookable_windows(
            store,
            self.resource,
            self.rules,
            range,
            self.quantity,
            now,
            self.exclude,
        )?;
        for w in windows {
            let mut s = grid.at_or_after(w.start.max(self.earliest));
            while s.add_millis(self.duration_ms) <= w.end && s <= self.latest {
                let end = s.add_millis(self.duration_ms);
                let aligned =
                    !check_alignment || (rules_grid.contains(s) && rules_grid.contains(end));
                if aligned && visit(Slot { start: s, end }).is_break() {
                    return Ok(());
                }
                s = grid.next(s);
            }
        }
        Ok(())
    }

    /// The first bookable slot within `range`.
    pub fn first(
        &self,
        store: &dyn StoreRead,
        range: Span,
        now: Timestamp,
    ) -> crate::error::Result<Option<Slot>> {
        let mut found = None;
        self.walk(store, range, now, &mut |slot| {
            found = Some(slot);
            ControlFlow::Break(())
        })?;
        Ok(found)
    }
}
