//! Storage (S1): the [`Store`] trait the engine runs every command against, and the
//! in-memory store.
//!
//! A command runs inside one [`Transaction`]: it reads what it needs (a resource, the
//! interval index of a resource, a member's bookings, an idempotency record), writes, and
//! commits; dropping a transaction without committing rolls everything back (I4). Audit
//! records and events are written in the same transaction as the change they describe (I6).
//! The engine keeps no state of its own between commands, so a store shared by several
//! engines or processes stays correct as long as its transactions are serialisable.
//!
//! A store derives its indexes from the [`Booking`] records it is given, using the
//! booking's own methods ([`Booking::occupied_span`], [`Booking::lapses_at`],
//! [`Booking::due_at`]), so every store indexes identically. [`MemoryState`] holds those
//! derived tables and is public so durable stores can keep it as their in-memory cache.

mod memory;
mod state;

pub use memory::MemoryStore;
pub use state::MemoryState;

use std::ops::ControlFlow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

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

/// The stored outcome of a command run with an idempotency key (B8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// The caller's key.
    pub key: String,
    /// Hash of the command's type and fields (the key excluded).
    pub fingerprint: String,
    /// The command's result, as JSON.
    pub result: serde_json::Value,
    /// When the command ran; the record is kept for the configured retention.
    pub created_at: Timestamp,
}

