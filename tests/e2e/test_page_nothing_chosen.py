"""Nothing chosen for the user (issue 23), in a real browser on the demo, on
SQLite and PostgreSQL.

Every form's select that records a judgement, a classification or how
something was done starts on "Choose…" (or on the item's own value: the
phase, a judgement already recorded, the inspector who asked). Pressing send
with one unchosen sends nothing, stores nothing, and says which field wants
a choice. Every form of a JSON command offers "When it happened": filled in,
it is recorded as the event's occurred_at; blank, it is not sent (now).

The forms are the page's own, opened by its own dialog on the demo page; the
items of the item forms are made up (a request with a document, a case, an
Annex A document), so that what they start on is known whatever the demo
holds, and are never sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.e2e.browser import CHROMIUM, Server, new_page, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")

REQUEST = {
    "id": "made-up-request",
    "title": "A made-up request",
    "version": 1,
    "requested_by": None,
    "assignee": None,
    "document": {"name": "a.pdf", "version": "1", "sha256": "0" * 64},
}
CASE = {
    "id": "made-up-case",
    "ref": "MADE-UP-1",
    "plan": "CP",
    "judgement": None,
    "not_yet_notified": ["social_worker", "iro", "parents_carers"],
    "audit": None,
}
ANNEX_A_DOCUMENT = {
    "id": "made-up-document",
    "title": "Self-evaluation",
    "rag_complete": None,
    "rag_quality": None,
}

# The page's form (COMMAND_FORMS' name), the item it is opened on, and its
# selects that must start unchosen and be chosen before it is sent, in the
# order the form shows them.
# Commands whose form offers no "When it happened": they happen when sent.
ONLY_NOW = {"AddUser", "RotateToken", "RevokeToken", "LimitInspections", "SetUserEmail"}

UNCHOSEN: list[tuple[str, Any, list[str]]] = [
    ("RecordRequest", None, ["requested_by", "channel"]),
    ("AssignRequest", REQUEST, ["assignee"]),
    ("ReleaseDocument", REQUEST, ["to", "medium"]),
    ("ScheduleMeeting", None, ["kind"]),
    ("RecordKitNote", None, ["meeting"]),
    ("SelectCase", None, ["selection", "plan"]),
    # A checklist of the parties (issue 25): no select; none ticked (below).
    ("NotifyCaseParty", CASE, []),
    ("LinkRequestToLineOfEnquiry", REQUEST, ["line_of_enquiry"]),
    ("JudgeCase", CASE, ["judgement"]),
    ("RecordCaseBrowsed", None, ["case", "inspector"]),
    ("OpenInspection", None, ["framework"]),
    ("AddUser", None, ["role"]),
    ("ConcludeCaseAudit", CASE, ["judgement"]),
    ("RecordJudgementSeen", CASE, ["by"]),
    ("MakeCaseCopy", CASE, ["copy_for"]),
    ("HandOverCaseCopy", CASE, ["copy_for", "medium"]),
    ("ReleaseCaseCopy", CASE, ["to", "medium"]),
    ("RecordDebrief", None, ["meeting"]),
]
# Selects that may start blank and be sent so: "no playbook".
OPTIONAL_SELECTS = {
    ("OpenInspection", "template"),
    # The line of enquiry a request answers, if any (issue 25): starts on none.
    ("RecordRequest", "line_of_enquiry"),
}


@dataclass
class Demo:
    server: Server
    tokens: dict[str, str]
    inspection: str

    def events_after(self, cursor: int) -> tuple[list[dict[str, Any]], int]:
        """The inspection's events after `cursor`, and the cursor after them."""
        found: list[dict[str, Any]] = []
        while True:
            answer = httpx.get(
                f"{self.server.base}/api/inspections/{self.inspection}/events",
                params={"after": cursor},
                headers={"Authorization": f"Bearer {self.tokens['auditor']}"},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            page = answer.json()
            found.extend(page["events"])
            if not page["events"] or page["next"] == cursor:
                return found, cursor
            cursor = page["next"]

    def head(self) -> int:
        return self.events_after(0)[1]


@pytest.fixture
def demo(database_url: str) -> Iterator[Demo]:
    tokens = demo_tokens(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        (inspection,) = httpx.get(
            f"{server.base}/api/inspections",
            headers={"Authorization": f"Bearer {tokens['lead']}"},
            timeout=30,
        ).json()["inspections"]
        yield Demo(server, tokens, str(inspection["id"]))
    finally:
        server.stop()


def open_form(page: Page, name: str, item: Any) -> None:
    """Opens one of the page's forms with the page's own dialog."""
    page.evaluate(
        """async ([name, item]) => {
          const { COMMAND_FORMS } = await import('/js/forms.js');
          const { openForm } = await import('/js/dialog.js');
          if (name === 'RecordDebrief') {
            // The form lists the meetings the server offers a debrief of to
            // this person; a made-up one, as for the other items here.
            const { state } = await import('/js/state.js');
            state.data.schedule = { ...(state.data.schedule || {}), meetings: [{
              id: 'made-up-meeting', title: 'A meeting held',
              starts_at: '2026-01-05T09:00:00Z', ends_at: '2026-01-05T10:00:00Z',
              actions: ['RecordDebrief'],
            }] };
          }
          await openForm(COMMAND_FORMS[name](item));
        }""",
        [name, item],
    )
    expect(page.locator("#command-dialog")).to_be_visible()


def selects(page: Page) -> list[tuple[str, str, bool]]:
    """The open form's selects: name, value, whether required."""
    found: list[tuple[str, str, bool]] = page.eval_on_selector_all(
        "#command-fields select", "els => els.map(e => [e.name, e.value, e.required])"
    )
    return [tuple(s) for s in found]  # type: ignore[misc]


def fill_what_is_not_a_choice(page: Page) -> None:
    """Required text left empty is filled, so only the choices are missing."""
    fields = page.locator(
        "#command-fields input[required]:not([type=file]), "
        "#command-fields textarea[required]"
    )
    for n in range(fields.count()):
        if not fields.nth(n).input_value():
            fields.nth(n).fill("x")


def test_each_choice_starts_unchosen_is_not_sent_so_and_when_it_happened_is_recorded(
    browser: Browser, demo: Demo
) -> None:
    context, page, errors = new_page(browser)
    posts: list[Request] = []
    page.on(
        "request",
        lambda r: posts.append(r) if r.method != "GET" and "/api/" in r.url else None,
    )
    page.goto(f"{demo.server.base}/#token={demo.tokens['rapid_response']}")
    expect(page.locator("#connection")).to_have_attribute(
        "data-state", "live", timeout=30_000
    )
    dialog = page.locator("#command-dialog")
    error = page.locator("#command-error")
    head = demo.head()

    for name, item, unchosen in UNCHOSEN:
        open_form(page, name, item)
        shown = selects(page)
        assert [(s, v) for s, v, _ in shown if (name, s) not in OPTIONAL_SELECTS] == [
            (s, "") for s in unchosen
        ], (name, shown)
        assert all(required for s, _, required in shown if s in unchosen), name
        # Each offers when it happened, blank; but acts of access, which
        # happen when they are sent, do not (web/static/js/when.js).
        when = dialog.locator("input[name=occurred_local]")
        if name in ONLY_NOW:
            expect(when).to_have_count(0)
        else:
            expect(when).to_have_attribute("type", "datetime-local")
            expect(when).to_have_value("")
        # Pressed with each choice unmade in turn: refused, naming it.
        fill_what_is_not_a_choice(page)
        for field in unchosen:
            dialog.locator("#command-submit").click()
            label = dialog.locator(f"label[for=field-{field}]").inner_text()
            expect(error).to_have_text(f"Please choose \u201c{label}\u201d.")
            expect(dialog.locator(f"select[name={field}]")).to_have_attribute(
                "aria-invalid", ""
            )
            dialog.locator(f"select[name={field}]").select_option(index=1)
        dialog.locator("#command-cancel").click()
        expect(dialog).to_be_hidden()

    # A rating: one of its two at least; both unchosen is not sent.
    open_form(page, "RateAnnexADocument", ANNEX_A_DOCUMENT)
    assert [v for _, v, _ in selects(page)] == ["", ""]
    dialog.locator("#command-submit").click()
    expect(error).to_have_text(
        "Please choose \u201cComplete\u201d, \u201cQuality\u201d or both."
    )
    dialog.locator("#command-cancel").click()

    # The parties notified: a box each for those not yet notified, none
    # ticked; none ticked is not sent.
    open_form(page, "NotifyCaseParty", CASE)
    boxes = dialog.locator("input[name=parties]")
    expect(boxes).to_have_count(3)
    assert [boxes.nth(n).is_checked() for n in range(3)] == [False] * 3
    dialog.locator("#command-submit").click()
    expect(error).to_have_text("Please tick who was notified.")
    dialog.locator("#command-cancel").click()

    # Items with a value of their own start on it: the phase, a judgement.
    phase = page.evaluate(
        "async () => (await import('/js/state.js')).state.inspection.phase"
    )
    open_form(page, "EnterPhase", None)
    assert selects(page) == [("phase", phase, True)]
    dialog.locator("#command-cancel").click()
    open_form(page, "JudgeCase", {**CASE, "judgement": "good"})
    assert selects(page) == [("judgement", "good", True)]
    dialog.locator("#command-cancel").click()
    # An attachment takes when it happened in its upload; the access log,
    # whose rows each say when, does not: not offered.
    open_form(page, "AttachDocument", REQUEST)
    expect(dialog.locator("input[name=occurred_local]")).to_have_count(1)
    dialog.locator("#command-cancel").click()
    open_form(page, "ImportAccessLog", None)
    expect(dialog.locator("input[name=occurred_local]")).to_have_count(0)
    dialog.locator("#command-cancel").click()

    # Nothing was sent, nothing stored.
    assert posts == []
    assert demo.events_after(head)[0] == []

    # "When it happened", filled in: recorded as the event's occurred_at.
    happened = (datetime.now(ZONE) - timedelta(minutes=40)).replace(
        second=0, microsecond=0
    )
    page.locator("button.action[data-action=recordRequest]:visible").first.click()
    dialog.locator("input[name=title]").fill("Minutes of strategy meetings")
    dialog.locator("select[name=requested_by]").select_option(index=1)
    dialog.locator("select[name=channel]").select_option("email")
    dialog.locator("input[name=occurred_local]").fill(
        happened.strftime("%Y-%m-%dT%H:%M")
    )
    dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    (sent,) = posts
    assert json.loads(sent.post_data or "{}")["occurred_at"] is not None
    stored, head = demo.events_after(head)
    (recorded,) = [e for e in stored if e["type"] == "DocumentRequested"]
    assert datetime.fromisoformat(recorded["occurred_at"]) == happened

    # Blank: not sent, and it happened now.
    page.locator("button.action[data-action=recordRequest]:visible").first.click()
    dialog.locator("input[name=title]").fill("Supervision records")
    dialog.locator("select[name=requested_by]").select_option(index=1)
    dialog.locator("select[name=channel]").select_option("kit")
    dialog.locator("#command-submit").click()
    expect(dialog).to_be_hidden()
    assert "occurred_at" not in json.loads(posts[-1].post_data or "{}")
    stored, head = demo.events_after(head)
    (recorded,) = [e for e in stored if e["type"] == "DocumentRequested"]
    age = datetime.now(UTC) - datetime.fromisoformat(recorded["occurred_at"])
    assert timedelta(0) <= age < timedelta(minutes=2)

    context.close()
    assert not errors, errors
