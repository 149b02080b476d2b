"""The ``Engine`` class: every command and query of the booking engine as a method.

Its methods come in groups (``_bookings``, ``_queries``); ``book`` and ``hold`` are the
native engine's own, compiled for the hot path."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Mapping

from . import _native
from ._bookings import BookingMethods
from ._errors import make_error
from ._queries import QueryMethods
from ._record import parse_instant
from ._records import Booking, Rejections
from ._types import Actor, Disambiguation, EngineConfig, Synchronous, TimeInput

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
        self._native = _native.ManualClock(start)

    def now(self) -> datetime:
        """The current reading, in UTC."""
        return parse_instant(self._native.now())

    def set(self, instant: datetime) -> None:
        """Sets the reading; it may move backwards."""
        self._native.set(instant)

    def advance(self, by: timedelta | float) -> None:
        """Moves the reading forward by a ``timedelta`` or a number of seconds."""
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        self._native.advance_millis(round(seconds * 1000))

    def __repr__(self) -> str:
        return f"ManualClock({self._native.now()})"


class Engine(BookingMethods, QueryMethods, _native.Engine):
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


_KEYS = {"from_": "from"}


_native._bind(make_error, Booking._wrap)
