//! Snapshot export and import (E4): resources and bookings as one JSON document, for
//! backups and for feeding browser previews the server's exact state.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::audit::{Action, AuditRecord};
use crate::block::Block;
use crate::booking::Booking;
use crate::engine::Engine;
use crate::error::{Error, ErrorCode, ErrorDetails, Result};
use crate::ids::ResourceId;
use crate::index::IntervalIndex;
use crate::integrity::booking_problem;
use crate::resource::Resource;
use crate::store::{MemoryState, Store};
use crate::time::{Span, Timestamp};

/// The `format` field of every snapshot.
pub const SNAPSHOT_FORMAT: &str = "slotwise-snapshot";
/// The snapshot layout version this release writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// A point-in-time copy of a store's resources and bookings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always `slotwise-snapshot`.
    pub format: String,
    /// Layout version (1).
    pub version: u32,
    /// When it was taken.
    pub exported_at: Timestamp,
    /// The id sequence at export, so ids made after an import never collide.
    pub sequence: u64,
    /// Policies in id order.
    #[serde(default)]
    pub policies: Vec<crate::policy::Policy>,
    /// Resources in id order.
    pub resources: Vec<Resource>,
    /// Bookings in (resource, start, id) order, as stored.
    pub bookings: Vec<Booking>,
    /// Maintenance blocks in (resource, start, id) order.
    #[serde(default)]
    pub blocks: Vec<Block>,
    /// Recurring series in id order.
    #[serde(default)]
    pub series: Vec<crate::recurrence::Series>,
    /// Waitlist entries in joining order.
    #[serde(default)]
    pub waitlist: Vec<crate::waitlist::WaitlistEntry>,
}

/// What an import wrote.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Resources imported.
    pub resources: usize,
    /// Bookings imported.
    pub bookings: usize,
}

impl Snapshot {
    /// Parses a snapshot; malformed JSON or a wrong format is `invalid_input`.
    pub fn from_json(text: &str) -> Result<Snapshot> {
        let snapshot: Snapshot = serde_json::from_str(text)
            .map_err(|e| Error::invalid_input("snapshot", format!("not a valid snapshot: {e}")))?;
        snapshot.check_header()?;
        Ok(snapshot)
    }

    /// The snapshot as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn check_header(&self) -> Result<()> {
        if self.format != SNAPSHOT_FORMAT || self.version != SNAPSHOT_VERSION {
            return Err(Error::invalid_input(
                "snapshot",
                format!(
                    "expected format `{SNAPSHOT_FORMAT}` version {SNAPSHOT_VERSION}, found `{}` version {}",
                    self.format, self.version
                ),
            ));
        }
        Ok(())
    }

    /// Checks the whole document before anything is written: valid records, unique ids,
    /// bookings on known resources, and no resource over capacity from `now` on.
    fn validate(&self, now: Timestamp) -> Result<()> {
        self.check_header()?;
        let mut policy_ids = HashSet::new();
        for p in &self.policies {
            p.validate()?;
            if !policy_ids.insert(&p.id) {
                return Err(Error::invalid_input(
                    "snapshot",
                    format!("policy `{}` appears twice", p.id),
                ));
            }
        }
        let mut state = MemoryState::new();
        for r in &self.resources {
            r.validate()?;
            if state.put_resource(r.clone().into()).is_some() {
                return Err(Error::invalid_input(
                    "snapshot",
                    format!("resource `{}` appears twice", r.id),
                ));
            }
        }
        let mut ids = HashSet::new();
        for b in &self.bookings {
            if let Some(metadata) = &b.metadata {
                crate::limits::check_json_object("metadata", metadata)?;
            }
            if let Some(problem) =
                booking_problem(b, state.resource(&b.resource).map(|r| &**r), now)
            {
                return Err(Error::invalid_input("snapshot", problem));
            }
            if !ids.insert(&b.id) {
                return Err(Error::invalid_input(
                    "snapshot",
                    format!("booking `{}` appears twice", b.id),
                ));
            }
        }
        for series in &self.series {
            if let Some(metadata) = &series.metadata {
                crate::limits::check_json_object("metadata", metadata)?;
            }
        }
        let series_ids: HashSet<&str> = self.series.iter().map(|s| s.id.as_str()).collect();
        if series_ids.len() != self.series.len() {
            return Err(Error::invalid_input("snapshot", "a series appears twice"));
        }
        if let Some(b) = self.bookings.iter().find(|b| {
            b.series
                .as_ref()
                .is_some_and(|l| !series_ids.contains(l.id.as_str()))
        }) {
            return Err(Error::invalid_input(
                "snapshot",
                format!("booking `{}` names a series the snapshot lacks", b.id),
            ));
        }
        let entry_ids: HashSet<&str> = self.waitlist.iter().map(|e| e.id.as_str()).collect();
        if entry_ids.len() != self.waitlist.len() {
            return Err(Error::invalid_input(
                "snapshot",
                "a waitlist entry appears twice",
            ));
        }
        let mut indexes: HashMap<&ResourceId, IntervalIndex> = HashMap::new();
        for b in &self.bookings {
            indexes.entry(&b.resource).or_default().insert_booking(b);
        }
        let mut block_ids = HashSet::new();
        for blk in &self.blocks {
            if state.resource(&blk.resource).is_none() || blk.end <= blk.start {
                return Err(Error::invalid_input(
                    "snapshot",
                    format!(
                        "block `{}` is on an unknown resource or has an empty span",
                        blk.id
                    ),
                ));
            }
            if !block_ids.insert(&blk.id) {
                return Err(Error::invalid_input(
                    "snapshot",
                    format!("block `{}` appears twice", blk.id),
                ));
            }
            indexes.entry(&blk.resource).or_default().insert_block(blk);
        }
        let future = Span {
            start: now,
            end: Timestamp::MAX,
        };
        for (resource, index) in indexes {
            let capacity = state.resource(resource).map_or(0, |r| r.capacity);
            let over = index.over_capacity(future, capacity, now);
            if !over.is_empty() {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("the snapshot overbooks resource `{resource}`"),
                    ErrorDetails::Conflict {
                        conflicts: over,
                        alternatives: Vec::new(),
                    },
                ));
            }
        }
        Ok(())
    }
}

