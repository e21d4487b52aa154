"""Two real `warroom serve` processes on one database (issue 25): a wall
screen asks for its code on one, is approved on the other and collects its
token on the first; disconnected on one, its token stops working on the
other too, and its open stream there ends. The other process learns it from
the log its read side follows; the bound is loose, there only so that a
process that never learns fails."""

from __future__ import annotations

import time

import httpx

from tests.days import iso_day
from tests.servers import add_user, running_server

LEARNS_WITHIN = 20.0  # seconds
POLL = {"WARROOM_DEVICE_POLL_SECONDS": "1"}


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


def test_a_screen_disconnected_on_one_server_is_signed_out_on_the_other(
    database_url: str,
) -> None:
    lead = add_user(database_url, "Lead", "lead")
    auth = {"Authorization": f"Bearer {lead}"}
    with (
        running_server(database_url, env=POLL) as one,
        running_server(database_url, env=POLL) as two,
    ):
        iid = httpx.post(
            f"{one}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers=auth,
        ).json()["id"]
        code = httpx.post(f"{one}/api/device/codes").json()
        # Pending on one, approved on two: the codes are shared, not per process.
        approved = httpx.post(
            f"{two}/api/device/approve",
            json={"user_code": code["user_code"], "inspection_id": iid},
            headers=auth,
        )
        assert approved.status_code == 200, approved.text
        answer = httpx.post(
            f"{one}/api/device/token", json={"device_code": code["device_code"]}
        )
        assert answer.status_code == 200, answer.text
        token = answer.json()["token"]
        assert _me(two, token) == 200  # now known to server two
        stream_url = f"{two}/api/inspections/{iid}/stream?token={token}"
        timeout = httpx.Timeout(10, read=LEARNS_WITHIN + 10)
        with httpx.stream("GET", stream_url, timeout=timeout) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            assert "connected" in next(lines)
            listed = httpx.get(f"{one}/api/inspections/{iid}/displays", headers=auth)
            screen = listed.json()["displays"][0]
            gone = httpx.post(
                f"{one}/api/inspections/{iid}/displays/{screen['id']}/disconnect",
                json={},
                headers=auth,
            )
            assert gone.status_code == 200, gone.text
            assert _me(one, token) == 401  # at once where it was stored
            # Ends when server two ends it; a hang fails on the read timeout.
            for _ in lines:
                pass
        assert _refused_within(two, token)
