"""The scale-out topology of docker-compose.yml, with processes instead of
containers: three `warroom serve` processes on one PostgreSQL schema.

Clients spread commands over the three (each with an `Idempotency-Key`, and
on a dropped connection or a 5xx retried on the next process, as a client
behind a proxy would be); mid-load one process gets SIGKILL, and it is
started again while the load goes on. Afterwards:

- every acknowledged command is in the log once, and visible in the read
  models of every process, the restarted one included (each read names the
  highest acknowledged position as `min_position`: read-your-writes across
  processes);
- the streams opened on the two surviving processes before the load never
  broke, and carried every event of the inspection, in order, with no
  position missing.

Reduced for CI; a larger run by hand:

    SCALE_CLIENTS=16 SCALE_COMMANDS=200 CI=true \\
        .venv/bin/pytest tests/e2e/test_scale_out.py -s
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.days import iso_day
from tests.e2e.test_faults import Server
from tests.e2e.test_live_stream import Api
from tests.servers import add_user

PROCESSES = 3
CLIENTS = int(os.environ.get("SCALE_CLIENTS", "6"))
COMMANDS = int(os.environ.get("SCALE_COMMANDS", "25"))  # per client
DAY = iso_day(2)
DEADLINE_SECONDS = 120.0

pytestmark = pytest.mark.postgres


@dataclass
class Load:
    acknowledged: dict[str, int] = field(default_factory=dict)
    failovers: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(servers: list[Server], token: str, iid: str, name: str, load: Load) -> None:
    """Sends its commands round the processes; fails over to the next one."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + DEADLINE_SECONDS
    turn = int(name[1:])
    with httpx.Client(headers=headers, timeout=10) as http:
        for number in range(COMMANDS):
            key = f"{name}-{number}"
            body = {"day": DAY, "title": key, "body": "sent once"}
            while time.monotonic() < deadline:
                base = servers[turn % PROCESSES].base
                turn += 1
                try:
                    answer = http.post(
                        f"{base}/api/inspections/{iid}/blog",
                        json=body,
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError:
                    answer = None
                if answer is not None and answer.status_code < 500:
                    assert answer.status_code in (200, 201), answer.text
                    with load.lock:
                        load.acknowledged[key] = answer.json()["position"]
                    break
                with load.lock:
                    load.failovers += 1


@dataclass
class Stream:
    """One SSE connection, read until it has seen `until` (or it breaks)."""

    base: str
    token: str
    iid: str
    positions: list[int] = field(default_factory=list)
    until: int | None = None
    ended_early: bool = False
    error: str = ""
    connected: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        timeout = httpx.Timeout(10, read=60)
        try:
            with (
                httpx.Client(base_url=self.base, timeout=timeout) as http,
                http.stream(
                    "GET",
                    f"/api/inspections/{self.iid}/stream",
                    params={"after": 0, "token": self.token},
                ) as response,
            ):
                assert response.status_code == 200, response.read()
                self.connected.set()
                for line in response.iter_lines():
                    if line.startswith("id:"):
                        self.positions.append(int(line[3:]))
                    if self.until is not None and self.positions[-1:] >= [self.until]:
                        return
                self.ended_early = True
        except Exception as error:  # the test asserts on it
            self.error = f"{type(error).__name__}: {error}"
            self.ended_early = True
        finally:
            self.connected.set()


@pytest.fixture
def servers(postgres_schema_url: str) -> Iterator[list[Server]]:
    started = [Server(postgres_schema_url) for _ in range(PROCESSES)]
    try:
        yield started
    finally:
        for server in started:
            server.stop()


def test_three_processes_keep_every_command_and_stream_when_one_is_killed(
    servers: list[Server],
) -> None:
    url = servers[0].database_url
    token = add_user(url, "Vince Clark", "lead")
    threads = [threading.Thread(target=s.start) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    api = Api(servers[0].base, token)
    iid = api.open_inspection()
    opened_at = max(api.event_positions(iid))
    bearer = {"Authorization": f"Bearer {token}"}
    for server in servers:  # every process knows the inspection
        seen = httpx.get(
            f"{server.base}/api/inspections/{iid}",
            params={"min_position": opened_at},
            headers=bearer,
            timeout=30,
        )
        assert seen.status_code == 200, seen.text

    victim, survivors = servers[2], servers[:2]
    streams = [Stream(s.base, token, iid) for s in survivors]
    readers = [threading.Thread(target=s.read) for s in streams]
    for reader in readers:
        reader.start()
    for stream in streams:
        assert stream.connected.wait(30) and not stream.error, stream.error

    load = Load()
    clients = [
        threading.Thread(target=client, args=(servers, token, iid, f"c{n}", load))
        for n in range(CLIENTS)
    ]
    for thread in clients:
        thread.start()
    total = CLIENTS * COMMANDS
    while len(load.acknowledged) < total // 3:
        time.sleep(0.01)
    victim.kill()
    killed_at = len(load.acknowledged)
    victim.start()  # while the others carry the load
    for thread in clients:
        thread.join(DEADLINE_SECONDS)
    assert len(load.acknowledged) == total, "every command got its answer"
    assert killed_at < total, "the process was killed mid-load"
    highest = max(load.acknowledged.values())

    # Every acknowledged command is in the log once ...
    logged = Api(servers[1].base, token).event_positions(iid)
    assert len(logged) == len(set(logged))
    assert set(load.acknowledged.values()) <= set(logged)
    # ... and in the read models of every process, the restarted one too.
    for server in servers:
        answer = httpx.get(
            f"{server.base}/api/inspections/{iid}/blog/{DAY}",
            params={"min_position": highest},
            headers=bearer,
            timeout=30,
        )
        assert answer.status_code == 200, (server.base, answer.text)
        shown = {post["title"] for post in answer.json()["posts"]}
        missing = set(load.acknowledged) - shown
        assert not missing, f"{server.base} lacks {sorted(missing)[:5]}"
        ready = httpx.get(f"{server.base}/readyz", timeout=30)
        assert ready.status_code == 200, ready.text

    # The streams on the survivors never broke and missed nothing.
    for stream in streams:
        stream.until = highest
    # One more event, so that a stream already past `highest` reads a line.
    Api(servers[0].base, token).blog(iid, "the last word")
    for reader in readers:
        reader.join(60)
    in_log = [p for p in logged if p <= highest]
    for stream in streams:
        assert not stream.ended_early, f"{stream.base}: {stream.error or 'ended'}"
        assert [p for p in stream.positions if p <= highest] == in_log, stream.base
    print(
        f"\n{PROCESSES} processes, {total} commands acknowledged, "
        f"{load.failovers} failovers; killed after {killed_at}; "
        f"{len(in_log)} events on each surviving stream, none missing"
    )
