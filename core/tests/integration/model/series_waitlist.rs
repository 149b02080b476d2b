//! The reference model's recurring series (C1–C3), waitlist (W1–W3) and time passing
//! (B12), restated from SPEC.md and the crate docs without the engine's code:
//!
//! - a series rule (DAILY, or WEEKLY with a BYDAY set; INTERVAL; COUNT, or UNTIL once cut)
//!   is expanded by calendar arithmetic on the local wall clock of the series' zone (the
//!   harness's zones have fixed offsets, so every wall time exists); each occurrence is
//!   then placed exactly like a single booking, on a scratch copy of the model, so the
//!   quotas count the occurrences placed before it;
//! - the C3 consistency rule (live bookings = rule − exdates) is kept by turning every
//!   cancelled occurrence into an exdate when the command finishes, as the engine
//!   documents;
//! - the waitlist is a FIFO of entries; whenever units free up (a cancel, a release, an
//!   expiry, a no-show, a completion freeing an after-buffer, a move away, a check-out,
//!   a block removed or moving a booking off) everything freed at that instant is offered
//!   together, *as of that instant*: the waiting entries whose span overlaps some of it
//!   are tried in joining order, and each that fits gets a hold with its claim TTL from
//!   that instant; an offer that lapses frees its units at its expiry, and passes on;
//! - time-driven transitions are applied instant by instant (all that fall due at one
//!   instant, then the offers they lead to), by `tick` and — while anyone waits — before
//!   every other command (the engine's "catch-up"), so results never depend on `tick`;
//!   time-driven changes of entries (an offer lapsing, a span beginning) bump no version.

use std::collections::BTreeMap;

use slotwise::recurrence::EditScope;
use slotwise::waitlist::WaitlistStatus;
use slotwise::{Action as Recorded, BookingStatus, ErrorCode, Role, ViolationCode};
use BookingStatus::*;

use super::policy::{cutoff, local_day, weekday};
use super::reference::{
    allowed, booking_role, refuse, Effect, Model, Occupant, Outcome, Prediction, Rec, Refusal, Req,
    TickCounts, Who, BASE_MS, DAY, MINUTE,
};

/// The engine config's claim TTL for waitlist offers (`waitlist_claim_ttl_secs`).
pub const CLAIM_TTL_SECS: i64 = 900;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freq {
    Daily,
    Weekly,
}

/// The rule a `book_series` request gives (C1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleSpec {
    pub freq: Freq,
    pub interval: u32,
    /// WEEKLY's BYDAY as a bit set, Monday = bit 0; `None`: not given.
    pub byday: Option<u8>,
    pub count: u32,
    /// Written in lower case (names and values are case-insensitive).
    pub lower: bool,
}

/// A series as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRec {
    /// The id sequence number: the engine's id is `ser_{seq}`.
    pub seq: u64,
    pub resource: usize,
    pub member: &'static str,
    /// The zone it was made in (index into `TIMEZONES`), which reads its rule for good.
    pub tz: usize,
    /// The first occurrence's local start, as model milliseconds of the wall clock.
    pub first_start: i64,
    /// Every occurrence's wall-clock length.
    pub duration: i64,
    /// The rule as the request wrote it (the stored text keeps its parts).
    pub rule: RuleSpec,
    /// `None` once a this-and-following cancel cut the rule short with `until`.
    pub count: Option<u32>,
    /// The last local start the rule may make, once cut.
    pub until: Option<i64>,
    /// Sorted local keys.
    pub exdates: Vec<i64>,
    pub quantity: u32,
    pub cancelled: bool,
    pub version: u64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SeriesRec {
    pub fn id(&self) -> String {
        format!("ser_{}", self.seq)
    }

    /// The rule's local starts, exdates not removed.
    pub fn starts(&self) -> Vec<i64> {
        rule_starts(
            self.first_start,
            self.rule.freq,
            self.rule.interval,
            self.rule.byday,
            self.count,
            self.until,
        )
    }

    /// The occurrence keys: the rule's starts less the exdates (C3).
    pub fn keys(&self) -> Vec<i64> {
        let mut keys = self.starts();
        keys.retain(|k| !self.exdates.contains(k));
        keys
    }
}

