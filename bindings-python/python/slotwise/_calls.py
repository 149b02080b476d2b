"""What the engine's method groups share: the two ways a request reaches the native
engine, which ``Engine`` provides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

__all__ = ["Calls"]


class Calls:
    """Base of the method groups ``Engine`` is made of."""

    __slots__ = ()

    if TYPE_CHECKING:

        def _call(self, kind: str, args: dict[str, Any]) -> Any:
            """Runs request ``kind`` with the given arguments (None ones left out)."""

        def _execute(self, request: Mapping[str, Any]) -> Any:
            """Runs a request in JSON form."""
