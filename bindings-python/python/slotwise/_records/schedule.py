"""Records of blocks, availability answers, utilization reports, recurring series and
the waitlist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .._record import Record
from .._types import Disambiguation, ResourceFilter
from .bookings import Booking, ConflictItem, Violation
from .kinds import ErrorCode, OccurrenceOutcome, SeriesStatus, WaitlistStatus


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
