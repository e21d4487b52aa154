"""Two real `warroom serve` processes on one database, both following the log
with a notifier each: every change to a meeting reaches the attendee's phone
once, not once per process (the claim of each notice is an event that only
one process can save)."""

from __future__ import annotations

import time

import httpx

from tests.days import iso_day, short_day
from tests.push_service import check_vapid, push_service
from tests.servers import add_user, running_server

MEETING = {
    "title": "Focus group with social workers",
    "kind": "focus_group",
    "starts_at": f"{iso_day(1)}T10:00:00+00:00",
    "ends_at": f"{iso_day(1)}T11:00:00+00:00",
    "venue": "Room 1",
    "attendees": ["Sam Staff"],
    "inspectors": [],
    "topics": [],
}


def test_each_change_is_pushed_once_with_two_servers(database_url: str) -> None:
    lead = {"Authorization": f"Bearer {add_user(database_url, 'Lee Lead', 'lead')}"}
    sam = {"Authorization": f"Bearer {add_user(database_url, 'Sam Staff', 'staff')}"}
    with push_service() as service:
        env = {
            "WARROOM_PUSH_ALLOWED": f"{service.base}/push/",
            "WARROOM_PUSH_RETRY_SECONDS": "0.05",
        }
        phone = service.browser("sam")
        with (
            running_server(database_url, env=env) as one,
            running_server(database_url, env=env) as two,
        ):
            key = httpx.get(f"{one}/api/push/key").json()["key"]
            assert httpx.get(f"{two}/api/push/key").json()["key"] == key
            subscribed = httpx.post(
                f"{one}/api/me/push-subscriptions",
                json=phone.subscription(),
                headers=sam,
            )
            assert subscribed.status_code == 201, subscribed.text
            iid = httpx.post(
                f"{two}/api/inspections",
                json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
                headers=lead,
            ).json()["id"]
            made = httpx.post(
                f"{two}/api/inspections/{iid}/meetings", json=MEETING, headers=lead
            )
            assert made.status_code == 201, made.text
            path = f"/api/inspections/{iid}/meetings/{made.json()['id']}"
            for base, change, body in (
                (one, "move", {"venue": "Room 2"}),
                (two, "move", {"venue": "Room 3"}),
                (one, "cancel", {"reason": "Inspectors went home"}),
            ):
                done = httpx.post(f"{base}{path}/{change}", json=body, headers=lead)
                assert done.status_code == 200, done.text

            assert service.wait_for(phone, 4, timeout=60)
            time.sleep(2.0)  # the slower process has had time to send again
            received = service.to(phone)

    assert len(received) == 4
    for message in received:
        check_vapid(message, key, service.base)
    # Sent by whichever process claimed each first: in any order.
    told = sorted(
        (phone.decrypt(r.body)["title"], phone.decrypt(r.body)["body"][:14])
        for r in received
    )
    assert told == [
        ("Cancelled: Focus group with social workers", "The meeting on"),
        ("New meeting: Focus group with social workers", f"{short_day(1)} at "),
        ("New room: Focus group with social workers", "Now in Room 2,"),
        ("New room: Focus group with social workers", "Now in Room 3,"),
    ]
