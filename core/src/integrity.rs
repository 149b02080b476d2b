//! The integrity check (E3): scans a store and reports every invariant violation. There
//! should be none; crash tests and operators run it to make sure.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::booking::Booking;
use crate::error::Result;
use crate::ids::ResourceId;
use crate::index::{IntervalIndex, Occupancy, OccupantRef};
use crate::resource::Resource;
use crate::store::StoreRead;
use crate::time::{Span, Timestamp};

/// Page size when walking the audit log and the outbox.
const PAGE: usize = 10_000;

/// One broken invariant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityViolation {
    /// Stable kind: `overbooked`, `unknown_resource`, `invalid_booking`, `invalid_block`,
    /// `invalid_resource`, `index_mismatch`, `audit_sequence`, `event_sequence`,
    /// `unknown_series`, `series_inconsistent`, `waitlist_offer`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The records involved.
    pub ids: Vec<String>,
}

/// The outcome of [`check_integrity`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// The instant occupancy was checked at.
    pub checked_at: Timestamp,
    /// Resources scanned.
    pub resources: usize,
    /// Bookings scanned.
    pub bookings: usize,
    /// Audit records scanned.
    pub audit_records: u64,
    /// Events scanned.
    pub events: u64,
    /// Everything wrong; empty when the store is sound.
    pub violations: Vec<IntegrityViolation>,
}

