"""`/docs` in a real browser with the internet out of reach: Swagger UI loads
from the server's own files, runs under its content security policy, and
shows every operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from tests.e2e.browser import Server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(f"sqlite:///{tmp_path / 'docs.db'}").start()
    yield running
    running.stop()


def test_the_api_docs_render_with_nothing_fetched_from_elsewhere(
    server: Server, browser: Browser
) -> None:
    elsewhere: list[str] = []
    problems: list[str] = []

    def only_this_server(route: Route) -> None:
        url = route.request.url
        if url.startswith((server.base, "data:", "blob:")):
            route.continue_()
        else:  # as with no internet: nothing else answers
            elsewhere.append(url)
            route.abort()

    page = browser.new_page()
    page.route("**/*", only_this_server)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # A script or style the policy refused is reported on the console.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" else None
        ),
    )
    page.goto(f"{server.base}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    shown = page.locator(".opblock").count()
    page.locator(".opblock-summary-path", has_text="/kit-notes").first.click()
    page.wait_for_selector("text=KitNotesRead", timeout=10_000)
    page.close()
    assert elsewhere == []
    assert problems == []
    assert shown >= 45
