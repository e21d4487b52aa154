"""The live server watches its own log: `log_broken` once it disagrees with
its tree (`warroom.evidence.sentinel`, on the log opened read-only).

A thread of its own checks a round every `WARROOM_LOG_CHECK_SECONDS`; what it
finds goes to the application's `log_health`, which appends also report to.
From then on `/readyz` answers 503 `log_broken`, commands 503 with the same
code, and one error line says why (`warroom.evidence.broken`).
"""

from __future__ import annotations

import logging
import threading

from warroom.application import WarRoom
from warroom.evidence.broken import LogBroken
from warroom.evidence.readonly import ReadOnlyLog
from warroom.evidence.sentinel import Sentinel

log = logging.getLogger(__name__)


class LogWatch:
    def __init__(
        self, app: WarRoom, read_only: ReadOnlyLog, every: float, rolling: int
    ) -> None:
        self.app = app
        recorder = read_only.recorder
        self.sentinel = Sentinel(
            recorder.tree,  # type: ignore[attr-defined]
            recorder.datastore,  # type: ignore[attr-defined]
            read_only.mapper,
            rolling,
        )
        self.every = every
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.every <= 0:
            return
        self._thread = threading.Thread(
            target=self._watch, name="log-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _watch(self) -> None:
        while self.app.log_health.broken is None:  # said once: a restart checks
            try:
                self.sentinel.check()
            except LogBroken as broken:
                self.app.log_health.found(broken)
            except Exception as error:  # the database away: /readyz says so
                log.debug("the log check could not run: %s", error)
            if self._stopping.wait(self.every):
                return
