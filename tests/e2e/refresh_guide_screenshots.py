"""Refreshes the pictures of the role guides (docs/guides/): a view of the page
as the person whose day it shows, on a laptop (1366x768), with the demo.

    .venv/bin/python -m tests.e2e.refresh_guide_screenshots

The wall, My day, the evidence view, the contacts and the blog's email have
pictures of their own (refresh_screenshot.py and the browser tests).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, expect, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Server, run_warroom
from tests.e2e.refresh_screenshot import COUNCIL_ENV, COUNCIL_LOCALE, demo_tokens

DOCS = Path(__file__).resolve().parents[2] / "docs"
# A port of its own (this project shares its machine).
PORT = 18320
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
# The picture's file -> whose day (the demo's token by role) and which view.
GUIDES: dict[str, tuple[str, str]] = {
    "plan-1366x768.png": ("lead", "plan"),
    "people-1366x768.png": ("admin", "admin"),
}


def shoot(browser: Browser, base: str, token: str, view: str, target: Path) -> None:
    context = browser.new_context(
        viewport=LAPTOP, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/#token={token}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=30_000
    )
    page.locator(f".view-tab[data-view={view}]").click()
    expect(page.locator(f"#view-{view}")).to_be_visible()
    page.wait_for_timeout(2000)
    page.evaluate("document.getAnimations().forEach(a => a.finish())")
    page.screenshot(path=str(target))
    context.close()
    assert not errors, errors


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as driver:
        database_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
        server = Server(database_url, port=PORT).start()
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, *COUNCIL_LOCALE],
            env=COUNCIL_ENV,
        )
        try:
            for name, (role, view) in GUIDES.items():
                shoot(browser, server.base, tokens[role], view, DOCS / name)
                print(f"saved {DOCS / name}")
        finally:
            browser.close()
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
