//! PF6: a 52-week weekly series, all-or-nothing, in memory.
//!
//! Target (PERFORMANCE.md): ≤ 100 µs per `book_series` of a weekly rule with `COUNT=52`.
//!
//! Every bench runs on an in-memory engine holding desk-1m ([`desk_snapshot`], imported
//! once via `import_snapshot`; that takes seconds), clock a `ManualClock` at
//! 2025-12-31T00:00Z, before every booking. Groups, in the order they run:
//!
//! - `pf6_series/weekly_52`: `Engine::book_series` of `FREQ=WEEKLY;BYDAY=..;COUNT=52`, one
//!   hour, all-or-nothing, on a UTC desk with no policy. Every call books 52 occurrences:
//!   call `i` takes desk `i mod desks`, then an hour of day from 10:00 to 23:00 UTC (desk-1m
//!   bookings all end by 09:00), then a first day 0–6, then a 364-day block (days 0–6, then
//!   364–370, …), so no two calls collide and none collides with the data. The first
//!   196 calls per desk (14 hours × 7 days × 2 blocks) lie inside desk-1m's 1,000 days
//!   (their conflict checks search a full tree); later ones run past it.
//! - `pf6_series/weekly_52_conflict_refused`: the same kind of series (09:00–10:00 UTC,
//!   clear of the data and of the hours above), but one of its 52 occurrences collides
//!   with a booking put there beforehand, so all-or-nothing refuses it with
//!   `series_rejected` and writes nothing. 64 such commands (a different desk, weekday and
//!   colliding week each) are cycled: a refused call leaves the store as it was.
//! - `pf6_series/weekly_52_london_policy`: a second engine holding desk-1m with every desk
//!   in `Europe/London`, tagged `london`, under a policy (tag scope) of weekday opening
//!   hours 08:00–20:00, buffers of 10 minutes before and 5 after, and quotas of 2 bookings
//!   and 3 hours per member per week. Each call books 52 Mondays–Fridays at 12:00, 14:00,
//!   16:00 or 18:00 local (one hour) from the second week of a January, so every series
//!   crosses both DST changes (March to BST, October back to GMT); each call is for its
//!   own member of that year, so the quotas are evaluated (counting the series' earlier
//!   occurrences) and never exceeded. Calls rotate desk, hour, weekday, then year.
//!
//! Before timing, each bench's calls are checked: the successful ones book exactly 52
//! occurrences at the expected instants (a brute-force reading of the rule, DST offsets
//! from a table), the desk's index holds no instant above capacity and the series is
//! consistent; the refused ones fail with one conflicting occurrence and leave bookings
//! and the id sequence untouched; the London policy refuses a series after closing time
//! and one that breaks the weekly quota. Under `cargo test --benches` (criterion's test
//! mode, see `is_test_mode`) the dataset is 20 desks × 50 bookings, the whole store also
//! passes `integrity_check`, and each bench runs once.
//!
//! Command construction is not timed (`iter_batched`); parsing the command's local times
//! and RRULE is, as it is part of `book_series`.
//!
//! Run: `cargo bench -p slotwise-benches --bench series`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::json;
use slotwise::recurrence::{NewSeries, OccurrenceOutcome, SeriesOutcome};
use slotwise::time::parse_timezone;
use slotwise::{
    Engine, ErrorCode, ErrorDetails, ManualClock, MemoryStore, NewBooking, Policy, ResourceId,
    Snapshot, Span, StoreRead, Timestamp, ViolationCode,
};
use slotwise_benches::{
    desk_id, desk_snapshot, is_test_mode, member_id, CREATED_AT, DAY_ZERO, DESKS, MEMBERS, PER_DESK,
};

/// Occurrences per series.
const WEEKS: i64 = 52;
/// Conflicting commands cycled by `weekly_52_conflict_refused`.
const CONFLICTING: usize = 64;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
const WEEK_MS: i64 = 7 * DAY_MS;

/// First hour (UTC) of the plain series; they take 10:00 to 23:00, one hour each.
const PLAIN_FIRST_HOUR: i64 = 10;
const PLAIN_HOURS: u64 = 14;
/// The hour (UTC) of the conflicting series: clear of desk-1m and of the plain ones.
const CONFLICT_HOUR: i64 = 9;
/// Local starting hours of the London series (two hours apart, so buffers never touch).
const LONDON_HOURS: [u32; 4] = [12, 14, 16, 18];
/// The London policy.
const BUFFER_BEFORE_MINS: i64 = 10;
const BUFFER_AFTER_MINS: i64 = 5;
const LONDON_TAG: &str = "london";

