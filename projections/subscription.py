"""How a server process learns of new events: one iterator, two databases.

PostgreSQL: the library's own subscription (LISTEN/NOTIFY).
SQLite: the library's recorder has no subscriptions, so this one is the
library's pull loop woken by saves in this process, and by a timer for saves
made by other processes on the same file.
"""

from __future__ import annotations

import threading
import time

from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    Subscription,
)

from warroom.application import WarRoom


class LocalSaveSubscription(ListenNotifySubscription[ApplicationRecorder]):
    def __init__(self, app: WarRoom, gt: int | None, poll_seconds: float) -> None:
        super().__init__(recorder=app.recorder, gt=gt)
        self._poll_seconds = poll_seconds
        self._app = app
        app.on_save(self._wake)
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._ticker.start()

    def _wake(self, _position: int) -> None:
        self._has_been_notified.set()

    def _tick(self) -> None:
        while not self._has_been_stopped:
            self._has_been_notified.set()
            time.sleep(self._poll_seconds)

    def __exit__(self, *args: object, **kwargs: object) -> None:
        try:
            super().__exit__(*args, **kwargs)
        finally:
            self._app.off_save(self._wake)
            self._ticker.join()


def subscribe(
    app: WarRoom, gt: int, poll_seconds: float
) -> Subscription[ApplicationRecorder]:
    """Every notification after position `gt`, then each new one as it is saved."""
    if app.database.kind == "postgresql":
        return app.recorder.subscribe(gt=gt)
    return LocalSaveSubscription(app, gt, poll_seconds)
