"""PF10, Python side: ``Engine.book`` through the Python package, on the workload of
``benches/src/bin/pf10_rust.rs`` (read its header). Prints, as JSON, the mean time per
call of each round for three ways in:

- ``python``: ``slotwise.Engine.book`` with aware ``datetime`` arguments, the public
  API, returning a ``Booking`` record;
- ``python_strings``: the same with RFC 3339 strings instead of datetimes;
- ``native``: ``slotwise._native.Engine.execute`` with a prepared request dict, the
  compiled layer alone (no Python wrapper, no argument conversion).

The arguments are made before the timed loop. Run:
``python bindings-python/bench/pf10.py [DESKS] [BOOKS] [ROUNDS]`` (defaults 1000 20000 15),
or ``benches/pf10-python.sh`` for the Rust reference side by side."""

from __future__ import annotations

import gc
import json
import sys
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import slotwise
from slotwise import _native

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)
CLOCK = datetime(2025, 12, 31, tzinfo=timezone.utc)


def fresh_engine(desks: int) -> slotwise.Engine:
    engine = slotwise.Engine(clock=slotwise.ManualClock(CLOCK))
    for d in range(desks):
        engine.create_resource(f"desk-{d}")
    return engine


def rounds(
    desks: int, books: int, count: int, prepare: Callable[[int], Any], run: Callable[[slotwise.Engine, Any], None]
) -> list[float]:
    args = [prepare(i) for i in range(books)]
    results = []
    for _ in range(count):
        engine = fresh_engine(desks)
        gc.collect()
        began = time.perf_counter_ns()
        run(engine, args)
        results.append((time.perf_counter_ns() - began) / books)
    return results


def main() -> None:
    desks = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    books = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 15

    def call(i: int) -> tuple[str, str, datetime, datetime]:
        start = BASE + timedelta(hours=i // desks)
        return (f"desk-{i % desks}", f"m-{i % 97}", start, start + timedelta(hours=1))

    def call_strings(i: int) -> tuple[str, str, str, str]:
        resource, member, start, end = call(i)
        return (resource, member, start.isoformat(), end.isoformat())

    def request(i: int) -> dict[str, Any]:
        resource, member, start, end = call_strings(i)
        return {"type": "book", "resource": resource, "member": member, "start": start, "end": end}

    def book(engine: slotwise.Engine, args: Any) -> None:
        for resource, member, start, end in args:
            engine.book(resource, member, start, end)

    def execute(engine: slotwise.Engine, args: Any) -> None:
        native: _native.Engine = engine._native
        for req in args:
            native.execute(req)

    out = {
        "side": "python",
        "desks": desks,
        "books": books,
        "python_version": sys.version.split()[0],
        "per_call_ns": {
            "python": rounds(desks, books, count, call, book),
            "python_strings": rounds(desks, books, count, call_strings, book),
            "native": rounds(desks, books, count, request, execute),
        },
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
