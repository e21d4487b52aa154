"""The council's plan from the page (issue 15), in a real browser against a
real `warroom serve`, on SQLite and PostgreSQL: an inspection opened from the
SIF template, today's playbook tasks marked done and assigned; an Annex A
document rated red, amber, green, with its colours and its history; a case's
audit step by step, and its copy on the hand-over ledger; a debrief; the
case system's access log uploaded, with the rows that matched nothing, and
what the inspectors browsed at a glance. For each, a role that may not is not
offered it, and the server refuses it with nothing stored.

One long scenario per database: each browser test pays for a server, users
and browser contexts, on a shared two-core machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

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


@dataclass
class World:
    server: Server
    tokens: dict[str, str]
    inspection: str = ""

    def api(self, role: str) -> Api:
        return Api(self.server.base, self.tokens[role])

    @property
    def path(self) -> str:
        return f"/inspections/{self.inspection}"

    def stored(self) -> int:
        """How many events of the inspection the log holds."""
        after, count = 0, 0
        while True:
            page = self.api("auditor").get(f"{self.path}/events", after=after)
            count += len(page["events"])
            if not page["events"] or page["next"] == after:
                return count
            after = page["next"]

    def refused(
        self, role: str, path: str, body: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        """A command the role may not send: 403, and nothing stored."""
        before = self.stored()
        answer = httpx.post(
            f"{self.server.base}/api{self.path}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=30,
            **kw,
        )
        assert answer.status_code == 403, answer.text
        assert self.stored() == before, f"a refused {path} stored events"


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    tokens = {key: add_user(database_url, *who) for key, who in PEOPLE.items()}
    server = Server(database_url).start()
    try:
        yield World(server, tokens)
    finally:
        server.stop()


class Screen:
    """One person's browser, signed in with their sign-in link."""

    def __init__(
        self, browser: Browser, world: World, role: str, live: bool = True
    ) -> None:
        self.context, self.page, self.errors = new_page(browser)
        self.page.goto(f"{world.server.base}/#token={world.tokens[role]}")
        if live:
            expect(self.page.locator("#connection")).to_have_attribute(
                "data-state", "live"
            )
        self.dialog = self.page.locator("#command-dialog")
        self.detail = self.page.locator("#detail-dialog")

    def submit(self, **fields: str) -> None:
        """Fills the open form's fields by name and sends it."""
        for name, value in fields.items():
            control = self.dialog.locator(f"[name={name}]").first
            if control.evaluate("el => el.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)
        self.dialog.locator("#command-submit").click()

    def saved(self) -> None:
        expect(self.dialog).to_be_hidden()
        expect(self.page.locator("#toast")).to_contain_text("saved")

    def action(self, name: str) -> None:
        self.page.locator(f"button.action[data-action={name}]:visible").first.click()

    def plan(self) -> None:
        self.page.click(".view-tab[data-view=plan]")
        expect(self.page.locator("#plan-playbook .summary-line")).to_be_visible()

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors


def test_a_council_runs_its_plan_from_the_page(browser: Browser, world: World) -> None:
    now = datetime.now(ZONE).replace(second=0, microsecond=0)
    today = now.date()

    # --- the lead opens the inspection from the SIF template, on the page ---
    lena = Screen(browser, world, "lead", live=False)
    lp = lena.page
    expect(lp.locator("#inspection-title")).to_contain_text("No inspection")
    lp.click(".view-tab[data-view=admin]")
    lena.action("openInspection")
    expect(
        lena.dialog.locator("select[name=template] option[value=SIF]")
    ).to_have_count(1)
    lena.submit(
        title="SIF from the page",
        framework="SIF",
        starts_on=today.isoformat(),
        template="SIF",
    )
    lena.saved()
    expect(lp.locator("#inspection-title")).to_contain_text("SIF from the page")
    expect(lp.locator("#connection")).to_have_attribute("data-state", "live")
    (opened,) = world.api("lead").get("/inspections")["inspections"]
    world.inspection = str(opened["id"])
    inspector = world.api("lead").post(
        f"{world.path}/inspectors", {"name": "Helen Ward", "lead": True}
    )["id"]

    # Today's tasks (day 1): one assigned, one marked done with a note.
    lena.plan()
    expect(lp.locator("#plan-playbook .summary-line")).to_contain_text("Playbook SIF")
    briefing = lp.locator("#plan-playbook .task[data-task-id=d1-staff-briefing]")
    leadership = lp.locator("#plan-playbook .task[data-task-id=d1-leadership]")
    expect(briefing).to_contain_text("Staff briefing")
    expect(lp.locator("#plan-playbook .responsibilities")).to_contain_text(
        "Guardian of Annex A reports"
    )
    briefing.locator("button.act-assignTask").click()
    lena.submit(owner="Shelly Kipling")
    lena.saved()
    expect(briefing).to_contain_text("Shelly Kipling")
    leadership.locator("button.act-completeTask").click()
    lena.submit(note="Leadership team told at the 11:00 call")
    lena.saved()
    expect(leadership).to_have_class(re.compile(r"\bdone\b"))
    expect(leadership.locator(".tag.ok")).to_contain_text("done by Lena Lead")
    tasks = {
        t["id"]: t for t in world.api("staff").get(f"{world.path}/playbook")["tasks"]
    }
    assert tasks["d1-leadership"]["note"] == "Leadership team told at the 11:00 call"
    assert tasks["d1-staff-briefing"]["owner"] == "Shelly Kipling"
    lena.close()

    # Staff are offered neither; rapid response may mark done but not assign.
    sam = Screen(browser, world, "staff")
    sam.plan()
    expect(sam.page.locator("#plan-playbook .task").first).to_be_visible()
    expect(sam.page.locator("#plan-playbook button.act-completeTask")).to_have_count(0)
    expect(sam.page.locator("#plan-playbook button.act-assignTask")).to_have_count(0)
    # Nor may staff open an inspection: no admin view is offered them.
    expect(sam.page.locator(".view-tab[data-view=admin]")).to_be_hidden()
    for action in ("listAnnexA", "annexASummary"):
        expect(sam.page.locator(f"button.action[data-action={action}]")).to_be_hidden()
    sam.close()
    before = world.stored()
    refused = httpx.post(
        f"{world.server.base}/api/inspections",
        json={
            "title": "Not mine",
            "framework": "SIF",
            "template": "SIF",
            "starts_on": today.isoformat(),
        },
        headers={"Authorization": f"Bearer {world.tokens['gatekeeper']}"},
        timeout=30,
    )
    assert refused.status_code == 403, refused.text
    assert len(world.api("lead").get("/inspections")["inspections"]) == 1
    assert world.stored() == before
    world.refused("staff", "/playbook/tasks/d1-activate-plan/done", {"note": "x"})
    world.refused("rapid_response", "/playbook/tasks/d1-diary/assign", {"owner": "X"})

    # --- Annex A: the gatekeeper lists a document and rates it to green ---
    gail = Screen(browser, world, "gatekeeper")
    gp = gail.page
    gail.plan()
    gail.action("listAnnexA")
    gail.submit(title="Care leavers list", owner="Paul Dempsey")
    gail.saved()
    doc = gp.locator("#plan-annex-a .annex-doc", has_text="Care leavers list")
    # The ratings now are the document's own chips; the history's are below.
    expect(doc.locator(":scope > .rag-none")).to_have_count(2)
    for colour, word in (("red", "Red"), ("amber", "Amber"), ("green", "Green")):
        doc.locator("button.act-rateAnnexA").click()
        gail.submit(rag_complete=colour, rag_quality=colour, reason=f"now {colour}")
        gail.saved()
        expect(doc.locator(f":scope > .rag-{colour}")).to_have_count(2)
        expect(doc.locator(f":scope > .rag-{colour}").first).to_have_text(
            f"Complete {word}"
        )
    history = doc.locator("details.rag-history")
    expect(history.locator("summary")).to_have_text("3 ratings")
    history.locator("summary").click()
    ratings = history.locator(".rating")
    expect(ratings).to_have_count(3)
    for n, colour in enumerate(("red", "amber", "green")):
        expect(ratings.nth(n).locator(f"[data-rag={colour}]")).to_have_count(2)
        expect(ratings.nth(n)).to_contain_text("Gail Gatekeeper")
        expect(ratings.nth(n)).to_contain_text(f"now {colour}")
    green = doc.locator(":scope > .rag-green").first
    expect(green).to_have_css("background-color", "rgb(11, 107, 53)")
    was_green = ratings.nth(2).locator("[data-rag=green]").first
    expect(was_green).to_have_css("background-color", "rgb(11, 107, 53)")
    did = str(doc.get_attribute("data-document-id"))
    # The stream redraws the plan when anyone changes it; the history she
    # opened stays open under her.
    world.api("lead").post(
        f"{world.path}/playbook/tasks/d1-diary/assign", {"owner": "Priya Patel"}
    )
    expect(gp.locator("#plan-playbook .task[data-task-id=d1-diary]")).to_contain_text(
        "Priya Patel"
    )
    expect(history).to_have_attribute("open", "")
    expect(ratings).to_have_count(3)

    # The inspector's copy of a case, released by the gatekeeper: a ledger line.
    case = world.api("rapid_response").post(
        f"{world.path}/cases",
        {"ref": "CP-0042", "selection": "audited", "plan": "CP"},
    )["id"]
    world.api("lead").post(
        f"{world.path}/cases/{case}/copies", {"copy_for": "inspector"}
    )
    gp.click(".view-tab[data-view=wall]")
    tile = gp.locator(f'[data-case-id="{case}"]')
    tile.locator("button.case-open").click()
    gail.detail.locator("button.act-releaseCopy").click()
    gail.submit(to=str(inspector), medium="hard_copy")
    gail.saved()
    expect(gp.locator("#ledger-body")).to_contain_text(
        "The inspector's copy of case CP-0042"
    )
    expect(gp.locator("#ledger-body")).to_contain_text("Helen Ward")
    gail.close()

    # Rapid response may not rate: not offered, and refused with nothing stored.
    rory = Screen(browser, world, "rapid_response")
    rp = rory.page
    rory.plan()
    expect(rp.locator("#plan-annex-a .annex-doc")).to_have_count(1)
    expect(rp.locator("#plan-annex-a button.act-rateAnnexA")).to_have_count(0)
    world.refused("rapid_response", f"/annex-a/{did}/rate", {"rag_complete": "red"})

    # --- a case's audit, step by step, from the case's details ---
    rp.click(".view-tab[data-view=wall]")
    tile = rp.locator(f'[data-case-id="{case}"]')
    # Two steps done already: the inspector's copy made and handed over.
    expect(tile.locator(".audit-progress")).to_contain_text("audit 2/12")
    steps: list[tuple[str, dict[str, str]]] = [
        ("auditor", {"auditor": "Amanda Amesbury"}),
        ("multiAgency", {"note": "with health and the school"}),
        ("auditForm", {}),
        ("concludeAudit", {"judgement": "good", "reason": "plan on track"}),
    ]
    for n, (step, fields) in enumerate(steps, start=3):
        tile.locator("button.case-open").click()
        rory.detail.locator(f"button.act-{step}").click()
        rory.submit(**fields)
        rory.saved()
        expect(tile.locator(".audit-progress")).to_contain_text(f"audit {n}/12")
    expect(tile.locator(".judgement")).to_have_text("Good")
    tile.locator("button.case-open").click()
    expect(rory.detail).to_contain_text("Auditor: Amanda Amesbury")
    expect(rory.detail).to_contain_text("Why judged so: plan on track")
    expect(rory.detail).to_contain_text("Next: social worker sees the judgement")
    rory.detail.locator("#detail-close").click()

    # --- the access log: uploaded, with the rows that matched nothing ---
    when = (now - timedelta(minutes=5)).isoformat()
    csv = (
        "user,case_ref,item,accessed_at\n"
        f"Helen Ward,CP-0042,chronology,{when}\n"
        f"helen ward,CP-0042,case notes,{when}\n"
        f"Nobody Known,CP-0042,chronology,{when}\n"
        f"Helen Ward,ZZ-999,chronology,{when}\n"
    )
    rory.action("accessLog")
    rory.dialog.locator("input[name=file]").set_input_files(
        files={"name": "access.csv", "mimeType": "text/csv", "buffer": csv.encode()}
    )
    rory.submit()
    expect(rory.dialog).to_be_hidden()
    toast = rp.locator("#toast")
    expect(toast).to_contain_text("2 rows recorded, 0 rows already there")
    expect(toast).to_contain_text("2 rows matched nothing: line 4")
    expect(toast).to_contain_text("line 5")
    rory.plan()
    browsed = rp.locator("#plan-browsed .browsed-case[data-case-ref=CP-0042]")
    expect(browsed).to_contain_text("2 times by Helen Ward")
    expect(browsed.locator(".browsed-items")).to_contain_text("chronology")
    expect(browsed.locator(".browsed-items")).to_contain_text("case notes")
    expect(rp.locator("#plan-browsed .summary-line")).to_contain_text(
        "1 of 1 cases browsed, 2 documents"
    )
    rory.close()
    # Staff may not import: not offered, and refused before the file is read.
    sam = Screen(browser, world, "staff")
    # Staff land on My day (issue 25): the wall is a tab away.
    sam.page.click(".view-tab[data-view=wall]")
    expect(sam.page.locator("button.action[data-action=accessLog]")).to_be_hidden()
    expect(
        sam.page.locator(f'[data-case-id="{case}"] .audit-progress')
    ).to_contain_text("audit 6/12")
    sam.page.locator(f'[data-case-id="{case}"] button.case-open').click()
    expect(sam.detail).to_contain_text("Auditor: Amanda Amesbury")
    expect(sam.detail.locator("button.act-auditor")).to_have_count(0)
    sam.detail.locator("#detail-close").click()
    world.refused("staff", f"/cases/{case}/auditor", {"auditor": "Someone Else"})
    before = world.stored()
    upload = httpx.post(
        f"{world.server.base}/api{world.path}/access-log",
        files={"file": ("access.csv", csv.encode(), "text/csv")},
        headers={"Authorization": f"Bearer {world.tokens['staff']}"},
        timeout=30,
    )
    assert upload.status_code == 403, upload.text
    assert world.stored() == before

    # --- a debrief: staff report back from a meeting that has ended ---
    held = world.api("lead").post(
        f"{world.path}/meetings",
        {
            "title": "Case discussion: front door",
            "kind": "case_discussion",
            "starts_at": (now - timedelta(minutes=70)).isoformat(),
            "ends_at": (now - timedelta(minutes=10)).isoformat(),
            "venue": "Room 2.15",
            "attendees": ["Sam Staff"],
            "inspectors": [inspector],
        },
    )["id"]
    sp = sam.page
    # Staff land on My day (issue 25): the wall is a tab away.
    sp.click(".view-tab[data-view=wall]")
    sp.locator("#schedule-day").fill((now - timedelta(minutes=70)).date().isoformat())
    sp.locator("#schedule-day").dispatch_event("change")
    expect(sp.locator(f'[data-meeting-id="{held}"]')).to_be_visible()
    sam.plan()
    sam.action("debrief")
    sam.submit(
        meeting=str(held),
        asked="How managers review repeat referrals",
        went_well="The MASH walk-through",
        concerns="Supervision notes thin in one team",
        follow_ups="Send the team's supervision audit",
    )
    sam.saved()
    debrief = sp.locator("#plan-debriefs .debrief", has_text="front door")
    expect(debrief).to_contain_text("How managers review repeat referrals")
    expect(debrief).to_have_class(re.compile(r"\bconcerns\b"))
    expect(
        sp.locator("#plan-playbook .task", has_text="Send the team's supervision audit")
    ).to_be_visible()
    sam.close()
    # The auditor only reads: not offered, and refused with nothing stored.
    audrey = Screen(browser, world, "auditor")
    audrey.plan()
    expect(audrey.page.locator("#plan-debriefs .debrief")).to_have_count(1)
    expect(
        audrey.page.locator("#view-plan button.action[data-action=debrief]")
    ).to_be_hidden()
    audrey.close()
    world.refused("auditor", f"/meetings/{held}/debriefs", {"asked": "anything"})