/// RFC 5545 expansion from DTSTART `first` (a local time), by calendar arithmetic: DAILY
/// every `interval` days; WEEKLY the BYDAY days (default: DTSTART's weekday) of every
/// `interval`-th week counted from DTSTART's week, weeks starting on Monday (WKST=MO),
/// never before DTSTART; at most `count`, none after `until`.
pub fn rule_starts(
    first: i64,
    freq: Freq,
    interval: u32,
    byday: Option<u8>,
    count: Option<u32>,
    until: Option<i64>,
) -> Vec<i64> {
    assert!(
        count.is_some() || until.is_some(),
        "the model only expands bounded rules"
    );
    let day0 = (BASE_MS + first).div_euclid(DAY);
    let time_of_day = (BASE_MS + first).rem_euclid(DAY);
    let at = |day: i64| day * DAY + time_of_day - BASE_MS;
    let step = i64::from(interval.max(1));
    let mut out = Vec::new();
    let done = |out: &Vec<i64>, t: i64| {
        count.is_some_and(|c| out.len() >= c as usize) || until.is_some_and(|u| t > u)
    };
    match freq {
        Freq::Daily => {
            let mut day = day0;
            while !done(&out, at(day)) {
                out.push(at(day));
                day += step;
            }
        }
        Freq::Weekly => {
            let days = byday.unwrap_or(1 << weekday(day0));
            assert!(days & 0x7f != 0, "an empty BYDAY set");
            let monday = day0 - weekday(day0) as i64;
            let mut week = 0;
            'weeks: loop {
                for d in 0..7 {
                    let day = monday + week * 7 + d;
                    if days & (1 << d) == 0 || day < day0 {
                        continue;
                    }
                    if done(&out, at(day)) {
                        break 'weeks;
                    }
                    out.push(at(day));
                }
                week += step;
            }
        }
    }
    out
}

/// What happened to one occurrence (C2), in the model's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct OccReport {
    pub key: i64,
    pub start: i64,
    pub end: i64,
    /// Booked (or, for a cancel, cancelled): the booking's sequence number.
    pub booking: Option<u64>,
    pub reason: Option<ErrorCode>,
    pub conflicts: Vec<Occupant>,
    pub violations: Vec<ViolationCode>,
}

/// A pending or past offer (W3).
#[derive(Clone, Debug, PartialEq)]
pub struct OfferRec {
    /// The hold's sequence number.
    pub booking: u64,
    pub resource: usize,
    pub offered_at: i64,
    pub expires_at: i64,
}

/// A waitlist entry as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryRec {
    /// The id sequence number: the engine's id is `wl_{seq}`.
    pub seq: u64,
    pub member: &'static str,
    pub resource: usize,
    pub start: i64,
    pub end: i64,
    pub quantity: u32,
    pub ttl_secs: i64,
    pub status: WaitlistStatus,
    pub offer: Option<OfferRec>,
    pub version: u64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl EntryRec {
    pub fn id(&self) -> String {
        format!("wl_{}", self.seq)
    }

    /// W2: the status as of `now`: waiting once the span has begun reads lapsed, an offer
    /// past its expiry reads expired, whether or not a tick stored that.
    pub fn status_at(&self, now: i64) -> WaitlistStatus {
        match self.status {
            WaitlistStatus::Waiting if now >= self.start => WaitlistStatus::Lapsed,
            WaitlistStatus::Offered if self.offer.as_ref().is_some_and(|o| now >= o.expires_at) => {
                WaitlistStatus::Expired
            }
            s => s,
        }
    }

    /// The entry as of `now`: a time-driven change (lapse, expiry) as it would be stored,
    /// at the instant it happened and without a version bump (B12).
    pub fn as_of(&self, now: i64) -> EntryRec {
        let mut e = self.clone();
        e.status = self.status_at(now);
        if e.status != self.status {
            e.updated_at = match &self.offer {
                Some(o) if e.status == WaitlistStatus::Expired => o.expires_at,
                _ => self.start,
            };
        }
        e
    }

    pub fn open_at(&self, now: i64) -> bool {
        matches!(
            self.status_at(now),
            WaitlistStatus::Waiting | WaitlistStatus::Offered
        )
    }

    /// Stored as waiting or offered: what makes the engine catch up before a command.
    fn stored_open(&self) -> bool {
        matches!(
            self.status,
            WaitlistStatus::Waiting | WaitlistStatus::Offered
        )
    }
}

