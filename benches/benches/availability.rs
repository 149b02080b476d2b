//! PF4 and PF5: availability on desk-1m, through the engine's public queries.
//!
//! Targets (PERFORMANCE.md):
//! - PF4, **avail**: which of the 1,000 desks are free for a random two-hour window,
//!   ≥ 100× faster than the PostgreSQL query (`baselines/postgres-gist/avail.sql`) in the
//!   same run.
//! - PF5, **slot grid** (A3): 30 days of 15-minute starts of a one-hour booking for one
//!   desk, with opening hours and buffers, desk-1m loaded: ≤ 100 µs.
//!
//! One in-memory engine holds desk-1m (imported once per process via `import_snapshot`;
//! that takes seconds). Every fourth desk also carries the tag `quiet`, for the filtered
//! variant: PostgreSQL has no tags, and the tags change no answer of the unfiltered query.
//! The clock is a `ManualClock` at 2025-12-31T00:00Z, before every booking.
//!
//! Groups, in the order they run:
//! - `pf4_avail` (no policy, as on PostgreSQL):
//!   - `free_resources`: `Engine::free_resources` for the window, quantity 1, no filter.
//!   - `free_resources_tag_quiet`: the same with the tag filter `quiet` (250 desks).
//!   - `index_fits_only`: the floor under `free_resources`: one `StoreRead::with_index` +
//!     `IntervalIndex::fits` per desk, with the desk ids collected beforehand (no resource
//!     walk, clone, policy or timezone work).
//!   - `resource_walk_only`: the other part: `StoreRead::resources` with the filter test,
//!     nothing cloned and no index touched.
//!   - `whatif_time_index`: not the engine: the same answer from one start-ordered array
//!     of all bookings built here (binary search, scan the few that can overlap, a busy
//!     bit per desk), to show what a cross-resource time index would give.
//!
//!   Windows follow `avail.sql` exactly: `slot = random(0, 96*1000)` (pgbench's bounds are
//!   inclusive) and the window is `[day 0 + slot × 15 min, + 2 h)`.
//! - Then the policy below is put, and:
//!   - `pf4_avail/free_resources_with_policy`: `free_resources` again, now with opening
//!     hours (every free desk's rules and hours are evaluated too).
//!   - `pf5_slots/utc`: `Engine::slots` for a random desk and a random 30-day range starting
//!     at a random day's midnight (UTC) within the data, one-hour duration, 15-minute step.
//!   - `pf5_slots/europe_london`: the same after every desk's timezone is set to
//!     `Europe/London`, so opening hours and the grid are in local time; about one range
//!     in six crosses a DST change.
//!   - `pf5_slots/europe_london_dst`: only those ranges that cross a DST change.
//!
//! The policy (global): weekdays 08:00–20:00 local, 10 minutes' buffer before and 5 after.
//!
//! Queries are generated beforehand (4,096, cycled) from fixed seeds, so two runs ask the
//! same questions. Before timing, some answers are checked against a brute-force reading of
//! the dataset (`desk_booking_span`), so a fast wrong answer cannot pass unnoticed.
//!
//! Run: `cargo bench -p slotwise-benches --bench availability`. Under
//! `cargo test --benches` (criterion's test mode, see `is_test_mode`) the dataset is
//! 20 desks × 50 bookings, every answer is checked and each bench runs once, so CI stays
//! fast.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use slotwise::availability::{FreeResourcesQuery, Slot, SlotsQuery};
use slotwise::{
    Engine, ManualClock, MemoryStore, Policy, PutPolicy, ResourceFilter, ResourceId,
    ResourceUpdate, Role, Span, StoreRead, Timestamp,
};
use slotwise_benches::{
    desk_booking_span, desk_id, desk_snapshot, is_test_mode, CREATED_AT, DAY_ZERO, DESKS, PER_DESK,
};

/// Queries per benchmark, cycled (a power of two).
const QUERIES: usize = 4_096;
/// Answers checked against the brute force before timing (all of them in test mode).
const CHECKED: usize = 64;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const SLOT_MS: i64 = 15 * MINUTE_MS;

/// Days in a slot-grid range.
const GRID_DAYS: u32 = 30;
/// Slot length and step of the grid.
const GRID_DURATION_MINS: u32 = 60;
const GRID_STEP_MINS: u32 = 15;
/// The policy's opening hours (minutes since local midnight) and buffers.
const OPEN_MINS: i64 = 8 * 60;
const CLOSE_MINS: i64 = 20 * 60;
const BUFFER_BEFORE_MINS: u32 = 10;
const BUFFER_AFTER_MINS: u32 = 5;
/// The tag of every fourth desk.
const TAG: &str = "quiet";

