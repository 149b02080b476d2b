"""slotwise: an embeddable booking engine that never double-books.

Reserve desks, rooms, seats or slots over time ranges, with holds, recurring series,
policies, waitlists, availability search and an audit trail, in memory or on a durable
SQLite file. The engine is written in Rust; this package is a thin layer over it with
the same semantics as every other slotwise binding.

>>> from datetime import datetime, timezone
>>> import slotwise
>>> engine = slotwise.Engine()
>>> _ = engine.create_resource("room-1", timezone="Europe/London")
>>> engine.book("room-1", "ann", "2030-03-04T09:00", "2030-03-04T10:00").start
datetime.datetime(2030, 3, 4, 9, 0, tzinfo=datetime.timezone.utc)
"""

from . import _errors, _records, _types
from ._engine import Engine, ManualClock
from ._errors import *  # noqa: F403
from ._native import __version__
from ._record import Record
from ._records import *  # noqa: F403
from ._types import *  # noqa: F403

__all__ = ["Engine", "ManualClock", "Record", "__version__"]
__all__ += _errors.__all__
__all__ += _records.__all__
__all__ += _types.__all__
