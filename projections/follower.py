"""The read side of one server process: follows the log, keeps the read models.

On start it loads the read models as last saved (with the library's tracking
record of how far they got) and follows the log from there, so a restart does
not replay from zero. Saving happens in the background, the read models and
their tracking record in one transaction.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking

from projections import saved
from projections.audit import Checkpoints, Timeline, replay_to
from projections.decoding import logged_event
from projections.events import LoggedEvent
from projections.subscription import subscribe
from projections.views import Changes, Views
from warroom.application import WarRoom
from warroom.storage import indexed

log = logging.getLogger(__name__)

T = TypeVar("T")

# Following again after a failure: first pause, and the longest.
RETRY_FIRST_SECONDS = 0.5
RETRY_MOST_SECONDS = 10.0
Listener = Callable[[LoggedEvent, Changes], None]


def read_events(
    app: WarRoom, after: int, upto: int | None, batch: int = 1000
) -> Iterator[LoggedEvent]:
    """The logged events after one position, up to another, oldest first."""
    position = after
    while upto is None or position < upto:
        notifications = app.recorder.select_notifications(
            start=position, limit=batch, stop=upto, inclusive_of_start=False
        )
        if not notifications:
            return
        for notification in notifications:
            yield logged_event(app.mapper, notification)
        position = notifications[-1].id


def indexed_events(
    app: WarRoom, key: str, after: int, upto: int | None, batch: int = 1000
) -> Iterator[LoggedEvent]:
    """The events under one key of the index (`warroom.event_index`) after
    one position, up to another, oldest first: nobody else's are read."""
    recorder = indexed(app.recorder)
    position = after
    while True:
        notifications = recorder.select_indexed(key, position, upto, batch)
        for notification in notifications:
            yield logged_event(app.mapper, notification)
        if len(notifications) < batch:
            return
        position = notifications[-1].id


def inspection_events(
    app: WarRoom, inspection_id: str, after: int = 0, upto: int | None = None
) -> Iterator[LoggedEvent]:
    """One inspection's events after one position, up to another, oldest first,
    through the index: the cost does not grow with other inspections' events.

    The log's own bookkeeping (users, tokens, idempotency records) is left out.
    """
    return indexed_events(app, inspection_id, after, upto)


class ReadSide:
    def __init__(
        self,
        app: WarRoom,
        *,
        poll_seconds: float = 0.25,
        checkpoint_every: int = 1000,
        checkpoint_cap: int = 400,
        save_every: int = 10_000,
        save_seconds: float = 30.0,
    ) -> None:
        self.app = app
        self.views = Views()
        self.timeline = Timeline()
        self.checkpoints = Checkpoints(every=checkpoint_every, cap=checkpoint_cap)
        self._poll_seconds = poll_seconds
        self._save_every = save_every
        self._save_seconds = save_seconds
        # What the database holds, and where the last attempt to save was:
        # after a failure, the next attempt is still a round away, not an event.
        self._saved_position = 0
        self._save_tried_at = 0
        self._lock = threading.Lock()
        self._advanced = threading.Condition(self._lock)
        self._listeners: list[Listener] = []
        self._stopping = threading.Event()
        self._save_now = threading.Event()
        self._error: BaseException | None = None
        self._subscription: Any = None
        self._threads: list[threading.Thread] = []

    # Life cycle.

    def start(self) -> None:
        self._load_saved()
        for target in (self._follow, self._save_in_background):
            thread = threading.Thread(target=target, name=target.__name__, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stopping.set()
        self._save_now.set()
        subscription = self._subscription
        if subscription is not None:
            subscription.stop()
        for thread in self._threads:
            thread.join(timeout=10)
        self.save()

    # Reading.

    @property
    def position(self) -> int:
        return self.views.position

    def read(self, question: Callable[[Views], T]) -> T:
        """Asks the current read models a question, while they hold still."""
        with self._lock:
            return question(self.views)

    def wait_for(self, position: int, timeout: float) -> bool:
        """Read-your-writes: waits until the read models include `position`."""
        deadline = time.monotonic() + timeout
        with self._advanced:
            while self.views.position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._advanced.wait(remaining)
        return True

    @property
    def error(self) -> BaseException | None:
        """Why the read side is not following the log just now, if it is not."""
        return self._error

    def as_of(self, position: int) -> Views:
        """The read models exactly as they stood after the event at `position`."""
        upto = min(position, self.position)
        return replay_to(
            upto, self.checkpoints, lambda a, b: read_events(self.app, a, b)
        )

    def position_at(self, instant: Any) -> int:
        with self._lock:
            return self.timeline.position_at(instant)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # Following.

    def _follow(self) -> None:
        """Follows the log until stopped; after a failure (the database went
        away, say) it waits a little longer each time and follows again from
        the last event it folded in."""
        pause = RETRY_FIRST_SECONDS
        while not self._stopping.is_set():
            try:
                self._follow_once()
            except Exception as error:  # reads must learn why they wait
                if self._stopping.is_set():
                    return
                log.exception("the read side lost the log; retrying in %.1f s", pause)
                self._error = error
                with self._advanced:
                    self._advanced.notify_all()
                self._stopping.wait(pause)
                pause = min(pause * 2, RETRY_MOST_SECONDS)
            else:
                return

    def _follow_once(self) -> None:
        self._subscription = subscribe(
            self.app, self.views.position, self._poll_seconds
        )
        if self._stopping.is_set():  # stop() came before there was anything to stop
            self._subscription.stop()
        with self._subscription:
            for notification in self._subscription:
                self.apply(logged_event(self.app.mapper, notification))
                self._error = None

    def apply(self, event: LoggedEvent) -> Changes:
        with self._advanced:
            if event.position <= self.views.position:
                return {}  # already folded in (a saved state ahead of the feed)
            last = self.views.position
            changes = self.views.apply(event)
            self.timeline.add(event.position, event.recorded_at)
            self.checkpoints.offer(self.views, last)
            self._advanced.notify_all()
        if event.position - self._save_tried_at >= self._save_every:
            self._save_now.set()
        for listener in list(self._listeners):
            try:
                listener(event, changes)
            except Exception:  # one broken listener must not stop the others
                log.exception("a live listener failed")
        return changes

    # Saving.

    def _save_in_background(self) -> None:
        while not self._stopping.is_set():
            self._save_now.wait(self._save_seconds)
            self._save_now.clear()
            if not self._stopping.is_set():
                self.save()

    def save(self) -> None:
        with self._lock:
            if self.views.position <= self._saved_position:
                return
            views, timeline = self.views.copy(), self.timeline.copy()
        self._save_tried_at = views.position
        try:
            self.app.store.save_views(
                saved.encode(views, timeline), Tracking(self.app.name, views.position)
            )
        except IntegrityError:
            # The tracking record refused it: another process on the same
            # database already saved this state or a later one.
            log.debug("read models at %s saved already", views.position)
        except Exception as error:  # the next round (or shutdown) tries again
            log.warning("read models at %s not saved: %s", views.position, error)
            return
        self._saved_position = views.position

    def _load_saved(self) -> None:
        stored = self.app.store.load_views(self.app.name)
        if stored is None:
            return
        position, blob = stored
        decoded = saved.decode(blob)
        if decoded is None:
            self.app.store.reset_views(self.app.name)
            return
        self.views, self.timeline = decoded
        assert self.views.position == position
        self._saved_position = self._save_tried_at = position
        # What was just loaded lives as long as the server: keep the garbage
        # collector from walking it on every full collection.
        gc.freeze()
