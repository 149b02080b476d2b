//! The append-only audit log (E1, I6) and the vocabulary of changes it shares with the
//! event outbox.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::booking::Booking;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::resource::Resource;
use crate::time::Timestamp;

/// Who is acting. The engine trusts its caller for identity; roles decide what is allowed
/// (only the member or an admin may change a booking; admin overrides are recorded).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The acting user or process.
    pub id: String,
    /// Its role.
    #[serde(default)]
    pub role: Role,
}

impl Actor {
    /// A member acting for themself.
    pub fn member(id: impl Into<String>) -> Self {
        Actor {
            id: id.into(),
            role: Role::Member,
        }
    }

    /// An administrator.
    pub fn admin(id: impl Into<String>) -> Self {
        Actor {
            id: id.into(),
            role: Role::Admin,
        }
    }

    /// The engine itself (time-driven transitions).
    pub fn system() -> Self {
        Actor {
            id: "system".into(),
            role: Role::System,
        }
    }
}

/// An actor's role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An ordinary member.
    #[default]
    Member,
    /// An administrator: may act on anyone's bookings.
    Admin,
    /// The engine or an integration acting on its own.
    System,
}

/// What changed: the audit log's `action` and the outbox's event `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// A resource was created.
    ResourceCreated,
    /// A resource's fields changed.
    ResourceUpdated,
    /// A resource was archived.
    ResourceArchived,
    /// A booking was made directly (confirmed).
    BookingCreated,
    /// A hold was placed.
    BookingHeld,
    /// A hold was confirmed.
    BookingConfirmed,
    /// A hold was let go.
    BookingReleased,
    /// A booking's time, resource or quantity changed.
    BookingModified,
    /// A booking was cancelled.
    BookingCancelled,
    /// The member checked in.
    BookingCheckedIn,
    /// The member checked out before the end.
    BookingCheckedOut,
    /// A hold's TTL passed.
    BookingExpired,
    /// Check-in did not happen in time.
    BookingNoShow,
    /// The booking's span ended.
    BookingCompleted,
    /// A snapshot was imported.
    SnapshotImported,
    /// A policy was created or replaced.
    PolicyPut,
    /// A policy was deleted.
    PolicyDeleted,
    /// A maintenance block was placed.
    BlockCreated,
    /// A maintenance block was removed.
    BlockRemoved,
    /// A recurring series was booked (C1).
    SeriesCreated,
    /// A series' rule, exceptions or details changed (C3).
    SeriesUpdated,
    /// A member joined a waitlist (W1).
    WaitlistJoined,
    /// A waiter was offered a hold (W3).
    WaitlistOffered,
    /// A waiter confirmed the offered hold.
    WaitlistClaimed,
    /// A waiter released the offered hold.
    WaitlistDeclined,
    /// An offer lapsed unclaimed; it passes to the next waiter.
    WaitlistExpired,
    /// A member left a waitlist.
    WaitlistLeft,
    /// A wanted span began before anything freed up.
    WaitlistLapsed,
}

impl Action {
    /// The stable snake_case name, e.g. `"booking_cancelled"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ResourceCreated => "resource_created",
            Action::ResourceUpdated => "resource_updated",
            Action::ResourceArchived => "resource_archived",
            Action::BookingCreated => "booking_created",
            Action::BookingHeld => "booking_held",
            Action::BookingConfirmed => "booking_confirmed",
            Action::BookingReleased => "booking_released",
            Action::BookingModified => "booking_modified",
            Action::BookingCancelled => "booking_cancelled",
            Action::BookingCheckedIn => "booking_checked_in",
            Action::BookingCheckedOut => "booking_checked_out",
            Action::BookingExpired => "booking_expired",
            Action::BookingNoShow => "booking_no_show",
            Action::BookingCompleted => "booking_completed",
            Action::SnapshotImported => "snapshot_imported",
            Action::PolicyPut => "policy_put",
            Action::PolicyDeleted => "policy_deleted",
            Action::BlockCreated => "block_created",
            Action::BlockRemoved => "block_removed",
            Action::SeriesCreated => "series_created",
            Action::SeriesUpdated => "series_updated",
            Action::WaitlistJoined => "waitlist_joined",
            Action::WaitlistOffered => "waitlist_offered",
            Action::WaitlistClaimed => "waitlist_claimed",
            Action::WaitlistDeclined => "waitlist_declined",
            Action::WaitlistExpired => "waitlist_expired",
            Action::WaitlistLeft => "waitlist_left",
            Action::WaitlistLapsed => "waitlist_lapsed",
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// A record's state before or after a change. Shared (`Arc`) between the audit record and
/// the event that describe the same change, so recording costs one copy, not two.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// A booking.
    Booking(Arc<Booking>),
    /// A resource.
    Resource(Arc<Resource>),
    /// A policy.
    Policy(Arc<crate::policy::Policy>),
    /// A maintenance block.
    Block(Arc<crate::block::Block>),
    /// A recurring series.
    Series(Arc<crate::recurrence::Series>),
    /// A waitlist entry.
    WaitlistEntry(Arc<crate::waitlist::WaitlistEntry>),
}

/// One audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the log, from 1, gapless.
    pub seq: u64,
    /// When it was recorded (the engine clock).
    pub at: Timestamp,
    /// Who did it.
    pub actor: Actor,
    /// What was done.
    pub action: Action,
    /// The resource concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    /// The booking concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingId>,
    /// The member whose booking it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// The reason given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// State before (none for creations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Entity>,
    /// State after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Entity>,
    /// Policy rules an admin overrode for this change (P7), or a late admin cancel (P6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<crate::policy::Violation>,
}

/// Which audit records to read (E1). Every given filter must match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this booking's records.
    #[serde(default)]
    pub booking: Option<BookingId>,
    /// Only this resource's records.
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// Only records about this member's bookings.
    #[serde(default)]
    pub member: Option<MemberId>,
    /// Recorded at or after.
    #[serde(default)]
    pub from: Option<Timestamp>,
    /// Recorded before.
    #[serde(default)]
    pub to: Option<Timestamp>,
    /// Only records with a greater `seq` (for paging).
    #[serde(default)]
    pub after_seq: Option<u64>,
    /// At most this many (default 1,000).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl AuditQuery {
    /// Whether `record` passes every filter but the limit.
    pub fn matches(&self, record: &AuditRecord) -> bool {
        self.booking
            .as_ref()
            .is_none_or(|b| record.booking.as_ref() == Some(b))
            && self
                .resource
                .as_ref()
                .is_none_or(|r| record.resource.as_ref() == Some(r))
            && self
                .member
                .as_ref()
                .is_none_or(|m| record.member.as_ref() == Some(m))
            && self.from.is_none_or(|f| record.at >= f)
            && self.to.is_none_or(|t| record.at < t)
            && self.after_seq.is_none_or(|s| record.seq > s)
    }

    /// The effective limit.
    pub fn limit(&self) -> usize {
        self.limit.unwrap_or(1_000)
    }
}
