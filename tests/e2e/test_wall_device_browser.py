"""In the browser (issue 25): a wall screen signs in as a device. Opened at
/wall it shows a code; a lead types it on their own page and chooses the
inspection; the wall then shows the inspection, signed in as a display, not
a person; the lead disconnects it and it shows a new code. A display's token
in the address (/wall#token=...) signs in as a sign-in link does.
Screenshots (into WARROOM_SCREENS or a temporary folder): the code at a wall
screen's 1920x1080, the lead's form at a laptop's 1366x768 and a phone's
390x844."""

from __future__ import annotations

import os
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.e2e.browser import Server, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens

WALL: ViewportSize = {"width": 1920, "height": 1080}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")
LIVE_WITHIN = 60_000  # ms: the wall polls each second, then reads the board


def _context(browser: Browser, viewport: ViewportSize) -> BrowserContext:
    context = browser.new_context(
        viewport=viewport, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(30_000)
    return context


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def _lead_page(browser: Browser, base: str, token: str, viewport: ViewportSize) -> Page:
    page = _context(browser, viewport).new_page()
    page.goto(f"{base}/#token={token}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=LIVE_WITHIN
    )
    return page


def _open_connect_form(page: Page, phone: bool) -> None:
    if phone:
        # No room in a phone's header: the form is in "Inspection & people".
        expect(page.locator("#wall-connect-open")).to_be_hidden()
        tab = page.locator(".view-tab[data-view=admin]")
        tab.scroll_into_view_if_needed()
        tab.click()
        expect(
            page.get_by_role("heading", name="Connect a wall screen")
        ).to_be_visible()
    else:
        page.get_by_role("button", name="Connect a wall screen").click()
    expect(page.locator("#wall-connect-form")).to_be_visible()
    # Nothing chosen for the lead: the inspection starts empty, and is required.
    select = page.locator("#wall-connect-inspection")
    expect(select).to_have_value("")
    assert select.evaluate("el => el.required") is True
    # The inspections to choose from, after the empty choice.
    expect(select.locator("option").nth(1)).to_be_attached()
    expect(select.locator("option").first).to_have_text("Choose an inspection")


def test_a_wall_shows_a_code_a_lead_connects_it_and_disconnecting_signs_it_out(
    browser: Browser,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screens = Path(os.environ.get("WARROOM_SCREENS", tmp_path))
    monkeypatch.setenv("WARROOM_DEVICE_POLL_SECONDS", "1")
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        wall = _context(browser, WALL).new_page()
        wall_errors = _errors(wall)
        wall.goto(f"{server.base}/wall")
        shown = wall.locator("#wall-code-value")
        expect(shown).to_have_text(CODE)
        expect(wall.locator("#wall-code")).to_contain_text(
            "choose \u2018Connect a wall screen\u2019 and type this code"
        )
        wall.screenshot(path=str(screens / "wall-code-1920x1080.png"))
        code = shown.inner_text()
        # Nobody's token is on the screen while it waits.
        assert wall.evaluate("localStorage.getItem('warroom.token')") is None

        for name, viewport in (("390x844", PHONE), ("1366x768", LAPTOP)):
            lead = _lead_page(browser, server.base, tokens["lead"], viewport)
            lead_errors = _errors(lead)
            lead.screenshot(path=str(screens / f"lead-header-{name}.png"))
            _open_connect_form(lead, phone=viewport is PHONE)
            lead.locator("#walls").screenshot(
                path=str(screens / f"wall-connect-{name}.png")
            )
            lead.screenshot(path=str(screens / f"wall-connect-page-{name}.png"))
        lead.locator("#wall-connect-code").fill(code.lower())
        lead.locator("#wall-connect-inspection").select_option(index=1)
        title = lead.locator("#wall-connect-inspection option").nth(1).inner_text()
        lead.locator("#wall-connect-name").fill("War room TV")
        lead.get_by_role("button", name="Connect the screen").click()
        expect(lead.locator("#toast")).to_contain_text("The wall screen is connected")
        expect(lead.locator("#wall-list")).to_contain_text("War room TV")

        # The wall signs in by itself, as the room's display of that inspection.
        expect(wall.locator("#display-connection")).to_have_text(
            "Live", timeout=LIVE_WITHIN
        )
        expect(wall.locator("#display-title")).to_have_text(title)
        # A hand-over of another day says its day, as every other screen does
        # (the demo's case copy was handed over in week 1).
        expect(wall.locator("#wall-ledger")).to_contain_text(
            re.compile(r"\w{3} \d{1,2} \w{3}, \d\d:\d\d · to ")
        )
        expect(wall.locator("#wall-code")).to_be_hidden()
        expect(wall.locator("button:visible")).to_have_count(0)
        assert wall.evaluate("localStorage.getItem('warroom.token')")
        wall.screenshot(path=str(screens / "wall-connected-1920x1080.png"))

        # Disconnected: the wall is signed out and shows a new code.
        screen = lead.locator("#wall-list .wall-item", has_text="War room TV")
        screen.get_by_role("button", name="Disconnect").click()
        expect(lead.locator("#wall-list")).not_to_contain_text("War room TV")
        expect(wall.locator("#wall-code")).to_be_visible(timeout=LIVE_WITHIN)
        expect(shown).to_have_text(CODE)
        expect(shown).not_to_have_text(code)
        assert wall.evaluate("localStorage.getItem('warroom.token')") is None
        assert wall_errors == [] and lead_errors == []
    finally:
        server.stop()


def test_a_displays_token_in_the_address_signs_the_wall_in(
    browser: Browser, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_DEVICE_POLL_SECONDS", "1")
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            lead = {"Authorization": f"Bearer {tokens['lead']}"}
            inspection = http.get("/api/inspections", headers=lead).json()[
                "inspections"
            ][0]
            code = http.post("/api/device/codes").json()
            approved = http.post(
                "/api/device/approve",
                json={
                    "user_code": code["user_code"],
                    "inspection_id": inspection["id"],
                },
                headers=lead,
            )
            assert approved.status_code == 200, approved.text
            answer = http.post(
                "/api/device/token", json={"device_code": code["device_code"]}
            )
            assert answer.status_code == 200, answer.text
        wall = _context(browser, WALL).new_page()
        errors = _errors(wall)
        wall.goto(f"{server.base}/wall#token={answer.json()['token']}")
        expect(wall.locator("#display-connection")).to_have_text(
            "Live", timeout=LIVE_WITHIN
        )
        expect(wall.locator("#display-title")).to_have_text(inspection["title"])
        expect(wall.locator("#wall-code")).to_be_hidden()
        # The token left the address bar, as a sign-in link's does.
        assert "token" not in wall.url
        assert errors == []
    finally:
        server.stop()
