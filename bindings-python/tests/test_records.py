"""The result records (``slotwise._records``) against real engine output: every
conformance scenario runs through the native JSON door (``Engine._execute``), and
each result is wrapped in the record class its request type returns. Each record must
declare every key the engine wrote, and every declared field must read without error as
its annotated kind: a non-optional field present, an aware ``datetime`` for instants, a
record for nested objects, an allowed value for a ``Literal``. Error details carry records
too (conflicts, alternatives, violations, failed series occurrences) and get the same
check."""

from __future__ import annotations

import dataclasses
import keyword
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Union

import pytest

from slotwise import SlotwiseError, _native
from slotwise import _records as records
from slotwise._record import Record, _converter

from scenarios import load_scenarios

SCENARIOS = load_scenarios()

R = records
# What each request type returns.
RESULTS: dict[str, Any] = {
    "create_resource": R.Resource,
    "update_resource": R.Resource,
    "get_resource": R.Resource,
    "list_resources": list[R.Resource],
    **{
        kind: R.Booking
        for kind in (
            "book",
            "hold",
            "confirm",
            "release",
            "modify",
            "cancel",
            "check_in",
            "check_out",
            "force_cancel",
            "force_move",
            "get_booking",
        )
    },
    "list_bookings": list[R.Booking],
    "archive_resource": R.ArchiveOutcome,
    "tick": R.TickReport,
    "audit": list[R.AuditRecord],
    "events": list[R.Event],
    "integrity_check": R.IntegrityReport,
    "export_snapshot": R.Snapshot,
    "import_snapshot": R.ImportReport,
    "put_policy": R.Policy,
    "delete_policy": R.Policy,
    "list_policies": list[R.Policy],
    "explain": R.Explanation,
    "create_block": R.BlockOutcome,
    "remove_block": R.Block,
    "list_blocks": list[R.Block],
    "free_windows": list[R.FreeWindow],
    "remaining_units": list[R.UnitsWindow],
    "slots": list[R.Slot],
    "next_available": Union[R.NextAvailable, None],
    "utilization": R.Utilization,
    "book_series": R.SeriesOutcome,
    "modify_series": R.SeriesOutcome,
    "cancel_series": R.SeriesOutcome,
    "get_series": R.SeriesView,
    "join_waitlist": R.WaitlistPosition,
    "leave_waitlist": R.WaitlistPosition,
    "claim_waitlist_offer": R.WaitlistPosition,
    "get_waitlist_entry": R.WaitlistPosition,
    "list_waitlist": list[R.WaitlistPosition],
    "free_resources": list[str],
    "ack_events": int,
    "export_ics": str,
}
# Error details holding records, by error code: detail key -> item record.
ERROR_DETAILS: dict[str, dict[str, type[Record]]] = {
    "conflict": {"conflicts": R.ConflictItem, "alternatives": R.Alternative},
    "policy_violation": {"violations": R.Violation},
    "series_rejected": {"occurrences": R.OccurrenceReport},
}
# Fields the conformance scenarios leave empty today, filled in here so every
# declaration meets real engine output: a series' details and a waitlist filter's fields.
EXTRA_SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    (
        "extra/series-details-and-waitlist-filter",
        {
            "clock": "2026-03-02T08:00:00Z",
            "setup": [
                {"type": "create_resource", "id": "room-1", "kind": "room", "tags": ["quiet"],
                 "capacity": 2, "location": "hq", "timezone": "Europe/London"},
            ],
            "steps": [
                {"request": {"type": "book_series", "resource": "room-1", "member": "ann",
                             "start": "2026-03-03T19:00", "end": "2026-03-03T20:00",
                             "recurrence": {"rrule": "FREQ=WEEKLY;COUNT=3"}, "quantity": 2,
                             "title": "Choir", "description": "Weekly practice",
                             "attendees": 12, "metadata": {"team": "music"}}},
                {"request": {"type": "join_waitlist", "member": "bob",
                             "filter": {"tags": ["quiet"], "min_capacity": 2, "kind": "room",
                                        "location": "hq"},
                             "start": "2026-03-03T19:00:00Z", "end": "2026-03-03T20:00:00Z"}},
                {"request": {"type": "get_series", "id": "ser_1"}},
                {"request": {"type": "list_waitlist"}},
                {"request": {"type": "export_snapshot"}},
            ],
        },
    ),
]
# Record fields no run fills in; any other field left unread by every run fails
# `test_every_record_field_is_exercised`, so new fields get coverage. A sound store has
# no integrity violations, so `IntegrityViolation` is checked on a made-up one instead
# (`test_integrity_violation_reads_its_json_form`).
NOT_EXERCISED: dict[str, set[str]] = {"IntegrityViolation": {"<never met>", "code", "message", "ids"}}
ALL_RUNS = SCENARIOS + EXTRA_SCENARIOS


