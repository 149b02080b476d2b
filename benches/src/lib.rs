//! Shared fixtures for the slotwise benchmarks: the standard **desk-1m** dataset of
//! `PERFORMANCE.md` and its seeded **book** and **avail** workloads.
//!
//! The dataset is exactly what `baselines/postgres-gist/schema.sql` loads, so a slotwise
//! figure and a PostgreSQL figure answer the same questions over the same data:
//!
//! - desks `r = 1..=desks`, ids `desk-{r}`, capacity 1, timezone `UTC`;
//! - on desk `r`, booking `k = 0..per_desk` starts at
//!   `2026-01-01T00:00Z + k days + (r mod 8) hours` and lasts `60 + (k mod 3) × 30` minutes,
//!   for member `m{(r × 7 + k) mod 5000}`; it is `confirmed`, version 1, created and
//!   updated at `2025-12-31T00:00Z`, with id `bk_{n}` where `n = (r − 1) × per_desk + k + 1`
//!   (see [`booking_seq`]), so ids are unique and `1..=desks × per_desk`. Like the
//!   PostgreSQL rows they carry no check-in terms, title or buffers.
//!
//! [`desk_snapshot`]`(1000, 1000)` is desk-1m itself; smaller arguments give the same shape
//! at a size a test can afford (the benches use 20 × 50 under `cargo test --benches`).
//! Bookings never overlap: each lasts at most two hours and the next one on the same desk
//! starts a day later.
//!
//! ```
//! use slotwise_benches::{desk_snapshot, Workload};
//!
//! let snapshot = desk_snapshot(3, 4);
//! assert_eq!(snapshot.bookings.len(), 12);
//! assert_eq!(snapshot.sequence, 12);
//!
//! let mut workload = Workload::for_dataset(7, 3, 4);
//! let request = workload.book();
//! assert!((1..=3).contains(&request.desk));
//! ```

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use slotwise::index::IntervalIndex;
use slotwise::snapshot::{SNAPSHOT_FORMAT, SNAPSHOT_VERSION};
use slotwise::{Booking, BookingStatus, NewBooking, Resource, Snapshot, Span, Timestamp};

/// Desks in desk-1m.
pub const DESKS: u32 = 1_000;
/// Bookings per desk in desk-1m (one a day, so also the number of days covered).
pub const PER_DESK: u32 = 1_000;
/// Members the dataset and the book workload draw from (`m0`–`m4999` in the data,
/// `m1`–`m5000` in the workload, as in the PostgreSQL scripts).
pub const MEMBERS: u32 = 5_000;

/// Milliseconds in a minute.
const MINUTE_MS: i64 = 60_000;
/// Milliseconds in an hour.
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// Milliseconds in a day.
const DAY_MS: i64 = 24 * HOUR_MS;
/// Workload slots are 15-minute aligned.
const SLOT_MS: i64 = 15 * MINUTE_MS;
/// 15-minute slots in a day.
const SLOTS_PER_DAY: i64 = DAY_MS / SLOT_MS;

/// `2026-01-01T00:00:00Z`: day 0 of the dataset and of the workloads.
pub const DAY_ZERO: Timestamp = Timestamp::from_millis(1_767_225_600_000);
/// `2025-12-31T00:00:00Z`: when the dataset's records were made, and the clock reading
/// the benches run at (so every booking lies in the future).
pub const CREATED_AT: Timestamp = Timestamp::from_millis(1_767_139_200_000);

/// The id of desk `r`: `desk-{r}`.
pub fn desk_id(r: u32) -> String {
    format!("desk-{r}")
}

/// The id of member `m`: `m{m}`.
pub fn member_id(m: u32) -> String {
    format!("m{m}")
}

