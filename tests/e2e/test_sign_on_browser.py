"""Single sign-on in a real browser (issue 26): people of two councils sign
in through the real provider's own login page, land with the roles their
groups give, sign out there too (RP-initiated logout), and are refused once
the provider's groups no longer map, with nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import CHROMIUM, new_page
from tests.e2e.sign_on_world import World, two_councils
from tests.oidc_provider import stored

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


def _log_in(page: Page, world: World, org: str, account: str) -> None:
    page.goto(f"{world.base}/auth/login?org={org}")
    # The provider's own login page, on the provider's own address.
    expect(page.locator("input[name=login]")).to_be_visible()
    assert page.url.startswith(world.provider.issuer)
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")


def _me(page: Page) -> dict[str, Any]:
    """GET /api/me as the page is signed in."""
    me: dict[str, Any] = page.evaluate(
        """async () => (await fetch('/api/me',
            {credentials: 'same-origin'})).json()"""
    )
    return me


def _log_out(page: Page, world: World) -> None:
    """The page's sign-out, a POST to /auth/logout that ends the session and
    goes on to end the provider's too (its own page asks to confirm)."""
    page.click("#sign-out")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{world.base}/**")


def test_two_councils_sign_in_through_their_provider_and_out_again(
    database_url: str, browser: Browser
) -> None:
    with two_councils(database_url) as world:
        for org, account, name, role in (
            (world.leeds, "ann", "Ann Archer", "admin"),
            (world.leeds, "bob", "Bob Baker", "staff"),
            (world.york, "cat", "Cat Cole", "lead"),
        ):
            context, page, errors = new_page(browser)
            _log_in(page, world, org, account)
            expect(page.locator("#me")).to_contain_text(name)
            expect(page.locator("body")).to_have_class(f"live role-{role}")
            me = _me(page)
            assert (me["name"], me["role"], me["organisation_id"]) == (
                name,
                role,
                org,
            )
            # No token left in the address the provider sent them back to.
            assert "token" not in page.url
            _log_out(page, world)
            # Signed out at the provider too: the next sign-in asks again.
            page.goto(f"{world.base}/auth/login?org={org}")
            expect(page.locator("input[name=login]")).to_be_visible()
            assert errors == []
            context.close()
        # Bob's groups no longer map: refused, nothing stored.
        world.provider.set_groups("bob", ["finance"])
        context, page, errors = new_page(browser)
        before = stored(database_url)
        _log_in(page, world, world.leeds, "bob")
        expect(page.locator("h1")).to_have_text("No access")
        assert stored(database_url) == before
        context.close()
