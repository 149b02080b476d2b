//! The commands and queries the engine takes, as plain serde structs (JSON field names are
//! the Rust names). Each has a small builder for Rust callers; bindings deserialize them.
//!
//! Every mutating command takes an optional `idempotency_key` (B8) and an optional `actor`
//! (who is acting; defaults to the booking's member, or the system for resource commands).
//! Unknown fields are refused, so a misspelt option is an error rather than silently ignored.

use serde::{Deserialize, Serialize};

use crate::audit::Actor;
use crate::booking::BookingStatus;
use crate::ids::{BookingId, MemberId, ResourceId};
use crate::time::{Disambiguation, TimeInput, Timestamp};

/// Create a resource (R1).
///
/// ```
/// use slotwise::NewResource;
/// let cmd = NewResource::new("room-a").name("Room A").kind("room").capacity(8)
///     .timezone("Europe/London").tags(["projector", "quiet"]);
/// assert_eq!(cmd.capacity, Some(8));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewResource {
    /// Caller-chosen id.
    pub id: ResourceId,
    /// Display name (default: the id).
    #[serde(default)]
    pub name: Option<String>,
    /// Kind (default `desk`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Capacity (default 1).
    #[serde(default)]
    pub capacity: Option<u32>,
    /// IANA timezone (default `UTC`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Location.
    #[serde(default)]
    pub location: Option<String>,
    /// Free-form JSON object.
    #[serde(default)]
    pub attributes: Option<serde_json::Value>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting.
    #[serde(default)]
    pub actor: Option<Actor>,
}

impl NewResource {
    /// A resource with id `id` and every other field defaulted.
    pub fn new(id: impl Into<ResourceId>) -> Self {
        NewResource {
            id: id.into(),
            ..Default::default()
        }
    }
    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets the kind.
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind = Some(kind.into());
        self
    }
    /// Sets the capacity.
    pub fn capacity(mut self, capacity: u32) -> Self {
        self.capacity = Some(capacity);
        self
    }
    /// Sets the timezone.
    pub fn timezone(mut self, tz: impl Into<String>) -> Self {
        self.timezone = Some(tz.into());
        self
    }
    /// Sets the tags.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }
    /// Sets the location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
    /// Sets the attributes.
    pub fn attributes(mut self, attributes: serde_json::Value) -> Self {
        self.attributes = Some(attributes);
        self
    }
}

/// Change a resource's fields; absent fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceUpdate {
    /// The resource.
    pub id: ResourceId,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// New tags (replacing the old ones).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// New capacity; refused with `conflict` if future bookings need more units.
    #[serde(default)]
    pub capacity: Option<u32>,
    /// New timezone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// New location.
    #[serde(default)]
    pub location: Option<String>,
    /// New attributes (replacing the old ones).
    #[serde(default)]
    pub attributes: Option<serde_json::Value>,
    /// The version the caller read (B7).
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting.
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Archive a resource (R1). Refused with `has_future_bookings` while bookings that have
/// not ended occupy it, unless `force` (they are then cancelled, audited and evented).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveResource {
    /// The resource.
    pub id: ResourceId,
    /// Cancel its future bookings instead of refusing.
    #[serde(default)]
    pub force: bool,
    /// Why (recorded in the audit log and on cancelled bookings).
    #[serde(default)]
    pub reason: Option<String>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting.
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Make a booking (`book`, B1) or place a hold (`hold`, B2).
///
/// `start` and `end` are RFC 3339 instants, or local wall times read in the resource's
/// timezone with `disambiguation` (T1).
///
/// ```
/// use slotwise::NewBooking;
/// let cmd = NewBooking::new("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T12:00")
///     .title("Deep work").idempotency_key("ann-2026-03-02");
/// assert_eq!(cmd.quantity, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// The resource.
    pub resource: ResourceId,
    /// The member it is for.
    pub member: MemberId,
    /// Start.
    pub start: TimeInput,
    /// End (exclusive).
    pub end: TimeInput,
    /// How to read local times in DST gaps and folds (default `reject`).
    #[serde(default)]
    pub disambiguation: Disambiguation,
    /// Units (default 1).
    #[serde(default = "one")]
    pub quantity: u32,
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Attendee count.
    #[serde(default)]
    pub attendees: Option<u32>,
    /// Free-form JSON object.
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
    /// Hold TTL in seconds (`hold` only; default from the policy, else the engine config).
    #[serde(default)]
    pub ttl_secs: Option<i64>,
    /// Admins only: go ahead despite policy violations; the audit record lists them (P7).
    #[serde(default)]
    pub override_policies: bool,
    /// How many alternatives to offer if the request conflicts (A5; default: the engine
    /// config's, 3; at most 20).
    #[serde(default)]
    pub alternatives: Option<u32>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

