"""The page offers exactly what the server accepts: on the demo, as each of
its users, every kind of action button the page shows on an item (on its
row, or in its details) is clicked, its form filled with plausible values,
and sent; the server never refuses it for the item's state or the person's
role (403, 409). A value it refuses (422) would be the form's to fix, not
the offer's; none is seen here either, but for a choice among values that
the item does not take (a party already notified), where the next value is
tried.

Each kind of button is clicked once per person, on the first item that
offers it (the API test, tests/integration/test_offered_actions.py, sends
every command on every item); the forms are the page's own.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Response, expect

from tests.e2e.browser import CHROMIUM, Server, new_page, run_warroom
from tests.integration.test_offered_actions import User, demo_inspection, demo_users

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]

# Where items are drawn, and how each opens its details (None: it has none).
REGIONS: list[tuple[str, str, str | None]] = [
    ("wall", "#requests-body .request", "button.act-details"),
    ("wall", "#schedule-body .meeting", "button.act-details"),
    ("wall", "#cases-body .case", "button.case-open"),
    ("wall", "#kit-body .kit-actions li", None),
    ("wall", "#enquiries-body li", None),
    ("plan", "#plan-playbook .task", None),
    ("plan", "#plan-playbook .responsibilities li", None),
    ("plan", "#plan-annex-a .annex-doc", None),
]
# Buttons on an item that open no command's form.
NOT_COMMANDS = ("act-details", "act-open", "act-copy")
# Checklists a form sends only with a box ticked: the parties notified.
MUST_TICK = ("parties",)
# The day's own actions, in the blog view's header.
DAY_ACTIONS = ("blogPost", "closeDay")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REFUSED_FOR_STATE_OR_ROLE = (403, 409)
# Numbers for new values (a room, a version), never the same twice in a run.
COUNTER = itertools.count(1000)


@dataclass
class Person:
    """One demo user's page, and every command it sent with its answer."""

    page: Page
    user: User
    others: list[str]
    answers: list[tuple[str, str, int]] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    clicked: list[str] = field(default_factory=list)
    said: dict[str, str] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=lambda: COUNTER)

    @property
    def who(self) -> str:
        return f"{self.user.role} {self.user.name}"

    @property
    def dialog(self) -> Locator:
        return self.page.locator("#command-dialog")

    def view(self, name: str) -> None:
        tab = self.page.locator(f".view-tab[data-view={name}]")
        if tab.is_visible():
            tab.click()

    def text_for(self, name: str, now: str) -> str:
        """A plausible value for a text field, by its name."""
        if name in ("owner", "person", "auditor"):
            return next(n for n in self.others if n != now)
        plausible = {
            "venue": f"Room {20 + next(self.counter)}",
            "add": f"Pat Newcomer {next(self.counter)}",
            "to": "Team manager",
            "version": str(2 + next(self.counter)),
            "item": "case file",
            "title": "What the day held",
            "role": "Minutes of the KIT meetings",
        }
        return plausible.get(name, "As agreed in the war room")

    def fill_form(self) -> None:
        """Fills what the form leaves blank."""
        for control in self.dialog.locator("input, select, textarea").all():
            if not control.is_visible() and control.get_attribute("type") != "file":
                continue
            name = control.get_attribute("name") or ""
            kind = control.get_attribute("type") or ""
            tag = control.evaluate("el => el.tagName")
            if tag == "SELECT":
                if not control.input_value():
                    values = [v for v in _option_values(control) if v]
                    if values:
                        control.select_option(values[0])
            elif kind == "file":
                control.set_input_files(
                    {
                        "name": "document.pdf",
                        "mimeType": "application/pdf",
                        "buffer": PDF,
                    }
                )
            elif kind == "checkbox" and name in MUST_TICK:
                group = self.dialog.locator(f"input[name={name}]:checked")
                if not group.count():
                    control.check()  # the first of the checklist
            elif kind in ("checkbox", "radio", "hidden", "submit", "button"):
                continue
            elif kind in ("date", "time", "datetime-local", "number"):
                continue  # the form's own (a meeting's times), or left blank
            elif name in ("venue", "owner", "add", "version", "person", "auditor"):
                control.fill(self.text_for(name, control.input_value()))
            elif (
                not control.input_value()
                and name not in ("follow_ups", "remove")
                and (control.get_attribute("required") is not None or tag == "TEXTAREA")
            ):
                control.fill(self.text_for(name, ""))

    def send(self, what: str) -> None:
        """Fills the open form and sends it; a refusal for a value chosen
        here is answered by the next value."""
        self.fill_form()
        # Every choice of the form, to try the next value of each in turn.
        chosen = [s for s in self.dialog.locator("select").all() if s.is_visible()]
        options = [_option_values(s) for s in chosen]
        tries = [0] * len(chosen)
        while True:
            status = self._submit(what)
            if status is None or status < 400 or status == 422:
                break
            retried = False
            for i, select in enumerate(chosen):
                values = [v for v in options[i] if v]
                if tries[i] + 1 < len(values):
                    tries[i] += 1
                    select.select_option(values[tries[i]])
                    retried = True
                    break
            if not retried:
                said = self.said.get(what, "")
                self.wrong.append(f"{self.who}: {what}: {status} {said}")
                break
        if status is not None and status < 400:
            expect(self.dialog).to_be_hidden()
        elif self.dialog.is_visible():
            self.page.keyboard.press("Escape")
            expect(self.dialog).to_be_hidden()
        self.page.wait_for_timeout(300)  # the touched panels read again

    def caught_up(self, answer: dict[str, Any]) -> None:
        """Waits until the page shows what the command changed."""
        if isinstance(answer.get("version"), int):
            self.page.wait_for_function(
                CAUGHT_UP, arg=[answer.get("id"), answer["version"]], timeout=30_000
            )

    def _submit(self, what: str) -> int | None:
        def is_command(response: Response) -> bool:
            request = response.request
            return "/api/" in response.url and request.method in ("POST", "DELETE")

        try:
            with self.page.expect_response(is_command, timeout=15_000) as answer:
                self.dialog.locator("#command-submit").click()
                # A time in the past is sent when the button is pressed again.
                again = self.page.locator("#command-error", has_text="press the button")
                try:
                    again.wait_for(timeout=1_000)
                    self.dialog.locator("#command-submit").click()
                except Exception:
                    pass  # sent at the first press
        except Exception:  # the form would not send: a field left wrong
            invalid = self.dialog.evaluate(
                "d => [...d.querySelectorAll(':invalid')].map((e) => e.name)"
            )
            said = self.page.locator("#command-error").inner_text()
            self.wrong.append(f"{self.who}: {what}: not sent ({invalid}, {said!r})")
            return None
        status = answer.value.status
        self.answers.append((what, answer.value.url, status))
        if status >= 400:
            self.said[what] = answer.value.text()[:300]
        else:
            self.caught_up(answer.value.json())
        if status in REFUSED_FOR_STATE_OR_ROLE:
            return status
        if status >= 400 and status != 422:
            self.wrong.append(f"{self.user.role} {self.user.name}: {what}: {status}")
        return status


