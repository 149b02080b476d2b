"""Result records: typed, read-only views over the engine's JSON results.

A record keeps the JSON form it came from and converts a field only when it is read, so
handing a result back to Python costs one small object whatever its size. Subclasses
declare their fields as annotations; each annotation becomes a read-only property:

    class Booking(Record):
        id: str
        start: datetime

Field names are the JSON keys, except that a Python keyword gets a trailing underscore
(``from_`` reads ``"from"``).
"""

from __future__ import annotations

import dataclasses
import keyword
import types
import typing
from datetime import datetime, timezone
from typing import Any, Callable, ClassVar, Mapping, TypeVar, Union

from . import _native

__all__ = ["Record", "parse_instant", "format_instant"]

R = TypeVar("R", bound="Record")
_MISSING = object()


def parse_instant(text: str) -> datetime:
    """An RFC 3339 UTC instant from the engine (``2026-03-02T09:00:00Z``) as an aware
    ``datetime`` in UTC."""
    if text[-1] == "Z":
        # A zero offset parses to the `timezone.utc` singleton itself.
        return datetime.fromisoformat(text[:-1] + "+00:00")
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def format_instant(value: datetime) -> str:
    """An aware ``datetime`` as the engine writes instants: UTC, ``Z``, whole seconds
    unless there are milliseconds."""
    utc = value.astimezone(timezone.utc)
    spec = "seconds" if utc.microsecond == 0 else "milliseconds"
    return utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


class _Field:
    """A read-only property over one JSON key, converting on read."""

    __slots__ = ("name", "key", "owner", "convert")

    def __init__(self, name: str, owner: type) -> None:
        self.name = name
        self.key = name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name
        self.owner = owner
        self.convert: Callable[[Any], Any] | None = None

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        convert = self.convert
        if convert is None:
            convert = self.convert = _converter(_hints(self.owner)[self.name])
        value = obj._data.get(self.key)
        return None if value is None else convert(value)

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f"{type(obj).__name__}.{self.name} is read-only")


def _hints(owner: type) -> dict[str, Any]:
    return typing.get_type_hints(owner)


def _identity(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How to turn a JSON value into the annotated Python type."""
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else _identity
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        convert = _converter(item)
        if convert is _identity:
            return list
        return lambda values: [convert(v) for v in values]
    if origin is dict:
        args = typing.get_args(hint)
        convert = _converter(args[1]) if len(args) == 2 else _identity
        if convert is _identity:
            return dict
        return lambda values: {k: convert(v) for k, v in values.items()}
    if hint is datetime:
        return parse_instant
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint._wrap
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        cls = hint
        return lambda value: cls(**value)
    return _identity


class Record:
    """Base of every result record: read-only, compared by value, with a readable
    ``repr`` and its JSON form from ``to_dict()``."""

    __slots__ = ("_data",)
    _field_names: ClassVar[tuple[str, ...]] = ()
    # The JSON form: a dict, or for `Engine.book` and `Engine.hold` the native
    # LazyResult, which converts a field when it is first read.
    _data: dict[str, Any] | _native.LazyResult

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = [n for n in cls.__dict__.get("__annotations__", {}) if not n.startswith("_")]
        own = [n for n in own if "ClassVar" not in str(cls.__annotations__[n])]
        for name in own:
            setattr(cls, name, _Field(name, cls))
        cls._field_names = tuple(dict.fromkeys((*cls._field_names, *own)))

    def __init__(self, data: Mapping[str, Any]) -> None:
        _set_data(self, dict(data))

    @classmethod
    def _wrap(cls: type[R], data: dict[str, Any] | _native.LazyResult) -> R:
        record = _new(cls)
        _set_data(record, data)
        return record

    def to_dict(self) -> dict[str, Any]:
        """The record's JSON form, as the engine returned it (instants as RFC 3339
        strings); a deep copy, so changing it changes nothing here."""
        data = self._data
        if isinstance(data, dict):
            copy: dict[str, Any] = _copy(data)
            return copy
        return data.to_dict()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._data == other._data

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(sorted(self.to_dict().items(), key=lambda kv: kv[0]))))

    def __repr__(self) -> str:
        parts = []
        for name in self._field_names:
            value = getattr(self, name)
            if value is None or value == [] or value == {}:
                continue
            if isinstance(value, datetime):
                parts.append(f"{name}={format_instant(value)}")
            else:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.to_dict(),))


_new = object.__new__
# The slot's own setter: skips Record.__setattr__, which refuses every assignment.
_set_data = Record.__dict__["_data"].__set__


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
