//! Utilization (M3): occupancy per resource and per location, by local day and by hour of
//! day, peak hours, no-show rate, and booking counters, read from each resource's bookings
//! in the range (never from all bookings).
//!
//! *Available* time is open time (the opening hours of the member rules, or all of it)
//! outside blocks, times the capacity, in unit-minutes. *Booked* time is the span of each
//! held, confirmed, checked-in or completed booking (a completed one up to its check-out)
//! times its units. Occupancy is booked ÷ available; it can pass 1 where admins booked
//! outside opening hours.

mod buckets;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::Role;
use crate::booking::{Booking, BookingStatus};
use crate::commands::ResourceFilter;
use crate::engine::{rules_for, Engine, Rejections};
use crate::error::{Error, Result};
use crate::ids::ResourceId;
use crate::resource::Resource;
use crate::store::{Store, StoreRead};
use crate::time::{Span, Timestamp, MS_PER_MIN};
use buckets::{local_hours, spread, LocalHour};

/// Longest range one utilization query may cover: 366 days.
pub const MAX_RANGE_MS: i64 = 366 * 24 * 60 * MS_PER_MIN;
/// How many peak hours a report names.
pub const PEAK_HOURS: usize = 3;

/// What to report on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilizationQuery {
    /// Start.
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
    /// These resources; when empty, every resource matching `filter`.
    #[serde(default)]
    pub resources: Vec<ResourceId>,
    /// Resource filters (used when `resources` is empty).
    #[serde(default)]
    pub filter: ResourceFilter,
}

/// Available and booked unit-minutes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Open unit-minutes outside blocks.
    pub available_minutes: u64,
    /// Booked unit-minutes.
    pub booked_minutes: u64,
    /// Booked ÷ available (0 when nothing was available).
    pub occupancy: f64,
}

/// Usage on one local date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayUsage {
    /// The local date (`"2026-03-02"`).
    #[serde(with = "crate::time::iso_date")]
    pub date: NaiveDate,
    /// Its usage.
    #[serde(flatten)]
    pub usage: Usage,
}

/// Usage in one hour of the day (0–23, local), summed over the range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HourUsage {
    /// The local hour of day.
    pub hour: u8,
    /// Its usage.
    #[serde(flatten)]
    pub usage: Usage,
}

/// Booking counters over the bookings starting in the range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Bookings made (any state).
    pub bookings: u64,
    /// Of them, cancelled.
    pub cancelled: u64,
    /// Of them, no-shows.
    pub no_shows: u64,
    /// Of them, checked in at some point.
    pub checked_in: u64,
    /// Of them, completed.
    pub completed: u64,
    /// No-shows ÷ (no-shows + check-ins); `None` when neither happened.
    pub no_show_rate: Option<f64>,
}

/// The utilization of one resource, or of one location's resources together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    /// Over the whole range.
    pub total: Usage,
    /// By local date, in date order.
    pub by_day: Vec<DayUsage>,
    /// By local hour of day, 0 to 23.
    pub by_hour: Vec<HourUsage>,
    /// The busiest hours of day (highest occupancy first, at most three, only hours
    /// with bookings).
    pub peak_hours: Vec<HourUsage>,
    /// Booking counters.
    pub counts: Counts,
}

/// One resource's utilization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceUtilization {
    /// The resource.
    pub resource: ResourceId,
    /// Its location.
    pub location: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub report: UsageReport,
}

/// One location's utilization (resources without a location are grouped under `None`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationUtilization {
    /// The location.
    pub location: Option<String>,
    /// The figures of its resources together.
    #[serde(flatten)]
    pub report: UsageReport,
}

/// What [`Engine::utilization`] returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Utilization {
    /// Start.
    pub from: Timestamp,
    /// End (exclusive).
    pub to: Timestamp,
    /// Every resource reported on, together.
    #[serde(flatten)]
    pub overall: UsageReport,
    /// Per resource, in id order.
    pub resources: Vec<ResourceUtilization>,
    /// Per location, in location order.
    pub locations: Vec<LocationUtilization>,
    /// Requests refused since this engine started (held in memory, not in the store,
    /// since a refused command writes nothing).
    pub rejected: Rejections,
}

