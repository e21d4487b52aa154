"""Plain words (issue 23): every view of the demo, as every role, in a real
browser on SQLite and PostgreSQL, with each item's details open; the printed
pages; and the daily blog's email as the outbox holds it. None shows a log
position, an id, a raw value or event name, "console", a doubled prefix
("vv3"), "Nobody yet" or a bare age ("2 h 50 min": an age says what it
counts, "asked 2 h 50 min ago").

The auditor's evidence (receipts, checkpoints, verification) is the one
place positions and hashes belong: the day's seal, a signed checkpoint shown
on the blog, is left out of the text checked.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from entrypoints.demo_calendar import calendar_for
from tests.e2e.browser import CHROMIUM, TIMEOUT, Server, new_page, run_warroom
from tests.e2e.refresh_screenshot import demo_tokens

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

ZONE = ZoneInfo("Europe/London")
ROLES = ("admin", "lead", "gatekeeper", "rapid_response", "staff", "auditor")
VIEWS = ("wall", "day", "blog", "plan", "contacts", "admin")
UUID = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I
)
# An age with nothing saying what it counts: "2 h 50 min", not "asked 2 h
# 50 min ago" nor "due 08:07, 1 h 12 min late".
AGE = re.compile(r"\b\d+ (?:d \d+ h|h \d+ min|min)\b")
AGE_SAYS = re.compile(
    r"^\s*(?:ago|late|early|overdue|left|to go|to day|before|after)\b"
)
AGE_TOLD = re.compile(r"(?:\bfor|\bin|\bafter|\bwithin|\bevery)\s*$")


@dataclass
class Demo:
    server: Server
    inspection: str
    tokens: dict[str, str]
    outbox: Path

    def get(self, path: str, role: str = "lead", **params: str) -> httpx.Response:
        answer = httpx.get(
            f"{self.server.base}{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 200, (path, answer.text)
        return answer

    def api(self, path: str, **params: str) -> dict[str, object]:
        body: dict[str, object] = self.get(
            f"/api/inspections/{self.inspection}{path}", **params
        ).json()
        return body


@pytest.fixture
def demo(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Demo]:
    outbox = tmp_path / "outbox"
    # The command line and the server both mail into the test's own outbox,
    # and the server sends nothing of its own while the test reads.
    monkeypatch.setenv("WARROOM_MAIL_DIR", str(outbox))
    monkeypatch.setenv("WARROOM_BLOG_SEND_AT", "off")
    printed = run_warroom(database_url, "demo", "--no-serve")
    inspection = re.search(r"Demo inspection: (\S+)", printed)
    assert inspection, printed
    # Today's blog sent from the command line, as `warroom demo` suggests:
    # its send shows in the feed and the mail bar, and its email is checked.
    today = datetime.now(ZONE).date().isoformat()
    run_warroom(
        database_url, "blog", "send", "--inspection", inspection[1], "--day", today
    )
    server = Server(database_url).start()
    try:
        yield Demo(server, inspection[1], demo_tokens(printed), outbox)
    finally:
        server.stop()


@dataclass
class Words:
    """What no screen, print or email of the demo may say."""

    ids: set[str]
    raw_values: set[str]
    names: set[str]  # the server's event and command names
    found: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, demo: Demo) -> Words:
        meta = demo.get("/api/meta").json()
        raw_values = {
            value
            for values in meta["values"].values()
            for value in values
            if "_" in value  # one plain word ("good", "kit") reads as itself
        }
        names = {c["name"] for c in meta["commands"]} | set(meta["panels_for_event"])
        ids: set[str] = set()
        for path in ("", "/playbook", "/requests", "/cases", "/schedule"):
            ids |= _ids_in(demo.api(path, **({"state": "all"} if path else {})))
        ids |= _ids_in(demo.get("/api/users", role="admin").json())
        return cls(ids, raw_values, names)

    def check(self, where: str, text: str) -> None:
        said = " ".join(text.split())
        bad: list[str] = []
        bad += [m.group() for m in re.finditer(r"\bposition:? ?#?\d+", said, re.I)]
        bad += UUID.findall(said)
        bad += [i for i in self.ids if re.search(rf"(?<![\w-]){re.escape(i)}\b", said)]
        bad += [v for v in self.raw_values if re.search(rf"\b{v}\b", said)]
        bad += [n for n in self.names if re.search(rf"\b{n}\b", said)]
        bad += re.findall(r"\b[a-z]+_[a-z_]+\b", said)
        bad += re.findall(r"\bconsole\b", said, re.I)
        bad += re.findall(r"\bvv\d", said)
        bad += re.findall(r"\bKit\b", said)  # KIT: keep in touch
        bad += re.findall(r"\bnobody yet\b", said, re.I)
        bad += re.findall(r"\b\d+ evidence\b", said)
        for age in AGE.finditer(said):
            before, after = said[: age.start()], said[age.end() :]
            if not AGE_SAYS.match(after) and not AGE_TOLD.search(before):
                bad.append(f"{said[max(0, age.start() - 30) : age.end() + 10]!r}")
        self.found += [f"{where}: {b}" for b in dict.fromkeys(bad)]


def _ids_in(value: object) -> set[str]:
    """The ids a read answers: every `id` and `*_id`, never shown to people."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if (key == "id" or key.endswith("_id")) and isinstance(inner, str):
                found.add(inner)
            found |= _ids_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _ids_in(inner)
    return found


