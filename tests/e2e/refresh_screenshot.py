"""Refreshes docs/screenshot.png: the live screen with the demo inspection.

    .venv/bin/python -m tests.e2e.refresh_screenshot

Loads the demo into a fresh SQLite file (`warroom demo --no-serve`), serves it
with `warroom serve`, signs in as the rapid response team on a 1920x1080
screen (a wall screen's size), waits until the page is live and drawn, and
saves the picture. Run it whenever the page changes; the browser test runs it
too, into a temporary file, so it keeps working.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, expect, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Server, run_warroom

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
WALL_SCREEN: ViewportSize = {"width": 1920, "height": 1080}


def demo_tokens(printed: str) -> dict[str, str]:
    """The `role name token` lines `warroom demo` prints (first of each role)."""
    tokens: dict[str, str] = {}
    for line in printed.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) >= 2:
            tokens.setdefault(parts[0], parts[-1])
    return tokens


def take_screenshot(browser: Browser, path: Path, role: str = "rapid_response") -> None:
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
        server = Server(database_url).start()
        try:
            context = browser.new_context(viewport=WALL_SCREEN)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(server.base + "/")
            page.fill("#token-input", tokens[role])
            page.click("#sign-in-form button[type=submit]")
            expect(page.locator("#connection")).to_have_attribute(
                "data-state", "live", timeout=30_000
            )
            expect(page.locator("#cases-body .case")).to_have_count(30)
            expect(page.locator("#ledger-body li").first).to_be_visible()
            # Let the "changed" outline animation finish before the picture.
            page.wait_for_function("!document.querySelector('.panel.flash')")
            page.evaluate("document.getAnimations().forEach(a => a.finish())")
            page.screenshot(path=str(path))
            context.close()
            assert not errors, errors
        finally:
            server.stop()


def main() -> int:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            take_screenshot(browser, SCREENSHOT)
        finally:
            browser.close()
    print(f"saved {SCREENSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
