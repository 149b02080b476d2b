//! Every command and query as one serde enum, so bindings and the conformance scenarios
//! can drive the engine with JSON (`{"type": "book", "resource": "desk-1", …}`).

use serde::{Deserialize, Serialize};

use crate::audit::{AuditQuery, AuditRecord};
use crate::availability::{
    FreeResourcesQuery, FreeWindow, NextAvailable, NextAvailableQuery, Slot, SlotsQuery,
    UnitsWindow, WindowsQuery,
};
use crate::block::{Block, BlockOutcome};
use crate::booking::Booking;
use crate::commands::{
    ArchiveResource, BlockQuery, BookingAction, BookingQuery, DeletePolicy, ModifyBooking,
    NewBlock, NewBooking, NewResource, PutPolicy, RemoveBlock, ResourceFilter, ResourceUpdate,
};
use crate::engine::{ArchiveOutcome, Engine, Explanation, TickReport};
use crate::error::Result;
use crate::events::{AckEvents, Event, EventQuery};
use crate::ics::IcsQuery;
use crate::ids::{BookingId, ResourceId};
use crate::integrity::{check_integrity, IntegrityReport};
use crate::policy::Policy;
use crate::recurrence::{CancelSeries, ModifySeries, NewSeries, SeriesOutcome, SeriesView};
use crate::resource::Resource;
use crate::snapshot::{ImportReport, Snapshot};
use crate::store::Store;
use crate::utilization::{Utilization, UtilizationQuery};
use crate::waitlist::{JoinWaitlist, WaitlistAction, WaitlistPosition, WaitlistQuery};

/// One command or query, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Request {
    /// [`Engine::create_resource`]
    CreateResource(NewResource),
    /// [`Engine::update_resource`]
    UpdateResource(ResourceUpdate),
    /// [`Engine::archive_resource`]
    ArchiveResource(ArchiveResource),
    /// [`Engine::book`]
    Book(NewBooking),
    /// [`Engine::hold`]
    Hold(NewBooking),
    /// [`Engine::confirm`]
    Confirm(BookingAction),
    /// [`Engine::release`]
    Release(BookingAction),
    /// [`Engine::modify`]
    Modify(ModifyBooking),
    /// [`Engine::cancel`]
    Cancel(BookingAction),
    /// [`Engine::check_in`]
    CheckIn(BookingAction),
    /// [`Engine::check_out`]
    CheckOut(BookingAction),
    /// [`Engine::tick`]
    Tick,
    /// [`Engine::ack_events`]
    AckEvents(AckEvents),
    /// [`Engine::resource`]
    GetResource {
        /// The resource.
        id: ResourceId,
    },
    /// [`Engine::resources`]
    ListResources(ResourceFilter),
    /// [`Engine::booking`]
    GetBooking {
        /// The booking.
        id: BookingId,
    },
    /// [`Engine::bookings`]
    ListBookings(BookingQuery),
    /// [`Engine::audit`]
    Audit(AuditQuery),
    /// [`Engine::events`]
    Events(EventQuery),
    /// [`check_integrity`] at the engine clock.
    IntegrityCheck,
    /// [`Engine::export_snapshot`]
    ExportSnapshot,
    /// [`Engine::import_snapshot`]
    ImportSnapshot(Box<Snapshot>),
    /// [`Engine::put_policy`]
    PutPolicy(Box<PutPolicy>),
    /// [`Engine::delete_policy`]
    DeletePolicy(DeletePolicy),
    /// [`Engine::policies`]
    ListPolicies,
    /// [`Engine::explain`]
    Explain(NewBooking),
    /// [`Engine::create_block`]
    CreateBlock(NewBlock),
    /// [`Engine::remove_block`]
    RemoveBlock(RemoveBlock),
    /// [`Engine::blocks`]
    ListBlocks(BlockQuery),
    /// [`Engine::free_resources`]
    FreeResources(FreeResourcesQuery),
    /// [`Engine::free_windows`]
    FreeWindows(WindowsQuery),
    /// [`Engine::remaining_units`]
    RemainingUnits(WindowsQuery),
    /// [`Engine::slots`]
    Slots(SlotsQuery),
    /// [`Engine::next_available`]
    NextAvailable(NextAvailableQuery),
    /// [`Engine::force_cancel`]
    ForceCancel(BookingAction),
    /// [`Engine::force_move`]
    ForceMove(ModifyBooking),
    /// [`Engine::utilization`]
    Utilization(UtilizationQuery),
    /// [`Engine::book_series`]
    BookSeries(Box<NewSeries>),
    /// [`Engine::modify_series`]
    ModifySeries(Box<ModifySeries>),
    /// [`Engine::cancel_series`]
    CancelSeries(CancelSeries),
    /// [`Engine::series`]
    GetSeries {
        /// The series.
        id: String,
    },
    /// [`Engine::join_waitlist`]
    JoinWaitlist(Box<JoinWaitlist>),
    /// [`Engine::leave_waitlist`]
    LeaveWaitlist(WaitlistAction),
    /// [`Engine::claim_waitlist_offer`]
    ClaimWaitlistOffer(WaitlistAction),
    /// [`Engine::waitlist_entry`]
    GetWaitlistEntry {
        /// The entry.
        id: String,
    },
    /// [`Engine::waitlist`]
    ListWaitlist(WaitlistQuery),
    /// [`Engine::export_ics`]
    ExportIcs(IcsQuery),
}

