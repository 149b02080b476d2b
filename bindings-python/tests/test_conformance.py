"""Every conformance scenario (conformance/scenarios/, SPEC X4) through the typed Python
API: each request becomes a call of the matching ``Engine`` method with keyword
arguments, instants with an offset become aware ``datetime``s, and each result's JSON
form (``Record.to_dict()``) is matched against the scenario's expectation by the same
rules as the Rust runner.

A few steps hold deliberately malformed requests (unknown fields, a missing required
field): no typed call can express them, so they go through ``Engine.execute``, the JSON
door. ``test_typed_calls_cover_all_well_formed_requests`` keeps that set honest."""

from __future__ import annotations

import inspect
import re
from datetime import datetime, timezone
from typing import Any, Callable

import pytest

import slotwise
from slotwise import Actor, Engine, ManualClock, Record, SlotwiseError
from slotwise._errors import error_class

from scenarios import load_scenarios

SCENARIOS = load_scenarios()

# Request type -> Engine method name, where they differ.
METHODS = {
    "get_resource": "resource",
    "list_resources": "resources",
    "get_booking": "booking",
    "list_bookings": "bookings",
    "list_policies": "policies",
    "list_blocks": "blocks",
    "get_series": "series",
    "get_waitlist_entry": "waitlist_entry",
    "list_waitlist": "waitlist",
}
# Request fields holding instants or times; an RFC 3339 instant becomes a datetime.
TIME_FIELDS = {"start", "end", "from", "to"}
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$")


def to_datetime(text: str) -> datetime:
    return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)


