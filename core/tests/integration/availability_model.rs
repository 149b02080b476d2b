//! Availability answers (A1–A7) against a brute-force, minute-by-minute reference.
//!
//! Each case builds a random little site in the engine:
//!
//! - one to three resources (capacity 1–3; kind, tags and location drawn from small sets so
//!   that similar resources exist), each in Europe/London, America/New_York, Asia/Kathmandu
//!   (+05:45) or Australia/Lord_Howe (half-hour DST); the three days asked about often hold
//!   a DST change of one of them, sometimes of every resource, and many questions are asked
//!   around that change;
//! - a global policy and sometimes per-resource policies (P1–P4, P7): weekly opening hours
//!   with several and overnight ranges, a date override and a holiday, or no hours at all,
//!   or never open; buffers before and after (0–30 min); granularity 5, 15, 30 or 60;
//!   minimum and maximum duration; lead time and horizon;
//! - bookings placed by an admin overriding the rules (capacity still holds, so some are
//!   refused), some before the policies change (so their stored buffers differ from
//!   today's), some with several units, some cancelled; blocks (M1) on a resource or a tag
//!   that reject, or cancel, the bookings in their way; holds, some expired by the time
//!   the questions are asked; and "now" before or inside the three days.
//!
//! The reference shares no code with the engine's sweeps, grids or hours. Per resource and
//! per minute it keeps the units in use (each active occupant's span with its *stored*
//! buffers; a block takes every unit), whether the resource is open (its own reading of the
//! schedule in local time with chrono-tz), and whether the minute is on the granularity
//! grid (its local minute of the day is a multiple of the granularity), and answers each
//! question by looking at minutes one by one. An occupant holds its units while active as of
//! now: a block always, a hold until its expiry, a confirmed booking until its end (B12: it
//! completes then, and its after-buffer goes with it).
//!
//! What is compared:
//!
//! - A1 `free_resources`: matching resources where a booking of the range, padded by the
//!   new booking's buffers, fits in every minute, and that are open throughout the range;
//! - A2 `free_windows`: the maximal runs of minutes where a booking could be (open, and
//!   with its own buffers around it the units fit), cut to the granularity grid, at least
//!   the longer of the query's and the policy's minimum duration (and at least a minute);
//! - A6 `remaining_units`: maximal runs of minutes with the same free units;
//! - A3 `slots`: starts on the step grid (local midnight of the resource's or the asked
//!   zone) whose span ends within the range and is bookable: the units fit with buffers,
//!   open throughout, both ends on the granularity grid, duration within limits, lead time
//!   and horizon kept;
//! - A4 `next_available`: the earliest such start on a granularity grid at or after `from`
//!   within the look-ahead, ties to the smallest id;
//! - A5 a rejected booking: the collisions it reports, and every alternative bookable, none
//!   being the request itself; nearby times (within 12 hours, none already begun when the
//!   request has not) closest first, alternating with similar resources at the same time
//!   (neighbours by id from the requested one, same location first);
//! - A7 `explain`: the reasons (closed, policy codes, capacity, blocked, booked, buffer) and
//!   `bookable`, empty reasons exactly when the reference says bookable.
//!
//! DST and opening hours: a range's wall times are read as T1's `compatible` choice, as the
//! crate documents for opening hours: a wall time in a gap moves forward by the gap's
//! length, one in a fold takes the earlier instant. The reference finds the gap's offset by
//! stepping back minute by minute to a wall time that exists.
//!
//! `PROPTEST_CASES` sets the number of cases of each test (default 128).

use chrono::{Datelike, LocalResult, NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use proptest::collection::vec;
use proptest::option::weighted;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use slotwise::availability::{
    FreeResourcesQuery, NextAvailableQuery, SlotsQuery, WindowsQuery, MAX_SIMILAR_EXAMINED,
    NEARBY_MS,
};
use slotwise::policy::{DateHours, OpeningHours, TimeRange, WeeklyHours};
use slotwise::{
    Actor, AlternativeKind, BlockStrategy, BookingAction, Engine, Error, ErrorCode, ManualClock,
    MemoryStore, NewBlock, NewBooking, NewResource, OccupantKind, Policy, PutPolicy, ReasonCode,
    ResourceFilter, Rules, Scope, Timestamp, ViolationCode,
};

/// Milliseconds per minute.
const MS: i64 = 60_000;
/// Minutes per day.
const DAY: i64 = 1_440;
/// The days the questions are about: `[D, D + 3 days)`.
const WINDOW: i64 = 3 * DAY;

const ZONES: [&str; 4] = [
    "Europe/London",
    "America/New_York",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
];
/// The first (UTC) day of the window, and the zone changing its offset within it.
const BASES: [(&str, usize); 8] = [
    ("2026-03-07", 1), // New York springs forward on 03-08
    ("2026-03-28", 0), // London springs forward on 03-29
    ("2026-04-04", 3), // Lord Howe falls back half an hour on 04-05 (local)
    ("2026-10-03", 3), // Lord Howe springs forward half an hour on 10-04 (local)
    ("2026-10-24", 0), // London falls back on 10-25
    ("2026-10-31", 1), // New York falls back on 11-01
    ("2026-06-15", 2), // no change anywhere
    ("2026-01-12", 2), // no change anywhere
];
const KINDS: [&str; 2] = ["desk", "room"];
const TAGS: [&str; 2] = ["quiet", "window"];
const LOCATIONS: [Option<&str>; 3] = [None, Some("north"), Some("south")];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(128)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases())
    }
}

// ---------------------------------------------------------------------------------------
// The random site.

/// Opening ranges of a day in minutes since local midnight, `[start, end)`; an end at or
/// before the start is overnight.
type Ranges = Vec<(u16, u16)>;

#[derive(Clone, Debug)]
struct Hours {
    /// Monday first.
    weekly: [Ranges; 7],
    /// A date (days after the window's first day) whose ranges replace its weekday's.
    date_override: Option<(i64, Ranges)>,
    /// A date (days after the window's first day) closed all day.
    holiday: Option<i64>,
}

/// The rule fields one policy sets.
#[derive(Clone, Debug, Default)]
struct RuleSet {
    hours: Option<Hours>,
    granularity: Option<u32>,
    min: Option<u32>,
    max: Option<u32>,
    before: Option<u32>,
    after: Option<u32>,
    lead: Option<u32>,
    horizon: Option<u32>,
}

#[derive(Clone, Debug)]
struct Res {
    /// An index into `ZONES`, or 4 and 5 for the zone changing within the window.
    zone: usize,
    capacity: u32,
    kind: usize,
    tags: (bool, bool),
    location: usize,
}

/// A booking or hold placed by an admin overriding the rules.
#[derive(Clone, Debug)]
struct Place {
    res: usize,
    /// Minutes after the window's start.
    start: i64,
    len: i64,
    quantity: u32,
    /// Cancelled once everything is placed (bookings only).
    cancel: bool,
}

#[derive(Clone, Debug)]
enum Target {
    Resource(usize),
    Tag(usize),
}

#[derive(Clone, Debug)]
struct BlockGen {
    target: Target,
    start: i64,
    len: i64,
    cancel: bool,
}

#[derive(Clone, Debug)]
struct HoldGen {
    place: Place,
    ttl_secs: i64,
    /// How long before "now" it was placed.
    age_secs: i64,
}

#[derive(Clone, Debug)]
struct World {
    base: usize,
    /// Every resource in the zone changing within the window (and the window holding a
    /// change).
    focus: bool,
    resources: Vec<Res>,
    /// The global buffers in force while the early bookings are placed.
    early_buffers: (u32, u32),
    early: Vec<Place>,
    blocks: Vec<BlockGen>,
    global: RuleSet,
    specific: Vec<Option<RuleSet>>,
    late: Vec<Place>,
    holds: Vec<HoldGen>,
    /// Seconds after the window's start (may be negative).
    now_secs: i64,
}

fn wall_range() -> impl Strategy<Value = (u16, u16)> {
    (0u16..96, 1u16..=96).prop_map(|(a, b)| {
        let b = if b == a { a + 1 } else { b };
        (a * 15, b * 15)
    })
}

fn day_ranges() -> impl Strategy<Value = Ranges> {
    prop_oneof![
        1 => Just(Vec::new()),
        4 => vec(wall_range(), 1..=2),
    ]
}

fn hours() -> impl Strategy<Value = Hours> {
    prop_oneof![
        10 => (
            prop::array::uniform7(day_ranges()),
            weighted(0.3, (-1i64..=3, day_ranges())),
            weighted(0.2, -1i64..=3),
        )
            .prop_map(|(weekly, date_override, holiday)| Hours {
                weekly,
                date_override,
                holiday,
            }),
        1 => Just(Hours {
            weekly: Default::default(),
            date_override: None,
            holiday: None,
        }),
    ]
}

