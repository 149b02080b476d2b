"""The stable string values the engine writes: statuses, actions, codes and kinds."""

from __future__ import annotations

from typing import Literal


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
