//! A command's transaction: a savepoint in the open batch. Every write goes to SQLite at
//! once (so reads inside the command see it) and to the cache, with an undo log that
//! puts the cache back if the command fails.

use std::cell::{Ref, RefMut};
use std::sync::Arc;

use rusqlite::{params, OptionalExtension};
use slotwise::audit::AuditRecord;
use slotwise::index::{booking_entry, Occupancy, OccupantRef};
use slotwise::recurrence::Series;
use slotwise::store::IdempotencyRecord;
use slotwise::waitlist::WaitlistEntry;
use slotwise::{
    Block, Booking, Event, Policy, Resource, ResourceId, Result, Span, Timestamp, Transaction,
};

use crate::error::OrStore;
use crate::group::{Shared, Turn};
use crate::inner::Inner;
use crate::rows::{body, booking_values, UPSERT_BOOKING};

const NEXT_AUDIT_SEQ: &str = "SELECT IFNULL(MAX(seq), 0) + 1 FROM audit";
const NEXT_EVENT_SEQ: &str = "SELECT IFNULL(MAX(seq), 0) + 1 FROM events";

/// How to put one cache change back.
enum Undo {
    EntryAdded {
        resource: ResourceId,
        start: Timestamp,
        occupant: OccupantRef,
    },
    EntryRemoved {
        resource: ResourceId,
        span: Span,
        occupant: OccupantRef,
        occupancy: Occupancy,
    },
    Resource(ResourceId, Option<Arc<Resource>>),
    Policies(Arc<Vec<Policy>>),
    Block(String, Option<Block>),
    Longest(i64),
}

/// One command's transaction (see the module docs).
pub(crate) struct SqliteTransaction<'a> {
    shared: &'a Shared,
    turn: Option<Turn<'a>>,
    batch: u64,
    /// Whether the command runs in a savepoint (every command but a batch's first).
    savepoint: bool,
    undo: Vec<Undo>,
}

impl<'a> SqliteTransaction<'a> {
    pub fn begin(shared: &'a Shared) -> Result<Self> {
        let (turn, batch, savepoint) = shared.start_turn()?;
        Ok(SqliteTransaction {
            shared,
            turn: Some(turn),
            batch,
            savepoint,
            undo: Vec::new(),
        })
    }

    fn inner(&self) -> Ref<'_, Inner> {
        self.turn.as_ref().expect("the turn is held").borrow()
    }

    fn inner_mut(&self) -> RefMut<'_, Inner> {
        self.turn.as_ref().expect("the turn is held").borrow_mut()
    }

    fn execute(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
        let inner = self.inner();
        let mut stmt = inner.conn.prepare_cached(sql).or_store()?;
        stmt.execute(params).or_store()
    }

    /// Notes in the change log that `kind`/`id` changed in this batch, for the caches of
    /// other processes; the first note of a batch keeps the booking's entry before it.
    fn log_change(&self, kind: &str, id: &str, old: Option<(&str, i64)>) -> Result<()> {
        let seq = self.inner().batch.as_ref().map_or(0, |b| b.change_seq) as i64;
        self.execute(
            "INSERT OR IGNORE INTO changes (seq, kind, id, old_resource, old_start)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![seq, kind, id, old.map(|o| o.0), old.map(|o| o.1)],
        )?;
        Ok(())
    }

    fn rollback_cache(&mut self) {
        let undo = std::mem::take(&mut self.undo);
        let mut inner = self.inner_mut();
        let cache = &mut inner.cache;
        for step in undo.into_iter().rev() {
            match step {
                Undo::EntryAdded {
                    resource,
                    start,
                    occupant,
                } => {
                    cache.remove_entry(&resource, start, &occupant);
                }
                Undo::EntryRemoved {
                    resource,
                    span,
                    occupant,
                    occupancy,
                } => cache.add_entry(&resource, span, occupant, occupancy),
                Undo::Resource(id, Some(previous)) => {
                    cache.resources.insert(id, previous);
                }
                Undo::Resource(id, None) => {
                    cache.resources.remove(&id);
                }
                Undo::Policies(previous) => cache.policies = previous,
                Undo::Block(_, Some(previous)) => {
                    cache.put_block(previous);
                }
                Undo::Block(id, None) => {
                    cache.remove_block(&id);
                }
                Undo::Longest(previous) => cache.longest_booking_ms = previous,
            }
        }
    }

    /// The number the next row of an append-only table gets, from `sql` (one of
    /// [`NEXT_AUDIT_SEQ`], [`NEXT_EVENT_SEQ`]).
    fn next_seq(&self, sql: &str) -> Result<i64> {
        let inner = self.inner();
        let mut stmt = inner.conn.prepare_cached(sql).or_store()?;
        stmt.query_row([], |row| row.get(0)).or_store()
    }
}