fn rule_set(p: f64) -> impl Strategy<Value = RuleSet> {
    let fives = |max: u32| (0..=max / 5).prop_map(|k| k * 5);
    (
        weighted(p * 0.7, hours()),
        weighted(p, select(vec![5u32, 15, 30, 60])),
        weighted(p * 0.7, fives(120)),
        weighted(p * 0.4, (4u32..=32).prop_map(|k| k * 15)),
        weighted(p, fives(30)),
        weighted(p, fives(30)),
        weighted(p * 0.4, fives(720)),
        weighted(p * 0.2, 1u32..=3),
    )
        .prop_map(
            |(hours, granularity, min, max, before, after, lead, horizon)| RuleSet {
                hours,
                granularity,
                min,
                // One policy never sets a minimum above its maximum (validation refuses it);
                // two policies laid over each other may.
                max: match (min, max) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (_, b) => b,
                },
                before,
                after,
                lead,
                horizon,
            },
        )
}

fn resource() -> impl Strategy<Value = Res> {
    (
        0usize..6,
        1u32..=3,
        prop_oneof![4 => Just(0usize), 1 => Just(1)],
        (prop::bool::weighted(0.3), prop::bool::weighted(0.3)),
        0usize..3,
    )
        .prop_map(|(zone, capacity, kind, tags, location)| Res {
            zone,
            capacity,
            kind,
            tags,
            location,
        })
}

fn place() -> impl Strategy<Value = Place> {
    (
        0usize..3,
        0i64..WINDOW / 5,
        1i64..=48,
        1u32..=3,
        weighted(0.2, Just(())),
    )
        .prop_map(|(res, start, len, quantity, cancel)| Place {
            res,
            start: start * 5,
            len: len * 5,
            quantity,
            cancel: cancel.is_some(),
        })
}

fn block() -> impl Strategy<Value = BlockGen> {
    (
        prop_oneof![
            3 => (0usize..3).prop_map(Target::Resource),
            1 => (0usize..2).prop_map(Target::Tag),
        ],
        0i64..WINDOW / 5,
        3i64..=60,
        any::<bool>(),
    )
        .prop_map(|(target, start, len, cancel)| BlockGen {
            target,
            start: start * 5,
            len: len * 5,
            cancel,
        })
}

fn hold() -> impl Strategy<Value = HoldGen> {
    (place(), 60i64..=7_200, 0i64..=7_200).prop_map(|(place, ttl_secs, age_secs)| HoldGen {
        place,
        ttl_secs,
        age_secs,
    })
}

fn world() -> impl Strategy<Value = World> {
    (
        (0usize..BASES.len(), weighted(0.3, Just(()))),
        vec(resource(), 1..=3),
        (0u32..=6, 0u32..=6),
        vec(place(), 0..=14),
        vec(block(), 0..=3),
        rule_set(0.7),
        vec(weighted(0.4, rule_set(0.35)), 3),
        vec(place(), 0..=14),
        vec(hold(), 0..=3),
        prop_oneof![
            (-DAY * 60..0),
            (0..WINDOW * 60),
            (0..WINDOW).prop_map(|m| m * 60),
        ],
    )
        .prop_map(
            |(
                (base, focus),
                resources,
                early,
                e,
                blocks,
                global,
                specific,
                late,
                holds,
                now_secs,
            )| {
                World {
                    base,
                    focus: focus.is_some(),
                    resources,
                    early_buffers: (early.0 * 5, early.1 * 5),
                    early: e,
                    blocks,
                    global,
                    specific,
                    late,
                    holds,
                    now_secs,
                }
            },
        )
}

// ---------------------------------------------------------------------------------------
// The questions.

#[derive(Clone, Debug)]
struct Filter {
    kind: Option<usize>,
    tag: Option<usize>,
    min_capacity: Option<u32>,
    /// 1 or 2: an index into `LOCATIONS`.
    location: Option<usize>,
}

fn filter() -> impl Strategy<Value = Filter> {
    (
        weighted(0.3, 0usize..2),
        weighted(0.3, 0usize..2),
        weighted(0.2, 1u32..=3),
        weighted(0.2, 1usize..3),
    )
        .prop_map(|(kind, tag, min_capacity, location)| Filter {
            kind,
            tag,
            min_capacity,
            location,
        })
}

#[derive(Clone, Debug)]
struct WindowQuery {
    resources: Vec<usize>,
    /// `from` counts from a few hours before the first resource's DST change, if any.
    near: bool,
    /// Minutes after the window's start.
    from: i64,
    len: i64,
    quantity: u32,
    min: Option<u32>,
    filter: Filter,
}

fn window_query() -> impl Strategy<Value = WindowQuery> {
    (
        (vec(0usize..3, 1..=3), weighted(0.4, Just(()))),
        0i64..WINDOW,
        1i64..=2 * DAY,
        1u32..=3,
        weighted(0.4, (0u32..=24).prop_map(|k| k * 5)),
        filter(),
    )
        .prop_map(
            |((resources, near), from, len, quantity, min, filter)| WindowQuery {
                resources,
                near: near.is_some(),
                from,
                len,
                quantity,
                min,
                filter,
            },
        )
}

/// A length: a multiple of the resource's granularity, half an hour more than one (which
/// fits the grid across Lord Howe's half-hour shifts), or a multiple of 5 minutes.
#[derive(Clone, Copy, Debug)]
enum Length {
    Grains(u32),
    GrainsAndAHalfHour(u32),
    Fives(u32),
}

fn length() -> impl Strategy<Value = Length> {
    prop_oneof![
        4 => (1u32..=6).prop_map(Length::Grains),
        1 => (1u32..=4).prop_map(Length::GrainsAndAHalfHour),
        1 => (1u32..=48).prop_map(Length::Fives),
    ]
}

impl Length {
    fn minutes(self, granularity: u32) -> u32 {
        match self {
            Length::Grains(k) => k * granularity,
            Length::GrainsAndAHalfHour(k) => k * granularity + 30,
            Length::Fives(k) => k * 5,
        }
    }
}

#[derive(Clone, Debug)]
struct SlotQuery {
    res: usize,
    near: bool,
    from: i64,
    len: i64,
    length: Length,
    /// The step as a multiple of the granularity.
    step: Option<u32>,
    zone: Option<usize>,
    quantity: u32,
}

fn slot_query() -> impl Strategy<Value = SlotQuery> {
    (
        (0usize..3, weighted(0.4, Just(()))),
        0i64..WINDOW,
        1i64..=2 * DAY,
        length(),
        weighted(0.4, 1u32..=3),
        weighted(0.3, 0usize..4),
        1u32..=3,
    )
        .prop_map(
            |((res, near), from, len, length, step, zone, quantity)| SlotQuery {
                res,
                near: near.is_some(),
                from,
                len,
                length,
                step,
                zone,
                quantity,
            },
        )
}

#[derive(Clone, Debug)]
struct NextQuery {
    near: bool,
    from: i64,
    length: Length,
    /// These resources, or (when `None`) every resource matching the filter.
    resources: Option<Vec<usize>>,
    filter: Filter,
    quantity: u32,
    days: u32,
}

fn next_query() -> impl Strategy<Value = NextQuery> {
    (
        (weighted(0.4, Just(())), 0i64..WINDOW),
        length(),
        weighted(0.5, vec(0usize..3, 1..=3)),
        filter(),
        1u32..=3,
        1u32..=2,
    )
        .prop_map(
            |((near, from), length, resources, filter, quantity, days)| NextQuery {
                near: near.is_some(),
                from,
                length,
                resources,
                filter,
                quantity,
                days,
            },
        )
}

/// A span asked about with `explain`.
#[derive(Clone, Debug)]
struct Probe {
    res: usize,
    near: bool,
    /// Units: within the capacity, or these (perhaps more).
    within: bool,
    /// Starting on the resource's grid with this length, or anywhere for `len` minutes.
    aligned: Option<Length>,
    start: i64,
    len: u32,
    quantity: u32,
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        (0usize..3, weighted(0.4, Just(()))),
        weighted(0.5, length()),
        0i64..WINDOW,
        1u32..=300,
        (prop::bool::weighted(0.8), 1u32..=4),
    )
        .prop_map(
            |((res, near), aligned, start, len, (within, quantity))| Probe {
                res,
                near: near.is_some(),
                within,
                aligned,
                start,
                len,
                quantity,
            },
        )
}

/// A booking that collides: by a member within the rules, or by an admin anywhere.
#[derive(Clone, Debug)]
struct Clash {
    res: usize,
    near: bool,
    admin: bool,
    /// Picks among the colliding candidates (member), or minutes after the window's start
    /// (admin).
    pick: u32,
    length: Length,
    quantity: u32,
    alternatives: Option<u32>,
}

