"""axe-core (vendored, tests/e2e/vendor/axe.min.js) over every view of the
page, as every role, on SQLite and PostgreSQL: nothing serious or critical
(issue 25). The views are those the page offers each person (its tabs), so a
new view is checked without changing this file; each view is also checked
to be the page's one `<main>` landmark while shown, and its tab the current
page.

Data sets: `DATA_SETS` names each day the page is checked on, and how it is
loaded into an empty database: what is loaded before the server starts
(answering the sign-in token of one person of each role), and what is loaded
through the running server after. The demo (`warroom demo --no-serve`) and
the busy day of tests/e2e/busy_day.py (60 requests, 40 cases, 30 hand-overs,
20 meetings today, 15 KIT notes, over HTTP), each on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import CHROMIUM, Server, new_page, run_warroom
from tests.e2e.busy_day import busy_day_users, load_busy_day
from tests.e2e.refresh_screenshot import demo_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROLES = ("admin", "lead", "gatekeeper", "rapid_response", "staff", "auditor")
# What fails the test: axe's two worst impacts.
BAD = ("serious", "critical")

# A data set: what loads a day into the database at the URL before the
# server starts, answering the token of one person of each role (at least
# those in ROLES); and what loads the rest through the running server, if
# anything (its base URL and those tokens).
Before = Callable[[str], dict[str, str]]
After = Callable[[str, dict[str, str]], object] | None


def demo(database_url: str) -> dict[str, str]:
    return demo_tokens(run_warroom(database_url, "demo", "--no-serve"))


DATA_SETS: dict[str, tuple[Before, After]] = {
    "demo": (demo, None),
    "busy_day": (busy_day_users, load_busy_day),
}


@pytest.fixture(params=sorted(DATA_SETS))
def loaded(
    request: pytest.FixtureRequest, database_url: str
) -> Iterator[tuple[Server, dict[str, str]]]:
    before, after = DATA_SETS[request.param]
    tokens = before(database_url)
    server = Server(database_url).start()
    try:
        if after is not None:
            after(server.base, tokens)
        yield server, tokens
    finally:
        server.stop()


def violations(page: Page) -> list[tuple[str, str, list[Any]]]:
    """axe's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in BAD
    ]


def offered_views(page: Page) -> list[str]:
    tabs = page.locator(".view-tab:visible")
    return [str(tabs.nth(i).get_attribute("data-view")) for i in range(tabs.count())]


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the view's debounced read drawn


def test_axe_finds_nothing_serious_on_any_view_as_any_role(
    browser: Browser, loaded: tuple[Server, dict[str, str]]
) -> None:
    server, tokens = loaded
    found: dict[str, list[tuple[str, str, list[Any]]]] = {}
    checked: list[str] = []
    for role in ROLES:
        # bypass_csp only so that the test can inject axe-core: the page's
        # own policy is tested in test_security_headers.py.
        context, page, errors = new_page(browser, bypass_csp=True)
        page.goto(f"{server.base}/#token={tokens[role]}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        views = offered_views(page)
        assert "wall" in views and "day" in views, (role, views)
        for view in views:
            page.click(f".view-tab[data-view={view}]")
            expect(page.locator(f".view-tab[data-view={view}]")).to_have_attribute(
                "aria-current", "page"
            )
            expect(page.locator(f"#view-{view}")).to_be_visible()
            settle(page)
            # The shown view is the one main landmark axe sees.
            assert page.evaluate(
                "[...document.querySelectorAll('main')].filter(m => !m.hidden)"
                ".map(m => m.id)"
            ) == [f"view-{view}"], (role, view)
            bad = violations(page)
            if bad:
                found[f"{role}, {view}"] = bad
            checked.append(f"{role}, {view}")
        context.close()
        assert not errors, (role, errors)
    assert len(checked) >= 6 * 5, checked  # every role saw the common views
    assert not found, found
