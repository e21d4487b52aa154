"""No request can hold the server: commands stay quick while streams catch up
from the start of a long log and clients poll with positions still to come.

Against a real `warroom serve` on each database. Reduced in size for CI; the
sizes come from the environment for a full-size run by hand, e.g.

    STALL_EVENTS=24000 STALL_STREAMS=300 STALL_POLLERS=60 STALL_COMMANDS=600 \\
        CI=true .venv/bin/pytest tests/e2e/test_stalls.py -s -k commands_keep

The bound asserted is loose (only a real stall breaks it); the measured p50
and p99 are printed for the README.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from projections.follower import inspection_events
from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from tests.servers import running_server
from warroom.application import WarRoom
from warroom.config import Database

EVENTS = int(os.environ.get("STALL_EVENTS", "3000"))
STREAMS = int(os.environ.get("STALL_STREAMS", "30"))
# More than the 40 threads of the pool the routes run on: each poller held
# one for 5 s before waits became awaits.
POLLERS = int(os.environ.get("STALL_POLLERS", "50"))
COMMANDS = int(os.environ.get("STALL_COMMANDS", "120"))
P99_BOUND_SECONDS = 1.0
FAR_FUTURE = 1_000_000_000_000
# A poller asks again this long after each answer, as a page would: a tight
# loop of answered requests is load, not a stall.
POLL_PAUSE_SECONDS = 0.2


@dataclass(frozen=True)
class Stage:
    tokens: dict[str, str]
    inspection_id: str
    last_position: int  # the inspection's last event when the server starts


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
def server(database_url: str, stage: Stage) -> Iterator[str]:
    env = {"WARROOM_MAX_STREAMS_PER_USER": str(STREAMS + 10)}
    with running_server(database_url, env=env, timeout=120) as base:
        yield base


def catch_up(base: str, stage: Stage, done: list[float]) -> None:
    """Reads a stream from the start to the stage's last event, reconnecting
    from the last id seen when the server lets it go, as a browser does."""
    started = time.monotonic()
    last = 0
    url = f"{base}/api/inspections/{stage.inspection_id}/stream"
    with httpx.Client(timeout=120) as http:
        while time.monotonic() - started < 600:
            params = {"after": str(last), "token": stage.tokens["auditor"]}
            with http.stream("GET", url, params=params) as response:
                assert response.status_code == 200, response.read()
                last = read_ids(response, last, stage.last_position)
            if last >= stage.last_position:
                done.append(time.monotonic() - started)
                return


def read_ids(response: httpx.Response, last: int, wanted: int) -> int:
    """Reads until the id `wanted` or the end; the last id seen."""
    tail = b""
    for chunk in response.iter_raw():
        seen = tail + chunk
        at = seen.rfind(b"\nid: ")
        if at >= 0:
            line = seen[at + 5 :].split(b"\n", 1)
            if len(line) == 2:  # the whole id has arrived
                last = int(line[0].strip())
                if last >= wanted:
                    return last
        tail = seen[-64:]
    return last


def poll(base: str, stage: Stage, answers: list[int], stop: threading.Event) -> None:
    """Asks a read model again and again for a position the log never reaches."""
    headers = {"Authorization": f"Bearer {stage.tokens['auditor']}"}
    url = f"{base}/api/inspections/{stage.inspection_id}/cases"
    with httpx.Client(headers=headers, timeout=60) as http:
        while not stop.is_set():
            answer = http.get(url, params={"min_position": FAR_FUTURE})
            answers.append(answer.status_code)
            stop.wait(POLL_PAUSE_SECONDS)


def commands(
    base: str, stage: Stage, count: int, busy: Callable[[], bool]
) -> list[float]:
    """At least `count` commands, and more for as long as `busy()` holds."""
    headers = {"Authorization": f"Bearer {stage.tokens['rapid_response']}"}
    url = f"{base}/api/inspections/{stage.inspection_id}/blog"
    today = datetime.now(UTC).date().isoformat()
    took = []
    deadline = time.monotonic() + 600
    with httpx.Client(headers=headers, timeout=120) as http:
        number = 0
        while number < count or (busy() and time.monotonic() < deadline):
            number += 1
            body = {"day": today, "title": f"Post {number}", "body": "text"}
            started = time.monotonic()
            answer = http.post(url, json=body)
            took.append(time.monotonic() - started)
            assert answer.status_code == 201, answer.text
    return took


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def test_commands_keep_their_pace_while_streams_catch_up_and_reads_wait(
    server: str, stage: Stage, database_url: str
) -> None:
    stop = threading.Event()
    caught_up: list[float] = []
    answers: list[int] = []
    streams = [
        threading.Thread(target=catch_up, args=(server, stage, caught_up))
        for _ in range(STREAMS)
    ]
    pollers = [
        threading.Thread(target=poll, args=(server, stage, answers, stop))
        for _ in range(POLLERS)
    ]
    for thread in streams + pollers:
        thread.start()
    try:
        time.sleep(0.5)  # the crowd is in before the commands start
        # Commands go on for as long as any stream is still catching up.
        took = commands(
            server, stage, COMMANDS, lambda: any(t.is_alive() for t in streams)
        )
    finally:
        stop.set()
        for thread in streams + pollers:
            thread.join(timeout=120)
    p50, p99 = statistics.median(took), percentile(took, 0.99)
    kind = database_url.split(":", 1)[0]
    print(
        f"\n{kind}: commands while {STREAMS} streams caught up from 0 "
        f"on {EVENTS} events and {POLLERS} clients polled a future position: "
        f"{len(took)} commands, "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; "
        f"{len(caught_up)} streams caught up "
        f"(slowest {max(caught_up, default=0):.1f} s); {len(answers)} polls"
    )
    assert p99 < P99_BOUND_SECONDS, f"p50 {p50:.3f} s, p99 {p99:.3f} s"
    assert set(answers) == {409}, "a position beyond the log is refused at once"
    assert len(caught_up) == STREAMS, "every stream caught up"