/// Milliseconds summed per local date and per hour of day.
#[derive(Default)]
struct Tally {
    available: u64,
    booked: u64,
    days: BTreeMap<NaiveDate, (u64, u64)>,
    hours: [(u64, u64); 24],
    counts: Counts,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.available += other.available;
        self.booked += other.booked;
        for (date, (a, b)) in &other.days {
            let day = self.days.entry(*date).or_default();
            day.0 += a;
            day.1 += b;
        }
        for (mine, theirs) in self.hours.iter_mut().zip(&other.hours) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        let c = &other.counts;
        let me = &mut self.counts;
        me.bookings += c.bookings;
        me.cancelled += c.cancelled;
        me.no_shows += c.no_shows;
        me.checked_in += c.checked_in;
        me.completed += c.completed;
    }

    fn report(&self) -> UsageReport {
        let by_hour: Vec<HourUsage> = self
            .hours
            .iter()
            .enumerate()
            .map(|(hour, (a, b))| HourUsage {
                hour: hour as u8,
                usage: usage(*a, *b),
            })
            .collect();
        let mut peak_hours: Vec<HourUsage> = by_hour
            .iter()
            .filter(|h| h.usage.booked_minutes > 0)
            .cloned()
            .collect();
        peak_hours.sort_by(|x, y| {
            y.usage
                .occupancy
                .total_cmp(&x.usage.occupancy)
                .then(y.usage.booked_minutes.cmp(&x.usage.booked_minutes))
                .then(x.hour.cmp(&y.hour))
        });
        peak_hours.truncate(PEAK_HOURS);
        let mut counts = self.counts.clone();
        let seen = counts.no_shows + counts.checked_in;
        counts.no_show_rate = (seen > 0).then(|| counts.no_shows as f64 / seen as f64);
        UsageReport {
            total: usage(self.available, self.booked),
            by_day: self
                .days
                .iter()
                .map(|(date, (a, b))| DayUsage {
                    date: *date,
                    usage: usage(*a, *b),
                })
                .collect(),
            by_hour,
            peak_hours,
            counts,
        }
    }
}

fn usage(available_ms: u64, booked_ms: u64) -> Usage {
    let minute = MS_PER_MIN as u64;
    Usage {
        available_minutes: available_ms / minute,
        booked_minutes: booked_ms / minute,
        occupancy: if available_ms == 0 {
            0.0
        } else {
            booked_ms as f64 / available_ms as f64
        },
    }
}

impl<S: Store> Engine<S> {
    /// Occupancy, peak hours, no-show rate and counters over `[from, to)` (M3), per
    /// resource, per location and overall. Days and hours are local to each resource.
    ///
    /// ```
    /// use slotwise::{Engine, ManualClock, NewBooking, NewResource};
    /// use slotwise::utilization::UtilizationQuery;
    ///
    /// let clock = ManualClock::at("2026-03-02T08:00:00Z".parse().unwrap());
    /// let mut engine = Engine::in_memory().with_clock(clock);
    /// engine.create_resource(NewResource::new("desk-1")).unwrap();
    /// engine.book(NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T15:00")).unwrap();
    ///
    /// let report = engine.utilization(&UtilizationQuery {
    ///     from: "2026-03-02T00:00:00Z".parse().unwrap(),
    ///     to: "2026-03-03T00:00:00Z".parse().unwrap(),
    ///     ..Default::default()
    /// }).unwrap();
    /// assert_eq!(report.overall.total.booked_minutes, 360);
    /// assert_eq!(report.overall.total.occupancy, 0.25);
    /// assert_eq!(report.overall.peak_hours[0].hour, 9);
    /// ```
    pub fn utilization(&self, query: &UtilizationQuery) -> Result<Utilization> {
        self.store().refresh()?;
        let range = Span::new(query.from, query.to)
            .ok_or_else(|| Error::invalid_input("to", "`to` must be after `from`"))?;
        if range.len_millis() > MAX_RANGE_MS {
            return Err(Error::invalid_input(
                "to",
                "a utilization range spans at most 366 days",
            ));
        }
        let store: &dyn StoreRead = self.store();
        let now = self.now();
        let mut hours_by_zone: BTreeMap<String, Vec<LocalHour>> = BTreeMap::new();
        let mut overall = Tally::default();
        let mut by_location: BTreeMap<Option<String>, Tally> = BTreeMap::new();
        let mut resources = Vec::new();
        for r in self.named_or_filtered(&query.resources, &query.filter)? {
            let hours = match hours_by_zone.get(&r.timezone) {
                Some(h) => h,
                None => hours_by_zone
                    .entry(r.timezone.clone())
                    .or_insert(local_hours(r.tz()?, range)),
            };
            let tally = self.tally(store, &r, hours, range, now)?;
            overall.add(&tally);
            by_location
                .entry(r.location.clone())
                .or_default()
                .add(&tally);
            resources.push(ResourceUtilization {
                resource: r.id.clone(),
                location: r.location.clone(),
                report: tally.report(),
            });
        }
        Ok(Utilization {
            from: range.start,
            to: range.end,
            overall: overall.report(),
            resources,
            locations: by_location
                .into_iter()
                .map(|(location, t)| LocationUtilization {
                    location,
                    report: t.report(),
                })
                .collect(),
            rejected: self.rejections(),
        })
    }