impl<S: Store> Engine<S> {
    /// Exports every resource and booking (E4).
    pub fn export_snapshot(&self) -> Result<Snapshot> {
        self.store().refresh()?;
        let mut resources = Vec::new();
        self.store().resources(&mut |r| resources.push(r.clone()))?;
        let mut bookings = Vec::with_capacity(self.store().booking_count()?);
        self.store().bookings(&mut |b| bookings.push(b.clone()))?;
        bookings.sort_by(|a, b| (&a.resource, a.start, &a.id).cmp(&(&b.resource, b.start, &b.id)));
        let mut blocks = Vec::new();
        self.store().blocks(&mut |b| blocks.push(b.clone()))?;
        blocks.sort_by(|a, b| (&a.resource, a.start, &a.id).cmp(&(&b.resource, b.start, &b.id)));
        let mut series = Vec::new();
        self.store().all_series(&mut |s| series.push(s.clone()))?;
        series.sort_by(|a, b| a.id.cmp(&b.id));
        let mut waitlist = Vec::new();
        self.store()
            .waitlist_entries(&mut |e| waitlist.push(e.clone()))?;
        Ok(Snapshot {
            format: SNAPSHOT_FORMAT.into(),
            version: SNAPSHOT_VERSION,
            exported_at: self.now(),
            sequence: self.store().sequence()?,
            policies: self.store().policies()?.as_ref().clone(),
            resources,
            bookings,
            blocks,
            series,
            waitlist,
        })
    }

    /// Imports a snapshot into an empty store, all-or-nothing (E4). The whole document is
    /// validated first; any problem is an error and nothing is written.
    pub fn import_snapshot(&mut self, snapshot: Snapshot) -> Result<ImportReport> {
        let now = self.now();
        snapshot.validate(now)?;
        self.mutate("import_snapshot", &(), None, None, |ctx, _, _| {
            let mut occupied = !ctx.tx.policies()?.is_empty();
            ctx.tx.resources(&mut |_| occupied = true)?;
            if occupied || ctx.tx.booking_count()? > 0 {
                return Err(Error::invalid_input(
                    "snapshot",
                    "a snapshot can only be imported into an empty store",
                ));
            }
            let report = ImportReport {
                resources: snapshot.resources.len(),
                bookings: snapshot.bookings.len(),
            };
            for p in snapshot.policies {
                ctx.tx.put_policy(p)?;
            }
            for r in snapshot.resources {
                ctx.tx.put_resource(r)?;
            }
            for b in snapshot.bookings {
                ctx.tx.put_booking(b)?;
            }
            for blk in snapshot.blocks {
                ctx.tx.put_block(blk)?;
            }
            for s in snapshot.series {
                ctx.tx.put_series(s)?;
            }
            for e in snapshot.waitlist {
                ctx.tx.put_waitlist_entry(e)?;
            }
            ctx.tx.raise_sequence(snapshot.sequence)?;
            ctx.tx.append_audit(AuditRecord {
                seq: 0,
                at: ctx.now,
                actor: ctx.actor.clone(),
                action: Action::SnapshotImported,
                resource: None,
                booking: None,
                member: None,
                reason: Some(format!(
                    "imported {} resource(s) and {} booking(s)",
                    report.resources, report.bookings
                )),
                before: None,
                after: None,
                overridden: Vec::new(),
            })?;
            Ok(report)
        })
    }
}
