"""The evidence view in the browser (issue 25), on both databases, as the
auditor of the demo with two days closed: the whole record checked (its
result in words), a receipt downloaded and checked in the browser (names
included), two day seals checked for consistency, the export and the
hand-over packet downloaded; a receipt or proof altered on its way to the
page is said not to check; the lead has the view without what only an
auditor may do; staff are offered neither the view nor its routes, and
nothing is stored by asking. Screenshots at a wall screen, a laptop and a
phone (into WARROOM_SCREENS or a temporary folder)."""

from __future__ import annotations

import base64
import json
import os
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect

from tests.e2e.browser import Api, Server, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES: dict[str, ViewportSize] = {
    "1920x1080": {"width": 1920, "height": 1080},
    "1366x768": {"width": 1366, "height": 768},
    "390x844": {"width": 390, "height": 844},
}


def _open(browser: Browser, base: str, token: str, viewport: ViewportSize) -> Page:
    # bypass_csp only so that the test can inject axe-core: the page's own
    # policy is tested in test_security_headers.py.
    context = browser.new_context(
        viewport=viewport,
        locale="en-GB",
        timezone_id="Europe/London",
        accept_downloads=True,
        bypass_csp=True,
    )
    page = context.new_page()
    page.goto(f"{base}/#token={token}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=30_000
    )
    return page


def _evidence(page: Page) -> None:
    tab = page.locator(".view-tab[data-view=evidence]")
    tab.scroll_into_view_if_needed()
    tab.click()
    expect(page.locator("#view-evidence")).to_be_visible()
    expect(page.locator("#evidence-checkpoint-words")).to_contain_text(
        "Its signature was checked in this browser"
    )


