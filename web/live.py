"""The live stream: one SSE message per stored event of an inspection.

The SSE `id` is the event's log position, so a client that reconnects with
`Last-Event-ID: N` (or `?after=N`) gets every event after N from the log, in
order and none twice, and then carries on live. sse-starlette does not do
that part; `stream_events` does.

Fan-out: the read side calls `Broadcaster.publish` from its thread once per
event; one hop onto the event loop, then each client gets the event on its
own bounded queue. A client that stops reading fills its queue and is
dropped, without slowing the others; its browser reconnects and catches up
from the log (`web/catchup.py`: paged, on an executor of its own, shared
between streams). One user may hold `WARROOM_MAX_STREAMS_PER_USER` streams
at once; more get 429.

A stream catching up takes no live events: it reads the log to its head,
and only then joins the live feed (and sends what was stored meanwhile from
the log too). So a long catch-up while commands pour in cannot overflow its
queue and have it let go and reconnect, again and again, each time from a
place no other stream reads from.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, HTTPException, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent
from sse_starlette.sse import SendTimeoutError
from starlette.types import Message as AsgiMessage
from starlette.types import Receive, Scope, Send

from projections.events import LoggedEvent
from projections.views import Changes, Views
from web.catchup import CatchUp, encode
from web.deps import StateDep, StreamActorDep
from web.pacing import Pace
from web.sessions import watch_stream
from web.shutdown import FAREWELL_SECONDS, farewell_message, when_set
from web.state import ServerState
from web.stream_openings import BODY_SEND


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
    # Who signed in: to count a user's streams, and to end them.
    user_id: str = ""
    queue: asyncio.Queue[Message | object] = field(init=False)
    # Reading history from the log: live events are not queued yet (the log
    # holds them; `go_live` says from where the queue takes over).
    catching_up: bool = True
    dropped: bool = False
    # Ended because the server is shutting down: it says so before it goes.
    closing: bool = False
    # Takes it off its inspection's count of streams (`Broadcaster`), once.
    uncount: Callable[[], object] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # One more than asked, so there is always room to say "dropped".
        self.queue = asyncio.Queue(self.queue_size + 1)

    def offer(self, message: Message) -> None:
        if self.dropped or self.catching_up:
            return
        if self.queue.qsize() < self.queue_size:
            self.queue.put_nowait(message)
            return
        # It stopped reading: let it go. What it missed stays in the log.
        self.drop()

    def close(self) -> None:
        """Ends the stream with a farewell: the server is shutting down."""
        self.closing = True
        self.drop()

    def drop(self) -> None:
        """Ends the stream (on the event loop's thread): it stops at its next
        message, or at its next page of catch-up."""
        if not self.dropped:
            self.dropped = True
            self.queue.put_nowait(_DROPPED)


class Broadcaster:
    """Fans each event out to the clients of its inspection, in this process."""

    def __init__(self, loop: asyncio.AbstractEventLoop, catch_up: CatchUp) -> None:
        self._loop = loop
        self.catch_up = catch_up
        # Weak: a stream whose response never started (the client hung up at
        # once) never runs its `finally`, and must not stay counted for ever.
        self._clients: weakref.WeakSet[Client] = weakref.WeakSet()
        # How many clients each inspection has: never fewer than there are.
        self._following: dict[str, int] = {}
        # Reentrant: a client collected while this thread holds it (the
        # garbage collector runs anywhere) takes itself off the count.
        self._lock = threading.RLock()

    def publish(self, event: LoggedEvent, changes: Changes) -> None:
        """Called from the read side's thread, after the event is folded in.

        An inspection no stream follows costs nothing here: a server folding
        a long log in at its start encoded every event, for nobody, and that
        was a third of its time (issue 22). A stream subscribes before it
        reads the log, so what was folded before it did is in what it reads.
        """
        if event.is_internal or self._loop.is_closed():
            return
        with self._lock:
            if not self._following.get(event.inspection_id):
                return
        message = Message(event.position, encode(event, changes))
        self._loop.call_soon_threadsafe(self._fan_out, event.inspection_id, message)

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len(self._clients)

    def clients_of(self, user_id: str) -> list[Client]:
        """The open streams of one user in this process (to count or end them)."""
        with self._lock:
            return [c for c in self._clients if c.user_id == user_id]

    def end_streams_of(self, user_id: str) -> None:
        """Ends the user's streams (their token changed); from any thread."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._end, user_id)

    def _end(self, user_id: str) -> None:
        for client in self.clients_of(user_id):
            client.drop()

    def _fan_out(self, inspection_id: str, message: Message) -> None:
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            if client.inspection_id == inspection_id:
                client.offer(message)

    def subscribe(self, client: Client) -> None:
        with self._lock:
            self._clients.add(client)
            following = self._following.get(client.inspection_id, 0)
            self._following[client.inspection_id] = following + 1
        # Counted down once: when its stream ends, or else when it is
        # collected (a stream whose response never started never ends).
        client.uncount = weakref.finalize(client, self._gone, client.inspection_id)

    def _gone(self, inspection_id: str) -> None:
        with self._lock:
            following = self._following.pop(inspection_id, 1) - 1
            if following:
                self._following[inspection_id] = following

    def unsubscribe(self, client: Client) -> None:
        with self._lock:
            self._clients.discard(client)
        if client.uncount is not None:
            client.uncount()


def open_client(
    state: ServerState, broadcaster: Broadcaster, inspection_id: str, user_id: str
) -> Client:
    """A new client, counted among its user's streams; it catches up first."""
    client = Client(inspection_id, state.settings.live_queue_size, user_id)
    broadcaster.subscribe(client)
    return client


def live_feed_of(state: ServerState) -> Callable[[Client], int]:
    """`go_live(client)`: the client's queue takes events from now on; answers
    the position the read models hold, below which the log has them all.

    Runs on the event loop's thread, as fan-out does, with no await between
    reading the position and turning the queue on: an event folded in after
    the position read is queued, one at or before it comes from the log (and
    is skipped if it is queued too).
    """

    def go_live(client: Client) -> int:
        def turn_on_at_current_position(views: Views) -> int:
            client.catching_up = False
            return views.position

        return state.read_side.read(turn_on_at_current_position)

    return go_live


async def stream_events(
    broadcaster: Broadcaster,
    client: Client,
    after: int,
    go_live: Callable[[Client], int],
    expires_at: datetime | None = None,
    farewell: anyio.Event | None = None,
) -> AsyncIterator[ServerSentEvent | bytes]:
    # Shutting down: sse-starlette sets `farewell`; the stream says goodbye.
    closer = when_set(farewell, client.close) if farewell is not None else None
    expiry = None
    if expires_at is not None:
        # The token's expiry ends the stream as a revocation would.
        delay = (expires_at - datetime.now(UTC)).total_seconds()
        expiry = asyncio.get_running_loop().call_later(max(delay, 0), client.drop)
    last = after

    async def history(upto: int | None) -> AsyncGenerator[bytes, None]:
        """The log after `last` (up to `upto`, or to its head), page by page:
        the next page is read only once this one is on its way, so at most
        one page of history per stream is held in memory."""
        nonlocal last
        while not client.dropped and (upto is None or last < upto):
            page = await broadcaster.catch_up.page(client.inspection_id, last)
            chunk, reached = page.between(last, upto)
            # Always a wait, if only a zero one: a page from memory, written
            # to a socket with room, never suspends, and a stream would hold
            # the event loop through its whole history while requests wait
            # unread. The pace keeps a crowd's share of the loop bounded.
            await broadcaster.catch_up.pace.wait_to_send(len(chunk))
            if chunk:
                yield chunk
            if reached <= last:
                return  # nothing more in the log (below `upto`)
            last = reached
            if upto is None and not page.full:
                return  # the page ran into the log's head

    try:
        # Tell the browser to come back quickly after a drop.
        yield ServerSentEvent(comment="connected", retry=1000)
        # Closed at once if the client hangs up partway, not when collected.
        async with aclosing(history(None)) as pages:
            async for chunk in pages:
                yield chunk
        if not client.dropped:
            upto = go_live(client)
            # What was stored while the last page was read and sent.
            async with aclosing(history(upto)) as pages:
                async for chunk in pages:
                    yield chunk
            last = max(last, upto)
        if client.dropped:
            # Let go (revoked, expired, shutting down) before its history was
            # all sent: the live events queued for it may lie past history it
            # has not had, so it ends here, and resumes from the last id it got.
            if client.closing:
                yield farewell_message()
            return
        while True:
            item = await client.queue.get()
            if not isinstance(item, Message):
                if client.closing:
                    yield farewell_message()
                return  # dropped for falling behind; it will reconnect
            if item.position <= last:
                continue
            last = item.position
            yield item.encoded
    finally:
        broadcaster.unsubscribe(client)
        if expiry is not None:
            expiry.cancel()
        if closer is not None:
            closer.cancel()


class LiveResponse(EventSourceResponse):
    """sse-starlette's response, made cheaper per message: with 1,000 streams
    open each event is sent 1,000 times, and these two costs were a third of
    the event loop's time (py-spy, the `live_latency` benchmark).

    - A message in the middle of the stream goes straight to the send beneath
      the app's middleware (`web.stream_openings.BODY_SEND`): each layer acts
      on the start of an answer only, and the start and the last message
      still pass through them all (headers, request id, metrics, access log).
    - The send timeout (a client that takes nothing for that long is let go)
      uses asyncio's own timer: anyio's `move_on_after`, which sse-starlette
      3.7 uses (pinned), looks the async library up on every message.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        beneath = scope.get(BODY_SEND)
        if beneath is None:
            await super().__call__(scope, receive, send)
            return
        through_the_middleware = send

        async def send_message(message: AsgiMessage) -> None:
            if message["type"] == "http.response.body" and message.get("more_body"):
                await beneath(message)
            else:
                await through_the_middleware(message)

        await super().__call__(scope, receive, send_message)

    async def _send_with_timeout(self, send: Send, message: AsgiMessage) -> None:
        try:
            async with asyncio.timeout(self.send_timeout):
                await send(message)
        except TimeoutError:
            raise SendTimeoutError() from None


router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["live"])


@router.get(
    "/stream",
    summary="Every event of the inspection as Server-Sent Events, live",
    description="SSE `id` is the log position. Resume with `Last-Event-ID: N` "
    "or `?after=N`. EventSource cannot set headers, so this route alone also "
    "takes the token as `?token=` (for programs: the page signs in by its "
    "session's cookie and puts no token in any address). One user may "
    "hold WARROOM_MAX_STREAMS_PER_USER streams at once: more get 429.",
    response_class=EventSourceResponse,
    responses={429: {"description": "This user has too many streams open"}},
)
async def stream(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: StreamActorDep,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> EventSourceResponse:
    # An inspection this process just opened is streamed, not "not found".
    await state.reader.wait_for_position(state.reader.last_saved)
    if not state.read_side.read(lambda views: inspection_id in views.inspections):
        raise HTTPException(404, f"no inspection with id {inspection_id}")
    resume_from = _resume_position(last_event_id, after)
    broadcaster: Broadcaster = request.app.state.broadcaster
    # Counted and subscribed with no await between: no race past the limit.
    most = state.settings.max_streams_per_user
    if len(broadcaster.clients_of(actor.id)) >= most:
        raise HTTPException(
            429,
            f"{actor.name} already has {most} streams open; close one first",
            headers={"Retry-After": "5"},
        )
    client = open_client(state, broadcaster, inspection_id, actor.id)
    farewell = anyio.Event()
    events = stream_events(
        broadcaster,
        client,
        resume_from,
        live_feed_of(state),
        actor.expires_at,
        farewell,
    )
    # A browser's session may end on another server process (a sign-out):
    # its stream ends then too, as a revocation's does (issue 26).
    stop_watching = await watch_stream(
        request, client.drop, state.settings.keepalive_seconds
    )
    if stop_watching is not None:
        events = _watched(events, stop_watching)
    return LiveResponse(
        events,
        shutdown_event=farewell,
        shutdown_grace_period=FAREWELL_SECONDS,
        ping=state.settings.keepalive_seconds,
        send_timeout=state.settings.live_send_timeout_seconds,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _watched(
    events: AsyncIterator[ServerSentEvent | bytes],
    stop_watching: Callable[[], Awaitable[None]],
) -> AsyncIterator[ServerSentEvent | bytes]:
    try:
        async with aclosing(events) as inner:  # type: ignore[type-var]
            async for item in inner:
                yield item
    finally:
        await stop_watching()


def _resume_position(last_event_id: str | None, after: int | None) -> int:
    if last_event_id is not None:
        if not last_event_id.strip().isdigit():
            raise HTTPException(
                422, "Last-Event-ID must be the id of an event this stream sent"
            )
        return int(last_event_id)
    return after or 0


def attach_broadcaster(app: Any, state: ServerState) -> Broadcaster:
    settings = state.settings
    catch_up = CatchUp(
        state.app,
        settings.catch_up_threads,
        settings.catch_up_cache_mib << 20,
        Pace(settings.catch_up_mib_per_s * 2**20),
    )
    broadcaster = Broadcaster(asyncio.get_running_loop(), catch_up)
    state.read_side.add_listener(broadcaster.publish)
    app.state.broadcaster = broadcaster
    return broadcaster
