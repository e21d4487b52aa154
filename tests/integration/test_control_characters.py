"""Control characters and line breaks (issue 22, finding 4).

At the edge: every command refuses a control character other than tab and
newline, and a one-line field (a title, a name) a line break, with a 422
naming the field and nothing stored (tests/unit/test_command_text.py walks
every field of every command; here, the HTTP answers).

Behind it: text stored before that rule, which no one can edit, is rendered
(U+FFFD for a control character, a space for a line break in a header), so
the Atom feed, the calendars, the print pages and their PDFs answer 200 and
the day's email is sent. Such text is stored here as it could have been then:
through the command handlers, with the models' checks left out.
"""

from __future__ import annotations

import csv
import email.policy
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

import feedparser
import icalendar
import pytest
import vobject

from commands import models as m
from commands.executor import execute
from commands.run import Actor
from tests.days import date_on, iso_day, short_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_request,
    refused,
    walk_request,
)
from tests.integration.test_blog_email import DAY, parts, send
from tests.integration.test_cli import stored
from tests.servers import warroom
from tests.smtp import Inbox, smtp_server

STAFF = "A staff"
# An inspection title as the API once took it: a header injection attempt.
TITLE = "SIF\r\nBcc: mallory@evil.example\x0b"
CONTROLS = ["\x0b", "\x00", "\x1b", "\x7f"]


def fields_named(answer: dict[str, Any]) -> set[str]:
    return {str(error["loc"][1]) for error in answer["detail"]}


# --- at the edge -------------------------------------------------------------


@pytest.mark.parametrize("control", CONTROLS)
def test_a_request_titled_with_a_control_character_is_refused_naming_the_title(
    client: WarRoomClient, inspection: Inspection, control: str
) -> None:
    body = {
        "title": f"vertical{control}tab",
        "requested_by": inspection.team_inspector,
        "channel": "kit",
    }
    answer = refused(client, 422, "gatekeeper", f"{inspection.path}/requests", body)
    assert fields_named(answer) == {"title"}
    assert "control character" in answer["detail"][0]["msg"]


@pytest.mark.parametrize("title", ["SIF\r\nBcc: mallory@evil.example", "SIF\nx"])
def test_an_inspection_title_with_a_line_break_is_refused(
    client: WarRoomClient, title: str
) -> None:
    body = {"title": title, "framework": "SIF", "starts_on": iso_day(0)}
    answer = refused(client, 422, "lead", "/api/inspections", body)
    assert fields_named(answer) == {"title"}
    assert "one line" in answer["detail"][0]["msg"]