fn clash() -> impl Strategy<Value = Clash> {
    (
        (0usize..3, weighted(0.4, Just(()))),
        weighted(0.25, Just(())),
        any::<u32>(),
        length(),
        1u32..=3,
        weighted(0.7, 0u32..=20),
    )
        .prop_map(
            |((res, near), admin, pick, length, quantity, alternatives)| Clash {
                res,
                near: near.is_some(),
                admin: admin.is_some(),
                pick,
                length,
                quantity,
                alternatives,
            },
        )
}

// ---------------------------------------------------------------------------------------
// The reference.

/// The rules in force, defaults filled in (P2: granularity 15, max 8 h).
#[derive(Clone, Debug)]
struct Eff {
    hours: Option<Hours>,
    granularity: u32,
    min: u32,
    max: u32,
    before: u32,
    after: u32,
    lead: Option<u32>,
    horizon: Option<u32>,
}

impl Eff {
    /// `sets` from the broadest to the most specific; each field set wins.
    fn of(sets: &[&RuleSet]) -> Eff {
        let mut e = Eff {
            hours: None,
            granularity: 15,
            min: 0,
            max: 480,
            before: 0,
            after: 0,
            lead: None,
            horizon: None,
        };
        for s in sets {
            if let Some(h) = &s.hours {
                e.hours = Some(h.clone());
            }
            e.granularity = s.granularity.unwrap_or(e.granularity);
            e.min = s.min.unwrap_or(e.min);
            e.max = s.max.unwrap_or(e.max);
            e.before = s.before.unwrap_or(e.before);
            e.after = s.after.unwrap_or(e.after);
            e.lead = s.lead.or(e.lead);
            e.horizon = s.horizon.or(e.horizon);
        }
        e
    }
}

/// A booking, hold or block as the reference sees it. Times in minutes since the epoch.
#[derive(Clone, Debug)]
struct Occ {
    id: String,
    res: usize,
    block: bool,
    start: i64,
    end: i64,
    occ_start: i64,
    occ_end: i64,
    quantity: u32,
    /// When it stops holding units (ms): a hold's expiry, a confirmed booking's end.
    lapses_at: Option<i64>,
    /// Cancelled.
    ended: bool,
}

/// One resource in the reference, with its per-minute tables over the modelled days.
struct RRes {
    id: String,
    zone: usize,
    capacity: u32,
    kind: &'static str,
    tags: Vec<&'static str>,
    location: Option<&'static str>,
    rules: Eff,
    used: Vec<u32>,
    open: Vec<bool>,
    on_grid: Vec<bool>,
    /// Prefix counts of closed minutes.
    closed: Vec<u32>,
    /// `over[q]`: prefix counts of minutes where `q` more units do not fit.
    over: Vec<Vec<u32>>,
    /// `bad[q]`: prefix counts of minutes where a booking of `q` units cannot be (closed,
    /// or its buffers around it do not fit).
    bad: Vec<Vec<u32>>,
}

/// The per-minute tables of one resource (see [`RRes`]).
struct Tables {
    used: Vec<u32>,
    open: Vec<bool>,
    on_grid: Vec<bool>,
    closed: Vec<u32>,
    over: Vec<Vec<u32>>,
    bad: Vec<Vec<u32>>,
}

struct Model {
    base: NaiveDate,
    /// The window's start, minutes since the epoch.
    d0: i64,
    /// The modelled minutes: `[u0, u0 + n)`.
    u0: i64,
    n: usize,
    /// Now, in ms.
    now: i64,
    /// Each zone of `ZONES` and its UTC offset (minutes) at each modelled minute.
    zones: Vec<(Tz, Vec<i64>)>,
    res: Vec<RRes>,
    occ: Vec<Occ>,
}

fn offsets(tz: Tz, u0: i64, n: usize) -> Vec<i64> {
    let at = |m: i64| {
        let utc = chrono::DateTime::from_timestamp(m * 60, 0)
            .unwrap()
            .naive_utc();
        i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()) / 60
    };
    let mut out = vec![0; n];
    let mut i = 0;
    while i < n {
        let j = (i + 60).min(n);
        let (a, b) = (at(u0 + i as i64), at(u0 + j as i64 - 1));
        for (k, slot) in out.iter_mut().enumerate().take(j).skip(i) {
            // Offsets change at most once an hour: when both ends agree, so does the middle.
            *slot = if a == b { a } else { at(u0 + k as i64) };
        }
        i = j;
    }
    out
}

/// The instant (minutes since the epoch) of wall time `minute` on local `date`, read as
/// T1's `compatible` choice: a time in a fold is its earlier instant; a time in a gap is
/// read with the offset in force before the gap, i.e. pushed forward by the gap's length.
fn wall(tz: Tz, date: NaiveDate, minute: u16) -> i64 {
    let local = date
        .and_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
        .unwrap();
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp() / 60,
        LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()) / 60,
        LocalResult::None => {
            let mut probe = local;
            loop {
                probe -= chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    let offset = i64::from(t.offset().fix().local_minus_utc());
                    return (local.and_utc().timestamp() - offset) / 60;
                }
            }
        }
    }
}

impl Hours {
    fn date(base: NaiveDate, days: i64) -> NaiveDate {
        base + chrono::Duration::days(days)
    }

    /// The ranges that start on local `date`.
    fn ranges_on(&self, base: NaiveDate, date: NaiveDate) -> &[(u16, u16)] {
        if self.holiday.is_some_and(|k| Self::date(base, k) == date) {
            return &[];
        }
        match &self.date_override {
            Some((k, ranges)) if Self::date(base, *k) == date => ranges,
            _ => &self.weekly[date.weekday().num_days_from_monday() as usize],
        }
    }

    /// Whether each minute of `[u0, u0 + n)` is open.
    fn open_minutes(&self, tz: Tz, base: NaiveDate, u0: i64, n: usize) -> Vec<bool> {
        let local_date = |m: i64| {
            let utc = chrono::DateTime::from_timestamp(m * 60, 0).unwrap();
            utc.with_timezone(&tz).date_naive()
        };
        let mut open = vec![false; n];
        let last = local_date(u0 + n as i64).succ_opt().unwrap();
        let mut date = local_date(u0).pred_opt().unwrap();
        while date <= last {
            for &(start, end) in self.ranges_on(base, date) {
                let from = wall(tz, date, start);
                let end_date = if end <= start || end == 1_440 {
                    date.succ_opt().unwrap()
                } else {
                    date
                };
                let to = wall(tz, end_date, end % 1_440);
                for m in from.max(u0)..to.min(u0 + n as i64) {
                    open[(m - u0) as usize] = true;
                }
            }
            date = date.succ_opt().unwrap();
        }
        open
    }

    fn to_engine(&self, base: NaiveDate) -> OpeningHours {
        let ranges = |r: &Ranges| {
            r.iter()
                .map(|&(start, end)| TimeRange { start, end })
                .collect::<Vec<_>>()
        };
        let w = &self.weekly;
        OpeningHours {
            weekly: WeeklyHours {
                mon: ranges(&w[0]),
                tue: ranges(&w[1]),
                wed: ranges(&w[2]),
                thu: ranges(&w[3]),
                fri: ranges(&w[4]),
                sat: ranges(&w[5]),
                sun: ranges(&w[6]),
            },
            overrides: (self.date_override.iter())
                .map(|(k, r)| DateHours {
                    date: Self::date(base, *k),
                    hours: ranges(r),
                })
                .collect(),
            holidays: self.holiday.iter().map(|&k| Self::date(base, k)).collect(),
        }
    }
}

fn prefix(bits: impl Iterator<Item = bool>) -> Vec<u32> {
    let mut out = vec![0];
    let mut count = 0;
    for b in bits {
        count += u32::from(b);
        out.push(count);
    }
    out
}

fn at(minutes: i64) -> String {
    Timestamp::from_millis(minutes * MS).to_string()
}

fn ts(minutes: i64) -> Timestamp {
    Timestamp::from_millis(minutes * MS)
}

fn fail(msg: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(msg.into())
}

fn engine_error(what: &str) -> impl Fn(Error) -> TestCaseError + '_ {
    move |e| fail(format!("{what}: unexpected error {e:?}"))
}

impl Model {
    fn ix(&self, m: i64) -> usize {
        assert!(
            m >= self.u0 && m <= self.u0 + self.n as i64,
            "minute {} outside the modelled days",
            at(m)
        );
        (m - self.u0) as usize
    }

    fn count(&self, prefix: &[u32], a: i64, b: i64) -> u32 {
        if b <= a {
            return 0;
        }
        prefix[self.ix(b)] - prefix[self.ix(a)]
    }

