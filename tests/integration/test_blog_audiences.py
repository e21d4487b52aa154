"""The blog per audience (issue 24): each recipient on the list is the war
room's or a partner, and gets that copy, their own meetings first, from the
page's send (POST .../blog/{day}/send) through a real SMTP server; the
preview (GET .../blog/{day}/email?audience=&recipient=) is the exact message;
a blog sent before the day was closed is followed by the seal at closing."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from commands import blog_sends
from commands.models import WriteBlogPost
from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    allowed_roles,
    logged_events,
    new_request,
    refused_roles,
    walk_request,
)
from tests.integration.test_blog_email import parts
from tests.smtp import Inbox, smtp_server
from warroom.config import Settings
from warroom.domain.base import Context
from web.app import create_app


def _a_zone_near_midday() -> ZoneInfo:
    """The day below has a meeting that ended at 00:10 and one that starts at
    23:50: both are true of "now" only away from midnight. So the inspection
    is run in a zone where it is now the middle of the day, whenever the
    suite runs (Etc/GMT-N is N hours ahead of UTC: POSIX signs)."""
    hour = datetime.now(UTC).hour
    offset = (12 - hour + 12) % 24 - 12  # -12..11 hours ahead of UTC
    return ZoneInfo("Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}")


ZONE = _a_zone_near_midday()
PAGE = "https://warroom.council.example/"
SAM = ("Sam Staff", "sam@council.example")  # the war room's
PAT = ("Pat Partner", "pat@police.example")  # a partner, on tomorrow's schedule
RAE = ("Rae Health", "rae@nhs.example")  # a partner, on no schedule

# What only the war room may read, as this day tells it.
REQUEST = "Annex A: list of children in need"
DECLINED = "Supervision notes for 2019"
DECLINE_REASON = "Out of scope: before the inspection period"
KIT_TEXT = "Inspectors worried about step-down decisions"
LINE = "Step-down decisions"
TICK_NOTE = "Diary cleared for the week"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def client(database_url: str, inbox: Inbox) -> Iterator[WarRoomClient]:
    settings = Settings(
        database_url=database_url,
        blog_send_at="off",  # sends come from the page here
        blog_send_check_seconds=0.2,  # the seal's follow-up looks often
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_tls="none",
        mail_from="War room <warroom@council.example>",
        mail_retries=0,
        public_url=PAGE,
    )
    with TestClient(create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@pytest.fixture
def inspection(client: WarRoomClient) -> Inspection:
    iid = client.ok(
        "lead",
        "/api/inspections",
        {
            "title": "SIF",
            "framework": "SIF",
            "starts_on": iso_day(0),
            "template": "SIF",
            "timezone": ZONE.key,
        },
    )["id"]
    lead = client.ok(
        "lead",
        f"/api/inspections/{iid}/inspectors",
        {"name": "Helen Ward", "lead": True},
    )["id"]
    team = client.ok(
        "lead", f"/api/inspections/{iid}/inspectors", {"name": "Tom Bright"}
    )["id"]
    return Inspection(id=iid, lead_inspector=lead, team_inspector=team)


def today() -> datetime:
    """Midnight today, in the inspection's zone: the day of what happens now."""
    now = datetime.now(ZONE)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def day() -> str:
    return today().date().isoformat()


def at(moment: datetime) -> str:
    return moment.isoformat()


def meeting(
    client: WarRoomClient,
    inspection: Inspection,
    title: str,
    starts: datetime,
    attendees: list[str],
    kind: str = "kit",
) -> str:
    answer = client.ok(
        "lead",
        f"{inspection.path}/meetings",
        {
            "title": title,
            "kind": kind,
            "starts_at": at(starts),
            "ends_at": at(starts + timedelta(minutes=5)),
            "venue": "Room 1",
            "attendees": attendees,
            "inspectors": [inspection.lead_inspector],
        },
    )
    mid: str = answer["id"]
    return mid