/// The result of a [`Request`], serialised as the inner value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Response {
    /// One resource.
    Resource(Box<Resource>),
    /// Several resources.
    Resources(Vec<Resource>),
    /// One booking.
    Booking(Box<Booking>),
    /// Several bookings.
    Bookings(Vec<Booking>),
    /// An archive outcome.
    Archived(Box<ArchiveOutcome>),
    /// What a tick applied.
    Tick(TickReport),
    /// Audit records.
    Audit(Vec<AuditRecord>),
    /// Events.
    Events(Vec<Event>),
    /// A consumer's cursor after an acknowledgement.
    Cursor(u64),
    /// An integrity report.
    Integrity(Box<IntegrityReport>),
    /// A snapshot.
    Snapshot(Box<Snapshot>),
    /// What an import wrote.
    Imported(ImportReport),
    /// One policy.
    Policy(Box<Policy>),
    /// Several policies.
    Policies(Vec<Policy>),
    /// An explanation.
    Explanation(Explanation),
    /// What placing a block did.
    BlockOutcome(Box<BlockOutcome>),
    /// One block.
    Block(Box<Block>),
    /// Several blocks.
    Blocks(Vec<Block>),
    /// Resource ids.
    ResourceIds(Vec<ResourceId>),
    /// Free windows.
    FreeWindows(Vec<FreeWindow>),
    /// Free units over time.
    Units(Vec<UnitsWindow>),
    /// Bookable slots.
    Slots(Vec<Slot>),
    /// The next available slot, or `null`.
    NextAvailable(Option<NextAvailable>),
    /// A utilization report.
    Utilization(Box<Utilization>),
    /// What booking or changing a series did.
    Series(Box<SeriesOutcome>),
    /// A series with its bookings.
    SeriesView(Box<SeriesView>),
    /// A waitlist entry with its position.
    WaitlistEntry(Box<WaitlistPosition>),
    /// Several waitlist entries.
    WaitlistEntries(Vec<WaitlistPosition>),
    /// An iCalendar document.
    Text(String),
}

