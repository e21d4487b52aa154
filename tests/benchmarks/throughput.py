"""Commands at the speed of the database (issue 14, item 8), and commands in
a crowd (issue 10's stall scenario), both driven by `wrk`.

- `command_throughput`: `wrk`, 32 connections, each a closed loop of "record
  a request" against the war room; commands/s, p50/p99, the server's CPU per
  command and the load generator's beside it.
- `thin_peer` (PostgreSQL): the same load against `thin_peer.py`, a few
  lines of FastAPI doing one INSERT per request under the same uvicorn
  settings; the war room's rate is given as a ratio of it.
- `command_throughput_workers` (PostgreSQL): the same load against
  `warroom serve` with two worker processes (`WARROOM_WORKERS=2`).
- `command_stalls`: a few `wrk` connections of the same command while
  streams catch up from position 0 and clients poll a future position.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import httpx

from tests.benchmarks.databases import fresh_database
from tests.benchmarks.httpclient import bearer
from tests.benchmarks.results import Measurement
from tests.benchmarks.server import HOST, Server
from tests.benchmarks.stalls import commands_in_a_crowd
from tests.benchmarks.workload import (
    Stage,
    first_answer,
    server_cpu_seconds,
    stage_inspection,
)
from tests.benchmarks.wrk import Post, Result, drive

if TYPE_CHECKING:
    from tests.benchmarks.runner import Run


def record_request(stage: Stage) -> Post:
    """The war room's "record a request", as every connection sends it."""
    ins = stage.inspection
    body = {
        "title": "Supervision records for the last quarter",
        "requested_by": ins.inspectors[0],
        "channel": "email",
    }
    return Post(
        path=f"/api/inspections/{ins.id}/requests",
        headers={
            **bearer(stage.cast.tokens["rapid_response"]),
            "Content-Type": "application/json",
        },
        body=json.dumps(body).encode(),
    )


def _record(m: Measurement, result: Result, server_cpu_s: float) -> None:
    ok = max(result.requests - result.errors, 1)
    m.figure("commands_per_s", "commands/s", higher_is_better=True).add(
        result.per_second
    )
    m.figure("p50_ms", "ms").add(result.p50_ms)
    m.figure("p99_ms", "ms").add(result.p99_ms)
    m.figure("server_cpu_ms_per_command", "ms").add(server_cpu_s * 1000 / ok)
    m.figure("generator_cpu_ms_per_command", "ms").add(
        result.generator_cpu_s * 1000 / ok
    )
    m.params.setdefault("errors", 0)
    m.params["errors"] += result.errors
    m.params["generator"] = result.generator
    for note in result.notes:
        if note not in m.notes:
            m.notes.append(note)
    if result.errors > result.requests * 0.01:
        raise RuntimeError(f"{result.errors} of {result.requests} commands failed")


def _group_commits(server: Server) -> tuple[float, float] | None:
    """(transactions, commands) the server's group commit has saved so far,
    from its `/metrics` (one worker's, with several); None for the thin peer."""
    answer = httpx.get(f"{server.base}/metrics", timeout=30)
    if answer.status_code != 200:
        return None
    found = dict(
        line.split()[:2]
        for line in answer.text.splitlines()
        if line.startswith("warroom_group_commit_commands_")
    )
    return (
        float(found["warroom_group_commit_commands_count"]),
        float(found["warroom_group_commit_commands_sum"]),
    )


async def _measure(m: Measurement, server: Server, post: Post, run: Run) -> None:
    plan = run.plan
    if not plan.quick:  # a short warm-up, not counted (the quick run saves it)
        await drive(HOST, server.port, post, plan.clients, 1.0)
    for _ in range(plan.wrk_runs):
        before = server_cpu_seconds(server.pid)
        groups_before = _group_commits(server)
        result = await drive(HOST, server.port, post, plan.clients, plan.wrk_seconds)
        _record(m, result, server_cpu_seconds(server.pid) - before)
        groups_after = _group_commits(server)
        if groups_before is not None and groups_after is not None:
            transactions = groups_after[0] - groups_before[0]
            commands = groups_after[1] - groups_before[1]
            m.figure("commands_per_transaction", "commands").add(
                commands / max(transactions, 1)
            )
    m.params.update(
        {
            "connections": plan.clients,
            "runs": plan.wrk_runs,
            "seconds_per_run": plan.wrk_seconds,
            "command": f"POST {post.path.split('/api', 1)[1]}",
            "what": "a closed loop per connection of the same JSON body; CPU "
            "from /proc (server) and getrusage of the reaped wrk (generator)",
        }
    )


def command_throughput(run: Run, server: Server, stage: Stage) -> None:
    with run.measuring("command_throughput") as m:
        asyncio.run(_measure(m, server, record_request(stage), run))
        base = run.done.get("library_append")
        if base is not None and base.status == "measured":
            m.ratio(
                "throughput_vs_library_append",
                "commands_per_s",
                base,
                "events_per_s",
                1.0,
                "throughput >= 1.0 x library_append",
            )
        m.goal_at_most("p99_ms", 100.0, "p99 < 100 ms")


