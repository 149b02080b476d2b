//! One connection and its cache: every read a store or transaction answers, and the
//! batch (the open SQLite write transaction) that group commit fills.

use std::ops::ControlFlow;
use std::sync::Arc;

use rusqlite::{params, Connection, OptionalExtension};
use slotwise::audit::{AuditQuery, AuditRecord};
use slotwise::index::{Entry, IntervalIndex};
use slotwise::recurrence::Series;
use slotwise::store::IdempotencyRecord;
use slotwise::waitlist::WaitlistEntry;
use slotwise::{
    Block, Booking, BookingId, Event, MemberId, Policy, Resource, ResourceId, Result, Span,
    StoreRead, Timestamp,
};

use crate::cache::{meta, Cache};
use crate::error::OrStore;
use crate::rows::{self, decode};

/// The open write transaction commands are added to, each inside its own savepoint.
pub(crate) struct Batch {
    /// Which batch this is, counted per store value from 1.
    pub id: u64,
    /// The change sequence the batch commits as.
    pub change_seq: u64,
    /// Commands it holds so far.
    pub commands: usize,
}

/// A connection, its cache and the batch in progress.
pub(crate) struct Inner {
    pub conn: Connection,
    pub cache: Cache,
    pub batch: Option<Batch>,
    /// `PRAGMA data_version` when the cache was last known current: another connection's
    /// commit changes it.
    pub data_version: i64,
    /// The cache may hold writes of a batch that failed to commit: reload before use.
    pub stale: bool,
    pub batches: u64,
}

impl Inner {
    /// A connection whose cache is loaded.
    pub fn new(conn: Connection) -> Result<Inner> {
        let mut inner = Inner {
            conn,
            cache: Cache::default(),
            batch: None,
            data_version: 0,
            stale: true,
            batches: 0,
        };
        inner.refresh()?;
        Ok(inner)
    }

    fn data_version(&self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")
            .or_store()?
            .query_row([], |row| row.get(0))
            .or_store()
    }

    /// Brings the cache up to date with other connections' commits (nothing to do while
    /// this connection holds the write lock in a batch).
    pub fn refresh(&mut self) -> Result<()> {
        if self.batch.is_some() {
            return Ok(());
        }
        let version = self.data_version()?;
        if version == self.data_version && !self.stale {
            return Ok(());
        }
        self.conn.execute_batch("BEGIN").or_store()?;
        let outcome = self.sync();
        let end = self.conn.execute_batch("COMMIT").or_store();
        outcome.and(end)?;
        // A commit that lands after `version` was read changes it again, so the next
        // refresh looks again.
        self.data_version = version;
        Ok(())
    }

    /// Inside a transaction: reloads a stale cache, or applies the change log.
    fn sync(&mut self) -> Result<()> {
        if self.stale {
            self.cache = Cache::load(&self.conn)?;
            self.stale = false;
            return Ok(());
        }
        let seq = meta(&self.conn, "change_seq")?;
        if seq != self.cache.seq {
            self.cache.catch_up(&self.conn, seq)?;
        }
        Ok(())
    }

