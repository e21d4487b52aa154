"""The live stream against real `warroom serve` processes, on both databases."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from httpx_sse import ServerSentEvent, connect_sse

from tests.days import iso_day
from tests.servers import add_user, running_server

TIMEOUT = 30.0


class Api:
    """Just enough of the API to make events happen."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def _client(self) -> httpx.Client:
        # A client per call, so that none is left open when a test ends.
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._client() as http:
            response = http.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    def open_inspection(self) -> str:
        return str(
            self.post(
                "/api/inspections",
                {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            )["id"]
        )

    def blog(self, iid: str, title: str) -> int:
        body = {"day": iso_day(2), "title": title, "body": "text"}
        return int(self.post(f"/api/inspections/{iid}/blog", body)["position"])

    def event_positions(self, iid: str) -> list[int]:
        with self._client() as http:
            events = http.get(f"/api/inspections/{iid}/events", params={"limit": 1000})
        return [e["position"] for e in events.json()["events"]]


def is_event(sse: ServerSentEvent) -> bool:
    """A logged event, not the greeting nor a keep-alive.

    httpx-sse hands on a keep-alive comment as a message without data but
    with the last id seen (the SSE spec keeps the id), so the id alone
    does not tell them apart.
    """
    return bool(sse.id and sse.data)


def read_stream(
    base: str, token: str, iid: str, *, count: int, **headers: str
) -> list[dict[str, Any]]:
    """Reads `count` events from the stream, then hangs up."""
    received: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=base, timeout=TIMEOUT) as http,
        connect_sse(
            http,
            "GET",
            f"/api/inspections/{iid}/stream",
            params={"token": token},
            headers=headers,
        ) as source,
    ):
        for sse in source.iter_sse():
            if not is_event(sse):
                continue
            received.append(
                {"id": int(sse.id), "type": sse.event, **json.loads(sse.data)}
            )
            if len(received) == count:
                break
    return received


@pytest.fixture
def server(database_url: str) -> Iterator[Api]:
    token = add_user(database_url, "Lead", "lead")
    with running_server(database_url) as base:
        yield Api(base, token)


def test_a_client_that_resumes_with_last_event_id_gets_exactly_the_rest(
    server: Api,
) -> None:
    iid = server.open_inspection()
    for n in range(6):
        server.blog(iid, f"before {n}")
    first = read_stream(server.base, server.token, iid, count=4)
    for n in range(5):
        server.blog(iid, f"while away {n}")
    everything = server.event_positions(iid)
    rest = [p for p in everything if p > first[-1]["id"]]

    resumed = read_stream(
        server.base,
        server.token,
        iid,
        count=len(rest),
        **{"Last-Event-ID": str(first[-1]["id"])},
    )

    assert [e["id"] for e in first] == everything[:4]
    assert [e["id"] for e in resumed] == rest


def test_after_in_the_query_resumes_like_last_event_id(server: Api) -> None:
    iid = server.open_inspection()
    positions = [server.blog(iid, f"post {n}") for n in range(3)]

    after = read_stream_after(server, iid, positions[0], count=2)

    assert [e["id"] for e in after] == positions[1:]


def read_stream_after(
    server: Api, iid: str, after: int, count: int
) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    with (
        httpx.Client(base_url=server.base, timeout=TIMEOUT) as http,
        connect_sse(
            http,
            "GET",
            f"/api/inspections/{iid}/stream",
            params={"token": server.token, "after": after},
        ) as source,
    ):
        for sse in source.iter_sse():
            if is_event(sse):
                received.append({"id": int(sse.id), **json.loads(sse.data)})
                if len(received) == count:
                    break
    return received


def test_an_event_arrives_live_with_the_row_it_changed(server: Api) -> None:
    iid = server.open_inspection()
    start = server.event_positions(iid)[-1]
    got: list[dict[str, Any]] = []
    reader = threading.Thread(
        target=lambda: got.extend(read_stream_after(server, iid, start, count=1))
    )
    reader.start()
    time.sleep(0.5)  # let it connect; the event is sent live, not from history
    position = server.blog(iid, "live")
    reader.join(TIMEOUT)

    assert [e["id"] for e in got] == [position]
    assert got[0]["event"]["type"] == "BlogPostWritten"
    assert got[0]["event"]["data"]["title"] == "live"


def test_the_stream_refuses_a_missing_or_wrong_token(server: Api) -> None:
    iid = server.open_inspection()
    with httpx.Client(base_url=server.base, timeout=TIMEOUT) as http:
        no_token = http.get(f"/api/inspections/{iid}/stream")
        wrong = http.get(f"/api/inspections/{iid}/stream", params={"token": "nope"})
        unknown = http.get(
            "/api/inspections/nope/stream", params={"token": server.token}
        )
    assert (no_token.status_code, wrong.status_code, unknown.status_code) == (
        401,
        401,
        404,
    )