/// The number in the id of booking `k` of desk `r` when each desk has `per_desk`
/// bookings: `(r − 1) × per_desk + k + 1`, so the ids of a `desks × per_desk` dataset are
/// exactly `bk_1..=bk_{desks × per_desk}`.
pub fn booking_seq(per_desk: u32, r: u32, k: u32) -> u64 {
    u64::from(r - 1) * u64::from(per_desk) + u64::from(k) + 1
}

/// The span of booking `k` of desk `r`: day `k` plus `r mod 8` hours, for
/// `60 + (k mod 3) × 30` minutes.
pub fn desk_booking_span(r: u32, k: u32) -> Span {
    let start = DAY_ZERO.add_millis(i64::from(k) * DAY_MS + i64::from(r % 8) * HOUR_MS);
    let minutes = 60 + i64::from(k % 3) * 30;
    Span {
        start,
        end: start.add_millis(minutes * MINUTE_MS),
    }
}

/// Desk `r` as a resource record: capacity 1, kind `desk`, timezone `UTC`, version 1.
pub fn desk_resource(r: u32) -> Resource {
    Resource {
        id: desk_id(r).into(),
        name: desk_id(r),
        kind: "desk".into(),
        tags: Vec::new(),
        capacity: 1,
        timezone: "UTC".into(),
        location: None,
        attributes: serde_json::Value::Object(Default::default()),
        archived_at: None,
        version: 1,
        created_at: CREATED_AT,
        updated_at: CREATED_AT,
    }
}

/// Booking `k` of desk `r` in a dataset of `per_desk` bookings per desk (see the crate
/// docs for every field).
pub fn desk_booking(per_desk: u32, r: u32, k: u32) -> Booking {
    let span = desk_booking_span(r, k);
    Booking {
        id: format!("bk_{}", booking_seq(per_desk, r, k)).into(),
        resource: desk_id(r).into(),
        member: member_id((r * 7 + k) % MEMBERS).into(),
        start: span.start,
        end: span.end,
        quantity: 1,
        status: BookingStatus::Confirmed,
        version: 1,
        title: None,
        description: None,
        attendees: None,
        metadata: None,
        hold_expires_at: None,
        check_in: None,
        checked_in_at: None,
        ended_at: None,
        cancel_reason: None,
        buffer_before_ms: 0,
        buffer_after_ms: 0,
        series: None,
        waitlist_entry: None,
        created_at: CREATED_AT,
        updated_at: CREATED_AT,
    }
}

/// The desk-1m dataset with `desks` desks of `per_desk` bookings each, as a snapshot ready
/// for [`Engine::import_snapshot`](slotwise::Engine::import_snapshot).
///
/// Resources are in id order and bookings in (resource, start) order, as an export would
/// list them; `sequence` is the number of bookings, so ids the engine makes afterwards
/// (`bk_{count + 1}`, …) never collide. `desk_snapshot(DESKS, PER_DESK)` is desk-1m.
pub fn desk_snapshot(desks: u32, per_desk: u32) -> Snapshot {
    // Id order is string order: desk-1, desk-10, desk-100, desk-1000, desk-101, …
    let mut order: Vec<u32> = (1..=desks).collect();
    order.sort_by_cached_key(|&r| desk_id(r));
    let mut bookings = Vec::with_capacity(desks as usize * per_desk as usize);
    for &r in &order {
        bookings.extend((0..per_desk).map(|k| desk_booking(per_desk, r, k)));
    }
    Snapshot {
        format: SNAPSHOT_FORMAT.into(),
        version: SNAPSHOT_VERSION,
        exported_at: CREATED_AT,
        sequence: bookings.len() as u64,
        policies: Vec::new(),
        blocks: Vec::new(),
        series: Vec::new(),
        waitlist: Vec::new(),
        resources: order.iter().map(|&r| desk_resource(r)).collect(),
        bookings,
    }
}

