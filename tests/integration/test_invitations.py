"""Meeting invitations by email (issue 24), on SQLite and PostgreSQL: every
change to a meeting reaches its attendees with an email address as an iTIP
message (RFC 5546 over RFC 6047) that calendars apply by themselves, with
the feed's UID and a SEQUENCE that only grows."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar, Component

from commands import invitation_sends
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_meeting
from tests.smtp import Inbox, smtp_server
from warroom.config import Settings
from warroom.domain.base import Context
from web.app import create_app

WAIT = 15.0  # seconds; a message usually lands within a tenth of one


def started(
    database_url: str, outbox: Path, delay: float = 0.0, **more: Any
) -> TestClient:
    settings = Settings(
        **{
            "database_url": database_url,
            "mail_dir": str(outbox),
            "invite_delay_seconds": delay,
            "invite_check_seconds": 0.05,
            "blog_send_at": "off",
            "mail_from": "War room <warroom@council.example>",
            **more,
        }
    )
    return TestClient(create_app(settings))


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def war_room(database_url: str, outbox: Path) -> Iterator[WarRoomClient]:
    with started(database_url, outbox) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        yield client


def set_email(client: WarRoomClient, role: str, address: str) -> None:
    answer = client.http.put(
        f"/api/users/{client.user_ids[role]}/email",
        json={"email": address},
        headers=client.headers("admin"),
    )
    assert answer.status_code == 200, answer.text


def messages(outbox: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def wait_for(count: int, read: Callable[[], list[EmailMessage]]) -> list[EmailMessage]:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = read()
        if len(found) >= count:
            return found
        time.sleep(0.02)
    found = read()
    assert len(found) >= count, f"{len(found)} messages, not {count}"
    return found


def settled(client: WarRoomClient, path: str, count: int) -> list[dict[str, Any]]:
    """The meeting's invitations once `count` are claimed and none is still
    being sent (a message lands a moment before its fate is recorded)."""
    deadline = time.monotonic() + WAIT
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = client.get("staff", f"{path}/invitations").json()["invitations"]
        if len(rows) >= count and all(r["status"] != "sending" for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"not settled: {rows}")


def seq(event: Component) -> int:
    return int(str(event["sequence"]))


def itip(message: EmailMessage) -> tuple[str, Component]:
    """The calendar part's method and its one VEVENT."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    cal = Calendar.from_ical(part.get_content())
    method = str(cal["method"])
    assert part.get_param("method") == method  # RFC 6047: the same, on the part
    [event] = cal.walk("VEVENT")
    return method, event


