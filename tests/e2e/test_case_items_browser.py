"""A case's items browsed on the page (issue 22), on SQLite and PostgreSQL:
its details show the newest the board holds, say in words how many more
there are, and read the rest a page at a time when asked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect

from projections.cases import ITEMS_SHOWN
from tests.e2e.browser import CHROMIUM, Api, Server, add_user
from tests.e2e.test_page_roles import ZONE, Screen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ITEMS = 230  # the newest 20 on the board, then 100, 100 and the last 10


@dataclass
class World:
    server: Server
    inspection: str
    tokens: dict[str, str]


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """Today's inspection, one case, and an access log of `ITEMS` rows naming
    it, each a new item browsed by the lead inspector."""
    tokens = {
        "lead": add_user(database_url, "Lena Lead", "lead"),
        "rapid_response": add_user(database_url, "Rory Rapid", "rapid_response"),
    }
    server = Server(database_url).start()
    try:
        lead = Api(server.base, tokens["lead"])
        today = datetime.now(ZONE).date()
        iid = lead.post(
            "/inspections",
            {
                "title": "Browsing",
                "framework": "SIF",
                "starts_on": (today - timedelta(days=1)).isoformat(),
            },
        )["id"]
        base = f"/inspections/{iid}"
        lead.post(f"{base}/inspectors", {"name": "Helen Ward", "lead": True})
        rory = Api(server.base, tokens["rapid_response"])
        rory.post(
            f"{base}/cases", {"ref": "CP-0042", "selection": "audited"} | {"plan": "CP"}
        )
        # Browsed in the last hour, whenever the test runs (a browse to come is
        # refused, and 08:00 today is to come after midnight).
        start = datetime.now(ZONE) - timedelta(hours=1)
        rows = "".join(
            f"Helen Ward,CP-0042,Case note {n:03d},"
            f"{(start + timedelta(seconds=n)).isoformat()}\n"
            for n in range(ITEMS)
        )
        content = f"user,case_ref,item,accessed_at\n{rows}".encode()
        uploaded = httpx.post(
            f"{server.base}/api{base}/access-log",
            files={"file": ("access.csv", content, "text/csv")},
            headers={"Authorization": f"Bearer {tokens['rapid_response']}"},
            timeout=60,
        )
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["events"] == ITEMS
        yield World(server, str(iid), tokens)
    finally:
        server.stop()


def test_a_cases_details_show_its_newest_items_and_read_the_rest_when_asked(
    browser: Browser, world: World
) -> None:
    rory = Screen(browser, world, "rapid_response")  # type: ignore[arg-type]
    page = rory.page
    tile = page.locator("#cases-body .case", has_text="CP-0042")
    expect(tile.locator(".browse")).to_contain_text(f"Case note {ITEMS - 1:03d}")
    tile.locator("button.case-open").click()
    details = rory.detail
    items = details.locator(".items-browsed li")
    more = details.locator(".items-more")
    button = details.locator(".items-more-button")

    expect(details).to_contain_text(f"Items browsed: {ITEMS}, newest first")
    expect(items).to_have_count(ITEMS_SHOWN)
    expect(items.first).to_have_text(f"Case note {ITEMS - 1:03d} (once)")
    expect(more).to_have_text(f"And {ITEMS - ITEMS_SHOWN} more items.")
    expect(button).to_have_text("Show the next 100")

    button.click()
    expect(items).to_have_count(ITEMS_SHOWN + 100)
    expect(more).to_have_text(f"And {ITEMS - ITEMS_SHOWN - 100} more items.")
    button.click()
    expect(items).to_have_count(ITEMS_SHOWN + 200)
    expect(button).to_have_text("Show the next 10")
    button.click()
    expect(items).to_have_count(ITEMS)
    expect(items.last).to_have_text("Case note 000 (once)")
    expect(button).to_be_hidden()
    expect(more).to_have_text("")
    # Newest first throughout, each item once.
    texts = items.all_text_contents()
    assert texts == [f"Case note {n:03d} (once)" for n in range(ITEMS - 1, -1, -1)]
    rory.axe("a case's items browsed, all read")
    rory.close()
