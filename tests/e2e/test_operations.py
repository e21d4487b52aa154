"""Operations of a real `warroom serve`: its JSON logs, and SIGTERM.

- Every line on stderr is a JSON object; every line a request causes
  carries its request id; no token appears anywhere, neither one sent as
  `Authorization: Bearer` nor one in a stream's `?token=`.
- SIGTERM while a command is under way and a stream is open: the command
  is executed and answered, the stream gets a `closing` event with an SSE
  `retry:` and ends, and the process exits; a restart shows the command.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.days import iso_day
from tests.e2e.test_live_stream import Api
from tests.servers import VENV_BIN, _wait_until_answering, add_user, free_port

TIMEOUT = 30.0


class Served:
    """A `warroom serve` whose stderr goes to a file the test reads."""

    def __init__(self, database_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("a") as stderr:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "warroom"), "serve", "--port", str(self.port)],
                env={**os.environ, "WARROOM_DATABASE_URL": database_url, **env},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
            )
        _wait_until_answering(self.base, self.process, 60)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def lines(self) -> list[dict[str, Any]]:
        text = self.log.read_text()
        parsed = []
        for line in text.splitlines():
            if line.strip():
                parsed.append(json.loads(line))  # fails the test if not JSON
        return parsed


def test_every_log_line_is_json_with_the_request_id_and_no_token(
    database_url: str, tmp_path: Path
) -> None:
    token = add_user(database_url, "Vince Clark", "lead")
    server = Served(database_url, tmp_path / "stderr.log", WARROOM_ACCESS_LOG="true")
    try:
        iid = Api(server.base, token).open_inspection()
        bearer = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base, timeout=TIMEOUT) as http:
            named = http.get("/api/me", headers={**bearer, "X-Request-ID": "rid-42"})
            assert named.headers["X-Request-ID"] == "rid-42"
            # A token in the query of an ordinary route, and of the stream.
            http.get(f"/api/me?token={token}")
            with http.stream(
                "GET", f"/api/inspections/{iid}/stream?token={token}&after=0"
            ) as stream:
                assert stream.status_code == 200
                stream_id = stream.headers["X-Request-ID"]
                next(stream.iter_bytes())
            # A refused command: its body holds nothing secret, but its
            # header does.
            http.post(f"/api/inspections/{iid}/blog", headers=bearer, json={})
    finally:
        server.stop()
    text = server.log.read_text()
    lines = server.lines()
    assert token not in text
    requests = [line for line in lines if line.get("event") == "request"]
    assert len(requests) >= 5
    for line in requests:
        assert line["request_id"], line
        assert "token" not in line["path"]
        assert {"time", "level", "logger", "method", "status", "ms"} <= line.keys()
    assert any(line["request_id"] == "rid-42" for line in requests)
    streamed = [line for line in requests if line["path"].endswith("/stream")]
    assert [line["request_id"] for line in streamed] == [stream_id]
    # The server's own lines (start, stop) are JSON too, without a request.
    assert any(line.get("logger") == "uvicorn.error" for line in lines)


def test_sigterm_finishes_the_command_under_way_and_tells_streams_to_reconnect(
    database_url: str, tmp_path: Path
) -> None:
    token = add_user(database_url, "Vince Clark", "lead")
    server = Served(database_url, tmp_path / "stderr.log")
    try:
        api = Api(server.base, token)
        iid = api.open_inspection()
        bearer = {"Authorization": f"Bearer {token}"}

        # A stream, open and caught up.
        received: list[str] = []
        connected = threading.Event()

        def read_stream() -> None:
            with (
                httpx.Client(base_url=server.base, timeout=TIMEOUT) as http,
                http.stream(
                    "GET", f"/api/inspections/{iid}/stream", headers=bearer
                ) as stream,
            ):
                for line in stream.iter_lines():
                    received.append(line)
                    connected.set()

        streaming = threading.Thread(target=read_stream)
        streaming.start()
        assert connected.wait(TIMEOUT)
        assert _metric(server.base, "warroom_open_streams") == 1

        # A command under way: its headers and half its body are sent.
        body = json.dumps(
            {"day": iso_day(2), "title": "Sent across the shutdown", "body": "x"}
        ).encode()
        half_sent = threading.Event()
        finish = threading.Event()
        answer: list[httpx.Response] = []

        def slow_body() -> Iterator[bytes]:
            yield body[:20]
            half_sent.set()
            finish.wait(TIMEOUT)
            yield body[20:]

        def post() -> None:
            with httpx.Client(base_url=server.base, timeout=TIMEOUT) as http:
                answer.append(
                    http.post(
                        f"/api/inspections/{iid}/blog",
                        content=slow_body(),
                        headers={**bearer, "Content-Type": "application/json"},
                    )
                )

        posting = threading.Thread(target=post)
        posting.start()
        assert half_sent.wait(TIMEOUT)
        time.sleep(1.0)  # the server has read the headers and begun the request

        server.process.send_signal(signal.SIGTERM)
        streaming.join(TIMEOUT)
        assert not streaming.is_alive(), "the stream ended"
        assert "event: closing" in received
        retries = [line for line in received if line.startswith("retry:")]
        assert len(retries) == 2, received  # the greeting's, and the farewell's
        assert 1000 <= int(retries[-1].split(":")[1]) <= 3000
        assert server.process.poll() is None, "still finishing the command"

        finish.set()
        posting.join(TIMEOUT)
        assert answer and answer[0].status_code == 201, answer
        position = answer[0].json()["position"]
        assert server.process.wait(TIMEOUT) in (0, -signal.SIGTERM)
    finally:
        server.stop()

    again = Served(database_url, tmp_path / "stderr.log")
    try:
        assert position in Api(again.base, token).event_positions(iid)
    finally:
        again.stop()


def _metric(base: str, name: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=TIMEOUT).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} not in /metrics")
