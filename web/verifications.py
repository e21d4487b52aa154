"""`GET /api/verify` without tying up the server.

Walking the whole log takes about a minute and a half per million events.
So a server walks it at most once at a time, on a thread of its own (never
one of the threads that answer requests, nor the event loop): whoever asks
while a walk runs waits for that walk's report, and a report of the head
the log still has is given again, for a while, without walking again.

Reused for `REUSE_SECONDS` at most: the log's head does not change when a
row is altered in place, so an old "intact" is not trusted for long.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from warroom.evidence.walk import Report

REUSE_SECONDS = 600.0

# The head a report was made against: the tree's size and root.
HeadKey = tuple[int, bytes]


@dataclass(frozen=True)
class _Done:
    head: HeadKey
    at: float
    report: Report


class Verifications:
    """One server's walks of the log: one at a time, shared, reused."""

    def __init__(self, reuse_seconds: float = REUSE_SECONDS) -> None:
        self._lock = threading.Lock()
        self._running: Future[Report] | None = None
        self._done: _Done | None = None
        self.reuse_seconds = reuse_seconds
        self.walks = 0  # how many were started
        # How far the walk running has got: (events walked, of how many).
        self._progress: tuple[int, int] = (0, 0)

    def note_progress(self, walked: int, size: int) -> None:
        """The walk's `Progress`: called after each batch it reads."""
        self._progress = (walked, size)

    def progress(self) -> tuple[bool, int, int]:
        """Whether a walk runs now, and how far it has got (0 of 0 before
        its first batch); an answer of a walk done is not progress."""
        with self._lock:
            walking = self._running is not None
        walked, size = self._progress if walking else (0, 0)
        return walking, walked, size

    def report(self, head: HeadKey, walk: Callable[[], Report]) -> Future[Report]:
        """The report for a log whose head is `head` now: the walk running,
        a recent one of this same head, or a new walk (`walk`)."""
        with self._lock:
            if self._running is not None:
                return self._running
            done = self._done
            if done and done.head == head and self._fresh(done):
                reused: Future[Report] = Future()
                reused.set_result(done.report)
                return reused
            running = self._running = Future()
            self.walks += 1
            self._progress = (0, 0)
        threading.Thread(
            target=self._walk,
            args=(running, head, walk),
            name="warroom-verify",
            daemon=True,  # a shutdown does not wait for a walk nobody needs
        ).start()
        return running

    def _fresh(self, done: _Done) -> bool:
        return time.monotonic() - done.at < self.reuse_seconds

    def _walk(
        self, running: Future[Report], head: HeadKey, walk: Callable[[], Report]
    ) -> None:
        try:
            report = walk()
        except BaseException as error:  # every waiter hears of it; none kept
            with self._lock:
                self._running = None
            running.set_exception(error)
            return
        with self._lock:
            self._running = None
            self._done = _Done(head, time.monotonic(), report)
        running.set_result(report)