    fn active(&self, o: &Occ, now_ms: i64) -> bool {
        !o.ended && o.lapses_at.is_none_or(|l| now_ms < l)
    }

    /// Whether `q` more units fit in every minute of `[a, b)` on `r`, as of `t` (ms), from
    /// the occupants themselves (used while the site is being built).
    fn fits_at(&self, r: usize, a: i64, b: i64, q: u32, t: i64) -> bool {
        let cap = self.res[r].capacity;
        (a..b).all(|m| {
            let used: u32 = (self.occ.iter())
                .filter(|o| o.res == r && self.active(o, t) && o.occ_start <= m && m < o.occ_end)
                .map(|o| if o.block { cap } else { o.quantity })
                .sum();
            used + q <= cap
        })
    }

    /// Builds the per-minute tables as of now.
    fn finalize(&mut self) {
        for r in 0..self.res.len() {
            let t = self.tables(r);
            let res = &mut self.res[r];
            (res.used, res.open, res.on_grid) = (t.used, t.open, t.on_grid);
            (res.closed, res.over, res.bad) = (t.closed, t.over, t.bad);
        }
    }

    fn tables(&self, r: usize) -> Tables {
        let n = self.n;
        let res = &self.res[r];
        let cap = res.capacity;
        let mut used = vec![0u32; n];
        for o in self
            .occ
            .iter()
            .filter(|o| o.res == r && self.active(o, self.now))
        {
            for m in o.occ_start..o.occ_end {
                used[self.ix(m)] += if o.block { cap } else { o.quantity };
            }
        }
        let (tz, offset) = &self.zones[res.zone];
        let open = match &res.rules.hours {
            Some(h) => h.open_minutes(*tz, self.base, self.u0, n),
            None => vec![true; n],
        };
        let g = i64::from(res.rules.granularity);
        let on_grid: Vec<bool> = (0..n)
            .map(|i| (self.u0 + i as i64 + offset[i]).rem_euclid(DAY) % g == 0)
            .collect();
        let closed = prefix(open.iter().map(|o| !o));
        let (before, after) = (i64::from(res.rules.before), i64::from(res.rules.after));
        let mut over = vec![Vec::new()];
        let mut bad = vec![Vec::new()];
        for q in 1..=cap {
            let over_q = prefix(used.iter().map(|&u| u + q > cap));
            let bad_q = prefix((0..n).map(|i| {
                let a = (i as i64 - before).max(0) as usize;
                let b = (i as i64 + 1 + after).min(n as i64) as usize;
                !open[i] || over_q[b] != over_q[a]
            }));
            over.push(over_q);
            bad.push(bad_q);
        }
        Tables {
            used,
            open,
            on_grid,
            closed,
            over,
            bad,
        }
    }

    /// Minutes since the epoch: `offset` minutes after the window's start or, when `near`
    /// and `zone` changes its UTC offset within the window, after six hours before that.
    fn anchor(&self, zone: usize, near: bool, offset: i64) -> i64 {
        let off = &self.zones[zone].1;
        let change =
            (self.d0 + 1..self.d0 + WINDOW).find(|&m| off[self.ix(m)] != off[self.ix(m - 1)]);
        match change {
            Some(c) if near => c - 6 * 60 + offset % (12 * 60),
            _ => self.d0 + offset,
        }
    }

    fn local_minute(&self, zone: usize, m: i64) -> i64 {
        (m + self.zones[zone].1[self.ix(m)]).rem_euclid(DAY)
    }

    /// Whether `q` more units fit in every minute of `[a, b)` on `r` (`q` ≤ capacity).
    fn all_free(&self, r: usize, q: u32, a: i64, b: i64) -> bool {
        self.count(&self.res[r].over[q as usize], a, b) == 0
    }

    /// The rules a booking of `[s, e)` on `r` breaks (P1–P3), in the engine's order.
    fn violations(&self, r: usize, s: i64, e: i64) -> Vec<ViolationCode> {
        let res = &self.res[r];
        let rules = &res.rules;
        let mut out = Vec::new();
        if self.count(&res.closed, s, e) > 0 {
            out.push(ViolationCode::Closed);
        }
        if !res.on_grid[self.ix(s)] || !res.on_grid[self.ix(e)] {
            out.push(ViolationCode::Granularity);
        }
        if e - s < i64::from(rules.min) {
            out.push(ViolationCode::MinDuration);
        }
        if e - s > i64::from(rules.max) {
            out.push(ViolationCode::MaxDuration);
        }
        if rules
            .lead
            .is_some_and(|l| s * MS < self.now + i64::from(l) * MS)
        {
            out.push(ViolationCode::LeadTime);
        }
        if (rules.horizon).is_some_and(|d| s * MS > self.now + i64::from(d) * DAY * MS) {
            out.push(ViolationCode::Horizon);
        }
        out
    }

    /// Whether `[s, e)` on `r` would fit in capacity (with today's buffers).
    fn fits(&self, r: usize, s: i64, e: i64, q: u32) -> bool {
        let rules = &self.res[r].rules;
        q >= 1
            && q <= self.res[r].capacity
            && self.all_free(
                r,
                q,
                s - i64::from(rules.before),
                e + i64::from(rules.after),
            )
    }

    /// Whether a member could book `[s, e)` of `q` units on `r`.
    fn bookable(&self, r: usize, s: i64, e: i64, q: u32) -> bool {
        let res = &self.res[r];
        let rules = &res.rules;
        // The cheap tests first; `violations` and `fits` say the same at more cost.
        q >= 1
            && q <= res.capacity
            && e - s >= i64::from(rules.min)
            && e - s <= i64::from(rules.max)
            && res.on_grid[self.ix(s)]
            && res.on_grid[self.ix(e)]
            && self.count(&res.bad[q as usize], s, e) == 0
            && rules
                .lead
                .is_none_or(|l| s * MS >= self.now + i64::from(l) * MS)
            && (rules.horizon).is_none_or(|d| s * MS <= self.now + i64::from(d) * DAY * MS)
    }

    fn matches(&self, r: usize, f: &Filter) -> bool {
        let res = &self.res[r];
        f.kind.is_none_or(|k| res.kind == KINDS[k])
            && f.tag.is_none_or(|t| res.tags.contains(&TAGS[t]))
            && f.min_capacity.is_none_or(|c| res.capacity >= c)
            && f.location.is_none_or(|l| res.location == LOCATIONS[l])
    }

    /// A1.
    fn free_resources(&self, from: i64, to: i64, q: u32, f: &Filter) -> Vec<String> {
        (0..self.res.len())
            .filter(|&r| self.matches(r, f) && self.fits(r, from, to, q))
            .filter(|&r| self.count(&self.res[r].closed, from, to) == 0)
            .map(|r| self.res[r].id.clone())
            .collect()
    }

    /// A2: `(start, end)` in minutes.
    fn free_windows(
        &self,
        r: usize,
        from: i64,
        to: i64,
        q: u32,
        min: Option<u32>,
    ) -> Vec<(i64, i64)> {
        let res = &self.res[r];
        if q > res.capacity {
            return Vec::new();
        }
        let min = i64::from(min.unwrap_or(0).max(res.rules.min).max(1));
        let good = |m: i64| self.count(&res.bad[q as usize], m, m + 1) == 0;
        let grid = |m: i64| res.on_grid[self.ix(m)];
        let mut out = Vec::new();
        let mut m = from;
        while m < to {
            if !good(m) {
                m += 1;
                continue;
            }
            let a = m;
            while m < to && good(m) {
                m += 1;
            }
            let b = m;
            let start = (a..=b).find(|&t| grid(t));
            let end = (a..=b).rev().find(|&t| grid(t));
            if let (Some(s), Some(e)) = (start, end) {
                if e - s >= min {
                    out.push((s, e));
                }
            }
        }
        out
    }

    /// A6: `(start, end, free)`.
    fn remaining_units(&self, r: usize, from: i64, to: i64) -> Vec<(i64, i64, u32)> {
        let res = &self.res[r];
        let mut out: Vec<(i64, i64, u32)> = Vec::new();
        for m in from..to {
            let free = res.capacity - res.used[self.ix(m)].min(res.capacity);
            match out.last_mut() {
                Some(last) if last.2 == free => last.1 = m + 1,
                _ => out.push((m, m + 1, free)),
            }
        }
        out
    }

    /// A3: the starts, in minutes.
    fn slots(
        &self,
        r: usize,
        range: (i64, i64),
        d: i64,
        step: i64,
        zone: usize,
        q: u32,
    ) -> Vec<i64> {
        (range.0..=range.1 - d)
            .filter(|&s| self.local_minute(zone, s) % step == 0 && self.bookable(r, s, s + d, q))
            .collect()
    }