/// The interval index of desk `r` in a dataset of `per_desk` bookings per desk: the same
/// index a store holding [`desk_snapshot`] keeps for `desk-{r}`, built without a store.
pub fn desk_index(per_desk: u32, r: u32) -> IntervalIndex {
    let mut index = IntervalIndex::new();
    for k in 0..per_desk {
        index.insert_booking(&desk_booking(per_desk, r, k));
    }
    index
}

/// The indexes of desks `1..=desks`; desk `r` is at position `r − 1`.
pub fn desk_indexes(desks: u32, per_desk: u32) -> Vec<IntervalIndex> {
    (1..=desks).map(|r| desk_index(per_desk, r)).collect()
}

/// One request of the **book** workload: a desk, a member and a one-hour span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BookRequest {
    /// Desk number, `1..=desks`.
    pub desk: u32,
    /// Member number, `1..=5000`.
    pub member: u32,
    /// A 15-minute-aligned one-hour span.
    pub span: Span,
}

impl BookRequest {
    /// The request as an engine command, with RFC 3339 UTC instants (what a caller sends).
    pub fn to_command(&self) -> NewBooking {
        NewBooking::new(
            desk_id(self.desk),
            member_id(self.member),
            self.span.start,
            self.span.end,
        )
    }
}

/// A seeded, deterministic generator of the `PERFORMANCE.md` workloads over a dataset of
/// `desks` desks covering `days` days (desk-1m: 1,000 × 1,000 days).
///
/// The same seed gives the same sequence on every machine (rand's `SmallRng` with a fixed
/// seed), so two runs ask the same questions.
#[derive(Clone, Debug)]
pub struct Workload {
    rng: SmallRng,
    desks: u32,
    slots: i64,
}

impl Workload {
    /// The seed the benches use.
    pub const SEED: u64 = 0x5107_7715_e000_0001;

    /// The workloads over desk-1m, from [`Workload::SEED`].
    pub fn desk_1m() -> Self {
        Self::for_dataset(Self::SEED, DESKS, PER_DESK)
    }

    /// The workloads over `desks` desks and `days` days (use `per_desk` of
    /// [`desk_snapshot`]: one booking a day), from `seed`.
    pub fn for_dataset(seed: u64, desks: u32, days: u32) -> Self {
        assert!(desks > 0 && days > 0, "a workload needs desks and days");
        Workload {
            rng: SmallRng::seed_from_u64(seed),
            desks,
            slots: i64::from(days) * SLOTS_PER_DAY,
        }
    }

    /// The next **book** request: a random desk, a random 15-minute-aligned one-hour slot
    /// starting in `[2026-01-01, + days)`, a random member `1..=5000`. (pgbench's
    /// `random(0, 96*1000)` is inclusive, so it can also draw day 1000 at 00:00: a slot
    /// past the data that always fits, once in 96,001 draws.)
    pub fn book(&mut self) -> BookRequest {
        let desk = self.rng.random_range(1..=self.desks);
        let span = self.window(HOUR_MS);
        let member = self.rng.random_range(1..=MEMBERS);
        BookRequest { desk, member, span }
    }

    /// The next `n` book requests.
    pub fn book_requests(&mut self, n: usize) -> Vec<BookRequest> {
        (0..n).map(|_| self.book()).collect()
    }

    /// The next **avail** window: a random 15-minute-aligned two-hour span starting in
    /// `[2026-01-01, + days)`.
    pub fn avail(&mut self) -> Span {
        self.window(2 * HOUR_MS)
    }

    fn window(&mut self, length_ms: i64) -> Span {
        let slot = self.rng.random_range(0..self.slots);
        let start = DAY_ZERO.add_millis(slot * SLOT_MS);
        Span {
            start,
            end: start.add_millis(length_ms),
        }
    }
}

