"""Datetimes in, datetimes out: every way of giving a time reaches the engine as the
same instant, on the fast path (`book`, `hold`) and on the general one alike."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from slotwise import Actor, Engine, InvalidInputError, ManualClock

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


class NoOffset(tzinfo):
    """A tzinfo that knows no offset: such a datetime is naive, by Python's rules."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


@pytest.fixture
def engine() -> Engine:
    engine = Engine(clock=ManualClock(T0))
    engine.create_resource("desk-1", timezone="Europe/London", capacity=100)
    return engine


@pytest.mark.parametrize("way", ["book", "hold", "explain"])
def test_every_kind_of_time_names_the_same_instant(engine: Engine, way: str) -> None:
    want = datetime(2026, 6, 1, 9, tzinfo=UTC)
    starts: list[datetime | str] = [
        want,
        want.astimezone(ZoneInfo("Europe/London")),  # 10:00 BST
        want.astimezone(timezone(timedelta(hours=5, minutes=45))),
        "2026-06-01T09:00:00Z",
        "2026-06-01T10:00",  # wall time in the resource's zone
    ]
    for start in starts:
        end = want + timedelta(hours=1)
        if way == "explain":
            assert engine.explain("desk-1", "ann", start, end).bookable, start
            continue
        booking = getattr(engine, way)("desk-1", "ann", start, end)
        assert booking.start == want, start
        assert booking.start.tzinfo is UTC


def test_milliseconds_are_kept_and_finer_parts_cut(engine: Engine) -> None:
    # Whole minutes are the default granularity; an admin may override it.
    admin = Actor("ops", "admin")
    start = datetime(2026, 6, 1, 9, 0, 0, 123_999, tzinfo=UTC)
    booking = engine.book("desk-1", "ann", start, start + timedelta(hours=1), override_policies=True, actor=admin)
    assert booking.start == datetime(2026, 6, 1, 9, 0, 0, 123_000, tzinfo=UTC)
    assert booking.to_dict()["start"] == "2026-06-01T09:00:00.123Z"
    ms = datetime(2026, 6, 1, 9, 0, 0, 1_000, tzinfo=UTC)
    assert engine.book("desk-1", "bob", ms, ms + timedelta(hours=1), override_policies=True, actor=admin).start == ms


def test_a_tzinfo_without_an_offset_is_naive(engine: Engine) -> None:
    for bad in (datetime(2026, 6, 1, 9), datetime(2026, 6, 1, 9, tzinfo=NoOffset())):
        with pytest.raises(InvalidInputError) as caught:
            engine.book("desk-1", "ann", bad, T0 + timedelta(days=100))
        assert caught.value.details == {"field": "start"}
        with pytest.raises(InvalidInputError) as caught:
            engine.hold("desk-1", "ann", T0 + timedelta(days=100), bad)
        assert caught.value.details == {"field": "end"}


def test_instants_before_1970_are_refused(engine: Engine) -> None:
    early = datetime(1969, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(InvalidInputError) as caught:
        engine.book("desk-1", "ann", early, early + timedelta(hours=2))
    assert caught.value.details == {"field": "start"}


def test_results_are_aware_utc_datetimes(engine: Engine) -> None:
    booking = engine.book("desk-1", "ann", "2026-03-29T00:30", "2026-03-29T03:00")
    assert booking.start == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert booking.end == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 03:00 BST
    assert booking.created_at == T0