fn one() -> u32 {
    1
}

impl NewBooking {
    /// A booking of one unit of `resource` for `member` over `[start, end)`.
    pub fn new(
        resource: impl Into<ResourceId>,
        member: impl Into<MemberId>,
        start: impl Into<TimeInput>,
        end: impl Into<TimeInput>,
    ) -> Self {
        NewBooking {
            resource: resource.into(),
            member: member.into(),
            start: start.into(),
            end: end.into(),
            disambiguation: Disambiguation::Reject,
            quantity: 1,
            title: None,
            description: None,
            attendees: None,
            metadata: None,
            ttl_secs: None,
            override_policies: false,
            alternatives: None,
            idempotency_key: None,
            actor: None,
        }
    }
    /// Sets how many alternatives a conflict answer offers (A5).
    pub fn alternatives(mut self, n: u32) -> Self {
        self.alternatives = Some(n);
        self
    }
    /// Sets the units.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = quantity;
        self
    }
    /// Sets the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }
    /// Sets the DST disambiguation.
    pub fn disambiguation(mut self, d: Disambiguation) -> Self {
        self.disambiguation = d;
        self
    }
    /// Sets the hold TTL.
    pub fn ttl_secs(mut self, secs: i64) -> Self {
        self.ttl_secs = Some(secs);
        self
    }
    /// Sets the idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Sets the metadata.
    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
    /// Sets the acting user.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }
}

/// An action on one booking: confirm, release, cancel, check in, check out.
///
/// ```
/// use slotwise::{Actor, BookingAction};
/// let cancel = BookingAction::new("bk_1").reason("plans changed").expected_version(2);
/// let by_admin = BookingAction::new("bk_2").actor(Actor::admin("ops")).reason("flooded");
/// # let _ = (cancel, by_admin);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingAction {
    /// The booking.
    pub booking: BookingId,
    /// Why (recorded; kept on cancelled bookings).
    #[serde(default)]
    pub reason: Option<String>,
    /// The version the caller read (B7).
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the booking's member).
    #[serde(default)]
    pub actor: Option<Actor>,
}

impl BookingAction {
    /// An action on `booking`.
    pub fn new(booking: impl Into<BookingId>) -> Self {
        BookingAction {
            booking: booking.into(),
            ..Default::default()
        }
    }
    /// Sets the reason.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
    /// Sets the expected version.
    pub fn expected_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }
    /// Sets the idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Sets the acting user.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }
}

/// Move a booking in time and/or to another resource, or change its units (B3). Absent
/// fields keep their value. All-or-nothing: on any failure the booking is unchanged.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyBooking {
    /// The booking.
    pub booking: BookingId,
    /// New resource.
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// New start.
    #[serde(default)]
    pub start: Option<TimeInput>,
    /// New end.
    #[serde(default)]
    pub end: Option<TimeInput>,
    /// How to read local times (in the target resource's timezone).
    #[serde(default)]
    pub disambiguation: Disambiguation,
    /// New units.
    #[serde(default)]
    pub quantity: Option<u32>,
    /// Why (recorded).
    #[serde(default)]
    pub reason: Option<String>,
    /// Admins only: go ahead despite policy violations; the audit record lists them (P7).
    #[serde(default)]
    pub override_policies: bool,
    /// How many alternatives to offer if the request conflicts (A5; default: the engine
    /// config's, 3; at most 20).
    #[serde(default)]
    pub alternatives: Option<u32>,
    /// The version the caller read (B7).
    #[serde(default)]
    pub expected_version: Option<u64>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting.
    #[serde(default)]
    pub actor: Option<Actor>,
}

