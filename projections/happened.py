"""The board as it was by what had happened by an instant (`happened_by`).

`as_of` answers what the log held at an instant: events count by when they
were recorded. `happened_by` answers what had happened by then: an entry
made at 11:07 about a hand-over at 08:10 counts from 08:10.

The rule, so that no event is folded without those it stands on: an event's
effective time is the latest of

- when it happened (its `occurred_at`; every stored event has one, the moment
  it was recorded unless the command said otherwise),
- the effective time of every earlier event of the same aggregate (a request
  is never released before it was asked, whatever the entries say), and
- the effective time of the inspection's opening, which is the earliest
  time anything in the inspection happened (an inspection opened in the
  system at 11:07 for a notification call at 08:10 holds, by 09:00, what
  happened by 09:00; nothing is folded before the inspection it belongs to).

So each aggregate's events count as a prefix, in their own order. The events
whose effective time is at or before the instant are folded in the log's
order. The read models' global part (users, organisations) is folded whole
up to the log position read: who was who is bookkeeping, not the story.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from projections.events import LoggedEvent
from projections.views import Views
from warroom.event_index import GLOBAL

# Reads the events under one key of the index after one position, up to another.
KeyReader = Callable[[str, int, int], Iterator[LoggedEvent]]


def effective_times(
    events: Iterable[LoggedEvent],
) -> Iterator[tuple[float, LoggedEvent]]:
    """Each of one inspection's events (in log order) with its effective
    time, as seconds since 1970 (the rule is in this module's docstring)."""
    listed = list(events)
    # The opening counts from the first thing that happened in the inspection.
    opened = min((e.occurred_at.timestamp() for e in listed), default=0.0)
    latest: dict[str, float] = {}  # by aggregate
    for event in listed:
        happened = (
            opened
            if event.type == "InspectionOpened"
            else event.occurred_at.timestamp()
        )
        effective = max(happened, latest.get(event.aggregate_id, float("-inf")), opened)
        latest[event.aggregate_id] = effective
        yield effective, event


def happened_by(
    instant: datetime, events: Iterable[LoggedEvent]
) -> Iterator[LoggedEvent]:
    """The events that had happened by `instant`, in the log's order."""
    cutoff = instant.timestamp()
    return (event for when, event in effective_times(events) if when <= cutoff)


def replay_happened(
    instant: datetime, position: int, inspection_id: str, read_key: KeyReader
) -> Views:
    """The global part and one inspection's read models as they were by what
    had happened by `instant`, of the log up to `position`. Its `position` is
    the log's position read; its `recorded_at` ("now", for ages and overdue
    marks) is the instant itself."""
    views = Views()
    for event in heapq.merge(
        read_key(GLOBAL, 0, position),
        happened_by(instant, read_key(inspection_id, 0, position)),
        key=lambda e: e.position,
    ):
        views.apply(event)
    views.position = position
    views.recorded_at = instant.isoformat()
    return views


class RecentReplays:
    """The last few `happened_by` replays, by (inspection, instant, position):
    the page asks every panel about the same instant at once, and the answer
    of one replay serves them all (a later position is a new replay)."""

    def __init__(self, most: int = 8) -> None:
        self.most = most
        self._kept: OrderedDict[tuple[str, float, int], Views] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        inspection_id: str,
        instant: datetime,
        position: int,
        make: Callable[[], Views],
    ) -> Views:
        key = (inspection_id, instant.timestamp(), position)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        made = make()
        with self._lock:
            self._kept[key] = made
            while len(self._kept) > self.most:
                self._kept.popitem(last=False)
        return made
