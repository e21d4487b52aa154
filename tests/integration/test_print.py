"""Print pages and their PDFs: what the page holds, the PDF holds (read back
with pdftotext, from Debian's poppler-utils), on every page the inspection,
the moment printed and the page number, and never a control."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from tests.days import date_on, iso_day, long_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_meeting,
    new_request,
    walk_request,
)

DAY = iso_day(1)
STAFF = "A staff"
CONTROLS = re.compile(r"<\s*(button|form|input|select|textarea|script)\b", re.I)


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+00:00"


@dataclass
class Story:
    inspection: Inspection
    kit: str
    cancelled: str
    digest: str

    @property
    def base(self) -> str:
        return f"/print/inspections/{self.inspection.id}"


@pytest.fixture
def story(client: WarRoomClient, inspection: Inspection) -> Story:
    kit = new_meeting(client, inspection)["id"]
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{kit}/reschedule",
        {"starts_at": at("12:00"), "ends_at": at("13:00"), "reason": "train late"},
    )
    cancelled = new_meeting(
        client,
        inspection,
        title="Focus group <front door>",
        kind="focus_group",
        starts_at=at("15:00"),
        ends_at=at("16:00"),
        topics=["Thresholds"],
    )["id"]
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{cancelled}/cancel",
        {"reason": "room flooded"},
    )
    rid = new_request(client, inspection, title="Annex A: children in need")
    digest = walk_request(client, inspection, rid, "released")
    client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": "CP-0042", "selection": "audited", "plan": "CP", "iro": "I. Chair"},
    )
    client.ok(
        "lead",
        f"{inspection.path}/blog",
        {"day": DAY, "title": "Day two: a good start", "body": "Inspectors met us."},
    )
    return Story(inspection, kit, cancelled, digest)


def pages(story: Story) -> dict[str, tuple[str, list[str]]]:
    """Each print page: its path, and what it must hold."""
    meetings = ["KIT with the lead inspector", "12:00", "Annex A gaps", "Helen Ward"]
    return {
        "schedule": (
            f"/schedule/{DAY}",
            [
                f"Schedule for {long_day(1)} {date_on(1).year}",
                *meetings,
                "Focus group <front door> (CANCELLED)",
                "train late",
                "room flooded",
            ],
        ),
        "agenda": (f"/agenda/{quote(STAFF)}", ["Agenda of A staff", *meetings]),
        "ledger": (
            "/ledger",
            [
                "Hand-over ledger",
                "Annex A: children in need",
                "Tom Bright",
                story.digest,
            ],
        ),
        "cases": ("/cases", ["Case board", "CP-0042", "I. Chair"]),
        "blog": (
            f"/blog/{DAY}",
            ["Day two: a good start", "Inspectors met us.", "Meetings held", "12:00"],
        ),
        "person pack": (
            f"/packs/{DAY}/{quote(STAFF)}",
            ["Meeting pack: A staff", *meetings, "New to A staff since last told"],
        ),
        "meeting pack": (
            f"/meetings/{story.kit}/pack",
            [
                "Meeting pack: KIT with the lead inspector",
                f"A staff, {long_day(1)} {date_on(1).year}",
                f"Helen Ward, {long_day(1)} {date_on(1).year}",
                *meetings,
            ],
        ),
    }


def words(text: str) -> str:
    return " ".join(text.split())


def page_text(markup: str) -> str:
    return words(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def pdf_pages(pdf: bytes) -> list[str]:
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return [words(page) for page in done.stdout.decode().split("\f") if page.strip()]


@pytest.mark.parametrize(
    "name",
    ["schedule", "agenda", "ledger", "cases", "blog", "person pack", "meeting pack"],
)
def test_each_print_page_and_its_pdf_hold_the_same_and_no_controls(
    client: WarRoomClient, story: Story, name: str
) -> None:
    path, expected = pages(story)[name]
    page = client.get("staff", story.base + path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert not CONTROLS.search(page.text), CONTROLS.search(page.text)
    assert '<link rel="stylesheet" href="/print.css">' in page.text
    shown = page_text(page.text)
    pdf = client.get("staff", story.base + path, format="pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    printed = pdf_pages(pdf.content)
    for text in expected:
        assert text in shown, (name, text)
        assert text in " ".join(printed), (name, text)
    # And every word of the page, but the minute printed (the two were asked
    # for one after the other) and the page's <title>.
    body = shown.split(" Printed at ", 1)[1]
    missing = set(body.split()) - set(" ".join(printed).split())
    assert not {w for w in missing if not re.fullmatch(r"\d\d:\d\d", w)}, missing
    for number, text in enumerate(printed, 1):
        assert text.startswith("SIF (SIF) Printed at "), text[:80]
        assert f"Page {number} of {len(printed)}" in text


def test_every_page_of_a_long_print_carries_the_inspection_and_its_number(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for hour in range(8, 20):
        times = {"starts_at": at(f"{hour:02}:00"), "ends_at": at(f"{hour:02}:30")}
        new_meeting(client, inspection, **times)
        new_meeting(client, inspection, **times, venue="Room 9")
    pdf = client.get(
        "staff", f"/print/inspections/{inspection.id}/schedule/{DAY}", format="pdf"
    )
    printed = pdf_pages(pdf.content)
    assert len(printed) > 2
    for number, text in enumerate(printed, 1):
        assert text.startswith("SIF (SIF) Printed at "), text[:80]
        assert f"Page {number} of {len(printed)}" in text


def test_print_pages_take_the_token_in_the_query_and_refuse_none(
    client: WarRoomClient, story: Story
) -> None:
    path = story.base + "/ledger"
    assert client.http.get(path).status_code == 401
    answer = client.http.get(path, params={"token": client.tokens["auditor"]})
    assert answer.status_code == 200
    assert story.digest in answer.text


@pytest.mark.parametrize(
    "path",
    [
        f"/agenda/{quote('Nobody Here')}",
        f"/packs/{DAY}/{quote('Nobody Here')}",
        "/meetings/not-a-meeting/pack",
    ],
)
def test_print_pages_of_someone_or_something_unknown_are_not_found(
    client: WarRoomClient, story: Story, path: str
) -> None:
    before = client.stored()
    assert client.get("staff", story.base + path).status_code == 404
    assert client.get("staff", story.base + path, format="pdf").status_code == 404
    assert client.stored() == before


def test_a_print_page_of_another_inspection_or_a_bad_day_is_refused(
    client: WarRoomClient, story: Story
) -> None:
    assert client.get("staff", "/print/inspections/nope/ledger").status_code == 404
    bad_day = client.get("staff", story.base + "/schedule/2026-13-01")
    assert bad_day.status_code == 422
    bad_format = client.get("staff", story.base + "/ledger", format="docx")
    assert bad_format.status_code == 422
