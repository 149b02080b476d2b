//! PF10 reference: the Rust side of "a binding's `book` costs at most 2 µs more than the
//! Rust call". Books a fixed, conflict-free workload into fresh in-memory engines and
//! prints the mean time per `Engine::book` call of each round as JSON.
//!
//! The workload, shared with `bindings-python/bench/pf10.py` (which runs the same
//! through Python): `DESKS` desks `desk-0…` in UTC; call `i` books `desk-{i % DESKS}` for
//! member `m-{i % 97}` over one hour starting `i / DESKS` hours after
//! 2026-01-01T00:00:00Z. The clock is a `ManualClock` at 2025-12-31T00:00:00Z. Two ways
//! in, round by round: `rust` gives the instants as RFC 3339 strings (parsed by `book`),
//! `rust_instants` as `Timestamp`s (nothing to parse), the counterparts of Python's
//! strings and datetimes. The arguments are made before the timed loop; building each
//! `NewBooking` from them is timed, as it is part of calling `book`. Each process runs
//! one unrecorded warm-up round first, as `pf10.py` does.
//!
//! Run: `cargo run --release -p slotwise-benches --bin pf10_rust -- [DESKS] [BOOKS] [ROUNDS]`
//! (defaults 1000 20000 15), or `benches/pf10-python.sh` for both sides side by side.

use std::hint::black_box;
use std::time::Instant;

use slotwise::{Engine, ManualClock, NewBooking, NewResource, Timestamp};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .map(|a| a.parse().expect("arguments are numbers"))
        .unwrap_or(default)
}

fn main() {
    let desks = arg(1, 1000);
    let books = arg(2, 20_000);
    let rounds = arg(3, 15);
    let base = Timestamp::from_millis(1_767_225_600_000); // 2026-01-01T00:00:00Z
    let instants: Vec<(String, String, Timestamp, Timestamp)> = (0..books)
        .map(|i| {
            let start = base.add_secs(3_600 * (i / desks) as i64);
            (
                format!("desk-{}", i % desks),
                format!("m-{}", i % 97),
                start,
                start.add_secs(3_600),
            )
        })
        .collect();
    let strings: Vec<(String, String, String, String)> = instants
        .iter()
        .map(|(r, m, s, e)| (r.clone(), m.clone(), s.to_string(), e.to_string()))
        .collect();
    let mut rust = Vec::with_capacity(rounds);
    let mut rust_instants = Vec::with_capacity(rounds);
    // One unrecorded warm-up round first: the process's heap grows to size in it.
    for round in 0..=rounds {
        let mut engine = fresh_engine(desks);
        let began = Instant::now();
        for (resource, member, start, end) in &strings {
            let booking = engine.book(NewBooking::new(
                resource.as_str(),
                member.as_str(),
                start.as_str(),
                end.as_str(),
            ));
            black_box(booking.expect("the workload never conflicts"));
        }
        let elapsed = began.elapsed().as_nanos() as f64 / books as f64;
        drop(engine);
        let mut engine = fresh_engine(desks);
        let began = Instant::now();
        for (resource, member, start, end) in &instants {
            let booking = engine.book(NewBooking::new(
                resource.as_str(),
                member.as_str(),
                *start,
                *end,
            ));
            black_box(booking.expect("the workload never conflicts"));
        }
        if round > 0 {
            rust.push(elapsed);
            rust_instants.push(began.elapsed().as_nanos() as f64 / books as f64);
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "side": "rust",
            "desks": desks,
            "books": books,
            "per_call_ns": { "rust": rust, "rust_instants": rust_instants },
        })
    );
}

fn fresh_engine(desks: usize) -> Engine {
    let clock = ManualClock::at("2025-12-31T00:00:00Z".parse().expect("an instant"));
    let mut engine = Engine::in_memory().with_clock(clock);
    for d in 0..desks {
        engine
            .create_resource(NewResource::new(format!("desk-{d}")))
            .expect("desk created");
    }
    engine
}