SLOW_CLIENT_LIMITS = {
    "WARROOM_LIVE_QUEUE_SIZE": "20",
    "WARROOM_LIVE_SEND_TIMEOUT_SECONDS": "2",
}


def test_a_slow_client_is_dropped_without_holding_up_a_fast_one(
    database_url: str,
) -> None:
    token = add_user(database_url, "Lead", "lead")
    with running_server(database_url, env=SLOW_CLIENT_LIMITS) as base:
        api = Api(base, token)
        iid = api.open_inspection()
        start = api.event_positions(iid)[-1]
        slow = _connect_without_reading(base, token, iid, start)
        fast: list[dict[str, Any]] = []
        reader = threading.Thread(
            target=lambda: fast.extend(read_stream_after(api, iid, start, count=200))
        )
        reader.start()
        time.sleep(0.5)
        # Big posts, so the slow client's socket buffers fill quickly.
        for n in range(200):
            api.post(
                f"/api/inspections/{iid}/blog",
                {"day": iso_day(2), "title": f"post {n}", "body": "x" * 20_000},
            )
        reader.join(TIMEOUT)
        slow_ended = _reads_to_the_end(slow)

    assert len(fast) == 200
    assert [e["id"] for e in fast] == sorted({e["id"] for e in fast})
    assert slow_ended, "the server should have let the client that did not read go"


def _connect_without_reading(
    base: str, token: str, iid: str, after: int
) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A receive window this small (set before connecting, so it counts) fills
    # after a few events, and then the server's sends to it block.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(TIMEOUT)
    sock.connect((host, int(port)))
    sock.sendall(
        f"GET /api/inspections/{iid}/stream?token={token}&after={after} HTTP/1.1\r\n"
        f"Host: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    return sock


def _reads_to_the_end(sock: socket.socket) -> bool:
    """True when the server closed the stream (a final empty chunk or EOF)."""
    data = b""
    deadline = time.monotonic() + TIMEOUT
    with sock:
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                return True
            data += chunk
            if data.endswith(b"0\r\n\r\n"):
                return True
    return False


def test_idle_streams_get_keep_alive_comments(database_url: str) -> None:
    token = add_user(database_url, "Lead", "lead")
    with running_server(database_url, env={"WARROOM_KEEPALIVE_SECONDS": "0.5"}) as base:
        iid = Api(base, token).open_inspection()
        with (
            httpx.Client(base_url=base, timeout=TIMEOUT) as http,
            http.stream(
                "GET",
                f"/api/inspections/{iid}/stream",
                params={"token": token, "after": 10**6},
            ) as response,
        ):
            lines = response.iter_lines()
            comments = [line for line in _first(lines, 6) if line.startswith(":")]
    assert any("ping" in line for line in comments), comments


def _first(lines: Iterator[str], count: int) -> list[str]:
    taken = []
    for line in lines:
        if line:
            taken.append(line)
        if len(taken) == count:
            break
    return taken


def test_stopping_the_server_ends_open_streams_cleanly(database_url: str) -> None:
    token = add_user(database_url, "Lead", "lead")
    ended = threading.Event()
    with running_server(database_url) as base:
        api = Api(base, token)
        iid = api.open_inspection()

        def listen() -> None:
            with contextlib.suppress(httpx.HTTPError):
                read_stream_after(api, iid, 0, count=10**6)
            ended.set()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)
    # Leaving the block stops the server; running_server fails if it hangs.
    assert ended.wait(TIMEOUT)


@pytest.mark.postgres
def test_two_processes_on_postgresql_both_deliver_an_event_posted_to_one(
    postgres_schema_url: str,
) -> None:
    token = add_user(postgres_schema_url, "Lead", "lead")
    with (
        running_server(postgres_schema_url) as one,
        running_server(postgres_schema_url) as two,
    ):
        api_one = Api(one, token)
        iid = api_one.open_inspection()
        start = api_one.event_positions(iid)[-1]
        got: dict[str, list[dict[str, Any]]] = {one: [], two: []}
        readers = [
            threading.Thread(
                target=lambda base=base: got[base].extend(
                    read_stream_after(Api(base, token), iid, start, count=1)
                )
            )
            for base in (one, two)
        ]
        for reader in readers:
            reader.start()
        time.sleep(1.0)
        position = api_one.blog(iid, "posted to one")
        for reader in readers:
            reader.join(TIMEOUT)

    assert [e["id"] for e in got[one]] == [position]
    assert [e["id"] for e in got[two]] == [position]
