//! Several OS processes booking on one file (S2, I1): 8 processes × 2,000 contended
//! attempts on 5 resources. Each process opens the file itself; nothing is double-booked,
//! every acknowledged booking is stored for its process's member and nothing else is.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use slotwise::{
    Booking, BookingQuery, Engine, ErrorCode, ManualClock, NewBooking, NewResource, Timestamp,
};
use slotwise_sqlite::SqliteStore;

use crate::child;
use crate::support::temp_path;

/// Worker processes.
const PROCESSES: usize = 8;
/// Booking attempts per process.
const ATTEMPTS: usize = 2_000;
/// The resources and their capacities: five, one of them for two at once.
const RESOURCES: [(&str, u32); 5] = [
    ("desk-1", 1),
    ("desk-2", 1),
    ("desk-3", 1),
    ("desk-4", 1),
    ("room-5", 2),
];
/// The clock every engine reads.
const NOW: &str = "2026-03-01T08:00:00Z";
/// The contended window: 2026-03-02 08:00–20:00 UTC, in quarter hours.
const WINDOW_START: &str = "2026-03-02T08:00:00Z";
const QUARTERS: i64 = 48;
const QUARTER_MS: i64 = 15 * 60 * 1000;
/// Seeds the workers' spans (worker `n` uses `SEED + n`).
const SEED: u64 = 0x5107_5157;

/// The role the worker processes play.
const ROLE: &str = "processes-worker";
const DB_VAR: &str = "SLOTWISE_DB";
const MEMBER_VAR: &str = "SLOTWISE_MEMBER";
const SEED_VAR: &str = "SLOTWISE_SEED";
const ATTEMPTS_VAR: &str = "SLOTWISE_ATTEMPTS";

fn clock() -> ManualClock {
    ManualClock::at(NOW.parse().unwrap())
}

/// One worker process: opens the file, makes its attempts and reports each success
/// (`ok <booking id>`), each error other than `conflict` (`unexpected <code> <message>`)
/// and finally its counts (`done <successes> <conflicts> <unexpected>`). Run normally,
/// it does nothing.
#[test]
fn worker() {
    if !child::is(ROLE) {
        return;
    }
    let path: String = child::var(DB_VAR);
    let member: usize = child::var(MEMBER_VAR);
    let seed: u64 = child::var(SEED_VAR);
    let attempts: usize = child::var(ATTEMPTS_VAR);
    let mut engine = Engine::new(SqliteStore::open(&path).unwrap()).with_clock(clock());
    let mut rng = SmallRng::seed_from_u64(seed);
    let window: Timestamp = WINDOW_START.parse().unwrap();
    let (mut successes, mut conflicts, mut unexpected) = (0usize, 0usize, 0usize);
    for _ in 0..attempts {
        let (resource, _) = RESOURCES[rng.random_range(0..RESOURCES.len())];
        let len = rng.random_range(1..=4);
        let first = rng.random_range(0..=QUARTERS - len);
        let start = window.add_millis(first * QUARTER_MS);
        let end = start.add_millis(len * QUARTER_MS);
        match engine.book(NewBooking::new(resource, member.to_string(), start, end)) {
            Ok(booking) => {
                successes += 1;
                child::report(format_args!("ok {}", booking.id));
            }
            Err(e) if e.code() == ErrorCode::Conflict => conflicts += 1,
            Err(e) => {
                unexpected += 1;
                child::report(format_args!("unexpected {} {e}", e.code().as_str()));
            }
        }
    }
    child::report(format_args!("done {successes} {conflicts} {unexpected}"));
}

/// What one worker reported.
#[derive(Debug, Default)]
struct Report {
    ids: BTreeSet<String>,
    successes: usize,
    conflicts: usize,
    unexpected: Vec<String>,
    done: bool,
}

fn read_report(output: &str) -> Report {
    let mut report = Report::default();
    for line in child::reports(output) {
        let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
        match kind {
            "ok" => assert!(report.ids.insert(rest.to_string()), "id {rest} twice"),
            "unexpected" => report.unexpected.push(rest.to_string()),
            "done" => {
                let counts: Vec<usize> = rest.split(' ').map(|n| n.parse().unwrap()).collect();
                assert_eq!(counts.len(), 3, "bad count line: {line}");
                report.successes = counts[0];
                report.conflicts = counts[1];
                assert_eq!(counts[2], report.unexpected.len(), "unexpected errors lost");
                report.done = true;
            }
            _ => panic!("unknown report: {line}"),
        }
    }
    report
}

