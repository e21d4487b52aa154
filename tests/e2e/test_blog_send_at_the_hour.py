"""Two real `warroom serve` processes on one database reach the blog's send
time together: the blog goes out once."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.servers import add_user, running_server
from tests.smtp import smtp_server

ZONE = ZoneInfo("Europe/London")
AHEAD = timedelta(seconds=12)


def test_two_servers_at_the_send_hour_send_the_days_blog_once(
    database_url: str,
) -> None:
    send_at = datetime.now(ZONE) + AHEAD
    if send_at.date() != datetime.now(ZONE).date():
        pytest.skip("the send time would fall tomorrow")
    admin = add_user(database_url, "Root", "admin")
    with smtp_server() as inbox:
        env = {
            **inbox.env(),
            "WARROOM_BLOG_SEND_AT": send_at.time().isoformat(timespec="seconds"),
            # Test-only: look often, so both processes see the hour at once.
            "WARROOM_BLOG_SEND_CHECK_SECONDS": "0.1",
        }
        with (
            running_server(database_url, env=env) as one,
            running_server(database_url, env=env) as two,
        ):
            iid = _inspection_with_a_list(one, admin, send_at.date().isoformat())
            if datetime.now(ZONE) < send_at - timedelta(seconds=1):
                assert inbox.received == [], "sent before its time"
            deadline = time.monotonic() + AHEAD.total_seconds() + 20
            while not inbox.received and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(2)  # time enough for a second one, were there one

            assert len(inbox.received) == 1
            [(recipients, message)] = inbox.received
            assert recipients == ["sam@council.example"]
            for base in (one, two):
                told = httpx.get(
                    f"{base}/api/inspections/{iid}/blog/{send_at.date()}",
                    headers={"Authorization": f"Bearer {admin}"},
                ).json()["email"]
                assert told["status"] == "sent"
                [attempt] = told["attempts"]
                assert attempt["trigger"] == "schedule"
                assert attempt["message_id"] == message["Message-ID"]


def _inspection_with_a_list(base: str, admin: str, today: str) -> str:
    auth = {"Authorization": f"Bearer {admin}"}
    opened = httpx.post(
        f"{base}/api/inspections",
        json={"title": "SIF", "framework": "SIF", "starts_on": today},
        headers=auth,
    )
    assert opened.status_code == 201, opened.text
    iid: str = opened.json()["id"]
    listed = httpx.post(
        f"{base}/api/inspections/{iid}/distribution",
        json={"name": "Sam Staff", "email": "sam@council.example"},
        headers=auth,
    )
    assert listed.status_code == 201, listed.text
    return iid