def thin_peer(run: Run, stage: Stage) -> None:
    """The thin peer, driven exactly as the war room was (PostgreSQL only)."""
    if run.kind != "postgresql":
        return
    with (
        run.measuring("thin_peer") as m,
        fresh_database(run.kind, "thin", run.workdir) as url,
    ):
        peer = Server(url, run.workdir, module=("tests.benchmarks.thin_peer",))
        try:
            peer.wait_listening()
            asyncio.run(_measure(m, peer, record_request(stage), run))
        finally:
            peer.stop()
        m.params["what"] = (
            "tests/benchmarks/thin_peer.py: parse the same JSON body, one "
            "psycopg INSERT (autocommit) per request, same uvicorn settings"
        )
    ours = run.done.get("command_throughput")
    if ours is not None and ours.status == "measured" and m.status == "measured":
        ours.ratio(
            "throughput_vs_thin_peer",
            "commands_per_s",
            m,
            "commands_per_s",
            0.5,
            "throughput >= 0.5 x the thin peer",
        )
        ours.figure("thin_peer_server_cpu_ms_per_command", "ms").add(
            m.figures["server_cpu_ms_per_command"].median
        )


def command_throughput_workers(run: Run, stage: Stage) -> None:
    """The same load against `warroom serve` with `WARROOM_WORKERS=2`, on the
    same database (PostgreSQL only: SQLite refuses more than one worker);
    server CPU is the workers' and their supervisor's together."""
    if run.kind != "postgresql":
        return
    with run.measuring("command_throughput_workers") as m:
        server = Server(stage.url, run.workdir, workers="2")
        try:
            server.wait_listening(timeout=180)
            for _ in range(4):  # most likely both workers have answered by then
                asyncio.run(first_answer(server, stage, timeout=180))
            asyncio.run(_measure(m, server, record_request(stage), run))
        finally:
            server.stop()
        m.params["workers"] = 2
        ours = run.done.get("command_throughput")
        if ours is not None and ours.status == "measured":
            m.ratio(
                "throughput_vs_one_worker",
                "commands_per_s",
                ours,
                "commands_per_s",
                1.0,
                "two workers at least as fast as one",
            )
        base = run.done.get("library_append")
        if base is not None and base.status == "measured":
            m.ratio(
                "throughput_vs_library_append",
                "commands_per_s",
                base,
                "events_per_s",
                1.0,
                "throughput >= 1.0 x library_append",
            )
        peer = run.done.get("thin_peer")
        if peer is not None and peer.status == "measured":
            m.ratio(
                "throughput_vs_thin_peer",
                "commands_per_s",
                peer,
                "commands_per_s",
                0.5,
                "throughput >= 0.5 x the thin peer",
            )
        m.goal_at_most("p99_ms", 100.0, "p99 < 100 ms")


def command_stalls(
    run: Run, server: Server | None = None, stage: Stage | None = None
) -> None:
    """On a server of its own with a log of `stall_events`; or, in the quick
    run, on the server and log the HTTP measurements used (cheaper)."""
    with run.measuring("command_stalls") as m:
        if server is not None and stage is not None:
            _stalls(m, run, server, stage)
            return
        with fresh_database(run.kind, "stalls", run.workdir) as url:
            stage = stage_inspection(
                url, run.plan.stall_events, seed=11, deadline=run.deadline
            )
            server = Server(
                url, run.workdir, max_streams_per_user=str(run.plan.stall_streams + 10)
            )
            try:
                server.wait_listening()
                asyncio.run(first_answer(server, stage, timeout=120))
                _stalls(m, run, server, stage)
            finally:
                server.stop()


def _stalls(m: Measurement, run: Run, server: Server, stage: Stage) -> None:
    plan = run.plan
    cpu_before = server_cpu_seconds(server.pid)
    result, crowd = asyncio.run(
        commands_in_a_crowd(
            HOST,
            server.port,
            stage.inspection.id,
            stage.cast.tokens["auditor"],
            stage.last_position,
            record_request(stage),
            plan.stall_streams,
            plan.stall_pollers,
            plan.stall_connections,
            plan.stall_seconds,
        )
    )
    server_cpu = server_cpu_seconds(server.pid) - cpu_before
    m.figure("p50_ms", "ms").add(result.p50_ms)
    m.figure("p99_ms", "ms").add(result.p99_ms)
    m.figure("commands_per_s", "commands/s", higher_is_better=True).add(
        result.per_second
    )
    m.figure("slowest_catch_up_s", "s").add(max(crowd.caught_up_s, default=0.0))
    m.params = {
        "events": stage.last_position,
        "streams": plan.stall_streams,
        "pollers": plan.stall_pollers,
        "command_connections": plan.stall_connections,
        "seconds": plan.stall_seconds,
        "generator": result.generator,
        "commands": result.requests,
        "command_errors": result.errors,
        "streams_caught_up": len(crowd.caught_up_s),
        "stream_mib_read": round(crowd.stream_bytes / 2**20, 1),
        "poll_answers": crowd.poll_statuses,
        "server_cpu_s": round(server_cpu, 2),
        "what": "wrk commands (record a request) while streams catch up "
        "from position 0 (reconnecting from their last id when let go) and "
        "clients poll GET /cases?min_position=<far future> every 0.2 s",
    }
    m.notes += result.notes
    if len(crowd.caught_up_s) < plan.stall_streams:
        m.notes.append(
            f"only {len(crowd.caught_up_s)} of {plan.stall_streams} streams "
            "caught up within the time allowed"
        )
    if set(crowd.poll_statuses) - {409}:
        m.notes.append(f"polls answered {crowd.poll_statuses}, not only 409")
    if result.requests == 0:
        # wrk reports a p99 of 0 when nothing was answered: that is the worst
        # stall there is, not a goal met.
        m.goals.append(
            {
                "goal": "p99 < 100 ms in the crowd",
                "figure": "p99_ms",
                "measured": None,
                "limit": 100.0,
                "met": False,
                "gap": "no command was answered while the crowd ran",
            }
        )
        return
    m.goal_at_most("p99_ms", 100.0, "p99 < 100 ms in the crowd")
