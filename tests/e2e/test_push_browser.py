"""The page's side of notifications on the phone, in Debian's chromium: the
web app manifest (a phone adds the page to its home screen with it), the
service worker that shows what the server pushes, and My day's control.

Headless chromium cannot reach a real push service (Google's, here) from
these machines, so it cannot make a real subscription: what it can run is
tested here (the worker registered over the whole page, a push handed to it
through the DevTools protocol shown as a notification that opens the page,
the control and what it says when subscribing fails); the server's side,
from a subscription to a message decrypted at a push service, is tested end
to end in tests/integration/test_push.py and tests/e2e/test_push_across_servers.py.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.days import iso_day
from tests.e2e.browser import CHROMIUM, Api, Server, add_user, new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

# Kept to look at, outside the repository.
SHOTS = Path(tempfile.gettempdir()) / "warroom-push-shots"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('push') / 'warroom.db'}"
    lead = add_user(database_url, "Lee Lead", "lead")
    staff = add_user(database_url, "Sam Staff", "staff")
    running = Server(database_url).start()
    api = Api(running.base, lead)
    iid = api.post(
        "/inspections",
        {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
    )["id"]
    api.post(
        f"/inspections/{iid}/meetings",
        {
            "title": "Focus group with social workers",
            "kind": "focus_group",
            "starts_at": f"{iso_day(14)}T10:00:00+00:00",
            "ends_at": f"{iso_day(14)}T11:00:00+00:00",
            "venue": "Room 1",
            "attendees": ["Sam Staff"],
            "inspectors": [],
            "topics": [],
        },
    )
    try:
        yield running, staff
    finally:
        running.stop()


def my_day(browser: Browser, base: str, token: str, **options: object) -> Page:
    _, page, errors = new_page(browser, **options)
    page.goto(f"{base}/#token={token}")
    page.click(".view-tab[data-view=day]")
    # My day opens on tomorrow from 15:00: the meeting's own day is chosen.
    page.locator("#day-day").fill(iso_day(14))
    page.locator("#day-day").dispatch_event("change")
    expect(page.locator("#day-body")).to_contain_text("Focus group")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def test_the_manifest_is_served_valid_and_linked_with_icons_a_phone_can_use(
    server: tuple[Server, str],
) -> None:
    base = server[0].base
    page = httpx.get(f"{base}/").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page

    answer = httpx.get(f"{base}/manifest.webmanifest")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(answer.text)
    assert manifest["name"] == "War room"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/" and manifest["start_url"].startswith("/")
    sizes = set()
    for icon in manifest["icons"]:
        got = httpx.get(base + icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(got.content))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.add((icon["sizes"], icon.get("purpose", "any")))
    # What Chrome asks of an installable page: 192 and 512, and a maskable one.
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_service_worker_is_served_from_the_root_under_the_pages_policy(
    server: tuple[Server, str],
) -> None:
    answer = httpx.get(f"{server[0].base}/sw.js")
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]
    policy = answer.headers["content-security-policy"]
    # Workers and manifests come under default-src 'self': nothing widened.
    assert "default-src 'self'" in policy and "worker-src" not in policy


def test_my_day_offers_the_control_and_registers_the_worker_over_the_page(
    browser: Browser, server: tuple[Server, str]
) -> None:
    running, staff = server
    page = my_day(browser, running.base, staff)

    control = page.locator("#day-push")
    expect(control).to_be_visible()
    expect(control).to_have_text("Tell me on this device")
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == f"{running.base}/"
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()


def test_a_push_to_the_worker_shows_a_notification_that_opens_my_day(
    browser: Browser, server: tuple[Server, str]
) -> None:
    running, staff = server
    page = my_day(browser, running.base, staff)
    page.context.grant_permissions(["notifications"], origin=running.base)
    page.evaluate("async () => await navigator.serviceWorker.ready")
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, str]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if not r.get("isDeleted")]
    told = {
        "title": "New room: Focus group with social workers",
        "body": "Now in Room 9, Mon 7 Dec at 10:00.",
        "url": "/#view=day",
    }

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": running.base + "/",
            "registrationId": registration["registrationId"],
            "data": json.dumps(told),
        },
    )

    shown = None
    deadline = time.monotonic() + 10
    while shown is None and time.monotonic() < deadline:
        shown = page.evaluate(
            """async () => {
              const reg = await navigator.serviceWorker.ready;
              const [n] = await reg.getNotifications();
              return n ? { title: n.title, body: n.body, url: n.data.url } : null;
            }"""
        )
        page.wait_for_timeout(100)
    assert shown == told
    page.context.close()


def test_subscribing_where_no_push_service_answers_says_so_in_plain_words(
    browser: Browser, server: tuple[Server, str]
) -> None:
    running, staff = server
    page = my_day(browser, running.base, staff, viewport={"width": 390, "height": 844})
    page.context.grant_permissions(["notifications"], origin=running.base)

    page.click("#day-push")

    status = page.locator("#day-push-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("could not be reached")
    expect(page.locator("#day-push")).to_be_enabled()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "push-not-reached-390x844.png"))
    page.context.close()


def test_a_link_to_my_day_opens_my_day(
    browser: Browser, server: tuple[Server, str]
) -> None:
    running, staff = server
    _, page, errors = new_page(browser)
    page.goto(f"{running.base}/#token={staff}")
    # Staff land on My day (issue 25): the link opens it from another view.
    page.click(".view-tab[data-view=wall]")
    expect(page.locator("#view-wall")).to_be_visible()
    page.evaluate("() => { location.hash = 'view=day'; }")
    expect(page.locator("#view-day")).to_be_visible()
    assert errors == []
    page.context.close()


@pytest.mark.parametrize("width,height", [(1920, 1080), (1366, 768), (390, 844)])
def test_my_day_with_the_control_is_screenshotted(
    browser: Browser, server: tuple[Server, str], width: int, height: int
) -> None:
    running, staff = server
    page = my_day(
        browser, running.base, staff, viewport={"width": width, "height": height}
    )
    expect(page.locator("#day-push")).to_be_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"push-my-day-{width}x{height}.png"))
    page.context.close()
