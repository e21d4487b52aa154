"""A stream's catch-up: its inspection's history read from the log in pages.

A crowd of streams catching up at once (a wall of screens reconnecting after
a network blip) must not take the server from commands. So:

- the log is read on a small executor of its own (`WARROOM_CATCH_UP_THREADS`),
  never on the threadpool the routes use, one bounded page at a time;
- a stream asks for its next page only once its last one is written to the
  socket, so it holds at most one page in memory;
- pages are read once and shared: streams catching up from the same place ask
  for the same pages, and a page being read is awaited, not read again; read
  pages are kept (up to `WARROOM_CATCH_UP_CACHE_MIB`) for those that follow.

Pages are read through the index of each inspection's events
(`warroom.event_index`), so a stream's catch-up reads its own inspection's
events only, however many others the database holds.

A page is the same for every stream that asks for it: the database hands out
positions in commit order (PostgreSQL's recorder locks the table for each
insert; SQLite has one writer), so what lies below a stored position never
changes. Only a page that ran into the end of the log may grow, and it is
not kept.
"""

from __future__ import annotations

import asyncio
import json
from bisect import bisect_right, insort
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate, islice

from sse_starlette import ServerSentEvent

from projections.events import LoggedEvent
from projections.follower import indexed_events
from projections.views import Changes
from warroom.application import WarRoom
from web.pacing import Pace

# A page ends after this many notifications of the log, or once its events
# come to this many bytes: memory per stream stays bounded whatever the log.
PAGE_NOTIFICATIONS = 1000
PAGE_BYTES = 256 * 1024
# Rows fetched from the index at a time: a page of events of a few KB each
# stops at PAGE_BYTES after about a hundred, and rows fetched past the page's
# end would be read, and thrown away, for nothing.
READ_BATCH = 128


def encode(event: LoggedEvent, changes: Changes) -> bytes:
    """One event as an SSE message; `id` is its log position."""
    payload = {"event": event.to_json(), "changes": changes}
    message = ServerSentEvent(
        id=str(event.position),
        event=event.type,
        data=json.dumps(payload, separators=(",", ":")),
    )
    return message.encode()


@dataclass(frozen=True)
class Page:
    """An inspection's events in the log after `after`, up to `scanned_to`."""

    after: int
    scanned_to: int
    positions: tuple[int, ...]
    # The page's messages joined once (a crowd of streams sends the same page
    # hundreds of times), and where each message ends in it.
    chunk: bytes
    ends: tuple[int, ...]
    # Whether the page stopped at a limit of its own, not at the log's end.
    full: bool

    @property
    def size(self) -> int:
        return len(self.chunk) + 16 * len(self.ends) + 64

    def between(self, after: int, upto: int | None) -> tuple[bytes, int]:
        """The page's messages after `after` (a stream resuming partway
        through the page) and up to `upto` (where its live feed begins), if
        given, as one chunk, and the position the chunk takes it to."""
        first = bisect_right(self.positions, after)
        if upto is None or self.scanned_to <= upto:
            kept, reached = len(self.positions), self.scanned_to
        else:
            kept, reached = bisect_right(self.positions, upto), upto
        if first == 0 and kept == len(self.positions):
            return self.chunk, reached  # the whole page: no copy
        begin = self.ends[first - 1] if first else 0
        end = self.ends[kept - 1] if kept > first else begin
        return self.chunk[begin:end], reached


class PageStarts:
    """Where each full page read so far begins and ends, per inspection.

    A stream that resumes from partway through a page (a browser coming back
    with its Last-Event-ID after a network blip) reads that page, which other
    streams read too, and skips what it has had; without this it would read
    a page of its own from its own place, and so would every page after it:
    a crowd reconnecting from three hundred places reads the log three
    hundred times over. At most `most` pages are remembered (a few bytes
    each); past that the oldest inspection's are forgotten.
    """

    def __init__(self, most: int = 200_000) -> None:
        self._most = most
        self._count = 0
        self._starts: OrderedDict[str, list[int]] = OrderedDict()
        self._ends: dict[tuple[str, int], int] = {}

    def add(self, inspection_id: str, after: int, scanned_to: int) -> None:
        starts = self._starts.setdefault(inspection_id, [])
        self._starts.move_to_end(inspection_id)
        if (inspection_id, after) in self._ends:
            return
        insort(starts, after)
        self._ends[inspection_id, after] = scanned_to
        self._count += 1
        while self._count > self._most and len(self._starts) > 1:
            gone, forgotten = self._starts.popitem(last=False)
            for start in forgotten:
                del self._ends[gone, start]
            self._count -= len(forgotten)

    def covering(self, inspection_id: str, position: int) -> int | None:
        """The start of a page known to hold the events just after `position`."""
        starts = self._starts.get(inspection_id)
        if not starts:
            return None
        at = bisect_right(starts, position) - 1
        if at < 0:
            return None
        start = starts[at]
        return start if self._ends[inspection_id, start] > position else None


