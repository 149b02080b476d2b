"""A day at a small coworking space, through the Python package.

Books desks, a weekly team meeting, runs into a conflict and takes an alternative, and
joins a waitlist that turns into a booking when someone cancels.

Run: ``python examples/python/coworking.py [FILE]`` — in memory, or on a new SQLite
file ``FILE``, after ``pip install ./bindings-python``.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone

import slotwise
from slotwise import ConflictError, Engine, ManualClock


def main(path: str | None = None) -> None:
    if path is not None and os.path.exists(path):
        sys.exit(f"{path} exists; the example sets up a new space, so give it a new file")
    # A manual clock keeps the example deterministic; leave it out to use real time.
    clock = ManualClock(datetime(2026, 3, 2, 7, 30, tzinfo=timezone.utc))
    engine = Engine(path, clock=clock)
    zone = "Europe/Berlin"
    for n in (1, 2, 3):
        engine.create_resource(f"desk-{n}", kind="desk", tags=["hot-desk"], timezone=zone)
    engine.create_resource("boardroom", kind="room", capacity=1, timezone=zone, tags=["room"])
    engine.put_policy(
        "house-rules",
        scope="global",
        rules={
            "max_duration_mins": 10 * 60,
            "opening_hours": {"weekly": {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}},
        },
    )

    # Wall-clock strings are read in the resource's timezone (Berlin is UTC+1 in March).
    ann = engine.book("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T17:00", title="Ann's day")
    print(f"booked   {ann.id}: {ann.resource} for {ann.member}, {ann.start:%H:%M}-{ann.end:%H:%M} UTC")

    # Aware datetimes work anywhere; this one is in UTC.
    noon = datetime(2026, 3, 2, 11, tzinfo=timezone.utc)
    try:
        engine.book("desk-1", "bob", noon, noon + timedelta(hours=2))
    except ConflictError as conflict:
        taken = ", ".join(c.id for c in conflict.conflicts)
        print(f"conflict with {taken}; {len(conflict.alternatives)} alternatives offered")
        pick = conflict.alternatives[0]
        bob = engine.book(pick.resource, "bob", pick.start, pick.end)
        print(f"booked   {bob.id}: {bob.resource} for bob instead ({pick.kind})")

    # A weekly team meeting: every Monday 10:00-11:00 for four weeks, one transaction.
    weekly = engine.book_series(
        "boardroom",
        "team",
        start="2026-03-02T10:00",
        end="2026-03-02T11:00",
        recurrence={"rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=4"},
        title="Team sync",
    )
    booked = [o for o in weekly.occurrences if o.outcome == "booked"]
    print(f"series   {weekly.series.id}: {len(booked)} Monday meetings booked")

    # The boardroom is taken at 10:00; cy queues for it.
    try:
        engine.book("boardroom", "cy", "2026-03-09T10:00", "2026-03-09T11:00")
    except ConflictError:
        entry = engine.join_waitlist("cy", "2026-03-09T10:00", "2026-03-09T11:00", resource="boardroom")
        print(f"waitlist {entry.entry.id}: cy is number {entry.position} in line")

        # The team skips that week; the freed slot is offered to cy, who claims it.
        engine.cancel_series(weekly.series.id, scope="one", occurrence="2026-03-09T10:00", reason="offsite")
        offered = engine.waitlist_entry(entry.entry.id)
        print(f"offer    {offered.entry.status} until {offered.entry.offer.expires_at:%H:%M} UTC"
              if offered.entry.offer else f"offer    {offered.entry.status}")
        claimed = engine.claim_waitlist_offer(entry.entry.id)
        print(f"claimed  -> {claimed.entry.status}, booking {claimed.entry.offer.booking if claimed.entry.offer else '?'}")

    # Availability: which desks are free for the afternoon?
    afternoon = datetime(2026, 3, 2, 13, tzinfo=timezone.utc)
    free = engine.free_resources(afternoon, afternoon + timedelta(hours=3), filter={"tags": ["hot-desk"]})
    print(f"free desks 14:00-17:00 Berlin: {', '.join(free)}")

    report = engine.integrity_check()
    print(f"integrity: {'ok' if report.ok else report.violations}; audit records: {len(engine.audit())}")
    print(f"slotwise {slotwise.__version__}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
