use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::sync::Arc;

use super::{IdempotencyRecord, MemoryState, Store, StoreRead, Transaction};
use crate::audit::{AuditQuery, AuditRecord};
use crate::block::Block;
use crate::booking::Booking;
use crate::error::Result;
use crate::events::Event;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::index::{Entry, IntervalIndex};
use crate::policy::Policy;
use crate::recurrence::Series;
use crate::resource::Resource;
use crate::time::{Span, Timestamp};
use crate::waitlist::WaitlistEntry;

/// The in-memory store (S1): everything in RAM, nothing durable. Used by tests, the WASM
/// binding and anyone who snapshots by hand. Transactions apply writes in place and keep
/// an undo log, so reads inside a transaction cost nothing extra and a rollback restores
/// the exact previous state.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: MemoryState,
    idempotency: HashMap<String, IdempotencyRecord>,
    idempotency_by_age: BTreeSet<(Timestamp, String)>,
    audit: Vec<AuditRecord>,
    audit_by_booking: HashMap<BookingId, Vec<usize>>,
    audit_by_resource: HashMap<ResourceId, Vec<usize>>,
    audit_by_member: HashMap<MemberId, Vec<usize>>,
    events: Vec<Event>,
    cursors: HashMap<String, u64>,
    sequence: u64,
    policies: Arc<Vec<Policy>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The booking and resource tables with their indexes.
    pub fn state(&self) -> &MemoryState {
        &self.state
    }

    fn audit_positions(&self, query: &AuditQuery) -> Option<&[usize]> {
        let lists = [
            query.booking.as_ref().map(|b| self.audit_by_booking.get(b)),
            query
                .resource
                .as_ref()
                .map(|r| self.audit_by_resource.get(r)),
            query.member.as_ref().map(|m| self.audit_by_member.get(m)),
        ];
        // Use the shortest list among the filters given; `matches` checks the rest.
        lists
            .into_iter()
            .flatten()
            .map(|l| l.map_or(&[][..], |v| v.as_slice()))
            .min_by_key(|l| l.len())
    }

    fn push_audit(&mut self, record: AuditRecord) {
        let position = self.audit.len();
        if let Some(b) = &record.booking {
            self.audit_by_booking
                .entry(b.clone())
                .or_default()
                .push(position);
        }
        if let Some(r) = &record.resource {
            self.audit_by_resource
                .entry(r.clone())
                .or_default()
                .push(position);
        }
        if let Some(m) = &record.member {
            self.audit_by_member
                .entry(m.clone())
                .or_default()
                .push(position);
        }
        self.audit.push(record);
    }

    fn pop_audit(&mut self) {
        let Some(record) = self.audit.pop() else {
            return;
        };
        if let Some(b) = &record.booking {
            pop_position(&mut self.audit_by_booking, b);
        }
        if let Some(r) = &record.resource {
            pop_position(&mut self.audit_by_resource, r);
        }
        if let Some(m) = &record.member {
            pop_position(&mut self.audit_by_member, m);
        }
    }

    fn set_idempotency(
        &mut self,
        key: &str,
        record: Option<IdempotencyRecord>,
    ) -> Option<IdempotencyRecord> {
        let previous = self.idempotency.remove(key);
        if let Some(old) = &previous {
            self.idempotency_by_age
                .remove(&(old.created_at, old.key.clone()));
        }
        if let Some(new) = record {
            self.idempotency_by_age
                .insert((new.created_at, new.key.clone()));
            self.idempotency.insert(new.key.clone(), new);
        }
        previous
    }
}

fn pop_position<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: &K) {
    if let Some(list) = map.get_mut(key) {
        list.pop();
        if list.is_empty() {
            map.remove(key);
        }
    }
}

impl StoreRead for MemoryStore {
    fn resource(&self, id: &ResourceId) -> Result<Option<Arc<Resource>>> {
        Ok(self.state.resource(id).cloned())
    }

    fn resources(&self, visit: &mut dyn FnMut(&Resource)) -> Result<()> {
        self.state.resources().for_each(visit);
        Ok(())
    }

