"""Refreshes the screenshots in docs/: the live screen with the demo inspection
at 1920x1080 (a wall screen, docs/screenshot.png), 1366x768 (a laptop) and
390x844 (a phone).

    .venv/bin/python -m tests.e2e.refresh_screenshot

Loads the demo into a fresh SQLite file (`warroom demo --no-serve`), serves it
with `warroom serve`, signs in as the rapid response team, waits until the
page is live and drawn, and saves the picture at each size. Run it whenever
the page changes; the browser test runs it too, into a temporary file, so it
keeps working.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, ViewportSize, expect, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Server, run_warroom

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
WALL_SCREEN: ViewportSize = {"width": 1920, "height": 1080}
# A council's browsers speak British English: Chromium draws a native date
# box as day/month/year only when it runs in en-GB itself (the context's
# locale sets the page's language, not the box), from LANGUAGE and Debian's
# chromium-l10n; without that package the boxes fall back to month/day/year.
COUNCIL_LOCALE = ["--lang=en-GB"]
COUNCIL_ENV: dict[str, str | float | bool] = {
    **os.environ,
    "LANGUAGE": "en_GB",
    "LANG": "en_GB.UTF-8",
}
SIZES: dict[str, ViewportSize] = {
    "screenshot.png": WALL_SCREEN,
    "screenshot-1366x768.png": {"width": 1366, "height": 768},
    "screenshot-390x844.png": {"width": 390, "height": 844},
}


def demo_tokens(printed: str) -> dict[str, str]:
    """The `role name token` lines `warroom demo` prints (first of each role)."""
    tokens: dict[str, str] = {}
    for line in printed.splitlines():
        parts = line.split()
        if line.startswith("  ") and len(parts) >= 2:
            tokens.setdefault(parts[0], parts[-1])
    return tokens


def take_screenshot(
    browser: Browser,
    path: Path,
    role: str = "rapid_response",
    sizes: dict[str, ViewportSize] | None = None,
) -> list[Path]:
    """Saves the screen at each size (file name -> viewport) into `path`'s
    folder; with no sizes, one wall-screen picture at `path`. Answers the files."""
    wanted = sizes or {path.name: WALL_SCREEN}
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{Path(folder) / 'demo.db'}"
        tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
        server = Server(database_url).start()
        try:
            for name, viewport in wanted.items():
                target = path.parent / name
                _shoot(browser, server.base, tokens[role], viewport, target)
                saved.append(target)
        finally:
            server.stop()
    return saved


def _shoot(
    browser: Browser, base: str, token: str, viewport: ViewportSize, target: Path
) -> None:
    context = browser.new_context(
        viewport=viewport, locale="en-GB", timezone_id="Europe/London"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Signed in by a sign-in link, as people are.
    page.goto(f"{base}/#token={token}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=30_000
    )
    expect(page.locator("#cases-body .case")).to_have_count(30)
    expect(page.locator("#ledger-body li").first).to_be_visible()
    # Let the "changed" outline animation finish before the picture.
    # (A panel keeps its `flash` class after the outline fades: wait for the
    # last panels to be drawn and fitted, then finish any animation.)
    page.wait_for_timeout(2000)
    page.evaluate("document.getAnimations().forEach(a => a.finish())")
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
            saved = take_screenshot(browser, SCREENSHOT, sizes=SIZES)
        finally:
            browser.close()
    for path in saved:
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
