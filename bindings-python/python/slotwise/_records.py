"""What the engine returns: one read-only record class per kind of result.

Every record is a typed view over the engine's JSON result (see ``_record.Record``):
instants read as aware UTC ``datetime``s, nested objects as records, and ``to_dict()``
gives the JSON form back. A field the engine leaves out of a result reads as ``None``;
for lists and flags the engine leaves out when empty or false, ``None`` means exactly
that (empty, false). Wall-clock times without a zone (a series' occurrence keys, such
as ``"2026-03-03T19:00:00"``) and calendar dates (``"2026-03-02"``) stay strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ._record import Record
from ._types import Actor, Disambiguation, ResourceFilter, Role

__all__ = [
    # Enumerations (string values).
    "Action",
    "AlternativeKind",
    "BookingStatus",
    "ErrorCode",
    "OccupantKind",
    "OccurrenceOutcome",
    "ReasonCode",
    "Scope",
    "SeriesStatus",
    "ViolationCode",
    "WaitlistStatus",
    # Resources and bookings.
    "Resource",
    "ArchiveOutcome",
    "CheckInTerms",
    "SeriesLink",
    "Booking",
    # Audit, events, integrity, snapshots.
    "Entity",
    "AuditRecord",
    "Event",
    "TickReport",
    "IntegrityViolation",
    "IntegrityReport",
    "Snapshot",
    "ImportReport",
    # Policies and explanations.
    "Policy",
    "Violation",
    "ConflictItem",
    "Alternative",
    "Reason",
    "Explanation",
    # Blocks.
    "Block",
    "MovedBooking",
    "BlockOutcome",
    # Availability.
    "FreeWindow",
    "UnitsWindow",
    "Slot",
    "NextAvailable",
    # Utilization.
    "Rejections",
    "Usage",
    "DayUsage",
    "HourUsage",
    "Counts",
    "UsageReport",
    "ResourceUtilization",
    "LocationUtilization",
    "Utilization",
    # Recurring series.
    "SeriesRule",
    "Series",
    "OccurrenceReport",
    "SeriesOutcome",
    "SeriesView",
    # Waitlist.
    "Offer",
    "WaitlistEntry",
    "WaitlistPosition",
]

# --------------------------------------------------------------------------------------
# Enumerations: the stable string values the engine writes.

BookingStatus = Literal[
    "held",
    "confirmed",
    "checked_in",
    "expired",
    "released",
    "cancelled",
    "no_show",
    "completed",
]
"""Where a booking is in its life: ``held`` → ``confirmed`` → ``checked_in`` →
``completed``, or one of the other terminal states (``expired``, ``released``,
``cancelled``, ``no_show``)."""


Action = Literal[
    "resource_created",
    "resource_updated",
    "resource_archived",
    "booking_created",
    "booking_held",
    "booking_confirmed",
    "booking_released",
    "booking_modified",
    "booking_cancelled",
    "booking_checked_in",
    "booking_checked_out",
    "booking_expired",
    "booking_no_show",
    "booking_completed",
    "snapshot_imported",
    "policy_put",
    "policy_deleted",
    "block_created",
    "block_removed",
    "series_created",
    "series_updated",
    "waitlist_joined",
    "waitlist_offered",
    "waitlist_claimed",
    "waitlist_declined",
    "waitlist_expired",
    "waitlist_left",
    "waitlist_lapsed",
]
"""What changed: an audit record's ``action`` and an event's ``kind``."""

OccupantKind = Literal["booking", "block"]
"""What holds the units a request wanted."""

AlternativeKind = Literal["same_resource", "similar_resource"]
"""How an alternative differs: the same resource at another time, or a similar resource
at the same time."""

ReasonCode = Literal["archived", "capacity", "closed", "blocked", "booked", "buffer", "policy"]
"""Why a resource cannot be booked for a span."""

ViolationCode = Literal[
    "closed",
    "granularity",
    "min_duration",
    "max_duration",
    "lead_time",
    "horizon",
    "bookings_per_day",
    "bookings_per_week",
    "bookings_per_month",
    "hours_per_week",
    "concurrent_active",
    "cancel_cutoff",
    "modify_cutoff",
    "suspended",
    "series_occurrences",
    "series_days",
]
"""Which policy rule a request breaks."""


SeriesStatus = Literal["active", "cancelled"]
"""Whether a series still has occurrences to come."""

OccurrenceOutcome = Literal["booked", "skipped"]
"""What happened to one occurrence of a series."""

WaitlistStatus = Literal["waiting", "offered", "claimed", "expired", "declined", "left", "lapsed"]
"""Where a waitlist entry stands; ``waiting`` and ``offered`` are still in the queue."""

ErrorCode = Literal[
    "conflict",
    "hold_expired",
    "policy_violation",
    "not_found",
    "already_exists",
    "invalid_transition",
    "version_conflict",
    "idempotency_key_reused",
    "nonexistent_local_time",
    "ambiguous_local_time",
    "unknown_timezone",
    "invalid_input",
    "resource_archived",
    "has_future_bookings",
    "check_in_not_open",
    "forbidden",
    "not_full",
    "waitlist_full",
    "series_rejected",
    "storage",
    "internal",
]
"""A stable error code, as in ``SlotwiseError.code``."""

Scope = Literal["global"] | dict[str, str]
"""Where a policy applies: ``"global"``, or one of ``{"location": name}``,
``{"tag": tag}`` and ``{"resource": id}``."""


# --------------------------------------------------------------------------------------
# Resources and bookings.


class Resource(Record):
    """A bookable thing: a desk, a room, a seat in a class."""

    __slots__ = ()
    id: str
    name: str
    kind: str
    """What it is: ``"desk"``, ``"room"``, … (free text)."""
    tags: list[str]
    """Tags for search filters, sorted, without duplicates."""
    capacity: int
    """Units that can be booked at once: 1 for a desk, 40 for a class."""
    timezone: str
    """The IANA timezone local wall times are read in."""
    location: str | None
    """The site or floor it belongs to, if any."""
    attributes: dict[str, Any]
    """Caller-defined JSON object."""
    archived_at: datetime | None
    """When it was archived; an archived resource takes no new bookings."""
    version: int
    """Bumped by every change; pass it as ``expected_version`` to update safely."""
    created_at: datetime
    updated_at: datetime


class ArchiveOutcome(Record):
    """What archiving a resource did."""

    __slots__ = ()
    resource: Resource
    """The archived resource."""
    ended_bookings: list[str]
    """Ids of the bookings ended because of it (only when archived with ``force``)."""


class CheckInTerms(Record):
    """When a booking may check in and, if check-in is required, by when."""

    __slots__ = ()
    opens_at: datetime
    """Check-in opens at this instant."""
    deadline: datetime | None
    """Without a check-in by then the booking becomes a no-show; ``None`` when check-in
    is optional."""


class SeriesLink(Record):
    """Which series a booking belongs to, and which occurrence it is."""

    __slots__ = ()
    id: str
    """The series."""
    occurrence: str
    """The occurrence's key: its local start under the rule (``"2026-03-03T19:00:00"``),
    unchanged when this one occurrence is moved."""


class Booking(Record):
    """A booking of some units of one resource for a span of time."""

    __slots__ = ()
    id: str
    resource: str
    """The booked resource's id."""
    member: str
    """The member it belongs to."""
    start: datetime
    end: datetime
    """End of the booked span, exclusive."""
    quantity: int
    """Units taken; 1 for a desk."""
    status: BookingStatus
    version: int
    """Bumped by every command that changes it (not by expiry, no-show or completion)."""
    title: str | None
    description: str | None
    attendees: int | None
    metadata: dict[str, Any] | None
    """Caller-defined JSON."""
    hold_expires_at: datetime | None
    """For a hold: when it lapses unless confirmed."""
    check_in: CheckInTerms | None
    """The check-in window."""
    checked_in_at: datetime | None
    ended_at: datetime | None
    """When it stopped taking units: cancel, release, expiry, no-show, completion or an
    early check-out."""
    cancel_reason: str | None
    buffer_before_ms: int | None
    """Time kept free before the start, in milliseconds (``None``: no buffer)."""
    buffer_after_ms: int | None
    """Time kept free after the end, in milliseconds (``None``: no buffer)."""
    series: SeriesLink | None
    """The recurring series it is an occurrence of."""
    waitlist_entry: str | None
    """For a hold offered from a waitlist: the entry it was offered to."""
    created_at: datetime
    updated_at: datetime


