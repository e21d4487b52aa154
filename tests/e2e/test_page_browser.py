"""The war-room page in a real browser, against a real `warroom serve` process.

Debian's chromium through Playwright: the page reads, goes live on the SSE
stream, shows a dropped stream in red and recovers by itself, replays the
past read-only, and shows the server's refusals in plain words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    FilePayload,
    expect,
)

from tests.e2e.browser import CHROMIUM, WAIT_MS, Api, Server, add_user, new_page
from tests.e2e.refresh_screenshot import take_screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

# The machine is shared and slow at times: wait generously, never sleep.
ZONE = ZoneInfo("Europe/London")


@dataclass
class World:
    """A running server with an inspection, its people and some history."""

    server: Server
    database_url: str
    inspection: str
    lead_inspector: str
    tokens: dict[str, str]
    meeting: str
    meeting_moved_at: int
    checked_request: str
    assigned_request: str

    def api(self, role: str) -> Api:
        return Api(self.server.base, self.tokens[role])


def today_at(hour: int, minute: int = 0) -> str:
    """An instant today in the inspection's zone, as the API wants it."""
    today = datetime.now(ZONE).date()
    return datetime.combine(today, time(hour, minute), ZONE).isoformat()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("page")
    database_url = f"sqlite:///{folder / 'warroom.db'}"
    tokens = {
        "admin": add_user(database_url, "Ada Admin", "admin"),
        "lead": add_user(database_url, "Lena Lead", "lead"),
        "gatekeeper": add_user(database_url, "Gail Gatekeeper", "gatekeeper"),
        "rapid_response": add_user(database_url, "Rory Rapid", "rapid_response"),
        "rapid_response_2": add_user(database_url, "Rita Rapid", "rapid_response"),
        "staff": add_user(database_url, "Sam Staff", "staff"),
    }
    server = Server(database_url).start()
    try:
        yield _seed(server, database_url, tokens)
    finally:
        server.stop()


def _seed(server: Server, database_url: str, tokens: dict[str, str]) -> World:
    lead = Api(server.base, tokens["lead"])
    rapid = Api(server.base, tokens["rapid_response"])
    rapid_2 = Api(server.base, tokens["rapid_response_2"])
    starts_on = (date.today() - timedelta(days=2)).isoformat()
    iid = lead.post(
        "/inspections",
        {
            "title": "Browser test inspection",
            "framework": "SIF",
            "starts_on": starts_on,
        },
    )["id"]
    base = f"/inspections/{iid}"
    inspector = lead.post(f"{base}/inspectors", {"name": "Helen Ward", "lead": True})[
        "id"
    ]
    meeting = rapid.post(
        f"{base}/meetings",
        {
            "title": "KIT with the lead inspector",
            "kind": "kit",
            "starts_at": today_at(9),
            "ends_at": today_at(9, 30),
            "venue": "Room 2.14",
            "inspectors": [inspector],
        },
    )["id"]
    moved_at = rapid.post(f"{base}/meetings/{meeting}/move", {"venue": "War room"})[
        "position"
    ]

    def assigned(title: str) -> str:
        request = rapid.post(
            f"{base}/requests",
            {"title": title, "requested_by": inspector, "channel": "kit"},
        )["id"]
        rapid.post(f"{base}/requests/{request}/assign", {"assignee": rapid.me()})
        return str(request)

    rapid.post(f"{base}/cases", {"ref": "A-001", "selection": "audited", "plan": "CP"})
    checked = assigned("Annex A: sufficiency strategy")
    rapid.post(
        f"{base}/requests/{checked}/documents",
        files={"file": ("strategy.pdf", b"%PDF strategy v1", "application/pdf")},
        data={"version": "1"},
    )
    digest = hashlib.sha256(b"%PDF strategy v1").hexdigest()
    lead.post(f"{base}/requests/{checked}/approve", {"sha256": digest})
    rapid_2.post(f"{base}/requests/{checked}/check", {"sha256": digest})
    return World(
        server=server,
        database_url=database_url,
        inspection=str(iid),
        lead_inspector=str(inspector),
        tokens=tokens,
        meeting=str(meeting),
        meeting_moved_at=int(moved_at),
        checked_request=checked,
        assigned_request=assigned("Caseload report by team"),
    )


