"""The demo is a real working day: recorded when it happened, on a real
calendar, its playbook where a good war room's would be, its documents what
their names say, its log intact (issue 23, finding 3).
"""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from commands.models import CloseDay
from entrypoints.demo import Demo
from entrypoints.demo_steps import Step
from projections.events import LoggedEvent
from projections.follower import read_events
from tests.conftest import TEST_SIGNING_KEY
from tests.days import moment
from tests.helpers import WarRoomClient
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.base import RuleBroken
from warroom.evidence.notes import Signer
from web.app import create_app

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, FRIDAY = 0, 1, 4


def logged(url: str) -> list[LoggedEvent]:
    app = WarRoom(Database.from_url(url))
    try:
        return list(read_events(app, 0, None))
    finally:
        app.close()


def load(url: str, now: datetime | None = None) -> Demo:
    app = WarRoom(Database.from_url(url))
    try:
        demo = Demo(app, now=now)
        demo.load()
        return demo
    finally:
        app.close()


def london(event: LoggedEvent) -> date:
    return event.occurred_at.astimezone(LONDON).date()


# --- Recorded when it happened -------------------------------------------------


def test_the_demos_events_are_recorded_at_the_moments_they_happened(
    database_url: str,
) -> None:
    loaded = datetime.now(UTC)
    done = warroom(database_url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    events = logged(database_url)
    recorded = [e.recorded_at for e in events]
    # In log order, never back in time: replay by as_of tells the days as they went.
    assert recorded == sorted(recorded)
    assert max(recorded) <= loaded + timedelta(seconds=1)
    # Over the inspection's three weeks, not in the second it took to load.
    assert max(recorded) - min(recorded) > timedelta(days=14)
    assert len({r.replace(microsecond=0) for r in recorded}) > 0.8 * len(recorded)
    # Each written down when it happened; the one exception is the access
    # log, imported at lunchtime, which says when each case was browsed.
    late = [e for e in events if e.inspection_id and e.recorded_at != e.occurred_at]
    assert {e.type for e in late} == {"CaseBrowsed"}
    assert all(e.occurred_at < e.recorded_at for e in late)


def test_warroom_verify_says_intact_after_the_demo(database_url: str) -> None:
    done = warroom(database_url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    verified = warroom(database_url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.startswith("intact:"), verified.stdout


def test_a_demo_loaded_after_other_events_is_recorded_no_earlier_than_they_were(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    added = warroom(url, "user", "add", "--name", "Early Bird", "--role", "admin")
    assert added.returncode == 0, added.stderr
    before = len(logged(url))
    load(url)
    events = logged(url)
    earlier, demo = events[:before], events[before:]
    recorded = [e.recorded_at for e in demo]
    assert recorded == sorted(recorded)
    assert recorded[0] >= max(e.recorded_at for e in earlier)
    # Still told as it happened: weeks ago.
    assert min(e.occurred_at for e in demo if e.inspection_id) < recorded[0] - (
        timedelta(days=14)
    )


# --- A real calendar, whatever day it is loaded -----------------------------------

# A week in summer time (BST) and one in winter (GMT), each day of each, loaded
# in the afternoon; and every weekday's early morning, before the day's KIT.
WEEK_IN_JUNE = [
    moment(-539, 15, 0, tzinfo=LONDON) + timedelta(days=n) for n in range(7)
]
WEEK_IN_JANUARY = [
    moment(-322, 15, 0, tzinfo=LONDON) + timedelta(days=n) for n in range(7)
]
MORNINGS = [moment(-322, 8, 0, tzinfo=LONDON) + timedelta(days=n) for n in range(5)]


@pytest.mark.parametrize(
    "now",
    WEEK_IN_JUNE + WEEK_IN_JANUARY + MORNINGS,
    ids=lambda now: f"{now:%a-%Y-%m-%d-%H%M}",
)
def test_days_one_to_four_fall_on_working_days_whatever_day_the_demo_is_loaded(
    now: datetime, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    demo = load(url, now)
    events = logged(url)
    opened = next(e for e in events if e.type == "InspectionOpened")
    day1 = date.fromisoformat(opened.data["starts_on"])
    assert day1.weekday() == MONDAY  # Ofsted rings on a Monday morning
    assert [(day1 + timedelta(days=n)).weekday() for n in range(4)] == [0, 1, 2, 3]
    kick_off = next(
        e
        for e in events
        if e.type == "PhaseEntered" and e.data["phase"] == "day2_kick_off"
    )
    assert london(kick_off).weekday() == TUESDAY
    # Everything on a working day, none of it after the demo was loaded.
    assert all(london(e).weekday() <= FRIDAY for e in events if e.inspection_id)
    assert all(e.recorded_at <= now for e in events)
    assert [e.recorded_at for e in events] == sorted(e.recorded_at for e in events)
    meetings = [
        datetime.fromisoformat(e.data["starts_at"]).astimezone(LONDON)
        for e in events
        if e.type in ("MeetingScheduled", "MeetingRescheduled")
    ]
    assert all(when.weekday() <= FRIDAY for when in meetings)
    # The day shown: today if a weekday whose KIT is over, else the working day before.
    shown = demo.calendar.today
    assert shown.weekday() <= FRIDAY
    assert shown <= now.date()
    if now.weekday() <= FRIDAY and now.time() >= time(10, 30):
        assert shown == now.date()
    else:
        assert shown < now.date() and (now.date() - shown).days <= 3
    assert 15 <= demo.calendar.today_n <= 19  # weeks 3 and 4, on site


# --- On the page: the playbook, the documents, the board at 10:00 -----------------


@pytest.fixture
def demo_client(database_url: str) -> Iterator[tuple[WarRoomClient, Demo]]:
    """The demo, loaded first into an empty log (so recorded as it happened),
    then a real app on it, with a signed-in user of every role."""
    demo = load(database_url)
    settings = Settings(database_url=database_url, max_body_bytes=1_000_000)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        yield client, demo


def read(client: WarRoomClient, path: str, **params: str) -> Any:
    answer = client.get("auditor", path, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def demo_path(demo: Demo, rest: str = "") -> str:
    return f"/api/inspections/{demo.kept['inspection']}{rest}"


def test_the_demos_playbook_is_where_a_good_war_room_would_be(
    demo_client: tuple[WarRoomClient, Demo],
) -> None:
    client, demo = demo_client
    playbook = read(client, demo_path(demo, "/playbook"))
    assert playbook["overdue"] <= 3
    done = [task for task in playbook["tasks"] if task["done"]]
    assert len(done) >= 40
    # Ticked as each was done, over the inspection's days, each before or
    # soon after it was due.
    done_on = {datetime.fromisoformat(t["done_at"]).date() for t in done}
    assert len(done_on) >= 7
    for task in done:
        if task["due"]:
            late = datetime.fromisoformat(task["done_at"]) - datetime.fromisoformat(
                task["due"]
            )
            assert late <= timedelta(hours=1), task


def documents_attached(client: WarRoomClient, demo: Demo) -> list[dict[str, Any]]:
    """Each request's document: (its request's id, its name, its SHA-256)."""
    requests = read(client, demo_path(demo, "/requests"), state="all")["requests"]
    return [r for r in requests if r["document"] is not None]


def test_each_demo_document_opens_as_what_its_name_says(
    demo_client: tuple[WarRoomClient, Demo], tmp_path: Path
) -> None:
    client, demo = demo_client
    requests = documents_attached(client, demo)
    names = {r["document"]["name"] for r in requests}
    assert names == {"sufficiency-strategy.pdf", "caseload-report.csv"}
    for request in requests:
        name, sha = request["document"]["name"], request["document"]["sha256"]
        answer = client.get(
            "auditor", demo_path(demo, f"/requests/{request['id']}/documents/{sha}")
        )
        assert answer.status_code == 200, answer.text
        content = answer.content
        kind = answer.headers["content-type"]
        assert answer.headers["content-disposition"].startswith("attachment")
        if name.endswith(".pdf"):
            assert kind == "application/pdf"
            assert content.startswith(b"%PDF-")
            path = tmp_path / name
            path.write_bytes(content)
            text = subprocess.run(
                ["pdftotext", str(path), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            assert "Sufficiency Strategy" in text
        else:
            assert kind.startswith("text/csv")
            rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
            assert rows[0][0] == "team" and len(rows) > 2
            assert {len(row) for row in rows} == {len(rows[0])}


def test_the_board_at_ten_looks_like_ten(
    demo_client: tuple[WarRoomClient, Demo],
) -> None:
    client, demo = demo_client
    day = demo.calendar.today
    ten = datetime.combine(day, time(10), LONDON)
    schedule = read(
        client, demo_path(demo, "/schedule"), day=day.isoformat(), as_of=ten.isoformat()
    )
    meetings = schedule["meetings"]
    ends = [datetime.fromisoformat(m["ends_at"]) for m in meetings]
    starts = [datetime.fromisoformat(m["starts_at"]) for m in meetings]
    assert any(end <= ten for end in ends)  # the morning's KIT is over
    assert sum(start > ten for start in starts) >= 2  # the rest of the day to come
    # No KIT note yet: it was written after the KIT, just after ten.
    assert all(not m["notes"] for m in meetings)
    requests = read(client, demo_path(demo, "/requests"), as_of=ten.isoformat())[
        "requests"
    ]
    assert requests, "the morning's requests"
    assert all(datetime.fromisoformat(r["requested_at"]) <= ten for r in requests)
    assert all(r["open"] for r in requests)
    # By the evening (or now), the KIT's requests are in and one has gone.
    now = read(client, demo_path(demo, "/requests"))["requests"]
    assert len(now) > len(requests)


def test_the_demo_loader_never_closes_a_day_with_meetings_to_come_unasked(
    database_url: str,
) -> None:
    """The loader sends its commands with no read side: closing the day it
    shows before its afternoon meetings is refused all the same, and with a
    reason the reason is kept. Nothing the loader stored closed a day early
    without one."""
    now = moment(-159, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in London
    app = WarRoom(Database.from_url(database_url))
    app.use_signer(Signer.parse(TEST_SIGNING_KEY))  # a closed day is sealed
    try:
        demo = Demo(app, now=now)
        iid = demo.load()
        today = demo.calendar.today
        with pytest.raises(RuleBroken) as refusal:
            demo.send(Step(now, "lead", CloseDay(day=today)), iid)
        assert refusal.value.rule == "meetings_to_come"
        reason = "The inspectors asked us to seal the morning before they left."
        early = CloseDay(day=today, early_reason=reason)
        assert demo.send(Step(now, "lead", early), iid)["closed_early"] is True
    finally:
        app.close()
    events = logged(database_url)
    meetings = {e.aggregate_id: e for e in events if e.type in ("MeetingScheduled",)}
    for closed in (e for e in events if e.type == "DayClosed"):
        to_come = [
            m
            for m in meetings.values()
            if m.data["starts_at"][:10] == closed.data["day"]
            and datetime.fromisoformat(m.data["ends_at"]) > closed.occurred_at
        ]
        assert not to_come or closed.data["early_reason"], closed
