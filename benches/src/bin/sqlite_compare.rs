//! `sqlite_compare`: the slotwise side of the PostgreSQL comparison (PF2, PF3, PF4, PF8 of
//! `PERFORMANCE.md`), on a [`SqliteStore`] holding desk-1m. `benches/compare-postgres.sh`
//! runs it beside `pgbench` and prints the ratios; each subcommand can also be run alone.
//!
//! ```text
//! sqlite_compare load <path>                      # desk-1m into a new SQLite file
//! sqlite_compare count <path>                     # resources and bookings in a file
//! sqlite_compare open <path>                      # PF8: open → first avail answer
//! sqlite_compare book <path> <callers> <seconds>  # PF2 / PF3: the book workload
//! sqlite_compare avail <path> <seconds>           # PF4: the avail workload
//! sqlite_compare fsync-rate <dir> [seconds]       # the disk's fdatasync rate
//! ```
//!
//! Every subcommand prints one line, `<name> key=value key=value …`, on stdout (progress
//! and diagnostics go to stderr), so a script can pick fields out with `awk`.
//!
//! - **load** builds `desk_snapshot(1000, 1000)` and imports it through
//!   `Engine::import_snapshot` (clock at [`CREATED_AT`]) into `<path>.partial`, closes the
//!   store and renames the file to `<path>`, so a file at `<path>` is always a complete
//!   load. It refuses to overwrite an existing `<path>`.
//! - **book** runs `callers` threads, each with a clone of one store (default options:
//!   `synchronous = FULL`, so every command returns only once durable) and its own engine
//!   with a `ManualClock` at [`CREATED_AT`]. Caller `i` draws from
//!   `Workload::for_dataset(SEED ^ (callers << 32) + i, …)`: distinct per caller, and
//!   different between a 1-caller and an 8-caller run on the same file, so the second
//!   run does not replay requests the first one booked. A conflict is a completed
//!   attempt, as with pgbench's `ON CONFLICT DO NOTHING`: `tx_per_s` counts attempts.
//!   For diagnosis only, `SQLITE_COMPARE_SYNCHRONOUS=normal` (or `off`) opens the store
//!   with that `Synchronous` instead, to see what the same run costs without an fsync
//!   per commit; the output line names the mode. Likewise `SQLITE_COMPARE_MAX_BATCH=n`
//!   sets `SqliteOptions::max_batch` (default 64; 1 turns group commit off).
//! - **avail** asks `free_resources` (quantity 1, no filter) for random two-hour windows
//!   of the avail workload, one at a time.
//! - **open** times `SqliteStore::open` until the first avail answer is returned; run it
//!   in fresh processes to get a distribution.
//! - **fsync-rate** overwrites one 4 KiB block of a file and `fdatasync`s it in a loop:
//!   the ceiling for one-commit-one-fsync (PF2 wants ≥ 80 % of it).

