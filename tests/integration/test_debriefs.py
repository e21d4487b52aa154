"""Debriefs: after a meeting, the staff who were in it report back; their
follow-ups become tasks for the rapid response team."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.helpers import Inspection, WarRoomClient, refused

DEBRIEF = {
    "asked": "How we track repeat referrals",
    "went_well": "The MASH walk-through",
    "concerns": "Supervision records are thin in the south team",
    "follow_ups": ["Send the supervision audit", "Chronology for CP-0042"],
}


def meeting(
    client: WarRoomClient,
    inspection: Inspection,
    ends_in: timedelta = timedelta(hours=-1),
) -> str:
    ends = datetime.now(UTC) + ends_in
    mid: str = client.ok(
        "gatekeeper",
        f"{inspection.path}/meetings",
        {
            "title": "Focus group: front door",
            "kind": "focus_group",
            "starts_at": (ends - timedelta(hours=1)).isoformat(),
            "ends_at": ends.isoformat(),
            "venue": "Room 2",
            "attendees": ["A staff", "A rapid_response"],
            "inspectors": [inspection.team_inspector],
        },
    )["id"]
    return mid


def debriefs(client: WarRoomClient, inspection: Inspection, **params: Any) -> Any:
    response = client.get("lead", f"{inspection.path}/debriefs", **params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_member_of_staff_who_was_in_the_meeting_debriefs_it_for_the_lead(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = meeting(client, inspection)
    answer = client.ok("staff", f"{inspection.path}/meetings/{mid}/debriefs", DEBRIEF)
    body = debriefs(client, inspection)
    (debrief,) = body["debriefs"]
    assert debrief["id"] == answer["id"]
    assert (debrief["person"], debrief["meeting_title"]) == (
        "A staff",
        "Focus group: front door",
    )
    assert debrief["concerns"] == DEBRIEF["concerns"]
    assert body["with_concerns"] == 1
    assert debriefs(client, inspection, meeting="other")["debriefs"] == []


def test_follow_ups_become_playbook_tasks_for_the_rapid_response_team(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = meeting(client, inspection)
    answer = client.ok("staff", f"{inspection.path}/meetings/{mid}/debriefs", DEBRIEF)
    playbook = client.get("rapid_response", f"{inspection.path}/playbook").json()
    tasks = {t["id"]: t for t in playbook["tasks"]}
    assert list(tasks) == answer["task_ids"]
    assert [t["title"] for t in tasks.values()] == DEBRIEF["follow_ups"]
    for task in tasks.values():
        assert (task["owner"], task["done"]) == ("rapid response team", False)
        assert task["phase"] == "day1_notification"
        assert "Focus group: front door" in task["source"]
    first = answer["task_ids"][0]
    client.ok(
        "rapid_response",
        f"{inspection.path}/playbook/tasks/{first}/done",
        {"note": "sent"},
    )
    client.ok(
        "lead",
        f"{inspection.path}/playbook/tasks/{answer['task_ids'][1]}/assign",
        {"owner": "Karen Andrews"},
    )


def test_the_days_blog_includes_the_debriefs(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = meeting(client, inspection)
    client.ok("rapid_response", f"{inspection.path}/meetings/{mid}/debriefs", DEBRIEF)
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    blog = client.get("staff", f"{inspection.path}/blog/{today}").json()
    (told,) = blog["debriefs"]
    assert (told["subject"], told["by"]) == (
        "Focus group: front door",
        "A rapid_response",
    )
    assert told["data"]["went_well"] == "The MASH walk-through"


def test_debriefs_refused_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = meeting(client, inspection)
    path = f"{inspection.path}/meetings/{mid}/debriefs"
    # Only someone who was in it; the auditor never writes.
    refused(client, 403, "gatekeeper", path, DEBRIEF)
    refused(client, 403, "auditor", path, DEBRIEF)
    refused(client, 422, "staff", path, {**DEBRIEF, "asked": ""})
    refused(client, 422, "staff", path, {**DEBRIEF, "follow_ups": [""]})
    later = meeting(client, inspection, ends_in=timedelta(hours=2))
    answer = refused(
        client, 409, "staff", f"{inspection.path}/meetings/{later}/debriefs", DEBRIEF
    )
    assert answer["rule"] == "debrief_after_meeting"
    client.ok("gatekeeper", f"{inspection.path}/meetings/{mid}/cancel", {"reason": "x"})
    assert refused(client, 409, "staff", path, DEBRIEF)["rule"] == (
        "debrief_held_meetings"
    )
    assert debriefs(client, inspection)["debriefs"] == []
