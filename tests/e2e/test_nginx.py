"""deploy/nginx.conf in front of two `warroom serve` processes on one
PostgreSQL: the production proxy configuration itself, with only what
Docker provides replaced (the DNS resolver and the replicas' names become
two local ports; the log file and the port move to the test's own).

Through nginx: a stream delivers events as they happen (the server's
`X-Accel-Buffering: no` and the configuration's `proxy_buffering off` each
suffice: the test passes with either alone); a replica's
SIGTERM reaches the browser as a `closing` event with `retry:`, and the
reconnection with `Last-Event-ID` lands on the other replica and misses
nothing; nginx's request id reaches the server; its log holds no token.
Needs Debian's nginx (scripts/test installs it); skipped without it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.test_faults import Server
from tests.e2e.test_live_stream import Api
from tests.servers import add_user, free_port

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
TIMEOUT = 30.0

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        NGINX is None and not os.environ.get("CI"), reason="nginx is not installed"
    ),
]


def site_config(directory: Path, port: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf with Docker's names swapped for local ones."""
    text = (REPO / "deploy" / "nginx.conf").read_text()
    swaps = {
        "resolver 127.0.0.11 valid=10s ipv6=off;\n": "",
        "    server warroom:8000 resolve max_fails=2 fail_timeout=5s;\n": "".join(
            f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;\n"
            for p in upstreams
        ),
        "listen 80;": f"listen 127.0.0.1:{port};",
        "/var/log/nginx/access.log": str(directory / "access.log"),
    }
    for old, new in swaps.items():
        assert old in text, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    site = directory / "site.conf"
    site.write_text(text)
    main = directory / "nginx.conf"
    temp = " ".join(
        f"{kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'};\n"
        "events { worker_connections 512; }\n"
        f"http {{ {temp} include {site}; }}\n"
    )
    return main


@pytest.fixture
def servers(postgres_schema_url: str) -> Iterator[list[Server]]:
    started = [Server(postgres_schema_url) for _ in range(2)]
    try:
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def proxy(servers: list[Server], tmp_path: Path) -> Iterator[str]:
    assert NGINX is not None, "nginx is not installed (scripts/test installs it)"
    port = free_port()
    config = site_config(tmp_path, port, [s.port for s in servers])
    # nginx's stderr to a file, not a pipe nobody reads while the test runs
    # (a full pipe would stop nginx at its next line); read after a failure.
    log_path = tmp_path / "nginx-stderr.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [NGINX, "-c", str(config), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)  # fast: open streams are cut
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def open_streams(server: Server) -> float:
    text = httpx.get(f"{server.base}/metrics", timeout=TIMEOUT).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "warroom_open_streams":
                return float(sample.value)
    raise AssertionError("no warroom_open_streams")


class Reader:
    """One SSE connection through the proxy, its lines kept."""

    def __init__(self, base: str, token: str, iid: str, last_event_id: int) -> None:
        self.lines: list[str] = []
        self.ended = threading.Event()
        self.connected = threading.Event()
        self._args = (base, token, iid, last_event_id)
        self.thread = threading.Thread(target=self._read)
        self.thread.start()

    def _read(self) -> None:
        base, token, iid, last = self._args
        try:
            with (
                httpx.Client(base_url=base, timeout=httpx.Timeout(10, read=60)) as http,
                http.stream(
                    "GET",
                    f"/api/inspections/{iid}/stream",
                    params={"token": token},
                    headers={"Last-Event-ID": str(last)},
                ) as response,
            ):
                self.connected.set()
                for line in response.iter_lines():
                    self.lines.append(line)
        except httpx.TransportError:
            pass  # cut when the test stops nginx: `ended` says it ended
        finally:
            self.connected.set()
            self.ended.set()

    def ids(self) -> list[int]:
        return [int(line[3:]) for line in self.lines if line.startswith("id:")]

    def wait_for(self, position: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while position not in self.ids():
            assert time.monotonic() < deadline, f"{position} never came: {self.lines}"
            assert not self.ended.is_set(), f"the stream ended: {self.lines}"
            time.sleep(0.02)


def test_through_nginx_streams_flow_and_move_to_another_replica_on_shutdown(
    servers: list[Server], proxy: str, tmp_path: Path
) -> None:
    token = add_user(servers[0].database_url, "Vince Clark", "lead")
    for server in servers:
        server.start()
    api = Api(proxy, token)
    iid = api.open_inspection()
    first = api.blog(iid, "before the stream")

    stream = Reader(proxy, token, iid, first)
    assert stream.connected.wait(TIMEOUT)
    # Unbuffered: an event posted now arrives now.
    second = api.blog(iid, "while streaming")
    stream.wait_for(second)

    holder = next(s for s in servers if open_streams(s) == 1)
    survivor = next(s for s in servers if s is not holder)
    assert holder.process is not None
    holder.process.send_signal(signal.SIGTERM)
    assert stream.ended.wait(TIMEOUT), "the stream ended on the replica's shutdown"
    assert "event: closing" in stream.lines
    assert any(line.startswith("retry:") for line in stream.lines[2:])
    holder.process.wait(TIMEOUT)

    # The browser comes back with Last-Event-ID, through nginx, to the other.
    third = api.blog(iid, "while reconnecting")
    again = Reader(proxy, token, iid, stream.ids()[-1])
    assert again.connected.wait(TIMEOUT)
    again.wait_for(third)
    assert open_streams(survivor) == 1
    fourth = api.blog(iid, "after")
    again.wait_for(fourth)
    assert stream.ids() + again.ids() == [
        p for p in api.event_positions(iid) if p > first
    ], "every event once, none missed across the move"

    # nginx's request id reaches the server and comes back; no token logged.
    answer = httpx.get(
        f"{proxy}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    request_id = answer.headers["X-Request-ID"]
    assert len(request_id) == 32
    assert httpx.get(f"{proxy}/metrics", timeout=10).status_code == 404
    logged = (tmp_path / "access.log").read_text()
    assert request_id in logged
    assert f"/api/inspections/{iid}/stream" in logged
    assert token not in logged