impl ModifyBooking {
    /// A modification of `booking` that changes nothing yet.
    pub fn new(booking: impl Into<BookingId>) -> Self {
        ModifyBooking {
            booking: booking.into(),
            ..Default::default()
        }
    }
    /// Moves it to `[start, end)`.
    pub fn times(mut self, start: impl Into<TimeInput>, end: impl Into<TimeInput>) -> Self {
        self.start = Some(start.into());
        self.end = Some(end.into());
        self
    }
    /// Moves it to another resource.
    pub fn resource(mut self, resource: impl Into<ResourceId>) -> Self {
        self.resource = Some(resource.into());
        self
    }
    /// Changes its units.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = Some(quantity);
        self
    }
    /// Sets the reason (recorded in the audit log; required for a forced move).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
    /// Sets the acting user.
    pub fn actor(mut self, actor: Actor) -> Self {
        self.actor = Some(actor);
        self
    }
    /// Lets an admin move it past the policies (recorded, P7).
    pub fn override_policies(mut self) -> Self {
        self.override_policies = true;
        self
    }
    /// Sets the expected version.
    pub fn expected_version(mut self, version: u64) -> Self {
        self.expected_version = Some(version);
        self
    }
}

/// Create or replace a policy (R2, P7). Admins and the system only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutPolicy {
    /// The policy.
    pub policy: crate::policy::Policy,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the system).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Delete a policy. Admins and the system only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletePolicy {
    /// The policy's id.
    pub id: String,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the system).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Block a resource, or every resource with a tag, for maintenance (M1). Admins and the
/// system only. `start`/`end` are read in each resource's timezone when local.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewBlock {
    /// The resource to block (give `resource` or `tag`).
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// Block every resource carrying this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Start.
    pub start: TimeInput,
    /// End (exclusive).
    pub end: TimeInput,
    /// How to read local times in DST gaps and folds.
    #[serde(default)]
    pub disambiguation: Disambiguation,
    /// Why (told to affected members).
    #[serde(default)]
    pub reason: Option<String>,
    /// What to do with bookings in the way (default `reject`).
    #[serde(default)]
    pub strategy: crate::block::BlockStrategy,
    /// Repeat the block (C5): `start`–`end` is the first occurrence, in each resource's
    /// wall time; every occurrence is placed with the same strategy, all-or-nothing. An
    /// unbounded rule is cut like a series'.
    #[serde(default)]
    pub recurrence: Option<crate::recurrence::Recurrence>,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the system).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// Remove a maintenance block. Admins and the system only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoveBlock {
    /// The block's id.
    pub id: String,
    /// Remove every block of its recurring series that has not ended, not only this one.
    #[serde(default)]
    pub series: bool,
    /// Idempotency key.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// Who is acting (default: the system).
    #[serde(default)]
    pub actor: Option<Actor>,
}

/// A resource's blocks overlapping a range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockQuery {
    /// The resource.
    pub resource: ResourceId,
    /// Blocks ending after this instant (default: any).
    #[serde(default)]
    pub from: Option<Timestamp>,
    /// Blocks starting before this instant (default: any).
    #[serde(default)]
    pub to: Option<Timestamp>,
}

/// A member's or a resource's bookings (B9).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingQuery {
    /// Only this member's bookings (give `member` or `resource`).
    #[serde(default)]
    pub member: Option<MemberId>,
    /// Only this resource's bookings.
    #[serde(default)]
    pub resource: Option<ResourceId>,
    /// Bookings ending after this instant (default: any).
    #[serde(default)]
    pub from: Option<Timestamp>,
    /// Bookings starting before this instant (default: any).
    #[serde(default)]
    pub to: Option<Timestamp>,
    /// Only these states, as of now (default: all).
    #[serde(default)]
    pub statuses: Option<Vec<BookingStatus>>,
}

/// Which resources to list (R3). Every given filter must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceFilter {
    /// All of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// At least this capacity.
    #[serde(default)]
    pub min_capacity: Option<u32>,
    /// This kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// This location.
    #[serde(default)]
    pub location: Option<String>,
    /// Include archived resources.
    #[serde(default)]
    pub include_archived: bool,
}

impl ResourceFilter {
    /// Whether `resource` passes every given filter (and is not archived, unless
    /// archived ones are included).
    pub fn admits(&self, resource: &crate::resource::Resource) -> bool {
        (self.include_archived || !resource.is_archived())
            && resource.matches(
                &self.tags,
                self.min_capacity,
                self.kind.as_deref(),
                self.location.as_deref(),
            )
    }
}
