"""One bad record or event costs that item, never the whole answer or server."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC
from typing import Any

import pytest
from sse_starlette.sse import SendTimeoutError
from starlette.types import Message, Receive, Scope, Send

from projections.cases import Cases
from projections.events import LoggedEvent
from projections.requests import Requests
from projections.schedule import MeetingRecord, Schedule
from projections.views import InspectionViews
from tests.days import date_on, iso_day, moment
from web.errors import ErrorsAsJson

NOW = moment(1, 12, tzinfo=UTC)


def meeting(mid: str, starts_at: str, ends_at: str) -> MeetingRecord:
    return {
        "id": mid,
        "version": 1,
        "title": mid,
        "kind": "kit",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": "Room 1",
        "attendees": ["Jo Smith"],
        "inspectors": [],
        "topics": [],
        "cancelled": False,
        "scheduled_at": f"{iso_day(1)}T08:00:00+00:00",
        "history": [],
        "notes": [],
    }


def test_an_agenda_marks_a_meeting_it_cannot_show_and_shows_the_rest() -> None:
    schedule = Schedule()
    good = meeting(
        "good",
        f"{iso_day(1)}T10:00:00+00:00",
        f"{iso_day(1)}T11:00:00+00:00",
    )
    bad = meeting("bad", f"{iso_day(1)}T10:30:00+00:00", "not a time")
    schedule.meetings = {"good": good, "bad": bad}

    agenda = schedule.agenda("Jo Smith", {}, None)

    by_id: dict[str, dict[str, Any]] = {m["id"]: dict(m) for m in agenda["meetings"]}
    assert "error" not in by_id["good"]
    assert by_id["good"]["prepare"] == []
    assert by_id["bad"]["error"].startswith("this record could not be shown")


def test_a_days_schedule_leaves_out_a_meeting_it_cannot_place() -> None:
    schedule = Schedule()
    good = meeting(
        "good",
        f"{iso_day(1)}T10:00:00+00:00",
        f"{iso_day(1)}T11:00:00+00:00",
    )
    bad = meeting("bad", "24 November", f"{iso_day(1)}T11:00:00+00:00")
    schedule.meetings = {"good": good, "bad": bad}

    day = schedule.render_day(date_on(1), "Europe/London", {})

    assert [m["id"] for m in day["meetings"]] == ["good"]


def test_the_request_tracker_marks_a_request_it_cannot_show() -> None:
    requests = Requests()
    for rid, requested_at in (("good", f"{iso_day(1)}T09:00:00+00:00"), ("bad", "?")):
        requests.requests[rid] = {  # type: ignore[typeddict-item]
            "id": rid,
            "state": "requested",
            "requested_at": requested_at,
            "requested_by": "i",
            "assignee": None,
            "closed_at": None,
            "due_at": None,
        }

    answer = requests.render(state=None, now=NOW, inspector_names={}, user_names={})

    rows = {r["id"]: r for r in answer["requests"]}
    assert rows["good"]["age_seconds"] == 3 * 3600
    assert "error" in rows["bad"]
    assert answer["open"] == 2


def test_the_case_board_marks_a_case_it_cannot_show() -> None:
    cases = Cases()
    cases.cases["bad"] = {"id": "bad", "ref": "C-1", "selection": "audited"}  # type: ignore[typeddict-item]

    answer = cases.render({})

    assert "error" in answer["cases"][0]
    assert answer["notifications_outstanding"] == 0


def test_an_event_a_model_cannot_fold_is_logged_and_the_others_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    views = InspectionViews()
    orphan = LoggedEvent(
        position=7,
        type="MeetingRescheduled",  # of a meeting the schedule never saw
        recorded_at=NOW,
        occurred_at=NOW,
        actor="a",
        actor_name="A",
        inspection_id="i",
        aggregate_id="m",
        aggregate_version=2,
        data={"starts_at": "x", "ends_at": "y", "reason": "r"},
        recorded_iso=NOW.isoformat(),
        occurred_iso=NOW.isoformat(),
    )

    with caplog.at_level(logging.ERROR):
        views.apply(orphan)

    assert "could not fold event 7" in caplog.text


# --- the error middleware -------------------------------------------------------


def run(app: Any) -> tuple[list[Message], bool]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/x", "headers": []}
    raised = False
    try:
        asyncio.run(ErrorsAsJson(app)(scope, receive, send))
    except Exception:
        raised = True
    return sent, raised


def test_an_unexpected_error_answers_json_500_logged_once_and_is_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR):
        sent, raised = run(failing)

    assert not raised  # raised on, the server would close the connection
    assert sent[0]["status"] == 500
    assert b"secret" not in sent[1]["body"]
    assert b"detail" in sent[1]["body"]
    assert [r.exc_info is not None for r in caplog.records] == [True]


def test_a_dropped_stream_client_is_one_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def slow_client(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise SendTimeoutError()

    with caplog.at_level(logging.INFO):
        sent, raised = run(slow_client)

    assert not raised
    assert len(sent) == 1
    assert [(r.levelname, r.exc_info) for r in caplog.records] == [("INFO", None)]