/// (desks, bookings per desk): desk-1m, or 20 × 50 in test mode.
fn size() -> (u32, u32) {
    if is_test_mode() {
        (20, 50)
    } else {
        (DESKS, PER_DESK)
    }
}

fn tagged(r: u32) -> bool {
    r.is_multiple_of(4)
}

/// An in-memory engine at 2025-12-31T00:00Z holding `desks × per_desk` of desk-1m, every
/// fourth desk tagged.
fn engine_with(desks: u32, per_desk: u32) -> Engine<MemoryStore> {
    let started = Instant::now();
    let mut snapshot = desk_snapshot(desks, per_desk);
    for resource in &mut snapshot.resources {
        let r: u32 = resource.id.as_str()["desk-".len()..].parse().unwrap();
        if tagged(r) {
            resource.tags = vec![TAG.to_string()];
        }
    }
    let generated = started.elapsed();
    let mut engine = Engine::in_memory().with_clock(ManualClock::at(CREATED_AT));
    let report = engine.import_snapshot(snapshot).expect("desk-1m imports");
    eprintln!(
        "loaded {} desks, {} bookings: generated in {generated:.2?}, imported in {:.2?}",
        report.resources,
        report.bookings,
        started.elapsed() - generated
    );
    engine
}

/// `n` avail windows exactly as `avail.sql` draws them: `slot = random(0, 96 × days)`,
/// inclusive at both ends, and the window `[day 0 + slot × 15 min, + 2 h)`.
fn avail_windows(seed: u64, days: u32, n: usize) -> Vec<Span> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let last = i64::from(days) * (DAY_MS / SLOT_MS);
    (0..n)
        .map(|_| {
            let start = DAY_ZERO.add_millis(rng.random_range(0..=last) * SLOT_MS);
            Span {
                start,
                end: start.add_millis(2 * HOUR_MS),
            }
        })
        .collect()
}

fn avail_query(window: Span, tags: &[&str]) -> FreeResourcesQuery {
    FreeResourcesQuery {
        from: window.start,
        to: window.end,
        quantity: 1,
        filter: ResourceFilter {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            ..ResourceFilter::default()
        },
    }
}

/// Whether desk `r` (of `per_desk` bookings) has no booking overlapping `window`.
fn desk_free(per_desk: u32, r: u32, window: Span) -> bool {
    // Only the bookings of the days around the window can overlap it.
    let first_day = (window.start.as_millis() - DAY_ZERO.as_millis()).div_euclid(DAY_MS) - 1;
    let last_day = (window.end.as_millis() - DAY_ZERO.as_millis()).div_euclid(DAY_MS);
    (first_day.max(0)..=last_day.min(i64::from(per_desk) - 1)).all(|k| {
        let b = desk_booking_span(r, k as u32);
        b.end <= window.start || window.end <= b.start
    })
}

/// The brute-force answer to avail: the free desks (among the tagged ones if `tag`), in id
/// order.
fn expected_free(desks: u32, per_desk: u32, window: Span, tag: bool) -> Vec<String> {
    let mut ids: Vec<String> = (1..=desks)
        .filter(|&r| (!tag || tagged(r)) && desk_free(per_desk, r, window))
        .map(desk_id)
        .collect();
    ids.sort();
    ids
}

fn ids(found: &[ResourceId]) -> Vec<String> {
    found.iter().map(|id| id.as_str().to_string()).collect()
}

/// Europe/London's changes of UTC offset over the data (2026-01-01 to 2028-09-27):
/// to BST (+1 h) on the last Sunday of March, back to GMT on the last Sunday of October,
/// both at 01:00Z.
const LONDON_CHANGES: [Timestamp; 6] = [
    Timestamp::from_millis(1_774_746_000_000), // 2026-03-29T01:00Z
    Timestamp::from_millis(1_792_890_000_000), // 2026-10-25T01:00Z
    Timestamp::from_millis(1_806_195_600_000), // 2027-03-28T01:00Z
    Timestamp::from_millis(1_824_944_400_000), // 2027-10-31T01:00Z
    Timestamp::from_millis(1_837_645_200_000), // 2028-03-26T01:00Z
    Timestamp::from_millis(1_856_394_000_000), // 2028-10-29T01:00Z
];

/// UTC's offset: none.
fn utc_offset_ms(_: Timestamp) -> i64 {
    0
}