    /// A4: the resource and start.
    fn next_available(
        &self,
        candidates: &[usize],
        from: i64,
        d: i64,
        q: u32,
        days: u32,
    ) -> Option<(usize, i64)> {
        let limit = from + i64::from(days) * DAY;
        let mut best: Option<(usize, i64)> = None;
        for &r in candidates {
            let first = (from..=limit - d)
                .find(|&s| self.res[r].on_grid[self.ix(s)] && self.bookable(r, s, s + d, q));
            if let Some(s) = first {
                if best.is_none_or(|(_, b)| s < b) {
                    best = Some((r, s));
                }
            }
        }
        best
    }

    /// What a booking of `[s, e)` with `q` units on `r` collides with (A5, A7):
    /// `(is_block, id, occupied start, occupied end, units)`.
    fn conflicts(&self, r: usize, s: i64, e: i64, q: u32) -> Vec<(bool, String, i64, i64, u32)> {
        let rules = &self.res[r].rules;
        let (a, b) = (s - i64::from(rules.before), e + i64::from(rules.after));
        let cap = self.res[r].capacity;
        let mut out: Vec<_> = (self.occ.iter())
            .filter(|o| o.res == r && self.active(o, self.now))
            .filter(|o| {
                let (x, y) = (a.max(o.occ_start), b.min(o.occ_end));
                x < y && !self.all_free(r, q, x, y)
            })
            .map(|o| {
                let units = if o.block { cap } else { o.quantity };
                (o.block, o.id.clone(), o.occ_start, o.occ_end, units)
            })
            .collect();
        out.sort();
        out
    }

    /// A7: the reasons, each as `code/violation/occupant/start/end`, sorted.
    fn reasons(&self, r: usize, s: i64, e: i64, q: u32) -> Vec<String> {
        let mut out: Vec<String> = (self.violations(r, s, e).into_iter())
            .map(|v| {
                let code = if v == ViolationCode::Closed {
                    ReasonCode::Closed
                } else {
                    ReasonCode::Policy
                };
                reason(code, Some(v), None, None, None)
            })
            .collect();
        if q == 0 || q > self.res[r].capacity {
            out.push(reason(ReasonCode::Capacity, None, None, None, None));
        } else {
            for (block, id, from, to, _) in self.conflicts(r, s, e, q) {
                let code = if block {
                    ReasonCode::Blocked
                } else {
                    let o = self.occ.iter().find(|o| o.id == id).unwrap();
                    if o.start < e && s < o.end {
                        ReasonCode::Booked
                    } else {
                        ReasonCode::Buffer
                    }
                };
                out.push(reason(code, None, Some(&id), Some(from), Some(to)));
            }
        }
        out.sort();
        out
    }

    /// A5: the alternatives to a refused `[s, e)` on `r`, as `(kind, resource, start, end)`.
    fn alternatives(
        &self,
        r: usize,
        s: i64,
        e: i64,
        q: u32,
        max: usize,
    ) -> Vec<(AlternativeKind, String, i64, i64)> {
        if max == 0 {
            return Vec::new();
        }
        let res = &self.res[r];
        let nearby = NEARBY_MS / MS;
        let step = i64::from(res.rules.granularity);
        // Nothing already begun is offered for a request that has not.
        let not_before = if s * MS >= self.now {
            self.now
        } else {
            i64::MIN
        };
        let mut same: Vec<i64> =
            (self.slots(r, (s - nearby, e + nearby), e - s, step, res.zone, q))
                .into_iter()
                .filter(|&t| t != s && t * MS >= not_before)
                .collect();
        same.sort_by_key(|&t| ((t - s).abs(), t));
        same.truncate(max);
        let mut similar: Vec<usize> = (0..self.res.len())
            .filter(|&o| {
                let other = &self.res[o];
                o != r
                    && other.kind == res.kind
                    && other.capacity >= q
                    && res.tags.iter().all(|t| other.tags.contains(t))
            })
            .collect();
        // Neighbours by id, wrapping round from the requested resource; the engine stops
        // once it has `max` at the same location or has examined MAX_SIMILAR_EXAMINED.
        similar.sort_by_key(|&o| (self.res[o].id <= res.id, self.res[o].id.clone()));
        similar.truncate(MAX_SIMILAR_EXAMINED);
        let mut found: Vec<(bool, usize)> = Vec::new();
        for o in similar {
            if self.bookable(o, s, e, q) {
                found.push((self.res[o].location != res.location, o));
            }
            if found.iter().filter(|(far, _)| !far).count() == max {
                break;
            }
        }
        found.sort_by_key(|(far, _)| *far);
        let similar: Vec<usize> = found.into_iter().take(max).map(|(_, o)| o).collect();
        let mut same = same
            .into_iter()
            .map(|t| (AlternativeKind::SameResource, res.id.clone(), t, t + e - s));
        let mut similar = similar.into_iter().map(|o| {
            (
                AlternativeKind::SimilarResource,
                self.res[o].id.clone(),
                s,
                e,
            )
        });
        let mut out = Vec::new();
        while out.len() < max {
            match (same.next(), similar.next()) {
                (None, None) => break,
                (x, y) => {
                    let room = max - out.len();
                    out.extend(x.into_iter().chain(y).take(room));
                }
            }
        }
        out
    }

    /// The state of `resources`, to read a failure by.
    fn describe(&self, resources: &[usize]) -> String {
        let mut out = format!(
            "now {} (window from {})\n",
            Timestamp::from_millis(self.now),
            at(self.d0)
        );
        for &r in resources {
            let res = &self.res[r];
            out += &format!(
                "{} in {}, capacity {}, {} {:?} at {:?}\n  rules {:?}\n",
                res.id, ZONES[res.zone], res.capacity, res.kind, res.tags, res.location, res.rules
            );
            for o in self.occ.iter().filter(|o| o.res == r) {
                out += &format!(
                    "  {} {} {}–{} occupying {}–{} ×{} lapses {:?}{}{}\n",
                    if o.block { "block" } else { "booking" },
                    o.id,
                    at(o.start),
                    at(o.end),
                    at(o.occ_start),
                    at(o.occ_end),
                    o.quantity,
                    o.lapses_at
                        .map(Timestamp::from_millis)
                        .map(|t| t.to_string()),
                    if o.ended { " cancelled" } else { "" },
                    if self.active(o, self.now) {
                        ""
                    } else {
                        " (inactive now)"
                    },
                );
            }
            let mut runs = Vec::new();
            let mut m = self.u0;
            while m < self.u0 + self.n as i64 {
                if res.open[self.ix(m)] {
                    let a = m;
                    while m < self.u0 + self.n as i64 && res.open[self.ix(m)] {
                        m += 1;
                    }
                    if m > self.d0 - DAY && a < self.d0 + WINDOW + 2 * DAY {
                        runs.push(format!("{}–{}", at(a), at(m)));
                    }
                }
                m += 1;
            }
            out += &format!("  open {}\n", runs.join(", "));
        }
        out
    }
}

fn reason(
    code: ReasonCode,
    violation: Option<ViolationCode>,
    occupant: Option<&str>,
    start: Option<i64>,
    end: Option<i64>,
) -> String {
    format!(
        "{code:?}/{violation:?}/{occupant:?}/{:?}/{:?}",
        start.map(at),
        end.map(at)
    )
}

// ---------------------------------------------------------------------------------------
// Building the site in the engine and the reference together.

struct Site {
    engine: Engine<MemoryStore>,
    model: Model,
}

fn to_rules(s: &RuleSet, base: NaiveDate) -> Rules {
    Rules {
        opening_hours: s.hours.as_ref().map(|h| h.to_engine(base)),
        granularity_mins: s.granularity,
        min_duration_mins: s.min,
        max_duration_mins: s.max,
        lead_time_mins: s.lead,
        horizon_days: s.horizon,
        buffer_before_mins: s.before,
        buffer_after_mins: s.after,
        ..Default::default()
    }
}

fn put(
    engine: &mut Engine<MemoryStore>,
    id: &str,
    scope: Scope,
    rules: Rules,
) -> Result<(), TestCaseError> {
    engine
        .put_policy(PutPolicy {
            policy: Policy {
                id: id.into(),
                scope,
                exempt_roles: Vec::new(),
                rules,
            },
            idempotency_key: None,
            actor: None,
        })
        .map(|_| ())
        .map_err(engine_error("put_policy"))
}

fn admin() -> Actor {
    Actor::admin("ops")
}