def read_page(app: WarRoom, inspection_id: str, after: int) -> Page:
    """Reads one page of the inspection's events, through the index
    (blocking: runs on the catch-up executor)."""
    # The log's head first: every event at or below it is already in the
    # index (rows are stored with their events), so a page that finds fewer
    # than its limit has covered the log up to there.
    head = app.recorder.max_notification_id() or 0
    positions: list[int] = []
    messages: list[bytes] = []
    size = 0
    full = False
    for event in indexed_events(app, inspection_id, after, head, batch=READ_BATCH):
        message = encode(event, {})
        positions.append(event.position)
        messages.append(message)
        size += len(message)
        if len(positions) >= PAGE_NOTIFICATIONS or size >= PAGE_BYTES:
            full = True
            break
    last = positions[-1] if full else max(after, head)
    ends = tuple(accumulate(map(len, messages)))
    return Page(after, last, tuple(positions), b"".join(messages), ends, full)


@dataclass(frozen=True)
class EventsPage:
    """An inspection's events as `/events` shows them, after `after`."""

    events: tuple[dict[str, object], ...]
    scanned_to: int


def read_events_page(
    app: WarRoom, inspection_id: str, after: int, upto: int, most: int
) -> EventsPage:
    """At most `most` of the inspection's events after `after`, up to `upto`,
    through the index (blocking: runs on the catch-up executor).

    `scanned_to` is the last event kept when `most` were found, else `upto`:
    the index holds every event up to it, so nothing lies between."""
    most = min(most, PAGE_NOTIFICATIONS)
    found = list(islice(indexed_events(app, inspection_id, after, upto, most), most))
    # Short of `most`: read to the end, past any gap there.
    last = found[-1].position if len(found) >= most else max(after, upto)
    events = [event.to_json() for event in found]
    return EventsPage(tuple(events), last)


class CatchUp:
    """Reads catch-up pages for every stream of one server process."""

    def __init__(
        self, app: WarRoom, threads: int, cache_bytes: int, pace: Pace
    ) -> None:
        self._app = app
        # How fast all streams together may send history (`web/pacing.py`).
        self.pace = pace
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="catch-up")
        self._cache_bytes = cache_bytes
        self._cached: OrderedDict[tuple[str, int], Page] = OrderedDict()
        self._cached_size = 0
        self._reading: dict[tuple[str, int], asyncio.Future[Page]] = {}
        self._starts = PageStarts()

    async def page(self, inspection_id: str, after: int) -> Page:
        """The page that holds what follows `after` (it may begin before it:
        take `Page.between(after, ...)`): from memory, from a read under way,
        or read."""
        start = self._starts.covering(inspection_id, after)
        key = (inspection_id, after if start is None else start)
        cached = self._cached.get(key)
        if cached is not None:
            self._cached.move_to_end(key)
            return cached
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.get_running_loop().run_in_executor(
                self._executor, read_page, self._app, inspection_id, after
            )
            self._reading[key] = reading
            reading.add_done_callback(lambda _: self._read(key))
        return await asyncio.shield(reading)

    async def events_page(
        self, inspection_id: str, after: int, upto: int, most: int
    ) -> EventsPage:
        """A page for `/events`, read on the same executor as the streams'
        pages: a long scan of the log holds no thread commands run on."""
        return await asyncio.get_running_loop().run_in_executor(
            self._executor,
            read_events_page,
            self._app,
            inspection_id,
            after,
            upto,
            most,
        )

    def _read(self, key: tuple[str, int]) -> None:
        reading = self._reading.pop(key)
        if reading.cancelled() or reading.exception() is not None:
            return
        page = reading.result()
        if page.full:
            self._starts.add(key[0], page.after, page.scanned_to)
            if page.size <= self._cache_bytes:
                self._keep(key, page)

    def _keep(self, key: tuple[str, int], page: Page) -> None:
        self._cached[key] = page
        self._cached_size += page.size
        while self._cached_size > self._cache_bytes:
            _, dropped = self._cached.popitem(last=False)
            self._cached_size -= dropped.size

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