def a_full_day(client: WarRoomClient, inspection: Inspection) -> None:
    """A day with everything in it: the war room's internals and the news
    partners get, and three on the list."""
    for (name, address), audience in (
        (SAM, None),
        (PAT, "partners"),
        (RAE, "partners"),
    ):
        body = {"name": name, "email": address}
        if audience:
            body["audience"] = audience
        client.ok("lead", f"{inspection.path}/distribution", body)
    client.ok(
        "lead",
        f"{inspection.path}/blog",
        {
            "day": day(),
            "title": "Day 2 went well",
            "body": "The inspectors met 40 staff.",
        },
    )
    # Held (ended at 00:10) and still to come (23:50) when sent.
    kit = meeting(client, inspection, "Morning KIT", today() + timedelta(minutes=5), [])
    meeting(
        client,
        inspection,
        "Late focus group",
        today() + timedelta(hours=23, minutes=50),
        ["Sam Staff"],
        kind="focus_group",
    )
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{kit}/notes",
        {"text": KIT_TEXT, "lines_of_enquiry": [LINE], "actions": []},
    )
    walk_request(client, inspection, new_request(client, inspection), "released")
    declined = new_request(client, inspection, title=DECLINED)
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{declined}/decline",
        {"reason": DECLINE_REASON},
    )
    client.ok(
        "lead",
        f"{inspection.path}/playbook/tasks/d1-diary/done",
        {"note": TICK_NOTE},
    )
    # Tomorrow: Pat (a partner) has a meeting; Rae has none.
    tomorrow = today() + timedelta(days=1)
    meeting(
        client,
        inspection,
        "Partners' meeting",
        tomorrow + timedelta(hours=9),
        ["Pat Partner"],
        kind="partner_meeting",
    )
    meeting(
        client,
        inspection,
        "Staff interview",
        tomorrow + timedelta(hours=11),
        ["Sam Staff"],
        kind="staff_interview",
    )


def send(
    client: WarRoomClient, inspection: Inspection, role: str = "lead", **body: Any
) -> Any:
    return client.http.post(
        f"{inspection.path}/blog/{day()}/send",
        json=body,
        headers=client.headers(role),
    )


def received_by(inbox: Inbox, address: str) -> list[EmailMessage]:
    return [m for to, m in inbox.received if to == [address]]