    /// Opens a batch: takes the write lock (`BEGIN IMMEDIATE`, waiting for other
    /// processes per the busy handler) and brings the cache up to date inside it.
    pub fn open_batch(&mut self) -> Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE").or_store()?;
        let synced = self.sync().and_then(|_| self.data_version());
        match synced {
            Ok(version) => {
                self.data_version = version;
                self.batches += 1;
                self.batch = Some(Batch {
                    id: self.batches,
                    change_seq: self.cache.seq + 1,
                    commands: 0,
                });
                Ok(())
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.stale = true;
                Err(e)
            }
        }
    }

    /// Commits the batch durably (one fsync with `synchronous=FULL`). On failure the
    /// batch is rolled back and the cache, which holds its writes, is reloaded before
    /// its next use.
    /// Returns how many commands the batch held.
    pub fn commit_batch(&mut self) -> Result<usize> {
        let batch = self.batch.take().expect("a batch is open");
        let outcome = self
            .write_change_seq(batch.change_seq)
            .and_then(|_| self.conn.execute_batch("COMMIT").or_store());
        match outcome {
            Ok(()) => {
                self.cache.seq = batch.change_seq;
                Ok(batch.commands)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.stale = true;
                Err(e)
            }
        }
    }

    /// Rolls back a batch that holds only a failed command: nothing to make durable.
    pub fn abort_batch(&mut self) {
        self.batch = None;
        if self.conn.execute_batch("ROLLBACK").is_err() {
            self.stale = true;
        }
    }

    fn write_change_seq(&self, seq: u64) -> Result<()> {
        let seq = seq as i64;
        self.conn
            .prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'change_seq'")
            .or_store()?
            .execute([seq])
            .or_store()?;
        // Keep the last LOG_KEEP batches of the change log; a process further behind
        // reloads its cache instead.
        const LOG_KEEP: i64 = 65_536;
        if seq % 1_024 == 0 && seq > LOG_KEEP {
            let floor = seq - LOG_KEEP;
            self.conn
                .execute("DELETE FROM changes WHERE seq <= ?1", [floor])
                .or_store()?;
            self.conn
                .execute(
                    "UPDATE meta SET value = ?1 WHERE key = 'log_floor'",
                    [floor],
                )
                .or_store()?;
        }
        Ok(())
    }

    fn visit_bodies<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        sql: &str,
        params: impl rusqlite::Params,
        visit: &mut dyn FnMut(&T),
    ) -> Result<()> {
        rows::visit_bodies(&self.conn, what, sql, params, visit)
    }

    fn one_body<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<T>> {
        rows::one_body(&self.conn, what, sql, params)
    }

    /// Bookings whose `column` is `key`, overlapping `window`, in (start, id) order.
    fn bookings_by(
        &self,
        sql: &str,
        key: &str,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()> {
        let earliest = window
            .start
            .add_millis(-self.cache.longest_booking_ms)
            .as_millis();
        self.visit_bodies(
            "booking",
            sql,
            params![
                key,
                earliest,
                window.end.as_millis(),
                window.start.as_millis()
            ],
            visit,
        )
    }
}

impl StoreRead for Inner {
    fn resource(&self, id: &ResourceId) -> Result<Option<Arc<Resource>>> {
        Ok(self.cache.resources.get(id).cloned())
    }

    fn resources(&self, visit: &mut dyn FnMut(&Resource)) -> Result<()> {
        self.cache.resources.values().for_each(|r| visit(r));
        Ok(())
    }

