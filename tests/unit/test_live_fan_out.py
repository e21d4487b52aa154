"""`web/live.py`'s fan-out: an event is encoded for the streams of its
inspection, and for nobody when none follows it (issue 22: a server folding a
long log at its start encoded every event, for nobody)."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC
from typing import cast

import pytest

from projections.events import LoggedEvent
from projections.views import Changes
from tests.days import moment
from tests.unit.logged import logged_event
from web import catchup, live
from web.catchup import CatchUp
from web.live import Broadcaster, Client, Message

AT = moment(0, 9, tzinfo=UTC)


def _event(position: int, inspection_id: str) -> LoggedEvent:
    return logged_event(
        position,
        "RequestRecorded",
        {"title": "Annex A"},
        at=AT,
        inspection_id=inspection_id,
        aggregate_id=f"r{position}",
    )


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    positions: list[int] = []
    encode = catchup.encode

    def counted(event: LoggedEvent, changes: Changes) -> bytes:
        positions.append(event.position)
        return encode(event, changes)

    monkeypatch.setattr(live, "encode", counted)
    return positions


def test_an_event_is_encoded_only_while_a_stream_follows_its_inspection(
    encoded: list[int],
) -> None:
    async def scenario() -> list[int]:
        # The catch-up's executor is not used by the fan-out.
        broadcaster = Broadcaster(asyncio.get_running_loop(), cast(CatchUp, None))
        broadcaster.publish(_event(1, "a"), {})  # nobody follows "a"
        client = Client("a", queue_size=10)
        client.catching_up = False
        broadcaster.subscribe(client)
        broadcaster.publish(_event(2, "b"), {})  # nobody follows "b"
        broadcaster.publish(_event(3, "a"), {})
        await asyncio.sleep(0)  # the fan-out's hop onto the event loop
        message = client.queue.get_nowait()
        assert isinstance(message, Message)
        queued = [message.position]
        broadcaster.unsubscribe(client)
        broadcaster.publish(_event(4, "a"), {})
        return queued

    assert asyncio.run(scenario()) == [3]
    assert encoded == [3]


def test_a_stream_that_never_started_stops_counting_once_collected(
    encoded: list[int],
) -> None:
    async def scenario() -> None:
        broadcaster = Broadcaster(asyncio.get_running_loop(), cast(CatchUp, None))
        broadcaster.subscribe(Client("a", queue_size=10))  # never unsubscribed
        gc.collect()
        broadcaster.publish(_event(1, "a"), {})

    asyncio.run(scenario())
    assert encoded == []