def link_of(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', html)


def test_recipients_carry_their_audience_the_war_rooms_unless_said(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/distribution"
    client.ok("lead", path, {"name": SAM[0], "email": SAM[1]})
    client.ok("lead", path, {"name": PAT[0], "email": PAT[1], "audience": "partners"})
    before = client.stored()

    bad = client.post(
        "lead", path, {"name": RAE[0], "email": RAE[1], "audience": "press"}
    )

    assert bad.status_code == 422, bad.text
    assert client.stored() == before, "a refused recipient stored events"
    listed = client.get("lead", path, min_position=before).json()["recipients"]
    assert [(r["email"], r["audience"]) for r in listed] == [
        (SAM[1], "war_room"),
        (PAT[1], "partners"),
    ]
    added = [
        e for e in logged_events(client, inspection) if e["type"] == "RecipientAdded"
    ]
    assert [e["data"]["audience"] for e in added] == ["war_room", "partners"]


def test_each_audience_gets_its_copy_through_a_real_smtp_server(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    a_full_day(client, inspection)

    answer = send(client, inspection)

    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "sent"
    assert sorted(to[0] for to, _ in inbox.received) == sorted([SAM[1], PAT[1], RAE[1]])
    [ours] = received_by(inbox, SAM[1])
    [pats] = received_by(inbox, PAT[1])
    [raes] = received_by(inbox, RAE[1])
    short = today().strftime("%a ") + str(today().day) + today().strftime(" %b")
    for message in (ours, pats, raes):
        assert message["Subject"] == f"{short}: SIF daily blog"
        assert message.get_content_type() == "multipart/alternative"
        plain, html = parts(message)
        assert "Day 2 went well" in plain and "Day 2 went well" in html
        assert "Morning KIT" in plain  # held: ended before sending
        assert "Late focus group" not in plain.split("Tomorrow\n")[0]  # to come
        assert "Partners&#x27; meeting" in html and "Staff interview" in plain
        assert "its seal (a signed checkpoint of the log) will follow" in plain
        assert f"Open the war room: {PAGE}" in plain
        assert link_of(html) == [PAGE]
        assert "font-size:16px" in html and 'name="viewport"' in html
        assert not re.search(r"font-size:(1[0-5]|[0-9])px", html.split("<pre")[0])
    # The war room's copy tells it all.
    plain, html = parts(ours)
    for told in (REQUEST, DECLINED, DECLINE_REASON, KIT_TEXT, LINE, "diary management"):
        assert told in plain, told
    # The partners' tell none of it: no requests, declines, ticks or notes.
    for message in (pats, raes):
        plain, html = parts(message)
        for internal in (
            REQUEST,
            DECLINED,
            DECLINE_REASON,
            KIT_TEXT,
            LINE,
            "diary management",
            TICK_NOTE,
            "Requests",
            "Declined",
            "Playbook",
            "KIT meetings",
            "position",
            "person by person",
        ):
            assert internal not in plain, internal
            assert internal not in html, internal
    # Pat is on tomorrow's schedule: Pat's own meeting comes first.
    plain, html = parts(pats)
    assert plain.index("Your meetings tomorrow") < plain.index("Day 2 went well")
    own = plain.split("Your meetings tomorrow\n")[1].split("\n\n")[0]
    assert "Partners' meeting" in own and "Staff interview" not in own
    assert html.index("Your meetings tomorrow") < html.index("Day 2 went well")
    assert "Your meetings tomorrow" not in parts(raes)[0]
    # Recorded as events: each recipient's own message and copy.
    delivered = [
        e["data"]
        for e in logged_events(client, inspection)
        if e["type"] == "BlogDelivered"
    ]
    assert sorted(
        (d["email"], d["audience"], d["message_id"]) for d in delivered
    ) == sorted(
        (to[0], aud, m["Message-ID"])
        for to, m in inbox.received
        for aud in ["war_room" if to[0] == SAM[1] else "partners"]
    )


def test_the_preview_is_the_exact_message_of_each_audience_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    a_full_day(client, inspection)
    path = f"{inspection.path}/blog/{day()}/email"
    before = client.stored()

    partners = client.get("rapid_response", path, audience="partners")
    pats = client.get("lead", path, recipient=PAT[1])
    ours = client.get("lead", path, audience="war_room")

    for answer in (partners, pats, ours):
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "message/rfc822"
    read = [
        email.message_from_bytes(a.content, policy=email.policy.default)
        for a in (partners, pats, ours)
    ]
    assert all(isinstance(m, EmailMessage) and not m.defects for m in read)
    partners_plain = parts(read[0])[0]
    pats_plain = parts(read[1])[0]
    ours_plain = parts(read[2])[0]
    assert DECLINE_REASON not in partners_plain and DECLINE_REASON in ours_plain
    assert read[1]["To"] == PAT[1]
    assert "Your meetings tomorrow" in pats_plain
    assert "Your meetings tomorrow" not in partners_plain
    # What the preview shows is what is sent, word for word.
    assert send(client, inspection).status_code == 200
    [sent] = received_by(inbox, PAT[1])
    assert parts(sent)[0] == pats_plain
    # Refusals: who may not, and who is not on the list.
    after_send = client.stored()
    for role in refused_roles(WriteBlogPost):
        assert client.get(role, path, audience="partners").status_code == 403, role
    assert client.get("lead", path, recipient="nobody@example.org").status_code == 404
    assert client.get("lead", path, audience="press").status_code == 422
    wrong = client.get("lead", path, recipient=PAT[1], audience="war_room")
    assert wrong.status_code == 409
    assert client.stored() == after_send
    assert before < after_send  # only the send stored anything


def test_sending_from_the_page_is_refused_with_nothing_stored_unless_it_may_go(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    before = client.stored()
    nobody = send(client, inspection)
    assert nobody.status_code == 409
    assert nobody.json()["rule"] == "no_recipients"
    assert client.stored() == before
    a_full_day(client, inspection)
    before = client.stored()
    for role in refused_roles(WriteBlogPost):
        assert send(client, inspection, role).status_code == 403, role
    assert send(client, inspection, again="yes please").status_code == 422
    assert client.stored() == before
    assert inbox.received == []

    assert allowed_roles(WriteBlogPost) == {"lead", "rapid_response"}
    assert send(client, inspection, "rapid_response").status_code == 200
    sent = client.stored()
    second = send(client, inspection, "lead")

    assert second.status_code == 409
    assert second.json()["rule"] == "blog_sent_once"
    assert client.stored() == sent, "a refused second send stored events"
    assert len(inbox.received) == 3

    again = send(client, inspection, "lead", again=True)
    assert again.status_code == 200, again.text
    assert again.json()["attempt"] == 2
    assert len(inbox.received) == 6


def test_the_seal_follows_at_closing_once_to_those_who_had_the_blog(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    a_full_day(client, inspection)
    assert send(client, inspection).status_code == 200
    assert len(inbox.received) == 3

    client.ok(
        "lead",
        f"{inspection.path}/days/close",
        {"day": day(), "early_reason": "The focus group was moved to tomorrow"},
    )
    seal = client.get("staff", f"{inspection.path}/blog/{day()}").json()["seal"]
    assert seal

    deadline = time.monotonic() + 20
    while len(inbox.received) < 6 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # several rounds of the server's look: still once
    followed = inbox.received[3:]
    assert sorted(to[0] for to, _ in followed) == sorted([SAM[1], PAT[1], RAE[1]])
    for _, message in followed:
        assert str(message["Subject"]).endswith("SIF daily blog, the day's seal")
        plain, html = parts(message)
        assert seal.rstrip("\n") in plain
        assert seal.split("\n")[0] in html
        assert DECLINE_REASON not in plain
    events = [e["type"] for e in logged_events(client, inspection)]
    assert events.count("SealSendClaimed") == 1 and events.count("SealSent") == 1
    read = client.get("staff", f"{inspection.path}/blog/{day()}").json()
    assert read["seal_email"]["status"] == "sent"
    assert sorted(read["seal_email"]["recipients"]) == sorted([SAM[1], PAT[1], RAE[1]])


def test_a_blog_sent_after_closing_carries_the_seal_and_nothing_follows(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    a_full_day(client, inspection)
    client.ok(
        "lead",
        f"{inspection.path}/days/close",
        {"day": day(), "early_reason": "The focus group was moved to tomorrow"},
    )
    seal = client.get("staff", f"{inspection.path}/blog/{day()}").json()["seal"]

    assert send(client, inspection).status_code == 200
    time.sleep(1)  # the server's look for seals owed, several times over

    assert len(inbox.received) == 3
    for _, message in inbox.received:
        plain, _ = parts(message)
        assert seal.rstrip("\n") in plain and "will follow" not in plain
    events = [e["type"] for e in logged_events(client, inspection)]
    assert "SealSendClaimed" not in events


def test_a_day_sent_before_each_recipient_had_their_own_message_gets_no_follow_up(
    client: WarRoomClient, inspection: Inspection, inbox: Inbox
) -> None:
    a_full_day(client, inspection)
    # As the war room sent a blog before issue 24: BlogSent, no BlogDelivered.
    ctx = Context("t", "test", datetime.now(UTC), inspection_id=inspection.id)
    claim = blog_sends.claim(client.app, ctx, inspection.id, day())
    assert claim is not None
    blog_sends.record_sent(
        client.app,
        ctx,
        claim.send,
        message_id="<old@council.example>",
        recipients=claim.recipients,
        via="smtp",
        outbox_file=None,
        tries=1,
    )
    client.ok(
        "lead",
        f"{inspection.path}/days/close",
        {"day": day(), "early_reason": "The focus group was moved to tomorrow"},
    )

    time.sleep(1)  # the server's look for seals owed, several times over

    assert inbox.received == []
    events = [e["type"] for e in logged_events(client, inspection)]
    assert "SealSendClaimed" not in events