/// Europe/London's UTC offset at `t` (within the data's years).
fn london_offset_ms(t: Timestamp) -> i64 {
    let changes = LONDON_CHANGES.iter().filter(|&&c| c <= t).count();
    if changes % 2 == 1 {
        HOUR_MS
    } else {
        0
    }
}

/// Whether `[from, to)` contains one of London's offset changes.
fn crosses_london_change(from: Timestamp, to: Timestamp) -> bool {
    LONDON_CHANGES.iter().any(|&c| from < c && c < to)
}

/// The brute-force slot grid of desk `r` for a range of `days` days from `from` (a UTC
/// midnight), in a zone whose offset is `offset_ms` and changes only at weekends (as
/// London's does): every 15-minute local start `s` with `[s, s + 1 h)` inside a weekday's
/// opening hours and `[s − before, s + 1 h + after)` clear of the desk's bookings.
fn expected_slots(
    per_desk: u32,
    r: u32,
    from: Timestamp,
    days: u32,
    offset_ms: fn(Timestamp) -> i64,
) -> Vec<Slot> {
    let duration = i64::from(GRID_DURATION_MINS) * MINUTE_MS;
    let before = i64::from(BUFFER_BEFORE_MINS) * MINUTE_MS;
    let after = i64::from(BUFFER_AFTER_MINS) * MINUTE_MS;
    let step = i64::from(GRID_STEP_MINS) * MINUTE_MS;
    let mut out = Vec::new();
    for d in 0..i64::from(days) {
        // The UTC midnight of day d; its local date is the same one (offsets here are 0 or
        // +1 h, and opening hours start at 08:00), so is its weekday.
        let midnight = from.add_millis(d * DAY_MS);
        // 1970-01-01 was a Thursday, so Monday is the day number with (n + 3) % 7 == 0.
        let weekday = (midnight.as_millis().div_euclid(DAY_MS) + 3).rem_euclid(7);
        if weekday >= 5 {
            continue;
        }
        let local_midnight = midnight.add_millis(-offset_ms(midnight.add_millis(12 * HOUR_MS)));
        let mut s = local_midnight.add_millis(OPEN_MINS * MINUTE_MS);
        let close = local_midnight.add_millis(CLOSE_MINS * MINUTE_MS);
        while s.add_millis(duration) <= close {
            let padded = Span {
                start: s.add_millis(-before),
                end: s.add_millis(duration + after),
            };
            if desk_free(per_desk, r, padded) {
                out.push(Slot {
                    start: s,
                    end: s.add_millis(duration),
                });
            }
            s = s.add_millis(step);
        }
    }
    out
}

/// Every booking of every desk in one array sorted by start: the what-if
/// `pf4_avail/whatif_time_index` (a cross-resource index the engine does not have).
struct TimeIndex {
    /// (start ms, end ms, desk − 1), by start.
    entries: Vec<(i64, i64, u32)>,
    longest_ms: i64,
    desks: usize,
}

impl TimeIndex {
    fn new(desks: u32, per_desk: u32) -> Self {
        let mut entries = Vec::with_capacity(desks as usize * per_desk as usize);
        for r in 1..=desks {
            for k in 0..per_desk {
                let b = desk_booking_span(r, k);
                entries.push((b.start.as_millis(), b.end.as_millis(), r - 1));
            }
        }
        entries.sort_unstable();
        let longest_ms = entries.iter().map(|e| e.1 - e.0).max().unwrap_or(0);
        TimeIndex {
            entries,
            longest_ms,
            desks: desks as usize,
        }
    }

    /// The desks with no booking overlapping `window`, as the engine returns them.
    fn free<'a>(&self, window: Span, ids: &'a [ResourceId]) -> Vec<&'a ResourceId> {
        let (from, to) = (window.start.as_millis(), window.end.as_millis());
        let lowest = from - self.longest_ms;
        let first = self.entries.partition_point(|e| e.0 < lowest);
        let mut busy = vec![false; self.desks];
        for &(start, end, desk) in &self.entries[first..] {
            if start >= to {
                break;
            }
            if end > from {
                busy[desk as usize] = true;
            }
        }
        ids.iter()
            .zip(&busy)
            .filter(|(_, &b)| !b)
            .map(|(id, _)| id)
            .collect()
    }
}

/// One slot-grid question: a desk and a 30-day range from a day's midnight.
struct GridQuery {
    desk: u32,
    query: SlotsQuery,
}

