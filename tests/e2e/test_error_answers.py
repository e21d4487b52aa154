"""What an unexpected error and a stalled reader do to a real server (issue 10,
finding 6: "after a 500 the connection is reset; each dropped slow reader
logs a full traceback").

The server is `warroom serve` as built, plus one route that fails
(`tests/e2e/failing_route.py`), a stand-in for a bug not yet found.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.days import iso_day
from tests.e2e.failing_route import FAILING_PATH
from tests.servers import VENV_BIN, _wait_until_answering, add_user, free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE_WITH_A_FAILING_ROUTE = [
    str(VENV_BIN / "python"),
    "-m",
    "tests.e2e.failing_route",
    "serve",
]
SEND_TIMEOUT_SECONDS = 1
# Enough catch-up that a reader taking none of it fills every buffer on the
# way (the kernel's on both sides and the server's own) and the send times out.
POSTS = 400
POST_CHARS = 20_000
DROPPED = ("dropped a stream client that stopped reading", "SendTimeoutError")


@dataclass
class Served:
    base: str
    port: int
    log: Path  # the server's stderr: its JSON log lines


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as err:
        process = subprocess.Popen(
            [*SERVE_WITH_A_FAILING_ROUTE, "--port", str(port)],
            cwd=ROOT,
            env={
                **os.environ,
                "WARROOM_DATABASE_URL": database_url,
                "WARROOM_LIVE_SEND_TIMEOUT_SECONDS": str(SEND_TIMEOUT_SECONDS),
            },
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(base, process, 120)
            yield Served(base, port, log)
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def exchange(sock: socket.socket, path: str) -> tuple[int, bytes]:
    """One GET on a kept-alive socket; its status and body."""
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection"
        received += chunk
    head, body = received.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int({k.lower(): v for k, v in headers.items()}["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection mid-answer"
        body += chunk
    return int(lines[0].split()[1]), body


def test_after_an_unexpected_error_the_connection_stays_open(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        status, body = exchange(sock, FAILING_PATH)
        assert status == 500
        assert b"internals" not in body  # logged, never shown
        # The same connection answers the next request.
        status, _ = exchange(sock, "/healthz")
        assert status == 200
    log = served.log.read_text()
    assert log.count("Traceback") == 1, log[-2000:]  # logged once


def test_a_dropped_slow_reader_is_one_log_line_without_a_traceback(
    served: Served, database_url: str
) -> None:
    lead = add_user(database_url, "Vince Clark", "lead")
    headers = {"Authorization": f"Bearer {lead}"}
    with httpx.Client(base_url=served.base, headers=headers, timeout=60) as http:
        opened = http.post(
            "/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
        )
        assert opened.status_code == 201, opened.text
        iid = opened.json()["id"]
        today = datetime.now(UTC).date().isoformat()
        for number in range(POSTS):
            body = {"day": today, "title": f"Post {number}", "body": "x" * POST_CHARS}
            posted = http.post(f"/api/inspections/{iid}/blog", json=body)
            assert posted.status_code == 201, posted.text
    with socket.socket() as sock:
        # A small window: the reader takes (almost) nothing.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", served.port))
        sock.sendall(
            f"GET /api/inspections/{iid}/stream?after=0&token={lead} HTTP/1.1\r\n"
            "Host: test\r\n\r\n".encode()
        )
        deadline = time.monotonic() + 60
        # Dropped when its send times out: said in a line, or in a traceback.
        while not any(s in served.log.read_text() for s in DROPPED):
            assert time.monotonic() < deadline, "the stalled reader was never dropped"
            time.sleep(0.2)
    log = served.log.read_text()
    assert log.count(DROPPED[0]) == 1, log[-2000:]
    assert "Traceback" not in log, log[-4000:]
