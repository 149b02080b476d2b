"""Each exception class, raised by a real call, with its attributes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import slotwise
from slotwise import (
    Actor,
    AlreadyExistsError,
    AmbiguousLocalTimeError,
    CheckInNotOpenError,
    ConflictError,
    Engine,
    ForbiddenError,
    HasFutureBookingsError,
    HoldExpiredError,
    IdempotencyKeyReusedError,
    InternalError,
    InvalidInputError,
    InvalidTransitionError,
    LocalTimeError,
    ManualClock,
    NonexistentLocalTimeError,
    NotFoundError,
    NotFullError,
    PolicyViolationError,
    ResourceArchivedError,
    SeriesRejectedError,
    SlotwiseError,
    StorageError,
    UnknownTimezoneError,
    VersionConflictError,
    WaitlistFullError,
)
from slotwise import _native

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def engine(clock: ManualClock) -> Engine:
    engine = Engine(clock=clock)
    engine.create_resource("desk-1", timezone="Europe/London", tags=["desk"])
    engine.create_resource("desk-2", timezone="Europe/London", tags=["desk"])
    return engine


def test_conflict_names_the_occupant_and_offers_alternatives(engine: Engine) -> None:
    ann = engine.book("desk-1", "ann", at(9), at(10))
    with pytest.raises(ConflictError) as caught:
        engine.book("desk-1", "bob", at(9, 30), at(10, 30))
    error = caught.value
    assert isinstance(error, SlotwiseError)
    assert error.code == "conflict"
    assert [c.id for c in error.conflicts] == [ann.id]
    assert error.alternatives, "a free desk nearby is offered"
    assert {a.resource for a in error.alternatives} >= {"desk-2"}
    assert "conflict" in str(error)
    assert engine.rejections.conflicts == 1


def test_policy_violation_lists_every_rule_broken(engine: Engine) -> None:
    engine.put_policy("short", scope="global", rules={"max_duration_mins": 60})
    with pytest.raises(PolicyViolationError) as caught:
        engine.book("desk-1", "ann", at(9), at(12))
    assert [v.code for v in caught.value.violations] == ["max_duration"]
    assert engine.rejections.policy_violations == 1


def test_hold_expired(engine: Engine, clock: ManualClock) -> None:
    hold = engine.hold("desk-1", "ann", at(9), at(10), ttl_secs=60)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(HoldExpiredError) as caught:
        engine.confirm(hold.id)
    assert caught.value.details["booking"] == hold.id


def test_not_found_is_a_lookup_error(engine: Engine) -> None:
    with pytest.raises(NotFoundError) as caught:
        engine.booking("bk_404")
    assert isinstance(caught.value, LookupError)


def test_already_exists(engine: Engine) -> None:
    with pytest.raises(AlreadyExistsError):
        engine.create_resource("desk-1")


def test_invalid_transition(engine: Engine) -> None:
    booking = engine.book("desk-1", "ann", at(9), at(10))
    engine.cancel(booking.id)
    with pytest.raises(InvalidTransitionError) as caught:
        engine.cancel(booking.id)
    assert caught.value.details["from"] == "cancelled"


def test_version_conflict(engine: Engine) -> None:
    with pytest.raises(VersionConflictError) as caught:
        engine.update_resource("desk-1", name="Desk one", expected_version=7)
    assert caught.value.details == {"expected": 7, "actual": 1}


def test_idempotency_key_reused(engine: Engine) -> None:
    first = engine.book("desk-1", "ann", at(9), at(10), idempotency_key="k1")
    assert engine.book("desk-1", "ann", at(9), at(10), idempotency_key="k1") == first
    with pytest.raises(IdempotencyKeyReusedError):
        engine.book("desk-2", "ann", at(9), at(10), idempotency_key="k1")


def test_local_time_errors_are_value_errors(engine: Engine) -> None:
    # Europe/London springs forward at 01:00 on 2026-03-29 and falls back at 02:00 on
    # 2026-10-25.
    with pytest.raises(NonexistentLocalTimeError) as gap:
        engine.book("desk-1", "ann", "2026-03-29T01:30", "2026-03-29T03:00")
    with pytest.raises(AmbiguousLocalTimeError) as fold:
        engine.book("desk-1", "ann", "2026-10-25T01:30", "2026-10-25T03:00")
    for error in (gap.value, fold.value):
        assert isinstance(error, LocalTimeError)
        assert isinstance(error, ValueError)
    later = engine.book("desk-1", "ann", "2026-10-25T01:30", "2026-10-25T03:00", disambiguation="later")
    assert later.start == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_unknown_timezone(engine: Engine) -> None:
    with pytest.raises(UnknownTimezoneError) as caught:
        engine.create_resource("desk-9", timezone="Mars/Olympus")
    assert isinstance(caught.value, ValueError)


def test_naive_datetime_is_a_value_error_not_a_guess(engine: Engine) -> None:
    with pytest.raises(ValueError) as caught:
        engine.book("desk-1", "ann", datetime(2026, 3, 2, 9), at(10))
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.details == {"field": "start"}
    with pytest.raises(InvalidInputError):
        engine.free_windows(["desk-1"], datetime(2026, 3, 2), at(10))
    with pytest.raises(InvalidInputError):
        ManualClock(datetime(2026, 3, 2))
    assert engine.bookings(resource="desk-1") == [], "nothing was written"


def test_invalid_input(engine: Engine) -> None:
    with pytest.raises(InvalidInputError) as caught:
        engine.book("desk-1", "ann", at(10), at(9))
    assert isinstance(caught.value, ValueError)
    with pytest.raises(InvalidInputError):
        engine.execute({"type": "book", "resource": "desk-1", "bogus": 1})
    with pytest.raises(InvalidInputError):
        Engine(config={"hold_ttl_secs": "soon"})


def test_values_without_a_json_form_are_type_errors(engine: Engine) -> None:
    with pytest.raises(TypeError):
        engine.book("desk-1", "ann", at(9), at(10), metadata={"when": object()})
    assert engine.bookings(resource="desk-1") == []


def test_numbers_without_a_json_form_are_value_errors(engine: Engine) -> None:
    for bad in (2**64, -(2**63) - 1, float("nan"), float("inf")):
        with pytest.raises(InvalidInputError) as caught:
            engine.book("desk-1", "ann", at(9), at(10), metadata={"n": bad})
        assert caught.value.details == {"field": "n"}
    assert engine.bookings(resource="desk-1") == []


def test_nesting_is_bounded_and_cycles_do_not_crash(engine: Engine) -> None:
    looped: list[object] = []
    looped.append(looped)
    deep: dict[str, object] = {}
    for _ in range(10_000):
        deep = {"k": deep}
    for metadata in ({"loop": looped}, deep):
        with pytest.raises(InvalidInputError):
            engine.book("desk-1", "ann", at(9), at(10), metadata=metadata)
        with pytest.raises(InvalidInputError):
            engine.execute({"type": "book", "resource": "desk-1", "member": "ann",
                            "start": "2026-03-02T09:00", "end": "2026-03-02T10:00", "metadata": metadata})
    # Deeper than a store can read back (SPEC I7): refused by the engine itself.
    forty: dict[str, object] = {}
    for _ in range(39):
        forty = {"k": forty}
    with pytest.raises(InvalidInputError) as caught:
        engine.book("desk-1", "ann", at(9), at(10), metadata=forty)
    assert "40 levels" in str(caught.value)
    assert engine.bookings(resource="desk-1") == []


def test_errors_pickle_and_copy_with_code_and_details(engine: Engine) -> None:
    import copy
    import pickle

    try:
        engine.booking("bk_404")
    except NotFoundError as e:
        for again in (pickle.loads(pickle.dumps(e)), copy.copy(e)):
            assert type(again) is NotFoundError
            assert (again.code, again.message, again.details) == (e.code, e.message, e.details)
            assert str(again) == str(e)


def test_resource_archived_and_has_future_bookings(engine: Engine) -> None:
    engine.book("desk-1", "ann", at(9), at(10))
    with pytest.raises(HasFutureBookingsError):
        engine.archive_resource("desk-1")
    outcome = engine.archive_resource("desk-1", force=True, reason="moving out")
    assert len(outcome.ended_bookings) == 1
    with pytest.raises(ResourceArchivedError):
        engine.book("desk-1", "bob", at(11), at(12))


def test_check_in_not_open(engine: Engine) -> None:
    booking = engine.book("desk-1", "ann", at(15), at(16))
    with pytest.raises(CheckInNotOpenError):
        engine.check_in(booking.id)


def test_forbidden_is_a_permission_error(engine: Engine) -> None:
    booking = engine.book("desk-1", "ann", at(9), at(10))
    with pytest.raises(ForbiddenError) as caught:
        engine.force_cancel(booking.id, reason="ill", actor=Actor("ann", "member"))
    assert isinstance(caught.value, PermissionError)


def test_waitlist_errors(engine: Engine) -> None:
    with pytest.raises(NotFullError):
        engine.join_waitlist("bob", at(9), at(10), resource="desk-1")
    small = Engine(clock=ManualClock(T0), config={"max_waitlist_length": 1})
    small.create_resource("desk-1")
    small.book("desk-1", "ann", at(9), at(10))
    small.join_waitlist("bob", at(9), at(10), resource="desk-1")
    with pytest.raises(WaitlistFullError):
        small.join_waitlist("cy", at(9), at(10), resource="desk-1")


def test_series_rejected_names_the_failing_occurrences(engine: Engine) -> None:
    engine.book("desk-1", "bob", at(9, day=9), at(10, day=9))
    with pytest.raises(SeriesRejectedError) as caught:
        engine.book_series(
            "desk-1",
            "ann",
            start="2026-03-02T09:00",
            end="2026-03-02T10:00",
            recurrence={"rrule": "FREQ=WEEKLY;COUNT=3"},
        )
    assert caught.value.details, "the failures are in the details"
    assert len(engine.bookings(member="ann")) == 0


def test_storage_error_names_its_fault(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError) as caught:
        Engine(garbage)
    assert caught.value.fault == "not_a_database"
    assert garbage.read_bytes() == b"this is not a database" * 100


def test_a_panic_in_rust_is_an_internal_error_not_a_crash() -> None:
    with pytest.raises(InternalError) as caught:
        _native._panic_in_guard("deliberate")
    assert caught.value.code == "internal"
    assert "deliberate" in str(caught.value)
    # The interpreter and a fresh engine still work afterwards.
    assert Engine().resources() == []


def test_every_error_class_is_exported_and_keeps_code_and_details() -> None:
    for name in slotwise._errors.__all__:
        cls = getattr(slotwise, name)
        assert issubclass(cls, SlotwiseError)
        error = cls("some_code", "some message", {"k": 1})
        assert (error.code, error.message, error.details) == ("some_code", "some message", {"k": 1})
