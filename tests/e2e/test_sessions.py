"""Sessions for people (issue 26), over real HTTP, on both databases.

A sign-in link's secret is exchanged once for a session's cookie; commands
from the cookie carry the CSRF token; a session ends when idle, when too
old, on sign-out (on every server process) and when the user's access
changes, its open streams with it. Every refusal stores nothing: no event,
no session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import free_port, running_server, warroom
from warroom.application import WarRoom
from warroom.config import Database
from warroom.session_table import SessionTable

LEARNS_WITHIN = (
    20.0  # seconds; a loose bound, so that a process that never learns fails
)


# Every client a test makes, closed when it ends.
_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    _OPEN.append(client)
    return client


def _add_user(url: str, name: str, role: str) -> tuple[str, str]:
    """`warroom user add`: their sign-in link's secret and their bearer token."""
    done = warroom(url, "user", "add", "--name", name, "--role", role)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    link = next(line for line in lines if line.startswith("their sign-in link:"))
    return link.split("#token=", 1)[1], lines[-1]


@contextmanager
def _log(url: str) -> Iterator[WarRoom]:
    app = WarRoom(Database.from_url(url))
    try:
        yield app
    finally:
        app.close()


def _held(url: str) -> tuple[int, int]:
    """Events in the log, and sessions held: what a refusal leaves as it was."""
    with _log(url) as app:
        return app.recorder.max_notification_id() or 0, SessionTable.of(app).held()


def _exchange(base: str, secret: str) -> httpx.Response:
    return httpx.post(f"{base}/auth/link", json={"token": secret}, timeout=10)


def _session(base: str, secret: str) -> httpx.Client:
    """A client holding the session a link's secret began."""
    answer = _exchange(base, secret)
    assert answer.status_code == 200, answer.text
    client = _client(base)
    client.cookies.set("warroom_session", answer.cookies["warroom_session"])
    return client


def _csrf(client: httpx.Client) -> dict[str, str]:
    me = client.get("/api/me").json()
    assert me["csrf_token"]
    return {"X-CSRF-Token": me["csrf_token"]}


