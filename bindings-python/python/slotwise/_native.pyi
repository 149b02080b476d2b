"""The compiled core of slotwise. Private: use the ``slotwise`` package instead.

Requests and results cross in their JSON form (plain dicts, lists, str, int, float,
bool, None), exactly as in the conformance scenarios."""

from datetime import datetime
from os import PathLike
from typing import Any, Callable, Mapping, final

from typing_extensions import Self, disjoint_base

__all__ = ["_bind", "ManualClock", "Engine", "EngineError", "LazyResult", "_panic_in_guard", "__version__"]

__version__: str
"""The version of the compiled engine."""

class EngineError(Exception):
    """An engine error before ``_bind``; ``args`` are ``(code, message, details)``."""

@final
class LazyResult:
    """One engine result's JSON form, converted field by field as it is read; a
    read-only mapping."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value at ``key``, or ``default``."""
    def __getitem__(self, key: str, /) -> Any: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]:
        """The keys."""
    def to_dict(self) -> dict[str, Any]:
        """The whole JSON form as plain Python objects, made afresh."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class ManualClock:
    """A clock that moves only when told."""

    def __new__(cls, start: datetime | str) -> ManualClock:
        """A clock reading ``start``: a timezone-aware datetime or an RFC 3339 instant."""
    def now(self) -> str:
        """The reading, as an RFC 3339 UTC instant."""
    def set(self, instant: datetime | str) -> None:
        """Sets the reading (as for ``start``); it may move backwards."""
    def advance_millis(self, millis: int) -> None:
        """Moves the reading forward by ``millis`` milliseconds."""

@disjoint_base
class Engine:
    """A booking engine on the memory store or a SQLite file; safe to share between
    threads, and every call releases the GIL while the engine works. ``slotwise.Engine``
    subclasses it."""

    def __new__(
        cls,
        path: str | PathLike[str] | None = None,
        *,
        config: dict[str, Any] | None = None,
        clock: ManualClock | None = None,
        synchronous: str | None = None,
    ) -> Self:
        """In memory when ``path`` is None, else on that SQLite file. Raises for a bad
        config or a file it refuses."""
    def _execute(self, request: Mapping[str, Any]) -> Any:
        """Runs one request (JSON form, tagged by ``"type"``; values converted as
        datetimes, dates, times, records and mappings allow) and returns its result in
        JSON form. Raises the error's public exception class, or ``TypeError`` for a
        value that has no JSON form."""
    def book(
        self,
        resource: str,
        member: str,
        start: Any,
        end: Any,
        *,
        quantity: Any = None,
        disambiguation: Any = None,
        title: Any = None,
        description: Any = None,
        attendees: Any = None,
        metadata: Any = None,
        override_policies: Any = None,
        alternatives: Any = None,
        idempotency_key: Any = None,
        actor: Any = None,
    ) -> Any:
        """Books ``resource`` for ``member`` over ``[start, end)``; returns the
        ``Booking`` record (a ``LazyResult`` before ``_bind``)."""
    def hold(
        self,
        resource: str,
        member: str,
        start: Any,
        end: Any,
        *,
        ttl_secs: Any = None,
        quantity: Any = None,
        disambiguation: Any = None,
        title: Any = None,
        description: Any = None,
        attendees: Any = None,
        metadata: Any = None,
        override_policies: Any = None,
        alternatives: Any = None,
        idempotency_key: Any = None,
        actor: Any = None,
    ) -> Any:
        """Holds the span; arguments as for ``book``."""
    def _rejections(self) -> dict[str, int]:
        """Requests refused since the engine opened: ``conflicts``, ``policy_violations``."""
    def _now(self) -> str:
        """The engine clock's reading, as an RFC 3339 UTC instant."""
    @property
    def _path(self) -> str | None:
        """The SQLite file, or None in memory."""

def _bind(error_class: Callable[[str, str, dict[str, Any]], BaseException], wrap_booking: Callable[[LazyResult], Any]) -> None:
    """Registers how errors become public exceptions and bookings become records;
    called once by ``slotwise`` as it loads."""

def _panic_in_guard(message: str) -> None:
    """Panics inside the engine's call guard; raises the ``internal`` error. For the
    binding's tests."""
