"""The page asks for a reason where the server needs one (issue 23, finding
4), on SQLite and PostgreSQL: closing a day before its last meeting has ended
warns and needs the reason; a case beyond the template's sample needs its
reason, and the case board shows it. The blog shows why a day closed early."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import CHROMIUM, Api, Server, add_user
from tests.e2e.test_page_roles import ZONE, Screen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


@dataclass
class World:
    """What `Screen` needs of a world: the server, the tokens."""

    server: Server
    inspection: str
    tokens: dict[str, str]
    tomorrow: date

    def api(self, role: str) -> Api:
        return Api(self.server.base, self.tokens[role])

    @property
    def path(self) -> str:
        return f"/inspections/{self.inspection}"


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), ZONE).isoformat()


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """An SIF inspection opened from its template today, its 18 audited cases
    selected, and two meetings tomorrow (whose day has them all to come)."""
    people = {
        "lead": ("Lena Lead", "lead"),
        "rapid_response": ("Rory Rapid", "rapid_response"),
    }
    tokens = {key: add_user(database_url, *who) for key, who in people.items()}
    server = Server(database_url).start()
    try:
        lead = Api(server.base, tokens["lead"])
        today = datetime.now(ZONE).date()
        tomorrow = today + timedelta(days=1)
        iid = lead.post(
            "/inspections",
            {
                "title": "Reasons test inspection",
                "framework": "SIF",
                "starts_on": today.isoformat(),
                "template": "SIF",
            },
        )["id"]
        base = f"/inspections/{iid}"
        for hours in ((10, 11), (16, 17)):
            lead.post(
                f"{base}/meetings",
                {
                    "title": f"Feedback at {hours[0]}",
                    "kind": "lead_inspector",
                    "starts_at": at(tomorrow, hours[0]),
                    "ends_at": at(tomorrow, hours[1]),
                    "venue": "Room 2.14",
                    "attendees": ["Lena Lead"],
                    "inspectors": [],
                    "topics": [],
                },
            )
        for n in range(18):
            lead.post(
                f"{base}/cases",
                {"ref": f"A-{n:03}", "selection": "audited", "plan": "CP"},
            )
        yield World(server, str(iid), tokens, tomorrow)
    finally:
        server.stop()


def test_closing_a_day_early_warns_and_needs_the_reason_which_the_blog_shows(
    browser: Browser, world: World
) -> None:
    lena = Screen(browser, world, "lead")  # type: ignore[arg-type]
    page = lena.page
    page.click(".view-tab[data-view=blog]")
    day = page.locator("#blog-day")
    day.fill(world.tomorrow.isoformat())
    day.dispatch_event("change")
    expect(page.locator("#blog-body")).to_contain_text("This day is not closed yet")

    lena.action("closeDay")
    expect(lena.dialog).to_contain_text("2 meetings still to come, the last ends 17:00")
    # Sent without a reason: the page asks for it, and nothing is sent.
    lena.dialog.locator("#command-submit").click()
    expect(lena.dialog.locator("#command-error")).to_contain_text(
        "Why close it before its last meeting ends"
    )
    reason = "The lead inspector moved both feedback meetings to Friday."
    # With it: warned once more before it is sent, then closed and sealed.
    lena.submit(early_reason=reason)
    expect(lena.dialog.locator("#command-error")).to_contain_text(
        "2 meetings still to come, the last ends 17:00. If the day is to be "
        "closed all the same, press the button again."
    )
    lena.dialog.locator("#command-submit").click()
    lena.saved()

    blog = page.locator("#blog-body")
    expect(blog).to_contain_text("Day closed and sealed")
    expect(blog.locator(".closed-early")).to_contain_text(
        f"Closed before its last meeting ended, by Lena Lead: {reason}"
    )
    lena.axe("the blog of a day closed early")
    lena.close()


def test_a_case_beyond_the_sample_needs_its_reason_and_the_board_shows_it(
    browser: Browser, world: World
) -> None:
    rory = Screen(browser, world, "rapid_response")  # type: ignore[arg-type]
    page = rory.page
    summary = page.locator("#cases-summary")
    expect(summary).to_contain_text("audited 18/18")

    rory.action("selectCase")
    expect(rory.dialog).to_contain_text(
        "The sample of audited cases is full (18 of 18): "
        "a case beyond it needs a reason."
    )
    rory.submit(ref="A-019", selection="audited", plan="CP")
    expect(rory.dialog.locator("#command-error")).to_contain_text(
        "The sample of audited cases is full (18 of 18). Say why this case is "
        "selected beyond it."
    )
    reason = "A sibling of A-004, asked for by the lead inspector."
    rory.submit(over_reason=reason)
    rory.saved()

    expect(summary).to_contain_text("audited 19/18")
    expect(summary.locator(".over-sample")).to_have_text(
        "1 audited beyond the sample of 18, with reasons"
    )
    tile = page.locator("#cases-body .case", has_text="A-019")
    expect(tile.locator(".beyond-sample")).to_have_text("beyond the sample")
    tile.locator("button.case-open").click()
    expect(rory.detail.locator(".over-reason")).to_have_text(
        f"Selected beyond the sample: {reason}"
    )
    rory.axe("a case beyond the sample")
    rory.close()
