"""The ``Engine`` class: every command and query of the booking engine as a method."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from . import _native
from ._errors import InvalidInputError, make_error
from ._record import parse_instant
from ._records import (
    ArchiveOutcome,
    AuditRecord,
    Block,
    BlockOutcome,
    Booking,
    BookingStatus,
    Event,
    Explanation,
    FreeWindow,
    ImportReport,
    IntegrityReport,
    NextAvailable,
    Policy,
    Rejections,
    Resource,
    SeriesOutcome,
    SeriesView,
    Slot,
    Snapshot,
    TickReport,
    UnitsWindow,
    Utilization,
    WaitlistPosition,
)
from ._types import (
    Actor,
    BlockStrategy,
    Disambiguation,
    EditScope,
    EngineConfig,
    Recurrence,
    ResourceFilter,
    Role,
    ScopeInput,
    SeriesMode,
    Synchronous,
    TimeInput,
)

__all__ = ["Engine", "ManualClock"]


class ManualClock:
    """A clock that moves only when told: for tests, simulations and replaying a day.

    >>> from datetime import datetime, timedelta, timezone
    >>> clock = ManualClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))
    >>> clock.advance(timedelta(minutes=5))
    >>> clock.now()
    datetime.datetime(2026, 3, 2, 8, 5, tzinfo=datetime.timezone.utc)
    """

    __slots__ = ("_native",)

    def __init__(self, start: datetime) -> None:
        self._native = _native.ManualClock(_instant_text(start, "start"))

    def now(self) -> datetime:
        """The current reading, in UTC."""
        return parse_instant(self._native.now())

    def set(self, instant: datetime) -> None:
        """Sets the reading; it may move backwards."""
        self._native.set(_instant_text(instant, "instant"))

    def advance(self, by: timedelta | float) -> None:
        """Moves the reading forward by a ``timedelta`` or a number of seconds."""
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        self._native.advance_millis(round(seconds * 1000))

    def __repr__(self) -> str:
        return f"ManualClock({self._native.now()})"


class Engine(_native.Engine):
    """A booking engine: in memory, or on a SQLite file that survives restarts.

    ``Engine()`` is in memory; ``Engine(path)`` opens the SQLite file at ``path``
    (created if missing, migrated if older, refused with ``StorageError`` if it is not a
    slotwise file). ``clock`` replaces the system clock; ``config`` overrides engine
    defaults; ``synchronous`` sets SQLite durability (``"full"`` by default).

    One engine may be shared by any number of threads; each call releases the GIL while
    the engine works, and no two calls can double-book. Every command is all-or-nothing:
    when it raises, nothing was written.

    >>> from datetime import datetime, timezone
    >>> engine = Engine()
    >>> _ = engine.create_resource("desk-1", timezone="Europe/London")
    >>> booking = engine.book("desk-1", "ann",
    ...     datetime(2030, 3, 4, 9, tzinfo=timezone.utc), datetime(2030, 3, 4, 12, tzinfo=timezone.utc))
    >>> booking.status
    'confirmed'
    """

    __slots__ = ()

    def __new__(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        clock: ManualClock | None = None,
        config: EngineConfig | Mapping[str, Any] | None = None,
        synchronous: Synchronous | None = None,
    ) -> Engine:
        return super().__new__(
            cls,
            None if path is None else os.fspath(path),
            config=None if config is None else dict(config),
            clock=None if clock is None else clock._native,
            synchronous=synchronous,
        )

    def __repr__(self) -> str:
        where = "memory" if self.path is None else repr(self.path)
        return f"Engine({where})"

    @property
    def path(self) -> str | None:
        """The SQLite file, or None for an in-memory engine."""
        return self._path

    def now(self) -> datetime:
        """The engine clock's reading, in UTC."""
        return parse_instant(self._now())

    @property
    def rejections(self) -> Rejections:
        """Requests this engine refused since it opened, by cause."""
        return Rejections._wrap(self._rejections())

    def execute(self, request: Mapping[str, Any]) -> Any:
        """Runs a request in its JSON form (``{"type": "book", …}``, as in the
        conformance scenarios) and returns the result's JSON form. The typed methods
        below are the usual way in; this is the door for requests that arrive as JSON."""
        return self._execute(request)

    def _call(self, kind: str, args: dict[str, Any]) -> Any:
        """Runs request ``kind`` with the given arguments (None ones left out, ``from_``
        sent as ``from``); the native layer converts the values."""
        request: dict[str, Any] = {"type": kind}
        for name, value in args.items():
            if value is not None and name != "self":
                request[_KEYS.get(name, name)] = value
        return self._execute(request)

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

    if TYPE_CHECKING:
        # `book` and `hold` are the native methods themselves (the hot path, with no
        # Python frame); these are their signatures for type checkers.

        def book(
            self,
            resource: str,
            member: str,
            start: TimeInput,
            end: TimeInput,
            *,
            quantity: int | None = None,
            disambiguation: Disambiguation | None = None,
            title: str | None = None,
            description: str | None = None,
            attendees: int | None = None,
            metadata: Mapping[str, Any] | None = None,
            override_policies: bool | None = None,
            alternatives: int | None = None,
            idempotency_key: str | None = None,
            actor: Actor | None = None,
        ) -> Booking:
            """Books ``resource`` for ``member`` over ``[start, end)``: confirmed at once,
            or a ``ConflictError`` (with ``conflicts`` and ``alternatives``) if the span is
            taken, a ``PolicyViolationError`` if a rule forbids it. Retrying with the same
            ``idempotency_key`` returns the first result instead of booking twice."""
            ...

        def hold(
            self,
            resource: str,
            member: str,
            start: TimeInput,
            end: TimeInput,
            *,
            ttl_secs: int | None = None,
            quantity: int | None = None,
            disambiguation: Disambiguation | None = None,
            title: str | None = None,
            description: str | None = None,
            attendees: int | None = None,
            metadata: Mapping[str, Any] | None = None,
            override_policies: bool | None = None,
            alternatives: int | None = None,
            idempotency_key: str | None = None,
            actor: Actor | None = None,
        ) -> Booking:
            """Holds the span for ``ttl_secs`` (the configured default otherwise): it
            blocks others like a booking until ``confirm`` makes it one or it expires."""
            ...

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
        """Bookings matching every given filter; ``from_``/``to`` keep those that
        overlap that span."""
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

    # -- availability ----------------------------------------------------------------

    def free_resources(
        self,
        from_: datetime,
        to: datetime,
        *,
        quantity: int | None = None,
        filter: ResourceFilter | Mapping[str, Any] | None = None,
    ) -> list[str]:
        """Ids of the resources free (for ``quantity`` units) over the whole span."""
        return list(self._call("free_resources", locals()))

    def free_windows(
        self,
        resources: Sequence[str],
        from_: datetime,
        to: datetime,
        *,
        quantity: int | None = None,
        min_duration_mins: int | None = None,
        role: Role | None = None,
    ) -> list[FreeWindow]:
        """The free stretches of each resource within the span, with opening hours,
        blocks and policies applied."""
        return [FreeWindow._wrap(w) for w in self._call("free_windows", locals())]

    def remaining_units(
        self,
        resources: Sequence[str],
        from_: datetime,
        to: datetime,
        *,
        quantity: int | None = None,
        min_duration_mins: int | None = None,
        role: Role | None = None,
    ) -> list[UnitsWindow]:
        """How many units of each resource stay free, stretch by stretch."""
        return [UnitsWindow._wrap(w) for w in self._call("remaining_units", locals())]

    def slots(
        self,
        resource: str,
        from_: datetime,
        to: datetime,
        *,
        duration_mins: int,
        step_mins: int | None = None,
        timezone: str | None = None,
        quantity: int | None = None,
        role: Role | None = None,
    ) -> list[Slot]:
        """Bookable slots of ``duration_mins`` every ``step_mins``, aligned in
        ``timezone`` (the resource's by default)."""
        return [Slot._wrap(s) for s in self._call("slots", locals())]

    def next_available(
        self,
        from_: datetime,
        *,
        duration_mins: int,
        resources: Sequence[str] | None = None,
        filter: ResourceFilter | Mapping[str, Any] | None = None,
        quantity: int | None = None,
        within_days: int | None = None,
        role: Role | None = None,
    ) -> NextAvailable | None:
        """The earliest free span of ``duration_mins`` from ``from_`` on the given
        resources (or those matching ``filter``), or None within ``within_days``."""
        found = self._call("next_available", locals())
        return None if found is None else NextAvailable._wrap(found)

    def utilization(
        self,
        from_: datetime,
        to: datetime,
        *,
        resources: Sequence[str] | None = None,
        filter: ResourceFilter | Mapping[str, Any] | None = None,
    ) -> Utilization:
        """Occupancy, peaks and no-show rates over the span."""
        return Utilization._wrap(self._call("utilization", locals()))

    # -- policies and blocks -----------------------------------------------------------

    def put_policy(
        self,
        id: str,
        *,
        scope: ScopeInput,
        rules: Mapping[str, Any],
        exempt_roles: Sequence[Role] | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Policy:
        """Creates or replaces a policy: ``rules`` in their JSON form (SPEC P1–P9, e.g.
        ``{"max_duration_mins": 240, "opening_hours": {...}}``) applied at ``scope``."""
        policy: dict[str, Any] = {"id": id, "scope": scope, "rules": rules}
        if exempt_roles is not None:
            policy["exempt_roles"] = exempt_roles
        args = {"policy": policy, "idempotency_key": idempotency_key, "actor": actor}
        return Policy._wrap(self._call("put_policy", args))

    def delete_policy(
        self,
        id: str,
        *,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Policy:
        """Removes a policy and returns what it was."""
        return Policy._wrap(self._call("delete_policy", locals()))

    def policies(self) -> list[Policy]:
        """Every policy."""
        return [Policy._wrap(p) for p in self._call("list_policies", {})]

    def create_block(
        self,
        start: TimeInput,
        end: TimeInput,
        *,
        resource: str | None = None,
        tag: str | None = None,
        disambiguation: Disambiguation | None = None,
        reason: str | None = None,
        strategy: BlockStrategy | None = None,
        recurrence: Recurrence | Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> BlockOutcome:
        """Blocks a resource (or every resource with ``tag``) for maintenance or an
        event; ``strategy`` says what happens to bookings in the way."""
        return BlockOutcome._wrap(self._call("create_block", locals()))

    def remove_block(
        self,
        id: str,
        *,
        series: bool | None = None,
        idempotency_key: str | None = None,
        actor: Actor | None = None,
    ) -> Block:
        """Removes a block (``series=True``: every block of its recurring series that
        has not ended)."""
        return Block._wrap(self._call("remove_block", locals()))

    def blocks(
        self,
        *,
        resource: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
    ) -> list[Block]:
        """Blocks matching every given filter."""
        return [Block._wrap(b) for b in self._call("list_blocks", locals())]

    # -- audit, events, export -----------------------------------------------------------

    def audit(
        self,
        *,
        booking: str | None = None,
        resource: str | None = None,
        member: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """The append-only audit trail, oldest first, filtered."""
        return [AuditRecord._wrap(a) for a in self._call("audit", locals())]

    def events(
        self,
        *,
        after: int | None = None,
        consumer: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """Change events after sequence ``after`` (or after ``consumer``'s cursor)."""
        return [Event._wrap(e) for e in self._call("events", locals())]

    def ack_events(self, consumer: str, seq: int) -> int:
        """Moves ``consumer``'s cursor to ``seq`` and returns the cursor."""
        return int(self._call("ack_events", locals()))

    def integrity_check(self) -> IntegrityReport:
        """Checks every invariant against the stored state."""
        return IntegrityReport._wrap(self._call("integrity_check", {}))

    def export_snapshot(self) -> Snapshot:
        """Everything the engine holds, as one versioned snapshot."""
        return Snapshot._wrap(self._call("export_snapshot", {}))

    def import_snapshot(self, snapshot: Snapshot | Mapping[str, Any]) -> ImportReport:
        """Loads a snapshot into an empty engine, checking it first."""
        data = snapshot.to_dict() if isinstance(snapshot, Snapshot) else dict(snapshot)
        return ImportReport._wrap(self._execute({**data, "type": "import_snapshot"}))

    def export_ics(
        self,
        *,
        member: str | None = None,
        series: str | None = None,
        from_: datetime | None = None,
        to: datetime | None = None,
    ) -> str:
        """An iCalendar (RFC 5545) document of a member's bookings or of one series."""
        return str(self._call("export_ics", locals()))


_KEYS = {"from_": "from"}


def _instant_text(value: datetime, field: str) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            "invalid_input",
            f"{field}: {value.isoformat()} is a naive datetime; pass a timezone-aware one "
            "(tzinfo=...) or a wall-clock string like '2026-03-02T09:00' to read it in the "
            "resource's timezone",
            {"field": field},
        )
    return value.astimezone(timezone.utc).isoformat()


_native._bind(make_error, Booking._wrap)
