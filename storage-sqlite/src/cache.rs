//! The in-memory part of the store: what conflict checks and availability read at memory
//! speed (resources, policies, blocks, every resource's interval index and the site-wide
//! time index). Booking records themselves stay on disk and are read by key.
//!
//! The cache is exact, never approximate: it is loaded whole on open, changed in step
//! with every write this process makes (and rolled back with it), and brought up to date
//! with other processes' writes from the change log before any write transaction or
//! query runs (see [`crate`] docs).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock};

use rusqlite::Connection;
use slotwise::index::{block_entry, IntervalIndex, Occupancy, OccupantRef, SiteIndex};
use slotwise::{Block, OccupantKind, Policy, Resource, ResourceId, Result, Span, Timestamp};

use crate::error::OrStore;
use crate::rows::{one_body, visit_bodies};

static EMPTY_INDEX: LazyLock<IntervalIndex> = LazyLock::new(IntervalIndex::new);

/// The cached tables and indexes, as of change `seq`.
#[derive(Default)]
pub(crate) struct Cache {
    /// The change sequence (meta `change_seq`) this cache reflects.
    pub seq: u64,
    /// The longest booking span stored (meta `longest_booking_ms`): how far back a
    /// window query on bookings by start must look.
    pub longest_booking_ms: i64,
    pub resources: BTreeMap<ResourceId, Arc<Resource>>,
    pub policies: Arc<Vec<Policy>>,
    pub blocks: HashMap<String, Block>,
    indexes: HashMap<ResourceId, IntervalIndex>,
    pub site: SiteIndex,
}

/// One row of the occupancy index.
struct OccupancyRow {
    resource: ResourceId,
    span: Span,
    occupant: OccupantRef,
    occupancy: Occupancy,
}

impl Cache {
    /// Loads everything from `conn` (inside a read or write transaction).
    pub fn load(conn: &Connection) -> Result<Cache> {
        let mut cache = Cache {
            seq: meta(conn, "change_seq")?,
            longest_booking_ms: meta(conn, "longest_booking_ms")? as i64,
            ..Cache::default()
        };
        cache.resources = load_resources(conn)?;
        cache.policies = Arc::new(load_policies(conn)?);
        let rows = load_occupancy(conn)?;
        cache.build_indexes(rows);
        let mut blocks = Vec::new();
        let sql = "SELECT body FROM blocks";
        visit_bodies(conn, "block", sql, [], &mut |b: &Block| {
            blocks.push(b.clone())
        })?;
        for block in blocks {
            cache.put_block(block);
        }
        Ok(cache)
    }

    fn build_indexes(&mut self, rows: Vec<OccupancyRow>) {
        // Rows arrive in (resource, start, id) order: each resource's run builds its
        // index in one pass.
        let mut site = Vec::with_capacity(rows.len());
        let mut run: Vec<(Span, OccupantRef, Occupancy)> = Vec::new();
        let mut current: Option<ResourceId> = None;
        for row in rows {
            if current.as_ref() != Some(&row.resource) {
                if let Some(done) = current.take() {
                    self.indexes
                        .insert(done, IntervalIndex::from_entries(run.drain(..)));
                }
                current = Some(row.resource.clone());
            }
            run.push((row.span, row.occupant.clone(), row.occupancy));
            site.push((row.resource, row.span, row.occupant, row.occupancy));
        }
        if let Some(done) = current {
            self.indexes.insert(done, IntervalIndex::from_entries(run));
        }
        self.site = SiteIndex::from_entries(site);
    }

    /// The interval index of `resource` (empty if it has no entries).
    pub fn index(&self, resource: &ResourceId) -> &IntervalIndex {
        self.indexes.get(resource).unwrap_or(&EMPTY_INDEX)
    }

    /// Adds an entry to the resource's index and the site index.
    pub fn add_entry(
        &mut self,
        resource: &ResourceId,
        span: Span,
        occupant: OccupantRef,
        occupancy: Occupancy,
    ) {
        self.indexes
            .entry(resource.clone())
            .or_default()
            .insert(span, occupant.clone(), occupancy);
        self.site.insert(resource, span.start, occupant, occupancy);
    }

