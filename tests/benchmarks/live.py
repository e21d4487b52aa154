"""live_latency: from a command's HTTP response to its event on N open SSE streams.

Each stream is a bare asyncio.Protocol that stamps the moment its bytes arrive
and picks out the SSE `id:` lines (the log positions): cheap enough that a
thousand of them in this process measure the server, not the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from tests.benchmarks.httpclient import Connection, bearer, json_body
from tests.benchmarks.server import HOST, Server
from tests.benchmarks.stats import percentile
from tests.benchmarks.workload import Stage

MAX_BUFFER = 1 << 20


@dataclass
class Tally:
    """How many streams have seen the position being waited for."""

    target: int = 0
    seen: int = 0
    expected: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self, target: int, expected: int) -> None:
        self.target, self.seen, self.expected = target, 0, expected
        self.done.clear()


class Stream(asyncio.Protocol):
    def __init__(self, request: bytes, tally: Tally) -> None:
        self.request = request
        self.tally = tally
        self.transport: asyncio.Transport | None = None
        self.ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.arrivals: dict[int, float] = {}
        self.highest = 0
        self._head = b""
        self._partial = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.ready.done():
            self._head += data
            head, sep, rest = self._head.partition(b"\r\n\r\n")
            if not sep:
                if len(self._head) > MAX_BUFFER:
                    self.ready.set_result(0)
                return
            self.ready.set_result(int(head.split(b" ", 2)[1]))
            data = rest
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()[-MAX_BUFFER:]
        for line in lines:
            if line.startswith(b"id:"):
                position = int(line[3:].strip())
                if position > self.highest:
                    self.highest = position
                    self.arrivals[position] = now
                    tally = self.tally
                    if position >= tally.target > 0:
                        tally.seen += 1
                        if tally.seen >= tally.expected:
                            tally.done.set()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_result(0)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass
class LiveResult:
    streams: int
    # One list of latencies per round of commands: from the command's response
    # reaching the client, and (an upper bound) from the command being sent.
    rounds_ms: list[list[float]]
    rounds_from_request_ms: list[list[float]]
    # VmRSS growth per stream: once connected, and once events went through.
    kib_per_stream: float
    kib_per_stream_connected: float
    connect_seconds: float
    missed: int


async def measure_streams(
    server: Server,
    stage: Stage,
    streams: int,
    rounds: int,
    commands: int,
    timeout: float,
) -> LiveResult:
    """Opens `streams` streams, then posts `rounds` x `commands` commands."""
    loop = asyncio.get_running_loop()
    ins, tokens = stage.inspection, stage.cast.tokens
    conn = Connection(HOST, server.port, timeout=timeout)
    tally = Tally()
    opened: list[Stream] = []
    try:
        now = await conn.request(
            "GET", f"/api/inspections/{ins.id}", bearer(tokens["auditor"])
        )
        after = int(now.json()["position"])
        request = (
            f"GET /api/inspections/{ins.id}/stream?after={after}"
            f"&token={tokens['auditor']} HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n"
            "Accept: text/event-stream\r\n\r\n"
        ).encode()
        rss_before = server.rss_kib()
        started = time.perf_counter()
        for first in range(0, streams, 50):
            group = [Stream(request, tally) for _ in range(min(50, streams - first))]
            await asyncio.gather(
                *(
                    loop.create_connection(lambda s=s: s, HOST, server.port)  # type: ignore[misc]
                    for s in group
                )
            )
            opened += group
            statuses = await asyncio.wait_for(
                asyncio.gather(*(s.ready for s in group)), timeout
            )
            if any(status != 200 for status in statuses):
                raise RuntimeError(f"a stream answered {statuses}")
        connect_seconds = time.perf_counter() - started
        await asyncio.sleep(0.3)
        rss_connected = server.rss_kib()
        rounds_ms: list[list[float]] = []
        rounds_from_request_ms: list[list[float]] = []
        missed = 0
        for number in range(rounds * commands):
            if number % commands == 0:
                rounds_ms.append([])
                rounds_from_request_ms.append([])
            latencies, from_request = rounds_ms[-1], rounds_from_request_ms[-1]
            # The event may beat the response to the client: wait on the tally
            # only after the position is known, counting the early ones too.
            headers, body = json_body(
                {
                    "title": f"Live check {number}",
                    "requested_by": ins.inspectors[0],
                    "channel": "kit",
                }
            )
            tally.reset(target=10**18, expected=streams)
            sent = time.perf_counter()
            response = await conn.request(
                "POST",
                f"/api/inspections/{ins.id}/requests",
                {**bearer(tokens["rapid_response"]), **headers},
                body,
            )
            if response.status != 201:
                raise RuntimeError(f"live command refused: {response.body[:200]!r}")
            position = int(response.json()["position"])
            tally.reset(target=position, expected=streams)
            tally.seen = sum(1 for s in opened if s.highest >= position)
            if tally.seen < streams:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(tally.done.wait(), timeout)
            for s in opened:
                arrived = s.arrivals.get(position)
                if arrived is None:
                    missed += 1
                else:
                    latencies.append((arrived - response.received_at) * 1000)
                    from_request.append((arrived - sent) * 1000)
            await asyncio.sleep(0.02)
        rss_after = server.rss_kib()
        return LiveResult(
            streams=streams,
            rounds_ms=rounds_ms,
            rounds_from_request_ms=rounds_from_request_ms,
            kib_per_stream=(rss_after - rss_before) / streams,
            kib_per_stream_connected=(rss_connected - rss_before) / streams,
            connect_seconds=connect_seconds,
            missed=missed,
        )
    finally:
        for s in opened:
            s.close()
        await conn.close()
        await asyncio.sleep(0.2)


def summarise(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies),
    }