def _open_inspection(client: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    return client.post(
        "/api/inspections",
        json={"title": "SIF", "framework": "SIF", "starts_on": "2026-11-23"},
        headers=headers,
    )


def test_a_sign_in_link_is_exchanged_once_for_an_httponly_samesite_cookie(
    database_url: str,
) -> None:
    link, token = _add_user(database_url, "Ada", "admin")
    with running_server(database_url) as base:
        answer = _exchange(base, link)
        assert answer.status_code == 200, answer.text
        assert answer.json()["name"] == "Ada"
        assert answer.json()["csrf_token"]
        cookie = answer.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert cookie.startswith("warroom_session=")
        assert {"httponly", "path", "samesite", "max-age"} <= attributes
        assert "samesite=lax" in cookie.lower()
        assert "secure" not in attributes  # plain http here
        assert answer.headers["cache-control"] == "no-store"
        held = _held(database_url)

        # Spent: a second use is refused, and nothing is stored.
        again = _exchange(base, link)
        assert again.status_code == 401
        assert again.json()["rule"] == "sign_in_link_spent"
        assert "set-cookie" not in again.headers
        assert _held(database_url) == held

        # The session signs in; the bearer token still does, as before.
        client = _client(base)
        client.cookies.set("warroom_session", answer.cookies["warroom_session"])
        me = client.get("/api/me").json()
        assert me["name"] == "Ada"
        assert me["csrf_token"] == answer.json()["csrf_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        by_token = httpx.get(f"{base}/api/me", headers=bearer, timeout=10).json()
        assert by_token["name"] == "Ada" and by_token["csrf_token"] is None
        # A link that carries a bearer token (the demo's) is exchanged each time.
        assert _exchange(base, token).status_code == 200
        assert _exchange(base, token).status_code == 200

        # Over https (a proxy saying so), the cookie is Secure.
        secure = httpx.post(
            f"{base}/auth/link",
            json={"token": token},
            headers={"X-Forwarded-Proto": "https"},
            timeout=10,
        )
        assert "secure" in secure.headers["set-cookie"].lower()

        # A link whose token was rotated opens nothing; the new one does.
        added = httpx.post(
            f"{base}/api/users", json={"name": "Bo", "role": "staff"}, headers=bearer
        ).json()
        rotated = httpx.post(
            f"{base}/api/users/{added['id']}/rotate", json={}, headers=bearer
        ).json()
        old = added["sign_in_path"].split("#token=")[1]
        new = rotated["sign_in_path"].split("#token=")[1]
        assert old != added["token"] and new != rotated["token"]
        held = _held(database_url)
        refused = _exchange(base, old)
        assert refused.status_code == 401
        assert refused.json()["rule"] == "link_unknown"
        assert _exchange(base, "not-a-link").status_code == 401
        assert _held(database_url) == held
        assert _exchange(base, new).json()["name"] == "Bo"


def test_a_command_from_a_cookie_without_its_csrf_token_is_refused_storing_nothing(
    database_url: str,
) -> None:
    link, _ = _add_user(database_url, "Lee", "lead")
    with running_server(database_url) as base:
        client = _session(base, link)
        csrf = _csrf(client)
        held = _held(database_url)
        for headers in ({}, {"X-CSRF-Token": "wrong"}, {"X-CSRF-Token": ""}):
            refused = _open_inspection(client, headers)
            assert refused.status_code == 403, refused.text
            assert "X-CSRF-Token" in refused.json()["detail"]
        assert _held(database_url) == held
        opened = _open_inspection(client, csrf)
        assert opened.status_code == 201, opened.text
        # Reads need no CSRF token.
        assert client.get("/api/inspections").status_code == 200


def test_a_session_ends_when_idle_and_when_too_old(database_url: str) -> None:
    link, token = _add_user(database_url, "Ida", "staff")
    idle = {"WARROOM_SESSION_IDLE_MINUTES": str(3 / 60)}  # 3 seconds
    with running_server(database_url, env=idle) as base:
        client = _session(base, link)
        for _ in range(3):  # in use: it lives past its idle time
            time.sleep(1.5)
            assert client.get("/api/me").status_code == 200
        time.sleep(3.5)
        assert client.get("/api/me").status_code == 401
    old = {"WARROOM_SESSION_MAX_HOURS": str(4 / 3600)}  # 4 seconds
    with running_server(database_url, env=old) as base:
        client = _session(base, token)
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # in use all along
            assert client.get("/api/me").status_code == 200
            time.sleep(0.5)
        time.sleep(1.5)
        assert client.get("/api/me").status_code == 401


def _stream_ends(
    base: str, client: httpx.Client, iid: str, then: Any
) -> tuple[bool, float]:
    """Opens the inspection's stream with the session's cookie, does `then`,
    and answers whether the stream ended (and how soon)."""
    timeout = httpx.Timeout(10, read=LEARNS_WITHIN + 10)
    cookies = {"warroom_session": client.cookies["warroom_session"]}
    url = f"{base}/api/inspections/{iid}/stream"
    # The other process may not have read the inspection's opening yet.
    deadline = time.monotonic() + LEARNS_WITHIN
    while client.get(f"/api/inspections/{iid}/events").status_code == 404:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with httpx.stream("GET", url, cookies=cookies, timeout=timeout) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        assert "connected" in next(lines)
        then()
        started = time.monotonic()
        try:
            for _ in lines:
                if time.monotonic() - started > LEARNS_WITHIN:
                    return False, LEARNS_WITHIN
        except httpx.ReadTimeout:
            return False, LEARNS_WITHIN
        return True, time.monotonic() - started


def _refused_within(client: httpx.Client) -> bool:
    deadline = time.monotonic() + LEARNS_WITHIN
    while time.monotonic() < deadline:
        if client.get("/api/me").status_code == 401:
            return True
        time.sleep(0.05)
    return False


def test_signing_out_on_one_server_ends_the_session_and_its_stream_on_the_other(
    database_url: str,
) -> None:
    link, token = _add_user(database_url, "Lou", "lead")
    env = {"WARROOM_KEEPALIVE_SECONDS": "1"}
    with (
        running_server(database_url, env=env) as one,
        running_server(database_url, env=env) as two,
    ):
        on_one = _session(one, link)
        iid = _open_inspection(on_one, _csrf(on_one)).json()["id"]
        on_two = _client(two)
        on_two.cookies.set("warroom_session", on_one.cookies["warroom_session"])
        assert on_two.get("/api/me").status_code == 200

        def sign_out() -> None:
            out = on_one.post("/auth/logout")
            assert out.status_code == 200
            assert 'warroom_session=""' in out.headers["set-cookie"]

        ended, _ = _stream_ends(two, on_two, iid, sign_out)
        assert ended
        assert on_two.get("/api/me").status_code == 401
        assert on_one.get("/api/me").status_code == 401
        # The bearer token is no session: it still signs in, on both.
        bearer = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{two}/api/me", headers=bearer).status_code == 200


def test_revoking_a_user_or_limiting_them_ends_their_sessions_and_streams(
    database_url: str,
) -> None:
    _, admin = _add_user(database_url, "Ann", "admin")
    link, _ = _add_user(database_url, "Lyn", "lead")
    bearer = {"Authorization": f"Bearer {admin}"}
    with running_server(database_url) as one, running_server(database_url) as two:
        lead = _session(one, link)
        me = lead.get("/api/me").json()
        iid = _open_inspection(lead, _csrf(lead)).json()["id"]
        staff = httpx.post(
            f"{one}/api/users", json={"name": "Sam", "role": "staff"}, headers=bearer
        ).json()
        sam = _session(two, staff["sign_in_path"].split("#token=")[1])

        def limit() -> None:
            limited = httpx.post(
                f"{one}/api/users/{me['id']}/inspections",
                json={"inspection_ids": [iid]},
                headers=bearer,
            )
            assert limited.status_code == 200, limited.text

        on_two = _client(two)
        on_two.cookies.set("warroom_session", lead.cookies["warroom_session"])
        ended, _ = _stream_ends(two, on_two, iid, limit)
        assert ended
        assert _refused_within(on_two)
        assert lead.get("/api/me").status_code == 401

        def revoke() -> None:
            revoked = httpx.post(
                f"{one}/api/users/{staff['id']}/revoke", json={}, headers=bearer
            )
            assert revoked.status_code == 200, revoked.text

        ended, _ = _stream_ends(two, sam, iid, revoke)
        assert ended
        assert _refused_within(sam)


def test_the_access_log_writes_no_secret(database_url: str) -> None:
    link, token = _add_user(database_url, "Al", "lead")
    port = free_port()
    log = Path(f"/tmp/warroom-serve-{port}.log")
    with running_server(database_url, port, env={"WARROOM_ACCESS_LOG": "true"}) as base:
        client = _session(base, link)
        iid = _open_inspection(client, _csrf(client)).json()["id"]
        secret = "aSecretCalendarLinkOfForty3CharactersLongXY"
        httpx.get(f"{base}/calendar/{secret}.ics", timeout=10)
        httpx.get(f"{base}/print/inspections/{iid}/ledger?token={token}", timeout=10)
        client.get(f"/print/inspections/{iid}/ledger")
        cookie = client.cookies["warroom_session"]
        client.post("/auth/logout")
    written = log.read_text()
    assert '"path": "/calendar/[redacted].ics"' in written
    assert f'"path": "/print/inspections/{iid}/ledger"' in written
    for leaked in (secret, token, link, cookie):
        assert leaked not in written


def test_the_openapi_declares_the_bearer_token_and_the_session_cookie(
    database_url: str,
) -> None:
    with running_server(database_url) as base:
        spec = httpx.get(f"{base}/openapi.json", timeout=10).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["session"]["type"] == "apiKey"
    assert schemes["session"]["in"] == "cookie"
    assert schemes["session"]["name"] == "warroom_session"
    me = spec["paths"]["/api/me"]["get"]
    assert {"bearer": []} in me["security"] and {"session": []} in me["security"]
    # Routes that need no sign-in say so by declaring none.
    assert "security" not in spec["paths"]["/auth/link"]["post"]
    assert "security" not in spec["paths"]["/api/device/codes"]["post"]
