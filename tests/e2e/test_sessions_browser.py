"""The page signs in from a sign-in link and then holds nothing but the
session's cookie (issue 26), in a real browser, on both databases.

Every request the browser makes is recorded: none carries a token or the
link's secret in its address; the page's storage holds neither; the stream,
a print page and its PDF all work from the cookie; a command carries the
CSRF token; signing out ends the session on the server.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.e2e.browser import Server, new_page, run_warroom


def _add_user(url: str, name: str, role: str) -> tuple[str, str]:
    """Their sign-in link's secret, and their bearer token."""
    lines = run_warroom(url, "user", "add", "--name", name, "--role", role).splitlines()
    link = next(line for line in lines if line.startswith("their sign-in link:"))
    return link.split("#token=", 1)[1], lines[-1]


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[Server, str, str, str]]:
    link, token = _add_user(database_url, "Lena Lead", "lead")
    server = Server(database_url).start()
    opened = httpx.post(
        f"{server.base}/api/inspections",
        json={"title": "Sessions SIF", "framework": "SIF", "starts_on": "2026-11-23"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    yield server, link, token, opened.json()["id"]
    server.stop()


# Everything the page keeps in this browser's storage, as text.
STORAGE = (
    "JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
)


def _stored(page: Page) -> str:
    return str(page.evaluate(STORAGE))


def test_the_page_signs_in_from_a_link_and_holds_nothing_but_the_cookie(
    browser: Browser, served: tuple[Server, str, str, str]
) -> None:
    server, link, token, _ = served
    context, page, errors = new_page(browser)
    addresses: list[str] = []

    def record(request: Request) -> None:
        addresses.append(request.url)

    context.on("request", record)
    page.goto(f"{server.base}/#token={link}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    # The secret left the address bar; nothing of it, nor of the token, is
    # kept by the page; the cookie is beyond the page's script.
    assert page.evaluate("location.hash") in ("", "#view=day", "#view=plan")
    assert link not in page.url
    stored = _stored(page)
    assert link not in stored and token not in stored
    assert "warroom_session" not in page.evaluate("document.cookie")
    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["warroom_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"

    # A command from the page carries the CSRF token, and is stored.
    made = page.evaluate(
        """async () => {
          const { api } = await import('/js/api.js');
          const answer = await api('/inspections', { method: 'POST',
            json: { title: 'Second SIF', framework: 'SIF', starts_on: '2026-11-23' } });
          return answer.id;
        }"""
    )
    assert made

    # A print page in a new tab, and its PDF: signed in by the cookie.
    with context.expect_page() as opened:
        page.evaluate("import('/js/panels/plan.js').then((m) => m.openPrint('ledger'))")
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("body")).to_contain_text("Sessions SIF")
    tab.close()
    pdf = page.evaluate(
        """async () => {
          const { printUrl } = await import('/js/panels/plan.js');
          const answer = await fetch(printUrl('ledger', { pdf: true }));
          return [answer.status, answer.headers.get('content-type')];
        }"""
    )
    assert pdf == [200, "application/pdf"]

    # The stream was opened by the cookie, as every request was: no token,
    # no secret in any address the browser asked for.
    assert any("/stream" in a for a in addresses), addresses
    assert any("/print/inspections/" in a for a in addresses), addresses
    for address in addresses:
        assert "token=" not in address, address
        assert token not in address and link not in address, address

    # Signing out ends the session on the server, not only in this browser.
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    gone = httpx.get(
        f"{server.base}/api/me",
        cookies={"warroom_session": session["value"]},
        timeout=10,
    )
    assert gone.status_code == 401
    page.reload()
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#sign-in-error")).to_be_hidden()

    # The link was spent: opened again, it says so and signs nobody in.
    page.goto("about:blank")
    page.goto(f"{server.base}/#token={link}")
    expect(page.locator("#sign-in-error")).to_contain_text("already used")
    context.close()
    assert not errors, errors


def test_a_token_an_older_page_kept_is_exchanged_once_and_removed(
    browser: Browser, served: tuple[Server, str, str, str]
) -> None:
    server, _, token, _ = served
    context, page, errors = new_page(browser)
    page.goto(f"{server.base}/")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#sign-in-error")).to_be_hidden()
    page.evaluate("(t) => localStorage.setItem('warroom.token', t)", token)
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert page.evaluate("localStorage.getItem('warroom.token')") is None
    # Signed in by the session from then on.
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    # Pasted into the sign-in card, a token is exchanged as a link's secret is.
    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    page.fill("#token-input", token)
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert token not in _stored(page)
    context.close()
    assert not errors, errors


def test_swagger_uis_authorize_takes_the_bearer_token(
    browser: Browser, served: tuple[Server, str, str, str]
) -> None:
    server, _, token, _ = served
    context, page, errors = new_page(browser)
    page.goto(f"{server.base}/docs")
    page.locator("button.authorize").first.click()
    dialog = page.locator(".modal-ux")
    # Both ways to sign in are offered: the token and the session's cookie.
    expect(dialog).to_contain_text("bearer")
    expect(dialog).to_contain_text("warroom_session")
    dialog.locator("input").first.fill(token)
    dialog.locator("button.modal-btn.auth.authorize").first.click()
    dialog.locator("button.btn-done").first.click()
    me = page.locator("#operations-users-me_api_me_get")
    me.locator(".opblock-summary").click()
    me.locator("button.try-out__btn").click()
    me.locator("button.execute").click()
    expect(
        me.locator(".live-responses-table tr.response .response-col_status").first
    ).to_have_text("200")
    expect(me.locator(".live-responses-table")).to_contain_text("Lena Lead")
    context.close()
    assert not errors, errors