# --------------------------------------------------------------------------------------
# Audit, events, integrity, snapshots.



class Entity(Record):
    """A record's state before or after a change; exactly one field is set."""

    __slots__ = ()
    booking: Booking | None
    resource: Resource | None
    policy: Policy | None
    block: Block | None
    series: Series | None
    waitlist_entry: WaitlistEntry | None


class AuditRecord(Record):
    """One entry of the append-only audit log."""

    __slots__ = ()
    seq: int
    """Position in the log, from 1, without gaps."""
    at: datetime
    """When it was recorded (the engine clock)."""
    actor: Actor
    action: Action
    resource: str | None
    """The resource concerned."""
    booking: str | None
    """The booking concerned."""
    member: str | None
    """The member whose booking it is."""
    reason: str | None
    """The reason given."""
    before: Entity | None
    """The record's state before (none for creations)."""
    after: Entity | None
    """The record's state after."""
    overridden: list[Violation] | None
    """Policy rules an admin overrode for this change (``None``: none)."""


class Event(Record):
    """One event of the outbox stream, to notify or sync other systems."""

    __slots__ = ()
    seq: int
    """Position in the stream, from 1, without gaps."""
    at: datetime
    kind: Action
    resource: str | None
    booking: str | None
    member: str | None
    """The member to notify."""
    data: Entity | None
    """The record's state after the change."""


