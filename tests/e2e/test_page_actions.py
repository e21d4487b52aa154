"""The page's actions that test_page_roles.py does not drive, each driven in
a real browser by a role that may take it, on SQLite and PostgreSQL: an
inspection opened from a playbook template, a task's owner, who does what,
the Annex A summary, a case's audit step by step to the inspector's copy, a
tracked case's folder, the access log's import, a calendar link made and
revoked, the hand-over packet, and every print button. For each, one role
that may not is not offered it, and the server refuses it with nothing
stored.

The world, the browser and a person's screen are test_page_roles.py's.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import pyzipper
from playwright.sync_api import Browser, Page, expect

from tests.days import iso_day
from tests.e2e import test_page_roles as roles
from tests.e2e.browser import CHROMIUM, Server, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens
from tests.e2e.test_page_roles import ZONE, Screen, World, at

# test_page_roles.py's fixture: a server with a user of each role (the
# browser comes from conftest.py).
world = roles.world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


def refused(
    world: World,
    role: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """The server refuses `role` (403) and the inspection's log is unchanged."""
    before = world.stored()
    answer = httpx.request(
        method,
        f"{world.server.base}/api{path}",
        headers={"Authorization": f"Bearer {world.tokens[role]}", **(headers or {})},
        timeout=30,
        **kwargs,
    )
    assert answer.status_code == 403, answer.text
    assert world.stored() == before
    return answer


def not_offered(page: Page, action: str) -> None:
    """No visible button of the page offers the action."""
    expect(page.locator(f"button.action[data-action={action}]:visible")).to_have_count(
        0
    )
    expect(page.locator(f"button.act-{action}:visible")).to_have_count(0)


def test_the_lead_opens_an_inspection_from_a_template_and_names_who_does_what(
    browser: Browser, world: World
) -> None:
    lena = Screen(browser, world, "lead")
    lp = lena.page
    lp.click(".view-tab[data-view=admin]")
    lena.action("openInspection")
    # The template picker lists the server's playbooks.
    picker = lena.dialog.locator("select[name=template]")
    expect(picker.locator("option[value=SIF]")).to_have_count(1)
    lena.submit(title="Opened from the SIF template", framework="SIF", template="SIF")
    lena.saved()
    # The page moves to the new inspection, which has the template's plan.
    expect(lp.locator("#inspection-title")).to_contain_text(
        "Opened from the SIF template"
    )
    opened = next(
        i["id"]
        for i in world.api("lead").get("/inspections")["inspections"]
        if i["title"] == "Opened from the SIF template"
    )
    path = f"/inspections/{opened}"
    lp.click(".view-tab[data-view=plan]")
    expect(lp.locator("#plan-playbook .summary-line")).to_contain_text("Playbook SIF")

    # A task's owner, from its row.
    task = lp.locator("#plan-playbook .task").first
    title = task.locator(".task-title").inner_text()
    task.locator("button.act-assignTask").click()
    lena.submit(owner="Dana Director")
    lena.saved()
    expect(lp.locator("#plan-playbook .task", has_text=title).first).to_contain_text(
        "Dana Director"
    )
    # Who does what: a template's duty named from its row, and a new one.
    duty = lp.locator(
        "#plan-playbook .responsibilities li", has_text="Guardian of Annex A reports"
    )
    duty.locator("button.act-responsibility").click()
    lena.submit(person="Priya Patel")
    lena.saved()
    expect(duty).to_contain_text("Priya Patel")
    lena.action("responsibility")
    lena.submit(role="Minutes of the KIT meetings", person="Sam Staff")
    lena.saved()
    expect(lp.locator("#plan-playbook .responsibilities")).to_contain_text(
        "Minutes of the KIT meetings: Sam Staff"
    )
    # The Annex A summary, as prose.
    lena.action("annexASummary")
    lena.submit(text="Strong early help.\n\nCaseloads are high in the North team.")
    lena.saved()
    summary = lp.locator("#plan-annex-a .annex-summary")
    expect(summary).to_contain_text("Caseloads are high in the North team.")
    expect(summary).to_contain_text("By Lena Lead")
    lena.close()

    # The countdown to day 2 is read again each minute while the plan shows.
    watcher = Screen(browser, world, "lead", fake_clock=True)
    wp = watcher.page
    wp.click(".view-tab[data-view=plan]")
    expect(wp.locator("#plan-annex-a .countdown")).to_contain_text(
        re.compile("day 2", re.IGNORECASE)
    )
    with wp.expect_request(lambda r: "/annex-a?" in r.url):
        wp.clock.fast_forward("01:01")
    watcher.close()

    # Staff may do none of these: not offered, and refused with nothing stored.
    sam = Screen(browser, world, "staff")
    sp = sam.page
    expect(sp.locator(".view-tab[data-view=admin]")).to_be_hidden()
    not_offered(sp, "openInspection")
    sp.locator("#inspection-chooser").select_option(opened)
    expect(sp.locator("#inspection-title")).to_contain_text("Opened from the SIF")
    sp.click(".view-tab[data-view=plan]")
    expect(sp.locator("#plan-playbook .task").first).to_be_visible()
    for action in ("assignTask", "responsibility", "annexASummary"):
        not_offered(sp, action)
    sam.close()
    lead_tasks = world.api("lead").get(f"{path}/playbook")["tasks"]
    task_id = lead_tasks[0]["id"]
    world.inspection = opened  # stored() counts the new inspection's events
    refused(
        world,
        "staff",
        "POST",
        f"{path}/playbook/tasks/{task_id}/assign",
        json={"owner": "Sam Staff"},
    )
    refused(
        world,
        "staff",
        "POST",
        f"{path}/playbook/responsibilities",
        json={"role": "Anything", "person": "Sam Staff"},
    )
    refused(world, "staff", "POST", f"{path}/annex-a/summary", json={"text": "x"})
    before = len(world.api("lead").get("/inspections")["inspections"])
    answer = httpx.post(
        f"{world.server.base}/api/inspections",
        json={
            "title": "Staff's own",
            "framework": "SIF",
            "starts_on": iso_day(-322),
        },
        headers={"Authorization": f"Bearer {world.tokens['staff']}"},
    )
    assert answer.status_code == 403
    assert len(world.api("lead").get("/inspections")["inspections"]) == before