impl Site {
    fn build(w: &World) -> Result<Site, TestCaseError> {
        // The first six bases hold a DST change.
        let (day, changing) = BASES[if w.focus { w.base % 6 } else { w.base }];
        let base: NaiveDate = day.parse().unwrap();
        let d0 = base.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() / 60;
        let (u0, n) = (d0 - 2 * DAY, (8 * DAY) as usize);
        let now = d0 * MS + w.now_secs * 1_000;
        let setup = (d0 - 3 * DAY) * MS;
        let clock = ManualClock::at(Timestamp::from_millis(setup));
        let mut engine = Engine::in_memory().with_clock(clock.clone());
        let zones = (ZONES.iter())
            .map(|z| {
                let tz: Tz = z.parse().unwrap();
                (tz, offsets(tz, u0, n))
            })
            .collect();
        let mut res = Vec::new();
        for (i, r) in w.resources.iter().enumerate() {
            let zone = if r.zone < ZONES.len() && !w.focus {
                r.zone
            } else {
                changing
            };
            let id = format!("r{i}");
            let tags: Vec<&'static str> = [(r.tags.0, TAGS[0]), (r.tags.1, TAGS[1])]
                .into_iter()
                .filter_map(|(on, t)| on.then_some(t))
                .collect();
            let mut cmd = NewResource::new(id.as_str())
                .timezone(ZONES[zone])
                .capacity(r.capacity)
                .kind(KINDS[r.kind])
                .tags(tags.clone());
            if let Some(l) = LOCATIONS[r.location] {
                cmd = cmd.location(l);
            }
            engine
                .create_resource(cmd)
                .map_err(engine_error("create_resource"))?;
            res.push(RRes {
                id,
                zone,
                capacity: r.capacity,
                kind: KINDS[r.kind],
                tags,
                location: LOCATIONS[r.location],
                rules: Eff::of(&[]),
                used: Vec::new(),
                open: Vec::new(),
                on_grid: Vec::new(),
                closed: Vec::new(),
                over: Vec::new(),
                bad: Vec::new(),
            });
        }
        let mut site = Site {
            engine,
            model: Model {
                base,
                d0,
                u0,
                n,
                now,
                zones,
                res,
                occ: Vec::new(),
            },
        };

        // Early bookings, under buffers that are about to change.
        let early = RuleSet {
            before: Some(w.early_buffers.0),
            after: Some(w.early_buffers.1),
            ..Default::default()
        };
        put(
            &mut site.engine,
            "global",
            Scope::Global,
            to_rules(&early, base),
        )?;
        for r in &mut site.model.res {
            r.rules = Eff::of(&[&early]);
        }
        let mut to_cancel = Vec::new();
        for (i, p) in w.early.iter().enumerate() {
            if let Some(k) = site.place(p, &format!("e{i}"), setup, None)? {
                if p.cancel {
                    to_cancel.push(k);
                }
            }
        }
        for b in &w.blocks {
            site.block(b, setup)?;
        }

        // Today's policies, then more bookings.
        put(
            &mut site.engine,
            "global",
            Scope::Global,
            to_rules(&w.global, base),
        )?;
        for (i, r) in site.model.res.iter_mut().enumerate() {
            r.rules = match w.specific.get(i).and_then(Option::as_ref) {
                Some(s) => Eff::of(&[&w.global, s]),
                None => Eff::of(&[&w.global]),
            };
        }
        for (i, s) in w.specific.iter().enumerate().take(w.resources.len()) {
            if let Some(s) = s {
                let scope = Scope::Resource(format!("r{i}").as_str().into());
                put(
                    &mut site.engine,
                    &format!("only-r{i}"),
                    scope,
                    to_rules(s, base),
                )?;
            }
        }
        for (i, p) in w.late.iter().enumerate() {
            if let Some(k) = site.place(p, &format!("l{i}"), setup, None)? {
                if p.cancel {
                    to_cancel.push(k);
                }
            }
        }
        for k in to_cancel {
            if site.model.occ[k].ended {
                continue;
            }
            let id = site.model.occ[k].id.clone();
            site.engine
                .cancel(BookingAction::new(id.as_str()).actor(admin()))
                .map_err(engine_error("cancel"))?;
            site.model.occ[k].ended = true;
        }

        // Holds placed shortly before now, oldest first.
        let mut holds: Vec<&HoldGen> = w.holds.iter().collect();
        holds.sort_by_key(|h| std::cmp::Reverse(h.age_secs));
        for (i, h) in holds.into_iter().enumerate() {
            let placed_at = now - h.age_secs * 1_000;
            clock.set(Timestamp::from_millis(placed_at));
            site.place(&h.place, &format!("h{i}"), placed_at, Some(h.ttl_secs))?;
        }
        clock.set(Timestamp::from_millis(now));
        site.model.finalize();
        Ok(site)
    }

    /// Places a booking (or a hold with a TTL) as an admin overriding the rules, as of
    /// `at` (ms); checks the engine refuses exactly when the units do not fit.
    fn place(
        &mut self,
        p: &Place,
        member: &str,
        at_ms: i64,
        ttl: Option<i64>,
    ) -> Result<Option<usize>, TestCaseError> {
        let m = &self.model;
        let r = p.res % m.res.len();
        let res = &m.res[r];
        let q = 1 + (p.quantity - 1) % res.capacity;
        let s = m.d0 + p.start;
        let e = s + p.len;
        let (before, after) = (i64::from(res.rules.before), i64::from(res.rules.after));
        let fits = m.fits_at(r, s - before, e + after, q, at_ms);
        let mut cmd = NewBooking::new(res.id.as_str(), member, ts(s), ts(e)).quantity(q);
        cmd.actor = Some(admin());
        cmd.override_policies = true;
        let result = match ttl {
            Some(secs) => self.engine.hold(cmd.ttl_secs(secs)),
            None => self.engine.book(cmd),
        };
        let what = format!(
            "placing {q} unit(s) on {} at {}–{} (buffers {before}/{after}) as of {}",
            res.id,
            at(s),
            at(e),
            Timestamp::from_millis(at_ms)
        );
        match (result, fits) {
            (Ok(b), true) => {
                let stored = (b.buffer_before_ms, b.buffer_after_ms);
                if stored != (before * MS, after * MS) {
                    return Err(fail(format!("{what}: stored buffers {stored:?}")));
                }
                let lapses_at = match ttl {
                    Some(secs) => at_ms + secs * 1_000,
                    None => e * MS,
                };
                self.model.occ.push(Occ {
                    id: b.id.as_str().to_string(),
                    res: r,
                    block: false,
                    start: s,
                    end: e,
                    occ_start: s - before,
                    occ_end: e + after,
                    quantity: q,
                    lapses_at: Some(lapses_at),
                    ended: false,
                });
                Ok(Some(self.model.occ.len() - 1))
            }
            (Err(err), false) if err.code() == ErrorCode::Conflict => Ok(None),
            (result, fits) => Err(fail(format!(
                "{what}: the reference says it {}, the engine answered {result:?}\n{}",
                if fits { "fits" } else { "does not fit" },
                self.model.describe(&[r])
            ))),
        }
    }

    /// Places a block as of `at` (ms), checking what it rejects or cancels (M1).
    fn block(&mut self, b: &BlockGen, at_ms: i64) -> Result<(), TestCaseError> {
        let m = &self.model;
        let (s, e) = (m.d0 + b.start, m.d0 + b.start + b.len);
        let targets: Vec<usize> = match b.target {
            Target::Resource(i) => vec![i % m.res.len()],
            Target::Tag(t) => (0..m.res.len())
                .filter(|&r| m.res[r].tags.contains(&TAGS[t]))
                .collect(),
        };
        let in_the_way: Vec<usize> = (0..m.occ.len())
            .filter(|&k| {
                let o = &m.occ[k];
                !o.block
                    && targets.contains(&o.res)
                    && m.active(o, at_ms)
                    && o.occ_start < e
                    && s < o.occ_end
            })
            .collect();
        let cmd = NewBlock {
            resource: match b.target {
                Target::Resource(_) => Some(m.res[targets[0]].id.as_str().into()),
                Target::Tag(_) => None,
            },
            tag: match b.target {
                Target::Tag(t) => Some(TAGS[t].to_string()),
                Target::Resource(_) => None,
            },
            start: ts(s).into(),
            end: ts(e).into(),
            disambiguation: Default::default(),
            reason: None,
            strategy: if b.cancel {
                BlockStrategy::Cancel
            } else {
                BlockStrategy::Reject
            },
            recurrence: None,
            idempotency_key: None,
            actor: Some(admin()),
        };
        let result = self.engine.create_block(cmd.clone());
        let expected = if targets.is_empty() {
            Some(ErrorCode::InvalidInput)
        } else if !b.cancel && !in_the_way.is_empty() {
            Some(ErrorCode::Conflict)
        } else {
            None
        };
        let outcome = match (result, expected) {
            (Err(err), Some(code)) if err.code() == code => return Ok(()),
            (Ok(outcome), None) => outcome,
            (result, _) => {
                return Err(fail(format!(
                "block {cmd:?}: expected {expected:?} (bookings in the way: {:?}), got {result:?}",
                in_the_way.iter().map(|&k| &m.occ[k].id).collect::<Vec<_>>()
            )))
            }
        };
        let mut cancelled: Vec<String> = (outcome.cancelled.iter())
            .map(|id| id.as_str().to_string())
            .collect();
        cancelled.sort();
        let mut want: Vec<String> = in_the_way.iter().map(|&k| m.occ[k].id.clone()).collect();
        want.sort();
        let blocked: Vec<String> = (outcome.blocks.iter())
            .map(|b| b.resource.as_str().to_string())
            .collect();
        let targeted: Vec<String> = targets.iter().map(|&r| m.res[r].id.clone()).collect();
        if cancelled != want || blocked != targeted {
            return Err(fail(format!(
                "block {cmd:?}: cancelled {cancelled:?}, blocked {blocked:?}; expected {want:?} and {targeted:?}"
            )));
        }
        for k in in_the_way {
            self.model.occ[k].ended = true;
        }
        for (blk, &r) in outcome.blocks.iter().zip(&targets) {
            self.model.occ.push(Occ {
                id: blk.id.clone(),
                res: r,
                block: true,
                start: s,
                end: e,
                occ_start: s,
                occ_end: e,
                quantity: self.model.res[r].capacity,
                lapses_at: None,
                ended: false,
            });
        }
        Ok(())
    }

