"""Answering "as it stood then": checkpoints of the read models, and a timeline.

A question about position N starts from the nearest checkpoint at or before
N and folds in only the events between. Checkpoints share their records (see
`projections.base`), so hundreds of them fit in memory; the oldest-used are
dropped past a cap and made again by the next replay that passes them.
"""

from __future__ import annotations

import base64
import bisect
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime

from typing_extensions import TypedDict

from projections.events import LoggedEvent
from projections.views import Views


class TimelineJson(TypedDict):
    positions: str  # base64 of the machine array
    instants: str


class Timeline:
    """Which log position was the latest at a given recording instant."""

    def __init__(self) -> None:
        self.positions = array("q")
        # Running maximum of recording times, so that it can be bisected even
        # when two processes' clocks put two neighbours slightly out of order.
        self.instants = array("d")

    def add(self, position: int, recorded_at: datetime) -> None:
        instant = recorded_at.timestamp()
        if self.instants and self.instants[-1] > instant:
            instant = self.instants[-1]
        self.positions.append(position)
        self.instants.append(instant)

    def position_at(self, instant: datetime) -> int:
        index = bisect.bisect_right(self.instants, instant.timestamp())
        return self.positions[index - 1] if index else 0

    def copy(self) -> Timeline:
        clone = Timeline()
        clone.positions = array("q", self.positions)
        clone.instants = array("d", self.instants)
        return clone

    def to_json(self) -> TimelineJson:
        # Raw machine arrays, base64: a million positions stay a few megabytes
        # and load at memory speed.
        return {
            "positions": base64.b64encode(self.positions.tobytes()).decode(),
            "instants": base64.b64encode(self.instants.tobytes()).decode(),
        }

    @classmethod
    def from_json(cls, raw: TimelineJson) -> Timeline:
        timeline = cls()
        timeline.positions.frombytes(base64.b64decode(raw["positions"]))
        timeline.instants.frombytes(base64.b64decode(raw["instants"]))
        return timeline


# Reads the events after one position up to and including another.
EventReader = Callable[[int, int], Iterator[LoggedEvent]]


class Checkpoints:
    def __init__(self, every: int, cap: int) -> None:
        self.every = every
        self.cap = cap
        self._by_position: OrderedDict[int, Views] = OrderedDict()
        self._sorted: list[int] = []
        self._lock = threading.Lock()

    def offer(self, views: Views, last_position: int) -> None:
        """Keeps a copy if `views` just crossed into a new stretch of the log."""
        if views.position // self.every == last_position // self.every:
            return
        with self._lock:
            if views.position in self._by_position:
                return
            self._by_position[views.position] = views.copy()
            bisect.insort(self._sorted, views.position)
            while len(self._by_position) > self.cap:
                dropped, _ = self._by_position.popitem(last=False)
                self._sorted.remove(dropped)

    def nearest(self, position: int) -> Views | None:
        with self._lock:
            index = bisect.bisect_right(self._sorted, position)
            if not index:
                return None
            found = self._sorted[index - 1]
            self._by_position.move_to_end(found)
            return self._by_position[found]

    def __len__(self) -> int:
        return len(self._by_position)


def replay_to(
    position: int, checkpoints: Checkpoints, read_events: EventReader
) -> Views:
    """The read models exactly as they stood after the event at `position`."""
    start = checkpoints.nearest(position)
    views = start.copy() if start is not None else Views()
    for event in read_events(views.position, position):
        last = views.position
        views.apply(event)
        checkpoints.offer(views, last)
    views.position = max(views.position, position)
    return views
