"""One clock for people (issue 23), in a real browser against `warroom serve`.

A morning's work written down hours after it happened: the wall's "Handed
over" and the printed ledger show the same moment (when it happened, and
when it was written down), and replay "As it was at 10:00" shows the board
of 10:00, with what had happened by then and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import CHROMIUM, WAIT_MS, Api, Server, add_user, new_page
from tests.e2e.test_page_browser import ZONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

# Yesterday in the inspection's zone: the day the IT was down.
DAY = datetime.now(ZONE).date() - timedelta(days=1)


def on_the_day(hour: int, minute: int = 0) -> str:
    return datetime.combine(DAY, time(hour, minute), ZONE).isoformat()


@dataclass
class Morning:
    server: Server
    inspection: str
    tokens: dict[str, str]

    def api(self, role: str) -> Api:
        return Api(self.server.base, self.tokens[role])


@pytest.fixture
def morning(database_url: str) -> Iterator[Morning]:
    tokens = {
        "lead": add_user(database_url, "Lena Lead", "lead"),
        "rapid_response": add_user(database_url, "Rory Rapid", "rapid_response"),
        "auditor": add_user(database_url, "Audrey Auditor", "auditor"),
    }
    server = Server(database_url).start()
    try:
        lead = Api(server.base, tokens["lead"])
        rapid = Api(server.base, tokens["rapid_response"])
        starts_on = (date.today() - timedelta(days=2)).isoformat()
        iid = lead.post(
            "/inspections",
            {"title": "Clock test", "framework": "SIF", "starts_on": starts_on},
        )["id"]
        path = f"/inspections/{iid}"
        inspector = lead.post(f"{path}/inspectors", {"name": "Helen Ward"})["id"]
        # Written down now, each with when it happened (08:00 to 08:10).
        case = rapid.post(
            f"{path}/cases",
            {
                "ref": "LAC-7",
                "selection": "tracked",
                "plan": "LAC",
                "social_worker": "Sam",
                "occurred_at": on_the_day(8),
            },
        )["id"]
        rapid.post(
            f"{path}/requests",
            {
                "title": "Annex A: sufficiency strategy",
                "requested_by": inspector,
                "channel": "kit",
                "due_at": on_the_day(8, 30),
                "occurred_at": on_the_day(8),
            },
        )
        rapid.post(
            f"{path}/meetings",
            {
                "title": "Front door visit",
                "kind": "team_visit",
                "starts_at": on_the_day(11),
                "ends_at": on_the_day(12),
                "venue": "Room 1",
                "inspectors": [inspector],
                "occurred_at": on_the_day(8, 1),
            },
        )
        copies = f"{path}/cases/{case}/copies"
        rapid.post(copies, {"copy_for": "council", "occurred_at": on_the_day(8, 5)})
        rapid.post(
            f"{copies}/hand-over",
            {
                "copy_for": "council",
                "to": "Sam",
                "medium": "electronic",
                "occurred_at": on_the_day(8, 10),
            },
        )
        # And one thing arranged in the afternoon, written down as it happened.
        rapid.post(
            f"{path}/meetings",
            {
                "title": "Arranged later",
                "kind": "focus_group",
                "starts_at": on_the_day(11, 30),
                "ends_at": on_the_day(12),
                "venue": "Room 2",
            },
        )
        yield Morning(server, str(iid), tokens)
    finally:
        server.stop()


def times_in(text: str) -> list[str]:
    return re.findall(r"\b\d\d:\d\d\b", text)


def test_the_walls_handed_over_and_the_printed_ledger_tell_one_time(
    browser: Browser, morning: Morning
) -> None:
    context, page, errors = new_page(browser)
    page.goto(morning.server.base + "/")
    page.fill("#token-input", morning.tokens["auditor"])
    page.click("#sign-in-form button[type=submit]")
    line = page.locator("#ledger-body li").first
    expect(line).to_contain_text("written down", timeout=WAIT_MS)
    on_the_wall = line.inner_text()

    printed = context.new_page()
    printed.goto(
        f"{morning.server.base}/print/inspections/{morning.inspection}/ledger"
        f"?token={morning.tokens['auditor']}"
    )
    in_print = printed.locator("tr.line").first.inner_text()
    context.close()

    recorded = morning.api("auditor").get(f"/inspections/{morning.inspection}/ledger")
    written = datetime.fromisoformat(recorded["lines"][0]["recorded_at"])
    written_down = written.astimezone(ZONE).strftime("%H:%M")
    # When it happened, then when it was written down: the same on both.
    assert times_in(on_the_wall) == ["08:10", written_down], on_the_wall
    assert times_in(in_print) == ["08:10", written_down], in_print
    assert "written down" in in_print
    assert not errors, errors


def test_replay_at_ten_shows_the_board_of_ten_by_what_had_happened(
    browser: Browser, morning: Morning
) -> None:
    context, page, errors = new_page(browser)
    page.goto(morning.server.base + "/")
    page.fill("#token-input", morning.tokens["auditor"])
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    expect(page.locator("#replay-clock")).to_have_value("happened_by")

    page.fill("#replay-day", DAY.strftime("%d/%m/%Y"))
    page.fill("#replay-time", "10:00")
    page.click("#replay-go")

    banner = page.locator("#past-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("As it was at")
    expect(banner).to_contain_text("10:00:00")
    schedule = page.locator("#schedule-body")
    expect(schedule).to_contain_text("Front door visit", timeout=WAIT_MS)
    expect(schedule).not_to_contain_text("Arranged later")
    # The line of the moment replayed, not of now.
    expect(schedule.locator(".now-line")).to_contain_text("10:00")
    expect(page.locator("#ledger-summary")).to_have_text("1 handed over")
    # The request's age and its overdue mark, counted to 10:00.
    request = page.locator("#requests-body .card.request").first
    expect(request).to_have_class(re.compile(r"\boverdue\b"))
    expect(request).to_contain_text("2 h")
    # Staff are told times, never log positions.
    for where in ("#past-banner", ".replay"):
        assert "position" not in page.locator(where).inner_text().lower(), where

    # What the war room had written down by then: nothing, it was later.
    page.select_option("#replay-clock", "as_of")
    page.click("#replay-go")
    expect(page.locator("#toast")).to_contain_text("written nothing down by then")
    context.close()
    assert not errors, errors