    fn filter(&self, f: &Filter) -> ResourceFilter {
        ResourceFilter {
            tags: f.tag.iter().map(|&t| TAGS[t].to_string()).collect(),
            min_capacity: f.min_capacity,
            kind: f.kind.map(|k| KINDS[k].to_string()),
            location: f.location.and_then(|l| LOCATIONS[l]).map(str::to_string),
            include_archived: false,
        }
    }

    fn resources(&self, picks: &[usize]) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for &p in picks {
            let r = p % self.model.res.len();
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }

    // -----------------------------------------------------------------------------------
    // The checks.

    /// A2, A6 and A1 for one query.
    fn check_windows(&self, q: &WindowQuery) -> Result<(), TestCaseError> {
        let m = &self.model;
        let ids = self.resources(&q.resources);
        let from = m.anchor(m.res[ids[0]].zone, q.near, q.from);
        let to = from + q.len;
        let query = WindowsQuery {
            resources: ids.iter().map(|&r| m.res[r].id.as_str().into()).collect(),
            from: ts(from),
            to: ts(to),
            quantity: q.quantity,
            min_duration_mins: q.min,
            role: Default::default(),
        };

        let got: Vec<(String, String, String)> = (self.engine.free_windows(&query))
            .map_err(engine_error("free_windows"))?
            .iter()
            .map(|w| {
                (
                    w.resource.as_str().to_string(),
                    w.start.to_string(),
                    w.end.to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = (ids.iter())
            .flat_map(|&r| {
                (m.free_windows(r, from, to, q.quantity, q.min).into_iter())
                    .map(move |(s, e)| (m.res[r].id.clone(), at(s), at(e)))
            })
            .collect();
        if got != want {
            return Err(fail(format!(
                "A2 free_windows {query:?}\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&ids)
            )));
        }

        let got: Vec<(String, String, String, u32)> = (self.engine.remaining_units(&query))
            .map_err(engine_error("remaining_units"))?
            .iter()
            .map(|w| {
                let id = w.resource.as_str().to_string();
                (id, w.start.to_string(), w.end.to_string(), w.free)
            })
            .collect();
        let want: Vec<(String, String, String, u32)> = (ids.iter())
            .flat_map(|&r| {
                (m.remaining_units(r, from, to).into_iter())
                    .map(move |(s, e, free)| (m.res[r].id.clone(), at(s), at(e), free))
            })
            .collect();
        if got != want {
            return Err(fail(format!(
                "A6 remaining_units {query:?}\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&ids)
            )));
        }

        let query = FreeResourcesQuery {
            from: ts(from),
            to: ts(to),
            quantity: q.quantity,
            filter: self.filter(&q.filter),
        };
        let got: Vec<String> = (self.engine.free_resources(&query))
            .map_err(engine_error("free_resources"))?
            .iter()
            .map(|id| id.as_str().to_string())
            .collect();
        let want = m.free_resources(from, to, q.quantity, &q.filter);
        if got != want {
            let all: Vec<usize> = (0..m.res.len()).collect();
            return Err(fail(format!(
                "A1 free_resources {query:?}\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&all)
            )));
        }
        Ok(())
    }

    /// A3 for one query.
    fn check_slots(&self, q: &SlotQuery) -> Result<(), TestCaseError> {
        let m = &self.model;
        let r = q.res % m.res.len();
        let res = &m.res[r];
        let g = res.rules.granularity;
        let d = q.length.minutes(g);
        let step = q.step.map(|k| k * g);
        let from = m.anchor(res.zone, q.near, q.from);
        let to = from + q.len;
        let query = SlotsQuery {
            resource: res.id.as_str().into(),
            from: ts(from),
            to: ts(to),
            duration_mins: d,
            step_mins: step,
            timezone: q.zone.map(|z| ZONES[z].to_string()),
            quantity: q.quantity,
            role: Default::default(),
        };
        let got: Vec<String> = (self.engine.slots(&query))
            .map_err(engine_error("slots"))?
            .iter()
            .map(|s| {
                debug_assert_eq!(s.end.as_millis() - s.start.as_millis(), i64::from(d) * MS);
                s.start.to_string()
            })
            .collect();
        let zone = q.zone.unwrap_or(res.zone);
        let want: Vec<String> = m
            .slots(
                r,
                (from, to),
                i64::from(d),
                i64::from(step.unwrap_or(g)),
                zone,
                q.quantity,
            )
            .into_iter()
            .map(at)
            .collect();
        if got != want {
            return Err(fail(format!(
                "A3 slots {query:?}\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&[r])
            )));
        }
        Ok(())
    }

    /// A4 for one query.
    fn check_next(&self, q: &NextQuery) -> Result<(), TestCaseError> {
        let m = &self.model;
        let candidates: Vec<usize> = match &q.resources {
            Some(picks) => {
                let mut ids = self.resources(picks);
                ids.sort_unstable();
                ids
            }
            None => (0..m.res.len())
                .filter(|&r| m.matches(r, &q.filter))
                .collect(),
        };
        // A length in grains needs one granularity: the smallest asked-about resource's.
        let g = (candidates.iter())
            .map(|&r| m.res[r].rules.granularity)
            .min()
            .unwrap_or(15);
        let d = q.length.minutes(g);
        let zone = candidates.first().map_or(0, |&r| m.res[r].zone);
        let from = m.anchor(zone, q.near, q.from);
        let query = NextAvailableQuery {
            from: ts(from),
            duration_mins: d,
            resources: match &q.resources {
                Some(_) => candidates
                    .iter()
                    .map(|&r| m.res[r].id.as_str().into())
                    .collect(),
                None => Vec::new(),
            },
            filter: match &q.resources {
                Some(_) => ResourceFilter::default(),
                None => self.filter(&q.filter),
            },
            quantity: q.quantity,
            within_days: Some(q.days),
            role: Default::default(),
        };
        let got = (self.engine.next_available(&query))
            .map_err(engine_error("next_available"))?
            .map(|n| {
                (
                    n.resource.as_str().to_string(),
                    n.start.to_string(),
                    n.end.to_string(),
                )
            });
        let want = (m.next_available(&candidates, from, i64::from(d), q.quantity, q.days))
            .map(|(r, s)| (m.res[r].id.clone(), at(s), at(s + i64::from(d))));
        if got != want {
            return Err(fail(format!(
                "A4 next_available {query:?}\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&candidates)
            )));
        }
        Ok(())
    }

    /// A7 for one span.
    fn check_explain(&self, p: &Probe) -> Result<(), TestCaseError> {
        let m = &self.model;
        let r = p.res % m.res.len();
        let res = &m.res[r];
        let start = m.anchor(res.zone, p.near, p.start);
        let (s, e) = match p.aligned {
            Some(length) => {
                let s = (start..).find(|&t| res.on_grid[m.ix(t)]).unwrap();
                (s, s + i64::from(length.minutes(res.rules.granularity)))
            }
            None => (start, start + i64::from(p.len)),
        };
        let q = if p.within {
            1 + (p.quantity - 1) % res.capacity
        } else {
            p.quantity
        };
        let cmd = NewBooking::new(res.id.as_str(), "probe", ts(s), ts(e)).quantity(q);
        let why = self.engine.explain(&cmd).map_err(engine_error("explain"))?;
        let mut got: Vec<String> = (why.reasons.iter())
            .map(|x| {
                format!(
                    "{:?}/{:?}/{:?}/{:?}/{:?}",
                    x.code,
                    x.violation,
                    x.occupant.as_deref(),
                    x.start.map(|t| t.to_string()),
                    x.end.map(|t| t.to_string())
                )
            })
            .collect();
        got.sort();
        let want = m.reasons(r, s, e, q);
        let bookable = m.bookable(r, s, e, q);
        // The reference's two readings of "bookable" agree.
        assert_eq!(bookable, want.is_empty(), "reference disagrees with itself");
        if got != want || why.bookable != bookable || why.reasons.is_empty() != bookable {
            return Err(fail(format!(
                "A7 explain {}–{} ×{} on {}: bookable {} (reference {bookable})\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                at(s),
                at(e),
                q,
                res.id,
                why.bookable,
                m.describe(&[r])
            )));
        }
        Ok(())
    }

    /// A5 for one colliding request; `Ok(false)` when there was nothing to ask.
    fn check_clash(&mut self, c: &Clash) -> Result<bool, TestCaseError> {
        let m = &self.model;
        let r = c.res % m.res.len();
        let res = &m.res[r];
        let q = 1 + (c.quantity - 1) % res.capacity;
        let (s, e) = if c.admin {
            let s = m.anchor(res.zone, c.near, i64::from(c.pick) % WINDOW);
            (s, s + i64::from(c.length.minutes(5)))
        } else {
            // A request within every rule that does not fit.
            let d = i64::from(c.length.minutes(res.rules.granularity));
            let first = m.anchor(res.zone, c.near, 0);
            let last = if first == m.d0 {
                m.d0 + WINDOW
            } else {
                first + 12 * 60
            };
            let candidates: Vec<i64> = (first..last)
                .filter(|&s| m.violations(r, s, s + d).is_empty() && !m.fits(r, s, s + d, q))
                .collect();
            if candidates.is_empty() {
                return Ok(false);
            }
            let s = candidates[c.pick as usize % candidates.len()];
            (s, s + d)
        };
        if m.fits(r, s, e, q) {
            return Ok(false);
        }
        let mut cmd = NewBooking::new(res.id.as_str(), "zed", ts(s), ts(e)).quantity(q);
        if let Some(n) = c.alternatives {
            cmd = cmd.alternatives(n);
        }
        if c.admin {
            cmd.actor = Some(admin());
            cmd.override_policies = true;
        }
        let what = format!(
            "A5 booking {}–{} ×{q} on {} ({})",
            at(s),
            at(e),
            res.id,
            if c.admin {
                "admin, overriding"
            } else {
                "member"
            }
        );
        let err = match self.engine.book(cmd) {
            Err(err) if err.code() == ErrorCode::Conflict => err,
            other => {
                return Err(fail(format!(
                    "{what}: expected a conflict, got {other:?}\n{}",
                    m.describe(&[r])
                )))
            }
        };
        let mut got: Vec<_> = (err.conflicts().iter())
            .map(|c| {
                let block = c.kind == OccupantKind::Block;
                (
                    block,
                    c.id.clone(),
                    c.start.to_string(),
                    c.end.to_string(),
                    c.quantity,
                )
            })
            .collect();
        got.sort();
        let want: Vec<_> = (m.conflicts(r, s, e, q).into_iter())
            .map(|(block, id, a, b, units)| (block, id, at(a), at(b), units))
            .collect();
        if got != want {
            return Err(fail(format!(
                "{what}: collisions\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&[r])
            )));
        }
        let all: Vec<usize> = (0..m.res.len()).collect();
        let max = c.alternatives.unwrap_or(3) as usize;
        let offered = err.alternatives();
        for a in offered {
            let o = (0..m.res.len())
                .find(|&o| m.res[o].id == a.resource.as_str())
                .ok_or_else(|| fail(format!("{what}: unknown resource in {a:?}")))?;
            let (a_s, a_e) = (a.start.as_millis() / MS, a.end.as_millis() / MS);
            if a.start.as_millis() % MS != 0 || a.end.as_millis() % MS != 0 {
                return Err(fail(format!("{what}: alternative off the minute {a:?}")));
            }
            if o == r && a_s == s && a_e == e {
                return Err(fail(format!("{what}: the request itself offered as {a:?}")));
            }
            if !m.bookable(o, a_s, a_e, q) {
                return Err(fail(format!(
                    "{what}: alternative {a:?} is not bookable: {:?}\n{}",
                    m.reasons(o, a_s, a_e, q),
                    m.describe(&all)
                )));
            }
        }
        let got: Vec<_> = (offered.iter())
            .map(|a| {
                (
                    a.kind,
                    a.resource.as_str().to_string(),
                    a.start.to_string(),
                    a.end.to_string(),
                )
            })
            .collect();
        let want: Vec<_> = (m.alternatives(r, s, e, q, max).into_iter())
            .map(|(kind, id, a, b)| (kind, id, at(a), at(b)))
            .collect();
        if got != want {
            return Err(fail(format!(
                "{what}: alternatives (at most {max})\n  engine:    {got:?}\n  reference: {want:?}\n{}",
                m.describe(&all)
            )));
        }
        Ok(true)
    }
}

proptest! {
    #![proptest_config(config())]

    /// A2 free windows, A6 remaining units and A1 free resources against the reference.
    #[test]
    fn free_windows_units_and_resources_match_a_minute_by_minute_reference(
        world in world(),
        queries in vec(window_query(), 1..=4),
    ) {
        let site = Site::build(&world)?;
        for q in &queries {
            site.check_windows(q)?;
        }
    }

    /// A3 slots and A4 next available against the reference.
    #[test]
    fn slots_and_next_available_match_a_minute_by_minute_reference(
        world in world(),
        slots in vec(slot_query(), 1..=4),
        next in vec(next_query(), 1..=3),
    ) {
        let site = Site::build(&world)?;
        for q in &slots {
            site.check_slots(q)?;
        }
        for q in &next {
            site.check_next(q)?;
        }
    }

    /// A7 reasons and A5 conflict answers against the reference.
    #[test]
    fn why_not_and_conflict_alternatives_match_a_minute_by_minute_reference(
        world in world(),
        probes in vec(probe(), 1..=24),
        clashes in vec(clash(), 1..=4),
    ) {
        let mut site = Site::build(&world)?;
        for p in &probes {
            site.check_explain(p)?;
        }
        for c in &clashes {
            site.check_clash(c)?;
        }
    }
}

/// A slot whose length is not a whole number of grains, pinned: on Lord Howe's
/// spring-forward day (02:00 → 02:30 local, +10:30 → +11:00), 01:00–03:00 local lasts 90
/// minutes, starts and ends on a 60-minute grid and is free, so `explain` accepts it; the
/// slot list, next available and the alternatives should offer it too.
#[test]
fn a_span_across_a_half_hour_dst_shift_is_a_slot() {
    let t = |s: &str| s.parse::<Timestamp>().unwrap();
    let clock = ManualClock::at(t("2026-10-01T00:00:00Z"));
    let mut engine = Engine::in_memory().with_clock(clock);
    engine
        .create_resource(NewResource::new("r0").timezone("Australia/Lord_Howe"))
        .unwrap();
    let rules = Rules {
        granularity_mins: Some(60),
        ..Default::default()
    };
    put(&mut engine, "global", Scope::Global, rules).unwrap();
    let (start, end) = (t("2026-10-03T14:30:00Z"), t("2026-10-03T16:00:00Z"));
    let why = engine
        .explain(&NewBooking::new("r0", "ann", start, end))
        .unwrap();
    assert!(why.bookable, "{:?}", why.reasons);
    let slots = engine
        .slots(&SlotsQuery {
            resource: "r0".into(),
            from: t("2026-10-03T14:00:00Z"),
            to: t("2026-10-03T16:30:00Z"),
            duration_mins: 90,
            step_mins: None,
            timezone: None,
            quantity: 1,
            role: Default::default(),
        })
        .unwrap();
    let starts: Vec<String> = slots.iter().map(|s| s.start.to_string()).collect();
    assert_eq!(starts, ["2026-10-03T14:30:00Z"]);
    let next = engine
        .next_available(&NextAvailableQuery {
            from: t("2026-10-03T14:00:00Z"),
            duration_mins: 90,
            resources: Vec::new(),
            filter: Default::default(),
            quantity: 1,
            within_days: Some(1),
            role: Default::default(),
        })
        .unwrap()
        .map(|n| n.start.to_string());
    assert_eq!(next.as_deref(), Some("2026-10-03T14:30:00Z"));
}
