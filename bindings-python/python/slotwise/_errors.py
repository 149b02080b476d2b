"""The exception hierarchy. Every engine error is a ``SlotwiseError`` whose ``code`` is
the stable code of SPEC.md (``"conflict"``, ``"not_found"``, …) and whose ``details`` is
its structured detail in JSON form. Errors caused by the caller's input are also
``ValueError``s."""

from __future__ import annotations

from typing import Any

from ._records import Alternative, ConflictItem, Violation

__all__ = [
    "SlotwiseError",
    "ConflictError",
    "HoldExpiredError",
    "PolicyViolationError",
    "NotFoundError",
    "AlreadyExistsError",
    "InvalidTransitionError",
    "VersionConflictError",
    "IdempotencyKeyReusedError",
    "InvalidInputError",
    "LocalTimeError",
    "NonexistentLocalTimeError",
    "AmbiguousLocalTimeError",
    "UnknownTimezoneError",
    "ResourceArchivedError",
    "HasFutureBookingsError",
    "CheckInNotOpenError",
    "ForbiddenError",
    "NotFullError",
    "WaitlistFullError",
    "SeriesRejectedError",
    "StorageError",
    "InternalError",
]


class SlotwiseError(Exception):
    """Any error the engine reports. Nothing was written by the call that raised it."""

    code: str
    """The stable error code, e.g. ``"conflict"``."""
    details: dict[str, Any]
    """Structured details in JSON form; their keys depend on the code."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details if details is not None else {}

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle by their args; these take three. Without this they could
        # not cross a process pool or be copied.
        return (type(self), (self.code, self.message, self.details))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConflictError(SlotwiseError):
    """The span is taken (``conflict``): ``conflicts`` names what occupies it and
    ``alternatives`` offers nearby free choices."""

    @property
    def conflicts(self) -> list[ConflictItem]:
        """What occupies the requested span."""
        return [ConflictItem._wrap(c) for c in self.details.get("conflicts", [])]

    @property
    def alternatives(self) -> list[Alternative]:
        """Free slots nearby: same resource other times, or similar resources."""
        return [Alternative._wrap(a) for a in self.details.get("alternatives", [])]


class HoldExpiredError(SlotwiseError):
    """The hold ran out before it was confirmed (``hold_expired``)."""


class PolicyViolationError(SlotwiseError):
    """Policies refuse the request (``policy_violation``); ``violations`` lists every
    rule broken."""

    @property
    def violations(self) -> list[Violation]:
        """Every rule the request breaks."""
        return [Violation._wrap(v) for v in self.details.get("violations", [])]


class NotFoundError(SlotwiseError, LookupError):
    """No such resource, booking, policy, block, series or waitlist entry (``not_found``)."""


class AlreadyExistsError(SlotwiseError):
    """The id is taken (``already_exists``)."""


class InvalidTransitionError(SlotwiseError):
    """The booking's status does not allow this (``invalid_transition``)."""


class VersionConflictError(SlotwiseError):
    """``expected_version`` is stale (``version_conflict``): reread and retry."""


class IdempotencyKeyReusedError(SlotwiseError):
    """The idempotency key was used for a different request (``idempotency_key_reused``)."""


class InvalidInputError(SlotwiseError, ValueError):
    """The request is malformed or out of range (``invalid_input``)."""


class LocalTimeError(SlotwiseError, ValueError):
    """A wall-clock time does not name exactly one instant in its timezone."""


class NonexistentLocalTimeError(LocalTimeError):
    """The wall time falls in a daylight-saving gap (``nonexistent_local_time``)."""


class AmbiguousLocalTimeError(LocalTimeError):
    """The wall time occurs twice, at a daylight-saving fold (``ambiguous_local_time``)."""


class UnknownTimezoneError(SlotwiseError, ValueError):
    """Not an IANA timezone name (``unknown_timezone``)."""


class ResourceArchivedError(SlotwiseError):
    """The resource is archived (``resource_archived``)."""


class HasFutureBookingsError(SlotwiseError):
    """Archiving needs ``force=True``: the resource has future bookings
    (``has_future_bookings``)."""


class CheckInNotOpenError(SlotwiseError):
    """Check-in is not open for this booking yet, or any more (``check_in_not_open``)."""


class ForbiddenError(SlotwiseError, PermissionError):
    """The actor's role may not do this (``forbidden``)."""


class NotFullError(SlotwiseError):
    """A waitlist can be joined only when the span is full (``not_full``)."""


class WaitlistFullError(SlotwiseError):
    """The waitlist queue is at its limit (``waitlist_full``)."""


class SeriesRejectedError(SlotwiseError):
    """An all-or-nothing series was refused (``series_rejected``); ``details`` says which
    occurrences failed and why."""


class StorageError(SlotwiseError):
    """The store failed or refused its file (``storage``); ``fault`` names the cause
    (``not_a_database``, ``not_slotwise``, ``newer_schema``, ``corrupt``, ``busy``,
    ``io``) when there is one."""

    @property
    def fault(self) -> str | None:
        """The storage fault, if the store named one."""
        fault = self.details.get("fault")
        return fault if isinstance(fault, str) else None


class InternalError(SlotwiseError):
    """A bug in slotwise (``internal``), including a caught panic. Please report it."""


_BY_CODE: dict[str, type[SlotwiseError]] = {
    "conflict": ConflictError,
    "hold_expired": HoldExpiredError,
    "policy_violation": PolicyViolationError,
    "not_found": NotFoundError,
    "already_exists": AlreadyExistsError,
    "invalid_transition": InvalidTransitionError,
    "version_conflict": VersionConflictError,
    "idempotency_key_reused": IdempotencyKeyReusedError,
    "nonexistent_local_time": NonexistentLocalTimeError,
    "ambiguous_local_time": AmbiguousLocalTimeError,
    "unknown_timezone": UnknownTimezoneError,
    "invalid_input": InvalidInputError,
    "resource_archived": ResourceArchivedError,
    "has_future_bookings": HasFutureBookingsError,
    "check_in_not_open": CheckInNotOpenError,
    "forbidden": ForbiddenError,
    "not_full": NotFullError,
    "waitlist_full": WaitlistFullError,
    "series_rejected": SeriesRejectedError,
    "storage": StorageError,
    "internal": InternalError,
}


def error_class(code: str) -> type[SlotwiseError]:
    """The exception class for an error code; ``SlotwiseError`` for a code this version
    does not know."""
    return _BY_CODE.get(code, SlotwiseError)


def make_error(code: str, message: str, details: dict[str, Any]) -> SlotwiseError:
    """The public exception for an engine error; the native module raises what this
    returns."""
    return error_class(code)(code, message, details)
