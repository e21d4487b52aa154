"""Whatever text the log holds, the Atom feed, the calendars and the blog
email are made (issue 22, finding 4): events stored before the edge refused
control characters can never be edited, so each output renders any string.
"""

from __future__ import annotations

import email
import email.policy
import re
import uuid
from datetime import UTC, datetime
from typing import Any, cast
from xml.etree import ElementTree

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from mail.blog_email import Envelope, compose
from projections.blog import BlogAnswer
from projections.schedule import MeetingRecord
from rendering import atom, calendar
from tests.days import iso_day, short_day
from warroom.text import REPLACEMENT, one_line, printable

# Any text at all, surrogates aside (no store can hold them: the edge refuses).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
DAY = iso_day(1)


@given(ANY_TEXT)
def test_printable_text_holds_no_control_and_one_line_no_line_break(
    text: str,
) -> None:
    shown = printable(text)
    assert not CONTROL.search(shown)
    assert printable(shown) == shown
    line = one_line(text)
    assert not CONTROL.search(line) and not LINE_BREAK.search(line)
    assert len(line) <= len(text)


def test_clean_text_is_shown_as_it_is_and_a_control_as_the_replacement() -> None:
    assert printable("Annex A\tgaps\nline two ☕") == "Annex A\tgaps\nline two ☕"
    assert printable("a\r\nb\rc") == "a\nb\nc"
    assert printable("nul\x00") == "nul" + REPLACEMENT
    assert one_line("SIF\r\nBcc: x") == "SIF Bcc: x"


def _blog(text: str) -> BlogAnswer:
    post = {"title": text, "body": text, "by": text}
    return cast(BlogAnswer, {"day": DAY, "timezone": "Europe/London", "posts": [post]})


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_the_blog_email_is_composed_whatever_the_title(title: str) -> None:
    envelope = Envelope(
        mail_from="War room <warroom@council.example>",
        recipients=["sam@council.example"],
        bcc=True,
        inspection_id=str(uuid.uuid4()),
        inspection_title=title,
        attempt=1,
    )
    message = compose(_blog(title), envelope)
    sent = message.as_bytes(policy=email.policy.SMTP)
    read = email.message_from_bytes(sent, policy=email.policy.default)
    subject = str(read["Subject"])
    assert subject.startswith(f"{short_day(1)}: ") and subject.endswith("daily blog")
    assert not LINE_BREAK.search(subject)
    assert sorted(read.keys()) == sorted(message.keys())


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_the_atom_feed_is_well_formed_xml_whatever_the_text(text: str) -> None:
    day = atom.Day(_blog(text), f"<p>{text}</p>", datetime.now(UTC), "http://x/")
    xml = atom.atom(
        feed_id=str(uuid.uuid4()),
        title=f"{text}: the daily blog",  # as web/routes/feeds.py names it
        self_url="http://x/blog.atom",
        updated=datetime.now(UTC),
        days=[day],
    )
    ElementTree.fromstring(xml)


def _meeting(text: str) -> MeetingRecord:
    meeting: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "title": text,
        "kind": "kit",
        "starts_at": f"{DAY}T10:00:00+00:00",
        "ends_at": f"{DAY}T11:00:00+00:00",
        "venue": text,
        "attendees": [text],
        "inspectors": [],
        "topics": [text],
        "cancelled": False,
        "scheduled_at": f"{DAY}T09:00:00+00:00",
        "history": [],
        "notes": [],
    }
    return cast(MeetingRecord, meeting)


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_a_calendar_holds_no_control_character_whatever_the_text(
    text: str,
) -> None:
    feed = calendar.Feed(text, "Europe/London", {})
    ics = calendar.calendar(feed, [_meeting(text)])
    assert not CONTROL.search(ics.decode().replace("\r\n", "\n"))
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["SUMMARY"]) == one_line(text)
