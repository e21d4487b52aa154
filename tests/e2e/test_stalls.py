"""No request can hold the server: commands stay quick while streams catch up
from the start of a long log (or are never read at all) and clients poll with
positions still to come.

Against a real `warroom serve` on each database. The clients are cheap, so
that the figure measures the server and not them: the commands come from
`wrk` (C, a Lua script; the benchmark's Python client if `wrk` is missing),
the streams and pollers are asyncio coroutines on raw sockets in this
process (`tests/benchmarks/stalls.py`), and the CPU each side used is
printed beside the latencies.

Reduced in size for CI; the issue's size is one command (the figure is fair
only on a quiet machine; docs/benchmarks.md says where it was taken):

    STALL_EVENTS=24000 STALL_STREAMS=300 STALL_POLLERS=60 STALL_SECONDS=20 \\
        CI=true .venv/bin/pytest tests/e2e/test_stalls.py -s

The bound asserted is loose (only a real stall breaks it); the measured p50
and p99 are printed for docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from projections.follower import inspection_events
from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from tests.benchmarks.stalls import Crowd, commands_in_a_crowd
from tests.benchmarks.workload import server_cpu_seconds
from tests.benchmarks.wrk import Post, Result, drive
from tests.servers import served
from warroom.application import WarRoom
from warroom.config import Database

EVENTS = int(os.environ.get("STALL_EVENTS", "3000"))
STREAMS = int(os.environ.get("STALL_STREAMS", "30"))
# More than the 40 threads of the pool the routes run on: each poller held
# one for 5 s before waits became awaits.
POLLERS = int(os.environ.get("STALL_POLLERS", "50"))
# How long the commands go on (a few closed loops, one command after another).
SECONDS = float(os.environ.get("STALL_SECONDS", "5"))
COMMAND_CONNECTIONS = 4
# Loose: p99 came near 1 s when other test runs loaded the machine's two
# cores; before the fixes commands were not answered at all.
P99_BOUND_MS = 2000.0
# At least one answer a second on each connection (the code before issue 10
# answered none in the crowd, and a server that answers none has a p99 of 0).
MIN_COMMANDS = int(COMMAND_CONNECTIONS * SECONDS)
HOST = "127.0.0.1"
DEEP_HISTORY_EVENTS = 12_000


@dataclass(frozen=True)
class Stage:
    tokens: dict[str, str]
    inspection_id: str
    last_position: int  # the inspection's last event when the server starts


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def build(database_url: str, events: int) -> Stage:
    app = WarRoom(Database.from_url(database_url))
    try:
        cast = add_users(app)
        inspection = open_inspection(app, cast, "Stalls")
        LogBuilder(app, cast, inspection, seed=10).build(
            events, 500, time.monotonic() + 600
        )
        last = 0
        for event in inspection_events(app, inspection.id):
            last = event.position
        return Stage(cast.tokens, inspection.id, last)
    finally:
        app.close()


@pytest.fixture
def stage(database_url: str) -> Stage:
    return build(database_url, EVENTS)


@pytest.fixture
def server(database_url: str, stage: Stage) -> Iterator[Server]:
    env = {"WARROOM_MAX_STREAMS_PER_USER": str(STREAMS + 10)}
    with served(database_url, env=env, timeout=120) as (base, pid):
        port = int(base.rsplit(":", 1)[1])
        # The read side has folded the whole log in before the crowd comes.
        with httpx.Client(timeout=120) as http:
            answer = http.get(
                f"{base}/api/inspections/{stage.inspection_id}/cases",
                params={"min_position": stage.last_position},
                headers={"Authorization": f"Bearer {stage.tokens['auditor']}"},
            )
            assert answer.status_code == 200, answer.text
        yield Server(port, pid)


def blog_post(stage: Stage) -> Post:
    """The command every connection sends: a blog post (one new event)."""
    body = {"day": datetime.now(UTC).date().isoformat(), "title": "Post", "body": "x"}
    return Post(
        path=f"/api/inspections/{stage.inspection_id}/blog",
        headers={
            "Authorization": f"Bearer {stage.tokens['rapid_response']}",
            "Content-Type": "application/json",
        },
        body=json.dumps(body).encode(),
    )


def report(what: str, database_url: str, result: Result, cpu: dict[str, float]) -> None:
    ok = max(result.requests - result.errors, 1)
    per_command = ", ".join(
        f"{who} {seconds:.1f} s ({seconds * 1000 / ok:.2f} ms/command)"
        for who, seconds in cpu.items()
    )
    print(
        f"\n{database_url.split(':', 1)[0]}: {what}: {result.requests} commands "
        f"({result.generator}, {COMMAND_CONNECTIONS} connections, {SECONDS:g} s), "
        f"{result.errors} failed, p50 {result.p50_ms:.0f} ms, "
        f"p99 {result.p99_ms:.0f} ms; CPU: {per_command}"
    )


def test_commands_keep_their_pace_while_streams_catch_up_and_reads_wait(
    server: Server, stage: Stage, database_url: str
) -> None:
    server_before = server_cpu_seconds(server.pid)
    ours_before = time.process_time()
    result, crowd = asyncio.run(
        commands_in_a_crowd(
            HOST,
            server.port,
            stage.inspection_id,
            stage.tokens["auditor"],
            stage.last_position,
            blog_post(stage),
            STREAMS,
            POLLERS,
            COMMAND_CONNECTIONS,
            SECONDS,
        )
    )
    cpu = {
        "server": server_cpu_seconds(server.pid) - server_before,
        result.generator: result.generator_cpu_s,
        # This process: the streams' and pollers' coroutines (and, without
        # wrk, the Python client's commands too).
        "streams and pollers": time.process_time() - ours_before,
    }
    if result.generator == "python":
        cpu["streams and pollers"] -= result.generator_cpu_s
    report(
        f"while {STREAMS} streams caught up from 0 on {stage.last_position} "
        f"events and {POLLERS} clients polled a future position",
        database_url,
        result,
        cpu,
    )
    print(describe(crowd))
    assert result.errors == 0
    # wrk counts only answered commands: a server that answers none has
    # a p99 of 0. Every connection must have had answers all along.
    assert result.requests >= MIN_COMMANDS, result
    assert result.p99_ms < P99_BOUND_MS, result
    assert set(crowd.poll_statuses) == {409}, "a position beyond the log is refused"
    assert len(crowd.caught_up_s) == STREAMS, "every stream caught up"


def describe(crowd: Crowd) -> str:
    slowest = max(crowd.caught_up_s, default=0.0)
    return (
        f"{len(crowd.caught_up_s)} streams caught up (slowest {slowest:.1f} s, "
        f"{crowd.stream_bytes / 2**20:.0f} MiB read); polls answered "
        f"{crowd.poll_statuses}"
    )


def test_commands_keep_their_pace_while_streams_from_0_are_never_read(
    server: Server, stage: Stage, database_url: str
) -> None:
    """Streams that ask for the whole log and read none of it (the issue:
    300 of them made a command time out at 60 s)."""

    async def unread_streams_while_commands_run() -> Result:
        path = f"/api/inspections/{stage.inspection_id}/stream"
        # Each reader is kept, never read: the server's sends fill the socket.
        opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        try:
            for _ in range(STREAMS):
                opened.append(await asyncio.open_connection(HOST, server.port))
                opened[-1][1].write(
                    f"GET {path}?after=0&token={stage.tokens['auditor']} HTTP/1.1\r\n"
                    f"Host: {HOST}\r\n\r\n".encode()
                )
            await asyncio.sleep(0.5)  # the streams are in before the commands
            return await drive(
                HOST, server.port, blog_post(stage), COMMAND_CONNECTIONS, SECONDS
            )
        finally:
            for _, writer in opened:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    server_before = server_cpu_seconds(server.pid)
    result = asyncio.run(unread_streams_while_commands_run())
    report(
        f"while {STREAMS} streams from 0 on {stage.last_position} events "
        "were never read",
        database_url,
        result,
        {
            "server": server_cpu_seconds(server.pid) - server_before,
            result.generator: result.generator_cpu_s,
        },
    )
    assert result.errors == 0
    # wrk counts only answered commands: a server that answers none has
    # a p99 of 0. Every connection must have had answers all along.
    assert result.requests >= MIN_COMMANDS, result
    assert result.p99_ms < P99_BOUND_MS, result


def test_a_stream_deep_in_its_history_is_not_let_go_for_commands_meanwhile(
    database_url: str,
) -> None:
    """A stream catching up takes no live events, so commands stored while
    it reads its history cannot overflow its queue: it reads the log on to
    its head and then goes live, all on one connection.

    Before, it queued live events from the moment it opened: a long catch-up
    (a slow screen, or one of a crowd) overflowed its queue, it was let go
    partway through its history and came back from there, again and again,
    each time from a place no other stream was reading, so no page it
    needed was one another stream had read."""
    # More history (about 6 MB) than the kernel's buffers hold (3 MB here),
    # or it is all on its way before the commands come.
    stage = build(database_url, DEEP_HISTORY_EVENTS)
    env = {"WARROOM_LIVE_QUEUE_SIZE": "5"}
    with served(database_url, env=env, timeout=120) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        # Megabytes of history against a 4 KiB window: the server is held
        # partway through until this client reads.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connecting, so that the window it makes counts.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(60)
        sock.connect((HOST, port))
        path = f"/api/inspections/{stage.inspection_id}/stream"
        token = stage.tokens["auditor"]
        sock.sendall(
            f"GET {path}?after=0&token={token} HTTP/1.1\r\n"
            f"Host: {HOST}\r\n\r\n".encode()
        )
        time.sleep(0.5)
        post = blog_post(stage)
        with httpx.Client(base_url=base, timeout=60) as http:
            meanwhile = [
                http.post(post.path, headers=post.headers, content=post.body).json()[
                    "position"
                ]
                for _ in range(10)
            ]
        ids = ids_sent_until(sock, meanwhile[-1])

    app = WarRoom(Database.from_url(database_url))
    try:
        logged = [
            event.position for event in inspection_events(app, stage.inspection_id)
        ]
    finally:
        app.close()
    assert logged[-10:] == meanwhile
    assert ids == logged


def ids_sent_until(sock: socket.socket, last: int) -> list[int]:
    """The event ids one connection sends, read until `last` has come or the
    server ends the stream."""
    data = bytearray()
    want = f"id: {last}\r\n".encode()
    with sock:
        while want not in data[-4096:]:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break  # the server let the stream go
            data += chunk
    return [
        int(line.split(b":", 1)[1])
        for line in bytes(data).split(b"\r\n")
        if line.startswith(b"id:")
    ]