    fn resources_after(
        &self,
        after: &ResourceId,
        visit: &mut dyn FnMut(&Resource) -> ControlFlow<()>,
    ) -> Result<()> {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        let resources = &self.cache.resources;
        let order = resources
            .range::<ResourceId, _>((Excluded(after), Unbounded))
            .chain(resources.range::<ResourceId, _>((Unbounded, Included(after))));
        for (_, r) in order {
            if visit(r).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn booking(&self, id: &BookingId) -> Result<Option<Booking>> {
        self.one_body(
            "booking",
            "SELECT body FROM bookings WHERE id = ?1",
            [id.as_str()],
        )
    }

    fn bookings(&self, visit: &mut dyn FnMut(&Booking)) -> Result<()> {
        self.visit_bodies("booking", "SELECT body FROM bookings", [], visit)
    }

    fn booking_count(&self) -> Result<usize> {
        self.conn
            .prepare_cached("SELECT count(*) FROM bookings")
            .or_store()?
            .query_row([], |row| row.get::<_, i64>(0))
            .map(|n| n as usize)
            .or_store()
    }

    fn with_index(&self, resource: &ResourceId, f: &mut dyn FnMut(&IntervalIndex)) -> Result<()> {
        f(self.cache.index(resource));
        Ok(())
    }

    fn site_entries(
        &self,
        window: Span,
        visit: &mut dyn FnMut(&ResourceId, Entry<'_>),
    ) -> Result<()> {
        self.cache.site.overlapping(window, visit);
        Ok(())
    }

    fn resource_bookings(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()> {
        self.bookings_by(
            r#"SELECT body FROM bookings INDEXED BY bookings_by_resource
               WHERE resource = ?1 AND start >= ?2 AND start < ?3 AND "end" > ?4
               ORDER BY start, id"#,
            resource.as_str(),
            window,
            visit,
        )
    }

    fn member_bookings(
        &self,
        member: &MemberId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()> {
        self.bookings_by(
            r#"SELECT body FROM bookings INDEXED BY bookings_by_member
               WHERE member = ?1 AND start >= ?2 AND start < ?3 AND "end" > ?4
               ORDER BY start, id"#,
            member.as_str(),
            window,
            visit,
        )
    }

    fn due_bookings(&self, now: Timestamp, limit: usize) -> Result<Vec<BookingId>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM bookings WHERE due_at IS NOT NULL AND due_at <= ?1
                 ORDER BY due_at, id LIMIT ?2",
            )
            .or_store()?;
        let ids = stmt
            .query_map(params![now.as_millis(), limit as i64], |row| {
                row.get::<_, String>(0)
            })
            .or_store()?;
        ids.map(|id| id.map(|id| BookingId::from(id.as_str())).or_store())
            .collect()
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        self.one_body(
            "idempotency record",
            "SELECT body FROM idempotency WHERE key = ?1",
            [key],
        )
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let after = query.after_seq.unwrap_or(0) as i64;
        // Read through the index of the first subject the query names, then filter.
        let subject = [
            ("booking", query.booking.as_ref().map(|b| b.as_str())),
            ("member", query.member.as_ref().map(|m| m.as_str())),
            ("resource", query.resource.as_ref().map(|r| r.as_str())),
        ]
        .into_iter()
        .find_map(|(column, key)| Some((column, key?)));
        let (sql, key) = match subject {
            Some((column, key)) => (
                format!("SELECT body FROM audit WHERE {column} = ?1 AND seq > ?2 ORDER BY seq"),
                key,
            ),
            None => (
                "SELECT body FROM audit WHERE seq > ?2 ORDER BY seq".to_owned(),
                "",
            ),
        };
        let mut stmt = self.conn.prepare_cached(&sql).or_store()?;
        let mut rows = stmt.query(params![key, after]).or_store()?;
        let mut out = Vec::new();
        while out.len() < query.limit() {
            let Some(row) = rows.next().or_store()? else {
                break;
            };
            let record: AuditRecord = decode(
                "audit record",
                row.get_ref(0).or_store()?.as_str().unwrap_or(""),
            )?;
            if query.matches(&record) {
                out.push(record);
            }
        }
        Ok(out)
    }

    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>> {
        let mut out = Vec::new();
        self.visit_bodies(
            "event",
            "SELECT body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            params![after as i64, limit.min(i64::MAX as usize) as i64],
            &mut |e: &Event| out.push(e.clone()),
        )?;
        Ok(out)
    }

    fn last_event_seq(&self) -> Result<u64> {
        self.conn
            .prepare_cached("SELECT IFNULL(MAX(seq), 0) FROM events")
            .or_store()?
            .query_row([], |row| row.get::<_, i64>(0))
            .map(|n| n as u64)
            .or_store()
    }

    fn consumer_cursor(&self, consumer: &str) -> Result<u64> {
        let seq: Option<i64> = self
            .conn
            .prepare_cached("SELECT seq FROM cursors WHERE consumer = ?1")
            .or_store()?
            .query_row([consumer], |row| row.get(0))
            .optional()
            .or_store()?;
        Ok(seq.unwrap_or(0) as u64)
    }

    fn sequence(&self) -> Result<u64> {
        meta(&self.conn, "sequence")
    }

    fn policies(&self) -> Result<Arc<Vec<Policy>>> {
        Ok(self.cache.policies.clone())
    }

    fn block(&self, id: &str) -> Result<Option<Block>> {
        Ok(self.cache.blocks.get(id).cloned())
    }

    fn resource_blocks(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Block),
    ) -> Result<()> {
        self.cache.resource_blocks(resource, window).for_each(visit);
        Ok(())
    }

    fn blocks(&self, visit: &mut dyn FnMut(&Block)) -> Result<()> {
        self.cache.blocks.values().for_each(visit);
        Ok(())
    }

    fn series(&self, id: &str) -> Result<Option<Series>> {
        self.one_body("series", "SELECT body FROM series WHERE id = ?1", [id])
    }

    fn all_series(&self, visit: &mut dyn FnMut(&Series)) -> Result<()> {
        self.visit_bodies("series", "SELECT body FROM series", [], visit)
    }

    fn series_bookings(&self, id: &str, visit: &mut dyn FnMut(&Booking)) -> Result<()> {
        self.visit_bodies(
            "booking",
            "SELECT body FROM bookings WHERE series = ?1 ORDER BY occurrence, id",
            [id],
            visit,
        )
    }

    fn waitlist_entry(&self, id: &str) -> Result<Option<WaitlistEntry>> {
        self.one_body(
            "waitlist entry",
            "SELECT body FROM waitlist WHERE id = ?1",
            [id],
        )
    }

    fn waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()> {
        self.visit_bodies(
            "waitlist entry",
            "SELECT body FROM waitlist ORDER BY seq",
            [],
            visit,
        )
    }

    fn open_waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()> {
        self.visit_bodies(
            "waitlist entry",
            "SELECT body FROM waitlist WHERE open = 1 ORDER BY seq",
            [],
            visit,
        )
    }
}