/// (desks, bookings per desk): desk-1m, or 20 × 50 in test mode.
fn size() -> (u32, u32) {
    if is_test_mode() {
        (20, 50)
    } else {
        (DESKS, PER_DESK)
    }
}

/// An in-memory engine at 2025-12-31T00:00Z holding `snapshot`.
fn engine_with(snapshot: Snapshot) -> Engine<MemoryStore> {
    let started = Instant::now();
    let mut engine = Engine::in_memory().with_clock(ManualClock::at(CREATED_AT));
    let report = engine.import_snapshot(snapshot).expect("desk-1m imports");
    eprintln!(
        "loaded {} desks, {} bookings in {:.2?}",
        report.resources,
        report.bookings,
        started.elapsed()
    );
    engine
}

/// The RRULE weekday of a UTC day number (days since 1970-01-01, a Thursday).
fn byday(t: Timestamp) -> &'static str {
    const DAYS: [&str; 7] = ["TH", "FR", "SA", "SU", "MO", "TU", "WE"];
    DAYS[t.as_millis().div_euclid(DAY_MS).rem_euclid(7) as usize]
}

/// `t` as a local wall time `YYYY-MM-DDTHH:MM` (the digits of its UTC reading).
fn wall(t: Timestamp) -> String {
    t.to_datetime().format("%Y-%m-%dT%H:%M").to_string()
}

/// One series to book: a desk, the first occurrence's wall-clock start (UTC digits; in
/// London they are read as London wall time) and the member.
#[derive(Clone, Debug)]
struct Planned {
    desk: u32,
    first: Timestamp,
    member: String,
}

impl Planned {
    fn command(&self) -> NewSeries {
        NewSeries::rrule(
            desk_id(self.desk),
            self.member.as_str(),
            wall(self.first),
            wall(self.first.add_millis(HOUR_MS)),
            format!("FREQ=WEEKLY;BYDAY={};COUNT={WEEKS}", byday(self.first)),
        )
    }
}

/// The plain series, call by call: desk fastest, then hour, weekday, 364-day block.
struct PlainPlan {
    desks: u32,
    next: u64,
}

impl PlainPlan {
    fn next(&mut self) -> Planned {
        let i = self.next;
        self.next += 1;
        let desks = u64::from(self.desks);
        let desk = (i % desks) as u32 + 1;
        let j = i / desks;
        let hour = PLAIN_FIRST_HOUR + (j % PLAIN_HOURS) as i64;
        let weekday = ((j / PLAIN_HOURS) % 7) as i64;
        let block = (j / (PLAIN_HOURS * 7)) as i64;
        let day = 364 * block + weekday;
        Planned {
            desk,
            first: DAY_ZERO.add_millis(day * DAY_MS + hour * HOUR_MS),
            member: member_id((i % u64::from(MEMBERS)) as u32 + 1),
        }
    }
}

/// The London series, call by call: desk fastest, then hour, weekday (Monday to Friday),
/// year (from 2026); the member is the call's index within its year.
struct LondonPlan {
    desks: u32,
    next: u64,
}

impl LondonPlan {
    fn per_year(&self) -> u64 {
        u64::from(self.desks) * LONDON_HOURS.len() as u64 * 5
    }

    fn next(&mut self) -> Planned {
        let i = self.next;
        self.next += 1;
        let desks = u64::from(self.desks);
        let desk = (i % desks) as u32 + 1;
        let j = i / desks;
        let hour = LONDON_HOURS[(j % LONDON_HOURS.len() as u64) as usize];
        let weekday = (j / LONDON_HOURS.len() as u64) % 5;
        let year = 2026 + i / self.per_year();
        // The first Monday on or after 5 January, then the weekday.
        let jan5: Timestamp = format!("{year}-01-05T00:00:00Z").parse().unwrap();
        let since_monday = (jan5.as_millis().div_euclid(DAY_MS) + 3).rem_euclid(7);
        let monday = jan5.add_millis((7 - since_monday) % 7 * DAY_MS);
        Planned {
            desk,
            first: monday.add_millis(weekday as i64 * DAY_MS + i64::from(hour) * HOUR_MS),
            member: format!("s{}", i % self.per_year()),
        }
    }
}