AUDIT_STEPS = [
    # (the detail dialog's button, the form's fields, what the audit shows after)
    ("act-auditor", {"auditor": "Rita Rapid"}, "Auditor: Rita Rapid"),
    (
        "act-multiAgency",
        {"note": "Police and health came"},
        "held, Police and health came",
    ),
    ("act-auditForm", {}, "Audit form: complete"),
    (
        "act-concludeAudit",
        {"judgement": "requires_improvement", "reason": "Plans drift"},
        "Why judged so: Plans drift",
    ),
    ("act-judgementSeen", {"by": "social_worker"}, "Judgement seen by: social worker"),
    ("act-makeCopy", {"copy_for": "council"}, "council (made)"),
    (
        "act-handOverCopy",
        {"copy_for": "council", "to": "Dana Director", "medium": "hard_copy"},
        "council (handed to Dana Director)",
    ),
    ("act-makeCopy", {"copy_for": "inspector"}, "inspector (made)"),
]


def test_a_case_audit_to_the_inspectors_copy_a_folder_and_the_access_log(
    browser: Browser, world: World
) -> None:
    gatekeeper = world.api("gatekeeper")
    audited = gatekeeper.post(
        f"{world.path}/cases", {"ref": "A-201", "selection": "audited", "plan": "CIN"}
    )["id"]
    tracked = gatekeeper.post(
        f"{world.path}/cases", {"ref": "T-301", "selection": "tracked", "plan": "LAC"}
    )["id"]

    # The rapid response team walk the audit, step by step, from its details.
    rory = Screen(browser, world, "rapid_response")
    rp = rory.page
    tile = rp.locator(f'[data-case-id="{audited}"]')
    for button, fields, shown in AUDIT_STEPS:
        tile.locator("button.case-open").click()
        rory.detail.locator(f"button.{button}").click()
        rory.submit(**fields)
        rory.saved()
        tile.locator("button.case-open").click()
        expect(rory.detail.locator(".audit-steps")).to_contain_text(shown)
        rory.detail.locator("#detail-close").click()
    expect(tile.locator(".audit-progress")).to_contain_text(re.compile(r"audit \d+/"))
    # The inspector's copy goes through the gatekeeper: not offered to the team.
    tile.locator("button.case-open").click()
    expect(rory.detail.locator("button.act-releaseCopy")).to_have_count(0)
    rory.detail.locator("#detail-close").click()
    refused(
        world,
        "rapid_response",
        "POST",
        f"{world.path}/cases/{audited}/copies/release",
        json={"to": world.lead_inspector, "medium": "hard_copy"},
    )

    # A tracked case's folder.
    folder = rp.locator(f'[data-case-id="{tracked}"]')
    folder.locator("button.case-open").click()
    rory.detail.locator("button.act-folderReady").click()
    rory.submit()
    rory.saved()
    folder.locator("button.case-open").click()
    expect(rory.detail.locator(".audit-steps")).to_contain_text("Folder: ready")
    rory.detail.locator("#detail-close").click()

    # The case system's access log, uploaded from the cases panel.
    when = (datetime.now(ZONE) - timedelta(minutes=30)).replace(microsecond=0)
    log = (
        "user,case_ref,item,accessed_at\n"
        f"Helen Ward,T-301,chronology,{when.isoformat()}\n"
    ).encode()
    rory.action("accessLog")
    rory.dialog.locator("input[name=file]").set_input_files(
        files={"name": "access.csv", "mimeType": "text/csv", "buffer": log}
    )
    rory.submit()
    rory.saved()
    expect(rp.locator("#latest-browse")).to_contain_text("T-301 chronology")
    expect(folder).to_contain_text("Helen \u00b7 chronology")
    rory.close()

    # The gatekeeper releases the inspector's copy.
    gail = Screen(browser, world, "gatekeeper")
    gp = gail.page
    gtile = gp.locator(f'[data-case-id="{audited}"]')
    gtile.locator("button.case-open").click()
    gail.detail.locator("button.act-releaseCopy").click()
    gail.submit(to=world.lead_inspector, medium="electronic")
    gail.saved()
    gtile.locator("button.case-open").click()
    expect(gail.detail.locator(".audit-steps")).to_contain_text(
        "inspector (handed to Helen Ward)"
    )
    gail.detail.locator("#detail-close").click()
    gail.close()

    # Staff may not take an audit step or import the log: not offered, refused.
    sam = Screen(browser, world, "staff")
    sp = sam.page
    # Staff land on My day (issue 25): the wall is a tab away.
    sp.click(".view-tab[data-view=wall]")
    not_offered(sp, "accessLog")
    sp.locator(f'[data-case-id="{tracked}"] button.case-open').click()
    for action in ("auditor", "multiAgency", "folderReady", "makeCopy"):
        expect(sam.detail.locator(f"button.act-{action}")).to_have_count(0)
    sam.close()
    refused(
        world,
        "staff",
        "POST",
        f"{world.path}/cases/{audited}/auditor",
        json={"auditor": "Sam Staff"},
    )
    refused(
        world,
        "staff",
        "POST",
        f"{world.path}/access-log",
        files={"file": ("access.csv", log, "text/csv")},
    )


