//! PF7: in-memory engine `book` throughput, one core.
//!
//! Target (PERFORMANCE.md): ≥ 300,000 commands/s for `book` with policies, audit and event.
//! Policies do not exist yet, so this measures validation, the conflict check, the booking
//! write and its audit record and event, all in one `MemoryStore` transaction.
//!
//! Groups (throughput: one command per iteration, so criterion also prints commands/s):
//! - `pf7_book/desk-1m`: an engine holding desk-1m (imported once per process via
//!   `import_snapshot`; that takes seconds), fed fresh book-workload commands from the
//!   seeded [`Workload`]. Most succeed, some conflict (about 10 % at first); successful
//!   bookings stay in the engine, as they would in a real one, so the conflict share creeps
//!   up over a long run. The counts are printed after the bench.
//! - `pf7_book/desk-1m_conflicting`: only commands that collide with a desk-1m booking
//!   (the refusal path: conflict report, no write), cycled.
//! - `pf7_book/1000-desks_empty`: the same workload on 1,000 desks with no bookings loaded.
//!
//! Command construction is not timed (`iter_batched`); parsing the RFC 3339 instants it
//! carries is, as it is part of `book`. The clock is a `ManualClock` at
//! 2025-12-31T00:00Z, before every booking.
//!
//! Run: `cargo bench -p slotwise-benches --bench engine_book`. Under
//! `cargo test --benches` (criterion's test mode, see `is_test_mode`) the dataset is
//! 20 desks × 50 bookings and each bench runs once, so CI stays fast.

use std::hint::black_box;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use slotwise::{Engine, ErrorCode, ManualClock, NewBooking};
use slotwise_benches::{
    desk_indexes, desk_snapshot, is_test_mode, Workload, CREATED_AT, DESKS, PER_DESK,
};

/// Conflicting commands cycled by `desk-1m_conflicting`.
const CONFLICTING: usize = 4_096;

/// (desks, bookings per desk): desk-1m, or 20 × 50 in test mode.
fn loaded_size() -> (u32, u32) {
    if is_test_mode() {
        (20, 50)
    } else {
        (DESKS, PER_DESK)
    }
}

/// Desks of the empty-engine variant: 1,000, or 20 in test mode.
fn empty_desks() -> u32 {
    if is_test_mode() {
        20
    } else {
        DESKS
    }
}

/// An in-memory engine at 2025-12-31T00:00Z holding `desks × per_desk` of desk-1m.
fn engine_with(desks: u32, per_desk: u32) -> Engine {
    let started = Instant::now();
    let snapshot = desk_snapshot(desks, per_desk);
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

/// Successes and conflicts seen by one bench.
#[derive(Default)]
struct Outcomes {
    booked: u64,
    conflicts: u64,
}

impl Outcomes {
    fn record(&mut self, engine: &mut Engine, cmd: NewBooking) {
        match engine.book(cmd) {
            Ok(booking) => {
                black_box(booking);
                self.booked += 1;
            }
            Err(e) if e.code() == ErrorCode::Conflict => {
                black_box(e);
                self.conflicts += 1;
            }
            Err(e) => panic!("book failed: {e:?}"),
        }
    }

    fn report(&self, name: &str) {
        let total = (self.booked + self.conflicts).max(1);
        eprintln!(
            "{name}: {} booked, {} conflicts ({:.1} % of {total} commands)",
            self.booked,
            self.conflicts,
            self.conflicts as f64 * 100.0 / total as f64
        );
    }
}

fn pf7_book(c: &mut Criterion) {
    let (desks, per_desk) = loaded_size();
    let mut engine = engine_with(desks, per_desk);
    let mut group = c.benchmark_group("pf7_book");
    group.throughput(Throughput::Elements(1));

    let mut workload = Workload::for_dataset(Workload::SEED, desks, per_desk);
    let mut outcomes = Outcomes::default();
    group.bench_function("desk-1m", |b| {
        b.iter_batched(
            || workload.book().to_command(),
            |cmd| outcomes.record(&mut engine, cmd),
            BatchSize::SmallInput,
        )
    });
    outcomes.report("pf7_book/desk-1m");

    // Requests that collide with a desk-1m booking keep colliding however often they run.
    let indexes = desk_indexes(desks, per_desk);
    let mut probe = Workload::for_dataset(Workload::SEED ^ 1, desks, per_desk);
    let mut conflicting = Vec::with_capacity(CONFLICTING);
    while conflicting.len() < CONFLICTING {
        let q = probe.book();
        if !indexes[q.desk as usize - 1].fits(q.span, 1, 1, CREATED_AT, None) {
            conflicting.push(q.to_command());
        }
    }
    drop(indexes);
    let mut outcomes = Outcomes::default();
    let mut i = 0;
    group.bench_function("desk-1m_conflicting", |b| {
        b.iter_batched(
            || {
                i += 1;
                conflicting[i % CONFLICTING].clone()
            },
            |cmd| outcomes.record(&mut engine, cmd),
            BatchSize::SmallInput,
        )
    });
    outcomes.report("pf7_book/desk-1m_conflicting");
    assert_eq!(outcomes.booked, 0, "a desk-1m collision was booked");
    drop(engine);

    let desks = empty_desks();
    let mut engine = engine_with(desks, 0);
    let mut workload = Workload::for_dataset(Workload::SEED, desks, PER_DESK);
    let mut outcomes = Outcomes::default();
    group.bench_function(format!("{desks}-desks_empty"), |b| {
        b.iter_batched(
            || workload.book().to_command(),
            |cmd| outcomes.record(&mut engine, cmd),
            BatchSize::SmallInput,
        )
    });
    outcomes.report(&format!("pf7_book/{desks}-desks_empty"));
    group.finish();
}

criterion_group!(benches, pf7_book);
criterion_main!(benches);
