"""The blog panel's "Preview and send" (issue 24): the lead sees the exact
email each audience and one chosen recipient gets (its HTML part in a
sandboxed frame), sends it, and a second send needs a deliberate "Send
again"; the add-recipient form asks which copy, nothing chosen for them. The
HTML email itself reads on a 390 px phone without sideways scrolling."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Frame, expect

from tests.e2e.browser import CHROMIUM, WAIT_MS, new_page
from tests.servers import add_user, running_server
from tests.smtp import smtp_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")
REQUEST = "Annex A: list of children in need"
PUBLIC = "https://warroom.council.example/"


def _a_day(base: str, lead: str, gatekeeper: str) -> str:
    auth = {"Authorization": f"Bearer {lead}"}
    today = datetime.now(ZONE).date()
    iid: str = httpx.post(
        f"{base}/api/inspections",
        json={"title": "SIF", "framework": "SIF", "starts_on": today.isoformat()},
        headers=auth,
    ).json()["id"]
    inspector = httpx.post(
        f"{base}/api/inspections/{iid}/inspectors",
        json={"name": "Helen Ward", "lead": True},
        headers=auth,
    ).json()["id"]
    for name, address, audience in (
        ("Sam Staff", "sam@council.example", "war_room"),
        ("Pat Partner", "pat@police.example", "partners"),
    ):
        httpx.post(
            f"{base}/api/inspections/{iid}/distribution",
            json={"name": name, "email": address, "audience": audience},
            headers=auth,
        ).raise_for_status()
    httpx.post(
        f"{base}/api/inspections/{iid}/blog",
        json={
            "day": today.isoformat(),
            "title": "Day one went well",
            "body": "The inspectors met the leadership team and liked the plan.",
        },
        headers=auth,
    ).raise_for_status()
    httpx.post(
        f"{base}/api/inspections/{iid}/requests",
        json={"title": REQUEST, "requested_by": inspector, "channel": "kit"},
        headers={"Authorization": f"Bearer {gatekeeper}"},
    ).raise_for_status()
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), ZONE)
    for title, hour, people in (
        ("Partners' meeting", 9, ["Pat Partner"]),
        ("Staff focus group", 11, ["Sam Staff"]),
    ):
        httpx.post(
            f"{base}/api/inspections/{iid}/meetings",
            json={
                "title": title,
                "kind": "partner_meeting",
                "starts_at": (tomorrow + timedelta(hours=hour)).isoformat(),
                "ends_at": (tomorrow + timedelta(hours=hour, minutes=45)).isoformat(),
                "venue": "Room 1",
                "attendees": people,
                "inspectors": [inspector],
            },
            headers=auth,
        ).raise_for_status()
    return iid


def _frame(page_frame: Frame | None) -> Frame:
    assert page_frame is not None
    return page_frame


def test_the_lead_previews_each_copy_and_sends_it_once_then_again_deliberately(
    tmp_path: Path, browser: Browser
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    lead = add_user(url, "Lena Lead", "lead")
    gatekeeper = add_user(url, "Gail Gate", "gatekeeper")
    shots = Path(os.environ.get("WARROOM_SCREENSHOTS", tmp_path))
    with smtp_server() as inbox:
        env = {
            **inbox.env(),
            "WARROOM_BLOG_SEND_AT": "off",
            "WARROOM_MAIL_RETRIES": "0",
            "WARROOM_PUBLIC_URL": PUBLIC,
        }
        with running_server(url, env=env) as base:
            iid = _a_day(base, lead, gatekeeper)
            context, page, errors = new_page(browser)
            page.goto(base + "/")
            page.fill("#token-input", lead)
            page.click("#sign-in-form button[type=submit]")
            expect(page.locator("#connection")).to_have_attribute(
                "data-state", "live", timeout=WAIT_MS
            )
            page.click(".view-tab[data-view=blog]")
            preview = page.locator("#blog-preview")
            expect(preview).to_be_visible()
            preview.click()

            dialog = page.locator("#email-dialog")
            expect(dialog).to_be_visible()
            frame = page.frame_locator("#email-frame-wrap iframe")
            # The war room's copy, first: everything the day tells.
            expect(frame.locator("body")).to_contain_text(REQUEST)
            expect(frame.locator("body")).to_contain_text("Day one went well")
            iframe = page.locator("#email-frame-wrap iframe")
            expect(iframe).to_have_attribute("sandbox", "allow-same-origin")
            expect(dialog.locator(".email-subject")).to_contain_text(": SIF daily blog")
            # Its inline styles show, though the page forbids style attributes.
            size = frame.locator("p").first.evaluate(
                "p => getComputedStyle(p).fontSize"
            )
            assert size == "16px"
            for width, height in ((1920, 1080), (1366, 768)):
                page.set_viewport_size({"width": width, "height": height})
                page.screenshot(path=str(shots / f"blog-preview-{width}x{height}.png"))

            # The partners' copy: no request.
            page.select_option("#email-copy", "audience=partners")
            expect(frame.locator("body")).not_to_contain_text(REQUEST)
            expect(frame.locator("body")).to_contain_text("Day one went well")
            expect(frame.locator("body")).to_contain_text("Partners' meeting")
            # Pat's own: Pat's meeting first.
            page.select_option("#email-copy", "recipient=pat%40police.example")
            expect(frame.locator("body")).to_contain_text("Your meetings tomorrow")
            expect(dialog.locator("#email-headers")).to_contain_text(
                "pat@police.example"
            )
            first = frame.locator("h2").first
            expect(first).to_have_text("Your meetings tomorrow")
            expect(frame.locator("a")).to_have_attribute("href", PUBLIC)

            send = page.locator("#email-send")
            expect(send).to_have_text("Send to 2 people")
            expect(page.locator("#email-again-row")).to_be_hidden()
            send.click()
            expect(page.locator("#email-status")).to_contain_text(
                "Sent to 2 recipients"
            )
            assert sorted(to[0] for to, _ in inbox.received) == [
                "pat@police.example",
                "sam@council.example",
            ]
            # A second send is deliberate.
            expect(send).to_have_text("Send again")
            expect(send).to_be_disabled()
            page.check("#email-again")
            expect(send).to_be_enabled()
            send.click()
            expect(page.locator("#email-status")).to_contain_text(
                "Sent to 2 recipients"
            )
            assert len(inbox.received) == 4
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(shots / "blog-preview-390x844.png"))
            page.click("#email-close")

            # The add-recipient form asks which copy, with nothing chosen.
            page.set_viewport_size({"width": 1366, "height": 768})
            page.click(".view-tab[data-view=plan]")
            page.click("#plan-distribution button.act-addRecipient")
            audience = page.locator("#field-audience")
            expect(audience).to_have_value("")
            expect(audience.locator("option").first).to_have_text("Choose…")
            page.fill("#field-name", "Rae Health")
            page.fill("#field-email", "rae@nhs.example")
            page.click("#command-submit")
            expect(page.locator("#command-dialog")).to_be_visible()
            expect(audience).to_have_attribute("aria-invalid", "")  # marked, refused
            listed = httpx.get(
                f"{base}/api/inspections/{iid}/distribution",
                headers={"Authorization": f"Bearer {lead}"},
            ).json()["recipients"]
            assert len(listed) == 2  # nothing sent blank
            audience.select_option("partners")
            page.click("#command-submit")
            expect(page.locator("#distribution-body")).to_contain_text(
                "Rae Health <rae@nhs.example> partner's copy"
            )
            context.close()
            assert not errors, errors


def test_the_html_email_reads_on_a_phone_without_sideways_scrolling(
    tmp_path: Path, browser: Browser
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    lead = add_user(url, "Lena Lead", "lead")
    gatekeeper = add_user(url, "Gail Gate", "gatekeeper")
    shots = Path(os.environ.get("WARROOM_SCREENSHOTS", tmp_path))
    with running_server(url, env={"WARROOM_BLOG_SEND_AT": "off"}) as base:
        iid = _a_day(base, lead, gatekeeper)
        day = datetime.now(ZONE).date().isoformat()
        copies = {
            audience: httpx.get(
                f"{base}/api/inspections/{iid}/blog/{day}/email",
                params={"audience": audience, "format": "json"},
                headers={"Authorization": f"Bearer {lead}"},
            ).json()["html"]
            for audience in ("war_room", "partners")
        }
    for audience, html in copies.items():
        for width, height in ((390, 844), (1366, 768)):
            context, page, errors = new_page(
                browser, viewport={"width": width, "height": height}
            )
            page.set_content(html)
            # No sideways scrolling, and body text at least 16 px.
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (audience, width, wide)
            sizes = page.evaluate(
                "[...document.querySelectorAll('p, li')]"
                ".map(e => parseFloat(getComputedStyle(e).fontSize))"
            )
            assert sizes and min(sizes) >= 16, sizes
            page.screenshot(
                path=str(shots / f"blog-email-{audience}-{width}x{height}.png"),
                full_page=True,
            )
            context.close()
            assert not errors, errors