def released_document(world: World, title: str, content: bytes) -> str:
    """A request walked to released through the API; answers its id."""
    rapid, lead, gate = (world.api(r) for r in ("rapid_response", "lead", "gatekeeper"))
    base = world.path
    request = rapid.post(
        f"{base}/requests",
        {"title": title, "requested_by": world.lead_inspector, "channel": "email"},
    )["id"]
    rapid.post(
        f"{base}/requests/{request}/assign", {"assignee": world.ids["rapid_response"]}
    )
    rapid.post(
        f"{base}/requests/{request}/documents",
        files={"file": ("plan.pdf", content, "application/pdf")},
        data={"version": "1"},
    )
    sha = hashlib.sha256(content).hexdigest()
    lead.post(f"{base}/requests/{request}/approve", {"sha256": sha})
    rapid.post(f"{base}/requests/{request}/check", {"sha256": sha})
    gate.post(
        f"{base}/requests/{request}/release",
        {"sha256": sha, "to": world.lead_inspector, "medium": "electronic"},
    )
    return str(request)


def test_calendar_links_the_packet_and_every_print_button(
    browser: Browser, world: World
) -> None:
    # A calendar link: the rapid response team make one for themselves.
    rory = Screen(browser, world, "rapid_response")
    rp = rory.page
    rp.click(".view-tab[data-view=plan]")
    rory.action("calendarLink")
    rory.submit(person="Rory Rapid")
    expect(rory.dialog).to_be_hidden()
    # Shown once, in a box that stays until dismissed (issue 24), not a toast.
    box = rp.locator("#plan-link-box .link-box")
    expect(box).to_contain_text("Shown once")
    expect(box).to_contain_text("Rory Rapid's agenda")
    url = re.fullmatch(r"http\S+\.ics", box.locator("input.link-url").input_value())
    assert url is not None
    assert httpx.get(url[0]).status_code == 200
    box.get_by_role("button", name="Done, hide the link").click()
    expect(rp.locator("#plan-link-box")).to_be_hidden()
    # Only the admin revokes links: the list and its buttons are not offered.
    expect(rp.locator("#plan-calendar-links")).to_be_hidden()
    not_offered(rp, "revokeCalendarLink")
    link_id = world.api("auditor").get(f"{world.path}/calendar-links")["links"][0]["id"]
    refused(world, "rapid_response", "DELETE", f"/calendar-links/{link_id}")
    assert httpx.get(url[0]).status_code == 200
    rory.close()

    ada = Screen(browser, world, "admin")
    ap = ada.page
    ap.click(".view-tab[data-view=plan]")
    row = ap.locator("#calendar-links-body .calendar-link", has_text="Rory Rapid")
    row.locator("button.act-revokeCalendarLink").click()
    ada.submit()
    ada.saved()
    expect(row).to_contain_text("revoked by Ada Admin")
    assert httpx.get(url[0]).status_code == 404
    ada.close()

    # The hand-over packet: a document released, downloaded with a password.
    released_document(world, "Sufficiency plan", b"the plan itself")
    gail = Screen(browser, world, "gatekeeper")
    gp = gail.page
    gp.click(".view-tab[data-view=plan]")
    gp.locator("#packet-password").fill("short")
    gp.click("#packet-download")
    expect(gp.locator("#toast")).to_contain_text("at least 8 characters")
    gp.locator("#packet-password").fill("correct horse battery")
    with gp.expect_download() as download:
        gp.click("#packet-download")
    packet = download.value.path().read_bytes()
    with pyzipper.AESZipFile(io.BytesIO(packet)) as archive:
        archive.setpassword(b"correct horse battery")
        names = archive.namelist()
        assert "ledger.csv" in names
        contents = [archive.read(n) for n in names]
    assert b"the plan itself" in contents

    # Every print button opens its print page in a new tab.
    def printed(page: Page, selector: str, expected_path: str, text: str) -> str:
        with page.context.expect_page() as opened:
            page.click(selector)
        tab = opened.value
        tab.wait_for_load_state()
        assert expected_path in tab.url, tab.url
        # Signed in by the session's cookie: no token in the address (issue 26).
        assert "token=" not in tab.url
        expect(tab.locator("body")).to_contain_text(text)
        shown = tab.locator("body").inner_text()
        tab.close()
        return shown

    today = datetime.now(ZONE).date()
    # A reschedule prints as local times, never as ISO instants.
    world.api("lead").post(
        f"{world.path}/meetings/{world.meeting}/reschedule",
        {
            "starts_at": at(today, 23, 10),
            "ends_at": at(today, 23, 50),
            "reason": "the room was double booked",
        },
    )
    day = today.strftime("%a %d %b")
    gp.click(".view-tab[data-view=wall]")
    base = f"/print/inspections/{world.inspection}"
    schedule = printed(
        gp,
        "#panel-schedule button[data-print=schedule]",
        f"{base}/schedule/{today}",
        "Case discussion: North team",
    )
    assert f"time: {day} 23:00-23:45 -> {day} 23:10-23:50" in schedule
    assert f"{today}T23" not in schedule
    printed(
        gp,
        "#panel-ledger button[data-print=ledger]",
        f"{base}/ledger",
        "Sufficiency plan",
    )
    world.api("lead").post(
        f"{world.path}/blog",
        {"day": today.isoformat(), "title": "Day 2: on site", "body": "Printed prose."},
    )
    gp.click(".view-tab[data-view=blog]")
    printed(
        gp,
        "#view-blog button[data-print=blog]",
        f"{base}/blog/{today}",
        "Printed prose.",
    )
    gail.close()
    sam = Screen(browser, world, "staff")
    sp = sam.page
    sp.click(".view-tab[data-view=day]")
    printed(
        sp,
        "#view-day button[data-print=agenda]",
        f"{base}/agenda/Sam%20Staff",
        "Case discussion: North team",
    )
    printed(
        sp,
        "#view-day button[data-print=pack]",
        f"{base}/packs/{today}/Sam%20Staff",
        "Supervision records",
    )

    # Staff neither make a calendar link nor read documents: not offered, refused.
    sp.click(".view-tab[data-view=plan]")
    not_offered(sp, "calendarLink")
    expect(sp.locator("#plan-packet")).to_be_hidden()
    sam.close()
    refused(
        world,
        "staff",
        "POST",
        f"{world.path}/calendar-links",
        json={"person": "Sam Staff"},
    )
    refused(
        world,
        "staff",
        "GET",
        f"{world.path}/ledger/packet",
        headers={"X-Packet-Password": "correct horse battery"},
    )


