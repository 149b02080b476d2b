"""Engine methods for availability, policies and blocks, and the audit trail, events and
exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping, Sequence

from ._calls import Calls
from ._records import (
    AuditRecord,
    Block,
    BlockOutcome,
    Event,
    FreeWindow,
    ImportReport,
    IntegrityReport,
    NextAvailable,
    Policy,
    Slot,
    Snapshot,
    UnitsWindow,
    Utilization,
)
from ._types import (
    Actor,
    BlockStrategy,
    Disambiguation,
    Recurrence,
    ResourceFilter,
    Role,
    ScopeInput,
    TimeInput,
)

__all__ = ["QueryMethods"]


class QueryMethods(Calls):
    """Availability queries, policies and blocks, the audit trail, events and exports."""

    __slots__ = ()

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
        resource: str,
        *,
        from_: datetime | None = None,
        to: datetime | None = None,
    ) -> list[Block]:
        """The blocks on ``resource`` overlapping ``[from_, to)`` (any time when left
        out), in start order."""
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