/// Europe/London's offset changes from 2026 to 2028: to BST (+1 h) on the last Sunday of
/// March, back to GMT on the last Sunday of October, both at 01:00Z.
const LONDON_CHANGES: [&str; 6] = [
    "2026-03-29T01:00:00Z",
    "2026-10-25T01:00:00Z",
    "2027-03-28T01:00:00Z",
    "2027-10-31T01:00:00Z",
    "2028-03-26T01:00:00Z",
    "2028-10-29T01:00:00Z",
];

/// London's UTC offset at the instant whose UTC reading is `wall` less one hour, which
/// for the afternoon times here is the same as at `wall` read in London.
fn london_offset_ms(wall: Timestamp) -> i64 {
    let probe = wall.add_millis(-HOUR_MS);
    let changes = LONDON_CHANGES
        .iter()
        .filter(|c| c.parse::<Timestamp>().unwrap() <= probe)
        .count();
    if changes % 2 == 1 {
        HOUR_MS
    } else {
        0
    }
}

/// The desk's stored index has no instant from now on above its capacity of 1, and holds
/// `expected` entries.
fn assert_desk_sound(engine: &Engine<MemoryStore>, desk: u32, expected: Option<usize>) {
    let id = ResourceId::from(desk_id(desk));
    let (mut over, mut len) = (Vec::new(), 0);
    engine
        .store()
        .with_index(&id, &mut |idx| {
            over = idx.over_capacity(
                Span {
                    start: CREATED_AT,
                    end: Timestamp::MAX,
                },
                1,
                CREATED_AT,
            );
            len = idx.len();
        })
        .unwrap();
    assert!(over.is_empty(), "{id} is overbooked: {over:?}");
    if let Some(expected) = expected {
        assert_eq!(len, expected, "entries in the index of {id}");
    }
}

/// A successful 52-week outcome: every occurrence booked, one week apart on the wall
/// clock, `offset_ms(wall)` giving the zone's offset; the bookings stored as reported.
fn assert_booked(
    engine: &Engine<MemoryStore>,
    planned: &Planned,
    out: &SeriesOutcome,
    offset_ms: fn(Timestamp) -> i64,
) {
    assert_eq!(out.occurrences.len(), WEEKS as usize, "{planned:?}");
    for (w, o) in out.occurrences.iter().enumerate() {
        let wall = planned.first.add_millis(w as i64 * WEEK_MS);
        let start = wall.add_millis(-offset_ms(wall));
        assert_eq!(o.outcome, OccurrenceOutcome::Booked, "{planned:?} week {w}");
        assert_eq!(o.start, Some(start), "{planned:?} week {w}");
        assert_eq!(
            o.end,
            Some(start.add_millis(HOUR_MS)),
            "{planned:?} week {w}"
        );
    }
    let view = engine.series(&out.series.id).unwrap();
    assert_eq!(view.bookings.len(), WEEKS as usize);
    for (b, o) in view.bookings.iter().zip(&out.occurrences) {
        assert_eq!(Some(&b.id), o.booking.as_ref());
        assert_eq!((Some(b.start), Some(b.end)), (o.start, o.end));
        assert_eq!(b.resource.as_str(), desk_id(planned.desk));
    }
}

/// In test mode (a small store), the whole store's integrity check.
fn assert_store_sound(engine: &Engine<MemoryStore>) {
    if is_test_mode() {
        let report = engine.integrity_check().unwrap();
        assert!(report.is_ok(), "{:?}", report.violations);
    }
}

/// Per-bench tallies, checked and printed after timing.
#[derive(Default)]
struct Tally {
    booked: u64,
    refused: u64,
}