class TickReport(Record):
    """What one ``tick`` applied."""

    __slots__ = ()
    expired: int
    """Holds whose TTL passed."""
    no_shows: int
    """Bookings that missed their check-in deadline."""
    completed: int
    """Bookings whose span ended."""
    waitlist_lapsed: int
    """Waitlist entries whose span began while they waited."""
    idempotency_purged: int
    """Idempotency records past their retention, deleted."""


class IntegrityViolation(Record):
    """One broken invariant found by the integrity check."""

    __slots__ = ()
    code: str
    """Stable kind, e.g. ``"overbooked"``, ``"unknown_resource"``, ``"index_mismatch"``,
    ``"audit_sequence"``."""
    message: str
    ids: list[str]
    """The records involved."""


class IntegrityReport(Record):
    """The outcome of an integrity check; sound when ``violations`` is empty."""

    __slots__ = ()
    checked_at: datetime
    """The instant occupancy was checked at."""
    resources: int
    """Resources scanned."""
    bookings: int
    """Bookings scanned."""
    audit_records: int
    """Audit records scanned."""
    events: int
    """Events scanned."""
    violations: list[IntegrityViolation]

    @property
    def ok(self) -> bool:
        """Whether the store is sound: no violation was found."""
        return not self.violations


class Snapshot(Record):
    """A point-in-time copy of the whole store, to back up or to import elsewhere."""

    __slots__ = ()
    format: str
    """Always ``"slotwise-snapshot"``."""
    version: int
    """Layout version (1)."""
    exported_at: datetime
    sequence: int
    """The id counter at export, so ids made after an import never collide."""
    policies: list[Policy]
    resources: list[Resource]
    bookings: list[Booking]
    blocks: list[Block]
    series: list[Series]
    waitlist: list[WaitlistEntry]


class ImportReport(Record):
    """What importing a snapshot wrote."""

    __slots__ = ()
    resources: int
    """Resources imported."""
    bookings: int
    """Bookings imported."""


# --------------------------------------------------------------------------------------
# Policies and explanations.


class Policy(Record):
    """A named set of booking rules for everything, a location, a tag or one resource."""

    __slots__ = ()
    id: str
    scope: Scope
    exempt_roles: list[Role]
    """Roles the rules do not bind."""
    rules: dict[str, Any]
    """The rules (``max_duration_mins``, ``quotas``, ``opening_hours``, …); every rule
    field is present, ``None`` when the policy leaves it unset."""


class Violation(Record):
    """One policy rule a request breaks."""

    __slots__ = ()
    code: ViolationCode
    message: str
    """For people; match on ``code``."""
    params: dict[str, Any]
    """The rule's parameters and the values that broke it."""


class ConflictItem(Record):
    """What a refused request collided with (only its id, span and units: no one's details)."""

    __slots__ = ()
    kind: OccupantKind
    id: str
    """The booking's or block's id."""
    start: datetime
    """Start of the span it occupies, buffers included."""
    end: datetime
    """End of the span it occupies, buffers included."""
    quantity: int
    """Units it takes."""


class Alternative(Record):
    """A booking that would go through instead of a conflicting one."""

    __slots__ = ()
    kind: AlternativeKind
    resource: str
    start: datetime
    end: datetime