def _no_serious_axe_finding(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    results: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, bad


def _close_two_days(base: str, lead_token: str) -> tuple[str, str]:
    lead = Api(base, lead_token)
    inspection = lead.get("/inspections")["inspections"][0]
    first = date.fromisoformat(inspection["starts_on"])
    days = (first.isoformat(), (first + timedelta(days=1)).isoformat())
    for day in days:
        lead.post(f"/inspections/{inspection['id']}/days/close", {"day": day})
    return days


def _stored(base: str, token: str) -> int:
    """How many entries the council's log holds (its signed size)."""
    answer = httpx.get(
        f"{base}/api/log/checkpoint", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    return int(answer.text.split("\n")[1])


def test_the_auditor_proves_the_record_from_the_evidence_view(
    browser: Browser, database_url: str, tmp_path: Path
) -> None:
    screens = Path(os.environ.get("WARROOM_SCREENS", tmp_path))
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        days = _close_two_days(server.base, tokens["lead"])
        page = _open(browser, server.base, tokens["auditor"], SIZES["1366x768"])
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _evidence(page)
        expect(page.locator("#evidence-key")).to_contain_text("+")

        # The whole record, checked, in words.
        page.get_by_role("button", name="Check the whole record").click()
        result = page.locator("#evidence-verify-result")
        expect(result).to_contain_text(
            "The record has not been changed", timeout=60_000
        )
        expect(result).to_contain_text("were checked one by one")
        bar = page.locator("#evidence-verify-progress")
        assert bar.get_attribute("value") == bar.get_attribute("max")

        # A receipt: downloaded, and checked in this browser with its names.
        line = page.locator("#evidence-receipts-body li").first
        with page.expect_download() as downloading:
            line.get_by_role("button", name="Download and check the receipt").click()
        download = downloading.value
        assert download.suggested_filename.startswith("receipt-line-")
        receipt = json.loads(Path(download.path()).read_text())
        assert len(receipt["names"]) == 3 and receipt["checkpoint"]
        said = line.locator(".receipt-result")
        expect(said).to_contain_text("checked in this browser")
        expect(said).to_contain_text("names included")
        expect(said).to_contain_text("The council's signature on it was checked too")
        expect(said).to_contain_text("inspector)")
        expect(said).to_contain_text("warroom verify-receipt receipt-line-")
        # ...and it checks offline too, with the key the page shows.
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        key = page.locator("#evidence-key").inner_text().strip()
        offline = run_warroom(
            f"sqlite:///{tmp_path / 'none.db'}",
            "verify-receipt",
            str(saved),
            "--key",
            key,
        )
        assert "handed over to: " in offline and "inspector)" in offline

        # Two day seals: the later only added to the earlier.
        page.select_option("#evidence-seal-from", days[0])
        page.select_option("#evidence-seal-to", days[1])
        page.get_by_role("button", name="Check", exact=True).click()
        expect(page.locator("#evidence-seal-result")).to_contain_text(
            "only added to the record sealed on"
        )

        # The export and the packet, downloaded.
        with page.expect_download(timeout=120_000) as exporting:
            page.get_by_role("button", name="Download the export").click()
        export = exporting.value
        assert export.suggested_filename == "warroom-export.zip"
        with zipfile.ZipFile(export.path()) as zipped:
            manifest = json.loads(zipped.read("manifest.json"))
        assert manifest["events"] > 0
        expect(page.locator("#evidence-export-status")).to_contain_text(
            "Downloaded warroom-export.zip"
        )
        page.fill("#evidence-packet-password", "a long password")
        with page.expect_download() as packing:
            page.locator("#evidence-packet-download").click()
        packet = packing.value
        assert packet.suggested_filename == "handover-packet.zip"
        assert Path(packet.path()).read_bytes()[:2] == b"PK"
        _no_serious_axe_finding(page)
        # The plan view offers the auditor the packet too (the server allows it).
        page.locator(".view-tab[data-view=plan]").click()
        expect(page.locator("#plan-packet")).to_be_visible()
        assert not errors, errors
        page.context.close()

        for size, viewport in SIZES.items():
            page = _open(browser, server.base, tokens["auditor"], viewport)
            _evidence(page)
            page.get_by_role("button", name="Check the whole record").click()
            expect(page.locator("#evidence-verify-result")).to_contain_text(
                "has not been changed", timeout=60_000
            )
            expect(page.locator("#evidence-verify-run")).to_be_enabled()
            line = page.locator("#evidence-receipts-body li").first
            with page.expect_download():
                line.get_by_role(
                    "button", name="Download and check the receipt"
                ).click()
            expect(line.locator(".receipt-result")).to_contain_text("names included")
            page.select_option("#evidence-seal-from", days[0])
            page.select_option("#evidence-seal-to", days[1])
            page.get_by_role("button", name="Check", exact=True).click()
            expect(page.locator("#evidence-seal-result")).to_contain_text("only added")
            page.evaluate("window.scrollTo(0, 0)")
            page.locator("#view-evidence").evaluate("view => { view.scrollTop = 0; }")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (width, viewport)
            page.screenshot(path=str(screens / f"evidence-{size}.png"))
            page.context.close()
    finally:
        server.stop()


def _altered_leaf(route: Route) -> None:
    """A receipt on its way to the page with one byte of a name changed."""
    answer = route.fetch()
    body: dict[str, Any] = answer.json()
    leaf = bytearray(base64.b64decode(body["names"][0]["leaf"]))
    leaf[len(leaf) // 2] ^= 0x01
    body["names"][0]["leaf"] = base64.b64encode(bytes(leaf)).decode()
    route.fulfill(response=answer, json=body)


def _altered_proof(route: Route) -> None:
    answer = route.fetch()
    body: dict[str, Any] = answer.json()
    first = body["hashes"][0]
    body["hashes"][0] = ("0" if first[0] != "0" else "1") + first[1:]
    route.fulfill(response=answer, json=body)


def test_an_altered_receipt_or_proof_is_said_not_to_check(
    browser: Browser, database_url: str
) -> None:
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        days = _close_two_days(server.base, tokens["lead"])
        # The lead has the view, without the walk and the export (auditors').
        page = _open(browser, server.base, tokens["lead"], SIZES["1366x768"])
        _evidence(page)
        expect(page.locator("#evidence-verify")).to_be_hidden()
        expect(page.locator("#evidence-export")).to_be_hidden()
        page.route("**/api/inspections/*/ledger/*/receipt", _altered_leaf)
        page.route("**/api/log/proof/consistency*", _altered_proof)
        line = page.locator("#evidence-receipts-body li").first
        with page.expect_download():
            line.get_by_role("button", name="Download and check the receipt").click()
        expect(line.locator(".receipt-result")).to_contain_text(
            "it does NOT check: a name in it is not in the signed record"
        )
        page.select_option("#evidence-seal-from", days[0])
        page.select_option("#evidence-seal-to", days[1])
        page.get_by_role("button", name="Check", exact=True).click()
        expect(page.locator("#evidence-seal-result")).to_contain_text(
            "does NOT extend the record sealed on"
        )
        page.context.close()
    finally:
        server.stop()


def test_staff_have_neither_the_evidence_view_nor_its_routes(
    browser: Browser, database_url: str
) -> None:
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        before = _stored(server.base, tokens["auditor"])
        page = _open(browser, server.base, tokens["staff"], SIZES["1366x768"])
        expect(page.locator(".view-tab[data-view=evidence]")).to_be_hidden()
        page.goto(f"{server.base}/#view=evidence")
        expect(page.locator("#view-evidence")).to_be_hidden()
        iid = Api(server.base, tokens["staff"]).get("/inspections")["inspections"][0][
            "id"
        ]
        staff = {"Authorization": f"Bearer {tokens['staff']}"}
        for path in (
            "/api/verify",
            "/api/verify/progress",
            "/api/log/export",
            f"/api/inspections/{iid}/seals",
        ):
            answer = httpx.get(f"{server.base}{path}", headers=staff, timeout=60)
            assert answer.status_code == 403, (path, answer.text)
            assert "may not" in answer.json()["detail"], path
        assert _stored(server.base, tokens["auditor"]) == before
        page.context.close()
    finally:
        server.stop()
