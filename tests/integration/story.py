"""A short inspection story told over HTTP, and every read route to read it back.

The time-travel and restart tests tell it in two acts and compare what every
read route answers before and after.
"""

from __future__ import annotations

from typing import Any

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, sha256

DAY = iso_day(2)
# Fields that say when an answer was asked for, not what it says.
WHEN_ASKED = ("position", "past", "as_of", "happened_by")


def read_routes(inspection: Inspection) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every read route, by a name for failure messages: (path, its query)."""
    path = inspection.path
    return {
        "inspection": (path, {}),
        "schedule": (f"{path}/schedule", {"day": DAY}),
        "agenda": (f"{path}/agenda/Jo Smith", {"since": 0}),
        "inspector agenda": (f"{path}/agenda/{inspection.team_inspector}", {}),
        "ledger": (f"{path}/ledger", {}),
        "requests": (f"{path}/requests", {}),
        "open requests": (f"{path}/requests", {"state": "open"}),
        "cases": (f"{path}/cases", {}),
        "blog": (f"{path}/blog/{DAY}", {}),
        "lines of enquiry": (f"{path}/lines-of-enquiry", {}),
        "kit notes": (f"{path}/kit-notes", {}),
    }


def read_everything(
    client: WarRoomClient, inspection: Inspection, **when: Any
) -> dict[str, Any]:
    """What every read route answers (the ledger's CSV too), asked `when`."""
    answers: dict[str, Any] = {}
    for name, (path, query) in read_routes(inspection).items():
        response = client.get("auditor", path, **query, **when)
        assert response.status_code == 200, (name, response.text)
        answers[name] = response.json()
    csv = client.get("auditor", f"{inspection.path}/ledger", format="csv", **when)
    assert csv.status_code == 200, csv.text
    answers["ledger csv"] = csv.text
    return answers


def without(answer: Any, fields: tuple[str, ...]) -> Any:
    """An answer with the named top-level fields left out (CSV text as it is)."""
    if not isinstance(answer, dict):
        return answer
    return {k: v for k, v in answer.items() if k not in fields}


def without_ages(answer: Any) -> Any:
    """A tracker's answer without ages, which depend on the moment asked about."""
    return {
        **answer,
        "requests": [
            {k: v for k, v in r.items() if k != "age_seconds"}
            for r in answer["requests"]
        ],
    }


def act_one(client: WarRoomClient, inspection: Inspection) -> int:
    """Meetings, a request half way, a case, a line of enquiry, a post."""
    path = inspection.path
    meeting = client.ok(
        "gatekeeper",
        f"{path}/meetings",
        {
            "title": "Front door",
            "kind": "team_visit",
            "starts_at": f"{DAY}T10:00:00Z",
            "ends_at": f"{DAY}T11:00:00Z",
            "venue": "Room 1",
            "attendees": ["Jo Smith"],
            "inspectors": [inspection.team_inspector],
            "topics": ["thresholds"],
        },
    )["id"]
    client.ok(
        "lead",
        f"{path}/meetings/{meeting}/reschedule",
        {
            "starts_at": f"{DAY}T11:00:00Z",
            "ends_at": f"{DAY}T12:00:00Z",
            "reason": "inspector delayed",
        },
    )
    line = client.ok(
        "lead", f"{path}/lines-of-enquiry", {"title": "Thresholds", "owner": "Head"}
    )["id"]
    request = client.ok(
        "gatekeeper",
        f"{path}/requests",
        {
            "title": "Annex A",
            "requested_by": inspection.team_inspector,
            "channel": "kit",
            "due_at": f"{iso_day(-691)}T00:00:00Z",
            "line_of_enquiry": line,
        },
    )["id"]
    client.ok(
        "gatekeeper",
        f"{path}/requests/{request}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    client.attach("preparer", inspection.id, request, b"annex a v1")
    client.ok(
        "lead", f"{path}/requests/{request}/approve", {"sha256": sha256(b"annex a v1")}
    )
    case = client.ok(
        "rapid_response",
        f"{path}/cases",
        {"ref": "C-1", "selection": "audited", "plan": "CP"},
    )["id"]
    client.ok("gatekeeper", f"{path}/cases/{case}/notified", {"party": "iro"})
    client.ok(
        "rapid_response",
        f"{path}/cases/{case}/browsed",
        {"inspector": inspection.lead_inspector, "item": "plan"},
    )
    return int(
        client.ok(
            "lead",
            f"{path}/blog",
            {"day": DAY, "title": "Day 3", "body": "On site"},
        )["position"]
    )


def act_two(client: WarRoomClient, inspection: Inspection) -> int:
    """Something new for every read model: the answers of act one go stale."""
    path = inspection.path
    client.ok("lead", f"{path}/phase", {"phase": "day3_on_site"})
    client.ok("lead", f"{path}/inspectors", {"name": "Sam Hill"})
    meetings = client.get("auditor", f"{path}/schedule", day=DAY).json()["meetings"]
    meeting = meetings[0]["id"]
    client.ok("lead", f"{path}/meetings/{meeting}/move", {"venue": "Room 2"})
    client.ok(
        "lead",
        f"{path}/meetings/{meeting}/attendees",
        {"add": ["Ann Lee"], "remove": ["Jo Smith"]},
    )
    client.ok(
        "lead",
        f"{path}/meetings/{meeting}/notes",
        {
            "text": "Thresholds well understood",
            "lines_of_enquiry": ["Step-down"],
            "actions": ["Send the step-down audit"],
        },
    )
    client.ok(
        "lead",
        f"{path}/meetings/{meeting}/kit-actions/0/assign",
        {"owner": "A preparer"},
    )
    client.ok(
        "gatekeeper",
        f"{path}/meetings",
        {
            "title": "Lead inspector meeting",
            "kind": "lead_inspector",
            "starts_at": f"{DAY}T12:05:00Z",
            "ends_at": f"{DAY}T13:00:00Z",
            "venue": "Room 3",
            "inspectors": [inspection.team_inspector],
        },
    )
    requests = client.get("auditor", f"{path}/requests").json()["requests"]
    request = requests[0]["id"]
    digest = sha256(b"annex a v1")
    client.ok("rapid_response", f"{path}/requests/{request}/check", {"sha256": digest})
    client.ok(
        "gatekeeper",
        f"{path}/requests/{request}/release",
        {"sha256": digest, "to": inspection.team_inspector, "medium": "electronic"},
    )
    cases = client.get("auditor", f"{path}/cases").json()["cases"]
    case = cases[0]["id"]
    client.ok("lead", f"{path}/cases/{case}/audit", {"judgement": "good"})
    client.ok(
        "rapid_response",
        f"{path}/cases/{case}/browsed",
        {"inspector": inspection.team_inspector, "item": "chronology"},
    )
    lines = client.get("auditor", f"{path}/lines-of-enquiry").json()
    line = lines["lines_of_enquiry"][0]["id"]
    client.ok("lead", f"{path}/lines-of-enquiry/{line}/answer", {"response": "Met"})
    return int(
        client.ok(
            "rapid_response",
            f"{path}/blog",
            {"day": DAY, "title": "Day 3, later", "body": "Feedback went well"},
        )["position"]
    )
