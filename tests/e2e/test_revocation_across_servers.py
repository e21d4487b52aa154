"""Two real `warroom serve` processes on one PostgreSQL: a token revoked or
rotated on one stops working on the other, its open streams included.

The other process learns it from the log its read side follows; the bound
below is loose, there only so that a process that never learns fails.
"""

from __future__ import annotations

import time

import httpx

from tests.days import iso_day
from tests.servers import add_user, running_server

LEARNS_WITHIN = 20.0  # seconds; it takes milliseconds (LISTEN/NOTIFY)


def _me(base: str, token: str) -> int:
    response = httpx.get(
        f"{base}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    return response.status_code


def _refused_within(base: str, token: str) -> bool:
    deadline = time.monotonic() + LEARNS_WITHIN
    while time.monotonic() < deadline:
        if _me(base, token) == 401:
            return True
        time.sleep(0.05)
    return False


def test_a_token_revoked_on_one_server_ends_the_other_servers_streams(
    postgres_schema_url: str,
) -> None:
    url = postgres_schema_url
    admin = add_user(url, "Admin", "admin")
    lead = add_user(url, "Lead", "lead")
    with running_server(url) as one, running_server(url) as two:
        auth = {"Authorization": f"Bearer {admin}"}
        staff = httpx.post(
            f"{one}/api/users", json={"name": "S", "role": "staff"}, headers=auth
        ).json()
        iid = httpx.post(
            f"{one}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers={"Authorization": f"Bearer {lead}"},
        ).json()["id"]
        assert _me(two, staff["token"]) == 200
        stream_url = f"{two}/api/inspections/{iid}/stream?token={staff['token']}"
        timeout = httpx.Timeout(10, read=LEARNS_WITHIN + 10)
        with httpx.stream("GET", stream_url, timeout=timeout) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            assert "connected" in next(lines)
            revoked = httpx.post(
                f"{one}/api/users/{staff['id']}/revoke", json={}, headers=auth
            )
            assert revoked.status_code == 200, revoked.text
            started = time.monotonic()
            for _ in lines:  # ends when server two ends it; a hang times out
                pass
            assert time.monotonic() - started < LEARNS_WITHIN
        assert _refused_within(two, staff["token"])
        assert _me(one, staff["token"]) == 401


def test_a_token_rotated_on_one_server_is_refused_by_the_other(
    postgres_schema_url: str,
) -> None:
    url = postgres_schema_url
    admin = add_user(url, "Admin", "admin")
    with running_server(url) as one, running_server(url) as two:
        auth = {"Authorization": f"Bearer {admin}"}
        staff = httpx.post(
            f"{one}/api/users", json={"name": "S", "role": "staff"}, headers=auth
        ).json()
        assert _me(two, staff["token"]) == 200  # now cached by server two
        rotated = httpx.post(
            f"{one}/api/users/{staff['id']}/rotate", json={}, headers=auth
        ).json()
        assert _refused_within(two, staff["token"])
        assert _me(two, rotated["token"]) == 200