use std::fs::{self, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use slotwise::availability::FreeResourcesQuery;
use slotwise::{Engine, ErrorCode, ManualClock, ResourceFilter, Span, StoreRead};
use slotwise_benches::{desk_snapshot, Workload, CREATED_AT, DESKS, PER_DESK};
use slotwise_sqlite::{SqliteOptions, SqliteStore, Synchronous};

const USAGE: &str = "usage: sqlite_compare <command>
  load <path>                      load desk-1m into a new SQLite store at <path>
  count <path>                     print the resources and bookings a store holds
  open <path>                      PF8: time from open until the first avail answer
  book <path> <callers> <seconds>  the book workload with <callers> threads
  avail <path> <seconds>           the avail workload, one query at a time
  fsync-rate <dir> [seconds]       the disk's 4 KiB write + fdatasync rate (default 3 s)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let outcome = match words.as_slice() {
        ["load", path] => load(Path::new(path)),
        ["count", path] => count(Path::new(path)),
        ["open", path] => open(Path::new(path)),
        ["book", path, callers, seconds] => parse(callers)
            .and_then(|c| Ok((c, parse_secs(seconds)?)))
            .and_then(|(c, s)| book(Path::new(path), c, s)),
        ["avail", path, seconds] => parse_secs(seconds).and_then(|s| avail(Path::new(path), s)),
        ["fsync-rate", dir] => fsync_rate(Path::new(dir), Duration::from_secs(3)),
        ["fsync-rate", dir, seconds] => {
            parse_secs(seconds).and_then(|s| fsync_rate(Path::new(dir), s))
        }
        _ => Err(USAGE.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sqlite_compare: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What a subcommand returns: `Err` carries the message printed before exiting with 1.
type Outcome<T = ()> = std::result::Result<T, String>;

fn parse<T: std::str::FromStr>(word: &str) -> Outcome<T> {
    word.parse()
        .map_err(|_| format!("not a number: {word:?}\n{USAGE}"))
}

fn parse_secs(word: &str) -> Outcome<Duration> {
    let secs: f64 = parse(word)?;
    if !(secs > 0.0 && secs.is_finite()) {
        return Err(format!("seconds must be positive: {word:?}"));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn fail(what: &str) -> impl Fn(slotwise::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// The store's file and the two SQLite keeps beside it in WAL mode.
fn with_sidecars(path: &Path) -> [PathBuf; 3] {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    [path.to_owned(), wal.into(), shm.into()]
}

fn load(path: &Path) -> Outcome {
    if path.exists() {
        return Err(format!("{} exists; remove it to reload", path.display()));
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    for file in with_sidecars(&partial) {
        match fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("removing {}: {e}", file.display())),
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }

    let started = Instant::now();
    let snapshot = desk_snapshot(DESKS, PER_DESK);
    let built = started.elapsed();
    eprintln!(
        "load: snapshot of {} bookings built in {:.1} s; importing into {}",
        snapshot.bookings.len(),
        built.as_secs_f64(),
        partial.display()
    );

    let import_started = Instant::now();
    let store = SqliteStore::open(&partial).map_err(fail("open"))?;
    let mut engine = Engine::new(store).with_clock(ManualClock::at(CREATED_AT));
    let report = engine.import_snapshot(snapshot).map_err(fail("import"))?;
    let imported = import_started.elapsed();

    // Closing checkpoints the WAL into the file, so the renamed file stands alone.
    let close_started = Instant::now();
    drop(engine);
    let closed = close_started.elapsed();
    for sidecar in &with_sidecars(&partial)[1..] {
        if sidecar.exists() {
            return Err(format!(
                "{} is still there after closing the store",
                sidecar.display()
            ));
        }
    }
    fs::rename(&partial, path)
        .map_err(|e| format!("renaming {} to {}: {e}", partial.display(), path.display()))?;
    let bytes = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "load resources={} bookings={} snapshot_s={:.2} import_s={:.2} close_s={:.2} total_s={:.2} file_mb={:.1}",
        report.resources,
        report.bookings,
        built.as_secs_f64(),
        imported.as_secs_f64(),
        closed.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    Ok(())
}

fn count(path: &Path) -> Outcome {
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let store = SqliteStore::open(path).map_err(fail("open"))?;
    let mut resources = 0usize;
    store
        .resources(&mut |_| resources += 1)
        .map_err(fail("resources"))?;
    let bookings = store.booking_count().map_err(fail("booking_count"))?;
    println!("count resources={resources} bookings={bookings}");
    Ok(())
}

/// The avail question for `window`: desks with one unit free throughout, no filter.
fn avail_query(window: Span) -> FreeResourcesQuery {
    FreeResourcesQuery {
        from: window.start,
        to: window.end,
        quantity: 1,
        filter: ResourceFilter::default(),
    }
}

fn open(path: &Path) -> Outcome {
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let window = Workload::desk_1m().avail();
    let started = Instant::now();
    let store = SqliteStore::open(path).map_err(fail("open"))?;
    let opened = started.elapsed();
    let engine = Engine::new(store).with_clock(ManualClock::at(CREATED_AT));
    let free = engine
        .free_resources(&avail_query(window))
        .map_err(fail("free_resources"))?;
    let answered = started.elapsed();
    println!(
        "open ms={:.1} open_ms={:.1} first_query_ms={:.3} free={}",
        answered.as_secs_f64() * 1e3,
        opened.as_secs_f64() * 1e3,
        (answered - opened).as_secs_f64() * 1e3,
        free.len()
    );
    Ok(())
}

/// What one caller of `book` did.
#[derive(Default)]
struct Tally {
    ok: u64,
    conflict: u64,
    errors: u64,
    first_error: Option<String>,
    /// Latency of every attempt, in microseconds.
    latencies_us: Vec<u32>,
}

/// The seed of caller `i` of a `callers`-thread run (see the module docs).
fn caller_seed(callers: u32, i: u32) -> u64 {
    (Workload::SEED ^ (u64::from(callers) << 32)).wrapping_add(u64::from(i))
}

fn book(path: &Path, callers: u32, run_for: Duration) -> Outcome {
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    if callers == 0 {
        return Err("callers must be at least 1".into());
    }
    let synchronous = match std::env::var("SQLITE_COMPARE_SYNCHRONOUS").as_deref() {
        Err(_) | Ok("full") => Synchronous::Full,
        Ok("normal") => Synchronous::Normal,
        Ok("off") => Synchronous::Off,
        Ok(other) => {
            return Err(format!(
                "SQLITE_COMPARE_SYNCHRONOUS={other}: full, normal or off"
            ))
        }
    };
    let mut options = SqliteOptions {
        synchronous,
        ..SqliteOptions::default()
    };
    if let Ok(n) = std::env::var("SQLITE_COMPARE_MAX_BATCH") {
        options.max_batch = parse(&n)?;
    }
    let max_batch = options.max_batch;
    let store = SqliteStore::open_with(path, options).map_err(fail("open"))?;
    let stats_before = store.commit_stats();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let handles: Vec<_> = (0..callers)
        .map(|i| {
            let store = store.clone();
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let mut engine = Engine::new(store).with_clock(ManualClock::at(CREATED_AT));
                let mut workload = Workload::for_dataset(caller_seed(callers, i), DESKS, PER_DESK);
                let mut tally = Tally::default();
                while !stop.load(Ordering::Relaxed) {
                    let command = workload.book().to_command();
                    let t0 = Instant::now();
                    let outcome = engine.book(command);
                    let us = t0.elapsed().as_micros();
                    tally
                        .latencies_us
                        .push(u32::try_from(us).unwrap_or(u32::MAX));
                    match outcome {
                        Ok(_) => tally.ok += 1,
                        Err(e) if e.code() == ErrorCode::Conflict => tally.conflict += 1,
                        Err(e) => {
                            tally.errors += 1;
                            tally.first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                (tally, Instant::now())
            })
        })
        .collect();
    thread::sleep(run_for);
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    let mut finished = started;
    for handle in handles {
        let (tally, at) = handle.join().map_err(|_| "a caller panicked".to_string())?;
        finished = finished.max(at);
        total.ok += tally.ok;
        total.conflict += tally.conflict;
        total.errors += tally.errors;
        if total.first_error.is_none() {
            total.first_error = tally.first_error;
        }
        total.latencies_us.extend(tally.latencies_us);
    }
    let elapsed = (finished - started).as_secs_f64();
    let stats = store.commit_stats();
    let fsyncs = stats.transactions - stats_before.transactions;
    let commands = stats.commands - stats_before.commands;
    let attempts = total.ok + total.conflict + total.errors;
    let (p50, p99) = percentiles(&mut total.latencies_us);
    println!(
        "book callers={callers} synchronous={} max_batch={max_batch} seconds={elapsed:.2} tx_per_s={:.1} ok={} conflict={} errors={} \
         latency_mean_ms={:.3} latency_p50_ms={:.3} latency_p99_ms={:.3} commits={fsyncs} \
         commits_per_s={:.1} commands_per_commit={:.2}",
        format!("{synchronous:?}").to_lowercase(),
        attempts as f64 / elapsed,
        total.ok,
        total.conflict,
        total.errors,
        elapsed * 1e3 * f64::from(callers) / attempts.max(1) as f64,
        p50,
        p99,
        fsyncs as f64 / elapsed,
        commands as f64 / fsyncs.max(1) as f64,
    );
    match total.first_error {
        Some(e) => Err(format!("{} attempts failed; the first: {e}", total.errors)),
        None => Ok(()),
    }
}

/// The 50th and 99th percentiles of `us` (microseconds), in milliseconds.
fn percentiles(us: &mut [u32]) -> (f64, f64) {
    if us.is_empty() {
        return (0.0, 0.0);
    }
    us.sort_unstable();
    let at = |q: f64| f64::from(us[((us.len() - 1) as f64 * q).round() as usize]) / 1e3;
    (at(0.50), at(0.99))
}

fn avail(path: &Path, run_for: Duration) -> Outcome {
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    let store = SqliteStore::open(path).map_err(fail("open"))?;
    let engine = Engine::new(store).with_clock(ManualClock::at(CREATED_AT));
    let mut workload = Workload::desk_1m();
    let mut latencies = Vec::new();
    let mut free_total = 0u64;
    let started = Instant::now();
    while started.elapsed() < run_for {
        let query = avail_query(workload.avail());
        let t0 = Instant::now();
        let free = engine
            .free_resources(&query)
            .map_err(fail("free_resources"))?;
        latencies.push(t0.elapsed());
        free_total += free.len() as u64;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let queries = latencies.len();
    let busy: Duration = latencies.iter().sum();
    let mut us: Vec<u32> = latencies
        .iter()
        .map(|d| u32::try_from(d.as_micros()).unwrap_or(u32::MAX))
        .collect();
    let (p50, p99) = percentiles(&mut us);
    println!(
        "avail seconds={elapsed:.2} queries={queries} queries_per_s={:.1} latency_mean_us={:.2} \
         latency_p50_ms={p50:.3} latency_p99_ms={p99:.3} mean_free={:.1}",
        queries as f64 / elapsed,
        busy.as_secs_f64() * 1e6 / queries.max(1) as f64,
        free_total as f64 / queries.max(1) as f64,
    );
    Ok(())
}

fn fsync_rate(dir: &Path, run_for: Duration) -> Outcome {
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let path = dir.join(format!("fsync-rate-{}.tmp", std::process::id()));
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io)?;
    let mut block = [0u8; 4096];
    file.write_all(&block).map_err(io)?;
    file.sync_all().map_err(io)?;
    let started = Instant::now();
    let mut syncs = 0u64;
    while started.elapsed() < run_for {
        block[..8].copy_from_slice(&syncs.to_le_bytes());
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&block).map_err(io)?;
        file.sync_data().map_err(io)?;
        syncs += 1;
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(file);
    fs::remove_file(&path).map_err(io)?;
    println!(
        "fsync dir={} seconds={elapsed:.2} syncs={syncs} rate_per_s={:.1} mean_us={:.1}",
        dir.display(),
        syncs as f64 / elapsed,
        elapsed * 1e6 / syncs.max(1) as f64
    );
    Ok(())
}
