"""Asking the read models, after this process's own writes, now or in the past.

Read-your-writes: every save in this process moves `last_saved` on, and a
read waits (up to `wait_seconds`) until the read models include it, so a read
made after a command on the same server reflects it. Across servers, a client
passes the position it was answered as `min_position`: that wait is an await
on the event loop (`wait_for_position`), never a worker thread, so clients
asking for positions still to come cannot tie up the threads commands need.
A position beyond the log's head is refused at once, and only so many reads
may wait at a time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
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


class PositionBeyondLog(Exception):
    """A read asked to wait for a position the log has not reached."""

    def __init__(self, position: int, head: int) -> None:
        super().__init__(
            f"min_position {position} is beyond the end of the log (position "
            f"{head}): pass a position a command was answered with"
        )
        self.position = position
        self.head = head


class TooManyWaiting(Exception):
    """As many reads as allowed are already waiting for a position."""


# One read waiting for a position: (position, tiebreak, future, its loop).
_Waiter = tuple[int, int, "asyncio.Future[None]", asyncio.AbstractEventLoop]


class Reader:
    """One server process's way of asking its read models."""

    def __init__(
        self,
        app: WarRoom,
        read_side: ReadSide,
        wait_seconds: float,
        max_waiting: int = 1000,
    ) -> None:
        self.app = app
        self.read_side = read_side
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        # The last position this process saved: a read waits for it.
        self._last_saved = 0
        self._lock = threading.Lock()
        # Reads awaiting a position, nearest first; touched under `_lock`.
        self._waiting: list[_Waiter] = []
        self._tiebreak = itertools.count()
        # The log's head as last read from the database, and when that read
        # began: a read that began after a request arrived answers for it.
        self._head = 0
        self._head_read_at = -1.0
        self._head_lock: asyncio.Lock | None = None
        app.on_save(self._saved)
        read_side.add_listener(lambda event, _: self._reached(event.position))

    @property
    def last_saved(self) -> int:
        """The last position this server saved, in any of its worker
        processes (`warroom.workers`)."""
        return max(self._last_saved, self.app.saved_by_any_worker())

    def _saved(self, position: int) -> None:
        with self._lock:
            self._last_saved = max(self._last_saved, position)

    def _reached(self, position: int) -> None:
        """Called from the read side's thread after each event is folded in."""
        if not self._waiting:  # the common case, without taking the lock
            return
        with self._lock:
            while self._waiting and self._waiting[0][0] <= position:
                _, _, future, loop = heapq.heappop(self._waiting)
                loop.call_soon_threadsafe(_resolve, future)

    async def wait_for_position(self, position: int) -> None:
        """Awaits (on the event loop) until the read models include `position`.

        Refused at once when the log has not reached `position`
        (PositionBeyondLog) or when `max_waiting` reads already wait
        (TooManyWaiting); ReadTimeout after `wait_seconds`.
        """
        if self.read_side.position >= position:
            return
        head = await self.log_head(asked_at=time.monotonic(), wanted=position)
        if position > head:
            raise PositionBeyondLog(position, head)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        waiter: _Waiter = (position, next(self._tiebreak), future, loop)
        with self._lock:
            if len(self._waiting) >= self.max_waiting:
                raise TooManyWaiting(
                    f"{self.max_waiting} reads are already waiting for a position"
                )
            heapq.heappush(self._waiting, waiter)
        # It may have arrived between the first look and joining the queue.
        if self.read_side.position >= position:
            _resolve(future)
        try:
            await asyncio.wait_for(future, self.wait_seconds)
        except TimeoutError:
            why = self.read_side.error
            raise ReadTimeout(
                f"the read models have not reached position {position} yet"
                + (f": {why}" if why else "")
            ) from None
        finally:
            self._forget(waiter)

    def _forget(self, waiter: _Waiter) -> None:
        with self._lock:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
                heapq.heapify(self._waiting)

    async def log_head(self, *, asked_at: float, wanted: int) -> int:
        """The log's last position, read from the database at most once at a
        time: everyone asking while a read is under way shares the next one."""
        known = max(self._head, self.last_saved, self.read_side.position)
        if wanted <= known:
            return known
        if self._head_lock is None:
            self._head_lock = asyncio.Lock()
        async with self._head_lock:
            if self._head_read_at < asked_at:
                self._head_read_at = time.monotonic()
                # The default executor, not the threadpool the routes use.
                try:
                    head = await asyncio.get_running_loop().run_in_executor(
                        None, self.app.recorder.max_notification_id
                    )
                except Exception as error:  # the database is away: wait, 503
                    raise ReadTimeout(f"cannot read the log's end: {error}") from None
                self._head = max(self._head, head or 0)
        return max(self._head, self.last_saved, self.read_side.position)

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
        happened_by: datetime | None = None,
        min_position: int = 0,
    ) -> tuple[T, int]:
        """Asks one inspection's read models, now or in the past: `at` a log
        position, `as_of` what the log held at an instant, `happened_by` what
        had happened by an instant (`projections.happened`).

        Returns the answer and the log position it is true at (for
        `happened_by`, the log position read). A past view's "now" (ages,
        overdue marks) is the instant asked about.
        """
        if happened_by is not None:
            self.catch_up(min_position)
            views = self.read_side.happened_by(happened_by, inspection_id)
            return _answer(views, inspection_id, question), views.position
        if as_of is not None:
            at = self.read_side.position_at(as_of)
        if at is not None:
            # Through the index: this inspection's events and the users',
            # never the rest of the log.
            views = self.read_side.as_of(at, inspection_id)
            if as_of is not None:
                views.recorded_at = as_of.isoformat()
            return _answer(views, inspection_id, question), views.position
        self.catch_up(min_position)
        return self.read_side.read(
            lambda views: (_answer(views, inspection_id, question), views.position)
        )


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _answer(views: Views, inspection_id: str, question: Question[T]) -> T:
    inspection = views.inspections.get(inspection_id)
    if inspection is None:
        # In words a person reads on a print page: no id, no log position.
        raise NotFound("no such inspection, or it had not been opened by then")
    return question(inspection, views)