def test_a_detail_may_hold_tabs_and_line_breaks_but_no_other_control_character(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {
        "title": "Annex A",
        "requested_by": inspection.team_inspector,
        "channel": "kit",
        "detail": "first\r\nsecond\tcolumn",
    }
    rid = client.ok("gatekeeper", f"{inspection.path}/requests", body)["id"]
    read = client.get(
        "gatekeeper", f"{inspection.path}/requests", min_position=client.stored()
    )
    [stored] = [r for r in read.json()["requests"] if r["id"] == rid]
    assert stored["detail"] == "first\nsecond\tcolumn"
    body = {**body, "detail": "bell\x07"}
    answer = refused(client, 422, "gatekeeper", f"{inspection.path}/requests", body)
    assert fields_named(answer) == {"detail"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/meetings",
            {
                "title": "KIT",
                "kind": "kit",
                "starts_at": f"{iso_day(1)}T10:00:00Z",
                "ends_at": f"{iso_day(1)}T11:00:00Z",
                "venue": "Room 1",
                "attendees": ["Jo\nSmith"],
            },
            "attendees",
        ),
        ("/inspectors", {"name": "Helen\x00Ward"}, "name"),
        ("/blog", {"day": DAY, "title": "Day 2", "body": "\x1b[31mred"}, "body"),
        ("/distribution", {"name": "Sam\u2028Staff", "email": "s@x.example"}, "name"),
    ],
)
def test_every_command_refuses_such_text_naming_the_field(
    client: WarRoomClient,
    inspection: Inspection,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    answer = refused(client, 422, "lead", inspection.path + path, body)
    assert fields_named(answer) == {field}


def test_a_user_named_with_a_control_character_is_refused(
    client: WarRoomClient,
) -> None:
    body = {"name": "Eve\x0bAdmin", "role": "staff"}
    answer = refused(client, 422, "admin", "/api/users", body)
    assert fields_named(answer) == {"name"}


@pytest.mark.parametrize(
    "args",
    [
        ("user", "add", "--name", "Eve\x0bAdmin", "--role", "admin"),
        ("user", "add", "--name", "Eve\nAdmin", "--role", "admin"),
        ("org", "add", "--name", "Leeds\r\nCouncil"),
    ],
)
def test_the_command_line_refuses_such_a_name_and_stores_nothing(
    database_url: str, args: tuple[str, ...]
) -> None:
    first = warroom(database_url, "user", "add", "--name", "First", "--role", "staff")
    assert first.returncode == 0, first.stderr
    before = stored(database_url)
    done = warroom(database_url, *args)
    assert done.returncode == 2, done.stdout
    assert done.stderr.startswith("warroom: name: "), done.stderr
    assert stored(database_url) == before


def test_an_access_log_row_with_a_control_character_is_refused_naming_its_line(
    client: WarRoomClient, inspection: Inspection
) -> None:
    csv = (
        "user,case_ref,item,accessed_at\r\n"
        f"Helen Ward,CIN-001,Case notes,{iso_day(1)}T10:00:00Z\r\n"
        f'Helen Ward,CIN-001,"Chrono\x0blogy",{iso_day(1)}T10:05:00Z\r\n'
    )
    before = client.stored()
    answer = client.http.post(
        f"{inspection.path}/access-log",
        files={"file": ("access.csv", csv.encode(), "text/csv")},
        headers=client.headers("lead"),
    )
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["loc"] == ["body", "file", 3]
    assert "control character" in problem["msg"]
    assert client.stored() == before


def test_a_document_whose_version_has_a_control_character_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    before = client.stored()
    answer = client.attach(
        "gatekeeper", inspection.id, rid, b"%PDF-1.7 x", version="1\x00"
    )
    assert answer.status_code == 422, answer.text
    assert fields_named(answer.json()) == {"version"}
    assert client.stored() == before


# --- what was stored before --------------------------------------------------


def unchecked(
    client: WarRoomClient,
    role: str,
    command: m.Command,
    inspection_id: str | None = None,
) -> dict[str, Any]:
    """Stores a command as the API once did: the handler runs, the model's
    checks do not (`command` comes from `model_construct`)."""
    actor = Actor(id=client.user_ids[role], name=f"A {role}", role=role)
    body: dict[str, Any] = execute(
        client.app, actor, command, inspection_id=inspection_id
    ).body
    return body


def at(hhmm: str, day: str = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00+00:00")


@pytest.fixture
def poisoned(client: WarRoomClient) -> Iterator[Inspection]:
    """An inspection whose title, a request, a blog post and a meeting hold
    control characters and line breaks."""
    opened = m.OpenInspection.model_construct(
        title=TITLE, framework="SIF", starts_on=date_on(0)
    )
    iid = unchecked(client, "lead", opened)["id"]
    lead = client.ok(
        "lead", f"/api/inspections/{iid}/inspectors", {"name": "Helen Ward"}
    )["id"]
    inspection = Inspection(id=iid, lead_inspector=lead, team_inspector=lead)
    request = m.RecordRequest.model_construct(
        title="vertical\x0btab",
        requested_by=lead,
        channel="kit",
        detail="nul\x00 and escape\x1b[31m",
        occurred_at=at("09:00"),
    )
    unchecked(client, "gatekeeper", request, iid)
    post = m.WriteBlogPost.model_construct(
        day=date.fromisoformat(DAY), title="Day 2\x07", body="bell\x07\r\nover"
    )
    unchecked(client, "lead", post, iid)
    meeting = m.ScheduleMeeting.model_construct(
        title="KIT\x0bone",
        kind="kit",
        starts_at=at("10:00"),
        ends_at=at("11:00"),
        venue="Room\x001\r\nBcc: x",
        attendees=[STAFF],
        inspectors=[lead],
        topics=["gaps\x1b"],
    )
    unchecked(client, "rapid_response", meeting, iid)
    client.ok(
        "lead",
        f"/api/inspections/{iid}/distribution",
        {"name": "Sam Staff", "email": "sam@council.example"},
    )
    yield inspection


RAW = [b"\x00", b"\x07", b"\x0b", b"\x0c", b"\x1b"]


def no_raw_controls(content: bytes) -> None:
    assert not [c for c in RAW if c in content], content[:400]


def test_a_blog_feed_over_text_stored_with_control_characters_answers_200(
    client: WarRoomClient, poisoned: Inspection
) -> None:
    feed = client.get(
        "staff", f"{poisoned.path}/blog.atom", min_position=client.stored()
    )
    assert feed.status_code == 200, feed.text
    no_raw_controls(feed.content)
    read = feedparser.parse(feed.content)
    assert not read.bozo, read.bozo_exception
    assert read.feed.title == "SIF Bcc: mallory@evil.example : the daily blog"
    [entry] = read.entries
    assert entry.summary == "Day 2\ufffd"
    assert "vertical\ufffdtab" in entry.content[0].value


def test_calendars_over_text_stored_with_control_characters_answer_200(
    client: WarRoomClient, poisoned: Inspection
) -> None:
    for path in (f"agenda/{quote(STAFF)}.ics", "schedule.ics"):
        answer = client.get(
            "staff", f"{poisoned.path}/{path}", min_position=client.stored()
        )
        assert answer.status_code == 200, answer.text
        no_raw_controls(answer.content)
        vobject.readOne(answer.content.decode())
        [event] = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
        assert event["SUMMARY"] == "KIT one"  # a vertical tab breaks a line
        assert event["LOCATION"] == "Room\ufffd1 Bcc: x"
        assert "- gaps\ufffd" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("page", [f"blog/{DAY}", f"schedule/{DAY}"])
def test_print_pages_and_their_pdfs_over_such_text_answer_200(
    client: WarRoomClient, poisoned: Inspection, page: str
) -> None:
    path = f"/print/inspections/{poisoned.id}/{page}"
    client.get("staff", f"{poisoned.path}/blog/{DAY}", min_position=client.stored())
    html = client.get("staff", path)
    assert html.status_code == 200, html.text
    no_raw_controls(html.content)
    assert "\ufffd" in html.text
    pdf = client.get("staff", path, format="pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def test_the_days_email_goes_out_though_the_title_holds_a_line_break(
    client: WarRoomClient, poisoned: Inspection, database_url: str, inbox: Inbox
) -> None:
    done = send(database_url, poisoned, **inbox.env())

    assert done.returncode == 0, done.stderr
    [(recipients, message)] = inbox.received
    assert recipients == ["sam@council.example"]
    # One Subject, one line; no header came out of the title.
    assert message["Subject"] == (
        f"{short_day(1)}: SIF Bcc: mallory@evil.example  daily blog"
    )
    assert message["Bcc"] is None
    assert message.get_all("Subject") == [message["Subject"]]
    plain, html = parts(message)
    assert "bell\ufffd\nover" in plain
    assert "vertical\ufffdtab" in plain
    no_raw_controls(message.as_bytes(policy=email.policy.SMTP))
    assert "Day 2\ufffd" in html
    answer = client.get(
        "staff", f"{poisoned.path}/blog/{DAY}", min_position=client.stored()
    )
    assert answer.json()["email"]["status"] == "sent"
    assert str(datetime.now(UTC).year) in message["Date"]


def test_the_ledgers_csv_over_a_title_stored_with_a_nul_reads_as_csv(
    client: WarRoomClient, inspection: Inspection
) -> None:
    request = m.RecordRequest.model_construct(
        title="Annex\x00A\x0b", requested_by=inspection.team_inspector, channel="kit"
    )
    rid = unchecked(client, "gatekeeper", request, inspection.id)["id"]
    walk_request(client, inspection, rid, "released")
    answer = client.get(
        "auditor",
        f"{inspection.path}/ledger",
        format="csv",
        min_position=client.stored(),
    )
    assert answer.status_code == 200, answer.text
    no_raw_controls(answer.content)
    [line] = list(csv.DictReader(io.StringIO(answer.text)))
    assert line["request"] == "Annex\ufffdA\ufffd"