def as_kwargs(request: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    for key, value in request.items():
        if key == "type":
            continue
        if key in TIME_FIELDS and isinstance(value, str) and INSTANT.match(value):
            try:
                value = to_datetime(value)
            except ValueError:
                pass  # not a datetime Python can hold (an offset of 25 h): sent as text

        if key == "actor" and isinstance(value, dict) and set(value) <= {"id", "role"}:
            value = Actor(**value)
        kwargs["from_" if key == "from" else key] = value
    return kwargs


def typed_call(engine: Engine, request: dict[str, Any]) -> Callable[[], Any] | None:
    """The typed call for a request, or None when its fields fit no method signature."""
    kind = request.get("type")
    if not isinstance(kind, str):
        return None
    if kind == "put_policy":
        policy = request.get("policy")
        if not isinstance(policy, dict) or set(request) - {"type", "policy", "idempotency_key", "actor"}:
            return None
        kwargs = as_kwargs({k: v for k, v in request.items() if k != "policy"})
        kwargs.update(policy)
    elif kind == "import_snapshot":
        snapshot = {k: v for k, v in request.items() if k != "type"}
        return lambda: engine.import_snapshot(snapshot)
    else:
        kwargs = as_kwargs(request)
    method = getattr(engine, METHODS.get(kind, kind), None)
    if method is None or kind.startswith("_"):
        return None
    try:
        inspect.signature(method).bind(**kwargs)
    except TypeError:
        return None
    return lambda: method(**kwargs)


def json_form(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [json_form(v) for v in value]
    return value


def contains(actual: Any, want: Any, path: str = "$") -> str | None:
    """Why ``actual`` does not contain ``want`` (conformance/README.md), or None."""
    if isinstance(want, dict):
        if not isinstance(actual, dict):
            return f"{path}: expected an object, got {actual!r}"
        for key, w in want.items():
            if w is None and actual.get(key) is None:
                continue
            if key not in actual:
                return f"{path}.{key}: missing"
            why = contains(actual[key], w, f"{path}.{key}")
            if why:
                return why
        return None
    if isinstance(want, list):
        if not isinstance(actual, list) or len(actual) != len(want):
            return f"{path}: expected {len(want)} items, got {actual!r}"
        for i, (a, w) in enumerate(zip(actual, want)):
            why = contains(a, w, f"{path}[{i}]")
            if why:
                return why
        return None
    if type(actual) is not type(want) or actual != want:
        return f"{path}: expected {want!r}, got {actual!r}"
    return None


class Outcome:
    def __init__(self, value: Any = None, error: SlotwiseError | None = None) -> None:
        self.value = value
        self.error = error


def run(engine: Engine, request: dict[str, Any], stats: dict[str, int]) -> Outcome:
    call = typed_call(engine, request)
    if call is None:
        stats["json"] += 1
        call = lambda: engine.execute(request)  # noqa: E731
    else:
        stats["typed"] += 1
    try:
        return Outcome(value=json_form(call()))
    except SlotwiseError as e:
        return Outcome(error=e)


def check(outcome: Outcome, expect: dict[str, Any] | None) -> str | None:
    if expect is None:
        return None if outcome.error is None else f"expected success, got {outcome.error!r}"
    code = expect.get("error")
    if code is None:
        if outcome.error is not None:
            return f"expected success, got {outcome.error!r} {outcome.error.details}"
        if "ok" not in expect:
            return None
        if expect["ok"] is None:
            return None if outcome.value is None else f"expected null, got {outcome.value!r}"
        return contains(outcome.value, expect["ok"])
    if outcome.error is None:
        return f"expected error {code!r}, got success {outcome.value!r}"
    if outcome.error.code != code:
        return f"expected error {code!r}, got {outcome.error!r}"
    if type(outcome.error) is not error_class(code):
        return f"{code!r} raised as {type(outcome.error).__name__}"
    if "details" in expect:
        return contains(outcome.error.details, expect["details"], "details")
    return None


def run_scenario(scenario: dict[str, Any], stats: dict[str, int]) -> None:
    """Runs one scenario; ``stats`` counts the typed calls and the JSON-door calls."""
    clock = ManualClock(to_datetime(scenario["clock"]))
    engine = Engine(clock=clock, config=scenario.get("config"))
    for i, request in enumerate(scenario.get("setup", [])):
        outcome = run(engine, request, stats)
        assert outcome.error is None, f"setup[{i}] failed: {outcome.error!r}"
    for i, step in enumerate(scenario["steps"]):
        if "advance_secs" in step:
            clock.advance(step["advance_secs"])
        elif "set_clock" in step:
            clock.set(to_datetime(step["set_clock"]))
        else:
            why = check(run(engine, step["request"], stats), step.get("expect"))
            note = f" ({step['note']})" if "note" in step else ""
            assert why is None, f"step {i}{note}: {why}\n  request: {step['request']}"


@pytest.mark.parametrize("name,scenario", SCENARIOS, ids=[n for n, _ in SCENARIOS])
def test_scenario(name: str, scenario: dict[str, Any]) -> None:
    run_scenario(scenario, {"typed": 0, "json": 0})


def test_every_scenario_is_run() -> None:
    assert len(SCENARIOS) >= 200


def test_typed_calls_cover_all_well_formed_requests() -> None:
    """Only requests that expect ``invalid_input`` may need the JSON door."""
    engine = Engine()
    untyped = []
    for name, scenario in SCENARIOS:
        steps = [{"request": r} for r in scenario.get("setup", [])] + scenario["steps"]
        for step in steps:
            request = step.get("request")
            if request is None or typed_call(engine, request) is not None:
                continue
            if (step.get("expect") or {}).get("error") != "invalid_input":
                untyped.append((name, request))
    assert untyped == []


def test_instants_in_other_offsets_mean_the_same() -> None:
    engine = Engine(clock=ManualClock(datetime(2026, 3, 2, 8, tzinfo=timezone.utc)))
    engine.create_resource("desk-1")
    start = to_datetime("2026-03-02T14:45:00+05:45")
    booking = engine.book("desk-1", "ann", start, "2026-03-02T10:00:00Z")
    assert booking.start == datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    assert booking.start.tzinfo is timezone.utc
    assert slotwise.__version__
