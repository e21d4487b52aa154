"""Commands with boundary values of every field never break a read.

Each example opens an inspection and sends, through the real HTTP app,
commands whose fields sit at the edges of what is accepted (shortest and
longest strings, odd unicode, formula-like and markup-like text, the first
and last instants of the inspection's window and of the era, time zones far
from UTC, edge integers), and some just beyond them. A command may be
refused (4xx); none may fail (5xx). Then every read route of the inspection
answers 200, live and `?at=` every position since it was opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.days import date_on
from tests.helpers import WarRoomClient
from warroom.config import Settings
from warroom.domain.window import AROUND_START, LARGEST_INTEGER, LONGEST_MEETING
from web.app import create_app

# Kept small for CI: about 10 s a database. Raise it for a full run.
EXAMPLES = 12

ODD_TEXT = [
    "x",
    " padded ",
    "Zoë O'Brien-Ñúñez",
    "日本語の会議",
    "😀",
    "\u202eevil.pdf",
    '=HYPERLINK("http://x")',
    "+1",
    "<script>alert(1)</script>",
    "a/b?c#d%2F",
    "nul\u0000byte",
    "tab\tnew\nline",
    "\u0301combining",
]


def text(longest: int) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_TEXT),
        st.sampled_from(["x" * longest, "😀" * longest, "y" * (longest + 1), " "]),
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=12),
    )


STARTS_ON = st.sampled_from([date(2000, 1, 1), date_on(0), date(2099, 12, 31)])
ZONES = st.sampled_from(["Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
# From the inspection's first midnight (UTC): the window's edges, and inside.
OFFSETS = st.sampled_from(
    [
        -AROUND_START,
        -AROUND_START + timedelta(seconds=1),
        timedelta(0),
        timedelta(hours=9, minutes=30),
        AROUND_START - LONGEST_MEETING,
        AROUND_START,
        AROUND_START + timedelta(seconds=1),
    ]
)
# The era's edges, and the meeting that once poisoned every agenda.
EXTREMES = st.sampled_from(
    [
        datetime(1, 1, 2, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(9999, 12, 23, tzinfo=UTC),
    ]
)
LENGTHS = st.sampled_from(
    [timedelta(seconds=1), timedelta(minutes=15), LONGEST_MEETING]
)
INTEGERS = st.sampled_from([0, 1, LARGEST_INTEGER, LARGEST_INTEGER + 1, -1])


@dataclass
class Plan:
    """What one example sends."""

    title: str
    starts_on: date
    zone: str
    names: list[str]
    meetings: list[tuple[timedelta | datetime, timedelta, str, list[str]]]
    due: timedelta | None
    occurred: timedelta | None
    text: str
    ref: str
    up_to: int


PLANS = st.builds(
    Plan,
    title=text(200),
    starts_on=STARTS_ON,
    zone=ZONES,
    names=st.lists(text(120), min_size=1, max_size=3),
    meetings=st.lists(
        st.tuples(
            OFFSETS | EXTREMES, LENGTHS, text(200), st.lists(text(120), max_size=2)
        ),
        min_size=1,
        max_size=3,
    ),
    due=st.none() | OFFSETS,
    occurred=st.none() | OFFSETS,
    text=st.one_of(text(200), st.just("z" * 20_000)),
    # Case numbers (a name is refused: test_case_refs.py), at their length's edges.
    ref=st.sampled_from(["1", "C" + "1" * 39, "C/1.a_b-2", "C" + "1" * 40]),
    up_to=INTEGERS,
)


@dataclass
class Example:
    """One plan sent to the app, and what it touched."""

    client: WarRoomClient
    plan: Plan
    iid: str = ""
    first: int = 0
    days: set[date] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.plan.starts_on, time(), tzinfo=UTC)

    def send(self, role: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(role, path, body)
        if response.status_code >= 500:
            self.failures.append(f"POST {path} {body!r:.200}: {response.status_code}")
        ok = response.status_code in (200, 201)
        return dict(response.json()) if ok else {}

    def when(self, offset: timedelta | None) -> dict[str, str]:
        if offset is None:
            return {}
        return {"occurred_at": (self.start + offset).isoformat()}

    def open(self) -> bool:
        p = self.plan
        body = {"title": p.title, "framework": "JTAI", "starts_on": str(p.starts_on)}
        opened = self.send("lead", "/api/inspections", {**body, "timezone": p.zone})
        if not opened:
            return False
        self.iid, self.first = opened["id"], opened["position"]
        self.days.add(datetime.now(ZoneInfo(p.zone)).date())
        return True

    @property
    def path(self) -> str:
        return f"/api/inspections/{self.iid}"

    def send_everything(self) -> None:
        p = self.plan
        inspectors = [
            self.send("lead", f"{self.path}/inspectors", {"name": n, "lead": i == 0})
            for i, n in enumerate(p.names)
        ]
        ids = [i["id"] for i in inspectors if i]
        self.people.update(ids)
        for offset, length, title, attendees in p.meetings:
            self.meeting(offset, length, title, attendees, ids)
        self.request(ids)
        self.case(ids)
        self.blog()
        name = quote(next(iter(self.people), "x"), safe="")
        self.send("staff", f"{self.path}/agenda/{name}/acknowledge", {})
        self.send("lead", f"{self.path}/agenda/{name}/acknowledge", {"up_to": p.up_to})

    def meeting(
        self,
        offset: timedelta | datetime,
        length: timedelta,
        title: str,
        attendees: list[str],
        inspectors: list[str],
    ) -> None:
        starts_at = offset if isinstance(offset, datetime) else self.start + offset
        body = {
            "title": title,
            "kind": "kit",
            "venue": title,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + length).isoformat(),
            "attendees": attendees,
            "inspectors": inspectors,
            "topics": [title],
            **self.when(self.plan.occurred),
        }
        made = self.send("rapid_response", f"{self.path}/meetings", body)
        if made:
            local = starts_at.astimezone(ZoneInfo(self.plan.zone)).date()
            self.days.update({local, (starts_at + length).date()})
            self.people.update(a.strip() for a in attendees)
            mid = made["id"]
            note = {
                "text": self.plan.text,
                "lines_of_enquiry": [title],
                "actions": [title],
            }
            self.send("lead", f"{self.path}/meetings/{mid}/notes", note)
            action = f"{self.path}/meetings/{mid}/kit-actions/0"
            self.send("lead", f"{action}/assign", {"owner": title})
            self.send("lead", f"{action}/assign", {"owner": "A preparer"})
            self.send("lead", f"{action}/done", {"note": self.plan.text})
            self.send("lead", f"{self.path}/meetings/{mid}/move", {"venue": "x"})

    def request(self, inspectors: list[str]) -> None:
        p = self.plan
        body = {
            "title": p.title,
            "requested_by": inspectors[0] if inspectors else "nobody",
            "channel": "kit",
            "detail": p.text,
            **({"due_at": (self.start + p.due).isoformat()} if p.due else {}),
        }
        made = self.send("gatekeeper", f"{self.path}/requests", body)
        if not made:
            return
        path = f"{self.path}/requests/{made['id']}"
        preparer = self.client.user_ids["preparer"]
        self.send("gatekeeper", f"{path}/assign", {"assignee": preparer})
        attached = self.client.attach(
            "preparer", self.iid, made["id"], b"doc", name=p.title, version=p.title
        )
        if attached.status_code >= 500:
            self.failures.append(f"attach {p.title!r:.80}: {attached.status_code}")
        self.send("gatekeeper", f"{path}/decline", {"reason": p.text})

    def case(self, inspectors: list[str]) -> None:
        p = self.plan
        body = {"ref": p.ref, "selection": "tracked", "plan": "LAC", "iro": p.title}
        made = self.send("lead", f"{self.path}/cases", body)
        if made and inspectors:
            browsed = {"inspector": inspectors[-1], "item": p.title}
            self.send("lead", f"{self.path}/cases/{made['id']}/browsed", browsed)

    def blog(self) -> None:
        p = self.plan
        for offset in (-AROUND_START, timedelta(0), AROUND_START):
            day = (self.start + offset).date()
            body = {"day": str(day), "title": p.title, "body": p.text}
            if self.send("lead", f"{self.path}/blog", body):
                self.days.add(day)

    def read_everything(self) -> int:
        last = self.client.stored()
        reads = 0
        for at in [None, *range(self.first, last + 1)]:
            for path, params in self.reads():
                query = {} if at is None else {"at": at}
                response = self.client.get("auditor", path, **params, **query)
                reads += 1
                if response.status_code != 200:
                    self.failures.append(f"GET {path} at={at}: {response.text:.300}")
        return reads

    def reads(self) -> list[tuple[str, dict[str, str]]]:
        routes: list[tuple[str, dict[str, str]]] = [
            (self.path, {}),
            (f"{self.path}/ledger", {}),
            (f"{self.path}/ledger", {"format": "csv"}),
            (f"{self.path}/requests", {}),
            (f"{self.path}/cases", {}),
            (f"{self.path}/lines-of-enquiry", {}),
            (f"{self.path}/kit-notes", {}),
            (f"{self.path}/events", {}),
        ]
        for day in sorted(self.days):
            routes.append((f"{self.path}/schedule", {"day": str(day)}))
            routes.append((f"{self.path}/blog/{day}", {}))
        for person in sorted(self.people):
            routes.append((f"{self.path}/agenda/{quote(person, safe='')}", {}))
        return routes


@pytest.fixture
def client(database_url: str) -> Iterator[WarRoomClient]:
    """As everywhere, but with an audit checkpoint every 20 events: every
    position of every example is read, and each read of the past replays
    from the checkpoint before it."""
    settings = Settings(
        database_url=database_url, max_body_bytes=1_000_000, checkpoint_every=20
    )
    with TestClient(create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@settings(
    max_examples=EXAMPLES,
    # A failure is reported as found: shrinking it through HTTP takes minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(plan=PLANS)
def test_every_read_answers_200_after_commands_with_boundary_values(
    client: WarRoomClient, plan: Plan
) -> None:
    example = Example(client, plan)
    if example.open():
        example.send_everything()
        example.read_everything()
    assert example.failures == []
