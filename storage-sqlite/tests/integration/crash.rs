//! Crashes (I5, S2): a process streaming bookings and all-or-nothing series into one file
//! is killed with SIGKILL at random moments, again and again. After every kill the file
//! opens, passes the integrity check, holds every booking and series the process was told
//! were made, and holds no part of a series without the rest.
#![cfg(unix)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use slotwise::recurrence::{NewSeries, SeriesMode, SeriesStatus};
use slotwise::{
    BookingId, BookingStatus, Engine, ErrorCode, ManualClock, NewBooking, NewResource, StoreRead,
    Timestamp,
};
use slotwise_sqlite::SqliteStore;

use crate::child;
use crate::support::temp_path;

/// Kill cycles, each on a new writer process, all on one file.
const CYCLES: u64 = 60;
/// The resources written to, one unit each.
const ROOMS: [&str; 3] = ["room-1", "room-2", "room-3"];
/// Occurrences of every series: weekly, four times.
const OCCURRENCES: usize = 4;
const RULE: &str = "FREQ=WEEKLY;COUNT=4";
/// The clock every engine reads: before everything booked here.
const NOW: &str = "2026-03-01T08:00:00Z";
/// Cycle `c` books in the five weeks from `FIRST_WEEK + c × 35 days`: series start in
/// the first week and end in the fourth, single bookings fall anywhere in the first four.
const FIRST_WEEK: &str = "2026-03-02T00:00:00Z";
const CYCLE_MS: i64 = 35 * DAY_MS;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const QUARTER_MS: i64 = 15 * 60 * 1000;
const WEEK_QUARTERS: i64 = 7 * 96;
/// Seeds the kill timing (and, plus the cycle number, each writer's spans).
const SEED: u64 = 0xC4A5_4ED0;
/// How long a writer goes on if nobody kills it.
const WRITER_LIMIT: Duration = Duration::from_secs(120);

/// The role the writer processes play.
const ROLE: &str = "crash-writer";
const DB_VAR: &str = "SLOTWISE_DB";
const SEED_VAR: &str = "SLOTWISE_SEED";
const CYCLE_VAR: &str = "SLOTWISE_CYCLE";

fn clock() -> ManualClock {
    ManualClock::at(NOW.parse().unwrap())
}

/// One writer process: opens the file, reports `ready`, then books until it is killed,
/// reporting each acknowledged booking (`booking <id>`) and series (`series <id>
/// <booking ids…>`) as soon as the call returns, and any error other than a conflict
/// (`unexpected <code> <message>`). Run normally, it does nothing.
#[test]
fn writer() {
    if !child::is(ROLE) {
        return;
    }
    let path: String = child::var(DB_VAR);
    let seed: u64 = child::var(SEED_VAR);
    let cycle: i64 = child::var(CYCLE_VAR);
    let mut engine = Engine::new(SqliteStore::open(&path).unwrap()).with_clock(clock());
    child::report("ready");
    let mut rng = SmallRng::seed_from_u64(seed);
    let base = FIRST_WEEK
        .parse::<Timestamp>()
        .unwrap()
        .add_millis(cycle * CYCLE_MS);
    let began = Instant::now();
    while began.elapsed() < WRITER_LIMIT {
        let room = ROOMS[rng.random_range(0..ROOMS.len())];
        let len = rng.random_range(1..=2);
        if rng.random_bool(0.3) {
            let first = rng.random_range(0..=WEEK_QUARTERS - len);
            let start = base.add_millis(first * QUARTER_MS);
            let end = start.add_millis(len * QUARTER_MS);
            let cmd =
                NewSeries::rrule(room, "crasher", start, end, RULE).mode(SeriesMode::AllOrNothing);
            match engine.book_series(cmd) {
                Ok(out) => {
                    let ids: Vec<String> = out
                        .occurrences
                        .iter()
                        .map(|o| o.booking.as_ref().map_or("-".into(), |b| b.to_string()))
                        .collect();
                    child::report(format_args!("series {} {}", out.series.id, ids.join(" ")));
                }
                Err(e) if e.code() == ErrorCode::SeriesRejected => {}
                Err(e) => child::report(format_args!("unexpected {} {e}", e.code())),
            }
        } else {
            let first = rng.random_range(0..=4 * WEEK_QUARTERS - len);
            let start = base.add_millis(first * QUARTER_MS);
            let end = start.add_millis(len * QUARTER_MS);
            match engine.book(NewBooking::new(room, "crasher", start, end)) {
                Ok(booking) => child::report(format_args!("booking {}", booking.id)),
                Err(e) if e.code() == ErrorCode::Conflict => {}
                Err(e) => child::report(format_args!("unexpected {} {e}", e.code())),
            }
        }
    }
    child::report("timeout");
}

/// What the writers acknowledged, over every cycle so far.
#[derive(Debug, Default)]
struct Acked {
    bookings: BTreeSet<String>,
    series: BTreeMap<String, Vec<String>>,
}

impl Acked {
    /// Takes one report line of a writer; returns whether it was `ready`.
    fn take(&mut self, report: &str, output: &str) -> bool {
        let mut words = report.split(' ');
        match words.next() {
            Some("ready") => return true,
            Some("booking") => {
                let id = words.next().expect("a booking id");
                assert!(self.bookings.insert(id.to_string()), "{id} twice");
            }
            Some("series") => {
                let id = words.next().expect("a series id").to_string();
                let ids: Vec<String> = words.map(str::to_string).collect();
                assert_eq!(ids.len(), OCCURRENCES, "series {id}: {ids:?}");
                assert!(!ids.iter().any(|b| b == "-"), "series {id} skipped one");
                assert!(self.series.insert(id.clone(), ids).is_none(), "{id} twice");
            }
            _ => panic!("writer reported `{report}`:\n{output}"),
        }
        false
    }

