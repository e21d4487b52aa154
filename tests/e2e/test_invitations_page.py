"""The page shows what issue 24 added, in a real browser against a real
`warroom serve`: the admin sees and changes a user's email address, and a
meeting's details say who was emailed which calendar invitation, and when.
Screenshots at three sizes land in $WARROOM_SHOTS (default: the temp folder).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import time as time_of_day
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import CHROMIUM, WAIT_MS, Api, add_user, new_page, run_warroom
from tests.servers import running_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")
SIZES = {"wide": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
SHOTS = Path(os.environ.get("WARROOM_SHOTS", tempfile.gettempdir())) / "invitations"


@dataclass
class World:
    base: str
    tokens: dict[str, str]
    inspection: str
    meeting: str
    outbox: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("invitations-page")
    url = f"sqlite:///{folder / 'warroom.db'}"
    outbox = folder / "outbox"
    tokens = {
        "admin": add_user(url, "Ada Admin", "admin"),
        "lead": add_user(url, "Lena Lead", "lead"),
        "rapid_response": add_user(url, "Rory Rapid", "rapid_response"),
    }
    printed = run_warroom(
        url,
        *("user", "add", "--name", "Sam Staff", "--role", "staff"),
        *("--email", "sam@council.example"),
    )
    tokens["staff"] = printed.strip().splitlines()[-1]
    env = {
        "WARROOM_MAIL_DIR": str(outbox),
        "WARROOM_INVITE_DELAY_SECONDS": "0",
        "WARROOM_INVITE_CHECK_SECONDS": "0.1",
    }
    with running_server(url, env=env) as base:
        today = datetime.now(ZONE).date()
        inspection = Api(base, tokens["lead"]).post(
            "/inspections",
            {"title": "SIF", "framework": "SIF", "starts_on": today.isoformat()},
        )["id"]

        def at(hour: int) -> str:
            return datetime.combine(today, time_of_day(hour), ZONE).isoformat()

        meeting = Api(base, tokens["rapid_response"]).post(
            f"/inspections/{inspection}/meetings",
            {
                "title": "Focus group: front door",
                "kind": "focus_group",
                "starts_at": at(14),
                "ends_at": at(15),
                "venue": "Room 2.14",
                "attendees": ["Sam Staff", "Lena Lead"],
                "inspectors": [],
                "topics": ["Thresholds"],
            },
        )["id"]
        _wait_for(outbox, 1)
        Api(base, tokens["rapid_response"]).post(
            f"/inspections/{inspection}/meetings/{meeting}/move",
            {"venue": "Council chamber", "reason": "a bigger room"},
        )
        _wait_for(outbox, 2)
        yield World(base, tokens, inspection, meeting, outbox)


def _wait_for(outbox: Path, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(list(outbox.glob("*.eml"))) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(list(outbox.glob("*.eml"))) == count


def signed_in(browser: Browser, world: World, role: str, size: str) -> Page:
    width, height = SIZES[size]
    _, page, errors = new_page(browser, viewport={"width": width, "height": height})
    page.goto(f"{world.base}/#token={world.tokens[role]}")
    expect(page.locator("#me")).not_to_be_empty(timeout=WAIT_MS)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", list(SIZES))
def test_a_meetings_details_say_who_was_emailed_which_invitation(
    browser: Browser, world: World, size: str
) -> None:
    page = signed_in(browser, world, "lead", size)
    page.click(".view-tab[data-view=wall]")  # on a phone the lead lands on My day
    meeting = page.locator(f'#schedule-body [data-meeting-id="{world.meeting}"]').first
    meeting.locator("button.act-details").click()
    detail = page.locator("#detail-dialog")
    expect(detail).to_contain_text("Calendar invitations emailed", timeout=WAIT_MS)
    expect(detail).to_contain_text("Invitation to Sam Staff (arranged): sent")
    expect(detail).to_contain_text("Invitation to Sam Staff (new room): sent")
    # Lena Lead has no address: nothing was sent to her, and none is claimed.
    expect(detail).not_to_contain_text("to Lena Lead")
    detail.locator(".invitations").scroll_into_view_if_needed()
    shoot(page, f"meeting-detail-{size}")
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_admin_sees_and_changes_a_users_email_address(
    browser: Browser, world: World, size: str
) -> None:
    page = signed_in(browser, world, "admin", size)
    page.click(".view-tab[data-view=admin]")
    row = page.locator("#admin-users tr", has_text="Sam Staff")
    expect(row).to_contain_text("sam@council.example", timeout=WAIT_MS)
    expect(page.locator("#admin-users tr", has_text="Lena Lead")).to_contain_text(
        "None"
    )
    shoot(page, f"admin-users-{size}")
    if size == "phone":  # the last: the others see the address as it was
        row.locator("button.act-email").click()
        dialog = page.locator("#command-dialog")
        field = dialog.locator("input[name=email]")
        expect(field).to_have_value("sam@council.example")
        field.fill("not an address")
        dialog.locator("#command-submit").click()
        expect(dialog).to_be_visible()  # the browser or the server refuses it
        field.fill("sam.staff@council.example")
        dialog.locator("#command-submit").click()
        expect(row).to_contain_text("sam.staff@council.example", timeout=WAIT_MS)
    assert page.errors == []  # type: ignore[attr-defined]