/// Whether criterion will run each bench once instead of measuring it, so the benches
/// should build a small dataset (20 desks × 50 bookings) and keep CI fast.
///
/// That is criterion's own rule: `cargo test --benches` runs the bench binaries without
/// `--bench`, and `cargo bench -- --test` passes `--test`. `--list` is treated the same,
/// as it measures nothing either.
pub fn is_test_mode() -> bool {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--test") || has("--list") || !has("--bench")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn day_zero_and_created_at_are_the_documented_instants() {
        assert_eq!(DAY_ZERO, t("2026-01-01T00:00:00Z"));
        assert_eq!(CREATED_AT, t("2025-12-31T00:00:00Z"));
    }

    #[test]
    fn snapshot_counts_resources_bookings_and_sequence() {
        let s = desk_snapshot(20, 50);
        assert_eq!(s.resources.len(), 20);
        assert_eq!(s.bookings.len(), 1_000);
        assert_eq!(s.sequence, 1_000);
        let ids: HashSet<_> = s.bookings.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids.len(), 1_000);
        assert!((1..=1_000).all(|n| ids.contains(format!("bk_{n}").as_str())));
        assert!(s
            .resources
            .iter()
            .all(|r| r.capacity == 1 && r.timezone == "UTC"));
    }

    #[test]
    fn first_bookings_are_exactly_the_postgres_rows() {
        let s = desk_snapshot(10, 5);
        let find = |id: &str| s.bookings.iter().find(|b| b.id.as_str() == id).unwrap();

        // desk 1, k = 0: 01:00 for 60 minutes, member (7 + 0) % 5000.
        let b = find("bk_1");
        assert_eq!(b.resource.as_str(), "desk-1");
        assert_eq!(b.member.as_str(), "m7");
        assert_eq!(b.start, t("2026-01-01T01:00:00Z"));
        assert_eq!(b.end, t("2026-01-01T02:00:00Z"));
        assert_eq!(b.status, BookingStatus::Confirmed);
        assert_eq!((b.version, b.quantity), (1, 1));
        assert_eq!((b.created_at, b.updated_at), (CREATED_AT, CREATED_AT));

        // desk 1, k = 1: next day, 90 minutes; k = 2: 120 minutes.
        let b = find("bk_2");
        assert_eq!(b.member.as_str(), "m8");
        assert_eq!(b.start, t("2026-01-02T01:00:00Z"));
        assert_eq!(b.end, t("2026-01-02T02:30:00Z"));
        let b = find("bk_3");
        assert_eq!(b.end, t("2026-01-03T03:00:00Z"));

        // desk 8 (8 mod 8 = 0) starts at midnight; its first id follows desk 7's five.
        let b = find("bk_36");
        assert_eq!(b.resource.as_str(), "desk-8");
        assert_eq!(b.member.as_str(), "m56");
        assert_eq!(b.start, t("2026-01-01T00:00:00Z"));

        // desk 10 at 02:00; ids end at desks × per_desk.
        let b = find("bk_46");
        assert_eq!(b.resource.as_str(), "desk-10");
        assert_eq!(b.start, t("2026-01-01T02:00:00Z"));
        assert_eq!(find("bk_50").start, t("2026-01-05T02:00:00Z"));
    }

    #[test]
    fn members_wrap_at_5000() {
        assert_eq!(desk_booking(1_000, 714, 3).member.as_str(), "m1");
        assert_eq!(desk_booking(1_000, 1_000, 999).member.as_str(), "m2999");
    }

    #[test]
    fn snapshot_lists_resources_and_bookings_in_export_order() {
        let s = desk_snapshot(12, 3);
        let ids: Vec<_> = s.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(&ids[..4], ["desk-1", "desk-10", "desk-11", "desk-12"]);
        let keys: Vec<_> = s
            .bookings
            .iter()
            .map(|b| (b.resource.as_str(), b.start))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn no_two_bookings_of_a_desk_overlap() {
        for r in 1..=16 {
            let spans: Vec<_> = (0..300).map(|k| desk_booking_span(r, k)).collect();
            assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
            let index = desk_index(300, r);
            assert_eq!(index.len(), 300);
            assert!(spans.iter().all(|s| index.overlapping(*s).count() == 1));
            assert_eq!(
                index.peak_usage(
                    Span {
                        start: DAY_ZERO,
                        end: Timestamp::MAX
                    },
                    CREATED_AT,
                    None
                ),
                1
            );
        }
    }

    #[test]
    fn the_snapshot_imports_into_an_engine() {
        let mut engine =
            slotwise::Engine::in_memory().with_clock(slotwise::ManualClock::at(CREATED_AT));
        let report = engine.import_snapshot(desk_snapshot(20, 50)).unwrap();
        assert_eq!((report.resources, report.bookings), (20, 1_000));
        let made = engine
            .book(NewBooking::new(
                "desk-3",
                "m1",
                "2026-01-01T05:00:00Z",
                "2026-01-01T06:00:00Z",
            ))
            .unwrap();
        assert_eq!(made.id.as_str(), "bk_1001");
        let clash = engine
            .book(NewBooking::new(
                "desk-3",
                "m1",
                "2026-01-01T03:30:00Z",
                "2026-01-01T04:30:00Z",
            ))
            .unwrap_err();
        assert_eq!(
            clash.conflicts()[0].id,
            format!("bk_{}", booking_seq(50, 3, 0))
        );
    }

    #[test]
    fn workload_is_deterministic_and_in_range() {
        let a = Workload::for_dataset(1, 20, 50).book_requests(2_000);
        let b = Workload::for_dataset(1, 20, 50).book_requests(2_000);
        assert_eq!(a, b);
        assert_ne!(a, Workload::for_dataset(2, 20, 50).book_requests(2_000));
        let end = DAY_ZERO.add_millis(50 * DAY_MS);
        for q in &a {
            assert!((1..=20).contains(&q.desk));
            assert!((1..=MEMBERS).contains(&q.member));
            assert_eq!(q.span.len_millis(), HOUR_MS);
            assert!(q.span.start >= DAY_ZERO && q.span.start < end);
            assert_eq!(
                (q.span.start.as_millis() - DAY_ZERO.as_millis()) % SLOT_MS,
                0
            );
        }
        // Every desk and the whole horizon get drawn.
        assert_eq!(a.iter().map(|q| q.desk).collect::<HashSet<_>>().len(), 20);
        assert!(a
            .iter()
            .any(|q| q.span.start >= DAY_ZERO.add_millis(49 * DAY_MS)));
    }

    #[test]
    fn book_workload_conflicts_about_one_time_in_ten() {
        // A one-hour slot hits a day's 60/90/120-minute booking at 8/10/12 of 96 starts.
        let indexes = desk_indexes(20, 50);
        let requests = Workload::for_dataset(3, 20, 50).book_requests(20_000);
        let conflicts = requests
            .iter()
            .filter(|q| !indexes[q.desk as usize - 1].fits(q.span, 1, 1, CREATED_AT, None))
            .count();
        assert!((1_600..2_600).contains(&conflicts), "{conflicts} conflicts");
    }

    #[test]
    fn avail_windows_are_two_hours_and_aligned() {
        let mut w = Workload::for_dataset(5, 20, 50);
        for _ in 0..1_000 {
            let s = w.avail();
            assert_eq!(s.len_millis(), 2 * HOUR_MS);
            assert_eq!((s.start.as_millis() - DAY_ZERO.as_millis()) % SLOT_MS, 0);
        }
    }

    #[test]
    fn requests_become_commands_with_utc_instants() {
        let q = BookRequest {
            desk: 4,
            member: 17,
            span: desk_booking_span(4, 0),
        };
        let cmd = q.to_command();
        assert_eq!(cmd.resource.as_str(), "desk-4");
        assert_eq!(cmd.member.as_str(), "m17");
        assert_eq!(cmd.start.text(), "2026-01-01T04:00:00Z");
        assert_eq!(cmd.end.text(), "2026-01-01T05:00:00Z");
    }
}
