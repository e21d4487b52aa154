"""Streams are opened a few at a time, so that a crowd arriving at once (a
wall of screens reconnecting after a network blip, all after the same
`retry`) does not take the event loop from the commands arriving with it.

Opening a stream is about a millisecond and a half of Python on the event
loop (middleware, routing, the token, the subscription). Three hundred
arriving in the same instant would be run one after the other in one turn of
the loop, and a command arriving with them would wait half a second for its
first step and as long again for each step after. Here, a stream request
past the first `at_once` waits at the door, before any of that work, until
one of those ahead of it has its answer started; everything else runs
between. The crowd is opened as fast as before, in all; a command waits
for at most `at_once` openings. An opening that itself waits (for the read
models, say) gives its place up after `hold_seconds`.

A plain ASGI middleware, outermost of all, so that a waiting request has
cost nothing yet. Being outermost, it also hands the stream the `send` that
lies beneath the app's own middleware (`BODY_SEND` in the scope): every
layer acts on the start of an answer only, and a stream's messages skip
them (`web.live.LiveResponse`).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

STREAM_SUFFIX = "/stream"
# The scope key under which a stream finds the send beneath the middleware.
BODY_SEND = "warroom.body_send"


class StreamOpenings:
    def __init__(
        self, app: ASGIApp, at_once: int = 4, hold_seconds: float = 0.5
    ) -> None:
        self.app = app
        self.at_once = at_once
        # An opening that waits (for the read models to include this
        # process's last write, say) gives its place up after this long: the
        # door spaces openings out, it must not queue them behind a slow one.
        self.hold_seconds = hold_seconds
        # One semaphore per event loop: an app may be served by one loop and
        # then another (tests do), and a semaphore belongs to one.
        self._slots_of: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def _slots(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        slots = self._slots_of.get(loop)
        if slots is None:
            self._slots_of = {loop: asyncio.Semaphore(self.at_once)}
            slots = self._slots_of[loop]
        return slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(STREAM_SUFFIX):
            await self.app(scope, receive, send)
            return
        slots = self._slots()
        await slots.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                slots.release()
                given_up.cancel()

        given_up = asyncio.get_running_loop().call_later(self.hold_seconds, release)

        async def send_releasing(message: Message) -> None:
            # Its answer has started: the stream is open, the next may come.
            if message["type"] == "http.response.start":
                release()
            await send(message)

        scope[BODY_SEND] = send
        try:
            await self.app(scope, receive, send_releasing)
        finally:
            release()
