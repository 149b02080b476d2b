"""Result records behave the same whether the engine's answer came back converted (a
dict) or lazily (the `LazyResult` of `book` and `hold`)."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

from slotwise import Booking, Engine, ManualClock, _native

UTC = timezone.utc


@pytest.fixture
def engine() -> Engine:
    engine = Engine(clock=ManualClock(datetime(2026, 3, 2, 8, tzinfo=UTC)))
    engine.create_resource("desk-1", timezone="Europe/London")
    return engine


def test_a_lazy_booking_equals_the_same_booking_read_back(engine: Engine) -> None:
    booked = engine.book("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00", title="Focus")
    assert isinstance(booked._data, _native.LazyResult)
    read = engine.booking(booked.id)
    assert isinstance(read._data, dict)
    assert booked == read and read == booked
    assert hash(booked) == hash(read)
    assert booked.to_dict() == read.to_dict()
    assert repr(booked) == repr(read)
    assert booked.title == "Focus" and booked.check_in is not None
    assert booked.check_in.opens_at == datetime(2026, 3, 2, 8, 45, tzinfo=UTC)


def test_lazy_results_act_as_read_only_mappings(engine: Engine) -> None:
    data = engine.hold("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00")._data
    assert isinstance(data, _native.LazyResult)
    assert data["status"] == "held" and data.get("nope") is None and data.get("nope", 7) == 7
    assert "id" in data and "nope" not in data
    assert len(data) == len(data.keys()) == len(data.to_dict())
    with pytest.raises(KeyError):
        data["nope"]
    assert data == data.to_dict()
    assert data != 42


def test_to_dict_is_a_copy(engine: Engine) -> None:
    booked = engine.book("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00", metadata={"a": [1]})
    copy = booked.to_dict()
    copy["metadata"]["a"].append(2)
    assert booked.metadata == {"a": [1]}


def test_records_pickle_and_stay_read_only(engine: Engine) -> None:
    booked = engine.book("desk-1", "ann", "2026-03-02T09:00", "2026-03-02T10:00")
    again = pickle.loads(pickle.dumps(booked))
    assert type(again) is Booking and again == booked
    with pytest.raises(AttributeError):
        booked.status = "cancelled"
