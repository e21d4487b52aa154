"""`many_inspections` (issue 14 item 4): a live inspection's costs beside many
closed ones, as a ratio to a database holding only the live ones.

Two databases in one run: "small" holds `live` inspections of `live_events`
events each; "big" holds the same live inspections beside `closed`
inspections of `closed_events` events each (closed, as finished inspections
are). Both have their read models saved (as a server that ran on them left
them). Then, the same steps on each, against a real `warroom serve`:

- start_s: Popen of the server to its first answer reflecting the whole log,
  on a live inspection;
- rss_mib: the server's resident memory once the steps below are done;
- command p50/p99: serial blog posts to the live inspections;
- read p95: serial reads of the live inspections' requests;
- catch_up_s: a stream of a live inspection from position 0 until its last
  event arrives;
- as_of p95: serial reads of a live inspection at a past position.

Each "big" figure is divided by the "small" one; the goal is <= 1.25 x.
"""

from __future__ import annotations

import asyncio
import http.client
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commands import models as m
from commands.executor import execute
from projections.rebuild import rebuild
from tests.benchmarks.databases import fresh_database
from tests.benchmarks.httpclient import Connection, bearer, json_body
from tests.benchmarks.logbuilder import (
    Cast,
    InspectionCast,
    LogBuilder,
    add_users,
    open_inspection,
)
from tests.benchmarks.results import Measurement
from tests.benchmarks.server import HOST, Server
from tests.benchmarks.stats import percentile
from warroom.application import WarRoom
from warroom.config import Database

if TYPE_CHECKING:
    from tests.benchmarks.runner import Run

GOAL = 1.25
# What is compared, and the unit of each figure.
FIGURES = {
    "start_s": "s",
    "rss_mib": "MiB",
    "command_p50_ms": "ms",
    "command_p99_ms": "ms",
    "read_p95_ms": "ms",
    "catch_up_s": "s",
    "as_of_p95_ms": "ms",
}


@dataclass(frozen=True)
class Size:
    closed: int
    closed_events: int
    live: int
    live_events: int
    commands: int
    reads: int

    @classmethod
    def of(cls, quick: bool, smoke: bool = False) -> Size:
        if smoke:
            return cls(
                closed=2, closed_events=50, live=2, live_events=50, commands=10,
                reads=10,
            )  # fmt: skip
        if quick:
            return cls(
                closed=5, closed_events=500, live=3, live_events=500, commands=60,
                reads=60,
            )  # fmt: skip
        return cls(
            closed=1000, closed_events=2000, live=10, live_events=2000, commands=400,
            reads=300,
        )  # fmt: skip


@dataclass
class Built:
    cast: Cast
    live: list[InspectionCast]
    live_ranges: dict[str, tuple[int, int]]
    last_position: int
    seconds: float


def build(url: str, size: Size, closed: int, deadline: float) -> Built:
    """Users, `closed` closed inspections, then the live ones; read models saved."""
    started = time.perf_counter()
    app = WarRoom(Database.from_url(url))
    try:
        cast = add_users(app)
        lead = cast.actors["lead"]
        for number in range(closed):
            done = open_inspection(app, cast, f"Closed inspection {number}")
            LogBuilder(app, cast, done, seed=100 + number).build(
                size.closed_events, 2000, deadline
            )
            execute(app, lead, m.EnterPhase(phase="closed"), inspection_id=done.id)
        live: list[InspectionCast] = []
        ranges: dict[str, tuple[int, int]] = {}
        for number in range(size.live):
            ins = open_inspection(app, cast, f"Live inspection {number}")
            built = LogBuilder(app, cast, ins, seed=7 + number).build(
                size.live_events, 500, deadline
            )
            live.append(ins)
            ranges[ins.id] = (built.first_position, built.last_position)
        rebuild(app)  # saved, as a server that ran on it would have left them
        last = app.recorder.max_notification_id() or 0
    finally:
        app.close()
    return Built(cast, live, ranges, last, time.perf_counter() - started)


async def _first_answer(server: Server, built: Built, timeout: float) -> float:
    path = f"/api/inspections/{built.live[0].id}?min_position={built.last_position}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        conn = Connection(HOST, server.port, timeout=10)
        try:
            response = await conn.request(
                "GET", path, bearer(built.cast.tokens["auditor"])
            )
            if response.status == 200:
                return response.received_at - server.started
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            await conn.close()
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no first answer within {timeout} s")


async def _timed(
    conn: Connection, method: str, path: str, headers: dict[str, str], body: bytes
) -> float:
    started = time.perf_counter()
    response = await conn.request(method, path, headers, body)
    if response.status not in (200, 201):
        raise RuntimeError(
            f"{method} {path}: {response.status} {response.body[:200]!r}"
        )
    return (response.received_at - started) * 1000


