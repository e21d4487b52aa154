"""Each read model against hand-worked answers to the seed's own situations.

"Just when you think you've nailed it, something changes"; "always check
documents ... after a final check"; "give the inspectors time to draw breath";
"track which cases ... inspectors looked at"; "a blog delivered by daily email".
Everything goes through the HTTP API, as the war room would use it.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, sha256
from warroom.domain.case import PARTIES

DAY = iso_day(2)  # a Wednesday on site; London is on GMT, so UTC = local


def utc(day: str, hhmm: str) -> str:
    return f"{day}T{hhmm}:00+00:00"


def schedule(
    client: WarRoomClient,
    inspection: Inspection,
    title: str,
    starts_at: str,
    ends_at: str,
    *,
    venue: str = "Room 1",
    attendees: list[str] | None = None,
    inspectors: list[str] | None = None,
    topics: list[str] | None = None,
    kind: str = "staff_interview",
    occurred_at: str | None = None,
) -> dict[str, Any]:
    when = {"occurred_at": occurred_at} if occurred_at else {}
    return client.ok(
        "gatekeeper",
        f"{inspection.path}/meetings",
        {
            "title": title,
            "kind": kind,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "venue": venue,
            "attendees": attendees or [],
            "inspectors": inspectors or [],
            "topics": topics or [],
        }
        | when,
    )


def record_request(
    client: WarRoomClient, inspection: Inspection, title: str, **extra: Any
) -> str:
    body = {"title": title, "requested_by": inspection.team_inspector, "channel": "kit"}
    rid: str = client.ok("gatekeeper", f"{inspection.path}/requests", body | extra)[
        "id"
    ]
    return rid


def walk_to_release(
    client: WarRoomClient,
    inspection: Inspection,
    rid: str,
    content: bytes,
    **when: str,
) -> dict[str, Any]:
    """Assign, attach, approve, check, release: each by whoever may do it."""
    path = f"{inspection.path}/requests/{rid}"
    digest = sha256(content)
    client.ok(
        "gatekeeper",
        f"{path}/assign",
        {"assignee": client.user_ids["preparer"], **when},
    )
    attached = client.attach("preparer", inspection.id, rid, content)
    assert attached.status_code == 201, attached.text
    client.ok("lead", f"{path}/approve", {"sha256": digest, **when})
    client.ok("rapid_response", f"{path}/check", {"sha256": digest, **when})
    return client.ok(
        "gatekeeper",
        f"{path}/release",
        {"sha256": digest, "to": inspection.lead_inspector, "medium": "hard_copy"}
        | when,
    )


def read(client: WarRoomClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get("staff", path, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- the schedule -------------------------------------------------------------


def test_a_kit_meeting_moved_twice_then_cancelled_shows_its_three_changes(
    client: WarRoomClient, inspection: Inspection
) -> None:
    kit = schedule(
        client,
        inspection,
        "KIT with the lead inspector",
        utc(DAY, "10:00"),
        utc(DAY, "11:00"),
        kind="kit",
        attendees=["Director of Children's Services"],
        inspectors=[inspection.lead_inspector],
        topics=["Annex A gaps"],
    )
    path = f"{inspection.path}/meetings/{kit['id']}"
    retimed = client.ok(
        "lead",
        f"{path}/reschedule",
        {
            "starts_at": utc(DAY, "14:00"),
            "ends_at": utc(DAY, "15:00"),
            "reason": "the lead inspector is on a team visit all morning",
        },
    )
    moved = client.ok("rapid_response", f"{path}/move", {"venue": "Room 4"})
    cancelled = client.ok(
        "gatekeeper", f"{path}/cancel", {"reason": "the lead inspector called it off"}
    )

    day = read(client, f"{inspection.path}/schedule", day=DAY)

    [meeting] = day["meetings"]
    assert meeting["id"] == kit["id"]
    assert meeting["cancelled"] is True
    assert meeting["warnings"] == []
    assert (meeting["starts_at"], meeting["venue"]) == (utc(DAY, "14:00"), "Room 4")
    history = meeting["history"]
    assert [(h["what"], h["from"], h["to"], h["who"]) for h in history] == [
        (
            "time",
            f"{utc(DAY, '10:00')} - {utc(DAY, '11:00')}",
            f"{utc(DAY, '14:00')} - {utc(DAY, '15:00')}",
            "A lead",
        ),
        ("venue", "Room 1", "Room 4", "A rapid_response"),
        ("cancelled", None, None, "A gatekeeper"),
    ]
    assert history[0]["why"] == "the lead inspector is on a team visit all morning"
    assert history[2]["why"] == "the lead inspector called it off"
    assert [h["position"] for h in history] == [
        retimed["position"],
        moved["position"],
        cancelled["position"],
    ]
    whens = [datetime.fromisoformat(h["when"]) for h in history]
    assert all(when.tzinfo is not None for when in whens)
    assert whens == sorted(whens)


def test_back_to_back_meetings_warn_of_an_inspector_with_under_15_minutes(
    client: WarRoomClient, inspection: Inspection
) -> None:
    tom = [inspection.team_inspector]
    first = schedule(
        client,
        inspection,
        "Front door",
        utc(DAY, "10:00"),
        utc(DAY, "11:00"),
        inspectors=tom,
        attendees=["Jo Smith"],
    )
    second = schedule(
        client,
        inspection,
        "MASH",
        utc(DAY, "11:10"),
        utc(DAY, "12:00"),
        venue="Room 2",
        inspectors=tom,
    )
    # Exactly 15 minutes after the second: time enough to breathe.
    third = schedule(
        client,
        inspection,
        "Care leavers",
        utc(DAY, "12:15"),
        utc(DAY, "13:00"),
        venue="Room 3",
        inspectors=tom,
    )
    clash = schedule(
        client,
        inspection,
        "Supervision",
        utc(DAY, "10:30"),
        utc(DAY, "10:45"),
        attendees=["Jo Smith"],
    )
    assert [w["kind"] for w in second["warnings"]] == ["inspector_no_breathing_space"]

    day = read(client, f"{inspection.path}/schedule", day=DAY)

    warnings = {
        m["title"]: {(w["kind"], w["who"], w["meeting_id"]) for w in m["warnings"]}
        for m in day["meetings"]
    }
    assert warnings == {
        "Front door": {
            ("inspector_no_breathing_space", "Tom Bright", second["id"]),
            ("venue_double_booked", "Room 1", clash["id"]),
            ("person_double_booked", "Jo Smith", clash["id"]),
        },
        "MASH": {("inspector_no_breathing_space", "Tom Bright", first["id"])},
        "Care leavers": set(),
        "Supervision": {
            ("venue_double_booked", "Room 1", first["id"]),
            ("person_double_booked", "Jo Smith", first["id"]),
        },
    }
    assert third["warnings"] == []


def test_a_persons_agenda_marks_what_changed_since_a_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mine = schedule(
        client,
        inspection,
        "Staff interview",
        utc(DAY, "09:00"),
        utc(DAY, "10:00"),
        attendees=["Jo Smith"],
        topics=["caseload"],
    )
    other = schedule(
        client,
        inspection,
        "Lead inspector meeting",
        utc(DAY, "11:00"),
        utc(DAY, "12:00"),
        inspectors=[inspection.lead_inspector],
    )
    path = f"{inspection.path}/meetings/{mine['id']}"
    client.ok("lead", f"{path}/move", {"venue": "Room 9"})
    told = client.ok("lead", f"{path}/topics", {"topics": ["caseload", "supervision"]})
    later = client.ok(
        "lead",
        f"{path}/reschedule",
        {
            "starts_at": utc(DAY, "09:30"),
            "ends_at": utc(DAY, "10:30"),
            "reason": "clash with the MASH visit",
        },
    )

    agenda = read(client, f"{inspection.path}/agenda/Jo Smith", since=told["position"])
    everything = read(client, f"{inspection.path}/agenda/Jo Smith", since=0)
    lead = read(client, f"{inspection.path}/agenda/{inspection.lead_inspector}")

    [meeting] = agenda["meetings"]
    assert meeting["id"] == mine["id"]
    assert meeting["prepare"] == ["caseload", "supervision"]
    assert [c["position"] for c in meeting["changed_since_last_told"]] == [
        later["position"]
    ]
    assert [c["what"] for c in meeting["changed_since_last_told"]] == ["time"]
    [all_changes] = everything["meetings"]
    assert [c["what"] for c in all_changes["changed_since_last_told"]] == [
        "venue",
        "topics",
        "time",
    ]
    assert [m["id"] for m in lead["meetings"]] == [other["id"]]


def test_an_acknowledged_briefing_is_where_the_agenda_starts_marking_changes(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mine = schedule(
        client,
        inspection,
        "Focus group",
        utc(DAY, "09:00"),
        utc(DAY, "10:00"),
        attendees=["A staff"],
    )
    path = f"{inspection.path}/meetings/{mine['id']}"
    client.ok("lead", f"{path}/move", {"venue": "Room 9"})
    client.ok("staff", f"{inspection.path}/agenda/A staff/acknowledge")
    moved = client.ok("lead", f"{path}/move", {"venue": "Room 10"})

    agenda = read(client, f"{inspection.path}/agenda/A staff")

    [meeting] = agenda["meetings"]
    assert [(c["to"], c["position"]) for c in meeting["changed_since_last_told"]] == [
        ("Room 10", moved["position"])
    ]


# --- requests, the tracker and the ledger -----------------------------------


def test_a_document_re_versioned_after_approval_is_released_as_the_new_version(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = record_request(client, inspection, "Annex A: list of children in need")
    path = f"{inspection.path}/requests/{rid}"
    first, second = b"CIN list as at Monday", b"CIN list as at Tuesday"
    client.ok("gatekeeper", f"{path}/assign", {"assignee": client.user_ids["preparer"]})
    client.attach("preparer", inspection.id, rid, first, "cin.xlsx", "1")
    client.ok("lead", f"{path}/approve", {"sha256": sha256(first)})
    client.attach("preparer", inspection.id, rid, second, "cin.xlsx", "2")

    attached = read(client, f"{inspection.path}/requests", state="attached")
    [row] = attached["requests"]
    assert (row["id"], row["state"], row["holder"]) == (
        rid,
        "attached",
        "lead (approve)",
    )
    assert row["document"]["version"] == "2"
    assert row["document"]["sha256"] == sha256(second)
    # The approval went with the first version: it can be neither checked
    # nor released, and approving the first again is refused.
    for action, body in (
        ("check", {"sha256": sha256(first)}),
        ("approve", {"sha256": sha256(first)}),
        (
            "release",
            {
                "sha256": sha256(first),
                "to": inspection.lead_inspector,
                "medium": "electronic",
            },
        ),
    ):
        role = "gatekeeper" if action == "release" else "lead"
        assert client.post(role, f"{path}/{action}", body).status_code == 409

    client.ok("lead", f"{path}/approve", {"sha256": sha256(second)})
    client.ok("rapid_response", f"{path}/check", {"sha256": sha256(second)})
    released = client.ok(
        "gatekeeper",
        f"{path}/release",
        {"sha256": sha256(second), "to": inspection.lead_inspector, "medium": "packet"},
    )

    ledger = read(client, f"{inspection.path}/ledger")
    [line] = ledger["lines"]
    assert {k: line[k] for k in line if k not in ("recorded_at", "occurred_at")} == {
        "line": 1,
        "kind": "release",
        "request_id": rid,
        "request": "Annex A: list of children in need",
        "document": "cin.xlsx",
        "version": "2",
        "sha256": sha256(second),
        "to": inspection.lead_inspector,
        "to_name": "Helen Ward",
        "medium": "packet",
        "approved_by": "A lead",
        "checked_by": "A rapid_response",
        "released_by": "A gatekeeper",
        "position": released["position"],
        "case_ref": None,
        "copy_for": None,
    }
    closed = read(client, f"{inspection.path}/requests", state="closed")
    assert [(r["id"], r["state"], r["open"]) for r in closed["requests"]] == [
        (rid, "released", False)
    ]

    by_header = client.http.get(
        f"{inspection.path}/ledger",
        headers=client.headers("auditor", Accept="text/csv"),
    )
    by_query = client.get("auditor", f"{inspection.path}/ledger", format="csv")
    for response in (by_header, by_query):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [
            (r["line"], r["document"], r["version"], r["sha256"], r["to"], r["medium"])
            for r in rows
        ] == [("1", "cin.xlsx", "2", sha256(second), "Helen Ward", "packet")]
        assert (rows[0]["approved_by"], rows[0]["released_by"]) == (
            "A lead",
            "A gatekeeper",
        )
    assert by_header.text == by_query.text


def test_the_tracker_flags_an_open_request_past_its_due_time_and_names_who_holds_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    late = record_request(
        client,
        inspection,
        "Audit of step-down cases",
        due_at=f"{iso_day(-691)}T12:00:00Z",
    )
    # Due dates lie within two years of the inspection's start (tests/days.py).
    next_month = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    on_time = record_request(
        client, inspection, "Supervision policy", due_at=next_month
    )
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{on_time}/assign",
        {"assignee": client.user_ids["preparer"]},
    )

    tracker = read(client, f"{inspection.path}/requests", state="open")

    rows = {r["id"]: r for r in tracker["requests"]}
    assert (rows[late]["overdue"], rows[on_time]["overdue"]) == (True, False)
    assert rows[late]["holder"] == "war room (assign a preparer)"
    assert rows[on_time]["holder"] == "A preparer"
    assert (tracker["open"], tracker["overdue"]) == (2, 1)
    assert tracker["requests"][0]["id"] == late  # overdue ones first


# --- the case board -----------------------------------------------------------


def test_the_case_board_shows_who_is_notified_who_is_not_yet_and_who_browsed_what(
    client: WarRoomClient, inspection: Inspection
) -> None:
    def select(ref: str, selection: str) -> str:
        body = {"ref": ref, "selection": selection, "plan": "CP", "iro": "IRO 1"}
        cid: str = client.ok("rapid_response", f"{inspection.path}/cases", body)["id"]
        return cid

    audited, tracked = select("C-1001", "audited"), select("C-2002", "tracked")
    cases = f"{inspection.path}/cases"
    for party in ("social_worker", "team_manager"):
        client.ok("gatekeeper", f"{cases}/{audited}/notified", {"party": party})
    client.ok("lead", f"{cases}/{audited}/audit", {"judgement": "requires_improvement"})
    for inspector, item in (
        (inspection.lead_inspector, "chronology"),
        (inspection.lead_inspector, "chronology"),
        (inspection.team_inspector, "child protection plan"),
    ):
        client.ok(
            "rapid_response",
            f"{cases}/{audited}/browsed",
            {"inspector": inspector, "item": item},
        )

    board = read(client, cases)

    rows = {c["ref"]: c for c in board["cases"]}
    assert board["counts"] == {"audited": 1, "tracked": 1}
    assert board["expected"] == {"audited": 18, "tracked": 12}
    assert rows["C-1001"]["notified"] == ["social_worker", "team_manager"]
    assert rows["C-1001"]["not_yet_notified"] == list(PARTIES[2:])
    assert rows["C-2002"]["not_yet_notified"] == list(PARTIES)
    assert board["notifications_outstanding"] == 2 * len(PARTIES) - 2
    assert rows["C-1001"]["judgement"] == "requires_improvement"
    assert rows["C-1001"]["browse_count"] == 3
    assert rows["C-1001"]["browsed_by"] == {"Helen Ward": 2, "Tom Bright": 1}
    assert rows["C-1001"]["items"] == {"chronology": 2, "child protection plan": 1}
    assert rows["C-1001"]["last_browse"]["inspector_name"] == "Tom Bright"
    assert (rows["C-2002"]["id"], rows["C-2002"]["browse_count"]) == (tracked, 0)


# --- lines of enquiry ---------------------------------------------------------


def test_a_line_of_enquiry_raised_at_a_kit_gathers_its_note_request_and_release(
    client: WarRoomClient, inspection: Inspection
) -> None:
    kit = schedule(
        client, inspection, "KIT", utc(DAY, "16:00"), utc(DAY, "16:30"), kind="kit"
    )
    note = client.ok(
        "lead",
        f"{inspection.path}/meetings/{kit['id']}/notes",
        {
            "text": "Concerned about drift in step-down from CP",
            "lines_of_enquiry": ["Step-down from CP to CIN"],
            "actions": ["pull the step-down audit"],
        },
    )
    [line_id] = note["lines_of_enquiry"]
    owned = client.ok(
        "gatekeeper",
        f"{inspection.path}/lines-of-enquiry",
        {"title": "Voice of the child", "owner": "Head of Safeguarding"},
    )
    rid = record_request(client, inspection, "Step-down audit", line_of_enquiry=line_id)
    walk_to_release(client, inspection, rid, b"step-down audit, final")
    client.ok(
        "lead",
        f"{inspection.path}/lines-of-enquiry/{line_id}/answer",
        {"response": "Audit shows step-down decisions are timely in 17 of 18"},
    )

    lines = read(client, f"{inspection.path}/lines-of-enquiry")

    by_title = {line["title"]: line for line in lines["lines_of_enquiry"]}
    step_down = by_title["Step-down from CP to CIN"]
    assert step_down["raised_at_meeting"] == kit["id"]
    assert step_down["answered"] is True
    assert step_down["response"].startswith("Audit shows")
    assert [(e["kind"], e["summary"]) for e in step_down["evidence"]] == [
        ("kit_note", "Concerned about drift in step-down from CP"),
        ("request", "Step-down audit"),
        ("release", f"Step-down audit ({sha256(b'step-down audit, final')[:12]})"),
    ]
    voice = by_title["Voice of the child"]
    assert (voice["id"], voice["owner"], voice["answered"]) == (
        owned["id"],
        "Head of Safeguarding",
        False,
    )
    assert voice["evidence"] == []
    assert lines["open"] == 1


# --- the daily blog -----------------------------------------------------------

SUMMER = iso_day(-510)  # British Summer Time: local midnight is 23:00 UTC


def test_the_blog_of_a_day_tells_the_days_events_in_order_by_local_day(
    client: WarRoomClient, inspection: Inspection
) -> None:
    def on(hhmm: str, day: str = SUMMER) -> dict[str, str]:
        return {"occurred_at": utc(day, hhmm)}

    before = utc(iso_day(-516), "09:00")
    held = schedule(
        client,
        inspection,
        "Front door focus group",
        f"{iso_day(-510)}T09:00:00+01:00",
        f"{iso_day(-510)}T10:00:00+01:00",
        occurred_at=before,
    )
    partners = schedule(
        client,
        inspection,
        "Partner meeting",
        f"{iso_day(-510)}T11:00:00+01:00",
        f"{iso_day(-510)}T12:00:00+01:00",
        occurred_at=before,
    )
    visit = schedule(
        client,
        inspection,
        "Team visit",
        f"{iso_day(-510)}T13:00:00+01:00",
        f"{iso_day(-510)}T14:00:00+01:00",
        occurred_at=before,
    )
    kit = schedule(
        client,
        inspection,
        "KIT",
        f"{iso_day(-510)}T16:00:00+01:00",
        f"{iso_day(-510)}T16:30:00+01:00",
        kind="kit",
        occurred_at=before,
    )
    schedule(
        client,
        inspection,
        "Lead inspector meeting",
        f"{iso_day(-509)}T09:00:00+01:00",
        f"{iso_day(-509)}T10:00:00+01:00",
        occurred_at=before,
    )
    meetings = f"{inspection.path}/meetings"
    client.ok(
        "lead",
        f"{meetings}/{partners['id']}/reschedule",
        {
            "starts_at": f"{iso_day(-510)}T12:00:00+01:00",
            "ends_at": f"{iso_day(-510)}T13:00:00+01:00",
            "reason": "health lead delayed",
        }
        | on("08:00"),
    )
    client.ok(
        "lead",
        f"{meetings}/{visit['id']}/cancel",
        {"reason": "inspector unwell"} | on("10:00"),
    )
    client.ok(
        "lead",
        f"{meetings}/{kit['id']}/notes",
        {
            "text": "Good grip on the front door",
            "lines_of_enquiry": ["Quality of supervision"],
        }
        | on("15:30"),
    )
    # 00:30 on 1 July in London, still 30 June in UTC.
    still_open = record_request(
        client, inspection, "Early help data", **on("23:30", iso_day(-511))
    )
    released = record_request(client, inspection, "Annex A", **on("08:30"))
    walk_to_release(client, inspection, released, b"annex a", **on("12:00"))
    declined = record_request(client, inspection, "Every CIN plan", **on("09:30"))
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{declined}/decline",
        {"reason": "we will offer a sample"} | on("11:00"),
    )
    case = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": "C-1001", "selection": "audited", "plan": "LAC", "occurred_at": before},
    )["id"]
    for hhmm in ("14:00", "15:00", "23:30"):  # the last is 00:30 on 2 July
        client.ok(
            "rapid_response",
            f"{inspection.path}/cases/{case}/browsed",
            {"inspector": inspection.team_inspector, "item": "plan"} | on(hhmm),
        )
    client.ok(
        "rapid_response",
        f"{inspection.path}/blog",
        {"day": SUMMER, "title": "Day 3 on site", "body": "Inspectors liked the MASH"}
        | on("16:45"),
    )

    blog = read(client, f"{inspection.path}/blog/{SUMMER}")

    def subjects(section: str) -> list[str]:
        return [entry["subject"] for entry in blog[section]]

    assert list(blog)[:14] == [
        "day",
        "timezone",
        "posts",
        "meetings_held",
        "meetings_moved",
        "meetings_cancelled",
        "requests_in",
        "requests_released",
        "requests_declined",
        "requests_still_open",
        "kit_points",
        "lines_of_enquiry_raised",
        "cases_browsed",
        "tomorrow",
    ]
    assert blog["timezone"] == "Europe/London"
    assert blog["posts"] == [
        {
            "title": "Day 3 on site",
            "body": "Inspectors liked the MASH",
            "by": "A rapid_response",
        }
    ]
    assert [m["id"] for m in blog["meetings_held"]] == [
        held["id"],
        partners["id"],
        kit["id"],
    ]
    assert subjects("meetings_moved") == ["Partner meeting"]
    assert subjects("meetings_cancelled") == ["Team visit"]
    assert subjects("requests_in") == ["Early help data", "Annex A", "Every CIN plan"]
    assert subjects("requests_released") == ["Annex A"]
    assert subjects("requests_declined") == ["Every CIN plan"]
    assert [r["id"] for r in blog["requests_still_open"]] == [still_open]
    assert subjects("kit_points") == ["KIT"]
    assert subjects("lines_of_enquiry_raised") == ["Quality of supervision"]
    assert blog["cases_browsed"] == [{"case": "C-1001", "times": 2}]
    assert [m["title"] for m in blog["tomorrow"]] == ["Lead inspector meeting"]

    eve = read(client, f"{inspection.path}/blog/{iso_day(-511)}")
    next_day = read(client, f"{inspection.path}/blog/{iso_day(-509)}")
    assert eve["requests_in"] == []
    assert [m["id"] for m in eve["tomorrow"]] == [
        m["id"] for m in blog["meetings_held"]
    ]
    assert next_day["cases_browsed"] == [{"case": "C-1001", "times": 1}]


def test_a_blog_post_written_after_midnight_is_told_on_the_day_it_was_written_for(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok(
        "lead",
        f"{inspection.path}/blog",
        {
            "day": SUMMER,
            "title": "Day 3 on site",
            "body": "Late, but for the day",
            "occurred_at": f"{iso_day(-510)}T23:20:00+00:00",  # 00:20 on 2 July
        },
    )

    day = read(client, f"{inspection.path}/blog/{SUMMER}")
    next_day = read(client, f"{inspection.path}/blog/{iso_day(-509)}")

    assert [p["title"] for p in day["posts"]] == ["Day 3 on site"]
    assert next_day["posts"] == []