class Reason(Record):
    """One reason a booking cannot be made."""

    __slots__ = ()
    code: ReasonCode
    violation: ViolationCode | None
    """For ``closed`` and ``policy``: the rule broken."""
    occupant: str | None
    """For ``blocked``, ``booked`` and ``buffer``: the block or booking in the way."""
    start: datetime | None
    """For ``blocked``, ``booked`` and ``buffer``: start of the span it occupies."""
    end: datetime | None
    """End of that span."""


class Explanation(Record):
    """Whether a proposed booking would go through, and every reason it would not."""

    __slots__ = ()
    bookable: bool
    violations: list[Violation]
    """Every policy rule it breaks."""
    conflicts: list[ConflictItem]
    """Everything it would collide with."""
    reasons: list[Reason]
    """One entry per obstacle; empty exactly when ``bookable``."""


# --------------------------------------------------------------------------------------
# Blocks.


class Block(Record):
    """A maintenance block: a span when a resource cannot be booked at all."""

    __slots__ = ()
    id: str
    resource: str
    start: datetime
    end: datetime
    reason: str | None
    """Why (shown to affected members)."""
    series: str | None
    """For a recurring block: the id shared by every block one command made."""
    created_at: datetime


class MovedBooking(Record):
    """A booking moved out of a new block's way."""

    __slots__ = ()
    booking: str
    from_: str
    """The resource it was on."""
    to: str
    """The resource it is on now."""


class BlockOutcome(Record):
    """What placing a block did."""

    __slots__ = ()
    blocks: list[Block]
    """The blocks created."""
    cancelled: list[str]
    """Ids of the bookings cancelled or released because of them."""
    moved: list[MovedBooking]
    """Bookings moved to another resource."""


# --------------------------------------------------------------------------------------
# Availability.


class FreeWindow(Record):
    """A stretch of time when a resource has the units asked for."""

    __slots__ = ()
    resource: str
    start: datetime
    end: datetime


class UnitsWindow(Record):
    """A stretch of time with a constant number of free units on a resource."""

    __slots__ = ()
    resource: str
    start: datetime
    end: datetime
    free: int
    """Units free throughout."""


class Slot(Record):
    """A bookable slot."""

    __slots__ = ()
    start: datetime
    end: datetime


class NextAvailable(Record):
    """Where and when the next booking could go."""

    __slots__ = ()
    resource: str
    start: datetime
    end: datetime


# --------------------------------------------------------------------------------------
# Utilization.


class Rejections(Record):
    """Requests the engine refused since it started, by cause."""

    __slots__ = ()
    conflicts: int
    """Refused with ``conflict``."""
    policy_violations: int
    """Refused with ``policy_violation``."""


class Usage(Record):
    """Available and booked unit-minutes."""

    __slots__ = ()
    available_minutes: int
    """Open unit-minutes outside blocks."""
    booked_minutes: int
    """Booked unit-minutes."""
    occupancy: float
    """Booked ÷ available (0.0 when nothing was available)."""


class DayUsage(Usage):
    """Usage on one local date."""

    __slots__ = ()
    date: str
    """The local date, ``"2026-03-02"``."""


class HourUsage(Usage):
    """Usage in one local hour of the day, summed over the range."""

    __slots__ = ()
    hour: int
    """The local hour of day, 0 to 23."""


class Counts(Record):
    """Booking counters over the bookings starting in the range."""

    __slots__ = ()
    bookings: int
    """Bookings made (any state)."""
    cancelled: int
    no_shows: int
    checked_in: int
    """Bookings checked in at some point."""
    completed: int
    no_show_rate: float | None
    """No-shows ÷ (no-shows + check-ins); ``None`` when neither happened."""


class UsageReport(Record):
    """Utilization figures: totals, by local day and hour of day, peak hours, counts."""

    __slots__ = ()
    total: Usage
    """Over the whole range."""
    by_day: list[DayUsage]
    """By local date, in date order."""
    by_hour: list[HourUsage]
    """By local hour of day, 0 to 23."""
    peak_hours: list[HourUsage]
    """The busiest hours of day: highest occupancy first, at most three, only hours with
    bookings."""
    counts: Counts


class ResourceUtilization(UsageReport):
    """One resource's utilization."""

    __slots__ = ()
    resource: str
    location: str | None


class LocationUtilization(UsageReport):
    """The utilization of one location's resources together."""

    __slots__ = ()
    location: str | None
    """The location; ``None`` groups the resources without one."""


