use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use crate::block::Block;
use crate::booking::Booking;
use crate::error::OccupantKind;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::index::{block_entry, booking_entry, IntervalIndex, OccupantRef, SiteIndex};
use crate::recurrence::Series;
use crate::resource::Resource;
use crate::time::{LocalDateTime, Span, Timestamp};
use crate::waitlist::WaitlistEntry;

/// Bookings ordered by start, with the longest span seen, so "overlapping a window" is a
/// range query rather than a scan.
#[derive(Clone, Debug, Default)]
struct ByStart {
    starts: BTreeSet<(Timestamp, BookingId)>,
    longest_ms: i64,
}

impl ByStart {
    fn insert(&mut self, b: &Booking) {
        self.longest_ms = self.longest_ms.max(b.span().len_millis());
        self.starts.insert((b.start, b.id.clone()));
    }

    fn remove(&mut self, b: &Booking) {
        self.starts.remove(&(b.start, b.id.clone()));
    }

    fn overlapping(&self, window: Span) -> impl Iterator<Item = &BookingId> {
        let low = (
            window.start.add_millis(-self.longest_ms),
            BookingId::default(),
        );
        let high = (window.end, BookingId::default());
        self.starts.range(low..high).map(|(_, id)| id)
    }
}

/// The booking and resource tables with every index derived from them: per-resource
/// interval indexes, bookings by resource and by member in start order, and the queue of
/// due time-driven transitions. Shared by [`MemoryStore`](super::MemoryStore) and usable
/// as the in-memory cache of a durable store.
#[derive(Clone, Debug, Default)]
pub struct MemoryState {
    resources: BTreeMap<ResourceId, Arc<Resource>>,
    bookings: HashMap<BookingId, Booking>,
    indexes: HashMap<ResourceId, IntervalIndex>,
    /// Every resource's occupying entries by start, for questions across resources.
    site: SiteIndex,
    by_resource: HashMap<ResourceId, ByStart>,
    by_member: HashMap<MemberId, ByStart>,
    due: BTreeSet<(Timestamp, BookingId)>,
    blocks: HashMap<String, Block>,
    series: HashMap<String, Series>,
    /// Each series' bookings by occurrence key.
    by_series: HashMap<String, BTreeSet<(LocalDateTime, BookingId)>>,
    /// Waitlist entries in joining order, with their ids and the open ones.
    waitlist: BTreeMap<u64, WaitlistEntry>,
    waitlist_ids: HashMap<String, u64>,
    waitlist_open: BTreeSet<u64>,
}

static EMPTY_INDEX: std::sync::LazyLock<IntervalIndex> =
    std::sync::LazyLock::new(IntervalIndex::new);