    fn commands(&self) -> usize {
        self.bookings.len() + self.series.len()
    }
}

/// Reopens the file after a kill and checks it against what was acknowledged: sound;
/// every acknowledged booking and series there, untouched; every stored series whole;
/// at most one command per cycle stored without its acknowledgement (the one in flight
/// when the writer died). Returns how many commands are stored unacknowledged.
fn verify(path: &std::path::Path, acked: &Acked, cycles: u64) -> usize {
    let engine = Engine::new(SqliteStore::open(path).unwrap()).with_clock(clock());
    let integrity = engine.integrity_check().unwrap();
    assert!(integrity.is_ok(), "{:#?}", integrity.violations);

    for id in &acked.bookings {
        let booking = engine
            .booking(&BookingId::from(id.as_str()))
            .unwrap_or_else(|e| panic!("acknowledged booking {id}: {e}"));
        assert_eq!(booking.status, BookingStatus::Confirmed, "{id}");
        assert!(booking.series.is_none(), "{id}");
    }
    for (id, ids) in &acked.series {
        let view = engine
            .series(id)
            .unwrap_or_else(|e| panic!("acknowledged series {id}: {e}"));
        assert_eq!(view.series.status, SeriesStatus::Active, "{id}");
        let stored: BTreeSet<String> = view.bookings.iter().map(|b| b.id.to_string()).collect();
        let expected: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(stored, expected, "series {id}'s bookings");
        assert!(
            view.bookings
                .iter()
                .all(|b| b.status == BookingStatus::Confirmed),
            "series {id}: {:#?}",
            view.bookings
        );
    }

    let store = engine.store();
    let mut all_series = Vec::new();
    store
        .all_series(&mut |s| all_series.push(s.clone()))
        .unwrap();
    for series in &all_series {
        let (mut count, mut live) = (0, 0);
        store
            .series_bookings(&series.id, &mut |b| {
                count += 1;
                live += usize::from(b.status == BookingStatus::Confirmed);
            })
            .unwrap();
        assert_eq!(count, OCCURRENCES, "series {} stored partly", series.id);
        assert_eq!(live, OCCURRENCES, "series {}", series.id);
    }
    let mut singles = 0;
    store
        .bookings(&mut |b| singles += usize::from(b.series.is_none()))
        .unwrap();
    let committed = singles + all_series.len();
    assert!(
        committed >= acked.commands() && committed - acked.commands() <= cycles as usize,
        "{committed} commands stored, {} acknowledged, {cycles} kills",
        acked.commands()
    );
    committed - acked.commands()
}

#[test]
fn killed_writers_lose_nothing_acknowledged_and_leave_no_partial_series() {
    let path = temp_path("crash");
    {
        let mut engine = Engine::new(SqliteStore::open(&path).unwrap()).with_clock(clock());
        for room in ROOMS {
            engine.create_resource(NewResource::new(room)).unwrap();
        }
    }
    let test = child::test_path(module_path!(), "writer");
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut acked = Acked::default();
    let began = Instant::now();
    let mut early_kills = 0;
    let mut unacknowledged = 0;
    for cycle in 0..CYCLES {
        let mut writer = child::spawn(
            &test,
            ROLE,
            &[
                (DB_VAR, path.display().to_string()),
                (SEED_VAR, (SEED + cycle).to_string()),
                (CYCLE_VAR, cycle.to_string()),
            ],
        );
        let mut stdout = BufReader::new(writer.stdout.take().unwrap());
        let mut stderr = writer.stderr.take().unwrap();
        let (lines_tx, lines) = mpsc::channel();
        let reader = std::thread::spawn(move || loop {
            // Lines keep their newline: a report cut short by the kill has none and is
            // ignored.
            let mut line = Vec::new();
            match stdout.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if lines_tx
                .send(String::from_utf8_lossy(&line).into_owned())
                .is_err()
            {
                break;
            }
        });
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });

        let mut output = String::new();
        if rng.random_bool(0.1) {
            // Now and then, kill it while it starts or opens the file.
            early_kills += 1;
            std::thread::sleep(Duration::from_millis(rng.random_range(0..60)));
        } else {
            // Otherwise once it is writing, at a random moment.
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let line =
                    match lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                        Ok(line) => line,
                        Err(e) => {
                            let _ = writer.kill();
                            let status = writer.wait().unwrap();
                            let errors = errors.join().unwrap();
                            panic!("writer {cycle} not ready ({e}, {status}):\n{output}\n{errors}");
                        }
                    };
                output.push_str(&line);
                if child::parse(&line) == Some("ready") {
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(0..300)));
        }
        writer.kill().unwrap();
        let status = writer.wait().unwrap();
        reader.join().unwrap();
        output.extend(lines.try_iter());
        let errors = errors.join().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "writer {cycle} ended by itself ({status}):\n{output}\n{errors}"
        );
        for report in child::reports(&output) {
            acked.take(report, &output);
        }
        unacknowledged = verify(&path, &acked, cycle + 1);
    }
    eprintln!(
        "{CYCLES} kills ({early_kills} while starting): {} bookings and {} series \
         acknowledged, {unacknowledged} commands stored unacknowledged, {:.2} s",
        acked.bookings.len(),
        acked.series.len(),
        began.elapsed().as_secs_f64()
    );
    assert!(
        acked.series.len() >= 10 && acked.bookings.len() >= 10,
        "the writers hardly wrote: {} bookings, {} series",
        acked.bookings.len(),
        acked.series.len()
    );
}
