"""The two parts that keep a crowd of streams from taking the event loop from
commands: the pace of catch-up (`web/pacing.py`) and the door streams are
opened through (`web/stream_openings.py`).

The whole (commands' p99 while 300 streams catch up) is measured by the
benchmark and by tests/e2e/test_stalls.py against a real server; these
check each part's own promise, with a clock of their own where time matters.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from starlette.types import Message, Receive, Scope, Send

from web.catchup import Page, PageStarts
from web.live import LiveResponse
from web.pacing import Pace
from web.stream_openings import BODY_SEND, StreamOpenings

MIB = 2**20


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_lone_write_goes_at_once_and_the_next_waits_its_share() -> None:
    clock = Clock()
    pace = Pace(100 * MIB, burst_seconds=0.0, clock=clock)

    assert pace.book(MIB) == 0.0
    # 1 MiB at 100 MiB/s books 10 ms; the next write waits for them.
    assert pace.book(MIB) == pytest.approx(0.01)
    assert pace.book(2 * MIB) == pytest.approx(0.02)
    assert pace.book(MIB) == pytest.approx(0.04)


def test_a_crowd_is_spread_over_time_at_the_pace() -> None:
    clock = Clock()
    pace = Pace(256 * MIB, clock=clock)
    # 300 streams each asking to send a 256 KiB page at the same instant.
    waits = [pace.book(256 * 1024) for _ in range(300)]

    assert waits == sorted(waits)  # first come, first served
    # 75 MiB at 256 MiB/s: the last waits for the 299 ahead, about 0.29 s.
    assert waits[-1] == pytest.approx(299 * 256 * 1024 / (256 * MIB))


def test_quiet_time_does_not_pile_up_into_a_burst() -> None:
    clock = Clock()
    pace = Pace(100 * MIB, burst_seconds=0.01, clock=clock)
    clock.now += 60.0  # a quiet minute

    waits = [pace.book(MIB) for _ in range(3)]

    # Only 10 ms of credit: the first write goes, the second after 0, the
    # third waits 10 ms; a minute's credit would have let all go at once.
    assert waits == pytest.approx([0.0, 0.0, 0.01])


def test_a_pace_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError):
        Pace(0)


def _page() -> Page:
    messages = [b"id: 3\n\n", b"id: 5\nx\n\n", b"id: 9\nyy\n\n"]
    ends = (7, 16, 26)
    return Page(2, 12, (3, 5, 9), b"".join(messages), ends, full=True)


def test_a_page_is_sent_whole_or_cut_where_a_stream_goes_live() -> None:
    page = _page()

    assert page.between(2, None) == (page.chunk, 12)
    assert page.between(2, 12) == (page.chunk, 12)
    assert page.between(2, 5) == (b"id: 3\n\nid: 5\nx\n\n", 5)
    assert page.between(2, 2) == (b"", 2)


def test_a_stream_resuming_partway_through_a_page_gets_only_the_rest() -> None:
    page = _page()

    assert page.between(3, None) == (b"id: 5\nx\n\nid: 9\nyy\n\n", 12)
    assert page.between(4, None) == (b"id: 5\nx\n\nid: 9\nyy\n\n", 12)
    assert page.between(5, 8) == (b"", 8)
    assert page.between(9, None) == (b"", 12)


def test_a_resume_point_is_found_in_the_page_that_holds_it() -> None:
    starts = PageStarts()
    starts.add("a", 0, 100)
    starts.add("a", 100, 250)
    starts.add("b", 0, 40)

    assert starts.covering("a", 0) == 0
    assert starts.covering("a", 99) == 0
    assert starts.covering("a", 100) == 100
    assert starts.covering("a", 249) == 100
    assert starts.covering("a", 250) is None  # past the pages read so far
    assert starts.covering("b", 50) is None
    assert starts.covering("c", 1) is None


def test_the_pages_remembered_are_bounded() -> None:
    starts = PageStarts(most=4)
    for n in range(3):
        starts.add("old", n * 10, n * 10 + 10)
    for n in range(3):
        starts.add("new", n * 10, n * 10 + 10)

    assert starts.covering("old", 5) is None  # forgotten, the oldest first
    assert starts.covering("new", 25) == 20


class SlowStreams:
    """An app whose streams take a while to open, counting how many are
    being opened at once; anything else answers at once."""

    def __init__(self) -> None:
        self.opening = 0
        self.most_at_once = 0
        self.opened: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("/stream"):
            self.opening += 1
            self.most_at_once = max(self.most_at_once, self.opening)
            await asyncio.sleep(0.001)
            self.opening -= 1
            self.opened.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _request(app: StreamOpenings, path: str) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app({"type": "http", "path": path}, receive, send)
    return sent


def test_a_crowd_of_streams_is_opened_a_few_at_a_time() -> None:
    inner = SlowStreams()
    door = StreamOpenings(inner, at_once=4)

    async def crowd() -> list[list[Message]]:
        paths = [f"/api/inspections/{n}/stream" for n in range(50)]
        return await asyncio.gather(*(_request(door, p) for p in paths))

    answers = asyncio.run(crowd())

    assert inner.most_at_once == 4
    assert len(inner.opened) == 50
    assert all(a[0]["status"] == 200 for a in answers)


def test_other_requests_pass_the_door_while_streams_queue_at_it() -> None:
    inner = SlowStreams()
    door = StreamOpenings(inner, at_once=1)

    async def crowd_and_a_command() -> tuple[int, int]:
        streams = [
            asyncio.ensure_future(_request(door, f"/api/inspections/{n}/stream"))
            for n in range(20)
        ]
        await asyncio.sleep(0)
        await _request(door, "/api/inspections/1/requests")
        # The command was answered while most of the crowd still waited.
        waiting = sum(not s.done() for s in streams)
        await asyncio.gather(*streams)
        return waiting, len(inner.opened)

    waiting, opened = asyncio.run(crowd_and_a_command())

    assert waiting >= 15
    assert opened == 20


def test_a_stream_that_fails_to_open_frees_its_place() -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("no such inspection")

    door = StreamOpenings(failing, at_once=1)

    async def twice() -> int:
        failures = 0
        for _ in range(2):
            try:
                await _request(door, "/api/inspections/x/stream")
            except RuntimeError:
                failures += 1
        return failures

    # The second would wait for ever if the first had kept its place.
    assert asyncio.run(asyncio.wait_for(twice(), timeout=5)) == 2


def test_an_opening_that_waits_gives_its_place_up() -> None:
    stuck = asyncio.Event()

    async def first_one_waits(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/api/inspections/slow/stream":
            await stuck.wait()  # as if waiting for the read models
        await send({"type": "http.response.start", "status": 200, "headers": []})

    door = StreamOpenings(first_one_waits, at_once=1, hold_seconds=0.05)

    async def slow_then_quick() -> bool:
        slow = asyncio.ensure_future(_request(door, "/api/inspections/slow/stream"))
        await asyncio.sleep(0)
        await asyncio.wait_for(_request(door, "/api/inspections/quick/stream"), 5)
        opened_while_the_slow_one_waited = not slow.done()
        stuck.set()
        await slow
        return opened_while_the_slow_one_waited

    assert asyncio.run(slow_then_quick())


def test_a_stream_sends_its_middle_beneath_the_middleware_and_its_ends_through_it() -> (
    None
):
    through: list[Message] = []
    beneath: list[Message] = []

    async def history() -> AsyncIterator[bytes]:
        yield b"id: 1\r\n\r\n"
        yield b"id: 2\r\n\r\n"

    async def through_the_middleware(message: Message) -> None:
        through.append(message)

    async def beneath_it(message: Message) -> None:
        beneath.append(message)

    async def never_disconnects() -> Message:
        await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/inspections/i/stream",
        BODY_SEND: beneath_it,
    }
    response = LiveResponse(history(), send_timeout=5)
    asyncio.run(response(scope, never_disconnects, through_the_middleware))

    # The start (headers, status) and the end pass every layer.
    assert [m["type"] for m in through] == ["http.response.start", "http.response.body"]
    assert through[-1]["more_body"] is False
    assert [m["body"] for m in beneath] == [b"id: 1\r\n\r\n", b"id: 2\r\n\r\n"]