/// One record (audit record and event) the model expects beyond a command's own.
#[derive(Clone, Debug, PartialEq)]
pub enum Logged {
    Booking(Rec),
    Series(SeriesRec),
    Entry(EntryRec),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogRec {
    pub action: Recorded,
    pub what: Logged,
    pub overridden: Vec<ViolationCode>,
}

fn log(action: Recorded, what: Logged) -> LogRec {
    LogRec {
        action,
        what,
        overridden: vec![],
    }
}

/// Units freed on a resource over a window, as of an instant (W3).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Freed {
    resource: usize,
    window: (i64, i64),
    at: i64,
}

fn occupies(status: BookingStatus) -> bool {
    matches!(status, Held | Confirmed | CheckedIn)
}

/// When time alone next moves a booking on (B12): a hold's expiry, a confirmed booking's
/// check-in deadline or end, a checked-in booking's end.
pub fn due_at(rec: &Rec) -> Option<i64> {
    match rec.status {
        Held => rec.hold_expires_at,
        Confirmed => Some(rec.deadline.map_or(rec.end, |d| d.min(rec.end))),
        CheckedIn => Some(rec.end),
        _ => None,
    }
}

/// The units `before` (as of now) held that `after` no longer holds, freed at `at`: the
/// whole occupied span, unless `after` still holds at least as much of it on the same
/// resource.
fn freed_by(before: &Rec, after: &Rec, at: i64) -> Option<Freed> {
    if !occupies(before.status) {
        return None;
    }
    let (s, e) = before.occupied();
    let (s2, e2) = after.occupied();
    let still_there = occupies(after.status)
        && after.resource == before.resource
        && after.quantity >= before.quantity
        && s2 <= s
        && e <= e2;
    (!still_there).then_some(Freed {
        resource: before.resource,
        window: (s, e),
        at,
    })
}

impl Model {
    pub fn series_index(&self, seq: u64) -> usize {
        (self.series.iter())
            .position(|s| s.seq == seq)
            .expect("a known series")
    }

    pub fn booking_index(&self, seq: u64) -> usize {
        (self.bookings.iter())
            .position(|b| b.seq == seq)
            .expect("a known booking")
    }

    fn entry_index(&self, seq: u64) -> usize {
        (self.entries.iter())
            .position(|e| e.seq == seq)
            .expect("a known entry")
    }

    /// The live bookings of series `seq` (C3: any state but cancelled or released) as of
    /// `now`, by key.
    pub fn live(&self, seq: u64, now: i64) -> Vec<usize> {
        let mut live: Vec<usize> = (0..self.bookings.len())
            .filter(|&i| {
                let b = &self.bookings[i];
                b.series.is_some_and(|(s, _)| s == seq)
                    && !matches!(b.status_at(now), Cancelled | Released)
            })
            .collect();
        live.sort_by_key(|&i| {
            (
                self.bookings[i].series.map(|(_, k)| k),
                self.bookings[i].id(),
            )
        });
        live
    }

    pub fn live_keys(&self, seq: u64, now: i64) -> Vec<i64> {
        (self.live(seq, now).into_iter())
            .filter_map(|i| self.bookings[i].series.map(|(_, k)| k))
            .collect()
    }