fn grid_queries(seed: u64, desks: u32, days: u32, n: usize) -> Vec<GridQuery> {
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let desk = rng.random_range(1..=desks);
            let day = rng.random_range(0..=days - GRID_DAYS);
            let from = DAY_ZERO.add_millis(i64::from(day) * DAY_MS);
            GridQuery {
                desk,
                query: SlotsQuery {
                    resource: desk_id(desk).into(),
                    from,
                    to: from.add_millis(i64::from(GRID_DAYS) * DAY_MS),
                    duration_mins: GRID_DURATION_MINS,
                    step_mins: Some(GRID_STEP_MINS),
                    timezone: None,
                    quantity: 1,
                    role: Role::Member,
                },
            }
        })
        .collect()
}

fn put_policy(engine: &mut Engine<MemoryStore>) {
    let weekday = json!([["08:00", "20:00"]]);
    let policy: Policy = serde_json::from_value(json!({
        "id": "desk-hours",
        "scope": "global",
        "rules": {
            "opening_hours": {"weekly": {
                "mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday
            }},
            "buffer_before_mins": BUFFER_BEFORE_MINS,
            "buffer_after_mins": BUFFER_AFTER_MINS
        }
    }))
    .expect("the policy parses");
    engine
        .put_policy(PutPolicy {
            policy,
            idempotency_key: None,
            actor: None,
        })
        .expect("the policy is put");
}

/// How many answers to check against the brute force.
fn checked() -> usize {
    if is_test_mode() {
        QUERIES
    } else {
        CHECKED
    }
}

