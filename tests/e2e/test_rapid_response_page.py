"""Issue 25, in a real browser on SQLite and PostgreSQL: the rapid response
team acts on its own work from the page.

A KIT action is given out by a rapid response member and marked done by the
member of staff who has it; nobody else is offered its Done. A case's parties
are ticked in one checklist and recorded together. A request is filed under
a line of enquiry from its form and from its details. Each button is there
for those the server offers it to, and not for others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.browser import CHROMIUM, Api, Server, add_user, new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")
PEOPLE = {
    "lead": ("Lena Lead", "lead"),
    "rapid": ("Rory Rapid", "rapid_response"),
    "staff": ("Sam Staff", "staff"),
    "other_staff": ("Stan Staff", "staff"),
}
LINE = "Management oversight of caseloads"


@dataclass
class World:
    server: Server
    tokens: dict[str, str]
    inspection: str
    meeting: str

    def api(self, who: str) -> Api:
        return Api(self.server.base, self.tokens[who])

    @property
    def path(self) -> str:
        return f"/inspections/{self.inspection}"


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    tokens = {key: add_user(database_url, *who) for key, who in PEOPLE.items()}
    server = Server(database_url).start()
    try:
        lead = Api(server.base, tokens["lead"])
        today = datetime.now(ZONE).date()
        iid = lead.post(
            "/inspections",
            {
                "title": "Rapid response inspection",
                "framework": "SIF",
                "starts_on": (today - timedelta(days=1)).isoformat(),
            },
        )["id"]
        path = f"/inspections/{iid}"
        inspector = lead.post(
            f"{path}/inspectors", {"name": "Helen Ward", "lead": True}
        )
        starts = datetime.combine(today, time(8), ZONE)
        meeting = lead.post(
            f"{path}/meetings",
            {
                "title": "KIT with the lead inspector",
                "kind": "kit",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=30)).isoformat(),
                "venue": "War room",
            },
        )["id"]
        lead.post(
            f"{path}/meetings/{meeting}/notes",
            {
                "text": "Supervision is the worry",
                "actions": ["Pull the supervision audit", "Book the IRO focus group"],
            },
        )
        lead.post(f"{path}/lines-of-enquiry", {"title": LINE})
        lead.post(
            f"{path}/cases", {"ref": "B-001", "selection": "audited", "plan": "CP"}
        )
        lead.post(
            f"{path}/requests",
            {
                "title": "Caseload report by team",
                "requested_by": inspector["id"],
                "channel": "kit",
            },
        )
        yield World(server, tokens, str(iid), str(meeting))
    finally:
        server.stop()


class Screen:
    """One person's browser, signed in with their sign-in link, on the wall."""

    def __init__(self, browser: Browser, world: World, who: str) -> None:
        self.context, self.page, self.errors = new_page(browser)
        self.page.goto(f"{world.server.base}/#token={world.tokens[who]}")
        expect(self.page.locator("#connection")).to_have_attribute("data-state", "live")
        # Wherever the person lands, the war room's panels are a tab away.
        self.page.locator(".view-tab[data-view=wall]").click()
        self.dialog = self.page.locator("#command-dialog")
        self.detail = self.page.locator("#detail-dialog")

    def kit_action(self, text: str) -> Locator:
        return self.page.locator("#kit-body .kit-actions li", has_text=text)

    def send(self) -> None:
        self.dialog.locator("#command-submit").click()
        expect(self.dialog).to_be_hidden()
        expect(self.page.locator("#toast")).to_contain_text("saved")

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


def outstanding(page: Page) -> int:
    count = page.locator("#cases-summary span", has_text="notifications outstanding")
    expect(count).to_have_count(1)
    found = re.fullmatch(r"(\d+) notifications outstanding", count.text_content() or "")
    assert found is not None, count.text_content()
    return int(found.group(1))


