"""The room's wall (/wall) on a busy day, in a real browser (issue 25).

At 1920x1080 (and 1366x768) with 60 requests, 40 cases, 30 hand-overs, 20
meetings and 15 KIT notes: no panel scrolls or clips, nothing is pressed
(no buttons, no replay, nobody's name), the smallest text is 18 px and body
text 24 px, axe finds nothing serious or critical; the newest hand-over and
an overdue request are on the screen, the panels page through the rest, and
the stream brings what happens next. The working page's wall passes axe's
`scrollable-region-focusable` as every role on the same day.

One server and one busy day per database: the day costs a few hundred
commands, and the machine is shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import WAIT_MS, Api, Server, new_page
from tests.e2e.busy_day import BusyDay, busy_day_users, load_busy_day

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WALL_SCREEN = {"width": 1920, "height": 1080}

# What the test measures in the page, as JavaScript (wall_measures.js):
# expressions separated by a blank line and a comment.
MEASURES = (Path(__file__).parent / "wall_measures.js").read_text()
OVERFLOWS, FONT_SIZES = (
    part[part.index("() =>") :] for part in MEASURES.split("\n\n// ")[1:]
)


@pytest.fixture
def busy(database_url: str) -> Iterator[tuple[Server, BusyDay]]:
    tokens = busy_day_users(database_url)
    server = Server(database_url).start()
    try:
        yield server, load_busy_day(server.base, tokens)
    finally:
        server.stop()


def axe_serious(page: Page, where: str) -> None:
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{where}: {bad}"


def fits(page: Page, where: str) -> None:
    overflows = page.evaluate(OVERFLOWS)
    assert overflows == [], f"{where}: {overflows}"


def test_the_wall_shows_a_busy_day_on_one_screen_paging_what_does_not_fit(
    browser: Browser, busy: tuple[Server, BusyDay]
) -> None:
    server, day = busy
    # bypass_csp only to inject axe-core (test_security_headers.py tests the policy).
    context, page, errors = new_page(browser, viewport=WALL_SCREEN, bypass_csp=True)
    # A token the server does not know: the wall says so, and keeps nothing.
    page.goto(f"{server.base}/wall#token=not-a-token")
    expect(page.locator("#display-signed-out")).to_contain_text("no longer accepted")
    expect(page.locator("#display")).to_be_hidden()
    assert page.evaluate("() => localStorage.getItem('warroom.token')") is None

    page.goto(f"{server.base}/wall#token={day.tokens['staff']}")
    expect(page.locator("#display-connection")).to_have_text("Live")
    # Its sign-in link's token is taken out of the address at once.
    assert page.url == f"{server.base}/wall"

    requests = page.locator("#wall-requests")
    ledger = page.locator("#wall-ledger")
    expect(ledger.locator(".ledger-line.pinned")).to_contain_text(day.newest_hand_over)
    expect(ledger.locator(".ledger-line.pinned")).to_contain_text("Newest")
    overdue = requests.locator(".request.overdue", has_text=day.overdue_request)
    expect(overdue).to_be_visible()
    expect(overdue).to_contain_text("late")
    expect(page.locator("#wall-cases .wall-tile").first).to_be_visible()
    expect(page.locator("#wall-cases .wall-wide")).to_have_text(
        re.compile(
            r"^Latest browse: C-036 chronology by Helen Ward, "
            r"(\w{3} \d{1,2} \w{3}, )?\d\d:\d\d$"
        )
    )
    expect(page.locator("#wall-kit .kit-note.pinned")).to_contain_text("KIT note 15")
    expect(page.locator("#wall-schedule .meeting").first).to_be_visible()

    # Nothing to press, no replay, nobody's name, no log positions.
    expect(page.locator("button, input, select, textarea, a[href]")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Sam Staff")
    expect(page.locator("body")).not_to_contain_text("Replay")
    expect(page.locator("body")).not_to_contain_text("position")

    fits(page, "1920x1080")
    sizes = page.evaluate(FONT_SIZES)
    assert sizes["smallest"] >= 18, sizes
    assert sizes["titles"] >= 24, sizes
    axe_serious(page, "the wall at 1920x1080")

    # Paging: the requests do not fit; the next page shows others, the
    # overdue and the newest hand-over stay.
    assert int(requests.get_attribute("data-pages") or 0) > 1
    first_page = set(requests.locator(".request:visible").all_inner_texts())
    # Pages turn every 12 seconds (js/display/main.js).
    expect(requests).to_have_attribute("data-page", "2", timeout=WAIT_MS)
    expect(requests.locator(".wall-page")).to_contain_text("Page 2 of")
    expect(overdue).to_be_visible()
    second_page = set(requests.locator(".request:visible").all_inner_texts())
    assert second_page - first_page, "page 2 shows the same requests as page 1"
    expect(ledger.locator(".ledger-line.pinned")).to_contain_text(day.newest_hand_over)
    fits(page, "1920x1080, page 2")

    # Live: a request recorded now is on the wall as the newest, at once.
    gatekeeper = Api(server.base, day.tokens["gatekeeper"])
    inspectors = gatekeeper.get(f"/inspections/{day.inspection}")["inspectors"]
    gatekeeper.post(
        f"/inspections/{day.inspection}/requests",
        {
            "title": "Request 61: the front door's audit",
            "requested_by": inspectors[0]["id"],
            "channel": "email",
        },
    )
    expect(requests.locator(".request.pinned", has_text="Request 61")).to_contain_text(
        "Newest"
    )
    fits(page, "1920x1080 after a new request")

    page.set_viewport_size({"width": 1366, "height": 768})
    expect(ledger.locator(".ledger-line.pinned")).to_contain_text(day.newest_hand_over)
    expect(overdue).to_be_visible()
    fits(page, "1366x768")
    context.close()
    assert not errors, errors


def test_the_working_wall_passes_axe_as_every_role_on_a_busy_day(
    browser: Browser, busy: tuple[Server, BusyDay]
) -> None:
    server, day = busy
    context, page, errors = new_page(browser, viewport=WALL_SCREEN, bypass_csp=True)
    for role in ("lead", "gatekeeper", "rapid_response", "staff", "auditor", "admin"):
        page.goto("about:blank")
        page.goto(f"{server.base}/#token={day.tokens[role]}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        page.locator(".view-tab[data-view=wall]").click()
        expect(page.locator("#ledger-body li").first).to_be_visible()
        expect(page.locator("#requests-body .card").first).to_be_visible()
        axe_serious(page, f"the working wall as {role}")
        page.evaluate("() => localStorage.clear()")
    context.close()
    assert not errors, errors
