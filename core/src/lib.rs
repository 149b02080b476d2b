#![doc = include_str!("../../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit;
pub mod availability;
pub mod block;
pub mod booking;
pub mod commands;
mod engine;
pub mod error;
pub mod events;
pub mod ics;
pub mod ids;
pub mod index;
pub mod integrity;
pub mod limits;
pub mod policy;
pub mod recurrence;
mod request;
pub mod resource;
pub mod snapshot;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod time;
pub mod utilization;
pub mod waitlist;

pub use audit::{Action, Actor, AuditQuery, AuditRecord, Entity, Role};
pub use availability::{Alternative, AlternativeKind, Reason, ReasonCode};
pub use block::{Block, BlockOutcome, BlockStrategy, MovedBooking};
pub use booking::{Booking, BookingStatus};
pub use commands::{
    ArchiveResource, BlockQuery, BookingAction, BookingQuery, DeletePolicy, ModifyBooking,
    NewBlock, NewBooking, NewResource, PutPolicy, RemoveBlock, ResourceFilter, ResourceUpdate,
};
pub use engine::{
    ArchiveOutcome, CheckInConfig, Engine, EngineConfig, Explanation, Rejections, TickReport,
};
pub use error::{ConflictItem, Error, ErrorCode, ErrorDetails, OccupantKind, Result, StorageFault};
pub use events::{AckEvents, Event, EventQuery};
pub use ids::{BookingId, IdGenerator, MemberId, ResourceId, SequentialIds};
pub use integrity::{check_integrity, IntegrityReport, IntegrityViolation};
pub use policy::{Policy, Rules, Scope, Violation, ViolationCode};
pub use request::{Request, Response};
pub use resource::Resource;
pub use snapshot::{ImportReport, Snapshot};
pub use store::{MemoryStore, Store, StoreRead, Transaction};
pub use time::{
    resolve_local, Clock, Disambiguation, ManualClock, Span, SystemClock, TimeInput, Timestamp,
};
