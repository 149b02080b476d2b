"""Input types: what the engine's methods accept besides plain ``str`` and ``int``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Mapping, Sequence, TypedDict, Union

__all__ = [
    "Actor",
    "TimeInput",
    "Role",
    "Disambiguation",
    "BlockStrategy",
    "SeriesMode",
    "EditScope",
    "Synchronous",
    "ScopeInput",
    "ResourceFilter",
    "Weekly",
    "Recurrence",
    "CheckInConfig",
    "EngineConfig",
]

TimeInput = Union[datetime, str]
"""A point in time: a timezone-aware ``datetime`` (an instant), or a string — an RFC 3339
instant with an offset (``"2026-03-02T09:00:00Z"``) or a wall-clock time without one
(``"2026-03-02T09:00"``), read in the resource's timezone and resolved with
``disambiguation``. A naive ``datetime`` is refused: it would be a guess."""

Role = Literal["member", "admin", "system"]
"""Who acts; the role picks the policy rules that apply."""

Disambiguation = Literal["reject", "compatible", "earlier", "later"]
"""How a wall-clock time in a daylight-saving gap or fold is resolved; ``"reject"``
(the default) raises ``LocalTimeError``."""

BlockStrategy = Literal["reject", "cancel", "move"]
"""What a block does to bookings it overlaps."""

SeriesMode = Literal["all_or_nothing", "best_effort"]
"""Whether one failing occurrence refuses the whole series."""

EditScope = Literal["one", "following", "all"]
"""Which occurrences of a series an edit touches."""

Synchronous = Literal["full", "normal", "off"]
"""SQLite durability: ``"full"`` syncs every commit (the default)."""

ScopeInput = Union[Literal["global"], Mapping[str, str]]
"""Where a policy applies: ``"global"``, ``{"location": …}``, ``{"tag": …}`` or
``{"resource": …}``."""


@dataclass(frozen=True)
class Actor:
    """Who issues a command: recorded in the audit trail and used to pick policy rules."""

    id: str
    """The acting user or process."""
    role: Role = "member"
    """Its role."""

    def to_dict(self) -> dict[str, str]:
        """The JSON form."""
        return {"id": self.id, "role": self.role}


class ResourceFilter(TypedDict, total=False):
    """Which resources a query considers; every given field must match."""

    tags: Sequence[str]
    min_capacity: int
    kind: str
    location: str
    include_archived: bool


Weekly = TypedDict(
    "Weekly",
    {"days": Sequence[str], "times": Sequence[str], "from": Union[date, str], "until": Union[date, str]},
    total=False,
)
"""A weekly pattern: these ``days`` (``"mon"`` …) at these wall-clock ``times``
(``["09:00", "10:00"]``), from one date until another."""


class Recurrence(TypedDict, total=False):
    """How a series or a recurring block repeats: an RFC 5545 ``rrule`` (``"FREQ=WEEKLY;
    BYDAY=MO;COUNT=10"``) or a ``weekly`` pattern, with dates left out (``exdates``) or
    added (``rdates``) as wall-clock times."""

    rrule: str
    weekly: Weekly | Mapping[str, Any]
    exdates: Sequence[str]
    rdates: Sequence[str]


class CheckInConfig(TypedDict, total=False):
    """Check-in rules."""

    required: bool
    opens_before_secs: int
    grace_secs: int


class EngineConfig(TypedDict, total=False):
    """Engine settings; each left out keeps its default."""

    hold_ttl_secs: int
    max_hold_ttl_secs: int
    check_in: CheckInConfig
    idempotency_retention_secs: int
    max_alternatives: int
    waitlist_claim_ttl_secs: int
    max_waitlist_length: int
    max_series_occurrences: int
    series_cap_days: int