impl IntegrityReport {
    /// Whether no violation was found.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Scans `store`: every booking valid and on a known resource; at no instant from `now`
/// on do occupying bookings exceed a resource's capacity (I1, buffers included); the
/// stored interval indexes match the bookings; audit and event sequences are gapless.
pub fn check_integrity(store: &dyn StoreRead, now: Timestamp) -> Result<IntegrityReport> {
    let mut violations = Vec::new();
    let mut resources: BTreeMap<ResourceId, Resource> = BTreeMap::new();
    store.resources(&mut |r| {
        resources.insert(r.id.clone(), r.clone());
    })?;
    for r in resources.values() {
        if let Err(e) = r.validate() {
            violations.push(violation("invalid_resource", e.message(), [r.id.as_str()]));
        }
    }

    let mut expected: BTreeMap<ResourceId, IntervalIndex> = BTreeMap::new();
    let mut booking_count = 0;
    store.bookings(&mut |b| {
        booking_count += 1;
        if let Some(problem) = booking_problem(b, resources.get(&b.resource), now) {
            let code = if resources.contains_key(&b.resource) {
                "invalid_booking"
            } else {
                "unknown_resource"
            };
            violations.push(violation(code, &problem, [b.id.as_str()]));
        }
        if b.end > b.start {
            expected
                .entry(b.resource.clone())
                .or_default()
                .insert_booking(b);
        }
    })?;
    store.blocks(&mut |blk| {
        if !resources.contains_key(&blk.resource) {
            violations.push(violation(
                "unknown_resource",
                &format!(
                    "block `{}` is on unknown resource `{}`",
                    blk.id, blk.resource
                ),
                [blk.id.as_str()],
            ));
        }
        if blk.end <= blk.start {
            violations.push(violation(
                "invalid_block",
                &format!("block `{}` has an empty span", blk.id),
                [blk.id.as_str()],
            ));
        } else {
            expected
                .entry(blk.resource.clone())
                .or_default()
                .insert_block(blk);
        }
    })?;

    let future = Span {
        start: now,
        end: Timestamp::MAX,
    };
    let mut indexed: HashSet<&ResourceId> = HashSet::new();
    for (resource, index) in &expected {
        indexed.insert(resource);
        if let Some(r) = resources.get(resource) {
            let over = index.over_capacity(future, r.capacity, now);
            if !over.is_empty() {
                violations.push(violation(
                    "overbooked",
                    &format!(
                        "resource `{resource}` holds more than {} unit(s)",
                        r.capacity
                    ),
                    over.iter().map(|c| c.id.as_str()),
                ));
            }
        }
        compare_index(store, resource, index, &mut violations)?;
    }
    for resource in resources.keys().filter(|r| !indexed.contains(r)) {
        compare_index(store, resource, &IntervalIndex::new(), &mut violations)?;
    }

    check_series(store, now, &mut violations)?;
    check_waitlist(store, &mut violations)?;
    let audit_records = check_audit_sequence(store, &mut violations)?;
    let events = check_event_sequence(store, &mut violations)?;
    Ok(IntegrityReport {
        checked_at: now,
        resources: resources.len(),
        bookings: booking_count,
        audit_records,
        events,
        violations,
    })
}

/// C3: every series' live bookings are exactly its occurrences, one each, and every
/// booking's series exists.
fn check_series(
    store: &dyn StoreRead,
    now: Timestamp,
    violations: &mut Vec<IntegrityViolation>,
) -> Result<()> {
    let mut all = Vec::new();
    store.all_series(&mut |s| all.push(s.clone()))?;
    for series in &all {
        let mut live = Vec::new();
        store.series_bookings(&series.id, &mut |b| {
            let b = b.as_of(now);
            if crate::engine::series_booking_is_live(&b) {
                live.push(b.series.as_ref().map(|l| l.occurrence));
            }
        })?;
        let keys = crate::time::parse_timezone(&series.timezone).and_then(|tz| {
            series
                .rule
                .expand(tz, chrono::NaiveDateTime::MAX, 1_000_000)
                .map(|e| e.keys)
        });
        let consistent = match keys {
            Ok(keys) => {
                live.len() == keys.len() && live.iter().zip(&keys).all(|(l, k)| *l == Some(*k))
            }
            Err(_) => false,
        };
        if !consistent {
            violations.push(violation(
                "series_inconsistent",
                &format!(
                    "series `{}` has live bookings that differ from its rule's occurrences",
                    series.id
                ),
                [series.id.as_str()],
            ));
        }
    }
    let known: HashSet<&str> = all.iter().map(|s| s.id.as_str()).collect();
    let mut orphans = Vec::new();
    store.bookings(&mut |b| {
        if let Some(link) = &b.series {
            if !known.contains(link.id.as_str()) {
                orphans.push(b.id.to_string());
            }
        }
    })?;
    if !orphans.is_empty() {
        violations.push(violation(
            "unknown_series",
            "bookings name a series that does not exist",
            orphans.iter().map(String::as_str),
        ));
    }
    Ok(())
}

/// W3: every offer names a hold made for its entry.
fn check_waitlist(store: &dyn StoreRead, violations: &mut Vec<IntegrityViolation>) -> Result<()> {
    let mut offers = Vec::new();
    store.waitlist_entries(&mut |e| {
        if let Some(offer) = &e.offer {
            offers.push((e.id.clone(), offer.booking.clone()));
        }
    })?;
    for (entry, booking) in offers {
        let matches = store
            .booking(&booking)?
            .is_some_and(|b| b.waitlist_entry.as_deref() == Some(entry.as_str()));
        if !matches {
            violations.push(violation(
                "waitlist_offer",
                &format!("waitlist entry `{entry}` was offered `{booking}`, which is not its hold"),
                [entry.as_str(), booking.as_str()],
            ));
        }
    }
    Ok(())
}

fn violation<'a>(
    code: &str,
    message: &str,
    ids: impl IntoIterator<Item = &'a str>,
) -> IntegrityViolation {
    IntegrityViolation {
        code: code.to_owned(),
        message: message.to_owned(),
        ids: ids.into_iter().map(str::to_owned).collect(),
    }
}

