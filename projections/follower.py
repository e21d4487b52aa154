"""The read side of one server process: follows the log, keeps the read models.

On start it loads the read models' global part as last saved (with the
library's tracking record of how far they got) and follows the log from
there, so a restart does not replay from zero. An inspection's read models
are loaded when first asked for (or when an event of it comes): its saved
row, then its events since, read through the index; past
`max_live_inspections` the least recently used are dropped, closed ones
first. Saving happens in the background: the global part, each inspection
changed since its last save, and the tracking record, in one transaction.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking

from projections import saved
from projections.audit import (
    Checkpoints,
    InspectionMarks,
    Timeline,
    replay_inspection,
    replay_to,
)
from projections.decoding import logged_event
from projections.events import LoggedEvent
from projections.happened import RecentReplays, replay_happened
from projections.subscription import subscribe
from projections.views import Changes, InspectionViews, LoadedInspections, Views
from warroom.application import WarRoom
from warroom.event_index import key_of
from warroom.storage import SavedInspection, indexed

log = logging.getLogger(__name__)

T = TypeVar("T")

# Following again after a failure: first pause, and the longest.
RETRY_FIRST_SECONDS = 0.5
RETRY_MOST_SECONDS = 10.0
Listener = Callable[[LoggedEvent, Changes], None]
# Behind the log by this many positions, the read side folds it in pages
# before it follows the feed (`ReadSide._catch_up`), this many events to each
# hold of the lock (reads wait for no longer than a page takes).
CATCH_UP_AT_LEAST = 10_000
CATCH_UP_PAGE = 1000


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
        max_live_inspections: int = 100,
    ) -> None:
        self.app = app
        # Every inspection is known; its read models are loaded when first
        # asked for, and dropped past `max_live_inspections` (issue 14).
        self.loaded = LoadedInspections(self._load_inspection, max_live_inspections)
        self.views = Views(self.loaded)
        self.timeline = Timeline()
        # Whole-log past views (`as_of` without an inspection): tests and tools.
        self.checkpoints = Checkpoints(every=checkpoint_every, cap=checkpoint_cap)
        # One inspection's past views: what the routes ask.
        self.marks = InspectionMarks(every=checkpoint_every, cap=checkpoint_cap)
        # One inspection as it was by what had happened by an instant.
        self.happened = RecentReplays()
        self._poll_seconds = poll_seconds
        self._save_every = save_every
        self._save_seconds = save_seconds
        # What the database holds, and where the last attempt to save was:
        # after a failure, the next attempt is still a round away, not an event.
        self._saved_position = 0
        self._save_tried_at = 0
        # Inspections changed since their last save (loaded or dropped), and
        # read models held only until they are saved: dropped before they
        # were, or loaded from state saved whole.
        self._changed: set[str] = set()
        self._unsaved: dict[str, InspectionViews] = {}
        # Where an inspection loaded now must be folded to: the last event
        # the read models hold (not the one being folded in).
        self._folded_to = 0
        self._lock = threading.RLock()
        self._advanced = threading.Condition(self._lock)
        self._listeners: list[Listener] = []
        self._stopping = threading.Event()
        self._save_now = threading.Event()
        self._error: BaseException | None = None
        self._subscription: Any = None
        self._threads: list[threading.Thread] = []
        self.loaded.on_drop = self._dropped

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
        """Asks the current read models a question, while they hold still.

        An inspection the question looks at is loaded if it is not held."""
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

    def as_of(self, position: int, inspection_id: str | None = None) -> Views:
        """The read models exactly as they stood after the event at `position`:
        one inspection's (and the global part), read through the index, or,
        without `inspection_id`, every inspection's (a replay of the log)."""
        upto = min(position, self.position)
        if inspection_id is None:
            return replay_to(
                upto, self.checkpoints, lambda a, b: read_events(self.app, a, b)
            )
        return replay_inspection(
            upto,
            inspection_id,
            self.marks,
            lambda key, a, b: indexed_events(self.app, key, a, b),
            self._recorded_at,
        )

    def happened_by(self, instant: datetime, inspection_id: str) -> Views:
        """The global part and one inspection's read models as they were by
        what had happened by `instant` (`projections.happened`), of the log
        as the read models hold it now."""
        position = self.position
        return self.happened.get(
            inspection_id,
            instant,
            position,
            lambda: replay_happened(
                instant,
                position,
                inspection_id,
                lambda key, a, b: indexed_events(self.app, key, a, b),
            ),
        )

    def _recorded_at(self, position: int) -> str | None:
        last = indexed(self.app.recorder).last_at_or_before(position)
        return (
            None if last is None else logged_event(self.app.mapper, last).recorded_iso
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
        self._catch_up()
        self._subscription = subscribe(
            self.app, self.views.position, self._poll_seconds
        )
        if self._stopping.is_set():  # stop() came before there was anything to stop
            self._subscription.stop()
        with self._subscription:
            for notification in self._subscription:
                self.apply(logged_event(self.app.mapper, notification))
                self._error = None

    def _catch_up(self) -> None:
        """Folds a long way behind the log (no saved state: a rebuild killed
        before it saved, or state of an old shape) the way `warroom rebuild`
        does, so that it costs what a rebuild costs (issue 22: 5 times its
        time and 3 times its memory before): pages of the log, the garbage
        collector off (it would walk every record made, again and again: see
        `rebuild`) and what was folded frozen out of its sight after; no
        copies kept for past questions (`marks`: a restart has none either,
        and one every 1,000 events of a growing inspection was most of the
        cost), and no save until the end, then one, as a rebuild saves.
        Listeners still hear of every event, a page at a time; memory stays
        bounded as ever (inspections past the bound are dropped and written
        by the next save)."""
        head = self.app.recorder.max_notification_id() or 0
        if head - self.views.position < CATCH_UP_AT_LEAST:
            return
        log.info("folding the log from %s to %s", self.views.position, head)
        collecting = gc.isenabled()
        gc.disable()
        try:
            events = read_events(self.app, self.views.position, head, 5000)
            for page in _pages(events, CATCH_UP_PAGE):
                if self._stopping.is_set():
                    return
                with self._advanced:
                    folded = [(event, self._fold(event, mark=False)) for event in page]
                    self._advanced.notify_all()
                for event, changes in folded:
                    if changes is not None:
                        self._tell(event, changes)
        finally:
            gc.freeze()
            if collecting:
                gc.enable()
        log.info("folded the log to %s", self.views.position)
        self._save_now.set()

    def apply(self, event: LoggedEvent) -> Changes:
        with self._advanced:
            changes = self._fold(event, mark=True)
            if changes is None:
                return {}  # already folded in (a saved state ahead of the feed)
            self._advanced.notify_all()
        if event.position - self._save_tried_at >= self._save_every:
            self._save_now.set()
        self._tell(event, changes)
        return changes

    def _fold(self, event: LoggedEvent, *, mark: bool) -> Changes | None:
        """Folds one event in (under the lock); None if it was already.
        `mark`: keep a copy of its inspection for past questions, if it just
        crossed into a new stretch of `checkpoint_every` events."""
        if event.position <= self.views.position:
            return None
        key = key_of(event.type, event.inspection_id)
        held = self.loaded.peek(key) if key and mark else None
        last = held.position if held is not None else None
        self._folded_to = self.views.position
        try:
            changes = self.views.apply(event)
        finally:
            self._folded_to = self.views.position
        self.timeline.add(event.position, event.recorded_at)
        if key:  # an inspection's event: it changed, and may mark a stretch
            self._changed.add(key)
            folded = self.loaded.peek(key) if mark else None
            if folded is not None and last is not None:
                self.marks.inspections.offer(key, event.position, last, folded.copy)
        return changes

    def _tell(self, event: LoggedEvent, changes: Changes) -> None:
        for listener in list(self._listeners):
            try:
                listener(event, changes)
            except Exception:  # one broken listener must not stop the others
                log.exception("a live listener failed")

    # Loading and dropping one inspection (under the lock).

    def _load_inspection(self, inspection_id: str) -> InspectionViews:
        """Its saved read models, and its events since, through the index."""
        views = self._unsaved.pop(inspection_id, None)
        if views is None:
            views = self._load_saved_inspection(inspection_id)
        if views is None:
            views = InspectionViews()
        folded_from = views.position
        for event in indexed_events(
            self.app, inspection_id, views.position, self._folded_to
        ):
            views.apply(event)
        if views.position != folded_from:
            self._changed.add(inspection_id)
        return views

    def _load_saved_inspection(self, inspection_id: str) -> InspectionViews | None:
        stored = self.app.store.load_inspection_views(self.app.name, inspection_id)
        if stored is None:
            return None
        return saved.decode_inspection(stored[1])

    def _dropped(self, inspection_id: str, views: InspectionViews) -> None:
        # Changed since saved: held (outside the bound) until the next save
        # writes it; else the next load would fold its events in again.
        if inspection_id in self._changed:
            self._unsaved[inspection_id] = views
            if len(self._unsaved) >= self.loaded.most:
                self._save_now.set()

    # Saving.

    def _save_in_background(self) -> None:
        while not self._stopping.is_set():
            self._save_now.wait(self._save_seconds)
            self._save_now.clear()
            if not self._stopping.is_set():
                self.save()

    def save(self) -> None:
        """Saves the global part, and each inspection changed since its last
        save, with the tracking record, in one transaction."""
        with self._lock:
            if self.views.position <= self._saved_position:
                return
            views, timeline = self.views.copy_global(), self.timeline.copy()
            held = self.loaded.held()
            changed = {
                i: held[i].copy() if i in held else self._unsaved[i]
                for i in self._changed
                if i in held or i in self._unsaved
            }
            self._changed.clear()
            unsaved = dict(self._unsaved)
        self._save_tried_at = views.position
        rows = [
            SavedInspection(i, v.position, saved.encode_inspection(v))
            for i, v in changed.items()
        ]
        try:
            self.app.store.save_views(
                saved.encode_global(views, timeline),
                Tracking(self.app.name, views.position),
                rows,
            )
        except IntegrityError:
            # The tracking record refused it: another process on the same
            # database already saved this global state or a later one. The
            # inspections' rows are right as of their own positions: saved.
            log.debug("read models at %s saved already", views.position)
            try:
                self.app.store.save_inspection_views(self.app.name, rows)
            except Exception as error:
                log.warning("read models at %s not saved: %s", views.position, error)
                with self._lock:
                    self._changed |= changed.keys()
                return
        except Exception as error:  # the next round (or shutdown) tries again
            log.warning("read models at %s not saved: %s", views.position, error)
            with self._lock:
                self._changed |= changed.keys()
            return
        with self._lock:
            for inspection_id, views_then in unsaved.items():
                if self._unsaved.get(inspection_id) is views_then:
                    del self._unsaved[inspection_id]
        self._saved_position = views.position

    def _load_saved(self) -> None:
        stored = self.app.store.load_views(self.app.name)
        if stored is None:
            return
        position, blob = stored
        decoded = saved.decode_global(blob)
        if decoded is None:
            self.app.store.reset_views(self.app.name)
            return
        raw, whole, self.timeline = decoded
        self.views = Views.from_global_json(raw, self.loaded)
        assert self.views.position == position
        self._folded_to = position
        for inspection_id in self.views.inspection_organisations:
            self.loaded.know(inspection_id)
        # Saved whole (every inspection in the one blob): each is held until
        # it is first asked for, then saved as a row of its own.
        self._unsaved.update(whole)
        self._changed.update(whole)
        self._saved_position = self._save_tried_at = position
        # What was just loaded lives as long as the server: keep the garbage
        # collector from walking it on every full collection.
        gc.freeze()


def _pages(items: Iterator[T], size: int) -> Iterator[list[T]]:
    page: list[T] = []
    for item in items:
        page.append(item)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page