class Utilization(UsageReport):
    """Utilization over a range: all resources together, per resource and per location."""

    __slots__ = ()
    from_: datetime
    to: datetime
    """End of the range, exclusive."""
    resources: list[ResourceUtilization]
    """Per resource, in id order."""
    locations: list[LocationUtilization]
    """Per location, in location order."""
    rejected: Rejections
    """Requests this engine refused since it started."""


# --------------------------------------------------------------------------------------
# Recurring series.


class SeriesRule(Record):
    """A series' pattern: first occurrence, RRULE, dates added or left out (wall times)."""

    __slots__ = ()
    first_start: str
    """The first occurrence's local start (DTSTART), ``"2026-03-03T19:00:00"``."""
    first_end: str
    """The first occurrence's local end; every occurrence lasts as long on the wall
    clock."""
    rrule: str
    """The RFC 5545 RRULE, with ``UNTIL`` as a local wall time."""
    exdates: list[str] | None
    """Local starts left out, sorted (``None``: none)."""
    rdates: list[str] | None
    """Local starts added, sorted (``None``: none)."""


class Series(Record):
    """A recurring booking: the rule, and what every occurrence books."""

    __slots__ = ()
    id: str
    resource: str
    """The resource every occurrence books (one occurrence may be moved elsewhere)."""
    member: str
    timezone: str
    """The zone the rule is read in."""
    rule: SeriesRule
    disambiguation: Disambiguation
    quantity: int
    """Units each occurrence takes."""
    title: str | None
    description: str | None
    attendees: int | None
    metadata: dict[str, Any] | None
    """Caller-defined JSON of every occurrence."""
    status: SeriesStatus
    split_from: str | None
    """The series this one was split from by a this-and-following edit."""
    version: int
    created_at: datetime
    updated_at: datetime


class OccurrenceReport(Record):
    """What happened to one occurrence when a series was booked or changed."""

    __slots__ = ()
    occurrence: str
    """The occurrence's key: its local start under the rule."""
    start: datetime | None
    """Its start, when its wall time exists."""
    end: datetime | None
    outcome: OccurrenceOutcome
    booking: str | None
    """The booking, when booked."""
    reason: ErrorCode | None
    """Why it was skipped: ``conflict``, ``policy_violation``, ``nonexistent_local_time``
    or ``ambiguous_local_time``."""
    conflicts: list[ConflictItem] | None
    """What it collided with (``None``: nothing)."""
    violations: list[Violation] | None
    """The rules it broke (``None``: none)."""


class SeriesOutcome(Record):
    """What booking, changing or cancelling a series did."""

    __slots__ = ()
    series: Series
    """The series as it now stands (for a this-and-following edit, the new series)."""
    occurrences: list[OccurrenceReport]
    """Each occurrence touched, in order."""
    capped: bool | None
    """``True`` when a rule without COUNT or UNTIL was cut at the cap (``None``: it was
    not)."""
    split_from: Series | None
    """For a this-and-following edit: the series it was split from, now ending before
    it."""


class SeriesView(Record):
    """A series with its bookings."""

    __slots__ = ()
    series: Series
    bookings: list[Booking]
    """Its bookings in occurrence order, in every state."""


# --------------------------------------------------------------------------------------
# Waitlist.



class Offer(Record):
    """A hold offered to a waiting member."""

    __slots__ = ()
    booking: str
    """The hold's booking id; confirm it to claim the offer."""
    resource: str
    offered_at: datetime
    expires_at: datetime
    """When the offer lapses unless confirmed."""


class WaitlistEntry(Record):
    """One member waiting for one span, on one resource or any resource matching a filter."""

    __slots__ = ()
    id: str
    seq: int
    """Order of joining."""
    member: str
    resource: str | None
    """The resource wanted (or see ``filter``)."""
    filter: ResourceFilter | None
    """Any resource matching this filter."""
    start: datetime
    end: datetime
    quantity: int
    """Units wanted."""
    claim_ttl_secs: int
    """How long an offer stays open."""
    status: WaitlistStatus
    offer: Offer | None
    """The current or last offer."""
    version: int
    created_at: datetime
    updated_at: datetime


class WaitlistPosition(Record):
    """A waitlist entry with its place in its queue."""

    __slots__ = ()
    entry: WaitlistEntry
    position: int | None
    """1 for the first in its queue; ``None`` once it has left the queue."""
    queue_length: int
    """Open entries in its queue (same target and span)."""
