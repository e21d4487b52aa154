"""Load from Debian's `wrk` (C, one thread, a Lua script), or from the
benchmark's own Python client when `wrk` is not installed.

The load generator shares the two cores with the server it measures, so its
CPU is measured and reported beside the server's: `wrk` costs a few
microseconds per request, the Python client tens. Every request is the same
`POST` with the same JSON body (a new document request: a new aggregate,
one event, as `library_append` saves one), so the war room and the thin
peer (`thin_peer.py`) are driven identically. A closed loop: each
connection sends its next request when the answer to the last has come.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.benchmarks.httpclient import Connection
from tests.benchmarks.stats import percentile

# wrk prints this table from its `done` callback, as one JSON line.
LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Post:
    """The one request every connection sends, again and again."""

    path: str
    headers: dict[str, str]
    body: bytes

    def lua(self) -> str:
        lines = ['wrk.method = "POST"', f"wrk.body = {_lua_string(self.body)}"]
        for name, value in self.headers.items():
            lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
        return "\n".join(lines) + "\n" + LUA_DONE


@dataclass
class Result:
    generator: str  # "wrk" or "python"
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    generator_cpu_s: float
    notes: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return (self.requests - self.errors) / self.seconds


def wrk_path() -> str | None:
    """`wrk` on the PATH; WARROOM_BENCH_WRK names another, or none when empty
    (to run the Python client instead)."""
    return os.environ.get("WARROOM_BENCH_WRK", shutil.which("wrk")) or None


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def drive(
    host: str, port: int, post: Post, connections: int, seconds: float
) -> Result:
    """`connections` closed loops of `post` for `seconds`: wrk if installed."""
    if wrk_path() is not None:
        return await _wrk(host, port, post, connections, seconds)
    result = await _python(host, port, post, connections, seconds)
    result.notes.append(
        "wrk not installed (or WARROOM_BENCH_WRK empty): the Python client drove it"
    )
    return result


async def _wrk(
    host: str, port: int, post: Post, connections: int, seconds: float
) -> Result:
    with tempfile.TemporaryDirectory(prefix="warroom-wrk-") as directory:
        script = Path(directory) / "post.lua"
        script.write_text(post.lua())
        before = children_cpu_seconds()
        process = await asyncio.create_subprocess_exec(
            str(wrk_path()),
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            f"http://{host}:{port}{post.path}",
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = await process.communicate()
        cpu = children_cpu_seconds() - before
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {err.decode()[-500:]}")
    summary = json.loads(out.decode().strip().splitlines()[-1])
    errors = sum(
        summary[k]
        for k in (
            "connect_errors",
            "read_errors",
            "write_errors",
            "status_errors",
            "timeouts",
        )
    )
    return Result(
        generator="wrk",
        requests=summary["requests"],
        errors=errors,
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        generator_cpu_s=cpu,
    )


async def _python(
    host: str, port: int, post: Post, connections: int, seconds: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    cpu_before = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    async def loop() -> None:
        nonlocal errors
        conn = Connection(host, port, timeout=30)
        try:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                response = await conn.request(
                    "POST", post.path, post.headers, post.body
                )
                if response.status >= 400:
                    errors += 1
                latencies.append((response.received_at - sent) * 1000)
        finally:
            await conn.close()

    await asyncio.gather(*(loop() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return Result(
        generator="python",
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) if latencies else 0.0,
        p99_ms=percentile(latencies, 99) if latencies else 0.0,
        # The whole benchmark process: the streams and pollers of a stall
        # run share it, so this is an upper bound there.
        generator_cpu_s=time.process_time() - cpu_before,
    )


def _lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return json.dumps(text)  # a JSON string is a valid Lua string here (ASCII)
