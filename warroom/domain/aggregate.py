"""The war room's aggregates: the library's, recorded on the clock of their context.

An event's `timestamp` is when it was written down. The server writes down
what it is told at once, so that is the server's clock, always. A loader that
writes a history already scripted (the demo, `entrypoints.demo`) writes each
event down at the moment it happened instead: it runs on a moving clock of its
own, set for its work alone with `recorded_on`, so that its log reads as a
real day's (replay by `as_of`, the Merkle tree's leaves and the checkpoints
all see the times it was written down, non-decreasing in log order).

The library takes an event's timestamp from its class's `create_timestamp()`
(`Aggregate.trigger_event` and `_create`); this base's events ask the clock of
the current context first. A `ContextVar`, not a setting: it holds for the
thread (or task) that set it, never for a server's requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from eventsourcing import domain

# None: the server's clock (the library's own, UTC).
_clock: ContextVar[Callable[[], datetime] | None] = ContextVar(
    "warroom_recording_clock", default=None
)


class Aggregate(domain.Aggregate):
    """The library's aggregate, its events recorded on the context's clock."""

    class Event(domain.Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            clock = _clock.get()
            return domain.datetime_now_with_tzinfo() if clock is None else clock()


@contextmanager
def recorded_on(clock: Callable[[], datetime]) -> Iterator[None]:
    """Within: every event is recorded at `clock()` (timezone-aware), not now.

    For loaders of a scripted history only: the caller keeps the times it
    gives non-decreasing and never later than now."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)