    /// Removes the entry of `occupant` starting at `start` from both indexes; returns
    /// what it held.
    pub fn remove_entry(
        &mut self,
        resource: &ResourceId,
        start: Timestamp,
        occupant: &OccupantRef,
    ) -> Option<Occupancy> {
        let occupancy = self.indexes.get_mut(resource)?.remove(start, occupant)?;
        self.site.remove(
            Span {
                start,
                end: occupancy.end,
            },
            occupant,
        );
        Some(occupancy)
    }

    /// Inserts or replaces a block and its entry; returns the previous version.
    pub fn put_block(&mut self, block: Block) -> Option<Block> {
        let previous = self.remove_block(&block.id);
        let (start, occupant, occupancy) = block_entry(&block);
        self.add_entry(
            &block.resource,
            Span {
                start,
                end: occupancy.end,
            },
            occupant,
            occupancy,
        );
        self.blocks.insert(block.id.clone(), block);
        previous
    }

    /// Removes a block and its entry; returns it.
    pub fn remove_block(&mut self, id: &str) -> Option<Block> {
        let block = self.blocks.remove(id)?;
        let (start, occupant, _) = block_entry(&block);
        self.remove_entry(&block.resource, start, &occupant);
        Some(block)
    }

    /// Blocks of `resource` overlapping `window`, in start order.
    pub fn resource_blocks(
        &self,
        resource: &ResourceId,
        window: Span,
    ) -> impl Iterator<Item = &Block> {
        self.index(resource)
            .overlapping(window)
            .filter(|e| e.occupant.kind == OccupantKind::Block)
            .filter_map(|e| self.blocks.get(e.occupant.id.as_str()))
    }

    /// Applies the change log after `self.seq` up to `seq` (inside a transaction that
    /// sees it). A log pruned past `self.seq` means a full reload.
    pub fn catch_up(&mut self, conn: &Connection, seq: u64) -> Result<()> {
        if self.seq < meta(conn, "log_floor")? {
            *self = Cache::load(conn)?;
            return Ok(());
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT kind, id, old_resource, old_start FROM changes WHERE seq > ?1 ORDER BY seq",
            )
            .or_store()?;
        let mut rows = stmt.query([self.seq as i64]).or_store()?;
        let mut bookings = Vec::new();
        let mut resources = Vec::new();
        let mut blocks = Vec::new();
        let mut policies = false;
        while let Some(row) = rows.next().or_store()? {
            let kind: String = row.get(0).or_store()?;
            let id: String = row.get(1).or_store()?;
            match kind.as_str() {
                "b" => {
                    // Remove the entry the booking had before that change; its current
                    // entry is added below.
                    let old_resource: Option<String> = row.get(2).or_store()?;
                    let old_start: Option<i64> = row.get(3).or_store()?;
                    if let (Some(r), Some(start)) = (old_resource, old_start) {
                        self.remove_entry(
                            &ResourceId::from(r.as_str()),
                            Timestamp::from_millis(start),
                            &OccupantRef::booking(&id),
                        );
                    }
                    bookings.push(id);
                }
                "r" => resources.push(id),
                "k" => blocks.push(id),
                _ => policies = true,
            }
        }
        drop(rows);
        bookings.sort_unstable();
        bookings.dedup();
        for id in &bookings {
            self.reload_booking_entry(conn, id)?;
        }
        for id in resources {
            self.reload_resource(conn, &id)?;
        }
        for id in blocks {
            self.remove_block(&id);
            if let Some(block) = load_block(conn, &id)? {
                self.put_block(block);
            }
        }
        if policies {
            self.policies = Arc::new(load_policies(conn)?);
        }
        self.longest_booking_ms = meta(conn, "longest_booking_ms")? as i64;
        self.seq = seq;
        Ok(())
    }