def visible_text(page: Page, where: str = "body") -> str:
    """What the page (or a part) shows, less the day's seal (the auditor's
    evidence)."""
    text: str = page.evaluate(
        """(where) => {
          let text = document.querySelector(where).innerText;
          for (const seal of document.querySelectorAll('.seal-text')) {
            if (seal.innerText) text = text.replace(seal.innerText, '');
          }
          return text;
        }""",
        where,
    )
    return text


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # the views' debounced reads drawn


def read_every_view(page: Page, role: str, words: Words) -> None:
    for view in VIEWS:
        tab = page.locator(f".view-tab[data-view={view}]")
        if not tab.is_visible():
            continue
        tab.click()
        settle(page)
        words.check(f"{role}, {view}", visible_text(page))
        read_forms(
            page, f"{role}, {view}", words, f"#view-{view} button.action:visible"
        )
    page.locator(".view-tab[data-view=wall]").click()
    settle(page)
    # The first of each kind with its forms, as its details offer them.
    for selector, what in (
        ("#schedule-body button.act-details", "meeting"),
        ("#requests-body button.act-details", "request"),
        ("#cases-body button.case-open", "case"),
    ):
        if page.locator(selector).count():
            read_forms(
                page,
                f"{role}, a {what}'s",
                words,
                "#detail-actions button:visible",
                page.locator(selector).first.click,
            )
    read_details(page, role, words)


def read_details(page: Page, role: str, words: Words) -> None:
    """Each meeting's, request's (open and closed) and case's details."""
    detail = page.locator("#detail-dialog")

    def each_detail(selector: str, what: str) -> None:
        for n in range(page.locator(selector).count()):
            page.locator(selector).nth(n).click()
            expect(detail).to_be_visible()
            words.check(f"{role}, {what} {n + 1}", visible_text(page, "#detail-dialog"))
            page.locator("#detail-close").click()
            expect(detail).to_be_hidden()

    each_detail("#schedule-body button.act-details", "meeting")
    each_detail("#requests-body button.act-details", "open request")
    page.locator("#requests-closed").click()
    words.check(f"{role}, closed requests", visible_text(page))
    each_detail("#requests-body button.act-details", "closed request")
    page.locator("#requests-closed").click()
    each_detail("#cases-body button.case-open", "case")


# The replay bar's two ways of asking about a moment, as the page names them,
# and what its banner then says.
REPLAY_CLOCKS = {
    "happened_by": ("As it was at", "As it was at"),
    "as_of": ("As written down by", "written down by"),
}


