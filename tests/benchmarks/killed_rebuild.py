"""`serve_after_killed_rebuild` (issue 22, finding 8): a server started after
a `warroom rebuild` was killed, beside a whole rebuild, on the same log.

A rebuild drops the saved read models before it folds; killed before it
saves, it leaves none, and the next server folds the whole log itself. Each
run, on one log of several inspections (`Plan.killed_rebuild_events`):

- `rebuild_s`, `rebuild_rss_mib`: `warroom rebuild` (`python -m
  entrypoints.cli rebuild`), from Popen to its exit, and its peak resident
  memory (the kernel's maxrss, from `wait4`);
- then `warroom rebuild` again, killed (SIGKILL) partway through its fold;
- `serve_s`, `serve_rss_mib`: `warroom serve` from Popen to its first 200 of
  a read reflecting every stored event, and its peak resident memory then
  (VmHWM);
- `rebuild_cpu_s`, `serve_cpu_s`: the CPU each used until then (less
  moved by other work on the machine than the time);
- `time_ratio`, `cpu_ratio`, `rss_ratio`: serve over rebuild, of the same run.

Runs alternate rebuild and serve, so that drift in the machine's load hits
both. Goals (ratios of the medians): serve within 1.5 x the time and 1.5 x
the memory of the rebuild.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from tests.benchmarks.databases import fresh_database
from tests.benchmarks.server import BENCHMARK_SIGNING_KEY, REPO, Server
from tests.benchmarks.workload import Stage, first_answer, server_cpu_seconds
from warroom.application import WarRoom
from warroom.config import Database

if TYPE_CHECKING:
    from tests.benchmarks.runner import Run

GOAL = 1.5


def serve_after_killed_rebuild(run: Run) -> None:
    with (
        fresh_database(run.kind, "killed", run.workdir) as url,
        run.measuring("serve_after_killed_rebuild") as m,
    ):
        stage = run._stage_many(url, run.plan.killed_rebuild_events)
        for _ in range(run.plan.replay_runs):
            seconds, cpu, rss = _rebuild(url)
            m.figure("rebuild_s", "s").add(seconds)
            m.figure("rebuild_cpu_s", "s").add(cpu)
            m.figure("rebuild_rss_mib", "MiB").add(rss)
            _killed_rebuild(url)
            served, served_cpu, served_rss = _serve(url, run.workdir, stage)
            m.figure("serve_s", "s").add(served)
            m.figure("serve_cpu_s", "s").add(served_cpu)
            m.figure("serve_rss_mib", "MiB").add(served_rss)
            m.figure("time_ratio", "x").add(served / seconds)
            m.figure("cpu_ratio", "x").add(served_cpu / cpu)
            m.figure("rss_ratio", "x").add(served_rss / rss)
        m.params = {
            "events": stage.last_position,
            "build": stage.build,
            "runs": run.plan.replay_runs,
            "what": "warroom rebuild (Popen to exit, maxrss) beside warroom "
            "serve after a rebuild killed partway (Popen to the first 200 "
            "reflecting the whole log, VmHWM then), alternating",
        }
        for key, mine, theirs in (
            ("time: serve / rebuild", "serve_s", "rebuild_s"),
            ("memory: serve / rebuild", "serve_rss_mib", "rebuild_rss_mib"),
        ):
            m.ratio(key, mine, m, theirs, None, "")
            value = m.figures[mine].median / max(m.figures[theirs].median, 1e-9)
            m.goals.append(
                {
                    "goal": f"{key} <= {GOAL} x",
                    "figure": key,
                    "measured": round(value, 3),
                    "limit": GOAL,
                    "met": value <= GOAL,
                    "gap": None if value <= GOAL else f"{value / GOAL:.2f} x the limit",
                }
            )


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "WARROOM_DATABASE_URL": url,
        "WARROOM_SIGNING_KEY": BENCHMARK_SIGNING_KEY,
    }


def _rebuild(url: str) -> tuple[float, float, float]:
    """Seconds, CPU seconds and peak MiB of a whole `warroom rebuild`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "rebuild"],
        env=_environment(url),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"warroom rebuild exited with {process.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _killed_rebuild(url: str) -> None:
    """`warroom rebuild`, killed at its first progress report (5,000 events
    folded): where it is killed does not matter, it dropped the saved read
    models before it began, and it saves only at the end."""
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "rebuild"],
        env=_environment(url),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    said = b""
    while not re.search(rb"\d+/\d+ events", said):
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            raise RuntimeError(f"the rebuild ended before it was killed: {said!r}")
        said += chunk
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    app = WarRoom(Database.from_url(url))
    try:
        if app.store.load_views(app.name) is not None:
            raise RuntimeError("the killed rebuild left saved read models")
    finally:
        app.close()


def _serve(url: str, workdir: Path, stage: Stage) -> tuple[float, float, float]:
    """Seconds to the first answer reflecting the whole log, the server's CPU
    seconds and peak MiB then."""
    with Server(url, workdir) as server:
        server.wait_listening(timeout=120)
        answered = asyncio.run(first_answer(server, stage, timeout=900))
        status = Path(f"/proc/{server.pid}/status").read_text()
        cpu = server_cpu_seconds(server.pid)
    peak = next(
        int(line.split()[1])
        for line in status.splitlines()
        if line.startswith("VmHWM:")
    )
    return answered, cpu, peak / 1024
