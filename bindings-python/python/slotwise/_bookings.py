"""Engine methods for resources, bookings, recurring series and the waitlist."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from ._calls import Calls
from ._records import (
    ArchiveOutcome,
    Booking,
    BookingStatus,
    Explanation,
    Resource,
    SeriesOutcome,
    SeriesView,
    TickReport,
    WaitlistPosition,
)
from ._types import (
    Actor,
    Disambiguation,
    EditScope,
    Recurrence,
    ResourceFilter,
    SeriesMode,
    TimeInput,
)

__all__ = ["BookingMethods"]


class BookingMethods(Calls):
    """The commands and lookups of resources, bookings, series and waitlist entries."""

    __slots__ = ()

    # -- resources -------------------------------------------------------------------

    def create_resource(
        self,
        id: str,
        *,
        name: str | None = None,
        kind: str | None = None,
        tags: Sequence[str] | None = None,
        capacity: int | None = None,
        timezone: str | None = None,
        location: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Resource:
        """Creates a bookable resource (desk, room, seat, …). ``capacity`` is how many
        units can be booked at once (1 by default); ``timezone`` (IANA, UTC by default)
        is where wall-clock times are read. Raises ``AlreadyExistsError``."""
        return Resource._wrap(self._call("create_resource", locals()))

    def update_resource(
        self,
        id: str,
        *,
        name: str | None = None,
        kind: str | None = None,
        tags: Sequence[str] | None = None,
        capacity: int | None = None,
        timezone: str | None = None,
        location: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Resource:
        """Changes the given fields of a resource; with ``expected_version``, only if
        nobody changed it since (else ``VersionConflictError``)."""
        return Resource._wrap(self._call("update_resource", locals()))

    def archive_resource(
        self,
        id: str,
        *,
        force: bool | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> ArchiveOutcome:
        """Archives a resource: it takes no new bookings. Future bookings make this a
        ``HasFutureBookingsError`` unless ``force=True``, which cancels them."""
        return ArchiveOutcome._wrap(self._call("archive_resource", locals()))

    def resource(self, id: str) -> Resource:
        """One resource. Raises ``NotFoundError``."""
        return Resource._wrap(self._call("get_resource", locals()))

    def resources(
        self,
        *,
        tags: Sequence[str] | None = None,
        min_capacity: int | None = None,
        kind: str | None = None,
        location: str | None = None,
        include_archived: bool | None = None,
    ) -> list[Resource]:
        """Resources matching every given filter, by id."""
        return [Resource._wrap(r) for r in self._call("list_resources", locals())]

    # -- bookings --------------------------------------------------------------------

    def explain(
        self,
        resource: str,
        member: str,
        start: TimeInput,
        end: TimeInput,
        *,
        quantity: int | None = None,
        disambiguation: Disambiguation | None = None,
        override_policies: bool | None = None,
        alternatives: int | None = None,
        actor: Actor | None = None,
    ) -> Explanation:
        """Why a booking would or would not be accepted, without making it."""
        return Explanation._wrap(self._call("explain", locals()))

    def confirm(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Turns a hold into a confirmed booking; ``HoldExpiredError`` if it ran out."""
        return Booking._wrap(self._call("confirm", locals()))

    def release(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Lets a hold go before it expires."""
        return Booking._wrap(self._call("release", locals()))

    def modify(
        self,
        booking: str,
        *,
        resource: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        quantity: int | None = None,
        disambiguation: Disambiguation | None = None,
        reason: str | None = None,
        override_policies: bool | None = None,
        alternatives: int | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Moves or resizes a booking atomically: the old span is kept if the new one
        conflicts or breaks a rule."""
        return Booking._wrap(self._call("modify", locals()))

    def cancel(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Cancels a booking; its span is free again (and offered to the waitlist)."""
        return Booking._wrap(self._call("cancel", locals()))

    def check_in(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Records that the member arrived; ``CheckInNotOpenError`` outside the window."""
        return Booking._wrap(self._call("check_in", locals()))

    def check_out(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """Ends a checked-in booking early, freeing the rest of its span."""
        return Booking._wrap(self._call("check_out", locals()))

    def force_cancel(
        self,
        booking: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """An admin cancels any booking, with a ``reason``."""
        return Booking._wrap(self._call("force_cancel", locals()))

    def force_move(
        self,
        booking: str,
        *,
        resource: str | None = None,
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        quantity: int | None = None,
        disambiguation: Disambiguation | None = None,
        reason: str | None = None,
        override_policies: bool | None = None,
        alternatives: int | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Booking:
        """An admin moves any booking, with a ``reason``."""
        return Booking._wrap(self._call("force_move", locals()))

    def booking(self, id: str) -> Booking:
        """One booking. Raises ``NotFoundError``."""
        return Booking._wrap(self._call("get_booking", locals()))

    def bookings(
        self,
        *,
        member: str | None = None,
        resource: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        statuses: Sequence[BookingStatus] | None = None,
    ) -> list[Booking]:
        """A member's or a resource's bookings (give ``member`` or ``resource``, or
        both): every given filter must match; ``from_``/``to`` keep those that overlap
        that span, ``statuses`` those in one of these states."""
        return [Booking._wrap(b) for b in self._call("list_bookings", locals())]

    def tick(self) -> TickReport:
        """Applies what time has decided: expires holds, marks no-shows, ends waitlist
        offers. Run it periodically; commands apply the same as they go."""
        return TickReport._wrap(self._call("tick", {}))

    # -- series ----------------------------------------------------------------------

    def book_series(
        self,
        resource: str,
        member: str,
        *,
        recurrence: Recurrence | Mapping[str, Any],
        start: TimeInput | None = None,
        end: TimeInput | None = None,
        mode: SeriesMode | None = None,
        quantity: int | None = None,
        disambiguation: Disambiguation | None = None,
        title: str | None = None,
        description: str | None = None,
        attendees: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        override_policies: bool | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> SeriesOutcome:
        """Books a recurring series in one transaction. ``start``/``end`` are the first
        occurrence (left out with a ``weekly`` pattern). ``mode="all_or_nothing"``
        (the default) refuses the series if any occurrence fails; ``"best_effort"``
        books what it can and reports the rest."""
        return SeriesOutcome._wrap(self._call("book_series", locals()))

    def modify_series(
        self,
        series: str,
        *,
        scope: EditScope,
        occurrence: str | None = None,
        times: tuple[str, str] | Sequence[str] | None = None,
        resource: str | None = None,
        quantity: int | None = None,
        reason: str | None = None,
        override_policies: bool | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> SeriesOutcome:
        """Changes one occurrence (``scope="one"``, named by its local ``occurrence``
        key such as ``"2026-03-09T09:00"``), it and those after (``"following"``), or
        all (``"all"``): new wall-clock ``times`` (``("10:00", "11:00")``), resource or
        quantity."""
        return SeriesOutcome._wrap(self._call("modify_series", locals()))

    def cancel_series(
        self,
        series: str,
        *,
        scope: EditScope,
        occurrence: str | None = None,
        reason: str | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> SeriesOutcome:
        """Cancels one occurrence, it and those after, or the whole series."""
        return SeriesOutcome._wrap(self._call("cancel_series", locals()))

    def series(self, id: str) -> SeriesView:
        """A series with its bookings. Raises ``NotFoundError``."""
        return SeriesView._wrap(self._call("get_series", locals()))

    # -- waitlist --------------------------------------------------------------------

    def join_waitlist(
        self,
        member: str,
        start: TimeInput,
        end: TimeInput,
        *,
        resource: str | None = None,
        filter: ResourceFilter | Mapping[str, Any] | None = None,
        quantity: int | None = None,
        disambiguation: Disambiguation | None = None,
        claim_ttl_secs: int | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> WaitlistPosition:
        """Queues for a full span on one ``resource`` or any resource matching
        ``filter``; when room opens, the first in line gets an offer to claim."""
        return WaitlistPosition._wrap(self._call("join_waitlist", locals()))

    def leave_waitlist(
        self,
        entry: str,
        *,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> WaitlistPosition:
        """Leaves the queue (declining any open offer)."""
        return WaitlistPosition._wrap(self._call("leave_waitlist", locals()))

    def claim_waitlist_offer(
        self,
        entry: str,
        *,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> WaitlistPosition:
        """Turns an open offer into a booking."""
        return WaitlistPosition._wrap(self._call("claim_waitlist_offer", locals()))

    def waitlist_entry(self, id: str) -> WaitlistPosition:
        """One waitlist entry with its place in the queue."""
        return WaitlistPosition._wrap(self._call("get_waitlist_entry", locals()))

    def waitlist(
        self,
        *,
        member: str | None = None,
        resource: str | None = None,
        open_only: bool | None = None,
    ) -> list[WaitlistPosition]:
        """Waitlist entries matching every given filter."""
        return [WaitlistPosition._wrap(w) for w in self._call("list_waitlist", locals())]
