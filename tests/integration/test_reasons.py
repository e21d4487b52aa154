"""Two steps taken only with a reason (issue 23, finding 4): closing a day
before its last meeting has ended (`early_reason`), selecting a case beyond
the template's sample (`over_reason`). Without one: 409 and nothing stored;
with one: the reason is stored and shown where the day or the case is."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest

from clock.closing import DayCloser
from commands.executor import execute
from commands.models import CloseDay
from commands.run import Actor
from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    new_meeting,
    refused,
)
from warroom.domain.base import RuleBroken
from warroom.playbook_templates import DEFAULT_DIR

DAY = iso_day(1)


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+00:00"  # Europe/London is UTC in November


@pytest.fixture
def day_with_meetings(client: WarRoomClient, inspection: Inspection) -> Inspection:
    """Day 2: a KIT 10:00-11:00, feedback 16:00-17:00, a cancelled 18:00."""
    new_meeting(client, inspection)
    new_meeting(
        client,
        inspection,
        title="Feedback to the DCS",
        kind="lead_inspector",
        starts_at=at("16:00"),
        ends_at=at("17:00"),
    )
    cancelled = new_meeting(
        client,
        inspection,
        title="Late focus group",
        starts_at=at("18:00"),
        ends_at=at("19:00"),
    )["id"]
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{cancelled}/cancel",
        {"reason": "the inspectors left early"},
    )
    return inspection


def blog(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    answer = client.get("staff", f"{inspection.path}/blog/{DAY}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_closing_a_day_before_its_last_meeting_ends_is_refused_storing_nothing(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    inspection = day_with_meetings
    path = f"{inspection.path}/days/close"
    body = {"day": DAY, "occurred_at": at("11:20")}

    answer = refused(client, 409, "lead", path, body)

    assert answer["code"] == answer["rule"] == "meetings_to_come"
    assert [m["title"] for m in answer["meetings_to_come"]] == ["Feedback to the DCS"]
    assert answer["last_ends_at"] == at("17:00")
    assert f"1 meeting of {iso_day(1)} still to come" in answer["detail"]
    assert "Feedback to the DCS 16:00-17:00" in answer["detail"]
    assert "the last ends at 17:00" in answer["detail"]
    day = blog(client, inspection)
    assert (day["closed"], day["seal"]) == (None, None)
    types = [e["type"] for e in logged_events(client, inspection)]
    assert "DayClosed" not in types


def test_a_meeting_under_way_is_still_to_come(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    body = {"day": DAY, "occurred_at": at("10:30")}
    path = f"{day_with_meetings.path}/days/close"
    answer = refused(client, 409, "lead", path, body)
    assert f"2 meetings of {iso_day(1)} still to come" in answer["detail"]


def test_closing_a_day_early_with_a_reason_stores_it_and_the_blog_shows_it(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    inspection = day_with_meetings
    reason = "The lead inspector moved feedback to tomorrow; we close at noon."
    body = {"day": DAY, "occurred_at": at("11:20"), "early_reason": reason}

    client.ok("lead", f"{inspection.path}/days/close", body)

    [closed] = [
        e for e in logged_events(client, inspection) if e["type"] == "DayClosed"
    ]
    assert closed["data"]["early_reason"] == reason
    day = blog(client, inspection)
    assert day["closed"] == {"at": at("11:20"), "by": "A lead", "early_reason": reason}
    assert day["seal"]
    printed = client.get("staff", f"/print/inspections/{inspection.id}/blog/{DAY}")
    assert printed.status_code == 200, printed.text
    assert reason in printed.text


def test_closing_a_day_after_its_last_meeting_needs_no_reason(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    inspection = day_with_meetings
    body = {"day": DAY, "occurred_at": at("17:30")}
    client.ok("lead", f"{inspection.path}/days/close", body)
    closed = blog(client, inspection)["closed"]
    assert closed is not None and closed["early_reason"] is None


# --- the case sample ---------------------------------------------------------


def open_from_sif(client: WarRoomClient) -> str:
    body = {
        "title": "SIF 2026",
        "framework": "SIF",
        "starts_on": iso_day(0),
        "template": "SIF",
    }
    iid: str = client.ok("lead", "/api/inspections", body)["id"]
    return iid


def select(
    client: WarRoomClient, iid: str, ref: str, selection: str, **more: str
) -> dict[str, Any]:
    body = {"ref": ref, "selection": selection, "plan": "CP", **more}
    answer: dict[str, Any] = client.ok(
        "rapid_response", f"/api/inspections/{iid}/cases", body
    )
    return answer


def cases(client: WarRoomClient, iid: str) -> dict[str, Any]:
    answer = client.get("staff", f"/api/inspections/{iid}/cases")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize(("selection", "size"), [("audited", 18), ("tracked", 12)])
def test_a_case_beyond_the_sif_sample_is_refused_storing_nothing(
    client: WarRoomClient, selection: str, size: int
) -> None:
    iid = open_from_sif(client)
    for n in range(size):
        select(client, iid, f"C-{n:03}", selection)
    before = cases(client, iid)

    answer = refused(
        client,
        409,
        "rapid_response",
        f"/api/inspections/{iid}/cases",
        {"ref": "C-999", "selection": selection, "plan": "LAC"},
    )

    assert answer["code"] == answer["rule"] == "sample_full"
    assert (answer["sample"], answer["selected"]) == (size, size)
    assert f"beyond the sample of {size}" in answer["detail"]
    after = cases(client, iid)
    assert after["counts"] == before["counts"]
    assert after["counts"][selection] == after["expected"][selection] == size
    assert "C-999" not in [c["ref"] for c in after["cases"]]


def test_a_case_beyond_the_sample_with_a_reason_is_selected_and_shows_it(
    client: WarRoomClient,
) -> None:
    iid = open_from_sif(client)
    for n in range(18):
        select(client, iid, f"A-{n:03}", "audited")
    reason = "The lead inspector asked for a 19th: a sibling of A-004."

    made = select(client, iid, "A-019", "audited", over_reason=reason)

    board = cases(client, iid)
    assert (board["counts"]["audited"], board["expected"]["audited"]) == (19, 18)
    assert board["sample"] == {"audited": 18, "tracked": 12}
    [case] = [c for c in board["cases"] if c["id"] == made["id"]]
    assert case["over_reason"] == reason
    assert all(c["over_reason"] is None for c in board["cases"] if c is not case)
    # A tracked case is still within its own sample: no reason asked.
    select(client, iid, "T-001", "tracked")


def test_the_sample_is_the_templates_data(
    client: WarRoomClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A council's copy of SIF with a sample of 2 audited cases: the third is
    beyond it, though the code knows nothing of 2."""
    folder = tmp_path / "our-playbooks"
    shutil.copytree(DEFAULT_DIR, folder)
    sif = folder / "SIF.toml"
    sif.write_text(sif.read_text().replace("audited = 18", "audited = 2"))
    monkeypatch.setenv("WARROOM_PLAYBOOK_DIR", str(folder))
    iid = open_from_sif(client)
    select(client, iid, "A-1", "audited")
    select(client, iid, "A-2", "audited")

    body = {"ref": "A-3", "selection": "audited", "plan": "CP"}
    path = f"/api/inspections/{iid}/cases"
    answer = refused(client, 409, "rapid_response", path, body)

    assert answer["sample"] == 2
    board = cases(client, iid)
    assert board["expected"] == board["sample"] == {"audited": 2, "tracked": 12}


