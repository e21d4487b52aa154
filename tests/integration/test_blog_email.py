"""The daily blog by email, through a real SMTP server (aiosmtpd) or into the
outbox folder, sent by the real `warroom blog send`."""

from __future__ import annotations

import email
import email.policy
import logging
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from commands import blog_sends
from mail.blog_sender import Mailer
from tests.days import iso_day, short_day
from tests.helpers import Inspection, WarRoomClient, logged_events
from tests.integration.test_blog_case_copies import a_day_of_hand_overs
from tests.servers import VENV_BIN
from tests.smtp import Inbox, self_signed_certificate, server_context, smtp_server
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.base import Context, RuleBroken
from warroom.mail import transport
from web.app import create_app

DAY = iso_day(1)
TOMORROW = iso_day(2)
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[WarRoomClient]:
    # The server's own send is off: these tests send with the command line.
    settings = Settings(
        database_url=database_url,
        blog_send_at="off",
        mail_dir=str(tmp_path / "outbox"),
    )
    with TestClient(create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


def send(
    database_url: str, inspection: Inspection, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(VENV_BIN / "warroom"),
            *("blog", "send", "--inspection", inspection.id, "--day", DAY),
            *args,
        ],
        env={**os.environ, "WARROOM_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def a_day_to_tell(client: WarRoomClient, inspection: Inspection) -> None:
    """Two on the list, a post with markup in it, and meetings tomorrow."""
    for name, address in (
        ("Sam Staff", "sam@council.example"),
        ("Pat", "pat@nhs.example"),
    ):
        client.ok(
            "lead",
            f"{inspection.path}/distribution",
            {"name": name, "email": address},
        )
    client.ok(
        "lead",
        f"{inspection.path}/blog",
        {
            "day": DAY,
            "title": "Day 2 <done>",
            "body": "Inspectors liked the <script>alert(1)</script> & the tea.",
        },
    )
    for title, start, people in (
        ("KIT with the lead inspector", "09:00", ["Sam Staff", "Alex Lead"]),
        ("Focus group", "11:00", ["Sam Staff"]),
    ):
        client.ok(
            "lead",
            f"{inspection.path}/meetings",
            {
                "title": title,
                "kind": "kit",
                "starts_at": f"{TOMORROW}T{start}:00+00:00",
                "ends_at": f"{TOMORROW}T{start[:2]}:45:00+00:00",
                "venue": "Room 1",
                "attendees": people,
                "inspectors": [inspection.lead_inspector],
            },
        )


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    # Line ends as sent (CRLF on the wire) or as written (the outbox).
    return (
        str(plain.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def received_by(inbox: Inbox, address: str) -> EmailMessage:
    """The one message `address` was sent (each recipient gets their own)."""
    [message] = [m for to, m in inbox.received if to == [address]]
    return message


def unstyled(html: str) -> str:
    """The HTML part without its inline styles, to read its structure."""
    return re.sub(r' style="[^"]*"', "", html)


def blog(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    # Sends are stored by another process: the read waits for the log's head.
    answer = client.get(
        "staff", f"{inspection.path}/blog/{DAY}", min_position=client.stored()
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_the_blog_goes_to_everyone_on_the_list_as_text_and_html_with_its_headers(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    a_day_to_tell(client, inspection)

    done = send(database_url, inspection, **inbox.env())

    assert done.returncode == 0, done.stderr
    # Each recipient gets a message of their own: no one sees the others.
    recipients = [to for to, _ in inbox.received]
    assert recipients == [["sam@council.example"], ["pat@nhs.example"]]
    message = received_by(inbox, "pat@nhs.example")
    assert message["From"] == "War room <warroom@council.example>"
    assert message["To"] == "pat@nhs.example"
    assert "sam@council.example" not in message.as_string()
    assert message["Subject"] == f"{short_day(1)}: SIF daily blog"
    list_id = f"SIF daily blog <blog.{inspection.id}.council.example>"
    assert message["List-Id"] == list_id
    assert email.utils.parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Message-ID"].endswith("@council.example>")
    assert message.get_content_type() == "multipart/alternative"
    plain, html = parts(message)
    assert "Inspectors liked the <script>alert(1)</script> & the tea." in plain
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; the tea." in html
    assert "<script>" not in html
    assert "Day 2 &lt;done&gt;" in html
    # Tomorrow's meetings, person by person (inspectors by name).
    people = plain.split("Tomorrow, person by person")[1]
    assert people.index("Alex Lead:") < people.index("Helen Ward:")
    assert people.index("Helen Ward:") < people.index("Sam Staff:")
    assert people.split("Sam Staff:")[1].count("Room 1") == 2
    assert "<strong>Sam Staff</strong>" in html
    # Sam is on tomorrow's schedule: Sam's own meetings come first.
    sams_plain, sams_html = parts(received_by(inbox, "sam@council.example"))
    own = sams_plain.split("Your meetings tomorrow\n")[1].split("\n\n")[0]
    assert own.count("Room 1") == 2
    assert sams_plain.index("Your meetings tomorrow") < sams_plain.index("Day 2")
    assert "Sam Staff:" not in sams_plain.split("Tomorrow, person by person")[1]
    assert sams_html.index("Your meetings tomorrow") < sams_html.index("Day 2")
    # Recorded as events: who was sent what, under which Message-ID.
    told = blog(client, inspection)["email"]
    assert told["status"] == "sent"
    [attempt] = told["attempts"]
    # The attempt names the last message; each one is an event of its own.
    assert attempt["message_id"] == message["Message-ID"]
    assert attempt["recipients"] == ["sam@council.example", "pat@nhs.example"]
    delivered = [
        e["data"]
        for e in logged_events(client, inspection)
        if e["type"] == "BlogDelivered"
    ]
    assert [(d["email"], d["audience"], d["message_id"]) for d in delivered] == [
        (to[0], "war_room", m["Message-ID"]) for to, m in inbox.received
    ]
    assert (attempt["via"], attempt["trigger"], attempt["tries"]) == (
        "smtp",
        "command",
        1,
    )
    assert message["Message-ID"] in done.stdout
    # The blog read says the same of tomorrow, person by person.
    by_person = blog(client, inspection)["tomorrow_by_person"]
    assert [(p["person"], len(p["meetings"])) for p in by_person] == [
        ("Alex Lead", 1),
        ("Helen Ward", 2),
        ("Sam Staff", 2),
    ]


def test_the_email_tells_the_case_copies_released_just_after_the_documents(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    a_day_to_tell(client, inspection)
    a_day_of_hand_overs(client, inspection)

    done = send(database_url, inspection, **inbox.env())

    assert done.returncode == 0, done.stderr
    plain, html = parts(received_by(inbox, "pat@nhs.example"))
    # Told at 14:00, when it happened; written down later, and it says so.
    line = "14:00 LAC-7: to Tom Bright, hard copy (A gatekeeper, written down "
    line += written_down_at(client, inspection, "LAC-7") + ")"
    heading = "Case copies released to the inspectors"
    section = plain.split(f"{heading}\n{'-' * len(heading)}\n")[1].split("\n\n")[0]
    assert section == f"  * {line}"  # ours and the social worker's stay here
    assert plain.index("Released to the inspectors") < plain.index(heading)
    # Empty sections are left out (a phone screen is short); the next told:
    assert plain.index(heading) < plain.index("Tomorrow\n")
    assert f"<h2>{heading}</h2><ul><li>{line}</li></ul>" in unstyled(html)


def test_a_second_send_of_the_day_does_not_go_out_and_again_does(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    a_day_to_tell(client, inspection)
    assert send(database_url, inspection, **inbox.env()).returncode == 0
    stored = client.stored()

    second = send(database_url, inspection, **inbox.env())

    assert second.returncode == 1
    assert "blog_sent_once" in second.stderr
    assert len(inbox.received) == 2
    assert client.stored() == stored, "a refused send stored events"

    again = send(database_url, inspection, "--again", **inbox.env())

    assert again.returncode == 0, again.stderr
    assert len(inbox.received) == 4
    ids = [m["Message-ID"] for _, m in inbox.received]
    assert len(set(ids)) == 4
    attempts = blog(client, inspection)["email"]["attempts"]
    assert [(a["attempt"], a["status"]) for a in attempts] == [(1, "sent"), (2, "sent")]


def test_a_refusing_server_is_retried_then_the_failure_shows_with_its_reason(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    a_day_to_tell(client, inspection)
    with smtp_server(Inbox(answer="451 4.3.0 mailbox busy, try later")) as inbox:
        done = send(database_url, inspection, WARROOM_MAIL_RETRIES="2", **inbox.env())

    assert done.returncode == 1
    assert inbox.tries == 3  # the first try and two retries
    assert inbox.received == []
    told = blog(client, inspection)["email"]
    assert told["status"] == "failed"
    [attempt] = told["attempts"]
    assert attempt["tries"] == 3
    assert "451" in attempt["reason"] and "mailbox busy" in attempt["reason"]
    # On the stream (and so the war-room screen): an event of its own.
    failed = [
        e for e in logged_events(client, inspection) if e["type"] == "BlogSendFailed"
    ]
    assert [e["data"]["reason"] for e in failed] == [attempt["reason"]]

    # A day that failed may be sent again, without --again.
    with smtp_server() as inbox:
        retried = send(database_url, inspection, **inbox.env())
    assert retried.returncode == 0, retried.stderr
    assert len(inbox.received) == 2
    attempts = blog(client, inspection)["email"]["attempts"]
    assert [a["status"] for a in attempts] == ["failed", "sent"]


def test_a_server_that_refuses_every_recipient_fails_the_send(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    a_day_to_tell(client, inspection)

    class Refusing(Inbox):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "554 5.7.1 relay denied"

    with smtp_server(Refusing()) as inbox:
        done = send(database_url, inspection, WARROOM_MAIL_RETRIES="0", **inbox.env())

    assert done.returncode == 1
    [attempt] = blog(client, inspection)["email"]["attempts"]
    assert attempt["status"] == "failed"
    assert "554" in attempt["reason"]


def test_a_down_server_fails_the_send_after_its_retries(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    a_day_to_tell(client, inspection)
    with smtp_server() as inbox:
        env = inbox.env()  # its port, then nothing listens there

    done = send(database_url, inspection, WARROOM_MAIL_RETRIES="1", **env)

    assert done.returncode == 1
    [attempt] = blog(client, inspection)["email"]["attempts"]
    assert (attempt["status"], attempt["tries"]) == ("failed", 2)
    assert "refused the connection" in attempt["reason"]


def test_the_password_is_in_no_error_and_no_log(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    a_day_to_tell(client, inspection)
    with smtp_server(Inbox(password="something-else")) as inbox:
        env = {
            **inbox.env(),
            "WARROOM_SMTP_USER": "warroom",
            "WARROOM_SMTP_PASSWORD": PASSWORD,
            "WARROOM_MAIL_RETRIES": "1",
        }
        done = send(database_url, inspection, **env)
        # The same in this process, its logs captured.
        settings = Settings(
            database_url=database_url,
            smtp_host="127.0.0.1",
            smtp_port=inbox.port,
            smtp_tls="none",
            smtp_user="warroom",
            smtp_password=PASSWORD,  # type: ignore[arg-type]
            mail_retry_seconds=0.01,
            mail_retries=1,
        )
        mailer = Mailer(client.app, settings, transport(settings))
        ctx = Context("t", "test", datetime.now(UTC), inspection_id=inspection.id)
        with caplog.at_level(logging.DEBUG):
            outcome = mailer.send(
                ctx, date.fromisoformat(DAY), lambda: ({"day": DAY}, "SIF"), again=True
            )

    assert done.returncode == 1
    assert inbox.tries == 0  # refused at login, before any message
    assert outcome.status == "failed" and outcome.reason
    assert "535" in outcome.reason
    told = blog(client, inspection)["email"]["attempts"]
    everything = done.stdout + done.stderr + caplog.text + repr(told) + repr(settings)
    assert PASSWORD not in everything
    assert "Y29ycmVjdC1ob3Jz" not in everything  # nor in base64
    assert caplog.text  # the failures were logged, without it


def test_the_days_seal_is_printed_in_the_footer_when_the_blog_has_one(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    a_day_to_tell(client, inspection)
    seal = (
        "warroom.council.example/log\n42\nqwertyuiopasdfghjkl0123456789ABCDEFGHIJKLM=\n"
        "\n— warroom.council.example/log Az3gRz8wnhK9tz7o\n"
    )
    settings = Settings(
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_tls="none",
        mail_from="War room <warroom@council.example>",
    )
    read = client.get("staff", f"{inspection.path}/blog/{DAY}").json()
    ctx = Context("t", "test", datetime.now(UTC), inspection_id=inspection.id)

    outcome = Mailer(client.app, settings, transport(settings)).send(
        ctx, date.fromisoformat(DAY), lambda: ({**read, "seal": seal}, "SIF")
    )

    assert outcome.status == "sent"
    plain, html = parts(received_by(inbox, "pat@nhs.example"))
    footer = plain.split("The day's seal")[1]
    assert "warroom.council.example/log\n42\n" in footer
    assert "— warroom.council.example/log Az3gRz8wnhK9tz7o" in footer
    assert "— warroom.council.example/log Az3gRz8wnhK9tz7o" in html
    assert "will follow" not in plain
    # Without a seal, none is printed, and it says one will follow.
    unsealed = parts(compose_without_seal(read))[0]
    assert "The day's seal (" not in unsealed
    assert "its seal (a signed checkpoint of the log) will follow" in unsealed


def compose_without_seal(read: dict[str, Any]) -> EmailMessage:
    from mail.blog_email import Envelope, compose

    return compose(
        read,
        Envelope("a@b.example", ["c@d.example"], True, "iid", "SIF", 1),
    )


def test_with_no_smtp_server_the_email_lands_in_the_outbox_as_an_eml_file(
    client: WarRoomClient, inspection: Inspection, database_url: str, tmp_path: Path
) -> None:
    a_day_to_tell(client, inspection)

    done = send(database_url, inspection, WARROOM_MAIL_DIR=str(tmp_path / "outbox"))

    assert done.returncode == 0, done.stderr
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2  # one each
    read = {}
    for eml in files:
        message = email.message_from_bytes(
            eml.read_bytes(), policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        assert message.defects == []
        read[str(message["To"])] = (eml, message)
    file, message = read["pat@nhs.example"]
    plain, html = parts(message)
    assert "Inspectors liked the" in plain and "Sam Staff" in html
    [attempt] = blog(client, inspection)["email"]["attempts"]
    assert (attempt["via"], attempt["outbox_file"]) == ("outbox", file.name)
    assert attempt["message_id"] == message["Message-ID"]
    # The page links to it: the latest email of the day, as the outbox holds it.
    latest = client.http.get(
        f"{inspection.path}/blog/{DAY}/email", headers=client.headers("staff")
    )
    assert latest.status_code == 200
    assert latest.headers["content-type"] == "message/rfc822"
    assert latest.content == file.read_bytes()


def test_on_sqlite_the_outbox_is_beside_the_database_by_default(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'db' / 'warroom.db'}"
    settings = Settings(database_url=url)
    assert transport(settings).folder == tmp_path / "db" / "outbox"  # type: ignore[attr-defined]


def test_a_day_with_no_one_on_the_list_is_refused_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    before = client.stored()

    done = send(database_url, inspection, **inbox.env())

    assert done.returncode == 1
    assert "no_recipients" in done.stderr
    assert client.stored() == before
    assert inbox.received == []


def test_a_process_that_claims_a_send_another_just_claimed_sends_nothing(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_day_to_tell(client, inspection)
    ctx = Context("t", "test", datetime.now(UTC), inspection_id=inspection.id)
    first = blog_sends.claim(client.app, ctx, inspection.id, DAY, scheduled=True)
    assert first is not None
    stored = client.stored()
    # A second process, which looked before the first one's claim was saved.
    other = WarRoom(Database.from_url(database_url))
    monkeypatch.setattr(blog_sends, "attempts", lambda *_: [])
    try:
        second = blog_sends.claim(other, ctx, inspection.id, DAY, scheduled=True)
        with pytest.raises(RuleBroken) as by_hand:
            blog_sends.claim(other, ctx, inspection.id, DAY)
    finally:
        other.close()

    assert second is None
    assert by_hand.value.rule == "blog_being_sent"
    assert client.stored() == stored


@pytest.mark.parametrize("bcc", ["true", "false"])
def test_each_recipient_is_named_alone_in_the_to_of_their_own_message(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    inbox: Inbox,
    bcc: str,
) -> None:
    a_day_to_tell(client, inspection)

    done = send(database_url, inspection, WARROOM_MAIL_BCC=bcc, **inbox.env())

    assert done.returncode == 0, done.stderr
    assert [(to, str(m["To"])) for to, m in inbox.received] == [
        (["sam@council.example"], "sam@council.example"),
        (["pat@nhs.example"], "pat@nhs.example"),
    ]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_over_tls_with_a_login_the_blog_goes_to_a_server_whose_ca_is_trusted(
    client: WarRoomClient,
    inspection: Inspection,
    database_url: str,
    certificate: tuple[Path, Path],
    mode: str,
) -> None:
    a_day_to_tell(client, inspection)
    cert, key = certificate
    context = server_context(cert, key)
    tls = {"starttls": context} if mode == "starttls" else {"implicit_tls": context}
    with smtp_server(Inbox(password=PASSWORD), **tls) as inbox:
        env = {
            **inbox.env(),
            "WARROOM_SMTP_TLS": mode,
            "WARROOM_SMTP_USER": "warroom",
            "WARROOM_SMTP_PASSWORD": PASSWORD,
            "WARROOM_MAIL_RETRIES": "0",
        }
        untrusted = send(database_url, inspection, **env)
        trusted = send(database_url, inspection, WARROOM_SMTP_CA_FILE=str(cert), **env)

    # Not trusted: the certificate is refused before the password is sent.
    assert untrusted.returncode == 1
    failed, sent = blog(client, inspection)["email"]["attempts"]
    assert failed["status"] == "failed"
    assert "certificate is not trusted" in failed["reason"]
    assert "WARROOM_SMTP_CA_FILE" in failed["reason"]
    assert trusted.returncode == 0, trusted.stderr + trusted.stdout
    assert sent["status"] == "sent"
    assert len(inbox.received) == 2
    assert PASSWORD not in untrusted.stdout + untrusted.stderr + repr(failed)


def test_a_closed_days_email_prints_its_seal_as_the_blog_read_gives_it(
    client: WarRoomClient, inspection: Inspection, database_url: str, inbox: Inbox
) -> None:
    a_day_to_tell(client, inspection)
    client.ok("lead", f"{inspection.path}/days/close", {"day": DAY})
    seal = blog(client, inspection)["seal"]
    assert seal

    done = send(database_url, inspection, **inbox.env())

    assert done.returncode == 0, done.stderr
    plain, html = parts(received_by(inbox, "pat@nhs.example"))
    footer = plain.split("The day's seal")[1]
    assert seal.rstrip("\n") in footer
    assert seal.split("\n")[0] in html


def written_down_at(client: WarRoomClient, inspection: Inspection, ref: str) -> str:
    """When the ledger line of a case's copy was written down, as the email
    tells it (the day too, as that was another day)."""
    lines = client.get("auditor", f"{inspection.path}/ledger").json()["lines"]
    [line] = [x for x in lines if (x["case_ref"], x["copy_for"]) == (ref, "inspector")]
    written = datetime.fromisoformat(line["recorded_at"]).astimezone(
        ZoneInfo("Europe/London")
    )
    return written.strftime("%d %b %H:%M")