impl MemoryState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// A resource by id.
    pub fn resource(&self, id: &ResourceId) -> Option<&Arc<Resource>> {
        self.resources.get(id)
    }

    /// Every resource in id order.
    pub fn resources(&self) -> impl Iterator<Item = &Resource> {
        self.resources.values().map(|r| &**r)
    }

    /// Resources in id order after `after`, then from the first up to `after`.
    pub fn resources_after<'a>(
        &'a self,
        after: &ResourceId,
    ) -> impl Iterator<Item = &'a Resource> + 'a {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        self.resources
            .range::<ResourceId, _>((Excluded(after), Unbounded))
            .chain(
                self.resources
                    .range::<ResourceId, _>((Unbounded, Included(after))),
            )
            .map(|(_, r)| &**r)
    }

    /// Inserts or replaces a resource; returns the previous version.
    pub fn put_resource(&mut self, resource: Arc<Resource>) -> Option<Arc<Resource>> {
        self.resources.insert(resource.id.clone(), resource)
    }

    /// Removes a resource (used to roll back its creation); returns it.
    pub fn remove_resource(&mut self, id: &ResourceId) -> Option<Arc<Resource>> {
        self.resources.remove(id)
    }

    /// A booking by id.
    pub fn booking(&self, id: &BookingId) -> Option<&Booking> {
        self.bookings.get(id)
    }

    /// Every booking.
    pub fn bookings(&self) -> impl Iterator<Item = &Booking> {
        self.bookings.values()
    }

    /// Number of bookings.
    pub fn booking_count(&self) -> usize {
        self.bookings.len()
    }

    /// The site-wide time index of every occupying entry.
    pub fn site_index(&self) -> &SiteIndex {
        &self.site
    }

    /// The interval index of a resource's occupying bookings.
    pub fn interval_index(&self, resource: &ResourceId) -> &IntervalIndex {
        self.indexes.get(resource).unwrap_or(&EMPTY_INDEX)
    }

    /// Bookings of `resource` overlapping `window`, in start order.
    pub fn resource_bookings(
        &self,
        resource: &ResourceId,
        window: Span,
    ) -> impl Iterator<Item = &Booking> {
        self.overlapping(self.by_resource.get(resource), window)
    }

    /// Bookings of `member` overlapping `window`, in start order.
    pub fn member_bookings(
        &self,
        member: &MemberId,
        window: Span,
    ) -> impl Iterator<Item = &Booking> {
        self.overlapping(self.by_member.get(member), window)
    }

    fn overlapping<'a>(
        &'a self,
        by_start: Option<&'a ByStart>,
        window: Span,
    ) -> impl Iterator<Item = &'a Booking> + 'a {
        by_start
            .into_iter()
            .flat_map(move |s| s.overlapping(window))
            .filter_map(|id| self.bookings.get(id))
            .filter(move |b| b.span().overlaps(&window))
    }

    /// Up to `limit` ids of bookings due by `now`, earliest first.
    pub fn due(&self, now: Timestamp, limit: usize) -> Vec<BookingId> {
        self.due
            .range(..(now.add_millis(1), BookingId::default()))
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// A block by id.
    pub fn block(&self, id: &str) -> Option<&Block> {
        self.blocks.get(id)
    }

    /// Every block.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.blocks.values()
    }

    /// Blocks of `resource` overlapping `window`, in start order (read off the interval
    /// index, where blocks sit beside bookings).
    pub fn resource_blocks(
        &self,
        resource: &ResourceId,
        window: Span,
    ) -> impl Iterator<Item = &Block> {
        self.interval_index(resource)
            .overlapping(window)
            .filter(|e| e.occupant.kind == OccupantKind::Block)
            .filter_map(|e| self.blocks.get(e.occupant.id.as_str()))
    }

    /// Inserts or replaces a block and its index entry; returns the previous one.
    pub fn put_block(&mut self, block: Block) -> Option<Block> {
        let previous = self.remove_block(&block.id);
        self.indexes
            .entry(block.resource.clone())
            .or_default()
            .insert_block(&block);
        let (start, occupant, occupancy) = block_entry(&block);
        self.site
            .insert(&block.resource, start, occupant, occupancy);
        self.blocks.insert(block.id.clone(), block);
        previous
    }

    /// Removes a block and its index entry; returns it.
    pub fn remove_block(&mut self, id: &str) -> Option<Block> {
        let block = self.blocks.remove(id)?;
        if let Some(index) = self.indexes.get_mut(&block.resource) {
            index.remove_block(&block);
        }
        self.site.remove(block.span(), &block_entry(&block).1);
        Some(block)
    }

    /// Inserts or replaces a booking, keeping every index in step; returns the previous
    /// version.
    pub fn put_booking(&mut self, booking: Booking) -> Option<Booking> {
        let previous = self.bookings.remove(&booking.id);
        if let Some(old) = &previous {
            self.unindex(old);
        }
        self.index_booking(&booking);
        self.bookings.insert(booking.id.clone(), booking);
        previous
    }

    /// Removes a booking (used to roll back its creation); returns it.
    pub fn remove_booking(&mut self, id: &BookingId) -> Option<Booking> {
        let removed = self.bookings.remove(id)?;
        self.unindex(&removed);
        Some(removed)
    }

    /// A series by id.
    pub fn series(&self, id: &str) -> Option<&Series> {
        self.series.get(id)
    }

    /// Every series.
    pub fn all_series(&self) -> impl Iterator<Item = &Series> {
        self.series.values()
    }

    /// Inserts or replaces a series; returns the previous version.
    pub fn put_series(&mut self, series: Series) -> Option<Series> {
        self.series.insert(series.id.clone(), series)
    }

    /// Removes a series (used to roll back its creation).
    pub fn remove_series(&mut self, id: &str) -> Option<Series> {
        self.series.remove(id)
    }

    /// A series' bookings in occurrence order.
    pub fn series_bookings(&self, id: &str) -> impl Iterator<Item = &Booking> {
        self.by_series
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|(_, b)| self.bookings.get(b))
    }

    /// A waitlist entry by id.
    pub fn waitlist_entry(&self, id: &str) -> Option<&WaitlistEntry> {
        self.waitlist_ids
            .get(id)
            .and_then(|seq| self.waitlist.get(seq))
    }

    /// Every waitlist entry in joining order.
    pub fn waitlist_entries(&self) -> impl Iterator<Item = &WaitlistEntry> {
        self.waitlist.values()
    }

    /// Entries stored as waiting or offered, in joining order.
    pub fn open_waitlist_entries(&self) -> impl Iterator<Item = &WaitlistEntry> {
        self.waitlist_open
            .iter()
            .filter_map(|seq| self.waitlist.get(seq))
    }

    /// Inserts or replaces a waitlist entry; returns the previous version.
    pub fn put_waitlist_entry(&mut self, entry: WaitlistEntry) -> Option<WaitlistEntry> {
        let seq = entry.seq;
        if entry.status.is_open() {
            self.waitlist_open.insert(seq);
        } else {
            self.waitlist_open.remove(&seq);
        }
        self.waitlist_ids.insert(entry.id.clone(), seq);
        self.waitlist.insert(seq, entry)
    }

    /// Removes a waitlist entry (used to roll back its creation).
    pub fn remove_waitlist_entry(&mut self, id: &str) -> Option<WaitlistEntry> {
        let seq = self.waitlist_ids.remove(id)?;
        self.waitlist_open.remove(&seq);
        self.waitlist.remove(&seq)
    }

    fn index_booking(&mut self, b: &Booking) {
        self.indexes
            .entry(b.resource.clone())
            .or_default()
            .insert_booking(b);
        if let Some((start, occupant, occupancy)) = booking_entry(b) {
            self.site.insert(&b.resource, start, occupant, occupancy);
        }
        self.by_resource
            .entry(b.resource.clone())
            .or_default()
            .insert(b);
        self.by_member
            .entry(b.member.clone())
            .or_default()
            .insert(b);
        if let Some(due) = b.due_at() {
            self.due.insert((due, b.id.clone()));
        }
        if let Some(link) = &b.series {
            self.by_series
                .entry(link.id.clone())
                .or_default()
                .insert((link.occurrence, b.id.clone()));
        }
    }

    fn unindex(&mut self, b: &Booking) {
        if let Some(index) = self.indexes.get_mut(&b.resource) {
            index.remove_booking(b);
        }
        if b.status.occupies() {
            self.site
                .remove(b.occupied_span(), &OccupantRef::booking(b.id.as_str()));
        }
        if let Some(s) = self.by_resource.get_mut(&b.resource) {
            s.remove(b);
        }
        if let Some(s) = self.by_member.get_mut(&b.member) {
            s.remove(b);
        }
        if let Some(due) = b.due_at() {
            self.due.remove(&(due, b.id.clone()));
        }
        if let Some(link) = &b.series {
            if let Some(s) = self.by_series.get_mut(&link.id) {
                s.remove(&(link.occurrence, b.id.clone()));
            }
        }
    }
}