/// The most bookings of `bookings` that occupy the same instant: the peak is reached at
/// some booking's start.
fn peak(bookings: &[&Booking]) -> usize {
    bookings
        .iter()
        .map(|b| {
            bookings
                .iter()
                .filter(|o| o.start <= b.start && b.start < o.end)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn eight_processes_never_double_book_one_file() {
    let path = temp_path("processes");
    {
        let mut engine = Engine::new(SqliteStore::open(&path).unwrap()).with_clock(clock());
        for (id, capacity) in RESOURCES {
            engine
                .create_resource(NewResource::new(id).capacity(capacity))
                .unwrap();
        }
    }

    let test = child::test_path(module_path!(), "worker");
    let began = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|n| {
            child::spawn(
                &test,
                ROLE,
                &[
                    (DB_VAR, path.display().to_string()),
                    (MEMBER_VAR, n.to_string()),
                    (SEED_VAR, (SEED + n as u64).to_string()),
                    (ATTEMPTS_VAR, ATTEMPTS.to_string()),
                ],
            )
        })
        .collect();
    let waiters: Vec<_> = children
        .into_iter()
        .map(|c| std::thread::spawn(move || c.wait_with_output().unwrap()))
        .collect();
    let outputs: Vec<_> = waiters.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = began.elapsed();
    let total = PROCESSES * ATTEMPTS;
    eprintln!(
        "{PROCESSES} processes × {ATTEMPTS} attempts: {:.2} s, {:.0} attempts/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );

    let mut reports = Vec::new();
    for (n, output) in outputs.iter().enumerate() {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "worker {n} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        let report = read_report(&stdout);
        assert!(
            report.done,
            "worker {n} did not finish:\n{stdout}\n{stderr}"
        );
        assert!(
            report.unexpected.is_empty(),
            "worker {n} got errors other than conflict: {:#?}",
            report.unexpected
        );
        assert_eq!(report.successes, report.ids.len(), "worker {n}");
        assert_eq!(report.successes + report.conflicts, ATTEMPTS, "worker {n}");
        reports.push(report);
    }
    let attempts: usize = reports.iter().map(|r| r.successes + r.conflicts).sum();
    assert_eq!(attempts, total);
    let successes: usize = reports.iter().map(|r| r.successes).sum();
    eprintln!(
        "{successes} booked, {} conflicts",
        reports.iter().map(|r| r.conflicts).sum::<usize>()
    );

    let engine = Engine::new(SqliteStore::open(&path).unwrap()).with_clock(clock());
    let integrity = engine.integrity_check().unwrap();
    assert!(integrity.is_ok(), "{:#?}", integrity.violations);

    // No resource ever holds more than its capacity: brute force over what is stored.
    let mut stored = 0;
    let mut owners = BTreeMap::new();
    for (id, capacity) in RESOURCES {
        let bookings = engine
            .bookings(&BookingQuery {
                resource: Some(id.into()),
                ..Default::default()
            })
            .unwrap();
        stored += bookings.len();
        let active: Vec<&Booking> = bookings.iter().filter(|b| b.status.occupies()).collect();
        assert_eq!(active.len(), bookings.len(), "nothing here cancels");
        if capacity == 1 {
            for (i, a) in active.iter().enumerate() {
                for b in &active[i + 1..] {
                    assert!(
                        a.end <= b.start || b.end <= a.start,
                        "{id}: {} and {} overlap",
                        a.id,
                        b.id
                    );
                }
            }
        }
        let peak = peak(&active);
        assert!(peak as u32 <= capacity, "{id}: {peak} at once");
        for b in &bookings {
            owners.insert(b.id.to_string(), b.member.to_string());
        }
    }
    assert_eq!(stored, successes, "bookings stored vs acknowledged");

    // Each worker's member holds exactly the bookings that worker was told it made.
    for (n, report) in reports.iter().enumerate() {
        let mine = engine
            .bookings(&BookingQuery {
                member: Some(n.to_string().into()),
                ..Default::default()
            })
            .unwrap();
        let ids: BTreeSet<String> = mine.iter().map(|b| b.id.to_string()).collect();
        assert_eq!(mine.len(), report.successes, "worker {n}'s count");
        assert_eq!(ids, report.ids, "worker {n}'s bookings");
        assert!(ids.iter().all(|id| owners[id] == n.to_string()));
    }
}