    fn resources_after(
        &self,
        after: &ResourceId,
        visit: &mut dyn FnMut(&Resource) -> ControlFlow<()>,
    ) -> Result<()> {
        for r in self.state.resources_after(after) {
            if visit(r).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn booking(&self, id: &BookingId) -> Result<Option<Booking>> {
        Ok(self.state.booking(id).cloned())
    }

    fn bookings(&self, visit: &mut dyn FnMut(&Booking)) -> Result<()> {
        self.state.bookings().for_each(visit);
        Ok(())
    }

    fn booking_count(&self) -> Result<usize> {
        Ok(self.state.booking_count())
    }

    fn with_index(&self, resource: &ResourceId, f: &mut dyn FnMut(&IntervalIndex)) -> Result<()> {
        f(self.state.interval_index(resource));
        Ok(())
    }

    fn site_entries(
        &self,
        window: Span,
        visit: &mut dyn FnMut(&ResourceId, Entry<'_>),
    ) -> Result<()> {
        self.state.site_index().overlapping(window, visit);
        Ok(())
    }

    fn resource_bookings(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()> {
        self.state
            .resource_bookings(resource, window)
            .for_each(visit);
        Ok(())
    }

    fn member_bookings(
        &self,
        member: &MemberId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()> {
        self.state.member_bookings(member, window).for_each(visit);
        Ok(())
    }

    fn due_bookings(&self, now: Timestamp, limit: usize) -> Result<Vec<BookingId>> {
        Ok(self.state.due(now, limit))
    }

    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>> {
        Ok(self.idempotency.get(key).cloned())
    }

    fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let matching = |r: &&AuditRecord| query.matches(r);
        let out = match self.audit_positions(query) {
            Some(positions) => positions
                .iter()
                .map(|&p| &self.audit[p])
                .filter(matching)
                .take(query.limit())
                .cloned()
                .collect(),
            None => {
                let first = query
                    .after_seq
                    .map_or(0, |s| s as usize)
                    .min(self.audit.len());
                self.audit[first..]
                    .iter()
                    .filter(matching)
                    .take(query.limit())
                    .cloned()
                    .collect()
            }
        };
        Ok(out)
    }

    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>> {
        let first = (after as usize).min(self.events.len());
        Ok(self.events[first..].iter().take(limit).cloned().collect())
    }

    fn last_event_seq(&self) -> Result<u64> {
        Ok(self.events.len() as u64)
    }

    fn consumer_cursor(&self, consumer: &str) -> Result<u64> {
        Ok(self.cursors.get(consumer).copied().unwrap_or(0))
    }

    fn sequence(&self) -> Result<u64> {
        Ok(self.sequence)
    }

    fn policies(&self) -> Result<Arc<Vec<Policy>>> {
        Ok(self.policies.clone())
    }

    fn block(&self, id: &str) -> Result<Option<Block>> {
        Ok(self.state.block(id).cloned())
    }

    fn resource_blocks(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Block),
    ) -> Result<()> {
        self.state.resource_blocks(resource, window).for_each(visit);
        Ok(())
    }

    fn blocks(&self, visit: &mut dyn FnMut(&Block)) -> Result<()> {
        self.state.blocks().for_each(visit);
        Ok(())
    }

    fn series(&self, id: &str) -> Result<Option<Series>> {
        Ok(self.state.series(id).cloned())
    }

    fn all_series(&self, visit: &mut dyn FnMut(&Series)) -> Result<()> {
        self.state.all_series().for_each(visit);
        Ok(())
    }

    fn series_bookings(&self, id: &str, visit: &mut dyn FnMut(&Booking)) -> Result<()> {
        self.state.series_bookings(id).for_each(visit);
        Ok(())
    }

    fn waitlist_entry(&self, id: &str) -> Result<Option<WaitlistEntry>> {
        Ok(self.state.waitlist_entry(id).cloned())
    }

    fn waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()> {
        self.state.waitlist_entries().for_each(visit);
        Ok(())
    }

    fn open_waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()> {
        self.state.open_waitlist_entries().for_each(visit);
        Ok(())
    }
}

impl Store for MemoryStore {
    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>> {
        Ok(Box::new(MemoryTransaction {
            store: self,
            undo: Vec::new(),
        }))
    }
}

/// How to reverse one write.
enum Undo {
    Resource(ResourceId, Option<Arc<Resource>>),
    Booking(BookingId, Option<Box<Booking>>),
    Idempotency(String, Option<IdempotencyRecord>),
    Audit,
    Event,
    Cursor(String, Option<u64>),
    Sequence(u64),
    Policies(Arc<Vec<Policy>>),
    Block(String, Option<Block>),
    Series(String, Option<Box<Series>>),
    Waitlist(String, Option<Box<WaitlistEntry>>),
}

struct MemoryTransaction<'a> {
    store: &'a mut MemoryStore,
    undo: Vec<Undo>,
}

impl Drop for MemoryTransaction<'_> {
    fn drop(&mut self) {
        let store = &mut *self.store;
        for step in self.undo.drain(..).rev() {
            match step {
                Undo::Resource(_, Some(previous)) => {
                    store.state.put_resource(previous);
                }
                Undo::Resource(id, None) => {
                    store.state.remove_resource(&id);
                }
                Undo::Booking(_, Some(previous)) => {
                    store.state.put_booking(*previous);
                }
                Undo::Booking(id, None) => {
                    store.state.remove_booking(&id);
                }
                Undo::Idempotency(key, previous) => {
                    store.set_idempotency(&key, previous);
                }
                Undo::Audit => store.pop_audit(),
                Undo::Event => {
                    store.events.pop();
                }
                Undo::Cursor(consumer, Some(previous)) => {
                    store.cursors.insert(consumer, previous);
                }
                Undo::Cursor(consumer, None) => {
                    store.cursors.remove(&consumer);
                }
                Undo::Sequence(previous) => store.sequence = previous,
                Undo::Policies(previous) => store.policies = previous,
                Undo::Block(_, Some(previous)) => {
                    store.state.put_block(previous);
                }
                Undo::Block(id, None) => {
                    store.state.remove_block(&id);
                }
                Undo::Series(_, Some(previous)) => {
                    store.state.put_series(*previous);
                }
                Undo::Series(id, None) => {
                    store.state.remove_series(&id);
                }
                Undo::Waitlist(_, Some(previous)) => {
                    store.state.put_waitlist_entry(*previous);
                }
                Undo::Waitlist(id, None) => {
                    store.state.remove_waitlist_entry(&id);
                }
            }
        }
    }
}

crate::delegate_store_reads!(MemoryTransaction<'_>, |self| self.store);

impl Transaction for MemoryTransaction<'_> {
    fn put_resource(&mut self, resource: Resource) -> Result<()> {
        let id = resource.id.clone();
        let previous = self.store.state.put_resource(Arc::new(resource));
        self.undo.push(Undo::Resource(id, previous));
        Ok(())
    }

    fn put_booking(&mut self, booking: Booking) -> Result<()> {
        let id = booking.id.clone();
        let previous = self.store.state.put_booking(booking).map(Box::new);
        self.undo.push(Undo::Booking(id, previous));
        Ok(())
    }

    fn put_idempotency(&mut self, record: IdempotencyRecord) -> Result<()> {
        let key = record.key.clone();
        let previous = self.store.set_idempotency(&key, Some(record));
        self.undo.push(Undo::Idempotency(key, previous));
        Ok(())
    }

    fn purge_idempotency(&mut self, cutoff: Timestamp) -> Result<usize> {
        let stale: Vec<String> = self
            .store
            .idempotency_by_age
            .range(..(cutoff, String::new()))
            .map(|(_, key)| key.clone())
            .collect();
        for key in &stale {
            let previous = self.store.set_idempotency(key, None);
            self.undo.push(Undo::Idempotency(key.clone(), previous));
        }
        Ok(stale.len())
    }

    fn append_audit(&mut self, mut record: AuditRecord) -> Result<u64> {
        record.seq = self.store.audit.len() as u64 + 1;
        let seq = record.seq;
        self.store.push_audit(record);
        self.undo.push(Undo::Audit);
        Ok(seq)
    }

    fn append_event(&mut self, mut event: Event) -> Result<u64> {
        event.seq = self.store.events.len() as u64 + 1;
        let seq = event.seq;
        self.store.events.push(event);
        self.undo.push(Undo::Event);
        Ok(seq)
    }

    fn set_consumer_cursor(&mut self, consumer: &str, seq: u64) -> Result<()> {
        let previous = self.store.cursors.insert(consumer.to_owned(), seq);
        self.undo.push(Undo::Cursor(consumer.to_owned(), previous));
        Ok(())
    }

    fn next_sequence(&mut self) -> Result<u64> {
        self.undo.push(Undo::Sequence(self.store.sequence));
        self.store.sequence += 1;
        Ok(self.store.sequence)
    }

    fn raise_sequence(&mut self, value: u64) -> Result<()> {
        self.undo.push(Undo::Sequence(self.store.sequence));
        self.store.sequence = self.store.sequence.max(value);
        Ok(())
    }

    fn put_policy(&mut self, policy: Policy) -> Result<()> {
        let mut list = (*self.store.policies).clone();
        match list.binary_search_by(|p| p.id.cmp(&policy.id)) {
            Ok(i) => list[i] = policy,
            Err(i) => list.insert(i, policy),
        }
        let previous = std::mem::replace(&mut self.store.policies, Arc::new(list));
        self.undo.push(Undo::Policies(previous));
        Ok(())
    }

    fn delete_policy(&mut self, id: &str) -> Result<bool> {
        let Ok(i) = self
            .store
            .policies
            .binary_search_by(|p| p.id.as_str().cmp(id))
        else {
            return Ok(false);
        };
        let mut list = (*self.store.policies).clone();
        list.remove(i);
        let previous = std::mem::replace(&mut self.store.policies, Arc::new(list));
        self.undo.push(Undo::Policies(previous));
        Ok(true)
    }

    fn put_block(&mut self, block: Block) -> Result<()> {
        let id = block.id.clone();
        let previous = self.store.state.put_block(block);
        self.undo.push(Undo::Block(id, previous));
        Ok(())
    }

    fn delete_block(&mut self, id: &str) -> Result<Option<Block>> {
        let removed = self.store.state.remove_block(id);
        if let Some(block) = &removed {
            self.undo
                .push(Undo::Block(id.to_owned(), Some(block.clone())));
        }
        Ok(removed)
    }

    fn put_series(&mut self, series: Series) -> Result<()> {
        let id = series.id.clone();
        let previous = self.store.state.put_series(series).map(Box::new);
        self.undo.push(Undo::Series(id, previous));
        Ok(())
    }

    fn put_waitlist_entry(&mut self, entry: WaitlistEntry) -> Result<()> {
        let id = entry.id.clone();
        let previous = self.store.state.put_waitlist_entry(entry).map(Box::new);
        self.undo.push(Undo::Waitlist(id, previous));
        Ok(())
    }

    fn commit(mut self: Box<Self>) -> Result<()> {
        self.undo.clear();
        Ok(())
    }
}
