"""Refreshes the pictures of the room's wall (/wall) on a busy day in docs/:
docs/wall-busy-1920x1080.png (a wall screen) and docs/wall-busy-1366x768.png.

    .venv/bin/python -m tests.e2e.refresh_wall_screenshot

Loads the busy day (tests/e2e/busy_day.py) over HTTP into a fresh SQLite
file, opens /wall with a staff member's sign-in link (the wall's own device
credential once it has one), and saves the picture at each size once the
stream is live and the panels are drawn.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, expect, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Server
from tests.e2e.busy_day import busy_day_users, load_busy_day
from tests.e2e.refresh_screenshot import COUNCIL_ENV, COUNCIL_LOCALE

DOCS = Path(__file__).resolve().parents[2] / "docs"
SIZES: dict[str, ViewportSize] = {
    "wall-busy-1920x1080.png": {"width": 1920, "height": 1080},
    "wall-busy-1366x768.png": {"width": 1366, "height": 768},
}


def take_wall_screenshots(browser: Browser, folder: Path) -> list[Path]:
    """Saves the busy wall at each size into `folder`; answers the files."""
    saved = []
    with tempfile.TemporaryDirectory() as work:
        database_url = f"sqlite:///{Path(work) / 'busy.db'}"
        tokens = busy_day_users(database_url)
        server = Server(database_url).start()
        try:
            load_busy_day(server.base, tokens)
            for name, viewport in SIZES.items():
                target = folder / name
                _shoot(
                    browser,
                    f"{server.base}/wall#token={tokens['staff']}",
                    viewport,
                    target,
                )
                saved.append(target)
        finally:
            server.stop()
    return saved


def _shoot(
    browser: Browser, address: str, viewport: ViewportSize, target: Path
) -> None:
    context = browser.new_context(
        viewport=viewport, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(address)
    expect(page.locator("#display-connection")).to_have_text("Live", timeout=30_000)
    expect(page.locator("#wall-ledger .ledger-line").first).to_be_visible()
    expect(page.locator("#wall-cases .wall-tile").first).to_be_visible()
    page.screenshot(path=str(target))
    context.close()
    assert not errors, errors


def main() -> int:
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, *COUNCIL_LOCALE],
            env=COUNCIL_ENV,
        )
        try:
            saved = take_wall_screenshots(browser, DOCS)
        finally:
            browser.close()
    for path in saved:
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