    fn reload_booking_entry(&mut self, conn: &Connection, id: &str) -> Result<()> {
        let mut stmt = conn
            .prepare_cached(
                "SELECT resource, occ_start, occ_end, quantity, lapses_at FROM bookings
                 WHERE id = ?1 AND occ_start IS NOT NULL",
            )
            .or_store()?;
        let mut rows = stmt.query([id]).or_store()?;
        if let Some(row) = rows.next().or_store()? {
            let resource: String = row.get(0).or_store()?;
            let span = Span {
                start: Timestamp::from_millis(row.get(1).or_store()?),
                end: Timestamp::from_millis(row.get(2).or_store()?),
            };
            let occupancy = Occupancy {
                end: span.end,
                quantity: row.get(3).or_store()?,
                lapses_at: row
                    .get::<_, Option<i64>>(4)
                    .or_store()?
                    .map(Timestamp::from_millis),
            };
            self.add_entry(
                &ResourceId::from(resource.as_str()),
                span,
                OccupantRef::booking(id),
                occupancy,
            );
        }
        Ok(())
    }

    fn reload_resource(&mut self, conn: &Connection, id: &str) -> Result<()> {
        let key = ResourceId::from(id);
        let sql = "SELECT body FROM resources WHERE id = ?1";
        match one_body::<Resource>(conn, "resource", sql, [id])? {
            Some(resource) => self.resources.insert(key, Arc::new(resource)),
            None => self.resources.remove(&key),
        };
        Ok(())
    }
}

/// A value of the meta table.
pub(crate) fn meta(conn: &Connection, key: &str) -> Result<u64> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")
        .or_store()?
        .query_row([key], |row| row.get::<_, i64>(0))
        .map(|v| v as u64)
        .or_store()
}

fn load_resources(conn: &Connection) -> Result<BTreeMap<ResourceId, Arc<Resource>>> {
    let mut out = BTreeMap::new();
    let sql = "SELECT body FROM resources";
    visit_bodies(conn, "resource", sql, [], &mut |r: &Resource| {
        out.insert(r.id.clone(), Arc::new(r.clone()));
    })?;
    Ok(out)
}

fn load_policies(conn: &Connection) -> Result<Vec<Policy>> {
    let mut out = Vec::new();
    let sql = "SELECT body FROM policies ORDER BY id";
    visit_bodies(conn, "policy", sql, [], &mut |p: &Policy| {
        out.push(p.clone())
    })?;
    Ok(out)
}

fn load_block(conn: &Connection, id: &str) -> Result<Option<Block>> {
    one_body(conn, "block", "SELECT body FROM blocks WHERE id = ?1", [id])
}

/// Every occupying booking's index entry, in (resource, start, id) order, read from the
/// covering `bookings_occupancy` index alone.
fn load_occupancy(conn: &Connection) -> Result<Vec<OccupancyRow>> {
    let mut stmt = conn
        .prepare(
            "SELECT resource, occ_start, id, occ_end, quantity, lapses_at FROM bookings
             INDEXED BY bookings_occupancy
             WHERE occ_start IS NOT NULL ORDER BY resource, occ_start, id",
        )
        .or_store()?;
    let mut rows = stmt.query([]).or_store()?;
    let mut out = Vec::new();
    let mut resource = ResourceId::from("");
    while let Some(row) = rows.next().or_store()? {
        let r = row.get_ref(0).or_store()?.as_str().unwrap_or("");
        if r != resource.as_str() {
            resource = ResourceId::from(r);
        }
        let start = Timestamp::from_millis(row.get(1).or_store()?);
        let end = Timestamp::from_millis(row.get(3).or_store()?);
        out.push(OccupancyRow {
            resource: resource.clone(),
            span: Span { start, end },
            occupant: OccupantRef::booking(row.get_ref(2).or_store()?.as_str().unwrap_or("")),
            occupancy: Occupancy {
                end,
                quantity: row.get(4).or_store()?,
                lapses_at: row
                    .get::<_, Option<i64>>(5)
                    .or_store()?
                    .map(Timestamp::from_millis),
            },
        });
    }
    Ok(out)
}
