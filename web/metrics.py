"""Prometheus metrics at `/metrics` (prometheus-client, one registry per app).

- `warroom_commands_total{command, outcome}`: every `POST /api/...`, by the
  route's name (the command model's, e.g. `RecordRequest`) and its outcome
  (`accepted`, `invalid`, `forbidden`, `not_found`, `conflict`, `too_large`,
  `unauthenticated`, `refused` for another 4xx, `failed` for a 5xx).
- `warroom_command_seconds{command}`, `warroom_read_seconds{route}`: how long
  commands and reads (`GET /api/...` but the stream, by route template) took,
  from the request's arrival to the end of its answer.
- `warroom_open_streams`: live SSE clients of this process.
- `warroom_read_model_position`, `warroom_log_head_position`,
  `warroom_read_model_lag_events`: how far this process's read models have
  folded the log, the log's head as read from the database when scraped, and
  the difference (positions: on PostgreSQL a rolled-back transaction leaves a
  position unused, so this can exceed the events actually missing).
- `warroom_group_commit_commands`: a histogram of how many commands each
  transaction saved together (`warroom.group_commit`): its `_count` is the
  transactions, its `_sum` the commands; mostly 1 when commands come one at
  a time, larger under load.
- `warroom_read_model_inspections`: inspections whose read models this
  process holds; the read models' memory is not measured object by object
  (walking them costs seconds on a long log): `process_resident_memory_bytes`
  (the standard process metrics) is the approximation. A server's resident
  memory is about 90 MiB with empty read models; what it holds beyond that is
  almost all read models and audit checkpoints.

`/metrics` takes no token and is not in the OpenAPI schema: the nginx
configuration in `deploy/` keeps it off the public side; Prometheus scrapes
each process directly.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.group_commit import GroupCommit
from web.health import Unready, probe_of
from web.state import ServerState

# Seconds: commands and reads answer in milliseconds; a stall is seconds.
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Commands per transaction: up to the group commit's largest group (64).
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)

OUTCOMES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    422: "invalid",
}


def outcome(status: int) -> str:
    if status < 400:
        return "accepted"
    if status >= 500:
        return "failed"
    return OUTCOMES.get(status, "refused")


class Metrics:
    """What one app counts, in a registry of its own (tests make many apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.commands = Counter(
            "warroom_commands",
            "Commands (POST /api/...) by route name and outcome",
            ["command", "outcome"],
            registry=registry,
        )
        self.command_seconds = Histogram(
            "warroom_command_seconds",
            "Time to answer a command",
            ["command"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.read_seconds = Histogram(
            "warroom_read_seconds",
            "Time to answer a read (GET /api/..., the stream aside)",
            ["route"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.open_streams = Gauge(
            "warroom_open_streams",
            "Live SSE clients of this process",
            registry=registry,
        )
        self.position = Gauge(
            "warroom_read_model_position",
            "The last log position this process's read models folded in",
            registry=registry,
        )
        self.head = Gauge(
            "warroom_log_head_position",
            "The log's last position, read from the database when scraped",
            registry=registry,
        )
        self.lag = Gauge(
            "warroom_read_model_lag_events",
            "Log positions not yet folded into this process's read models",
            registry=registry,
        )
        self.inspections = Gauge(
            "warroom_read_model_inspections",
            "Inspections whose read models this process holds",
            registry=registry,
        )
        self.group_commit = Histogram(
            "warroom_group_commit_commands",
            "Commands saved together in one transaction (group commit)",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        ProcessCollector(registry=registry)
        self.last_head = 0

    def watch(self, commits: GroupCommit) -> None:
        """Counts the group sizes of this process's saves."""
        commits.batch_listeners.append(self.group_commit.observe)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        """One finished `/api` request, named by the route it matched."""
        route = scope.get("route")
        if scope["method"] == "POST":
            name = getattr(route, "name", None) or "unmatched"
            self.commands.labels(name, outcome(status)).inc()
            self.command_seconds.labels(name).observe(seconds)
        elif scope["method"] == "GET":
            path = getattr(route, "path", None) or "unmatched"
            if not path.endswith("/stream"):
                self.read_seconds.labels(path).observe(seconds)


class CountRequests:
    """ASGI middleware: times every `/api` request and counts commands."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        finally:
            self.metrics.observe(scope, status, time.perf_counter() - started)


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    found: Metrics = request.app.state.metrics
    state: ServerState = request.app.state.warroom
    position = state.read_side.position
    try:
        head = await probe_of(request).head()
    except Unready:
        head = found.last_head  # the last one known
    found.last_head = head = max(head, position)
    found.position.set(position)
    found.head.set(head)
    found.lag.set(max(head - position, 0))
    found.inspections.set(state.read_side.read(lambda views: len(views.inspections)))
    broadcaster = getattr(request.app.state, "broadcaster", None)
    found.open_streams.set(broadcaster.open_streams if broadcaster else 0)
    return Response(generate_latest(found.registry), media_type=CONTENT_TYPE_LATEST)