def test_an_inspection_opened_from_no_template_has_no_sample_to_fill(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for n in range(19):
        client.ok(
            "rapid_response",
            f"{inspection.path}/cases",
            {"ref": f"A-{n:03}", "selection": "audited", "plan": "CP"},
        )
    board = cases(client, inspection.id)
    assert (board["counts"]["audited"], board["sample"]) == (19, None)


def test_both_refusals_are_declared_in_the_openapi(client: WarRoomClient) -> None:
    paths = client.http.get("/openapi.json").json()["paths"]
    for path, code, field in [
        (
            "/api/inspections/{inspection_id}/days/close",
            "meetings_to_come",
            "early_reason",
        ),
        ("/api/inspections/{inspection_id}/cases", "sample_full", "over_reason"),
    ]:
        conflict = paths[path]["post"]["responses"]["409"]
        assert code in conflict["description"]
        assert field in conflict["description"]


def test_a_reason_sent_when_no_meeting_is_to_come_is_not_kept(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    """Closed after its last meeting, the day was not closed early: the
    close is stored (what the sender wanted), the reason is not, and the
    answer says so, so the blog never says why a day was closed early when
    it was not."""
    inspection = day_with_meetings
    body = {
        "day": DAY,
        "occurred_at": at("17:01"),
        "early_reason": "Feedback runs late; we close now.",
    }

    answer = client.ok("lead", f"{inspection.path}/days/close", body)

    assert answer["closed_early"] is False
    [closed] = [
        e for e in logged_events(client, inspection) if e["type"] == "DayClosed"
    ]
    assert closed["data"]["early_reason"] is None
    assert blog(client, inspection)["closed"]["early_reason"] is None


def test_a_day_closed_early_with_its_reason_says_so_in_the_answer(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    body = {"day": DAY, "occurred_at": at("16:30"), "early_reason": "Fire alarm."}
    answer = client.ok("lead", f"{day_with_meetings.path}/days/close", body)
    assert answer["closed_early"] is True


def test_a_caller_without_a_schedule_of_its_own_is_refused_too(
    client: WarRoomClient, day_with_meetings: Inspection
) -> None:
    """The command line and the demo's loader send commands with no read
    side: the meetings to come are then read from the log."""
    before = client.stored()
    lead = Actor(id=client.user_ids["lead"], name="A lead", role="lead")
    command = CloseDay.model_validate({"day": DAY, "occurred_at": at("11:20")})
    with pytest.raises(RuleBroken) as refusal:
        execute(client.app, lead, command, inspection_id=day_with_meetings.id)
    assert refusal.value.rule == "meetings_to_come"
    assert [m["title"] for m in refusal.value.details["meetings_to_come"]] == [
        "Feedback to the DCS"
    ]
    assert client.stored() == before


# --- the server's own closing clock (WARROOM_CLOSE_DAYS_AT) ------------------


def closer_of(client: WarRoomClient, hour: str) -> DayCloser:
    state = client.http.app.state.warroom  # type: ignore[attr-defined]
    state.reader.catch_up()
    return DayCloser(state, time.fromisoformat(hour))


def test_the_clock_leaves_a_day_open_while_its_meetings_are_to_come(
    client: WarRoomClient,
    day_with_meetings: Inspection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At 16:30 the feedback (16:00-17:00) is still to come: the clock keeps
    the day open, says so once, and closes it at its first tick after 17:00,
    with no reason, for none was needed then."""
    inspection = day_with_meetings
    closer = closer_of(client, "16:30")
    before = client.stored()

    with caplog.at_level(logging.WARNING, logger="clock.closing"):
        assert closer.tick(datetime.fromisoformat(at("16:30"))) == []
        assert closer.tick(datetime.fromisoformat(at("16:59"))) == []

    assert client.stored() == before
    assert blog(client, inspection)["closed"] is None
    [waiting] = [r.getMessage() for r in caplog.records if r.name == "clock.closing"]
    assert f"leaves {DAY} of inspection {inspection.id} open at 16:30" in waiting
    assert "1 meeting still to come" in waiting
    assert f"the last ends at {at('17:00')}" in waiting

    closed = closer.tick(datetime.fromisoformat(at("17:00")))

    assert closed == [(inspection.id, DAY)]
    day = blog(client, inspection)
    assert day["closed"]["at"] == at("17:00")
    assert day["closed"]["early_reason"] is None
    assert day["seal"]


def test_the_clock_closes_a_day_whose_meeting_ran_past_midnight_the_next_morning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    new_meeting(
        client,
        inspection,
        title="Night visit to the out-of-hours team",
        starts_at=at("23:00"),
        ends_at=f"{iso_day(2)}T00:30:00+00:00",
    )
    closer = closer_of(client, "18:00")

    assert closer.tick(datetime.fromisoformat(at("23:30"))) == []
    assert closer.tick(datetime.fromisoformat(f"{iso_day(2)}T00:10:00+00:00")) == []
    assert blog(client, inspection)["closed"] is None

    closed = closer.tick(datetime.fromisoformat(f"{iso_day(2)}T00:31:00+00:00"))

    assert closed == [(inspection.id, DAY)]  # and not the 25th: not 18:00 yet
    assert blog(client, inspection)["closed"]["early_reason"] is None