impl<S: Store> Engine<S> {
    /// Runs any request; the JSON door every binding and the scenario runner use.
    ///
    /// ```
    /// use slotwise::{Engine, Request};
    /// let mut engine = Engine::in_memory();
    /// let req: Request = serde_json::from_str(r#"{"type": "create_resource", "id": "desk-1"}"#).unwrap();
    /// let out = serde_json::to_value(engine.execute(req).unwrap()).unwrap();
    /// assert_eq!(out["capacity"], 1);
    /// ```
    pub fn execute(&mut self, request: Request) -> Result<Response> {
        use Response as R;
        Ok(match request {
            Request::CreateResource(c) => R::Resource(Box::new(self.create_resource(c)?)),
            Request::UpdateResource(c) => R::Resource(Box::new(self.update_resource(c)?)),
            Request::ArchiveResource(c) => R::Archived(Box::new(self.archive_resource(c)?)),
            Request::Book(c) => R::Booking(Box::new(self.book(c)?)),
            Request::Hold(c) => R::Booking(Box::new(self.hold(c)?)),
            Request::Confirm(c) => R::Booking(Box::new(self.confirm(c)?)),
            Request::Release(c) => R::Booking(Box::new(self.release(c)?)),
            Request::Modify(c) => R::Booking(Box::new(self.modify(c)?)),
            Request::Cancel(c) => R::Booking(Box::new(self.cancel(c)?)),
            Request::CheckIn(c) => R::Booking(Box::new(self.check_in(c)?)),
            Request::CheckOut(c) => R::Booking(Box::new(self.check_out(c)?)),
            Request::Tick => R::Tick(self.tick()?),
            Request::AckEvents(c) => R::Cursor(self.ack_events(c)?),
            Request::GetResource { id } => R::Resource(Box::new(self.resource(&id)?)),
            Request::ListResources(f) => R::Resources(self.resources(&f)?),
            Request::GetBooking { id } => R::Booking(Box::new(self.booking(&id)?)),
            Request::ListBookings(q) => R::Bookings(self.bookings(&q)?),
            Request::Audit(q) => R::Audit(self.audit(&q)?),
            Request::Events(q) => R::Events(self.events(&q)?),
            Request::IntegrityCheck => R::Integrity(Box::new(self.integrity_check()?)),
            Request::ExportSnapshot => R::Snapshot(Box::new(self.export_snapshot()?)),
            Request::ImportSnapshot(s) => R::Imported(self.import_snapshot(*s)?),
            Request::PutPolicy(c) => R::Policy(Box::new(self.put_policy(*c)?)),
            Request::DeletePolicy(c) => R::Policy(Box::new(self.delete_policy(c)?)),
            Request::ListPolicies => R::Policies(self.policies()?),
            Request::Explain(c) => R::Explanation(self.explain(&c)?),
            Request::CreateBlock(c) => R::BlockOutcome(Box::new(self.create_block(c)?)),
            Request::RemoveBlock(c) => R::Block(Box::new(self.remove_block(c)?)),
            Request::ListBlocks(q) => R::Blocks(self.blocks(&q)?),
            Request::FreeResources(q) => R::ResourceIds(self.free_resources(&q)?),
            Request::FreeWindows(q) => R::FreeWindows(self.free_windows(&q)?),
            Request::RemainingUnits(q) => R::Units(self.remaining_units(&q)?),
            Request::Slots(q) => R::Slots(self.slots(&q)?),
            Request::NextAvailable(q) => R::NextAvailable(self.next_available(&q)?),
            Request::ForceCancel(c) => R::Booking(Box::new(self.force_cancel(c)?)),
            Request::ForceMove(c) => R::Booking(Box::new(self.force_move(c)?)),
            Request::Utilization(q) => R::Utilization(Box::new(self.utilization(&q)?)),
            Request::BookSeries(c) => R::Series(Box::new(self.book_series(*c)?)),
            Request::ModifySeries(c) => R::Series(Box::new(self.modify_series(*c)?)),
            Request::CancelSeries(c) => R::Series(Box::new(self.cancel_series(c)?)),
            Request::GetSeries { id } => R::SeriesView(Box::new(self.series(&id)?)),
            Request::JoinWaitlist(c) => R::WaitlistEntry(Box::new(self.join_waitlist(*c)?)),
            Request::LeaveWaitlist(c) => R::WaitlistEntry(Box::new(self.leave_waitlist(c)?)),
            Request::ClaimWaitlistOffer(c) => {
                R::WaitlistEntry(Box::new(self.claim_waitlist_offer(c)?))
            }
            Request::GetWaitlistEntry { id } => {
                R::WaitlistEntry(Box::new(self.waitlist_entry(&id)?))
            }
            Request::ListWaitlist(q) => R::WaitlistEntries(self.waitlist(&q)?),
            Request::ExportIcs(q) => R::Text(self.export_ics(&q)?),
        })
    }

    /// Runs the integrity check (E3) on this engine's store at its clock.
    pub fn integrity_check(&self) -> Result<IntegrityReport> {
        self.store().refresh()?;
        check_integrity(self.store(), self.now())
    }
}