fn series(c: &mut Criterion) {
    let (desks, per_desk) = size();
    let mut engine = engine_with(desk_snapshot(desks, per_desk));
    let mut group = c.benchmark_group("pf6_series");

    // ---- weekly_52: every call books 52 occurrences.
    let mut plan = PlainPlan { desks, next: 0 };
    for _ in 0..desks.min(8) {
        let p = plan.next();
        let out = engine.book_series(p.command()).expect("the series books");
        assert_booked(&engine, &p, &out, |_| 0);
        assert_desk_sound(&engine, p.desk, Some(per_desk as usize + WEEKS as usize));
    }
    assert_store_sound(&engine);
    let mut tally = Tally::default();
    group.bench_function("weekly_52", |b| {
        b.iter_batched(
            || plan.next().command(),
            |cmd| {
                let out = engine.book_series(cmd).expect("every timed series books");
                assert_eq!(out.occurrences.len(), WEEKS as usize);
                tally.booked += 1;
                black_box(out)
            },
            BatchSize::SmallInput,
        )
    });
    let booked_before = engine.store().booking_count().unwrap();
    for desk in 1..=desks {
        assert_desk_sound(&engine, desk, None);
    }
    assert_store_sound(&engine);
    eprintln!(
        "pf6_series/weekly_52: {} timed series booked ({} plans used); {booked_before} bookings \
         now, no desk overbooked",
        tally.booked, plan.next
    );

    // ---- weekly_52_conflict_refused: one occurrence of 52 collides; nothing is written.
    let mut refused = Vec::with_capacity(CONFLICTING);
    for n in 0..CONFLICTING {
        let desk = (n as u32 % desks) + 1;
        let weekday = (n as i64 / i64::from(desks)) % 7;
        assert!(weekday < 7 && n < 7 * desks as usize, "too few desks");
        let first = DAY_ZERO.add_millis(weekday * DAY_MS + CONFLICT_HOUR * HOUR_MS);
        let week = (n as i64 * 13) % WEEKS;
        let blocker_start = first.add_millis(week * WEEK_MS + 15 * MINUTE_MS);
        let blocker = engine
            .book(NewBooking::new(
                desk_id(desk),
                "blocker",
                blocker_start,
                blocker_start.add_millis(30 * MINUTE_MS),
            ))
            .expect("the blocking booking is made");
        let planned = Planned {
            desk,
            first,
            member: member_id(n as u32 + 1),
        };
        refused.push((planned.command(), blocker.id, week));
    }
    let before = (
        engine.store().booking_count().unwrap(),
        engine.store().sequence().unwrap(),
    );
    for (cmd, blocker, week) in &refused {
        let err = engine.book_series(cmd.clone()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SeriesRejected, "{err:?}");
        let ErrorDetails::Series { occurrences } = err.details() else {
            panic!("series_rejected without its occurrences: {err:?}");
        };
        assert_eq!(occurrences.len(), 1, "{occurrences:?}");
        let failed = &occurrences[0];
        assert_eq!(failed.reason, Some(ErrorCode::Conflict));
        assert_eq!(failed.conflicts.len(), 1);
        assert_eq!(failed.conflicts[0].id, blocker.as_str());
        let first = cmd.start.as_ref().unwrap().text();
        let first: Timestamp = format!("{first}:00Z").parse().unwrap();
        assert_eq!(failed.start, Some(first.add_millis(week * WEEK_MS)));
    }
    let after = (
        engine.store().booking_count().unwrap(),
        engine.store().sequence().unwrap(),
    );
    assert_eq!(after, before, "a refused series wrote something");
    let mut tally = Tally::default();
    let mut i = 0;
    group.bench_function("weekly_52_conflict_refused", |b| {
        b.iter_batched(
            || {
                i += 1;
                refused[i % CONFLICTING].0.clone()
            },
            |cmd| {
                let err = engine
                    .book_series(cmd)
                    .expect_err("every timed series is refused");
                assert_eq!(err.code(), ErrorCode::SeriesRejected);
                tally.refused += 1;
                black_box(err)
            },
            BatchSize::SmallInput,
        )
    });
    let after = (
        engine.store().booking_count().unwrap(),
        engine.store().sequence().unwrap(),
    );
    assert_eq!(after, before, "a refused series wrote something");
    eprintln!(
        "pf6_series/weekly_52_conflict_refused: {} timed series refused, nothing written",
        tally.refused
    );
    drop(engine);

    // ---- weekly_52_london_policy: Europe/London, opening hours, buffers and quotas.
    let mut snapshot = desk_snapshot(desks, per_desk);
    for r in &mut snapshot.resources {
        r.timezone = "Europe/London".into();
        r.tags = vec![LONDON_TAG.into()];
    }
    let weekday = json!([["08:00", "20:00"]]);
    let policy: Policy = serde_json::from_value(json!({
        "id": "london-desks",
        "scope": {"tag": LONDON_TAG},
        "rules": {
            "opening_hours": {"weekly": {
                "mon": weekday, "tue": weekday, "wed": weekday, "thu": weekday, "fri": weekday
            }},
            "buffer_before_mins": BUFFER_BEFORE_MINS,
            "buffer_after_mins": BUFFER_AFTER_MINS,
            "quotas": {"bookings_per_week": 2, "hours_per_week": 3}
        }
    }))
    .expect("the policy parses");
    snapshot.policies.push(policy);
    let mut engine = engine_with(snapshot);
    let london = parse_timezone("Europe/London").unwrap();
    let mut plan = LondonPlan { desks, next: 0 };
    for _ in 0..desks.min(8) {
        let p = plan.next();
        let out = engine
            .book_series(p.command())
            .expect("the London series books");
        assert_booked(&engine, &p, &out, london_offset_ms);
        let offsets: Vec<i64> = out
            .occurrences
            .iter()
            .enumerate()
            .map(|(w, o)| {
                p.first.add_millis(w as i64 * WEEK_MS).as_millis() - o.start.unwrap().as_millis()
            })
            .collect();
        assert_eq!(offsets.first(), Some(&0), "starts in GMT");
        assert_eq!(offsets.last(), Some(&0), "ends in GMT");
        assert!(offsets.contains(&HOUR_MS), "crosses into BST");
        assert_eq!(out.series.timezone, london.name());
        for b in engine.series(&out.series.id).unwrap().bookings {
            assert_eq!(b.buffer_before_ms, BUFFER_BEFORE_MINS * MINUTE_MS);
            assert_eq!(b.buffer_after_ms, BUFFER_AFTER_MINS * MINUTE_MS);
        }
        assert_desk_sound(&engine, p.desk, Some(per_desk as usize + WEEKS as usize));
    }
    // The policy bites: after closing time is refused, and so is a third series of one
    // member in the same weeks (08:30 and 10:00 on desks 1 to 3 are clear of desk-1m, of
    // the timed series and of each other).
    let probe = |desk: u32, hour: &str| Planned {
        desk,
        first: format!("2026-01-05T{hour}:00Z").parse().unwrap(),
        member: "quota-probe".into(),
    };
    let late = Planned {
        first: "2026-01-05T19:30:00Z".parse().unwrap(),
        ..probe(1, "00:00")
    };
    let err = engine.book_series(late.command()).unwrap_err();
    let closed = |err: &slotwise::Error| match err.details() {
        ErrorDetails::Series { occurrences } => occurrences.iter().all(|o| {
            o.reason == Some(ErrorCode::PolicyViolation)
                && o.violations.iter().any(|v| v.code == ViolationCode::Closed)
        }),
        _ => false,
    };
    assert!(closed(&err), "{err:?}");
    for (desk, hour) in [(1, "08:30"), (2, "10:00")] {
        let p = probe(desk, hour);
        let out = engine
            .book_series(p.command())
            .expect("two a week are allowed");
        assert_booked(&engine, &p, &out, london_offset_ms);
    }
    let err = engine.book_series(probe(3, "08:30").command()).unwrap_err();
    let ErrorDetails::Series { occurrences } = err.details() else {
        panic!("{err:?}");
    };
    assert_eq!(occurrences.len(), WEEKS as usize);
    assert!(occurrences.iter().all(|o| o
        .violations
        .iter()
        .any(|v| v.code == ViolationCode::BookingsPerWeek)));
    assert_store_sound(&engine);
    let mut tally = Tally::default();
    group.bench_function("weekly_52_london_policy", |b| {
        b.iter_batched(
            || plan.next().command(),
            |cmd| {
                let out = engine.book_series(cmd).expect("every timed series books");
                assert_eq!(out.occurrences.len(), WEEKS as usize);
                tally.booked += 1;
                black_box(out)
            },
            BatchSize::SmallInput,
        )
    });
    for desk in 1..=desks {
        assert_desk_sound(&engine, desk, None);
    }
    assert_store_sound(&engine);
    eprintln!(
        "pf6_series/weekly_52_london_policy: {} timed series booked ({} plans used, up to \
         year {}); no desk overbooked",
        tally.booked,
        plan.next,
        2026 + plan.next.saturating_sub(1) / plan.per_year()
    );
    group.finish();
}

criterion_group!(benches, series);
criterion_main!(benches);