async def _commands_reads_as_of(
    server: Server, built: Built, size: Size
) -> dict[str, list[float]]:
    rng = random.Random(11)
    conn = Connection(HOST, server.port, timeout=60)
    lead = bearer(built.cast.tokens["lead"])
    auditor = bearer(built.cast.tokens["auditor"])
    found: dict[str, list[float]] = {"command": [], "read": [], "as_of": []}
    try:
        for n in range(size.commands):
            ins = built.live[n % len(built.live)]
            headers, body = json_body(
                {"day": str(ins.starts_on), "title": f"Post {n}", "body": "text"}
            )
            path = f"/api/inspections/{ins.id}/blog"
            found["command"].append(
                await _timed(conn, "POST", path, {**lead, **headers}, body)
            )
        for n in range(size.reads):
            ins = built.live[n % len(built.live)]
            path = f"/api/inspections/{ins.id}/requests?state=open"
            found["read"].append(await _timed(conn, "GET", path, auditor, b""))
        for n in range(size.reads):
            ins = built.live[n % len(built.live)]
            first, last = built.live_ranges[ins.id]
            at = rng.randint(first, last)
            path = f"/api/inspections/{ins.id}/requests?state=open&at={at}"
            found["as_of"].append(await _timed(conn, "GET", path, auditor, b""))
    finally:
        await conn.close()
    return found


def _catch_up_seconds(server: Server, built: Built, timeout: float = 300) -> float:
    """A stream from position 0 of the first live inspection, until its last
    event (as built) arrives."""
    ins = built.live[0]
    _, last = built.live_ranges[ins.id]
    wanted = f"id: {last}".encode()
    conn = http.client.HTTPConnection(HOST, server.port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(
            "GET",
            f"/api/inspections/{ins.id}/stream?after=0",
            headers=bearer(built.cast.tokens["auditor"]),
        )
        response = conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"stream: {response.status}")
        while True:
            line = response.readline()
            if not line:
                raise RuntimeError("the stream ended before its last event")
            if line.startswith(wanted) and line.strip() == wanted:
                return time.perf_counter() - started
    finally:
        conn.close()


def measure_one(run: Run, m: Measurement, url: str, built: Built, size: Size) -> None:
    server = Server(url, run.workdir)
    try:
        server.wait_listening(timeout=600)
        m.figure("start_s", "s").add(asyncio.run(_first_answer(server, built, 600)))
        m.figure("catch_up_s", "s").add(_catch_up_seconds(server, built))
        found = asyncio.run(_commands_reads_as_of(server, built, size))
        m.figure("command_p50_ms", "ms").add(percentile(found["command"], 50))
        m.figure("command_p99_ms", "ms").add(percentile(found["command"], 99))
        m.figure("read_p95_ms", "ms").add(percentile(found["read"], 95))
        m.figure("as_of_p95_ms", "ms").add(percentile(found["as_of"], 95))
        m.figure("rss_mib", "MiB").add(server.rss_kib() / 1024)
    finally:
        server.stop()


def many_inspections(run: Run) -> None:
    """The stage: both databases built, measured, and the big over the small."""
    size = Size.of(run.plan.quick, run.plan.smoke)
    with (
        fresh_database(run.kind, "few", run.workdir) as small_url,
        fresh_database(run.kind, "many", run.workdir) as big_url,
    ):
        with run.measuring("many_inspections_small") as small:
            built_small = build(small_url, size, 0, run.deadline)
            small.params = _params(size, 0, built_small)
            measure_one(run, small, small_url, built_small, size)
        with run.measuring("many_inspections") as big:
            built_big = build(big_url, size, size.closed, run.deadline)
            big.params = _params(size, size.closed, built_big)
            measure_one(run, big, big_url, built_big, size)
            if small.status == "measured":
                for key in FIGURES:
                    # A cost, big over small: its goal is an upper bound.
                    big.ratio(f"{key}: many / few", key, small, key, None, "")
                    value = big.figures[key].median / max(
                        small.figures[key].median, 1e-9
                    )
                    big.goals.append(
                        {
                            "goal": f"{key} within {GOAL} x of the live ones alone",
                            "figure": key,
                            "measured": round(value, 3),
                            "limit": GOAL,
                            "met": value <= GOAL,
                            "gap": None if value <= GOAL else f"{value:.2f} x",
                        }
                    )


def _params(size: Size, closed: int, built: Built) -> dict[str, object]:
    return {
        "closed_inspections": closed,
        "closed_events_each": size.closed_events,
        "live_inspections": size.live,
        "live_events_each": size.live_events,
        "events": built.last_position,
        "build_seconds": round(built.seconds, 1),
        "commands": size.commands,
        "reads": size.reads,
        "what": "see tests/benchmarks/many_inspections.py: start to first "
        "answer, memory, command p50/p99, read p95, stream catch-up from 0, "
        "as_of p95; `many_inspections` carries big / small for each",
    }
