"""In the browser (issue 24): My day's calendar links (made, copied from a box
that stays, stopped) and the Contacts view, with screenshots at a wall
screen, a laptop and a phone (into WARROOM_SCREENS or a temporary folder)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Error, Page, ViewportSize, expect

from entrypoints.demo_script import CONTACTS
from tests.e2e.browser import Server, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens

SIZES: dict[str, ViewportSize] = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1366x768": {"width": 1366, "height": 768},
    "390x844": {"width": 390, "height": 844},
}


def _open(browser: Browser, base: str, token: str, viewport: ViewportSize) -> Page:
    context = browser.new_context(
        viewport=viewport, locale="en-GB", timezone_id="Europe/London"
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.goto(f"{base}/#token={token}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=30_000
    )
    return page


def _collect(errors: list[str]) -> Callable[[Error], None]:
    return lambda error: errors.append(str(error))


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, (width, inner)


def test_my_calendar_links_and_the_contacts_view(
    browser: Browser, database_url: str, tmp_path: Path
) -> None:
    screens = Path(os.environ.get("WARROOM_SCREENS", tmp_path))
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        for size, viewport in SIZES.items():
            page = _open(browser, server.base, tokens["staff"], viewport)
            errors: list[str] = []
            page.on("pageerror", _collect(errors))
            if viewport["width"] < 900:
                page.locator(".view-tab[data-view=day]").scroll_into_view_if_needed()
            page.locator(".view-tab[data-view=day]").click()
            links = page.locator("#day-links")
            expect(links).to_be_visible()
            expect(page.locator("#day-links-body")).to_contain_text(
                "No calendar link yet."
            )
            links.get_by_role("button", name="Make a calendar link").click()
            dialog = page.locator("#command-dialog")
            expect(dialog).to_be_visible()
            dialog.locator("#command-submit").click()
            box = page.locator("#day-link-box .link-box")
            expect(box).to_be_visible()
            url = box.locator("input.link-url").input_value()
            assert "/calendar/" in url and url.endswith(".ics"), url
            box.get_by_role("button", name="Copy").click()
            copied = page.evaluate("navigator.clipboard.readText()")
            assert copied == url
            expect(page.locator("#day-links-body .own-link")).to_have_count(1)
            if size == "1920x1080":
                # The old toast went after 12 s: the box stays until dismissed.
                page.wait_for_timeout(13_000)
                expect(box).to_be_visible()
            box.scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            _no_sideways_scroll(page)
            page.screenshot(path=str(screens / f"my-calendar-links-{size}.png"))
            # Stop it: the box can be dismissed, and the list empties.
            box.get_by_role("button", name="Done, hide the link").click()
            expect(page.locator("#day-link-box")).to_be_hidden()
            page.locator("#day-links-body").get_by_role(
                "button", name="Stop this link"
            ).click()
            dialog.locator("#command-submit").click()
            expect(page.locator("#day-links-body")).to_contain_text(
                "No calendar link yet."
            )
            assert server.base and url  # the link now answers 404:
            status = page.evaluate(
                "async (u) => (await fetch(u)).status",
                url.replace(url.split("/calendar/")[0], server.base),
            )
            assert status == 404
            # The Contacts view: everyone reads it; staff may not change it.
            page.locator(".view-tab[data-view=contacts]").click()
            expect(page.locator("#contacts-body .contact")).to_have_count(len(CONTACTS))
            expect(page.locator("#contacts-body")).to_contain_text(
                "Rapid response team"
            )
            expect(page.locator("#contacts-body .contact button")).to_have_count(0)
            expect(page.get_by_role("button", name="Add a contact")).to_be_hidden()
            phone = page.locator("#contacts-body .contact-phone").first
            assert (phone.get_attribute("href") or "").startswith("tel:")
            _no_sideways_scroll(page)
            page.screenshot(path=str(screens / f"contacts-{size}.png"))
            assert not errors, errors
            page.context.close()
        # The rapid response team keeps the list: Add, Change and Remove offered.
        page = _open(browser, server.base, tokens["rapid_response"], SIZES["1366x768"])
        page.locator(".view-tab[data-view=contacts]").click()
        expect(page.get_by_role("button", name="Add a contact")).to_be_visible()
        first = page.locator("#contacts-body .contact").first
        expect(first.get_by_role("button", name="Change")).to_be_visible()
        expect(first.get_by_role("button", name="Remove")).to_be_visible()
        # The blog's distribution list drawn from the contacts: pick one.
        page.locator(".view-tab[data-view=plan]").click()
        page.locator("#plan-distribution button.act-addRecipient").click()
        dialog = page.locator("#command-dialog")
        choice = dialog.locator("select[name=contact_id]")
        expect(choice).to_be_visible()
        with_email = [c for c in CONTACTS if "email" in c]
        # Only those with an email address, and "type them in" first.
        expect(choice.locator("option")).to_have_count(len(with_email) + 1)
        choice.select_option(
            label=next(
                o
                for o in choice.locator("option").all_inner_texts()
                if "Peter Okafor" in o
            )
        )
        # Which copy of the blog is chosen, never assumed: a partner's here.
        audience = dialog.locator("select[name=audience]")
        dialog.locator("#command-submit").click()
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("alert")).to_contain_text("Which copy of the blog")
        audience.select_option("partners")
        dialog.locator("#command-submit").click()
        expect(dialog).to_be_hidden()
        added = page.locator("#distribution-body .recipient", has_text="Peter Okafor")
        expect(added).to_contain_text("peter.okafor@council.example.org")
        expect(added).to_contain_text("(Education)")
        page.context.close()
        # The admin's calendar link: the same box, which stays, not a toast.
        page = _open(browser, server.base, tokens["admin"], SIZES["1366x768"])
        page.locator(".view-tab[data-view=plan]").click()
        page.locator("button.action[data-action=calendarLink]").click()
        dialog = page.locator("#command-dialog")
        dialog.locator("input[name=person]").fill("Linda Evans")
        dialog.locator("#command-submit").click()
        box = page.locator("#plan-link-box .link-box")
        expect(box).to_contain_text("The calendar link to Linda Evans's agenda")
        assert "/calendar/" in box.locator("input.link-url").input_value()
        page.wait_for_timeout(13_000)
        expect(box).to_be_visible()
        page.context.close()
    finally:
        server.stop()
