"""Answering "as it stood then": checkpoints of the read models, and a timeline.

A question about position N starts from the nearest checkpoint at or before
N and folds in only the events between. Checkpoints share their records (see
`projections.base`), so hundreds of them fit in memory; the oldest-used are
dropped past a cap and made again by the next replay that passes them.
"""

from __future__ import annotations

import base64
import bisect
import heapq
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Generic, TypeVar

from typing_extensions import TypedDict

from projections.events import LoggedEvent
from projections.views import InspectionViews, Views
from warroom.event_index import GLOBAL


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


# --- one inspection as it stood then (issue 14) --------------------------------
#
# A past view of one inspection needs its own events and the global part's
# (users, organisations), both read through the index: the cost of a past
# question does not grow with other inspections' events. Checkpoints are kept
# per inspection (shallow copies of one inspection's read models) and for the
# global part, each within the same cap: they never copy every inspection.

S = TypeVar("S", InspectionViews, Views)

# Reads the events under one key of the index after one position, up to another.
KeyReader = Callable[[str, int, int], Iterator[LoggedEvent]]


class Marks(Generic[S]):
    """Copies of read models by (key, position), least recently used dropped
    past `cap`: a copy at position P holds every event of its key up to P."""

    def __init__(self, every: int, cap: int) -> None:
        self.every = every
        self.cap = cap
        self._by_mark: OrderedDict[tuple[str, int], S] = OrderedDict()
        self._sorted: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    def offer(
        self, key: str, position: int, last: int, snapshot: Callable[[], S]
    ) -> None:
        """Keeps `snapshot()` if `key` just crossed into a new stretch."""
        if position // self.every == last // self.every:
            return
        with self._lock:
            if (key, position) in self._by_mark:
                return
            self._by_mark[(key, position)] = snapshot()
            bisect.insort(self._sorted.setdefault(key, []), position)
            while len(self._by_mark) > self.cap:
                (dropped_key, dropped), _ = self._by_mark.popitem(last=False)
                positions = self._sorted[dropped_key]
                positions.remove(dropped)
                if not positions:
                    del self._sorted[dropped_key]

    def nearest(self, key: str, position: int) -> tuple[int, S] | None:
        with self._lock:
            positions = self._sorted.get(key, [])
            index = bisect.bisect_right(positions, position)
            if not index:
                return None
            found = positions[index - 1]
            self._by_mark.move_to_end((key, found))
            return found, self._by_mark[(key, found)]

    def __len__(self) -> int:
        return len(self._by_mark)


class InspectionMarks:
    """The checkpoints past questions about one inspection start from."""

    def __init__(self, every: int, cap: int) -> None:
        self.inspections: Marks[InspectionViews] = Marks(every, cap)
        self.global_part: Marks[Views] = Marks(every, cap)


def replay_inspection(
    position: int,
    inspection_id: str,
    marks: InspectionMarks,
    read_key: KeyReader,
    recorded_at: Callable[[int], str | None],
) -> Views:
    """The global part and one inspection's read models exactly as they
    stood after the event at `position` (no other inspection's)."""
    start = marks.global_part.nearest(GLOBAL, position)
    global_from, views = (start[0], start[1].copy_global()) if start else (0, Views())
    mark = marks.inspections.nearest(inspection_id, position)
    inspection_from = 0
    if mark is not None:
        inspection_from = mark[0]
        views.inspections[inspection_id] = mark[1].copy()
    global_last = global_from
    for event in heapq.merge(
        read_key(GLOBAL, global_from, position),
        read_key(inspection_id, inspection_from, position),
        key=lambda e: e.position,
    ):
        inspection = views.inspections.get(inspection_id)
        last = inspection.position if inspection is not None else 0
        views.apply(event)
        if event.inspection_id == inspection_id and not event.is_internal:
            folded = views.inspections.get(inspection_id)
            if folded is not None:
                marks.inspections.offer(
                    inspection_id, event.position, last, folded.copy
                )
        else:
            marks.global_part.offer(
                GLOBAL, event.position, global_last, views.copy_global
            )
            global_last = event.position
    _own_part(views, inspection_id, read_key)
    views.position = position
    views.recorded_at = recorded_at(position)
    return views


def _own_part(views: Views, inspection_id: str, read_key: KeyReader) -> None:
    """The inspection's organisation and phase in the global part: started
    from the inspection's mark, the replay never folded its opening, and a
    global mark older than the opening does not hold them."""
    inspection = views.inspections.get(inspection_id)
    if inspection is None:
        return
    summary = inspection.inspection.opened
    views.phases[inspection_id] = summary["phase"]
    if inspection_id in views.inspection_organisations:
        return
    opened = summary["opened_at_position"]
    for event in read_key(inspection_id, opened - 1, opened):
        organisation_id = event.data.get("organisation_id")
        views.inspection_organisations[inspection_id] = organisation_id
