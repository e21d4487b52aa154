"""The live stream: one SSE message per stored event of an inspection.

The SSE `id` is the event's log position, so a client that reconnects with
`Last-Event-ID: N` (or `?after=N`) gets every event after N from the log, in
order and none twice, and then carries on live. sse-starlette does not do
that part; `stream_events` does.

Fan-out: the read side calls `Broadcaster.publish` from its thread once per
event; one hop onto the event loop, then each client gets the event on its
own bounded queue. A client that stops reading fills its queue and is
dropped, without slowing the others; its browser reconnects and catches up
from the log.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from commands.run import Actor
from projections.events import LoggedEvent
from projections.follower import inspection_events
from projections.views import Changes, Views
from web.deps import StateDep, StreamActorDep
from web.state import ServerState

HISTORY_BATCH = 500


@dataclass(frozen=True)
class Message:
    position: int
    # The SSE message, encoded once for all clients rather than once each.
    encoded: bytes


_DROPPED = object()


@dataclass(eq=False)  # each client is itself, however alike two may look
class Client:
    inspection_id: str
    queue_size: int
    user_id: str = ""
    queue: asyncio.Queue[Message | object] = field(init=False)
    dropped: bool = False

    def __post_init__(self) -> None:
        # One more than asked, so there is always room to say "dropped".
        self.queue = asyncio.Queue(self.queue_size + 1)

    def offer(self, message: Message) -> None:
        if self.dropped:
            return
        if self.queue.qsize() < self.queue_size:
            self.queue.put_nowait(message)
            return
        # It stopped reading: let it go. What it missed stays in the log.
        self.end()

    def end(self) -> None:
        """Ends the stream: dropped for falling behind, or its access changed."""
        if not self.dropped:
            self.dropped = True
            self.queue.put_nowait(_DROPPED)


class Broadcaster:
    """Fans each event out to the clients of its inspection, in this process."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._clients: set[Client] = set()
        self._lock = threading.Lock()

    def publish(self, event: LoggedEvent, changes: Changes) -> None:
        """Called from the read side's thread, after the event is folded in."""
        if event.is_internal or self._loop.is_closed():
            return
        message = Message(event.position, _sse(event, changes).encode())
        self._loop.call_soon_threadsafe(self._fan_out, event.inspection_id, message)

    def _fan_out(self, inspection_id: str, message: Message) -> None:
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            if client.inspection_id == inspection_id:
                client.offer(message)

    def end_streams_of(self, user_id: str) -> None:
        """Ends the user's streams (their token changed); from any thread."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._end, user_id)

    def _end(self, user_id: str) -> None:
        with self._lock:
            clients = [c for c in self._clients if c.user_id == user_id]
        for client in clients:
            client.end()

    def subscribe(self, client: Client) -> None:
        with self._lock:
            self._clients.add(client)

    def unsubscribe(self, client: Client) -> None:
        with self._lock:
            self._clients.discard(client)


def _sse(event: LoggedEvent, changes: Changes) -> ServerSentEvent:
    payload = {"event": event.to_json(), "changes": changes}
    return ServerSentEvent(
        id=str(event.position),
        event=event.type,
        data=json.dumps(payload, separators=(",", ":")),
    )


async def stream_events(
    state: ServerState,
    broadcaster: Broadcaster,
    inspection_id: str,
    after: int,
    actor: Actor | None = None,
) -> AsyncIterator[ServerSentEvent | bytes]:
    client = Client(
        inspection_id, state.settings.live_queue_size, actor.id if actor else ""
    )
    expiry = None
    if actor is not None and actor.expires_at is not None:
        # The token's expiry ends the stream as a revocation would.
        delay = (actor.expires_at - datetime.now(UTC)).total_seconds()
        expiry = asyncio.get_running_loop().call_later(max(delay, 0), client.end)

    # Subscribing while the read models hold still fixes the point where the
    # log ends and the live feed begins: history up to it, live after it.
    def subscribe_at_current_position(views: Views) -> int:
        broadcaster.subscribe(client)
        return views.position

    upto = state.read_side.read(subscribe_at_current_position)
    try:
        last = after
        # Tell the browser to come back quickly after a drop.
        yield ServerSentEvent(comment="connected", retry=1000)
        while last < upto:
            batch = await run_in_threadpool(_history, state, inspection_id, last, upto)
            for event in batch:
                yield _sse(event, {})
            if not batch or client.dropped:
                break
            last = batch[-1].position
        last = max(last, upto)
        while True:
            item = await client.queue.get()
            if not isinstance(item, Message):
                return  # dropped for falling behind; it will reconnect
            if item.position <= last:
                continue
            last = item.position
            yield item.encoded
    finally:
        broadcaster.unsubscribe(client)
        if expiry is not None:
            expiry.cancel()


def _history(
    state: ServerState, inspection_id: str, after: int, upto: int
) -> list[LoggedEvent]:
    """The next batch of this inspection's events between two positions."""
    events = inspection_events(state.app, inspection_id, after, upto)
    return list(islice(events, HISTORY_BATCH))


router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["live"])


@router.get(
    "/stream",
    summary="Every event of the inspection as Server-Sent Events, live",
    description="SSE `id` is the log position. Resume with `Last-Event-ID: N` "
    "or `?after=N`. EventSource cannot set headers, so this route alone also "
    "takes the token as `?token=`: it may then appear in server and proxy "
    "logs, so use a read-only role's token on shared screens.",
    response_class=EventSourceResponse,
)
async def stream(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: StreamActorDep,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    if not state.read_side.read(lambda views: inspection_id in views.inspections):
        raise HTTPException(404, f"no inspection with id {inspection_id}")
    resume_from = _resume_position(last_event_id, after)
    broadcaster: Broadcaster = request.app.state.broadcaster
    return EventSourceResponse(
        stream_events(state, broadcaster, inspection_id, resume_from, actor),
        ping=state.settings.keepalive_seconds,
        send_timeout=state.settings.live_send_timeout_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _resume_position(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise HTTPException(
                422, "Last-Event-ID must be the id of an event this stream sent"
            )
        return int(last_event_id)
    return after or 0


def attach_broadcaster(app: Any, state: ServerState) -> Broadcaster:
    broadcaster = Broadcaster(asyncio.get_running_loop())
    state.read_side.add_listener(broadcaster.publish)
    app.state.broadcaster = broadcaster
    return broadcaster
