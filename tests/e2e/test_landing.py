"""Each role lands where its day starts (issue 25), in a real browser against
a real `warroom serve`, on SQLite and PostgreSQL: staff on My day, the
auditor on the evidence (the wall until that view exists), the gatekeeper on
the wall's requests and ledger, the rapid response team and the lead on the
wall, the admin on the inspection and its people. A view named in the
address is kept, also over a reload; the shown view's tab is
`aria-current="page"`. My day opens on tomorrow from 15:00 on the
inspection's clock. On a phone (390x844) a person's next meeting and what is
overdue in their hands are on the first screen, the replay bar folded away.

The landing table itself is `LANDING` in web/static/js/views.js.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import CHROMIUM, Api, Server, add_user, new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")
PEOPLE = {
    "admin": ("Ada Admin", "admin"),
    "lead": ("Lena Lead", "lead"),
    "gatekeeper": ("Gail Gatekeeper", "gatekeeper"),
    "rapid_response": ("Rory Rapid", "rapid_response"),
    "staff": ("Sam Staff", "staff"),
    "auditor": ("Audrey Auditor", "auditor"),
}
# Where each role lands; the auditor's is the evidence view once the page has
# one (see `landing_of`).
LANDS_ON = {
    "admin": "admin",
    "lead": "wall",
    "gatekeeper": "wall",
    "rapid_response": "wall",
    "staff": "day",
    "auditor": "evidence",
}
PHONE = {"width": 390, "height": 844}


@dataclass
class World:
    server: Server
    tokens: dict[str, str]
    inspection: str
    meeting_title: str
    task_title: str
    request_title: str

    def api(self, role: str) -> Api:
        return Api(self.server.base, self.tokens[role])


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """An inspection opened three days ago from the SIF playbook (its first
    day's tasks are overdue), one given to the staff member; a meeting of
    theirs later on; a request overdue in the rapid response team's hands."""
    tokens = {key: add_user(database_url, *who) for key, who in PEOPLE.items()}
    server = Server(database_url).start()
    try:
        lead = Api(server.base, tokens["lead"])
        now = datetime.now(ZONE)
        iid = lead.post(
            "/inspections",
            {
                "title": "Landing test inspection",
                "framework": "SIF",
                "template": "SIF",
                "starts_on": (now.date() - timedelta(days=3)).isoformat(),
            },
        )["id"]
        base = f"/inspections/{iid}"
        inspector = lead.post(
            f"{base}/inspectors", {"name": "Helen Ward", "lead": True}
        )
        starts = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
        meeting = "Supervision focus group"
        lead.post(
            f"{base}/meetings",
            {
                "title": meeting,
                "kind": "focus_group",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=45)).isoformat(),
                "venue": "Room 3.01",
                "attendees": ["Sam Staff", "Rory Rapid"],
                "inspectors": [inspector["id"]],
                "topics": [],
            },
        )
        tasks = lead.get(f"{base}/playbook")["tasks"]
        task = next(t for t in tasks if t["overdue"] and not t["done"])
        lead.post(f"{base}/playbook/tasks/{task['id']}/assign", {"owner": "Sam Staff"})
        request = "Return home interviews"
        asked = lead.post(
            f"{base}/requests",
            {
                "title": request,
                "requested_by": inspector["id"],
                "channel": "kit",
                # Asked two hours ago (written down now), due an hour ago.
                "occurred_at": (now - timedelta(hours=2)).isoformat(),
                "due_at": (now - timedelta(hours=1)).isoformat(),
            },
        )["id"]
        rory = Api(server.base, tokens["rapid_response"]).me()
        lead.post(f"{base}/requests/{asked}/assign", {"assignee": rory})
        yield World(server, tokens, str(iid), meeting, str(task["title"]), request)
    finally:
        server.stop()


def signed_in(browser: Browser, world: World, role: str, **options: object) -> Page:
    """A new browser signed in by the role's sign-in link, live."""
    _, page, errors = new_page(browser, **options)
    page.goto(f"{world.server.base}/#token={world.tokens[role]}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def landing_of(page: Page, role: str) -> str:
    wanted = LANDS_ON[role]
    if (
        wanted == "evidence"
        and not page.locator(".view-tab[data-view=evidence]").count()
    ):
        return "wall"  # the evidence view is not on this page yet: the ledger is
    return wanted


def shows(page: Page, view: str) -> None:
    """The view is shown, its tab alone is the current page."""
    expect(page.locator("body")).to_have_attribute("data-view", view)
    expect(page.locator(f"#view-{view}")).to_be_visible()
    expect(page.locator(f".view-tab[data-view={view}]")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".view-tab[aria-current]")).to_have_count(1)