def json_key(name: str) -> str:
    """The JSON key a field reads (``from_`` reads ``"from"``)."""
    return name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name


@dataclass
class Coverage:
    """Which record fields were seen with a value, per class."""

    seen: dict[type[Record], set[str]] = field(default_factory=dict)
    results: int = 0

    def note(self, cls: type[Record], name: str | None = None) -> None:
        fields = self.seen.setdefault(cls, set())
        if name is not None:
            fields.add(name)


def is_optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (Union, types.UnionType) and type(None) in typing.get_args(hint)


def check_value(value: Any, hint: Any, where: str, coverage: Coverage) -> None:
    """`value`, read through a record, is of the kind `hint` annotates."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        args = typing.get_args(hint)
        if value is None:
            assert type(None) in args, f"{where}: None for non-optional {hint}"
            return
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            check_value(value, inner[0], where, coverage)
            return
        failures = []
        for option in inner:
            try:
                check_value(value, option, where, coverage)
                return
            except AssertionError as e:
                failures.append(str(e))
        raise AssertionError(f"{where}: {value!r} matches none of {hint}: {failures}")
    if hint is Any:
        return
    assert value is not None, f"{where}: missing or null, but {hint} is not optional"
    if origin is Literal:
        assert value in typing.get_args(hint), f"{where}: {value!r} not one of {typing.get_args(hint)}"
        return
    if origin is list:
        assert isinstance(value, list), f"{where}: {type(value).__name__}, not a list"
        (item,) = typing.get_args(hint)
        for i, v in enumerate(value):
            check_value(v, item, f"{where}[{i}]", coverage)
        return
    if origin is dict:
        assert isinstance(value, dict), f"{where}: {type(value).__name__}, not a dict"
        key_hint, item = typing.get_args(hint)
        for k, v in value.items():
            assert isinstance(k, str), f"{where}: key {k!r}"
            check_value(v, item, f"{where}[{k!r}]", coverage)
        return
    if hint is datetime:
        assert isinstance(value, datetime), f"{where}: {value!r} is not a datetime"
        offset = value.utcoffset()
        assert offset is not None and not offset, f"{where}: {value!r} is not aware UTC"
        return
    if isinstance(hint, type) and issubclass(hint, Record):
        assert type(value) is hint, f"{where}: {type(value).__name__}, not a {hint.__name__}"
        check_record(value, where, coverage)
        return
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        assert type(value) is hint, f"{where}: {type(value).__name__}, not a {hint.__name__}"
        return
    if typing.is_typeddict(hint):
        assert isinstance(value, dict), f"{where}: {value!r} is not a dict"
        assert set(value) <= set(typing.get_type_hints(hint)), f"{where}: undeclared keys in {value!r}"
        return
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        assert ok, f"{where}: {value!r} is not a number"
        return
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        assert ok, f"{where}: {value!r} is not an int"
        return
    if hint in (str, bool):
        assert isinstance(value, hint), f"{where}: {value!r} is not a {hint.__name__}"
        return
    raise AssertionError(f"{where}: no check for annotation {hint!r}")


def check_record(record: Record, where: str, coverage: Coverage) -> None:
    """Every key of the record's JSON is a declared field, and every field reads as its
    annotated kind."""
    cls = type(record)
    coverage.note(cls)
    declared = {json_key(n): n for n in cls._field_names}
    undeclared = sorted(set(record.to_dict()) - set(declared))
    assert not undeclared, f"{where}: {cls.__name__} does not declare {undeclared}"
    hints = typing.get_type_hints(cls)
    for name in cls._field_names:
        value = getattr(record, name)
        check_value(value, hints[name], f"{where}.{name}", coverage)
        if value is not None:
            coverage.note(cls, name)
    # The JSON form is handed back unchanged.
    assert record.to_dict() == record._data


def check_result(kind: str, raw: Any, where: str, coverage: Coverage) -> None:
    assert kind in RESULTS, f"{where}: no record mapping for request type {kind!r}"
    hint = RESULTS[kind]
    value = None if raw is None else _converter(hint)(raw)
    check_value(value, hint, where, coverage)
    coverage.results += 1


def check_error(error: SlotwiseError, where: str, coverage: Coverage) -> None:
    code, details = error.code, error.details
    assert isinstance(details, dict), f"{where}: details {details!r}"
    for key, cls in ERROR_DETAILS.get(code, {}).items():
        items = details.get(key, [])
        assert isinstance(items, list), f"{where}: details[{key!r}] is not a list"
        for i, item in enumerate(items):
            check_record(cls._wrap(item), f"{where}.details.{key}[{i}]", coverage)


def run_scenario(scenario: dict[str, Any], coverage: Coverage) -> None:
    """Runs the setup and steps, checking every result and error details."""
    clock = _native.ManualClock(scenario["clock"])
    engine = _native.Engine(config=scenario.get("config"), clock=clock)

    def run(request: dict[str, Any], where: str, must_succeed: bool) -> None:
        try:
            raw = engine._execute(request)
        except SlotwiseError as e:
            if must_succeed:
                raise
            check_error(e, where, coverage)
            return
        check_result(request["type"], raw, where, coverage)

    for i, request in enumerate(scenario.get("setup", [])):
        run(request, f"setup[{i}]({request.get('type')})", must_succeed=True)
    for i, step in enumerate(scenario["steps"]):
        if "advance_secs" in step:
            clock.advance_millis(step["advance_secs"] * 1000)
        elif "set_clock" in step:
            clock.set(step["set_clock"])
        if "request" in step:
            request = step["request"]
            # A step without an expected error must succeed (conformance/README.md).
            expected_error = "error" in (step.get("expect") or {})
            run(request, f"steps[{i}]({request.get('type')})", must_succeed=not expected_error)


@pytest.mark.parametrize("scenario", [s for _, s in ALL_RUNS], ids=[n for n, _ in ALL_RUNS])
def test_scenario_results_fit_their_records(scenario: dict[str, Any]) -> None:
    run_scenario(scenario, Coverage())


def test_every_record_field_is_exercised() -> None:
    """Across all scenarios, every record class is met and every field is read with a
    value at least once (bar the known gaps in NOT_EXERCISED), so the checks above
    really cover each declaration."""
    coverage = Coverage()
    for _, scenario in ALL_RUNS:
        run_scenario(scenario, coverage)
    assert coverage.results > 1000
    missing: dict[str, set[str]] = {}
    for name in records.__all__:
        cls = getattr(records, name)
        if not (isinstance(cls, type) and issubclass(cls, Record)):
            continue
        # A base of flattened records (UsageReport) counts as met through its subclasses.
        family = [cls, *subclasses(cls)]
        met = [c for c in family if c in coverage.seen]
        unseen = set(cls._field_names) - set().union(*(coverage.seen[c] for c in met))
        if not met:
            unseen.add("<never met>")
        unseen -= NOT_EXERCISED.get(name, set())
        if unseen:
            missing[name] = unseen
    assert not missing, f"record fields no scenario exercises: {missing}"


def subclasses(cls: type[Record]) -> list[type[Record]]:
    out: list[type[Record]] = []
    sub: type[Record]
    for sub in cls.__subclasses__():
        out += [sub, *subclasses(sub)]
    return out


def test_integrity_violation_reads_its_json_form() -> None:
    """The JSON of one `IntegrityViolation` as the Rust struct writes it."""
    coverage = Coverage()
    report = R.IntegrityReport(
        {
            "checked_at": "2026-03-02T08:00:00Z",
            "resources": 1,
            "bookings": 2,
            "audit_records": 3,
            "events": 3,
            "violations": [
                {"code": "overbooked", "message": "desk-1 is over capacity", "ids": ["bk_1", "bk_2"]}
            ],
        }
    )
    check_record(report, "report", coverage)
    assert coverage.seen[R.IntegrityViolation] == {"code", "message", "ids"}
    assert report.violations[0].ids == ["bk_1", "bk_2"]


def test_all_lists_every_record_and_alias() -> None:
    # Records and aliases defined here; Role and Disambiguation come from _types.
    public = {
        name
        for name, value in vars(records).items()
        if not name.startswith("_")
        and name not in ("Role", "Disambiguation")
        and (
            (isinstance(value, type) and issubclass(value, Record) and value is not Record)
            or typing.get_origin(value) in (Literal, Union)
        )
    }
    assert public == set(records.__all__)


def test_records_read_only_and_compare_by_value() -> None:
    data = {
        "kind": "booking",
        "id": "bk_1",
        "start": "2026-03-02T09:00:00Z",
        "end": "2026-03-02T10:00:00Z",
        "quantity": 1,
    }
    item = R.ConflictItem(data)
    assert item == R.ConflictItem(dict(data))
    assert item.start == datetime.fromisoformat("2026-03-02T09:00:00+00:00")
    with pytest.raises(AttributeError):
        item.id = "bk_2"
    moved = R.MovedBooking({"booking": "bk_1", "from": "desk-1", "to": "desk-2"})
    assert (moved.from_, moved.to) == ("desk-1", "desk-2")
    assert "from_='desk-1'" in repr(moved)