class Screen:
    """The page as one person sees it, with the page's own errors collected."""

    def __init__(self, browser: Browser, world: World, role: str) -> None:
        # The browser's own locale and zone: the page must not depend on them.
        self.context, self.page, self.errors = new_page(
            browser, locale=None, timezone_id=None
        )
        self.page.goto(world.server.base + "/")
        self.page.fill("#token-input", world.tokens[role])
        self.page.click("#sign-in-form button[type=submit]")
        self.expect_live()
        # Remember this document: a reload would lose the mark.
        self.page.evaluate("window.notReloaded = true")

    def expect_live(self) -> None:
        expect(self.page.locator("#connection")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


@pytest.fixture
def screen(browser: Browser, world: World) -> Iterator[Screen]:
    opened = Screen(browser, world, "lead")
    yield opened
    opened.close()


def test_a_command_posted_through_the_api_appears_without_a_reload(
    screen: Screen, world: World
) -> None:
    page = screen.page
    expect(page.locator("#inspection-title")).to_have_text("Browser test inspection")
    expect(page.locator("#me")).to_contain_text("Lena Lead")

    world.api("rapid_response").post(
        f"/inspections/{world.inspection}/requests",
        {
            "title": "Return home interviews, last 6 months",
            "requested_by": world.lead_inspector,
            "channel": "email",
            "due_at": (datetime.now(ZONE) - timedelta(hours=1)).isoformat(),
        },
    )

    card = page.locator("#requests-body .card", has_text="Return home interviews")
    expect(card).to_be_visible(timeout=WAIT_MS)
    # Due an hour ago: overdue, in the colour that shows across the room.
    expect(card).to_have_class(re.compile(r"\boverdue\b"))
    expect(page.locator("#feed-body")).to_contain_text(
        "Requested: Return home interviews"
    )
    assert page.evaluate("window.notReloaded") is True


def test_the_indicator_goes_red_when_the_server_stops_and_green_when_it_returns(
    screen: Screen, world: World
) -> None:
    page = screen.page
    indicator = page.locator("#connection")

    world.server.stop()
    expect(indicator).to_have_attribute("data-state", "down", timeout=WAIT_MS)
    expect(indicator).to_have_class(re.compile(r"\bdown\b"))
    expect(page.locator("#offline-bar")).to_be_visible()

    # While the page's server is down, another process on the same database
    # records a change: the page must get it from the log when it reconnects.
    other = Server(world.database_url).start()
    try:
        Api(other.base, world.tokens["lead"]).post(
            f"/inspections/{world.inspection}/meetings/{world.meeting}/notes",
            {"text": "Keen on caseloads", "actions": ["Pull the supervision audit"]},
        )
    finally:
        other.stop()
    expect(indicator).to_have_attribute("data-state", "down")

    world.server.start()  # the same port: the browser reconnects by itself
    screen.expect_live()
    expect(page.locator("#offline-bar")).to_be_hidden()
    expect(page.locator("#kit-body")).to_contain_text(
        "Pull the supervision audit", timeout=WAIT_MS
    )
    expect(page.locator(f'[data-meeting-id="{world.meeting}"]')).to_contain_text(
        "1 KIT note", timeout=WAIT_MS
    )
    assert page.evaluate("window.notReloaded") is True


def test_the_time_slider_shows_the_past_read_only(screen: Screen, world: World) -> None:
    page = screen.page
    meeting = page.locator(f'[data-meeting-id="{world.meeting}"]')
    venue_now = _venue(world)
    expect(meeting.locator(".venue")).to_have_text(venue_now)
    # The live screen shows what changed: the old room, struck through.
    expect(meeting.locator(".changes")).to_contain_text("Room 2.14")

    before_the_move = world.meeting_moved_at - 1
    page.locator("#replay-slider").fill(str(before_the_move))

    expect(page.locator("#past-banner")).to_be_visible()
    # Told by the time it was written down, not by a log position.
    expect(page.locator("#past-banner")).to_contain_text(
        "As it stood when this was written down"
    )
    expect(page.locator("#past-banner")).not_to_contain_text("position")
    expect(page.locator("body")).to_have_class(re.compile(r"\bpast\b"))
    expect(meeting.locator(".venue")).to_have_text("Room 2.14", timeout=WAIT_MS)
    expect(meeting.locator(".changes")).to_have_count(0)
    # Read-only: the forms cannot be opened from the past, and the past
    # offers nothing on an item (its `actions` are empty), so no item buttons.
    expect(page.locator("button.action[data-action=recordRequest]")).to_be_disabled()
    expect(meeting.locator("button.act-move")).to_have_count(0)

    page.click("#back-to-live")
    expect(page.locator("#past-banner")).to_be_hidden()
    expect(meeting.locator(".venue")).to_have_text(venue_now, timeout=WAIT_MS)
    expect(page.locator("button.action[data-action=recordRequest]")).to_be_enabled()


def _venue(world: World) -> str:
    schedule = world.api("lead").get(f"/inspections/{world.inspection}/schedule")
    found = next(m for m in schedule["meetings"] if m["id"] == world.meeting)
    return str(found["venue"])


def test_release_is_offered_to_the_gatekeeper_only(
    browser: Browser, screen: Screen, world: World
) -> None:
    lead_card = screen.page.locator(f'[data-request-id="{world.checked_request}"]')
    expect(lead_card).to_contain_text("strategy.pdf")
    expect(lead_card.locator("button.act-release")).to_have_count(0)

    gatekeeper = Screen(browser, world, "gatekeeper")
    try:
        card = gatekeeper.page.locator(f'[data-request-id="{world.checked_request}"]')
        card.locator("button.act-release").click()
        dialog = gatekeeper.page.locator("#command-dialog")
        expect(dialog).to_contain_text("Release to the inspectors")
        dialog.locator("select[name=medium]").select_option("electronic")
        dialog.locator("#command-submit").click()
        expect(dialog).to_be_hidden()
        expect(gatekeeper.page.locator("#ledger-body")).to_contain_text(
            "Annex A: sufficiency strategy"
        )
    finally:
        gatekeeper.close()
    # The lead's screen shows the release too, live.
    expect(screen.page.locator("#ledger-body")).to_contain_text(
        "Annex A: sufficiency strategy", timeout=WAIT_MS
    )


def test_read_only_roles_are_offered_no_forms(browser: Browser, world: World) -> None:
    staff = Screen(browser, world, "staff")
    try:
        page = staff.page
        expect(page.locator("#me")).to_contain_text("Staff")
        # Staff land on My day (issue 25): the wall is a tab away.
        page.click(".view-tab[data-view=wall]")
        expect(page.locator("#requests-body .card").first).to_be_visible()
        expect(page.locator("button.action:visible")).to_have_count(0)
        # Details are for everyone; no action is.
        expect(
            page.locator(".panel .row-actions button:not(.act-details)")
        ).to_have_count(0)
    finally:
        staff.close()


def test_the_servers_refusals_are_shown_in_plain_words(
    screen: Screen, world: World
) -> None:
    page = screen.page
    dialog = page.locator("#command-dialog")
    error = page.locator("#command-error")
    card = page.locator(f'[data-request-id="{world.assigned_request}"]')

    # A rule the page keeps by what the server offers: once the lead has
    # attached a document, the lead is not offered its approval (the server
    # would refuse it: whoever attached a document may not approve it).
    card.locator("button.act-attach").click()
    upload: FilePayload = {
        "name": "caseloads.csv",
        "mimeType": "text/csv",
        "buffer": b"team,caseload\nNorth,21\n",
    }
    dialog.locator("input[name=file]").set_input_files(files=upload)
    dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    expect(card).to_contain_text("caseloads.csv", timeout=WAIT_MS)
    expect(card.locator("button.act-approve")).to_have_count(0)

    # 422: the field is named in words, with the line it is on.
    page.click("button.action[data-action=kitNote]")
    dialog.locator("select[name=meeting]").select_option(world.meeting)
    dialog.locator("textarea[name=text]").fill("Wants more on caseloads")
    dialog.locator("textarea[name=actions]").fill("short one\n" + "x" * 201)
    dialog.locator("#command-submit").click()
    expect(error).to_contain_text("Actions (line 2): String should have at most 200")
    dialog.locator("#command-cancel").click()

    # 409, a stale version: someone moved the meeting while the form was open.
    meeting = page.locator(f'[data-meeting-id="{world.meeting}"]')
    # From its details: a meeting that is over shows no move button on
    # the wall (its row is one line there).
    meeting.locator("button.act-details").click()
    page.locator("#detail-dialog button.act-move").click()
    world.api("gatekeeper").post(
        f"/inspections/{world.inspection}/meetings/{world.meeting}/move",
        {"venue": "Room 1.02"},
    )
    dialog.locator("input[name=venue]").fill("Council chamber")
    dialog.locator("#command-submit").click()
    expect(error).to_contain_text("Someone changed this while you were looking at it")
    dialog.locator("#command-cancel").click()
    expect(meeting.locator(".venue")).to_have_text("Room 1.02", timeout=WAIT_MS)


def test_the_forms_record_a_request_a_reschedule_and_a_case_browsed(
    screen: Screen, world: World
) -> None:
    page = screen.page
    dialog = page.locator("#command-dialog")

    page.click("button.action[data-action=recordRequest]")
    dialog.locator("input[name=title]").fill("Audit of strategy meeting minutes")
    dialog.locator("select[name=requested_by]").select_option(world.lead_inspector)
    dialog.locator("select[name=channel]").select_option("email")
    dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#requests-body")).to_contain_text(
        "Audit of strategy meeting minutes"
    )

    meeting = page.locator(f'[data-meeting-id="{world.meeting}"]')
    # From its details: a meeting that is over shows no reschedule button on
    # the wall (its row is one line there).
    meeting.locator("button.act-details").click()
    page.locator("#detail-dialog button.act-reschedule").click()
    dialog.locator("input[name=start]").fill("16:00")
    dialog.locator("input[name=end]").fill("16:45")
    dialog.locator("textarea[name=reason]").fill("the lead inspector is delayed")
    dialog.locator("#command-submit").click()
    if datetime.now(ZONE).time() >= time(16, 0):
        # A change into the past is flagged before it is sent; sent on a second press.
        expect(page.locator("#command-error")).to_contain_text("is in the past")
        dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    expect(meeting.locator(".start")).to_have_text("16:00")
    expect(meeting.locator(".changes")).to_contain_text(
        "\u2192 16:00\u201316:45 (the lead inspector is delayed)"
    )

    page.click("button.action[data-action=caseBrowsed]")
    dialog.locator("select[name=case]").select_option(label="A-001 (CP)")
    dialog.locator("select[name=inspector]").select_option(world.lead_inspector)
    dialog.locator("input[name=item]").fill("chronology")
    dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#latest-browse")).to_contain_text(
        "A-001 chronology by Helen Ward"
    )
    expect(page.locator("#toast")).to_contain_text("saved")


def test_the_demo_screen_renders(browser: Browser, tmp_path: Path) -> None:
    shot = tmp_path / "screen.png"
    take_screenshot(browser, shot)
    assert shot.stat().st_size > 10_000
