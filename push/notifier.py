"""The server's notifier: follows the log and tells people of what affects them.

A read side listener (`projections.follower.ReadSide`) hears every event the
process folds in; the ones that tell someone something (`push.notices`)
go to a small pool of worker threads, which find the person's devices and
send (`push.sender`): never on the event loop, never on the thread that
folds the log. Every process does this for every event; the claim of each
notification (`commands.push.claim`) makes it go once however many run.

Never told: what this process folded before it started (a restart catching
up, a rebuild), what was written down before it started (`warroom import`
keeps its events' times, even into a database a server already follows),
and changes recorded longer ago than `WARROOM_PUSH_MAX_AGE_SECONDS` (the
demo loader records its history at the moments it happened). A change is
written down by a running server, whose own notifier started before it.

Overdue requests are found by the clock: every `WARROOM_PUSH_CHECK_SECONDS`
the open inspections' requests past their time in someone's hands, whose
time passed within the last day (an old log imported tells nobody).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import NamedTuple

from commands.push import Notice, devices_of
from projections.events import LoggedEvent
from projections.server import Server
from projections.views import Changes, Views
from push import notices
from push.endpoints import allowed
from push.keys import PushKeys
from push.sender import Sender
from warroom.domain.request import OPEN_STATES

log = logging.getLogger(__name__)

# Requests overdue for longer than this when first seen tell nobody.
OVERDUE_WITHIN = timedelta(days=1)
SENDING_THREADS = 2
# What to tell, found on a sending thread (it reads the log).
Find = Callable[[], list[Notice]]


class Overdue(NamedTuple):
    request_id: str
    title: str
    assignee: str
    due_at: str
    inspection_id: str


class Notifier:
    def __init__(self, state: Server, keys: PushKeys) -> None:
        self.state = state
        self.app = state.app
        self.keys = keys
        settings = state.settings
        self._stopping = threading.Event()
        self.sender = Sender(
            state.app,
            settings,
            keys.vapid,
            allowed(settings.push_allowed),
            stopping=self._stopping,
        )
        self.max_age = timedelta(seconds=settings.push_max_age_seconds)
        self.started_at = 0
        self.started_time = datetime.now(UTC)
        self._pool = ThreadPoolExecutor(SENDING_THREADS, thread_name_prefix="push")
        self._clock: threading.Thread | None = None

    def start(self) -> None:
        self.started_time = datetime.now(UTC)
        self.started_at = self.app.recorder.max_notification_id() or 0
        self.state.read_side.add_listener(self.on_event)
        self._clock = threading.Thread(
            target=self._watch_the_clock, name="push-overdue", daemon=True
        )
        self._clock.start()

    def stop(self) -> None:
        """Sends nothing more; a notice being sent ends (at most one call to
        a push service, `WARROOM_PUSH_TIMEOUT_SECONDS`) and is recorded,
        before the log is closed."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def on_event(self, event: LoggedEvent, changes: Changes) -> None:
        """A read side listener: called once per event this process folds."""
        if event.type not in notices.TELLERS or event.position <= self.started_at:
            return
        # Written down before this process started (an import keeps its
        # events' times), or too long ago: history, not news.
        recorded = event.recorded_at
        if recorded < self.started_time or datetime.now(UTC) - recorded > self.max_age:
            return
        self._submit(lambda: notices.notices_of(self.app, event))

    def _submit(self, find: Find) -> None:
        if self._stopping.is_set():
            return
        with suppress(RuntimeError):  # shutting down
            self._pool.submit(self._tell, find)

    def _tell(self, find: Find) -> None:
        try:
            for notice in find():
                self.tell(notice)
        except Exception:  # one bad notice must not stop the others
            log.exception("a notification could not be sent")

    def tell(self, notice: Notice) -> dict[str, str]:
        """Sends one notice to each of the person's devices (blocking)."""
        outcomes: dict[str, str] = {}
        for sealed in devices_of(self.app, notice.user_id):
            if self._stopping.is_set():
                break
            device = self.keys.open(sealed.id, sealed.user_id, sealed.sealed)
            if device is None:  # subscribed under an earlier key: it must again
                outcomes[sealed.id] = "unreadable"
                continue
            try:
                outcomes[device.id] = self.sender.send(notice, device)
            except ValueError as refused:  # no longer an allowed service
                log.warning("a device was not told: %s", refused)
                outcomes[device.id] = "refused"
        return outcomes

    # --- overdue requests, by the clock -----------------------------------------

    def _watch_the_clock(self) -> None:
        while not self._stopping.wait(self.state.settings.push_check_seconds):
            try:
                self.check_overdue(datetime.now(UTC))
            except Exception:  # the next round tries again
                log.exception("looking for overdue requests failed")

    def check_overdue(self, now: datetime) -> None:
        for found in self.state.read_side.read(lambda views: _overdue(views, now)):
            self._submit(partial(_overdue_notice, self, found))


def _overdue(views: Views, now: datetime) -> list[Overdue]:
    found = []
    # Only the inspections this process holds: looking never loads one.
    for inspection_id, inspection in views.held_open_inspections():
        requests = inspection.requests.requests
        for r in requests.values():
            due, assignee = r["due_at"], r["assignee"]
            if r["state"] not in OPEN_STATES or not due or not assignee:
                continue
            due_at = datetime.fromisoformat(due)
            if due_at < now and now - due_at < OVERDUE_WITHIN:
                found.append(Overdue(r["id"], r["title"], assignee, due, inspection_id))
    return found


def _overdue_notice(notifier: Notifier, found: Overdue) -> list[Notice]:
    notice = notices.overdue(notifier.app, *found)
    return [] if notice is None else [notice]


def start(state: Server, keys: PushKeys) -> Notifier | None:
    """The notifier of this process; none with WARROOM_PUSH=off."""
    if state.settings.push == "off":
        return None
    notifier = Notifier(state, keys)
    notifier.start()
    return notifier