# Whether the page's panels show the changed thing at its new version (or
# do not show it at all): the next button is then drawn from its new offers.
CAUGHT_UP = """async ([id, version]) => {
  const { state } = await import('/js/state.js');
  const seen = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      if (v.id === id && typeof v.version === 'number') seen.push(v.version);
      Object.values(v).forEach(walk);
    }
  };
  walk(state.data);
  return state.pending.size === 0 && seen.every((v) => v >= version);
}"""


def _option_values(select: Locator) -> list[str]:
    values: list[str] = select.evaluate("el => [...el.options].map((o) => o.value)")
    return values


def _action_of(button: Locator) -> str:
    classes = (button.get_attribute("class") or "").split()
    return next((c for c in classes if c.startswith("act-")), "act-?")


def _command_buttons(scope: Locator) -> list[Locator]:
    return [
        b
        for b in scope.locator("button[class*=act-]:visible").all()
        if _action_of(b) not in NOT_COMMANDS
    ]


def click_rows(person: Person, view: str, items: str) -> None:
    """Each kind of button on the region's rows, once, on the first offering it."""
    done: set[str] = set()
    for _ in range(40):
        person.view(view)
        todo = [
            b
            for b in _command_buttons(person.page.locator(items))
            if _action_of(b) not in done
        ]
        if not todo:
            return
        button = todo[0]
        action = _action_of(button)
        done.add(action)
        person.clicked.append(f"{items} {action}")
        button.click()
        expect(person.dialog).to_be_visible()
        person.send(f"{action} on a row of {items}")


def click_details(person: Person, view: str, items: str, opener: str) -> None:
    """Each kind of button in the items' details, once, on the first item
    whose details offer it."""
    done: set[str] = set()
    detail = person.page.locator("#detail-dialog")
    count = person.page.locator(items).count()
    for n in range(count):
        for _ in range(20):
            person.view(view)
            item = person.page.locator(items).nth(n)
            if not item.count() or not item.locator(opener).count():
                break
            item.locator(opener).first.click()
            expect(detail).to_be_visible()
            todo = [
                b
                for b in _command_buttons(detail.locator("#detail-actions"))
                if _action_of(b) not in done
            ]
            if not todo:
                detail.locator("#detail-close").click()
                break
            action = _action_of(todo[0])
            done.add(action)
            person.clicked.append(f"{items} details {action}")
            todo[0].click()
            expect(person.dialog).to_be_visible()
            person.send(f"{action} in the details of {items}")


def click_day(person: Person) -> None:
    person.view("blog")
    for action in DAY_ACTIONS:
        button = person.page.locator(f"button.action[data-action={action}]:visible")
        if button.count():
            person.clicked.append(f"day {action}")
            button.first.click()
            expect(person.dialog).to_be_visible()
            person.send(f"{action} on the day")


@pytest.fixture
def demo(database_url: str) -> Iterator[tuple[Server, list[User]]]:
    users = demo_users(run_warroom(database_url, "demo", "--no-serve"))
    server = Server(database_url).start()
    try:
        yield server, users
    finally:
        server.stop()


