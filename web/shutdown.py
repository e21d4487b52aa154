"""Graceful shutdown (`web.serve` starts uvicorn with it).

On SIGTERM (or SIGINT) uvicorn stops accepting connections and waits for the
requests under way: a command already received is executed and answered
(up to `WARROOM_SHUTDOWN_GRACE_SECONDS`, after which what is left is
cancelled, and its transaction with it). Streams would hold the process open
for ever, so each is told to go: sse-starlette notices the signal (within
half a second) and sets the stream's `farewell` event; the stream sends one
`closing` event carrying an SSE `retry:` (one to three seconds, spread so
that a server's clients do not all come back at the same instant) and ends.
The browser's EventSource reconnects by itself after that delay with
`Last-Event-ID`, through the proxy to a process that is still up, and gets
what it missed from the log. `/readyz` answers 503 from the signal on.
Then the read models are saved one last time and the process exits 0.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable

import anyio
from sse_starlette import ServerSentEvent

# How long sse-starlette waits for a stream to send its farewell and end.
FAREWELL_SECONDS = 2.0
RETRY_MS = (1000, 3000)


def farewell_message() -> ServerSentEvent:
    return ServerSentEvent(
        event="closing",
        data=json.dumps(
            {"detail": "this server is shutting down: reconnect with Last-Event-ID"}
        ),
        retry=random.randint(*RETRY_MS),
    )


def when_set(event: anyio.Event, then: Callable[[], None]) -> asyncio.Task[None]:
    """Calls `then()` once the event is set (a task; cancel it when done)."""

    async def wait() -> None:
        await event.wait()
        then()

    return asyncio.ensure_future(wait())