    /// C1/C2: the checks of a series request in the engine's order (actor, override,
    /// resource, units, the rule), then each occurrence placed like a single booking.
    pub(super) fn predict_book_series(&self, req: &Req, now: i64) -> Outcome<Prediction> {
        let &Req::BookSeries {
            resource,
            member,
            start,
            end,
            rule,
            best_effort,
            quantity,
            actor,
            override_policies,
        } = req
        else {
            unreachable!("a series request")
        };
        let role = booking_role(actor, member)?;
        if override_policies && role == Role::Member {
            return refuse(ErrorCode::Forbidden);
        }
        let spec = self.bookable(resource)?;
        if quantity == 0 || quantity > spec.capacity {
            return refuse(ErrorCode::InvalidInput);
        }
        let offset = spec.offset() * MINUTE;
        let duration = end - start;
        let first = start + offset;
        // The first occurrence must be one the rule makes.
        let first_day = weekday(local_day(start, spec.offset()));
        let first_is_made = match (rule.freq, rule.byday) {
            (Freq::Weekly, Some(days)) => days & (1 << first_day) != 0,
            _ => true,
        };
        if duration <= 0 || !first_is_made {
            return refuse(ErrorCode::InvalidInput);
        }
        let mut series = SeriesRec {
            seq: self.sequence + 1,
            resource,
            member,
            tz: spec.tz,
            first_start: first,
            duration,
            rule,
            count: Some(rule.count),
            until: None,
            exdates: vec![],
            quantity,
            cancelled: false,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let eff = self.effective(resource, role);
        let mut scratch = self.clone();
        scratch.sequence = series.seq;
        let (mut bookings, mut reports, mut failed) = (vec![], vec![], vec![]);
        for key in series.starts() {
            let (s, e) = (key - offset, key - offset + duration);
            let report = OccReport {
                key,
                start: s,
                end: e,
                booking: None,
                reason: None,
                conflicts: vec![],
                violations: vec![],
            };
            let violations = scratch.placement_violations(&eff, resource, s, e, now, member, None);
            if !violations.is_empty() && !override_policies {
                let skipped = OccReport {
                    reason: Some(ErrorCode::PolicyViolation),
                    violations,
                    ..report
                };
                failed.push(skipped.clone());
                reports.push(skipped);
                continue;
            }
            let rec = Rec {
                seq: scratch.sequence + 1,
                resource,
                member,
                start: s,
                end: e,
                quantity,
                status: Confirmed,
                version: 1,
                hold_expires_at: None,
                opens_at: 0,
                deadline: None,
                buffer_before: i64::from(eff.buffer_before) * MINUTE,
                buffer_after: i64::from(eff.buffer_after) * MINUTE,
                series: Some((series.seq, key)),
                waitlist: None,
            };
            let rec = scratch.with_check_in(rec, &eff);
            if !scratch.fits(resource, rec.occupied(), quantity, None, now) {
                let skipped = OccReport {
                    reason: Some(ErrorCode::Conflict),
                    conflicts: scratch.conflicts(resource, rec.occupied(), quantity, None, now),
                    ..report
                };
                failed.push(skipped.clone());
                reports.push(skipped);
                continue;
            }
            scratch.sequence = rec.seq;
            scratch.bookings.push(rec.clone());
            reports.push(OccReport {
                booking: Some(rec.seq),
                ..report
            });
            bookings.push((rec, violations));
        }
        if bookings.is_empty() || (!best_effort && !failed.is_empty()) {
            return Err(Refusal {
                occurrences: failed,
                ..ErrorCode::SeriesRejected.into()
            });
        }
        series.exdates = failed.iter().map(|r| r.key).collect();
        Ok(Effect::Series {
            series,
            bookings,
            reports,
        }
        .into())
    }

    /// C3: cancel one occurrence, it and the following ones, or every one not started;
    /// each booking as a member's or admin's cancel would (cutoffs, transitions), all or
    /// nothing.
    pub(super) fn predict_cancel_series(
        &self,
        target: Option<usize>,
        scope: EditScope,
        occurrence: Option<i64>,
        version: Option<u64>,
        actor: Who,
        now: i64,
    ) -> Outcome<Prediction> {
        let Some(si) = target else {
            return refuse(ErrorCode::NotFound);
        };
        let series = &self.series[si];
        let role = booking_role(actor, series.member)?;
        if version.is_some_and(|v| v != series.version) {
            return refuse(ErrorCode::VersionConflict);
        }
        let live = self.live(series.seq, now);
        let key = |i: usize| self.bookings[i].series.expect("a series booking").1;
        // `history`: live occurrences come before the pivot, which then ends the rule;
        // without them the whole series is cancelled in place.
        let (pivot, touched, history): (i64, Vec<usize>, bool) = match scope {
            EditScope::One => {
                let k = occurrence.ok_or(Refusal::from(ErrorCode::InvalidInput))?;
                let one: Vec<usize> = live.into_iter().filter(|&i| key(i) == k).collect();
                if one.is_empty() {
                    return refuse(ErrorCode::NotFound);
                }
                (k, one, true)
            }
            EditScope::Following | EditScope::All => {
                let pivot = if scope == EditScope::Following {
                    let k = occurrence.ok_or(Refusal::from(ErrorCode::InvalidInput))?;
                    if !live.iter().any(|&i| key(i) == k) {
                        return refuse(ErrorCode::NotFound);
                    }
                    k
                } else {
                    // The first of the trailing run of occurrences not yet started.
                    let unstarted = live
                        .iter()
                        .rev()
                        .take_while(|&&i| self.bookings[i].start > now)
                        .last();
                    match unstarted {
                        Some(&i) => key(i),
                        None => return refuse(ErrorCode::InvalidInput),
                    }
                };
                let (touched, before): (Vec<usize>, Vec<usize>) =
                    live.into_iter().partition(|&i| key(i) >= pivot);
                if touched.iter().any(|&i| self.bookings[i].start <= now) {
                    return refuse(ErrorCode::InvalidInput);
                }
                (pivot, touched, !before.is_empty())
            }
        };
        let mut changes = vec![];
        let mut reports = vec![];
        for i in touched {
            let rec = &self.bookings[i];
            let current = rec.status_at(now);
            let (to, recorded) = match current {
                Held => (Released, Recorded::BookingReleased),
                _ => (Cancelled, Recorded::BookingCancelled),
            };
            if !allowed(current, to) {
                return refuse(ErrorCode::InvalidTransition);
            }
            let mut overridden = vec![];
            if to == Cancelled {
                let eff = self.effective(rec.resource, role);
                if let Some(late) = cutoff(
                    eff.cancel_cutoff,
                    rec.start,
                    now,
                    ViolationCode::CancelCutoff,
                ) {
                    if role == Role::Member {
                        return Err(Refusal {
                            violations: vec![late],
                            ..ErrorCode::PolicyViolation.into()
                        });
                    }
                    overridden.push(late);
                }
            }
            let mut after = rec.clone();
            after.status = to;
            after.version += 1;
            reports.push(OccReport {
                key: key(i),
                start: rec.start,
                end: rec.end,
                booking: Some(rec.seq),
                reason: None,
                conflicts: vec![],
                violations: vec![],
            });
            changes.push((i, after, recorded, overridden));
        }
        let after = (scope != EditScope::One).then(|| {
            let mut after = series.clone();
            if history {
                // The rule now ends with its last start before the pivot (UNTIL).
                let last = series.starts().into_iter().filter(|&s| s < pivot).max();
                after.count = None;
                after.until = last;
                after.exdates.retain(|&k| k < pivot);
            }
            if scope == EditScope::All || !history {
                after.cancelled = true;
            }
            after.version += 1;
            after.updated_at = now;
            after
        });
        Ok(Effect::CancelSeries {
            series: si,
            changes,
            after,
            reports,
        }
        .into())
    }

    /// W1: join a resource's queue for a span that is full.
    pub(super) fn predict_join(&self, req: &Req, now: i64) -> Outcome<Prediction> {
        let &Req::JoinWaitlist {
            resource,
            member,
            start,
            end,
            quantity,
            ttl_secs,
            actor,
        } = req
        else {
            unreachable!("a join request")
        };
        booking_role(actor, member)?;
        let ttl = ttl_secs.unwrap_or(CLAIM_TTL_SECS);
        self.check_ttl(ttl)?;
        let spec = self.bookable(resource)?;
        if quantity == 0 || quantity > spec.capacity || end <= start || start <= now {
            return refuse(ErrorCode::InvalidInput);
        }
        // The member's rules (whoever acts) must allow the booking at all.
        let eff = self.effective(resource, Role::Member);
        let violations = self.placement_violations(&eff, resource, start, end, now, member, None);
        if !violations.is_empty() {
            return Err(Refusal {
                violations,
                ..ErrorCode::PolicyViolation.into()
            });
        }
        let occupied = (
            start - i64::from(eff.buffer_before) * MINUTE,
            end + i64::from(eff.buffer_after) * MINUTE,
        );
        if self.fits(resource, occupied, quantity, None, now) {
            return refuse(ErrorCode::NotFull);
        }
        let twice = self
            .entries
            .iter()
            .any(|e| e.open_at(now) && e.member == member && (e.start, e.end) == (start, end));
        if twice {
            return refuse(ErrorCode::AlreadyExists);
        }
        Ok(Effect::Join(EntryRec {
            seq: self.sequence + 1,
            member,
            resource,
            start,
            end,
            quantity,
            ttl_secs: ttl,
            status: WaitlistStatus::Waiting,
            offer: None,
            version: 1,
            created_at: now,
            updated_at: now,
        })
        .into())
    }

    /// The entry named, whether the actor may act on it.
    fn entry_for_action(&self, target: Option<usize>, actor: Who) -> Outcome<usize> {
        let Some(ei) = target else {
            return refuse(ErrorCode::NotFound);
        };
        booking_role(actor, self.entries[ei].member)?;
        Ok(ei)
    }

    /// W1: leave the queue; a pending offer's hold is released (and passes on).
    pub(super) fn predict_leave(
        &self,
        target: Option<usize>,
        actor: Who,
        now: i64,
    ) -> Outcome<Prediction> {
        let ei = self.entry_for_action(target, actor)?;
        let entry = &self.entries[ei];
        if !entry.open_at(now) {
            return refuse(ErrorCode::InvalidInput);
        }
        let mut after = entry.clone();
        after.status = WaitlistStatus::Left;
        after.version += 1;
        after.updated_at = now;
        let released = entry.offer.as_ref().and_then(|o| {
            let h = self.booking_index(o.booking);
            let hold = &self.bookings[h];
            (hold.status_at(now) == Held).then(|| {
                let mut rec = hold.clone();
                rec.status = Released;
                rec.version += 1;
                (h, rec)
            })
        });
        Ok(Effect::Leave {
            entry: ei,
            after,
            released,
        }
        .into())
    }

    /// W3: claim a pending offer by confirming its hold; a lapsed one is `hold_expired`.
    pub(super) fn predict_claim(
        &self,
        target: Option<usize>,
        actor: Who,
        now: i64,
    ) -> Outcome<Prediction> {
        let ei = self.entry_for_action(target, actor)?;
        let entry = &self.entries[ei];
        let offer = match (entry.status_at(now), &entry.offer) {
            (WaitlistStatus::Offered, Some(o)) => o,
            (WaitlistStatus::Expired, Some(_)) => return refuse(ErrorCode::HoldExpired),
            _ => return refuse(ErrorCode::InvalidInput),
        };
        let hold = self.booking_index(offer.booking);
        let rec = &self.bookings[hold];
        if !allowed(rec.status_at(now), Confirmed) {
            return refuse(ErrorCode::InvalidTransition);
        }
        let mut rec = rec.clone();
        rec.status = Confirmed;
        rec.version += 1;
        Ok(Effect::Claim { hold, rec }.into())
    }

    /// W3: what a booking's change from `before` to `after` at `at` does to the entry its
    /// hold was offered to: confirmed claims it, released declines it, expired lapses the
    /// offer.
    pub fn settle(&self, before: BookingStatus, after: &Rec, at: i64) -> Option<(usize, EntryRec)> {
        let entry_seq = after.waitlist?;
        if before == after.status {
            return None;
        }
        let ei = self.entry_index(entry_seq);
        let entry = &self.entries[ei];
        let offered_this = entry.status == WaitlistStatus::Offered
            && entry.offer.as_ref().is_some_and(|o| o.booking == after.seq);
        let status = match after.status {
            Confirmed => WaitlistStatus::Claimed,
            Released => WaitlistStatus::Declined,
            Expired => WaitlistStatus::Expired,
            _ => return None,
        };
        if !offered_this {
            return None;
        }
        let mut entry = entry.clone();
        entry.status = status;
        // An offer lapsing is time-driven: no version bump (B12); the rest are commands.
        if status != WaitlistStatus::Expired {
            entry.version += 1;
        }
        entry.updated_at = at;
        Some((ei, entry))
    }

    /// The existing bookings a command's effect changes, in the order it records them.
    pub fn booking_changes(effect: &Effect) -> Vec<(usize, Rec)> {
        use super::reference::Change;
        match effect {
            Effect::Update(i, rec) => vec![(*i, rec.clone())],
            Effect::Blocks(changes) | Effect::Archive { ended: changes, .. } => changes
                .iter()
                .filter_map(|c| match c {
                    Change::Booking(i, rec, _) => Some((*i, rec.clone())),
                    Change::Block(_) => None,
                })
                .collect(),
            Effect::CancelSeries { changes, .. } => changes
                .iter()
                .map(|(i, rec, _, _)| (*i, rec.clone()))
                .collect(),
            Effect::Leave {
                released: Some((i, rec)),
                ..
            } => vec![(*i, rec.clone())],
            Effect::Claim { hold, rec } => vec![(*hold, rec.clone())],
            _ => vec![],
        }
    }

    /// Applies a successful command's effect and what every command does when it
    /// finishes: offers settled along with their holds, the series occurrences it ended
    /// made exdates (C3), the units it freed offered to the waitlist (W3). Returns the
    /// records written after the command's own (exdates, then offers).
    pub fn apply_command(&mut self, effect: Effect, now: i64) -> Vec<LogRec> {
        let changes = Model::booking_changes(&effect);
        let leaving = matches!(effect, Effect::Leave { .. });
        let mut settled = vec![];
        let mut freed = vec![];
        let mut ended = vec![];
        for (i, after) in &changes {
            let mut before = self.bookings[*i].clone();
            before.status = before.status_at(now);
            // Leaving the queue releases the hold after the entry is already `left`.
            if !leaving {
                settled.extend(self.settle(before.status, after, now));
            }
            freed.extend(freed_by(&before, after, now));
            if before.status != after.status && matches!(after.status, Cancelled | Released) {
                ended.extend(after.series);
            }
        }
        if let Effect::RemoveBlock(b) = &effect {
            freed.push(Freed {
                resource: b.resource,
                window: (b.start, b.end),
                at: now,
            });
        }
        self.apply(effect);
        for (ei, entry) in settled {
            self.entries[ei] = entry;
        }
        let mut out = vec![];
        self.exclude_ended(ended, now, &mut out);
        self.serve(freed, &mut out);
        out
    }

    /// C3: every occurrence the command ended that the rule still makes becomes an
    /// exdate; one update per series, in id order.
    fn exclude_ended(&mut self, ended: Vec<(u64, i64)>, now: i64, out: &mut Vec<LogRec>) {
        let mut by_series: BTreeMap<String, (u64, Vec<i64>)> = BTreeMap::new();
        for (seq, key) in ended {
            let slot = by_series
                .entry(format!("ser_{seq}"))
                .or_insert((seq, vec![]));
            slot.1.push(key);
        }
        for (_, (seq, keys)) in by_series {
            let si = self.series_index(seq);
            let current = self.series[si].keys();
            let live = self.live_keys(seq, now);
            let mut after = self.series[si].clone();
            for key in keys {
                if current.contains(&key) && !live.contains(&key) {
                    after.exdates.push(key);
                }
            }
            after.exdates.sort_unstable();
            after.exdates.dedup();
            if after.exdates == self.series[si].exdates {
                continue;
            }
            after.version += 1;
            after.updated_at = now;
            self.series[si] = after.clone();
            out.push(log(Recorded::SeriesUpdated, Logged::Series(after)));
        }
    }

    /// W3: what was freed, instant by instant: everything freed at one instant is offered
    /// together to the waiting entries, in joining order, whose span has not begun then,
    /// whose units could fit on the (unarchived) resource they wait for and whose span
    /// overlaps something freed there; each that fits gets a hold.
    fn serve(&mut self, mut freed: Vec<Freed>, out: &mut Vec<LogRec>) {
        while let Some(at) = freed.iter().map(|f| f.at).min() {
            let (now_freed, later): (Vec<Freed>, Vec<Freed>) =
                freed.into_iter().partition(|f| f.at == at);
            freed = later;
            let waiting: Vec<usize> = (0..self.entries.len())
                .filter(|&ei| {
                    let e = &self.entries[ei];
                    let open = self.resources[e.resource]
                        .as_ref()
                        .is_some_and(|s| s.archived_at.is_none() && e.quantity <= s.capacity);
                    e.status == WaitlistStatus::Waiting
                        && at < e.start
                        && open
                        && now_freed.iter().any(|f| {
                            f.resource == e.resource && e.start < f.window.1 && f.window.0 < e.end
                        })
                })
                .collect();
            for ei in waiting {
                self.offer(ei, at, out);
            }
        }
    }

    /// W3: a hold for entry `ei` as of `at`, if the member's rules allow it then and it
    /// fits then; its claim TTL runs from `at`.
    fn offer(&mut self, ei: usize, at: i64, out: &mut Vec<LogRec>) {
        let e = self.entries[ei].clone();
        let eff = self.effective(e.resource, Role::Member);
        let violations =
            self.placement_violations(&eff, e.resource, e.start, e.end, at, e.member, None);
        if !violations.is_empty() {
            return;
        }
        let expires_at = at + e.ttl_secs * 1_000;
        let hold = Rec {
            seq: self.sequence + 1,
            resource: e.resource,
            member: e.member,
            start: e.start,
            end: e.end,
            quantity: e.quantity,
            status: Held,
            version: 1,
            hold_expires_at: Some(expires_at),
            opens_at: 0,
            deadline: None,
            buffer_before: i64::from(eff.buffer_before) * MINUTE,
            buffer_after: i64::from(eff.buffer_after) * MINUTE,
            series: None,
            waitlist: Some(e.seq),
        };
        let hold = self.with_check_in(hold, &eff);
        if !self.fits(e.resource, hold.occupied(), e.quantity, None, at) {
            return;
        }
        self.sequence = hold.seq;
        self.bookings.push(hold.clone());
        let mut entry = e;
        entry.status = WaitlistStatus::Offered;
        entry.offer = Some(OfferRec {
            booking: hold.seq,
            resource: hold.resource,
            offered_at: at,
            expires_at,
        });
        entry.version += 1;
        entry.updated_at = at;
        self.entries[ei] = entry.clone();
        out.push(log(Recorded::BookingHeld, Logged::Booking(hold)));
        out.push(log(Recorded::WaitlistOffered, Logged::Entry(entry)));
    }

    /// B12: every transition due by `now`, instant by instant: all that fall due at one
    /// instant (by id), each with the offer it settles, then what they freed offered as of
    /// that instant (W3), whose holds may fall due in turn.
    fn apply_due(&mut self, now: i64, counts: &mut TickCounts, out: &mut Vec<LogRec>) {
        loop {
            let mut due: Vec<(i64, String, usize)> = (0..self.bookings.len())
                .filter_map(|i| {
                    let b = &self.bookings[i];
                    due_at(b).filter(|&d| d <= now).map(|d| (d, b.id(), i))
                })
                .collect();
            let Some(&(at, _, _)) = due.iter().min() else {
                return;
            };
            due.retain(|d| d.0 == at);
            due.sort();
            let mut freed = vec![];
            for (_, _, i) in due {
                let before = self.bookings[i].clone();
                let mut after = before.clone();
                after.status = before.status_at(now);
                let action = match after.status {
                    Expired => {
                        counts.expired += 1;
                        Recorded::BookingExpired
                    }
                    NoShow => {
                        counts.no_shows += 1;
                        Recorded::BookingNoShow
                    }
                    _ => {
                        counts.completed += 1;
                        Recorded::BookingCompleted
                    }
                };
                let settled = self.settle(before.status, &after, at);
                self.bookings[i] = after.clone();
                out.push(log(action, Logged::Booking(after.clone())));
                if let Some((ei, entry)) = settled {
                    self.entries[ei] = entry.clone();
                    out.push(log(Recorded::WaitlistExpired, Logged::Entry(entry)));
                }
                freed.extend(freed_by(&before, &after, at));
            }
            self.serve(freed, out);
        }
    }

    /// What the engine applies before every command but `tick` while anyone waits (an
    /// entry stored as waiting or offered) and anything is due.
    pub fn catch_up(&mut self, now: i64) -> Vec<LogRec> {
        let waits = self.entries.iter().any(EntryRec::stored_open);
        let due = (self.bookings.iter()).any(|b| due_at(b).is_some_and(|d| d <= now));
        let mut out = vec![];
        if waits && due {
            self.apply_due(now, &mut TickCounts::default(), &mut out);
        }
        out
    }

    /// B12: a tick applies everything due (as the catch-up does, whoever waits), then
    /// stores the lapse of every waiting entry whose span has begun.
    pub fn tick(&mut self, now: i64) -> (TickCounts, Vec<LogRec>) {
        let mut counts = TickCounts::default();
        let mut out = vec![];
        self.apply_due(now, &mut counts, &mut out);
        for e in &mut self.entries {
            if e.status == WaitlistStatus::Waiting && now >= e.start {
                *e = e.as_of(now);
                counts.waitlist_lapsed += 1;
                out.push(log(Recorded::WaitlistLapsed, Logged::Entry(e.clone())));
            }
        }
        (counts, out)
    }

    /// W2: an entry's place in its queue (same resource, same span) as of `now`, and the
    /// queue's length.
    pub fn position(&self, ei: usize, now: i64) -> (Option<usize>, usize) {
        let entry = &self.entries[ei];
        let queue: Vec<&EntryRec> = (self.entries.iter())
            .filter(|e| {
                e.open_at(now)
                    && (e.resource, e.start, e.end) == (entry.resource, entry.start, entry.end)
            })
            .collect();
        let ahead = queue.iter().filter(|e| e.seq < entry.seq).count();
        (entry.open_at(now).then_some(ahead + 1), queue.len())
    }
}