def feed_events(client: WarRoomClient, inspection: Inspection) -> dict[str, Component]:
    answer = client.get("staff", f"{inspection.path}/agenda/A%20staff.ics")
    assert answer.status_code == 200, answer.text
    cal = Calendar.from_ical(answer.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_each_change_lands_in_the_outbox_as_a_request_or_cancel_with_the_feeds_uid(
    war_room: WarRoomClient, outbox: Path
) -> None:
    inspection = Inspection.open(war_room)
    client = war_room
    set_email(client, "staff", "staff@council.example")
    meeting = new_meeting(client, inspection)
    path = f"{inspection.path}/meetings/{meeting['id']}"
    changes: list[tuple[str, dict[str, Any] | None, str]] = [
        ("", None, "REQUEST"),  # scheduled
        (
            "/reschedule",
            {
                "starts_at": f"{iso_day(1)}T14:00:00+00:00",
                "ends_at": f"{iso_day(1)}T15:00:00+00:00",
                "reason": "the lead inspector asked",
            },
            "REQUEST",
        ),
        ("/move", {"venue": "Room 2"}, "REQUEST"),
        ("/attendees", {"remove": ["A staff"]}, "CANCEL"),
        ("/attendees", {"add": ["A staff"]}, "REQUEST"),
        ("/cancel", {"reason": "no longer needed"}, "CANCEL"),
    ]
    sequences = []
    for n, (tail, body, method) in enumerate(changes, start=1):
        if body is not None:
            client.ok("rapid_response", path + tail, body)
        found = wait_for(n, lambda: messages(outbox))
        assert len(found) == n
        message = found[-1]
        assert message["To"] == "staff@council.example"
        got, event = itip(message)
        assert got == method
        feed = feed_events(client, inspection)
        assert list(feed) == [str(event["uid"])]  # the feed's UID, exactly
        assert str(event["uid"]) == f"{meeting['id']}@warroom"
        # The feed's VEVENT carries the SEQUENCE the invitation does.
        assert seq(feed[str(event["uid"])]) == seq(event)
        sequences.append(seq(event))
        if method == "CANCEL":
            assert str(event["status"]) == "CANCELLED"
        else:
            assert str(event["status"]) == "CONFIRMED"
            assert "staff@council.example" in str(event["attendee"])
            assert "warroom@council.example" in str(event["organizer"])
    assert sequences == sorted(set(sequences))  # only grows
    assert sequences[0] == 0

    # The meeting's details say who was sent what, and when.
    rows = settled(client, path, len(changes))
    assert [r["method"] for r in rows] == [c[2] for c in changes]
    assert [r["sequence"] for r in rows] == sequences
    assert {r["person"] for r in rows} == {"A staff"}
    assert all(r["status"] == "sent" and r["sent_at"] for r in rows)
    assert rows[1]["changes"] == ["time"] and rows[3]["changes"] == ["removed"]

    # A read of the past (time travel) sends nothing.
    client.get("staff", f"{path}/invitations", at=1)
    client.get("staff", f"{inspection.path}/schedule", day=iso_day(1), at=3)
    time.sleep(0.3)
    assert len(messages(outbox)) == len(changes)


def test_only_attendees_who_are_users_with_an_address_are_sent_anything(
    war_room: WarRoomClient, outbox: Path
) -> None:
    inspection = Inspection.open(war_room)
    client = war_room
    set_email(client, "lead", "lead@council.example")
    # "A lead" attends; "A staff" has no address; "Someone" is no user.
    meeting = new_meeting(
        client, inspection, attendees=["A staff", "Someone Else", "A lead"]
    )
    [message] = wait_for(1, lambda: messages(outbox))
    assert message["To"] == "lead@council.example"
    time.sleep(0.3)
    assert len(messages(outbox)) == 1
    # A person added is told; those already there are not told again.
    set_email(client, "gatekeeper", "gate@council.example")
    client.ok(
        "rapid_response",
        f"{inspection.path}/meetings/{meeting['id']}/attendees",
        {"add": ["A gatekeeper"]},
    )
    found = wait_for(2, lambda: messages(outbox))
    time.sleep(0.3)
    assert [m["To"] for m in messages(outbox)] == [
        "lead@council.example",
        "gate@council.example",
    ]
    assert itip(found[1])[0] == "REQUEST"


def test_a_user_given_an_address_is_told_what_changes_after_not_before(
    war_room: WarRoomClient, outbox: Path
) -> None:
    client = war_room
    inspection = Inspection.open(client)
    meeting = new_meeting(client, inspection)  # "A staff" has no address yet
    set_email(client, "staff", "staff@council.example")
    time.sleep(0.5)
    assert messages(outbox) == []  # the meeting arranged before is not told
    client.ok(
        "rapid_response",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 5"},
    )
    [message] = wait_for(1, lambda: messages(outbox))
    method, event = itip(message)
    assert method == "REQUEST" and seq(event) == 1
    rows = settled(client, f"{inspection.path}/meetings/{meeting['id']}", 1)
    assert rows[0]["changes"] == ["room"]


def test_changes_within_the_delay_go_as_one_message(
    database_url: str, tmp_path: Path, outbox: Path
) -> None:
    with started(database_url, outbox, delay=1.5) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        set_email(client, "staff", "staff@council.example")
        meeting = new_meeting(client, inspection)
        path = f"{inspection.path}/meetings/{meeting['id']}"
        client.ok("rapid_response", path + "/move", {"venue": "Room 2"})
        client.ok(
            "rapid_response",
            path + "/reschedule",
            {
                "starts_at": f"{iso_day(1)}T12:00:00+00:00",
                "ends_at": f"{iso_day(1)}T13:00:00+00:00",
                "reason": "clash",
            },
        )
        assert messages(outbox) == []  # held for the delay
        [message] = wait_for(1, lambda: messages(outbox))
        time.sleep(2.0)  # nothing more comes of those three changes
        assert len(messages(outbox)) == 1
        method, event = itip(message)
        assert method == "REQUEST" and seq(event) == 2
        assert str(event["location"]) == "Room 2"
        assert event.decoded("dtstart").hour == 12  # Europe/London in November
        rows = settled(client, path, 1)
        assert [r["changes"] for r in rows] == [["scheduled", "room", "time"]]


def test_an_invitation_updates_the_entry_a_calendar_built_from_the_feed_holds(
    war_room: WarRoomClient, outbox: Path
) -> None:
    inspection = Inspection.open(war_room)
    """A calendar program applies iTIP by UID: the same UID with a higher
    SEQUENCE replaces what it holds (RFC 5546, 2.1.4); nothing is added."""
    client = war_room
    set_email(client, "staff", "staff@council.example")
    first = new_meeting(client, inspection)
    new_meeting(client, inspection, title="Focus group", venue="Room 3")
    wait_for(2, lambda: messages(outbox))
    held = feed_events(client, inspection)  # the calendar, from the feed
    assert len(held) == 2

    def apply(event: Component) -> None:
        uid = str(event["uid"])
        if uid in held and seq(event) <= seq(held[uid]):
            return  # an old one: ignored
        held[uid] = event

    client.ok(
        "rapid_response",
        f"{inspection.path}/meetings/{first['id']}/move",
        {"venue": "Council chamber"},
    )
    found = wait_for(3, lambda: messages(outbox))
    method, event = itip(found[-1])
    assert method == "REQUEST"
    before = seq(held[str(event["uid"])])
    apply(event)
    assert len(held) == 2  # updated in place, not duplicated
    assert seq(held[str(event["uid"])]) == before + 1
    assert str(held[str(event["uid"])]["location"]) == "Council chamber"
    # And the feed, fetched again, agrees with what the invitation left.
    again = feed_events(client, inspection)
    assert {u: seq(e) for u, e in again.items()} == {u: seq(e) for u, e in held.items()}


def test_a_real_smtp_server_receives_the_invitation_when_smtp_is_set(
    database_url: str, outbox: Path
) -> None:
    with smtp_server() as inbox:
        settings: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port,
            "smtp_tls": "none",
            "mail_retry_seconds": 0.01,
        }
        with started(database_url, outbox, **settings) as http:
            client = WarRoomClient(http=http)
            client.add_users()
            inspection = Inspection.open(client)
            set_email(client, "staff", "staff@council.example")
            meeting = new_meeting(client, inspection)
            received = wait_for(1, lambda: received_by(inbox))
            assert not outbox.exists()  # SMTP set: nothing in the outbox
            [(to, _)] = inbox.received
            assert to == ["staff@council.example"]
            method, event = itip(received[0])
            assert method == "REQUEST"
            assert str(event["uid"]) == f"{meeting['id']}@warroom"
            path = f"{inspection.path}/meetings/{meeting['id']}"
            rows = settled(client, path, 1)
            assert rows[0]["status"] == "sent" and rows[0]["tries"] == 1


