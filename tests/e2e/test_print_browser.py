"""A print page as a browser prints it: Debian's chromium, through Playwright,
against a real `warroom serve`. The Print buttons of the page open these
pages; what the browser prints must carry the inspection, the moment printed
and the page number on every page, as the server's own PDF does."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from tests.days import iso_day
from tests.servers import add_user, running_server

pytestmark = pytest.mark.browser
DAY = iso_day(1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A server with a day of 24 meetings: its URL, a token, the inspection."""
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    lead = add_user(url, "Lead", "lead")
    with running_server(url) as base:
        auth = {"Authorization": f"Bearer {lead}"}
        iid = httpx.post(
            f"{base}/api/inspections",
            json={
                "title": "Children's services SIF",
                "framework": "SIF",
                "starts_on": iso_day(0),
            },
            headers=auth,
        ).json()["id"]
        for n in range(24):
            hour = 8 + n // 2
            made = httpx.post(
                f"{base}/api/inspections/{iid}/meetings",
                json={
                    "title": f"Focus group {n}",
                    "kind": "focus_group",
                    "starts_at": f"{DAY}T{hour:02}:00:00+00:00",
                    "ends_at": f"{DAY}T{hour:02}:30:00+00:00",
                    "venue": f"Room {n}",
                    "topics": ["Thresholds", "Front door"],
                },
                headers=auth,
            )
            assert made.status_code == 201, made.text
        yield base, lead, iid


def test_a_print_page_printed_by_the_browser_numbers_and_heads_every_page(
    server: tuple[str, str, str], browser: Browser
) -> None:
    base, token, iid = server
    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    answer = page.goto(f"{base}/print/inspections/{iid}/schedule/{DAY}?token={token}")
    assert answer is not None and answer.status == 200
    assert page.locator("button, form, input, select, textarea, script").count() == 0
    # The style sheet loaded (no Content-Security-Policy refusal).
    layout = "getComputedStyle(document.querySelector('table.sheet')).tableLayout"
    assert page.evaluate(layout) == "fixed"
    pdf = page.pdf(prefer_css_page_size=True)
    page.close()
    assert not problems, problems
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    )
    pages = [" ".join(p.split()) for p in done.stdout.decode().split("\f") if p.strip()]
    assert len(pages) > 1
    for number, text in enumerate(pages, 1):
        assert "Children's services SIF (SIF)" in text, text[:120]
        assert "Printed at" in text
        assert f"Page {number} of {len(pages)}" in text
    assert "Focus group 23" in " ".join(pages)
