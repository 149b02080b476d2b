"""Records of resources and bookings, of the audit trail (audit records, events,
integrity checks, snapshots), and of policies and the explanations built on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._record import Record
from .._types import Actor, Role
from .kinds import (
    Action,
    AlternativeKind,
    BookingStatus,
    OccupantKind,
    ReasonCode,
    Scope,
    ViolationCode,
)


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


# Entity (an audit record's before and after) holds records of the schedule module,
# which itself builds on bookings: imported last, once the classes above exist.
from .schedule import Block, Series, WaitlistEntry  # noqa: E402