fn availability(c: &mut Criterion) {
    let (desks, per_desk) = size();
    let mut engine = engine_with(desks, per_desk);

    // ---- PF4: avail, no policy (the question PostgreSQL answers).
    let windows = avail_windows(0x5107_7715_a000_0004, per_desk, QUERIES);
    let plain: Vec<FreeResourcesQuery> = windows.iter().map(|w| avail_query(*w, &[])).collect();
    let quiet: Vec<FreeResourcesQuery> = windows.iter().map(|w| avail_query(*w, &[TAG])).collect();
    let mut free_total = 0usize;
    for (i, w) in windows.iter().enumerate() {
        let found = engine.free_resources(&plain[i]).expect("avail answers");
        free_total += found.len();
        if i < checked() {
            assert_eq!(ids(&found), expected_free(desks, per_desk, *w, false));
            let found = engine.free_resources(&quiet[i]).expect("avail answers");
            assert_eq!(ids(&found), expected_free(desks, per_desk, *w, true));
        }
    }
    eprintln!(
        "pf4_avail: {:.1} of {desks} desks free per window on average",
        free_total as f64 / QUERIES as f64
    );

    let mut group = c.benchmark_group("pf4_avail");
    for (name, queries) in [
        ("free_resources", &plain),
        ("free_resources_tag_quiet", &quiet),
    ] {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                let q = &queries[i % QUERIES];
                i += 1;
                black_box(engine.free_resources(black_box(q)).unwrap())
            })
        });
    }

    // The floor: the conflict check alone, desk by desk, through the same store.
    let desk_ids: Vec<ResourceId> = (1..=desks).map(|r| desk_id(r).into()).collect();
    let store = engine.store();
    let now = CREATED_AT;
    let floor = |window: Span| {
        let mut free = Vec::new();
        for id in &desk_ids {
            let mut fits = false;
            store
                .with_index(id, &mut |idx| fits = idx.fits(window, 1, 1, now, None))
                .unwrap();
            if fits {
                free.push(id);
            }
        }
        free.len()
    };
    for (i, w) in windows.iter().take(checked()).enumerate() {
        assert_eq!(
            floor(*w),
            engine.free_resources(&plain[i]).unwrap().len(),
            "the floor answers as free_resources does"
        );
    }
    let mut i = 0;
    group.bench_function("index_fits_only", |b| {
        b.iter(|| {
            let w = windows[i % QUERIES];
            i += 1;
            black_box(floor(black_box(w)))
        })
    });

    // The other part: the walk over the resources with the filter test, nothing cloned.
    let mut i = 0;
    group.bench_function("resource_walk_only", |b| {
        b.iter(|| {
            let q = &plain[i % QUERIES];
            i += 1;
            let mut wanted = 0usize;
            store
                .resources(&mut |r| {
                    let f = &q.filter;
                    if !r.is_archived()
                        && r.capacity >= q.quantity
                        && r.matches(
                            &f.tags,
                            f.min_capacity,
                            f.kind.as_deref(),
                            f.location.as_deref(),
                        )
                    {
                        wanted += 1;
                    }
                })
                .unwrap();
            black_box(wanted)
        })
    });

    // What-if, not the engine: the same answer from one time-ordered array of every
    // booking of every desk (what a cross-resource index in the store would give): one
    // binary search, a scan of the ~170 bookings starting in the 4 hours before the
    // window's end, a busy bit per desk, and the free desks' ids.
    let probe = TimeIndex::new(desks, per_desk);
    for (i, w) in windows.iter().take(checked()).enumerate() {
        assert_eq!(
            probe.free(*w, &desk_ids).len(),
            engine.free_resources(&plain[i]).unwrap().len(),
            "the time-index probe answers as free_resources does"
        );
    }
    let mut i = 0;
    group.bench_function("whatif_time_index", |b| {
        b.iter(|| {
            let w = windows[i % QUERIES];
            i += 1;
            black_box(probe.free(black_box(w), &desk_ids))
        })
    });
    drop(probe);
    group.finish();

    // ---- With opening hours and buffers.
    put_policy(&mut engine);
    let mut group = c.benchmark_group("pf4_avail");
    let mut i = 0;
    group.bench_function("free_resources_with_policy", |b| {
        b.iter(|| {
            let q = &plain[i % QUERIES];
            i += 1;
            black_box(engine.free_resources(black_box(q)).unwrap())
        })
    });
    group.finish();

    // ---- PF5: the slot grid.
    let grids = grid_queries(0x5107_7715_a000_0005, desks, per_desk, QUERIES);
    let mut slot_total = 0usize;
    for (i, g) in grids.iter().enumerate() {
        let slots = engine.slots(&g.query).expect("slots answer");
        slot_total += slots.len();
        if i < checked() {
            assert_eq!(
                slots,
                expected_slots(per_desk, g.desk, g.query.from, GRID_DAYS, utc_offset_ms),
                "slots of desk-{} from {}",
                g.desk,
                g.query.from
            );
        }
    }
    eprintln!(
        "pf5_slots/utc: {:.1} slots per 30-day grid on average",
        slot_total as f64 / QUERIES as f64
    );
    let mut group = c.benchmark_group("pf5_slots");
    let mut i = 0;
    group.bench_function("utc", |b| {
        b.iter(|| {
            let q = &grids[i % QUERIES].query;
            i += 1;
            black_box(engine.slots(black_box(q)).unwrap())
        })
    });
    group.finish();

    // ---- PF5 in a zone with DST.
    for r in 1..=desks {
        engine
            .update_resource(ResourceUpdate {
                id: desk_id(r).into(),
                timezone: Some("Europe/London".into()),
                ..ResourceUpdate::default()
            })
            .expect("the timezone changes");
    }
    let (mut slot_total, mut crossing) = (0usize, 0usize);
    for (i, g) in grids.iter().enumerate() {
        let slots = engine.slots(&g.query).expect("slots answer");
        slot_total += slots.len();
        if crosses_london_change(g.query.from, g.query.to) {
            crossing += 1;
        }
        if i < checked() {
            assert_eq!(
                slots,
                expected_slots(per_desk, g.desk, g.query.from, GRID_DAYS, london_offset_ms),
                "London slots of desk-{} from {}",
                g.desk,
                g.query.from
            );
        }
    }
    eprintln!(
        "pf5_slots/europe_london: {:.1} slots per 30-day grid on average; {crossing} of \
         {QUERIES} ranges cross a DST change",
        slot_total as f64 / QUERIES as f64
    );
    let mut group = c.benchmark_group("pf5_slots");
    let mut i = 0;
    group.bench_function("europe_london", |b| {
        b.iter(|| {
            let q = &grids[i % QUERIES].query;
            i += 1;
            black_box(engine.slots(black_box(q)).unwrap())
        })
    });
    // Only the ranges that cross a DST change (none in test mode's 50 days: then the
    // first ranges stand in, so the bench still runs).
    let mut dst: Vec<&SlotsQuery> = grids
        .iter()
        .map(|g| &g.query)
        .filter(|q| crosses_london_change(q.from, q.to))
        .collect();
    if dst.is_empty() {
        dst = grids.iter().take(16).map(|g| &g.query).collect();
    }
    let mut i = 0;
    group.bench_function("europe_london_dst", |b| {
        b.iter(|| {
            let q = dst[i % dst.len()];
            i += 1;
            black_box(engine.slots(black_box(q)).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, availability);
criterion_main!(benches);