impl Drop for SqliteTransaction<'_> {
    fn drop(&mut self) {
        if self.turn.is_none() {
            return;
        }
        self.rollback_cache();
        if !self.savepoint {
            // The batch's first command: the batch holds nothing else, so it ends here,
            // and nothing it read can be undone by a later failure.
            self.inner_mut().abort_batch();
            return;
        }
        let undone = self
            .inner()
            .conn
            .execute_batch("ROLLBACK TO command; RELEASE command");
        if undone.is_err() {
            // The savepoint could not be undone; the batch must not commit it.
            self.inner_mut().stale = true;
        }
        let turn = self.turn.take().expect("the turn is held");
        // A rolled-back command still waits for its batch: what it read may have been
        // another command's write in the same batch.
        let _ = self.shared.end_turn(turn, self.batch);
    }
}

slotwise::delegate_store_reads!(SqliteTransaction<'_>, |self| self.inner());

impl Transaction for SqliteTransaction<'_> {
    fn put_resource(&mut self, resource: Resource) -> Result<()> {
        self.execute(
            "INSERT INTO resources (id, body) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![resource.id.as_str(), body(&resource)],
        )?;
        self.log_change("r", resource.id.as_str(), None)?;
        let id = resource.id.clone();
        let previous = self
            .inner_mut()
            .cache
            .resources
            .insert(id.clone(), Arc::new(resource));
        self.undo.push(Undo::Resource(id, previous));
        Ok(())
    }

    fn put_booking(&mut self, booking: Booking) -> Result<()> {
        let old: Option<(String, Option<i64>)> = {
            let inner = self.inner();
            let mut stmt = inner
                .conn
                .prepare_cached("SELECT resource, occ_start FROM bookings WHERE id = ?1")
                .or_store()?;
            stmt.query_row([booking.id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
                .or_store()?
        };
        let old_entry = old.as_ref().and_then(|(r, s)| s.map(|s| (r.as_str(), s)));
        self.execute(
            UPSERT_BOOKING,
            rusqlite::params_from_iter(booking_values(&booking)),
        )?;
        self.log_change("b", booking.id.as_str(), old_entry)?;

        let occupant = OccupantRef::booking(booking.id.as_str());
        if let Some((resource, start)) = old_entry {
            let resource = ResourceId::from(resource);
            let start = Timestamp::from_millis(start);
            let removed = self
                .inner_mut()
                .cache
                .remove_entry(&resource, start, &occupant);
            if let Some(occupancy) = removed {
                let span = Span {
                    start,
                    end: occupancy.end,
                };
                self.undo.push(Undo::EntryRemoved {
                    resource,
                    span,
                    occupant: occupant.clone(),
                    occupancy,
                });
            }
        }
        if let Some((start, occupant, occupancy)) = booking_entry(&booking) {
            let span = Span {
                start,
                end: occupancy.end,
            };
            self.inner_mut()
                .cache
                .add_entry(&booking.resource, span, occupant.clone(), occupancy);
            self.undo.push(Undo::EntryAdded {
                resource: booking.resource.clone(),
                start,
                occupant,
            });
        }
        let length = booking.span().len_millis();
        let longest = self.inner().cache.longest_booking_ms;
        if length > longest {
            self.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'longest_booking_ms'",
                [length],
            )?;
            self.inner_mut().cache.longest_booking_ms = length;
            self.undo.push(Undo::Longest(longest));
        }
        Ok(())
    }

    fn put_idempotency(&mut self, record: IdempotencyRecord) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO idempotency (key, created_at, body) VALUES (?1, ?2, ?3)",
            params![record.key, record.created_at.as_millis(), body(&record)],
        )?;
        Ok(())
    }

    fn purge_idempotency(&mut self, cutoff: Timestamp) -> Result<usize> {
        self.execute(
            "DELETE FROM idempotency WHERE created_at < ?1",
            [cutoff.as_millis()],
        )
    }

    fn append_audit(&mut self, mut record: AuditRecord) -> Result<u64> {
        let seq = self.next_seq(NEXT_AUDIT_SEQ)?;
        record.seq = seq as u64;
        self.execute(
            "INSERT INTO audit (seq, booking, resource, member, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                seq,
                record.booking.as_ref().map(|b| b.as_str()),
                record.resource.as_ref().map(|r| r.as_str()),
                record.member.as_ref().map(|m| m.as_str()),
                body(&record)
            ],
        )?;
        Ok(seq as u64)
    }

    fn append_event(&mut self, mut event: Event) -> Result<u64> {
        let seq = self.next_seq(NEXT_EVENT_SEQ)?;
        event.seq = seq as u64;
        self.execute(
            "INSERT INTO events (seq, body) VALUES (?1, ?2)",
            params![seq, body(&event)],
        )?;
        Ok(seq as u64)
    }

    fn set_consumer_cursor(&mut self, consumer: &str, seq: u64) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO cursors (consumer, seq) VALUES (?1, ?2)",
            params![consumer, seq as i64],
        )?;
        Ok(())
    }

    fn next_sequence(&mut self) -> Result<u64> {
        let inner = self.inner();
        let mut stmt = inner
            .conn
            .prepare_cached(
                "UPDATE meta SET value = value + 1 WHERE key = 'sequence' RETURNING value",
            )
            .or_store()?;
        stmt.query_row([], |row| row.get::<_, i64>(0))
            .map(|v| v as u64)
            .or_store()
    }

    fn raise_sequence(&mut self, value: u64) -> Result<()> {
        self.execute(
            "UPDATE meta SET value = max(value, ?1) WHERE key = 'sequence'",
            [value as i64],
        )?;
        Ok(())
    }

    fn put_policy(&mut self, policy: Policy) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO policies (id, body) VALUES (?1, ?2)",
            params![policy.id.as_str(), body(&policy)],
        )?;
        self.log_change("p", policy.id.as_str(), None)?;
        let mut inner = self.inner_mut();
        let mut list = (*inner.cache.policies).clone();
        match list.binary_search_by(|p| p.id.cmp(&policy.id)) {
            Ok(i) => list[i] = policy,
            Err(i) => list.insert(i, policy),
        }
        let previous = std::mem::replace(&mut inner.cache.policies, Arc::new(list));
        drop(inner);
        self.undo.push(Undo::Policies(previous));
        Ok(())
    }

    fn delete_policy(&mut self, id: &str) -> Result<bool> {
        if self.execute("DELETE FROM policies WHERE id = ?1", [id])? == 0 {
            return Ok(false);
        }
        self.log_change("p", id, None)?;
        let mut inner = self.inner_mut();
        let mut list = (*inner.cache.policies).clone();
        list.retain(|p| p.id.as_str() != id);
        let previous = std::mem::replace(&mut inner.cache.policies, Arc::new(list));
        drop(inner);
        self.undo.push(Undo::Policies(previous));
        Ok(true)
    }

    fn put_block(&mut self, block: Block) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO blocks (id, body) VALUES (?1, ?2)",
            params![block.id, body(&block)],
        )?;
        self.log_change("k", &block.id, None)?;
        let id = block.id.clone();
        let previous = self.inner_mut().cache.put_block(block);
        self.undo.push(Undo::Block(id, previous));
        Ok(())
    }

    fn delete_block(&mut self, id: &str) -> Result<Option<Block>> {
        self.execute("DELETE FROM blocks WHERE id = ?1", [id])?;
        let removed = self.inner_mut().cache.remove_block(id);
        if let Some(block) = &removed {
            self.log_change("k", id, None)?;
            self.undo
                .push(Undo::Block(id.to_owned(), Some(block.clone())));
        }
        Ok(removed)
    }

    fn put_series(&mut self, series: Series) -> Result<()> {
        self.execute(
            "INSERT INTO series (id, body) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            params![series.id, body(&series)],
        )?;
        Ok(())
    }

    fn put_waitlist_entry(&mut self, entry: WaitlistEntry) -> Result<()> {
        self.execute(
            "INSERT OR REPLACE INTO waitlist (seq, id, open, body) VALUES (?1, ?2, ?3, ?4)",
            params![
                entry.seq as i64,
                entry.id,
                entry.status.is_open(),
                body(&entry)
            ],
        )?;
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        if self.savepoint {
            let released = self.inner().conn.execute_batch("RELEASE command");
            if let Err(e) = released {
                // Drop rolls the command back and settles the batch.
                return Err(crate::error::sql(e));
            }
        }
        self.undo.clear();
        let turn = self.turn.take().expect("the turn is held");
        self.shared.end_turn(turn, self.batch)
    }
}
