"""One engine shared by many threads books exactly the capacity, in memory and on a
SQLite file, and the GIL is released while the engine works."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from slotwise import Booking, ConflictError, Engine, ManualClock

THREADS = 16
ATTEMPTS = 50
CAPACITY = 3
T0 = datetime(2026, 3, 2, 8, tzinfo=timezone.utc)


def hammer(engine: Engine) -> tuple[list[str], int]:
    """16 threads race to book the same few hours of one resource of capacity 3."""
    engine.create_resource("room-1", capacity=CAPACITY)
    barrier = threading.Barrier(THREADS)
    booked: list[str] = []
    refused = 0
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        nonlocal refused
        barrier.wait()
        for attempt in range(ATTEMPTS):
            hour = attempt % 4
            start = T0 + timedelta(hours=1 + hour)
            try:
                booking = engine.book("room-1", f"m{n}", start, start + timedelta(hours=1))
            except ConflictError:
                with lock:
                    refused += 1
            except BaseException as e:  # pragma: no cover - reported below
                errors.append(e)
            else:
                with lock:
                    booked.append(booking.id)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return booked, refused


def check_exactly_capacity(engine: Engine, booked: list[str], refused: int) -> None:
    # Four distinct hours, each with room for CAPACITY bookings.
    assert len(booked) == 4 * CAPACITY
    assert refused == THREADS * ATTEMPTS - len(booked)
    stored = engine.bookings(resource="room-1")
    assert sorted(b.id for b in stored) == sorted(booked)
    for hour in range(4):
        start = T0 + timedelta(hours=1 + hour)
        assert sum(1 for b in stored if b.start == start) == CAPACITY
    assert engine.rejections.conflicts == refused
    report = engine.utilization(T0, T0 + timedelta(days=1), resources=["room-1"])
    assert report.rejected.conflicts == refused
    assert engine.integrity_check().ok


def test_threads_book_exactly_the_capacity_in_memory() -> None:
    engine = Engine(clock=ManualClock(T0))
    booked, refused = hammer(engine)
    check_exactly_capacity(engine, booked, refused)


def test_threads_book_exactly_the_capacity_on_sqlite(tmp_path: Path) -> None:
    engine = Engine(tmp_path / "threads.db", clock=ManualClock(T0), synchronous="off")
    booked, refused = hammer(engine)
    check_exactly_capacity(engine, booked, refused)
    reopened = Engine(tmp_path / "threads.db", clock=ManualClock(T0))
    assert sorted(b.id for b in reopened.bookings(resource="room-1")) == sorted(booked)


HOLD_WRITE_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


def test_the_gil_is_released_while_the_engine_works(tmp_path: Path) -> None:
    """A thread waits inside the engine for a SQLite write lock held by another process,
    which lets go only when this (Python) thread tells it to. Were the GIL held during
    the wait, this thread could never run to say so, and the booking would fail with a
    busy storage error after the 30 s busy timeout.

    The lock is held from another process on purpose: POSIX file locks do not exclude
    each other within one process, so Python's own sqlite3 module could not block the
    engine's (separately linked) SQLite from the same process."""
    path = tmp_path / "gil.db"
    engine = Engine(path, clock=ManualClock(T0))
    engine.create_resource("desk-1")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "locked"
    outcome: list[Booking] = []
    finished: list[float] = []

    def book() -> None:
        outcome.append(engine.book("desk-1", "ann", T0, T0 + timedelta(hours=1)))
        finished.append(time.monotonic())

    inside = threading.Thread(target=book)
    inside.start()
    time.sleep(0.3)
    assert outcome == [], "the booking waits for the write lock"
    assert inside.is_alive()
    released = time.monotonic()
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert holder.wait(timeout=20) == 0
    inside.join(timeout=20)
    assert [b.id for b in outcome] == ["bk_1"]
    assert finished[0] >= released, "the booking went through only once the lock was free"


@pytest.mark.parametrize("path", [None, "file"])
def test_an_engine_works_from_a_thread_that_did_not_make_it(tmp_path: Path, path: str | None) -> None:
    engine = Engine(None if path is None else tmp_path / "other.db", clock=ManualClock(T0))
    engine.create_resource("desk-1")
    result: list[str] = []
    t = threading.Thread(target=lambda: result.append(engine.book("desk-1", "ann", T0, T0 + timedelta(hours=1)).id))
    t.start()
    t.join()
    assert result == ["bk_1"]
