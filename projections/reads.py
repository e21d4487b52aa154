"""Asking the read models, after this process's own writes, now or in the past.

Read-your-writes: every save in this process moves `last_saved` on, and a
read waits (up to `wait_seconds`) until the read models include it, so a read
made after a command on the same server reflects it. Across servers, a client
passes the position it was answered as `min_position`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from projections.follower import ReadSide
from projections.views import InspectionViews, Views
from warroom.application import WarRoom
from warroom.domain.base import NotFound
from warroom.domain.meeting import Slot

T = TypeVar("T")

# A question to one inspection's read models; the second argument holds what
# every inspection shares (users, when the log was recorded).
Question = Callable[[InspectionViews, Views], T]


class ReadTimeout(Exception):
    """The read models did not reach a position in time."""


class Reader:
    """One server process's way of asking its read models."""

    def __init__(self, app: WarRoom, read_side: ReadSide, wait_seconds: float) -> None:
        self.read_side = read_side
        self.wait_seconds = wait_seconds
        # The last position this process saved: a read waits for it.
        self.last_saved = 0
        self._lock = threading.Lock()
        app.on_save(self._saved)

    def _saved(self, position: int) -> None:
        with self._lock:
            self.last_saved = max(self.last_saved, position)

    def catch_up(self, min_position: int = 0) -> None:
        """Waits until the read models include this process's last save."""
        wanted = max(self.last_saved, min_position)
        if not self.read_side.wait_for(wanted, self.wait_seconds):
            why = self.read_side.error
            raise ReadTimeout(
                f"the read models have not reached position {wanted} yet"
                + (f": {why}" if why else "")
            )

    def calendar(self, inspection_id: str) -> list[Slot]:
        """The inspection's meetings, for clash warnings on a meeting command."""
        self.catch_up()
        return self.read_side.read(
            lambda views: (
                views.inspections[inspection_id].schedule.slots()
                if inspection_id in views.inspections
                else []
            )
        )

    def ask(
        self,
        inspection_id: str,
        question: Question[T],
        *,
        at: int | None = None,
        as_of: datetime | None = None,
        min_position: int = 0,
    ) -> tuple[T, int]:
        """Asks one inspection's read models, now or as they stood in the past.

        Returns the answer and the log position it is true at.
        """
        if as_of is not None:
            at = self.read_side.position_at(as_of)
        if at is not None:
            views = self.read_side.as_of(at)
            return _answer(views, inspection_id, question), views.position
        self.catch_up(min_position)
        return self.read_side.read(
            lambda views: (_answer(views, inspection_id, question), views.position)
        )


def _answer(views: Views, inspection_id: str, question: Question[T]) -> T:
    inspection = views.inspections.get(inspection_id)
    if inspection is None:
        raise NotFound(
            f"no inspection with id {inspection_id} at position {views.position}"
        )
    return question(inspection, views)