def read_the_past(page: Page, role: str, words: Words, moment: datetime) -> None:
    """Every view and item's details at an earlier moment of the demo's day,
    through the page's replay bar, both ways; then back to live."""
    local = moment.astimezone(ZONE)
    for clock, (named, banner_says) in REPLAY_CLOCKS.items():
        page.select_option("#replay-clock", clock)
        page.fill("#replay-day", local.strftime("%d/%m/%Y"))
        page.fill("#replay-time", local.strftime("%H:%M"))
        page.click("#replay-go")
        banner = page.locator("#past-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text(banner_says)
        settle(page)
        where = f"{role}, {named} {local:%H:%M}"
        for view in VIEWS:
            tab = page.locator(f".view-tab[data-view={view}]")
            if tab.is_visible():
                tab.click()
                settle(page)
                words.check(f"{where}, {view}", visible_text(page))
        page.locator(".view-tab[data-view=wall]").click()
        settle(page)
        read_details(page, where, words)
    page.click("#back-to-live")
    expect(page.locator("#past-banner")).to_be_hidden()


def read_forms(
    page: Page,
    where: str,
    words: Words,
    buttons: str,
    reopen: Callable[[], None] | None = None,
) -> None:
    """Opens each form the buttons offer (after `reopen`, which shows them),
    reads it, and cancels it."""
    dialog = page.locator("#command-dialog")
    if reopen:
        reopen()
    count = page.locator(buttons).count()
    for n in range(count):
        if n and reopen:
            reopen()
        button = page.locator(buttons).nth(n)
        label = button.inner_text()
        button.click()
        expect(dialog).to_be_visible()
        words.check(f"{where} form {label!r}", visible_text(page, "#command-dialog"))
        page.locator("#command-cancel").click()
        expect(dialog).to_be_hidden()
    if page.locator("#detail-dialog").is_visible():  # nothing offered in it
        page.locator("#detail-close").click()


def test_every_view_print_and_email_of_the_demo_says_things_in_plain_words(
    browser: Browser, demo: Demo
) -> None:
    words = Words.of(demo)
    # The words themselves are caught (the test can fail).
    for said in ("Position 177", "cse.txt vv3", "· console", "Kit", "2 h 50 min"):
        before = len(words.found)
        words.check("self-test", said)
        assert len(words.found) > before, said
    words.found.clear()

    # Noon of the day the demo shows (or a little before now, if earlier):
    # the replay views (issue 23: both ways, as every role).
    now = datetime.now(UTC)
    noon = datetime.combine(calendar_for(now).today, time(12), ZONE)
    earlier = min(noon, now - timedelta(minutes=15))
    for role in ROLES:
        context, page, errors = new_page(browser)
        page.goto(f"{demo.server.base}/#token={demo.tokens[role]}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        page.click(".view-tab[data-view=wall]")  # each role lands where its day starts
        expect(page.locator("#cases-body .case").first).to_be_visible()
        settle(page)
        read_every_view(page, role, words)
        read_the_past(page, role, words, earlier)
        context.close()
        assert not errors, (role, errors)

    # The printed pages, now and as they stood an hour ago.
    context, page, errors = new_page(browser)
    today = datetime.now(ZONE).date().isoformat()
    schedule = demo.api("/schedule", day=today)["meetings"]
    assert isinstance(schedule, list) and schedule
    person = next(iter(schedule[0]["attendees"]))
    printed = f"/print/inspections/{demo.inspection}"
    # A moment in the middle of the demo's day: a page of the past.
    events = demo.api("/events")["events"]
    assert isinstance(events, list) and events
    middle = events[len(events) // 2]["recorded_at"]
    for path in (
        f"/schedule/{today}",
        f"/agenda/{quote(person)}",
        "/ledger",
        "/cases",
        "/contacts",
        f"/blog/{today}",
        f"/packs/{today}/{quote(person)}",
        *(f"/meetings/{m['id']}/pack" for m in schedule),
    ):
        for when in ("", f"&as_of={quote(middle)}"):
            page.goto(
                f"{demo.server.base}{printed}{path}?token={demo.tokens['lead']}{when}"
            )
            words.check(f"print {path}{when}", visible_text(page))
    context.close()
    assert not errors, errors

    # The blog's email, both parts, as it went into the outbox.
    eml = demo.get(f"/api/inspections/{demo.inspection}/blog/{today}/email").content
    message = email.message_from_bytes(eml, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    for kind in ("plain", "html"):
        part = message.get_body(preferencelist=(kind,))
        assert part is not None, kind
        text = part.get_content()
        if kind == "html":
            text = re.sub(r"<[^>]+>", " ", text)
        seal = text.find("The day's seal")  # the checkpoint is evidence
        words.check(f"blog email ({kind})", text if seal < 0 else text[:seal])

    assert not words.found, "\n".join(words.found)