/// What is wrong with one booking on its own as of `now`, if anything.
pub(crate) fn booking_problem(
    b: &Booking,
    resource: Option<&Resource>,
    now: Timestamp,
) -> Option<String> {
    let Some(resource) = resource else {
        return Some(format!(
            "booking `{}` is on unknown resource `{}`",
            b.id, b.resource
        ));
    };
    if let Err(e) = b.id.validate("id").and(b.member.validate("member")) {
        return Some(e.message().to_owned());
    }
    if b.end <= b.start || !b.start.is_in_range() || !b.end.is_in_range() {
        return Some(format!(
            "booking `{}` has an empty or out-of-range span",
            b.id
        ));
    }
    // More units than the capacity is a problem only while the booking holds them: a
    // capacity lowered after a booking ended is fine.
    // A hold outliving its own span holds nothing from now on either.
    let holds_units = b.as_of(now).status.occupies() && b.occupied_span().end > now;
    if b.quantity == 0 || (b.quantity > resource.capacity && holds_units) {
        return Some(format!(
            "booking `{}` takes {} unit(s) of a resource with capacity {}",
            b.id, b.quantity, resource.capacity
        ));
    }
    if b.version == 0 {
        return Some(format!("booking `{}` has version 0", b.id));
    }
    if b.status == crate::booking::BookingStatus::Held && b.hold_expires_at.is_none() {
        return Some(format!("hold `{}` has no expiry", b.id));
    }
    if b.buffer_before_ms < 0 || b.buffer_after_ms < 0 {
        return Some(format!("booking `{}` has a negative buffer", b.id));
    }
    None
}

fn compare_index(
    store: &dyn StoreRead,
    resource: &ResourceId,
    expected: &IntervalIndex,
    violations: &mut Vec<IntegrityViolation>,
) -> Result<()> {
    let mut mismatched: Vec<String> = Vec::new();
    store.with_index(resource, &mut |stored| {
        let listed = |idx: &IntervalIndex| -> Vec<(Span, OccupantRef, Occupancy)> {
            idx.iter()
                .map(|e| (e.span, e.occupant.clone(), *e.occupancy))
                .collect()
        };
        let (a, b) = (listed(stored), listed(expected));
        if a != b {
            let ours: HashSet<_> = a.iter().collect();
            let theirs: HashSet<_> = b.iter().collect();
            mismatched = ours
                .symmetric_difference(&theirs)
                .map(|(_, o, _)| o.id.to_string())
                .collect();
            mismatched.sort();
        }
    })?;
    if !mismatched.is_empty() {
        violations.push(IntegrityViolation {
            code: "index_mismatch".into(),
            message: format!("the interval index of `{resource}` disagrees with its bookings"),
            ids: mismatched,
        });
    }
    Ok(())
}

fn check_audit_sequence(
    store: &dyn StoreRead,
    violations: &mut Vec<IntegrityViolation>,
) -> Result<u64> {
    let mut last = 0u64;
    loop {
        let page = store.audit(&crate::audit::AuditQuery {
            after_seq: Some(last),
            limit: Some(PAGE),
            ..Default::default()
        })?;
        let Some(tail) = page.last() else { break };
        for record in &page {
            if record.seq != last + 1 {
                violations.push(violation(
                    "audit_sequence",
                    &format!("audit record {} follows {last}", record.seq),
                    [],
                ));
            }
            last = record.seq;
        }
        last = tail.seq;
    }
    Ok(last)
}

fn check_event_sequence(
    store: &dyn StoreRead,
    violations: &mut Vec<IntegrityViolation>,
) -> Result<u64> {
    let mut last = 0u64;
    loop {
        let page = store.events(last, PAGE)?;
        if page.is_empty() {
            break;
        }
        for event in &page {
            if event.seq != last + 1 {
                violations.push(violation(
                    "event_sequence",
                    &format!("event {} follows {last}", event.seq),
                    [],
                ));
            }
            last = event.seq;
        }
    }
    if last != store.last_event_seq()? {
        violations.push(violation(
            "event_sequence",
            "the last event read is not the last event stored",
            [],
        ));
    }
    Ok(last)
}
