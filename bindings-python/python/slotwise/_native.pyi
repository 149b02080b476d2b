"""The compiled core of slotwise. Private: use the ``slotwise`` package instead.

Requests and results cross in their JSON form (plain dicts, lists, str, int, float,
bool, None), exactly as in the conformance scenarios."""

from os import PathLike
from typing import Any, final

__all__ = ["ManualClock", "Engine", "EngineError", "_panic_in_guard", "__version__"]

__version__: str
"""The version of the compiled engine."""

class EngineError(Exception):
    """An engine error; ``args`` are ``(code, message, details)``."""

@final
class ManualClock:
    """A clock that moves only when told."""

    def __new__(cls, start: str) -> ManualClock:
        """A clock reading ``start``, an RFC 3339 instant with an offset."""
    def now(self) -> str:
        """The reading, as an RFC 3339 UTC instant."""
    def set(self, instant: str) -> None:
        """Sets the reading (RFC 3339 with an offset); it may move backwards."""
    def advance_millis(self, millis: int) -> None:
        """Moves the reading forward by ``millis`` milliseconds."""

@final
class Engine:
    """A booking engine on the memory store or a SQLite file; safe to share between
    threads, and every call releases the GIL while the engine works."""

    def __new__(
        cls,
        path: str | PathLike[str] | None = None,
        *,
        config: dict[str, Any] | None = None,
        clock: ManualClock | None = None,
        synchronous: str | None = None,
    ) -> Engine:
        """In memory when ``path`` is None, else on that SQLite file. Raises
        ``EngineError`` for a bad config or a file it refuses."""
    def execute(self, request: dict[str, Any]) -> Any:
        """Runs one request (JSON form, tagged by ``"type"``) and returns its result in
        JSON form. Raises ``EngineError``, or ``TypeError`` for a value that has no
        JSON form."""
    def rejections(self) -> dict[str, int]:
        """Requests refused since the engine opened: ``conflicts``, ``policy_violations``."""
    def now(self) -> str:
        """The engine clock's reading, as an RFC 3339 UTC instant."""
    @property
    def path(self) -> str | None:
        """The SQLite file, or None in memory."""

def _panic_in_guard(message: str) -> None:
    """Panics inside the engine's call guard; raises ``EngineError`` with code
    ``internal``. For the binding's tests."""