    /// One resource's figures over `range`.
    fn tally(
        &self,
        store: &dyn StoreRead,
        resource: &Resource,
        hours: &[LocalHour],
        range: Span,
        now: Timestamp,
    ) -> Result<Tally> {
        let rules = rules_for(store, resource, Role::Member, self.config())?;
        let open = match &rules.opening_hours {
            Some(h) => h.open_spans(resource.tz()?, range),
            None => vec![range],
        };
        let mut blocked = Vec::new();
        store.resource_blocks(&resource.id, range, &mut |b| blocked.push(b.span()))?;
        let capacity = u64::from(resource.capacity);
        let mut available = vec![0u64; hours.len()];
        for span in subtract(&open, &blocked) {
            spread(hours, span, capacity, &mut available);
        }
        let mut booked = vec![0u64; hours.len()];
        let mut counts = Counts::default();
        store.resource_bookings(&resource.id, range, &mut |b| {
            let b = b.as_of(now);
            if let Some(span) = booked_span(&b) {
                spread(hours, span, u64::from(b.quantity), &mut booked);
            }
            if range.contains(b.start) {
                count(&mut counts, &b);
            }
        })?;
        let mut tally = Tally {
            counts,
            ..Tally::default()
        };
        for (i, h) in hours.iter().enumerate() {
            let (a, b) = (available[i], booked[i]);
            tally.available += a;
            tally.booked += b;
            let day = tally.days.entry(h.date).or_default();
            day.0 += a;
            day.1 += b;
            let hour = &mut tally.hours[usize::from(h.hour)];
            hour.0 += a;
            hour.1 += b;
        }
        Ok(tally)
    }
}

/// The span a booking used, if it counts as booked.
fn booked_span(b: &Booking) -> Option<Span> {
    let end = match b.status {
        BookingStatus::Held | BookingStatus::Confirmed | BookingStatus::CheckedIn => b.end,
        BookingStatus::Completed => b.ended_at.map_or(b.end, |t| t.min(b.end)),
        _ => return None,
    };
    Span::new(b.start, end)
}

fn count(counts: &mut Counts, b: &Booking) {
    counts.bookings += 1;
    match b.status {
        BookingStatus::Cancelled => counts.cancelled += 1,
        BookingStatus::NoShow => counts.no_shows += 1,
        BookingStatus::Completed => counts.completed += 1,
        _ => {}
    }
    if b.checked_in_at.is_some() {
        counts.checked_in += 1;
    }
}

/// `spans` (sorted, disjoint) minus `holes` (sorted by start, may overlap).
fn subtract(spans: &[Span], holes: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for s in spans {
        let mut at = s.start;
        for h in holes.iter().filter(|h| h.start < s.end && s.start < h.end) {
            if h.start > at {
                out.push(Span {
                    start: at,
                    end: h.start,
                });
            }
            at = at.max(h.end);
        }
        if at < s.end {
            out.push(Span {
                start: at,
                end: s.end,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: i64, b: i64) -> Span {
        Span::new(Timestamp::from_millis(a), Timestamp::from_millis(b)).unwrap()
    }

    #[test]
    fn subtract_removes_overlapping_holes() {
        let got = subtract(
            &[span(0, 100), span(200, 300)],
            &[span(10, 20), span(15, 30), span(90, 210)],
        );
        assert_eq!(got, [span(0, 10), span(30, 90), span(210, 300)]);
    }
}
