"""Commands while the server is crowded: streams catching up from position 0
and clients polling a `min_position` the log has not reached (issue 10's
scenario, as tests/e2e/test_stalls.py runs it at a reduced size).

The commands come from `wrk` (a few connections, a closed loop), so their
p99 is measured by a generator that takes little CPU from the server; the
streams and pollers are asyncio clients in this process that read and
discard (a stream reads until the id of the log's last event, reconnecting
from the last id it saw when the server lets it go, as a browser does).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from tests.benchmarks.httpclient import Connection, bearer
from tests.benchmarks.wrk import Post, Result, drive

FAR_FUTURE = 1_000_000_000_000
POLL_PAUSE_SECONDS = 0.2


@dataclass
class Crowd:
    caught_up_s: list[float] = field(default_factory=list)
    poll_statuses: dict[int, int] = field(default_factory=dict)
    stream_bytes: int = 0


async def catch_up(
    host: str, port: int, path: str, token: str, last: int, crowd: Crowd
) -> None:
    started = time.perf_counter()
    seen = 0
    tail = b""
    while seen < last:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                f"GET {path}?after={seen}&token={token} HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\n\r\n".encode()
            )
            await writer.drain()
            while seen < last:
                chunk = await reader.read(1 << 16)
                if not chunk:
                    break  # let go: come back from the last id seen
                crowd.stream_bytes += len(chunk)
                window = tail + chunk
                at = window.rfind(b"\nid: ")
                if at >= 0:
                    line = window[at + 5 :].split(b"\n", 1)
                    if len(line) == 2:
                        seen = int(line[0].strip())
                tail = window[-64:]
        finally:
            writer.close()
    crowd.caught_up_s.append(time.perf_counter() - started)


async def poll(
    host: str, port: int, path: str, token: str, crowd: Crowd, stop: asyncio.Event
) -> None:
    conn = Connection(host, port, timeout=60)
    try:
        while not stop.is_set():
            response = await conn.request(
                "GET", f"{path}?min_position={FAR_FUTURE}", bearer(token)
            )
            status = response.status
            crowd.poll_statuses[status] = crowd.poll_statuses.get(status, 0) + 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_PAUSE_SECONDS)
    finally:
        await conn.close()


async def commands_in_a_crowd(
    host: str,
    port: int,
    inspection_id: str,
    token: str,
    last_position: int,
    post: Post,
    streams: int,
    pollers: int,
    command_connections: int,
    seconds: float,
) -> tuple[Result, Crowd]:
    crowd = Crowd()
    stop = asyncio.Event()
    base = f"/api/inspections/{inspection_id}"
    crowding = [
        asyncio.ensure_future(
            catch_up(host, port, f"{base}/stream", token, last_position, crowd)
        )
        for _ in range(streams)
    ] + [
        asyncio.ensure_future(poll(host, port, f"{base}/cases", token, crowd, stop))
        for _ in range(pollers)
    ]
    try:
        await asyncio.sleep(0.5)  # the crowd is in before the commands start
        result = await drive(host, port, post, command_connections, seconds)
    finally:
        stop.set()
    # The streams finish catching up (bounded), the pollers stop.
    done, pending = await asyncio.wait(crowding, timeout=120)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
    return result, crowd