/// Read access, inside or outside a transaction. Inside one, reads see its own writes.
pub trait StoreRead {
    /// A resource by id.
    fn resource(&self, id: &ResourceId) -> Result<Option<Arc<Resource>>>;
    /// Every resource, in id order.
    fn resources(&self, visit: &mut dyn FnMut(&Resource)) -> Result<()>;
    /// Resources in id order starting after `after` and wrapping round to the first,
    /// `after` itself last if it exists, until `visit` breaks: a resource's neighbours
    /// first. The default walks [`resources`](StoreRead::resources) twice.
    fn resources_after(
        &self,
        after: &ResourceId,
        visit: &mut dyn FnMut(&Resource) -> ControlFlow<()>,
    ) -> Result<()> {
        let mut stopped = false;
        self.resources(&mut |r| {
            if !stopped && &r.id > after {
                stopped = visit(r).is_break();
            }
        })?;
        self.resources(&mut |r| {
            if !stopped && &r.id <= after {
                stopped = visit(r).is_break();
            }
        })
    }
    /// A booking by id, as stored (not evaluated against the clock).
    fn booking(&self, id: &BookingId) -> Result<Option<Booking>>;
    /// Every booking, in no particular order.
    fn bookings(&self, visit: &mut dyn FnMut(&Booking)) -> Result<()>;
    /// Number of bookings stored.
    fn booking_count(&self) -> Result<usize>;
    /// Runs `f` on the interval index of the bookings of `resource` that occupy capacity
    /// (an empty index if there are none).
    fn with_index(&self, resource: &ResourceId, f: &mut dyn FnMut(&IntervalIndex)) -> Result<()>;
    /// Calls `visit` with every index entry, of any resource, whose occupied span
    /// overlaps `window` (active or lapsed; in no particular order). Questions across
    /// many resources (A1) read these instead of every resource's index. The default
    /// asks every resource's index; stores with a site-wide time index answer from it.
    fn site_entries(
        &self,
        window: Span,
        visit: &mut dyn FnMut(&ResourceId, Entry<'_>),
    ) -> Result<()> {
        let mut ids = Vec::new();
        self.resources(&mut |r| ids.push(r.id.clone()))?;
        for id in &ids {
            self.with_index(id, &mut |idx| {
                for e in idx.overlapping(window) {
                    visit(id, e);
                }
            })?;
        }
        Ok(())
    }
    /// Bookings of `resource` in any state whose span overlaps `window`, in start order.
    fn resource_bookings(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()>;
    /// Bookings of `member` in any state whose span overlaps `window`, in start order.
    fn member_bookings(
        &self,
        member: &MemberId,
        window: Span,
        visit: &mut dyn FnMut(&Booking),
    ) -> Result<()>;
    /// Up to `limit` bookings that time has moved along by `now` ([`Booking::due_at`] ≤ now),
    /// earliest first.
    fn due_bookings(&self, now: Timestamp, limit: usize) -> Result<Vec<BookingId>>;
    /// The idempotency record of `key`.
    fn idempotency(&self, key: &str) -> Result<Option<IdempotencyRecord>>;
    /// Audit records matching `query`, in `seq` order.
    fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>>;
    /// Up to `limit` events with `seq > after`, in order.
    fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>>;
    /// The sequence number of the last event (0 when none).
    fn last_event_seq(&self) -> Result<u64>;
    /// The last event `consumer` acknowledged (0 when none).
    fn consumer_cursor(&self, consumer: &str) -> Result<u64>;
    /// The last number handed out by [`Transaction::next_sequence`].
    fn sequence(&self) -> Result<u64>;
    /// Every policy, in id order. Policies are few and read by every command, so stores
    /// hand out a shared list.
    fn policies(&self) -> Result<Arc<Vec<Policy>>>;
    /// A block by id.
    fn block(&self, id: &str) -> Result<Option<Block>>;
    /// Blocks of `resource` overlapping `window`, in start order.
    fn resource_blocks(
        &self,
        resource: &ResourceId,
        window: Span,
        visit: &mut dyn FnMut(&Block),
    ) -> Result<()>;
    /// Every block, in no particular order.
    fn blocks(&self, visit: &mut dyn FnMut(&Block)) -> Result<()>;
    /// A series by id.
    fn series(&self, id: &str) -> Result<Option<Series>>;
    /// Every series, in no particular order.
    fn all_series(&self, visit: &mut dyn FnMut(&Series)) -> Result<()>;
    /// The bookings of a series in any state, in occurrence-key order.
    fn series_bookings(&self, id: &str, visit: &mut dyn FnMut(&Booking)) -> Result<()>;
    /// A waitlist entry by id.
    fn waitlist_entry(&self, id: &str) -> Result<Option<WaitlistEntry>>;
    /// Every waitlist entry, in joining order.
    fn waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()>;
    /// Entries stored as waiting or offered, in joining order. Offers are made from
    /// these, so stores keep them apart from the closed ones.
    fn open_waitlist_entries(&self, visit: &mut dyn FnMut(&WaitlistEntry)) -> Result<()>;
}

/// A write transaction. Dropping it without [`commit`](Transaction::commit) discards every
/// write.
pub trait Transaction: StoreRead {
    /// Inserts or replaces a resource.
    fn put_resource(&mut self, resource: Resource) -> Result<()>;
    /// Inserts or replaces a booking, updating every derived index.
    fn put_booking(&mut self, booking: Booking) -> Result<()>;
    /// Stores an idempotency record.
    fn put_idempotency(&mut self, record: IdempotencyRecord) -> Result<()>;
    /// Deletes idempotency records created before `cutoff`; returns how many.
    fn purge_idempotency(&mut self, cutoff: Timestamp) -> Result<usize>;
    /// Appends an audit record, assigning its `seq`; returns it.
    fn append_audit(&mut self, record: AuditRecord) -> Result<u64>;
    /// Appends an event, assigning its `seq`; returns it.
    fn append_event(&mut self, event: Event) -> Result<u64>;
    /// Records that `consumer` has handled every event up to `seq`.
    fn set_consumer_cursor(&mut self, consumer: &str, seq: u64) -> Result<()>;
    /// Hands out the next number of the durable id sequence.
    fn next_sequence(&mut self) -> Result<u64>;
    /// Raises the id sequence to at least `value` (snapshot import).
    fn raise_sequence(&mut self, value: u64) -> Result<()>;
    /// Inserts or replaces a policy (by id).
    fn put_policy(&mut self, policy: Policy) -> Result<()>;
    /// Deletes a policy; returns whether it existed.
    fn delete_policy(&mut self, id: &str) -> Result<bool>;
    /// Inserts a block (ids are unique; a block is never changed, only deleted), adding
    /// its full-capacity entry to the resource's interval index.
    fn put_block(&mut self, block: Block) -> Result<()>;
    /// Deletes a block and its index entry; returns it if it existed.
    fn delete_block(&mut self, id: &str) -> Result<Option<Block>>;
    /// Inserts or replaces a series.
    fn put_series(&mut self, series: Series) -> Result<()>;
    /// Inserts or replaces a waitlist entry.
    fn put_waitlist_entry(&mut self, entry: WaitlistEntry) -> Result<()>;
    /// Makes every write durable and visible, atomically.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// A place the engine keeps its state: gives read access and write transactions.
pub trait Store: StoreRead + Send {
    /// Starts a write transaction. Writers are serialised: a second writer (another thread
    /// or process) waits until this one ends.
    fn begin(&mut self) -> Result<Box<dyn Transaction + '_>>;

    /// Brings what reads outside a transaction see up to date with writes committed
    /// elsewhere (another process on the same file). The engine calls it once at the
    /// start of every query, so one answer reads one state; a store only this value
    /// writes has nothing to do.
    fn refresh(&self) -> Result<()> {
        Ok(())
    }
}

/// Implements [`StoreRead`] for `$ty` by handing every read to the reader that `$reader`
/// yields (an expression on `self` that dereferences to a `StoreRead`): for transactions
/// and handles that read through another value, such as the in-memory store's
/// transactions and `slotwise-sqlite`'s store and transactions.
#[macro_export]
macro_rules! delegate_store_reads {
    ($ty:ty, |$self_:ident| $reader:expr) => {
        impl $crate::StoreRead for $ty {
            $crate::delegate_store_reads!(@methods |$self_| $reader;
                resource(id: &$crate::ResourceId) -> $crate::Result<Option<std::sync::Arc<$crate::Resource>>>;
                resources(visit: &mut dyn FnMut(&$crate::Resource)) -> $crate::Result<()>;
                resources_after(after: &$crate::ResourceId, visit: &mut dyn FnMut(&$crate::Resource) -> std::ops::ControlFlow<()>) -> $crate::Result<()>;
                booking(id: &$crate::BookingId) -> $crate::Result<Option<$crate::Booking>>;
                bookings(visit: &mut dyn FnMut(&$crate::Booking)) -> $crate::Result<()>;
                booking_count() -> $crate::Result<usize>;
                with_index(resource: &$crate::ResourceId, f: &mut dyn FnMut(&$crate::index::IntervalIndex)) -> $crate::Result<()>;
                site_entries(window: $crate::Span, visit: &mut dyn FnMut(&$crate::ResourceId, $crate::index::Entry<'_>)) -> $crate::Result<()>;
                resource_bookings(resource: &$crate::ResourceId, window: $crate::Span, visit: &mut dyn FnMut(&$crate::Booking)) -> $crate::Result<()>;
                member_bookings(member: &$crate::MemberId, window: $crate::Span, visit: &mut dyn FnMut(&$crate::Booking)) -> $crate::Result<()>;
                due_bookings(now: $crate::Timestamp, limit: usize) -> $crate::Result<Vec<$crate::BookingId>>;
                idempotency(key: &str) -> $crate::Result<Option<$crate::store::IdempotencyRecord>>;
                audit(query: &$crate::AuditQuery) -> $crate::Result<Vec<$crate::AuditRecord>>;
                events(after: u64, limit: usize) -> $crate::Result<Vec<$crate::Event>>;
                last_event_seq() -> $crate::Result<u64>;
                consumer_cursor(consumer: &str) -> $crate::Result<u64>;
                sequence() -> $crate::Result<u64>;
                policies() -> $crate::Result<std::sync::Arc<Vec<$crate::Policy>>>;
                block(id: &str) -> $crate::Result<Option<$crate::Block>>;
                resource_blocks(resource: &$crate::ResourceId, window: $crate::Span, visit: &mut dyn FnMut(&$crate::Block)) -> $crate::Result<()>;
                blocks(visit: &mut dyn FnMut(&$crate::Block)) -> $crate::Result<()>;
                series(id: &str) -> $crate::Result<Option<$crate::recurrence::Series>>;
                all_series(visit: &mut dyn FnMut(&$crate::recurrence::Series)) -> $crate::Result<()>;
                series_bookings(id: &str, visit: &mut dyn FnMut(&$crate::Booking)) -> $crate::Result<()>;
                waitlist_entry(id: &str) -> $crate::Result<Option<$crate::waitlist::WaitlistEntry>>;
                waitlist_entries(visit: &mut dyn FnMut(&$crate::waitlist::WaitlistEntry)) -> $crate::Result<()>;
                open_waitlist_entries(visit: &mut dyn FnMut(&$crate::waitlist::WaitlistEntry)) -> $crate::Result<()>;
            );
        }
    };
    (@methods |$self_:ident| $reader:expr; $($name:ident($($arg:ident: $argty:ty),*) -> $ret:ty;)*) => {
        $(fn $name(&$self_ $(, $arg: $argty)*) -> $ret {
            $crate::StoreRead::$name(&*$reader, $($arg),*)
        })*
    };
}
