"""A pace for catch-up: how fast, all streams together, history may be sent.

Writing history to sockets is work on the event loop, the same loop that
reads every command and answers it. A crowd of streams catching up from the
start of a long log (a wall of screens reconnecting after a network blip)
would otherwise spend nearly all of the loop's time on it, and a command
would wait behind hundreds of page writes. Paced, the crowd's writes take at
most a set share of the loop, spread evenly over time; a lone stream still
has its whole history in a blink (128 MiB/s by default: 12 MB in 0.1 s).

The pace is kept as the time the next write may start: each write books
`size / rate` seconds after the last one booked, first come first served, so
no stream waits behind another for longer than the crowd ahead of it takes.
Unused time does not pile up beyond `burst_seconds`, so a quiet minute does
not turn into a burst that holds the loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class Pace:
    """Shared by every stream of one server process (one event loop)."""

    def __init__(
        self,
        bytes_per_second: float,
        burst_seconds: float = 0.01,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if bytes_per_second <= 0:
            raise ValueError("a pace must be above 0 bytes a second")
        self.bytes_per_second = bytes_per_second
        self.burst_seconds = burst_seconds
        self._clock = clock
        self._next_free = clock()

    def book(self, size: int) -> float:
        """Books `size` bytes; answers how many seconds to wait before sending."""
        now = self._clock()
        start = max(self._next_free, now - self.burst_seconds)
        self._next_free = start + size / self.bytes_per_second
        return max(0.0, start - now)

    async def wait_to_send(self, size: int) -> None:
        delay = self.book(size)
        # A zero sleep still lets the loop run whatever else is ready first.
        await asyncio.sleep(delay)
