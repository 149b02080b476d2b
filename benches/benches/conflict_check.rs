//! PF1: the conflict check on the in-memory interval index, desk-1m loaded.
//!
//! Target (PERFORMANCE.md): p50 ≤ 300 ns per check, and ×10 bookings per resource costs
//! less than ×2 time.
//!
//! Groups:
//! - `pf1_fits`: `IntervalIndex::fits` (the question `book` asks first) for 4,096
//!   pre-generated book-workload queries, cycled: the mixed workload (~10 % conflict), its
//!   free and conflicting halves, and the same mix through
//!   `MemoryState::interval_index` (the store's id → index hash lookup included).
//! - `pf1_scaling`: `fits` with 100, 1,000 and 10,000 bookings per desk. The total stays at
//!   1,000,000 bookings (10,000, 1,000 and 100 desks) so the memory touched is comparable
//!   and only the per-desk tree size changes; read the ×10 claim off adjacent entries.
//! - `pf1_conflicts`: `IntervalIndex::conflicts` (the full report a refused `book` builds),
//!   on the mixed workload and on conflicting queries only.
//!
//! Run: `cargo bench -p slotwise-benches --bench conflict_check`. Under
//! `cargo test --benches` (criterion's test mode, see `is_test_mode`) every dataset
//! shrinks to about a thousand bookings and each bench runs once, so CI stays fast.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};
use slotwise::index::IntervalIndex;
use slotwise::store::MemoryState;
use slotwise::{ResourceId, Span};
use slotwise_benches::{
    desk_booking, desk_id, desk_indexes, desk_resource, is_test_mode, BookRequest, Workload,
    CREATED_AT, DESKS, PER_DESK,
};

/// Queries per benchmark, cycled (a power of two).
const QUERIES: usize = 4_096;

/// (desks, bookings per desk) of the main dataset: desk-1m, or 20 × 50 in test mode.
fn main_size() -> (u32, u32) {
    if is_test_mode() {
        (20, 50)
    } else {
        (DESKS, PER_DESK)
    }
}

/// (desks, bookings per desk) of the scaling datasets: 1,000,000 bookings each, or
/// 1,000 in test mode.
fn scaling_sizes() -> [(u32, u32); 3] {
    if is_test_mode() {
        [(200, 5), (20, 50), (2, 500)]
    } else {
        [(10_000, 100), (1_000, 1_000), (100, 10_000)]
    }
}

/// A query with its desk's index already picked out.
struct Query<'a> {
    index: &'a IntervalIndex,
    span: Span,
}

fn queries<'a>(indexes: &'a [IntervalIndex], requests: &[BookRequest]) -> Vec<Query<'a>> {
    requests
        .iter()
        .map(|q| Query {
            index: &indexes[q.desk as usize - 1],
            span: q.span,
        })
        .collect()
}

fn build_indexes(desks: u32, per_desk: u32) -> Vec<IntervalIndex> {
    let started = Instant::now();
    let indexes = desk_indexes(desks, per_desk);
    eprintln!(
        "built {desks} indexes x {per_desk} bookings in {:.2?}",
        started.elapsed()
    );
    indexes
}

/// `QUERIES` book-workload requests, plus as many free and as many conflicting ones.
fn workload(indexes: &[IntervalIndex], desks: u32, days: u32) -> [Vec<BookRequest>; 3] {
    let mut w = Workload::for_dataset(Workload::SEED, desks, days);
    let mixed = w.book_requests(QUERIES);
    let (mut free, mut conflicting) = (Vec::new(), Vec::new());
    while free.len() < QUERIES || conflicting.len() < QUERIES {
        let q = w.book();
        let fits = indexes[q.desk as usize - 1].fits(q.span, 1, 1, CREATED_AT, None);
        let list = if fits { &mut free } else { &mut conflicting };
        if list.len() < QUERIES {
            list.push(q);
        }
    }
    let conflict_share = mixed
        .iter()
        .filter(|q| !indexes[q.desk as usize - 1].fits(q.span, 1, 1, CREATED_AT, None))
        .count() as f64
        / QUERIES as f64;
    eprintln!(
        "mixed workload: {:.1} % conflicting",
        conflict_share * 100.0
    );
    [mixed, free, conflicting]
}

fn bench_fits_on(group: &mut BenchmarkGroup<'_, WallTime>, id: BenchmarkId, queries: &[Query<'_>]) {
    let mut i = 0;
    group.bench_function(id, |b| {
        b.iter(|| {
            let q = &queries[i % QUERIES];
            i += 1;
            black_box(q.index.fits(black_box(q.span), 1, 1, CREATED_AT, None))
        })
    });
}

fn pf1_fits_and_conflicts(c: &mut Criterion) {
    let (desks, per_desk) = main_size();
    let indexes = build_indexes(desks, per_desk);
    let [mixed, free, conflicting] = workload(&indexes, desks, per_desk);
    let label = format!("{desks}x{per_desk}");

    let mut group = c.benchmark_group("pf1_fits");
    for (name, requests) in [
        ("mixed", &mixed),
        ("free", &free),
        ("conflicting", &conflicting),
    ] {
        bench_fits_on(
            &mut group,
            BenchmarkId::new(name, &label),
            &queries(&indexes, requests),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("pf1_conflicts");
    for (name, requests) in [("mixed", &mixed), ("conflicting", &conflicting)] {
        let queries = queries(&indexes, requests);
        let mut i = 0;
        group.bench_function(BenchmarkId::new(name, &label), |b| {
            b.iter(|| {
                let q = &queries[i % QUERIES];
                i += 1;
                black_box(q.index.conflicts(black_box(q.span), 1, 1, CREATED_AT, None))
            })
        });
    }
    group.finish();
    drop(indexes);

    // The same check as the store makes it: resource id → index hash lookup, then `fits`.
    let started = Instant::now();
    let mut state = MemoryState::new();
    for r in 1..=desks {
        state.put_resource(Arc::new(desk_resource(r)));
        for k in 0..per_desk {
            state.put_booking(desk_booking(per_desk, r, k));
        }
    }
    eprintln!("built MemoryState in {:.2?}", started.elapsed());
    let by_id: Vec<(ResourceId, Span)> = mixed
        .iter()
        .map(|q| (ResourceId::from(desk_id(q.desk)), q.span))
        .collect();
    let mut group = c.benchmark_group("pf1_fits");
    let mut i = 0;
    group.bench_function(BenchmarkId::new("mixed_via_store_state", &label), |b| {
        b.iter(|| {
            let (desk, span) = &by_id[i % QUERIES];
            i += 1;
            let index = state.interval_index(black_box(desk));
            black_box(index.fits(black_box(*span), 1, 1, CREATED_AT, None))
        })
    });
    group.finish();
}

fn pf1_scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("pf1_scaling");
    for (desks, per_desk) in scaling_sizes() {
        let indexes = build_indexes(desks, per_desk);
        let [mixed, _, _] = workload(&indexes, desks, per_desk);
        bench_fits_on(
            &mut group,
            BenchmarkId::new("fits_per_desk", per_desk),
            &queries(&indexes, &mixed),
        );
    }
    group.finish();
}

criterion_group!(benches, pf1_fits_and_conflicts, pf1_scaling);
criterion_main!(benches);
