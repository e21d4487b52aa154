"""Load with faults on PostgreSQL: the server killed, its connections cut.

Clients send commands, each with an `Idempotency-Key`, and retry with the
same key on a connection error or a 5xx, as a careful client does. Mid-load
the server gets SIGKILL and is started again, or PostgreSQL terminates the
server's connections, or terminates exactly the connections that are in the
middle of a save (held there by a lock this test takes, see `cut_mid_save`).
Afterwards every acknowledged command is in the log exactly once, nothing is
stored that no client sent, the read models equal a rebuild from the log,
and the log verifies (`warroom verify`, against checkpoints the server
signed while the faults went on).

Reduced for CI; a full-size run by hand:

    FAULT_CLIENTS=16 FAULT_COMMANDS=300 FAULT_ROUNDS=5 \\
        CI=true .venv/bin/pytest tests/e2e/test_faults.py -s
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import POSTGRES_URL
from tests.e2e.test_live_stream import Api
from tests.servers import VENV_BIN, _wait_until_answering, add_user, free_port
from tests.servers import warroom as warroom_command

CLIENTS = int(os.environ.get("FAULT_CLIENTS", "6"))
COMMANDS = int(os.environ.get("FAULT_COMMANDS", "40"))  # per client
ROUNDS = int(os.environ.get("FAULT_ROUNDS", "2"))  # faults per test
DEADLINE_SECONDS = 300.0
# A start after a rebuild, on a machine loaded by the test itself, can be slow.
START_SECONDS = 180.0
# How long a cut waits for the server's saves to queue up behind its lock.
QUEUE_SECONDS = 0.3

pytestmark = pytest.mark.postgres


class Server:
    """A `warroom serve` that can be killed and started again on its port."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Names its PostgreSQL connections, so that a test cuts only those.
        self.application_name = f"warroom-faults-{uuid.uuid4().hex[:8]}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "WARROOM_DATABASE_URL": self.database_url,
            "PGAPPNAME": self.application_name,
        }
        self.process = subprocess.Popen(
            [str(VENV_BIN / "warroom"), "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        _wait_until_answering(self.base, self.process, START_SECONDS)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cut_connections(self) -> int:
        with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as conn:
            cut = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s AND pid <> pg_backend_pid()",
                (self.application_name,),
            ).fetchall()
        return len(cut)

    def cut_mid_save(self, hold: str) -> list[str]:
        """Cuts this server's connections in the middle of saves; answers the
        statement each cut connection was waiting in.

        A second session takes a lock every save needs, so the server's saves
        queue up behind it inside their transactions (`wait_event_type` is
        `Lock` in `pg_stat_activity`); exactly those connections are
        terminated, then the lock is let go. `hold` is the lock: "table", the
        library's EXCLUSIVE lock on the events table, which a save takes
        before it inserts its events; or "head", the Merkle tree's head row,
        which a save updates after its events are inserted and have taken
        their positions (so the cut leaves a gap in the positions).
        """
        schema = _schema_of(self.database_url)
        statement = {
            "table": f'LOCK TABLE "{schema}".warroom_events IN EXCLUSIVE MODE',
            # The first council's tree (`warroom.evidence.tree`): key ''.
            "head": f'SELECT 1 FROM "{schema}".warroom_tree '
            "WHERE tree = '' FOR UPDATE",
        }[hold]
        conninfo = POSTGRES_URL.split("?", 1)[0]
        with psycopg.connect(conninfo) as holder:
            holder.execute(statement)  # held until the rollback below
            with psycopg.connect(conninfo, autocommit=True) as cutter:
                self._saves_waiting(cutter)
                time.sleep(QUEUE_SECONDS)  # more of the clients' saves queue up
                cut = cutter.execute(
                    "SELECT pid, query FROM pg_stat_activity "
                    "WHERE pid = ANY(%s) AND wait_event_type = 'Lock'",
                    (self._saves_waiting(cutter),),
                ).fetchall()
                for pid, _ in cut:
                    cutter.execute("SELECT pg_terminate_backend(%s)", (pid,))
            holder.rollback()
        return [str(query) for _, query in cut]

    def _saves_waiting(self, conn: psycopg.Connection[Any]) -> list[int]:
        """The pids of this server's connections waiting for a lock (they
        wait for the holder: nothing else in these tests takes one for long)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            pids = [
                int(row[0])
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE application_name = %s AND wait_event_type = 'Lock'",
                    (self.application_name,),
                ).fetchall()
            ]
            if pids:
                return pids
            time.sleep(0.01)
        raise AssertionError("no save of the server queued up behind the lock")

    def gaps(self) -> int:
        """Positions taken by a save that was rolled back: unused for good."""
        schema = _schema_of(self.database_url)
        with psycopg.connect(POSTGRES_URL.split("?", 1)[0]) as conn:
            row = conn.execute(
                f'SELECT max(notification_id) - count(*) FROM "{schema}".warroom_events'
            ).fetchone()
        assert row is not None
        return int(row[0])


def _schema_of(database_url: str) -> str:
    found = re.search(r"[?&]schema=([A-Za-z0-9_]+)", database_url)
    assert found, database_url
    return found.group(1)


@dataclass
class Load:
    """What the clients sent and what the server acknowledged."""

    sent: set[str] = field(default_factory=set)
    acknowledged: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    # Signed checkpoints the server answered mid-load: the log after the
    # faults must be consistent with every one (`warroom verify`).
    checkpoints: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(base: str, token: str, iid: str, name: str, load: Load) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    today = datetime.now(UTC).date().isoformat()
    deadline = time.monotonic() + DEADLINE_SECONDS
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        for number in range(COMMANDS):
            key = f"{name}-{number}"
            body = {"day": today, "title": key, "body": "sent once"}
            with load.lock:
                load.sent.add(key)
            while time.monotonic() < deadline:
                try:
                    answer = http.post(
                        f"/api/inspections/{iid}/blog",
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
                    load.retries += 1
                time.sleep(0.1)


def run_load(server: Server, fault: Callable[[], None]) -> tuple[Load, str, str]:
    lead = add_user(server.database_url, "Vince Clark", "lead")
    server.start()
    iid = Api(server.base, lead).open_inspection()
    load = Load()
    threads = [
        threading.Thread(
            target=client, args=(server.base, lead, iid, f"c{n}", load), daemon=True
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    total = CLIENTS * COMMANDS
    for round_ in range(ROUNDS):
        # Each fault strikes while commands are arriving.
        while len(load.acknowledged) < total * (round_ + 1) // (ROUNDS + 1):
            time.sleep(0.02)
        load.checkpoints.append(signed_checkpoint(server.base, lead))
        fault()
    for thread in threads:
        thread.join(timeout=DEADLINE_SECONDS)
    return load, lead, iid


def signed_checkpoint(base: str, token: str) -> str:
    answer = httpx.get(
        f"{base}/api/log/checkpoint",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.text


READ_ROUTES = ("", "/requests", "/cases", "/lines-of-enquiry", "/ledger", "/blog/{day}")


def read_models(base: str, token: str, iid: str, head: int) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    answers = {}
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        for route in READ_ROUTES:
            path = f"/api/inspections/{iid}{route.format(day=today)}"
            answer = http.get(path, params={"min_position": head})
            assert answer.status_code == 200, answer.text
            answers[route] = answer.json()
    return answers


def logged_titles(base: str, token: str, iid: str) -> tuple[Counter[str], int]:
    titles: Counter[str] = Counter()
    head = cursor = 0
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        while True:
            page = http.get(
                f"/api/inspections/{iid}/events",
                params={"after": cursor, "limit": 1000},
            ).json()
            for event in page["events"]:
                head = max(head, event["position"])
                if "title" in event["data"]:
                    titles[event["data"]["title"]] += 1
            if not page["events"]:
                return titles, head
            cursor = page["next"]


def check(
    server: Server, load: Load, lead: str, iid: str, faults: int, tmp_path: Path
) -> None:
    titles, head = logged_titles(server.base, lead, iid)
    posts = Counter({t: n for t, n in titles.items() if t in load.sent})
    duplicated = [t for t, n in posts.items() if n > 1]
    lost = [k for k in load.acknowledged if posts[k] == 0]
    unsent = [t for t in titles if t not in load.sent and t != "SIF"]
    print(
        f"\n{len(load.sent)} commands sent, {len(load.acknowledged)} acknowledged, "
        f"{len(lost)} lost, {len(duplicated)} duplicated, {len(unsent)} stored "
        f"unsent; {load.retries} retries; {faults} faults survived"
    )
    assert len(load.acknowledged) == len(load.sent), "every command got its answer"
    assert not lost and not duplicated and not unsent
    live = read_models(server.base, lead, iid, head)
    server.stop()
    rebuilt = warroom_command(server.database_url, "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    notes = []
    for number, note in enumerate(load.checkpoints):
        notes.append(tmp_path / f"checkpoint-{number}.txt")
        notes[-1].write_text(note)
    verified = warroom_command(
        server.database_url, "verify", "--checkpoint", *map(str, notes)
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("intact: "), verified.stdout
    server.start()
    try:
        assert read_models(server.base, lead, iid, head) == live
    finally:
        server.stop()


@pytest.fixture
def server(postgres_schema_url: str) -> Iterator[Server]:
    running = Server(postgres_schema_url)
    try:
        yield running
    finally:
        running.stop()


def test_no_acknowledged_command_is_lost_or_doubled_when_the_server_is_killed(
    server: Server, tmp_path: Path
) -> None:
    def kill_and_restart() -> None:
        server.kill()
        server.start()

    load, lead, iid = run_load(server, kill_and_restart)
    check(server, load, lead, iid, ROUNDS, tmp_path)


def test_no_acknowledged_command_is_lost_or_doubled_when_connections_are_cut(
    server: Server, tmp_path: Path
) -> None:
    cut: list[int] = []
    load, lead, iid = run_load(server, lambda: cut.append(server.cut_connections()))
    assert all(cut), "each round cut some of the server's connections"
    check(server, load, lead, iid, len(cut), tmp_path)


def test_no_acknowledged_command_is_lost_or_doubled_when_saves_are_cut_midway(
    server: Server, tmp_path: Path
) -> None:
    holds = ["table", "head"]  # in turn: before, then after the events' insert
    cut: list[tuple[str, list[str]]] = []

    def cut_mid_save() -> None:
        hold = holds[len(cut) % len(holds)]
        cut.append((hold, server.cut_mid_save(hold)))

    load, lead, iid = run_load(server, cut_mid_save)
    gaps = server.gaps()
    print(
        f"\nsaves cut midway: {sum(len(c) for _, c in cut)} connections in "
        f"{len(cut)} rounds ({', '.join(f'{h}: {len(c)}' for h, c in cut)}); "
        f"{gaps} positions left unused"
    )
    assert all(statements for _, statements in cut), "each round cut a save"
    after_insert = [
        statement
        for hold, statements in cut
        if hold == "head"
        for statement in statements
        if "warroom_tree" in statement
    ]
    if len(holds) <= ROUNDS:
        # A save held at the tree's head had inserted its events: cut there,
        # it rolled back positions already taken.
        assert after_insert, cut
        assert gaps > 0
    check(server, load, lead, iid, len(cut), tmp_path)