WALL_MEASURE = """() => {
  const box = (el) => el.getBoundingClientRect();
  const panels = {};
  for (const panel of document.querySelectorAll('#view-wall .panel')) {
    const body = panel.querySelector('.body');
    const r = box(panel);
    panels[panel.id] = {
      top: r.top, bottom: r.bottom, left: r.left, right: r.right,
      overflow: body.scrollHeight - body.clientHeight,
    };
  }
  const feed = document.querySelector('#feed-body');
  const lastLine = feed.lastElementChild;
  const cases = document.querySelector('#cases-body');
  const tiles = [...cases.querySelectorAll('.case')];
  return {
    page: [document.documentElement.scrollHeight, innerHeight,
           document.documentElement.scrollWidth, innerWidth],
    panels,
    feedLines: feed.children.length,
    feedLastInside: !lastLine || box(lastLine).bottom <= box(feed).bottom + 1,
    tilesInside: tiles.filter((t) => box(t).bottom <= box(cases).bottom + 1
      && box(t).top >= box(cases).top - 1).length,
  };
}"""


def test_the_wall_at_1920x1080_shows_every_panel_whole_with_the_demo(
    browser: Browser, database_url: str
) -> None:
    """The demo inspection (a realistic day: 30 cases, the day's meetings,
    requests, KIT notes, a ledger line) on a 1920x1080 wall, late in the
    afternoon when the day's history is fullest: no panel scrolls or is cut
    off, all 30 case tiles show, the feed shows whole lines only, and the
    page itself does not scroll."""
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        context = browser.new_context(
            viewport={"width": 1920, "height": 1080},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        afternoon = datetime.now(ZONE).replace(hour=16, minute=30, second=0)
        page.clock.install(time=afternoon)
        page.goto(f"{server.base}/#token={tokens['rapid_response']}")
        expect(page.locator("#connection")).to_have_attribute(
            "data-state", "live", timeout=30_000
        )
        expect(page.locator("#cases-body .case")).to_have_count(30)
        expect(page.locator("#ledger-body li").first).to_be_visible()
        expect(page.locator("#kit-body")).not_to_be_empty()
        page.wait_for_timeout(1000)  # the last panels drawn, and fitted
        shown: dict[str, Any] = page.evaluate(WALL_MEASURE)
        context.close()
    finally:
        server.stop()
    assert not errors, errors
    height, inner_height, width, inner_width = shown["page"]
    assert height <= inner_height and width <= inner_width, shown["page"]
    for name, panel in shown["panels"].items():
        assert panel["top"] >= 0 and panel["bottom"] <= 1080, (name, panel)
        assert panel["left"] >= 0 and panel["right"] <= 1920, (name, panel)
        if name != "panel-feed":  # the feed drops its oldest lines instead
            assert panel["overflow"] <= 1, (name, panel)
    assert shown["tilesInside"] == 30
    # How many lines the feed has room for depends on the hour the demo was
    # loaded (its day runs up to now); at least the newest, whole.
    assert shown["feedLines"] >= 1 and shown["feedLastInside"]
