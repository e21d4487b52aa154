"""Two real `warroom serve` processes on one database (issue 24): each change
to a meeting is told once, however many processes look for invitations due.

Both processes hold the inspection (it was opened while they ran) and look
every 0.05 s; with a delay of a second, both find each invitation due at
about the same moment and race to claim it: the claim is an event with an
id derived from (meeting, person, number), so the second process's save
fails, and it sends nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import httpx

from tests.days import iso_day
from tests.integration.test_invitations import itip, messages, seq
from tests.servers import add_user, running_server

MEETINGS = 6
PEOPLE = ("Ann Example", "Bob Example")


def test_each_invitation_is_sent_once_with_two_server_processes(
    database_url: str, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    env = {
        "WARROOM_MAIL_DIR": str(outbox),
        "WARROOM_INVITE_DELAY_SECONDS": "1",
        "WARROOM_INVITE_CHECK_SECONDS": "0.05",
        "WARROOM_MAIL_FROM": "War room <warroom@council.example>",
    }
    admin = add_user(database_url, "Admin", "admin")
    with (
        running_server(database_url, env=env) as one,
        running_server(database_url, env=env) as two,
    ):
        as_admin = {"Authorization": f"Bearer {admin}"}
        for name in PEOPLE:
            address = name.split()[0].lower() + "@council.example"
            added = httpx.post(
                f"{one}/api/users",
                json={"name": name, "role": "rapid_response", "email": address},
                headers=as_admin,
            )
            assert added.status_code == 201, added.text
        rapid = httpx.post(
            f"{one}/api/users",
            json={"name": "Rapid", "role": "rapid_response"},
            headers=as_admin,
        ).json()["token"]
        lead = httpx.post(
            f"{one}/api/users", json={"name": "Lead", "role": "lead"}, headers=as_admin
        ).json()["token"]
        iid = httpx.post(
            f"{one}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers={"Authorization": f"Bearer {lead}"},
        ).json()["id"]
        as_rapid = {"Authorization": f"Bearer {rapid}"}
        ids = []
        for n in range(MEETINGS):
            # Commands alternate between the processes.
            base = (one, two)[n % 2]
            made = httpx.post(
                f"{base}/api/inspections/{iid}/meetings",
                json={
                    "title": f"Meeting {n}",
                    "kind": "focus_group",
                    "starts_at": f"{iso_day(1)}T{8 + n:02d}:00:00+00:00",
                    "ends_at": f"{iso_day(1)}T{8 + n:02d}:30:00+00:00",
                    "venue": f"Room {n}",
                    "attendees": list(PEOPLE),
                    "inspectors": [],
                    "topics": [],
                },
                headers=as_rapid,
            )
            assert made.status_code == 201, made.text
            ids.append(made.json()["id"])
        wanted = MEETINGS * len(PEOPLE)
        assert _count_within(outbox, wanted, 30.0) == wanted
        # Then each meeting moves, on the other process: told once more each.
        for n, meeting_id in enumerate(ids):
            base = (two, one)[n % 2]
            moved = httpx.post(
                f"{base}/api/inspections/{iid}/meetings/{meeting_id}/move",
                json={"venue": f"Hall {n}"},
                headers=as_rapid,
            )
            assert moved.status_code == 200, moved.text
        assert _count_within(outbox, 2 * wanted, 30.0) == 2 * wanted
        time.sleep(2.0)  # nothing more comes: no second process sent again
        sent = messages(outbox)
        assert len(sent) == 2 * wanted
        told = Counter(
            (str(event["uid"]), message["To"], seq(event))
            for message in sent
            for _, event in [itip(message)]
        )
        assert set(told.values()) == {1}
        assert {s for _, _, s in told} == {0, 1}
        # Each process's read says the same: one invitation per change and person.
        for base in (one, two):
            rows = httpx.get(
                f"{base}/api/inspections/{iid}/meetings/{ids[0]}/invitations",
                params={"min_position": 0},
                headers=as_rapid,
            ).json()["invitations"]
            assert sorted((r["person"], r["number"]) for r in rows) == [
                (PEOPLE[0], 1),
                (PEOPLE[0], 2),
                (PEOPLE[1], 1),
                (PEOPLE[1], 2),
            ]


def _count_within(outbox: Path, wanted: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(list(outbox.glob("*.eml"))) >= wanted:
            break
        time.sleep(0.05)
    return len(list(outbox.glob("*.eml")))