def received_by(inbox: Inbox) -> list[EmailMessage]:
    return [message for _, message in inbox.received]


def test_a_refusing_smtp_server_is_tried_again_and_the_failure_recorded(
    database_url: str, outbox: Path
) -> None:
    with smtp_server(Inbox(answer="451 try later")) as inbox:
        settings: dict[str, Any] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port,
            "smtp_tls": "none",
            "mail_retries": 2,
            "mail_retry_seconds": 0.01,
        }
        with started(database_url, outbox, **settings) as http:
            client = WarRoomClient(http=http)
            client.add_users()
            inspection = Inspection.open(client)
            set_email(client, "staff", "staff@council.example")
            meeting = new_meeting(client, inspection)
            rows = settled(client, f"{inspection.path}/meetings/{meeting['id']}", 1)
            assert rows[0]["status"] == "failed" and rows[0]["tries"] == 3
            assert "451" in rows[0]["reason"]
            assert inbox.tries == 3


def test_an_invitation_left_claimed_by_a_process_that_died_is_sent_again(
    database_url: str, outbox: Path
) -> None:
    # A process claimed the invitation, then died before sending it.
    with started(database_url, outbox, invite_check_seconds=0) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        set_email(client, "staff", "staff@council.example")
        meeting = new_meeting(client, inspection)
        ctx = Context(
            "server",
            "the war room (invitations)",
            datetime.now(UTC),
            inspection_id=inspection.id,
        )
        claimed = invitation_sends.claim(
            client.app,
            ctx,
            meeting_id=meeting["id"],
            person="A staff",
            user_id=client.user_ids["staff"],
            number=1,
            method="REQUEST",
            sequence=0,
            changes=["scheduled"],
        )
        assert claimed is not None
    assert messages(outbox) == []
    with started(database_url, outbox, invite_abandoned_seconds=0.5) as http:
        client.http = http
        path = f"{inspection.path}/meetings/{meeting['id']}"
        # Read (so this process holds the inspection): one claimed, unsent.
        first = client.get("staff", f"{path}/invitations").json()["invitations"]
        assert [(r["number"], r["status"]) for r in first] == [(1, "sending")]
        [message] = wait_for(1, lambda: messages(outbox))
        assert itip(message)[0] == "REQUEST"
        rows = settled_after(client, path, 2)
        assert [(r["number"], r["status"]) for r in rows] == [
            (1, "sending"),
            (2, "sent"),
        ]
        time.sleep(0.8)  # and only once
        assert len(messages(outbox)) == 1


def settled_after(client: WarRoomClient, path: str, count: int) -> list[Any]:
    deadline = time.monotonic() + WAIT
    rows: list[Any] = []
    while time.monotonic() < deadline:
        rows = client.get("staff", f"{path}/invitations").json()["invitations"]
        if len(rows) >= count and rows[-1]["status"] != "sending":
            return rows
        time.sleep(0.05)
    raise AssertionError(f"not settled: {rows}")