ROLES = ["lead", "gatekeeper", "rapid_response", "staff", "auditor", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_every_offered_button_of_the_demo_is_accepted(
    browser: Browser, demo: tuple[Server, list[User]], role: str
) -> None:
    server, users = demo
    people = [u for u in users if u.role == role]
    assert people, f"the demo has no {role}"
    for user in people:
        context, page, errors = new_page(browser)
        page.goto(f"{server.base}/#token={user.token}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        others = [u.name for u in users if u.name != user.name] + [user.name]
        person = Person(page, user, others)
        for view, items, opener in REGIONS:
            click_rows(person, view, items)
            if opener is not None:
                click_details(person, view, items, opener)
        click_day(person)
        context.close()
        assert not errors, errors
        assert not person.wrong, "\n".join(person.wrong)
        if role in ("lead", "gatekeeper", "rapid_response"):
            # The war room does things on the demo's items from the page.
            assert len([a for a in person.answers if a[2] < 400]) >= 5, person.clicked
        if role in ("auditor", "admin"):
            assert person.clicked == [], person.clicked


# The buttons in the panels' headers, by the command each sends.
HEADER_COMMANDS = {
    "scheduleMeeting": "ScheduleMeeting",
    "recordRequest": "RecordRequest",
    "kitNote": "RecordKitNote",
    "raiseLine": "RaiseLineOfEnquiry",
    "selectCase": "SelectCase",
    "caseBrowsed": "RecordCaseBrowsed",
    "accessLog": "ImportAccessLog",
    "debrief": "RecordDebrief",
    "blogPost": "WriteBlogPost",
    "closeDay": "CloseDay",
    "responsibility": "AssignResponsibility",
    "listAnnexA": "ListAnnexADocument",
    "annexASummary": "WriteAnnexASummary",
    "calendarLink": "CreateCalendarLink",
    "phase": "EnterPhase",
    "addInspector": "AddInspector",
    "openInspection": "OpenInspection",
    "addUser": "AddUser",
    # issue 24: one's own calendar link (My day), a contact (Contacts)
    "ownCalendarLink": "CreateOwnCalendarLink",
    "addContact": "AddContact",
}


def server_offers(base: str, iid: str, token: str) -> set[str]:
    """Every command the server offers the caller that a header button
    sends: on the inspection, outside it, on an item of the day shown (a
    meeting, a case), on the day itself."""
    headers = {"Authorization": f"Bearer {token}"}

    def read(path: str) -> Any:
        answer = httpx.get(f"{base}/api{path}", headers=headers, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()

    inspection = read(f"/inspections/{iid}")
    schedule = read(f"/inspections/{iid}/schedule")
    offered = {*inspection["actions"], *read("/me")["actions"]}
    offered |= {a for m in schedule["meetings"] for a in m["actions"]}
    offered |= {
        a for c in read(f"/inspections/{iid}/cases")["cases"] for a in c["actions"]
    }
    offered |= set(read(f"/inspections/{iid}/blog/{schedule['day']}")["actions"])
    return offered


def shown_header_buttons(page: Page) -> set[str]:
    found: list[str] = page.eval_on_selector_all(
        "button.action",
        "(all) => all.filter((b) => !b.hidden).map((b) => b.dataset.action)",
    )
    return set(found)


def test_every_role_sees_exactly_the_create_buttons_the_server_offers(
    browser: Browser, database_url: str
) -> None:
    """The header buttons (a new request, a meeting, a case...) are drawn
    from what the server offers each person, not from their role; the API
    test sends each offered and each other (test_offered_actions.py)."""
    printed = run_warroom(database_url, "demo", "--no-serve")
    users = [u for u in demo_users(printed) if u.role in ROLES]
    iid = demo_inspection(printed)
    server = Server(database_url).start()
    seen: dict[str, set[str]] = {}
    try:
        for user in users:
            offered = server_offers(server.base, iid, user.token)
            wanted = {a for a, c in HEADER_COMMANDS.items() if c in offered}
            context, page, errors = new_page(browser)
            page.goto(f"{server.base}/#token={user.token}")
            expect(page.locator("#connection")).to_have_attribute("data-state", "live")
            # Each view's panels read once (the blog's: the day's own buttons).
            for view, drawn in (("blog", "#blog-body .blog-day"), ("wall", None)):
                tab = page.locator(f".view-tab[data-view={view}]")
                if tab.is_visible():
                    tab.click()
                    if drawn:
                        expect(page.locator(drawn)).to_be_visible()
            deadline = time.monotonic() + 30
            while shown_header_buttons(page) != wanted and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            shown = shown_header_buttons(page)
            context.close()
            assert not errors, errors
            assert shown == wanted, (user.role, user.name, shown ^ wanted)
            seen[user.role] = shown
    finally:
        server.stop()
    # Not vacuous: the war room adds things, the readers add nothing.
    assert {"recordRequest", "scheduleMeeting", "selectCase"} <= seen["lead"]
    assert "openInspection" in seen["lead"] and "addUser" in seen["admin"]
    assert seen["auditor"] == set()
    assert "recordRequest" not in seen["staff"]
