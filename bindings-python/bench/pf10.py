"""PF10, Python side: ``Engine.book`` through the Python package, on the workload of
``benches/src/bin/pf10_rust.rs`` (read its header). Prints, as JSON, the mean time per
call of each round for three ways in:

- ``python``: ``slotwise.Engine.book`` with aware ``datetime`` arguments, the public
  API, returning a ``Booking`` record (``book`` is compiled: no Python frame runs);
- ``python_strings``: the same with RFC 3339 strings instead of datetimes;
- ``python_read``: ``python``, then reading the booking's ``id``, ``status``,
  ``start`` and ``end`` (a record converts its fields when they are first read);
- ``json_door``: ``Engine.execute`` with a prepared request dict, the general path
  every other command takes (the whole request and result converted).

The arguments are made before the timed loop. One unrecorded warm-up round runs first
(the process's heap grows to size in it), and the three ways take turns round by round,
so none is favoured by going later. Run:
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

BASE = datetime(2026, 1, 1, tzinfo=timezone.utc)
CLOCK = datetime(2025, 12, 31, tzinfo=timezone.utc)


def fresh_engine(desks: int) -> slotwise.Engine:
    engine = slotwise.Engine(clock=slotwise.ManualClock(CLOCK))
    for d in range(desks):
        engine.create_resource(f"desk-{d}")
    return engine


def run_round(desks: int, books: int, args: Any, run: Callable[[slotwise.Engine, Any], None]) -> float:
    engine = fresh_engine(desks)
    gc.collect()
    began = time.perf_counter_ns()
    run(engine, args)
    return (time.perf_counter_ns() - began) / books


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

    def book_and_read(engine: slotwise.Engine, args: Any) -> None:
        for resource, member, start, end in args:
            booking = engine.book(resource, member, start, end)
            booking.id, booking.status, booking.start, booking.end

    def execute(engine: slotwise.Engine, args: Any) -> None:
        # The JSON door, with a prepared request dict: the general path every other
        # command takes.
        run = engine._execute
        for request in args:
            run(request)

    ways: dict[str, tuple[Any, Callable[[slotwise.Engine, Any], None]]] = {
        "python": ([call(i) for i in range(books)], book),
        "python_strings": ([call_strings(i) for i in range(books)], book),
        "python_read": ([call(i) for i in range(books)], book_and_read),
        "json_door": ([request(i) for i in range(books)], execute),
    }
    warm_args, warm_run = ways["python"]
    run_round(desks, books, warm_args, warm_run)
    per_call_ns: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(count):
        for way, (args, run) in ways.items():
            per_call_ns[way].append(run_round(desks, books, args, run))
    out = {
        "side": "python",
        "desks": desks,
        "books": books,
        "python_version": sys.version.split()[0],
        "per_call_ns": per_call_ns,
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