def test_a_kit_action_is_given_out_by_rapid_response_and_done_by_its_holder(
    browser: Browser, world: World
) -> None:
    rory = Screen(browser, world, "rapid")
    audit = rory.kit_action("Pull the supervision audit")
    expect(audit.locator("button.act-kit-assign")).to_be_visible()
    # Not his to do: no Done for him on an action nobody has.
    expect(audit.locator("button.act-kit-done")).to_have_count(0)
    audit.locator("button.act-kit-assign").click()
    owner = rory.dialog.locator("select[name=owner]")
    expect(owner).to_have_value("")  # nobody chosen for him
    owner.select_option("Sam Staff")
    rory.send()
    expect(audit).to_contain_text("with Sam Staff")
    expect(audit.locator("button.act-kit-done")).to_have_count(0)

    sam = Screen(browser, world, "staff")
    his = sam.kit_action("Pull the supervision audit")
    expect(his).to_contain_text("with Sam Staff")
    expect(his.locator("button.act-kit-done")).to_be_visible()
    # Staff give nothing out; the other action is nobody's yet.
    expect(his.locator("button.act-kit-assign")).to_have_count(0)
    other = sam.kit_action("Book the IRO focus group")
    expect(other.locator("button")).to_have_count(0)

    stan = Screen(browser, world, "other_staff")
    expect(stan.kit_action("Pull the supervision audit")).to_contain_text(
        "with Sam Staff"
    )
    expect(
        stan.kit_action("Pull the supervision audit").locator("button")
    ).to_have_count(0)
    stan.close()

    his.locator("button.act-kit-done").click()
    sam.dialog.locator("textarea[name=note]").fill("On the shared drive")
    sam.send()
    expect(his.locator(".tag.done")).to_have_text("Done")
    expect(his).to_contain_text("On the shared drive")
    expect(his.locator("button.act-kit-done")).to_have_count(0)
    # Everyone's wall follows: Rory's shows it done too.
    expect(audit.locator(".tag.done")).to_have_text("Done")
    done = [
        a
        for note in world.api("lead").get(f"{world.path}/kit-notes")["kit_notes"]
        for a in note["actions"]
        if a["text"] == "Pull the supervision audit"
    ]
    assert done[0]["done"] is True and done[0]["done_by"] == "Sam Staff"
    sam.close()
    rory.close()


def test_a_cases_parties_are_ticked_in_one_checklist_and_recorded_together(
    browser: Browser, world: World
) -> None:
    rory = Screen(browser, world, "rapid")
    page = rory.page
    before = outstanding(page)
    tile = page.locator("#cases-body .case", has_text="B-001")
    tile.locator("button.case-open").click()
    rory.detail.locator("button.act-notify").click()
    boxes = rory.dialog.locator("input[name=parties]")
    expect(boxes).to_have_count(7)
    for n in range(7):
        expect(boxes.nth(n)).not_to_be_checked()
    for party in ("Social worker", "Team manager", "IRO"):
        rory.dialog.get_by_label(party, exact=False).first.check()
    rory.send()
    expect(page.locator("#cases-summary")).to_contain_text(
        f"{before - 3} notifications outstanding"
    )
    tile.locator("button.case-open").click()
    expect(rory.detail).to_contain_text("Social worker")
    # Those notified are not offered again: four boxes are left.
    rory.detail.locator("button.act-notify").click()
    expect(rory.dialog.locator("input[name=parties]")).to_have_count(4)
    rory.dialog.locator("#command-cancel").click()

    # Staff record no notifications: no button for them.
    sam = Screen(browser, world, "staff")
    sam.page.locator("#cases-body .case", has_text="B-001").locator(
        "button.case-open"
    ).click()
    expect(sam.detail).to_be_visible()
    expect(sam.detail.locator("button.act-notify")).to_have_count(0)
    sam.close()
    rory.close()


def test_a_request_is_linked_to_a_line_of_enquiry_from_its_form_and_its_details(
    browser: Browser, world: World
) -> None:
    rory = Screen(browser, world, "rapid")
    page = rory.page
    expect(page.locator("#enquiries-body")).to_contain_text(LINE)

    # From its details: a request recorded without one.
    report = page.locator("#requests-body .card", has_text="Caseload report")
    report.locator("button.act-details").click()
    rory.detail.locator("button.act-linkLine").click()
    line = rory.dialog.locator("select[name=line_of_enquiry]")
    expect(line).to_have_value("")
    line.select_option(label=LINE)
    rory.send()
    report.locator("button.act-details").click()
    expect(rory.detail).to_contain_text(f"Line of enquiry{LINE}")
    # Filed under the only open line, it has no other to go to.
    expect(rory.detail.locator("button.act-linkLine")).to_have_count(0)
    rory.detail.locator("#detail-close").click()

    # From its form: a new request, filed as it is recorded.
    page.locator("button.action[data-action=recordRequest]:visible").first.click()
    rory.dialog.locator("input[name=title]").fill("Supervision audit, North team")
    rory.dialog.locator("select[name=requested_by]").select_option(label="Helen Ward")
    rory.dialog.locator("select[name=channel]").select_option("kit")
    chosen = rory.dialog.locator("select[name=line_of_enquiry]")
    expect(chosen).to_have_value("")  # none unless chosen
    chosen.select_option(label=LINE)
    rory.send()
    audit = page.locator("#requests-body .card", has_text="Supervision audit")
    audit.locator("button.act-details").click()
    expect(rory.detail).to_contain_text(f"Line of enquiry{LINE}")
    rory.detail.locator("#detail-close").click()
    # The line counts both as its evidence.
    expect(page.locator("#enquiries-body")).to_contain_text("2 pieces of evidence")

    # Staff link nothing: no button in the details for them.
    sam = Screen(browser, world, "staff")
    sam.page.locator("#requests-body .card", has_text="Supervision audit").locator(
        "button.act-details"
    ).click()
    expect(sam.detail).to_contain_text(LINE)
    expect(sam.detail.locator("button.act-linkLine")).to_have_count(0)
    sam.close()
    rory.close()