def closed(page: Page) -> None:
    errors = page.errors  # type: ignore[attr-defined]
    page.context.close()
    assert not errors, errors


def test_each_role_lands_where_its_day_starts_and_a_chosen_view_is_kept(
    browser: Browser, world: World
) -> None:
    for role in PEOPLE:
        page = signed_in(browser, world, role)
        landed = landing_of(page, role)
        shows(page, landed)
        # The sign-in link's token is gone from the address; no view is put there.
        assert page.evaluate("location.hash") == ""
        if role == "gatekeeper":  # requests and the hand-over ledger, on screen
            expect(page.locator("#panel-requests")).to_be_in_viewport()
            expect(page.locator("#panel-ledger")).to_be_in_viewport()
        if role == "staff":
            expect(page.locator("#day-next")).to_contain_text(world.meeting_title)
        # A view the person chooses is kept in the address, and over a reload.
        chosen = "blog" if landed != "blog" else "contacts"
        page.click(f".view-tab[data-view={chosen}]")
        shows(page, chosen)
        assert page.evaluate("location.hash") == f"#view={chosen}"
        page.reload()
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        shows(page, chosen)
        # An address naming a view (as a notification's does) opens it.
        page.goto(f"{world.server.base}/#view=contacts")
        shows(page, "contacts")
        page.goto(f"{world.server.base}/")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        shows(page, landed)
        closed(page)


def test_my_day_opens_on_tomorrow_from_three_in_the_afternoon_on_the_inspections_clock(
    browser: Browser, world: World
) -> None:
    today = datetime.now(ZONE).date()
    for clock, shown in (
        (time(14, 59), today),
        (time(15, 0), today + timedelta(days=1)),
    ):
        _, page, errors = new_page(browser)
        # Only the page's clock: the server's stays real.
        page.clock.set_fixed_time(datetime.combine(today, clock, ZONE))
        page.goto(f"{world.server.base}/#token={world.tokens['staff']}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        shows(page, "day")
        expect(page.locator("#day-day")).to_have_value(shown.isoformat())
        page.context.close()
        assert not errors, errors


def first_screen(page: Page, selector: str) -> None:
    """The element is drawn and wholly within the phone's first 844 px."""
    element = page.locator(selector)
    expect(element).to_be_visible()
    box = element.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
        selector,
        box,
    )


def test_on_a_phone_the_next_meeting_and_what_is_overdue_in_ones_hands_come_first(
    browser: Browser, world: World, tmp_path: Path
) -> None:
    # The picture of the first screen: docs/my-day-390x844.png when run with
    # WARROOM_SCREENS=docs.
    screens = Path(os.environ.get("WARROOM_SCREENS", tmp_path))
    # Staff: their meeting, and the playbook task given to them, now overdue.
    sam = signed_in(browser, world, "staff", viewport=PHONE)
    shows(sam, "day")
    assert sam.evaluate("scrollY") == 0
    expect(sam.locator("#day-next .next-meeting")).to_contain_text(world.meeting_title)
    expect(sam.locator("#day-next .next-overdue")).to_contain_text(world.task_title)
    first_screen(sam, "#day-next .next-meeting .next-line")
    first_screen(sam, "#day-next .next-overdue .overdue-item")
    sam.evaluate("document.getAnimations().forEach(a => a.finish())")
    sam.screenshot(path=str(screens / "my-day-390x844.png"))
    # The header and the tabs take little of it (the replay bar none).
    tabs = sam.locator("nav.views").bounding_box()
    assert tabs is not None and tabs["y"] + tabs["height"] <= 240, tabs
    # The replay bar is folded away behind its button, which opens it.
    expect(sam.locator("#replay-bar")).to_be_hidden()
    sam.click("#replay-toggle")
    expect(sam.locator("#replay-bar")).to_be_visible()
    expect(sam.locator("#replay-toggle")).to_have_attribute("aria-expanded", "true")
    closed(sam)

    # The rapid response team's own day on a phone: the request in their
    # hands, past its due time, is on the first screen too.
    # A phone is no wall: they land on their own day, not the room's wall.
    rory = signed_in(browser, world, "rapid_response", viewport=PHONE)
    shows(rory, "day")
    overdue = rory.locator(
        "#day-next .next-overdue .overdue-item", has_text=world.request_title
    )
    expect(overdue).to_contain_text("Overdue")
    first_screen(rory, "#day-next .next-meeting .next-line")
    box = overdue.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    overdue.locator("button.act-details").click()
    expect(rory.locator("#detail-dialog")).to_contain_text(world.request_title)
    closed(rory)
