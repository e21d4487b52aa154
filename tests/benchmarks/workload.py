"""A server with a live inspection, and what its clients do to it over HTTP."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.httpclient import (
    Connection,
    Response,
    bearer,
    json_body,
    multipart,
)
from tests.benchmarks.logbuilder import (
    Cast,
    InspectionCast,
    LogBuilder,
    add_users,
    open_inspection,
)
from tests.benchmarks.server import HOST, Server
from warroom.application import WarRoom
from warroom.config import Database


@dataclass
class Stage:
    """A database holding a built inspection, ready for a server."""

    url: str
    cast: Cast
    inspection: InspectionCast
    first_position: int
    last_position: int
    first_instant: datetime
    last_instant: datetime
    build: dict[str, float]


def stage_inspection(
    url: str, events: int, seed: int, deadline: float, batch: int = 2000
) -> Stage:
    """Users, one inspection, and `events` events in it, saved in batches."""
    app = WarRoom(Database.from_url(url))
    try:
        cast = add_users(app)
        inspection = open_inspection(app, cast, "Benchmark SIF inspection")
        built = LogBuilder(app, cast, inspection, seed).build(events, batch, deadline)
        return Stage(
            url=url,
            cast=cast,
            inspection=inspection,
            first_position=built.first_position,
            last_position=built.last_position,
            first_instant=built.first_instant,
            last_instant=built.last_instant,
            build={k: float(v) for k, v in built.to_json().items()},
        )
    finally:
        app.close()


async def first_answer(
    server: Server, stage: Stage, timeout: float, min_position: int | None = None
) -> float:
    """Seconds from the server's start until a read reflecting the log answers."""
    wanted = stage.last_position if min_position is None else min_position
    path = f"/api/inspections/{stage.inspection.id}?min_position={wanted}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server.check_alive()
        conn = Connection(HOST, server.port, timeout=10)
        try:
            response = await conn.request(
                "GET", path, bearer(stage.cast.tokens["auditor"])
            )
            if response.status == 200:
                return response.received_at - server.started
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            await conn.close()
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no answer reflecting position {wanted} within {timeout} s")


@dataclass
class Sample:
    kind: str
    status: int
    ms: float


@dataclass
class CommandClient:
    """One of the concurrent clients: a request's life cycle, then its meeting."""

    number: int
    stage: Stage
    meeting_id: str
    conn: Connection
    step: int = 0
    request_id: str = ""
    sha256: str = ""
    cycles: int = 0
    moves: int = 0
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    STEPS = (
        "record_request",
        "assign",
        "attach",
        "approve",
        "check",
        "release",
        "reschedule_meeting",
        "move_meeting",
        "change_topics",
    )

    async def run(self, deadline: float, max_commands: int) -> None:
        for _ in range(max_commands):
            if time.perf_counter() >= deadline:
                return
            await self.one()

    async def one(self) -> None:
        kind = self.STEPS[self.step]
        token, method, path, headers, body = self._command(kind)
        started = time.perf_counter()
        response = await self.conn.request(
            method, path, {**bearer(token), **headers}, body
        )
        self.samples.append(
            Sample(kind, response.status, (response.received_at - started) * 1000)
        )
        if response.status not in (200, 201):
            self.errors.append(f"{kind}: {response.status} {response.body[:200]!r}")
            self.step = 0  # start a fresh request
            return
        answer = response.json()
        if kind == "record_request":
            self.request_id = answer["id"]
        elif kind == "attach":
            self.sha256 = answer["sha256"]
        self.step = (self.step + 1) % len(self.STEPS)
        if self.step == 0:
            self.cycles += 1

    def _command(self, kind: str) -> tuple[str, str, str, dict[str, str], bytes]:
        ins, cast = self.stage.inspection, self.stage.cast
        base = f"/api/inspections/{ins.id}"
        request = f"{base}/requests/{self.request_id}"
        meeting = f"{base}/meetings/{self.meeting_id}"
        tokens = cast.tokens
        if kind == "attach":
            content = (
                f"%PDF-1.7 client {self.number} cycle {self.cycles}\n".encode()
                + bytes(range(256)) * 16
            )
            headers, body = multipart(
                {"version": "1"}, "file", "supervision.pdf", content
            )
            return tokens["preparer"], "POST", f"{request}/documents", headers, body
        payloads: dict[str, tuple[str, str, dict[str, object]]] = {
            "record_request": (
                "rapid_response",
                f"{base}/requests",
                {
                    "title": f"Supervision records, team {self.number}",
                    "requested_by": ins.inspectors[self.number % 3],
                    "channel": "email",
                },
            ),
            "assign": (
                "rapid_response",
                f"{request}/assign",
                {"assignee": cast.actors["preparer"].id},
            ),
            "approve": ("lead", f"{request}/approve", {"sha256": self.sha256}),
            "check": ("rapid_response", f"{request}/check", {"sha256": self.sha256}),
            "release": (
                "gatekeeper",
                f"{request}/release",
                {
                    "sha256": self.sha256,
                    "to": ins.inspectors[self.number % 3],
                    "medium": "electronic",
                },
            ),
            "reschedule_meeting": (
                "rapid_response",
                f"{meeting}/reschedule",
                self._slot(),
            ),
            "move_meeting": (
                "rapid_response",
                f"{meeting}/move",
                {"venue": self._venue()},
            ),
            "change_topics": (
                "rapid_response",
                f"{meeting}/topics",
                {"topics": ["caseloads", f"cycle {self.cycles}"]},
            ),
        }
        who, path, payload = payloads[kind]
        headers, body = json_body(payload)
        return tokens[who], "POST", path, headers, body

    def _slot(self) -> dict[str, object]:
        day = self.stage.inspection.starts_on + timedelta(days=self.number % 20)
        starts = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) + timedelta(
            minutes=15 * (self.cycles % 28)
        )
        return {
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=45)).isoformat(),
            "reason": "the inspector asked for a later slot",
        }

    def _venue(self) -> str:
        self.moves += 1  # a venue it has never been in, so the move is a change
        return f"Room {self.number}.{self.moves}"


async def schedule_meetings(server: Server, stage: Stage, count: int) -> list[str]:
    """One meeting per client, scheduled over HTTP before the clock starts."""
    conn = Connection(HOST, server.port)
    ids: list[str] = []
    try:
        for number in range(count):
            day = stage.inspection.starts_on + timedelta(days=number % 20)
            starts = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            headers, body = json_body(
                {
                    "title": f"Staff interview {number}",
                    "kind": "staff_interview",
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(minutes=45)).isoformat(),
                    "venue": f"Room {number}.B",
                    "attendees": ["Amanda Amesbury"],
                    "inspectors": [stage.inspection.inspectors[number % 3]],
                    "topics": ["supervision"],
                }
            )
            response: Response = await conn.request(
                "POST",
                f"/api/inspections/{stage.inspection.id}/meetings",
                {**bearer(stage.cast.tokens["rapid_response"]), **headers},
                body,
            )
            if response.status != 201:
                raise RuntimeError(f"scheduling a meeting: {response.body[:300]!r}")
            ids.append(response.json()["id"])
    finally:
        await conn.close()
    return ids


def server_cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far, with that of
    its live child processes (`warroom serve --workers`' workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    own = (int(fields[11]) + int(fields[12])) / ticks
    return own + sum(server_cpu_seconds(child) for child in _children(pid))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found
