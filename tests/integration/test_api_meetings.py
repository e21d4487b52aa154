"""Meetings over HTTP: the schedule, its changes, KIT notes, and the warnings.

Double bookings and tight gaps are warnings in a successful answer, never
refusals: the meeting is stored all the same.
"""

from __future__ import annotations

from typing import Any

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, logged_events, refused

DAY = iso_day(1)


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00+00:00"


def schedule(
    client: WarRoomClient, inspection: Inspection, **changes: Any
) -> dict[str, Any]:
    """Schedules a meeting (10:00-11:00, room 1, no one) with `changes`."""
    body: dict[str, Any] = {
        "title": "Focus group: front door",
        "kind": "focus_group",
        "starts_at": at("10:00"),
        "ends_at": at("11:00"),
        "venue": "Room 1",
        "attendees": [],
        "inspectors": [],
        "topics": [],
        **changes,
    }
    before = client.stored()
    response = client.post("rapid_response", f"{inspection.path}/meetings", body)
    assert response.status_code == 201, response.text
    assert client.stored() > before, "a meeting with warnings must still be stored"
    answer: dict[str, Any] = response.json()
    return answer


def meeting_path(inspection: Inspection, mid: str) -> str:
    return f"{inspection.path}/meetings/{mid}"


def kinds(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((w["kind"], w["who"]) for w in answer["warnings"])


def day_schedule(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    meetings = client.get("staff", f"{inspection.path}/schedule", day=DAY).json()
    return {m["id"]: m for m in meetings["meetings"]}


# --- schedule ---------------------------------------------------------------


def test_scheduling_a_meeting_answers_its_id_version_position_and_no_warnings(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = schedule(
        client,
        inspection,
        attendees=["Ann Cole"],
        inspectors=[inspection.lead_inspector],
        topics=["Thresholds"],
    )
    assert isinstance(answer["id"], str)
    assert answer["version"] == 1
    assert answer["position"] == client.stored()
    assert answer["warnings"] == []
    meeting = day_schedule(client, inspection)[answer["id"]]
    assert meeting["attendees"] == ["Ann Cole"]
    assert meeting["topics"] == ["Thresholds"]


def test_a_venue_booked_twice_at_once_is_a_warning_not_a_refusal(
    client: WarRoomClient, inspection: Inspection
) -> None:
    first = schedule(client, inspection)
    second = schedule(client, inspection, starts_at=at("10:30"), ends_at=at("11:30"))
    assert kinds(second) == [("venue_double_booked", "Room 1")]
    assert second["warnings"][0]["meeting_id"] == first["id"]
    assert len(day_schedule(client, inspection)) == 2


def test_a_person_booked_twice_at_once_is_a_warning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, attendees=["Ann Cole", "Bo Reed"])
    second = schedule(
        client, inspection, venue="Room 2", attendees=["Ann Cole", "Cy Hale"]
    )
    assert kinds(second) == [("person_double_booked", "Ann Cole")]


def test_an_inspector_booked_twice_at_once_is_a_warning_naming_them(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, inspectors=[inspection.lead_inspector])
    second = schedule(
        client,
        inspection,
        venue="Room 2",
        starts_at=at("10:59"),
        ends_at=at("12:00"),
        inspectors=[inspection.lead_inspector, inspection.team_inspector],
    )
    assert kinds(second) == [("inspector_double_booked", "Helen Ward")]


def test_an_inspector_with_under_fifteen_minutes_between_meetings_is_warned_of(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, inspectors=[inspection.team_inspector])
    second = schedule(
        client,
        inspection,
        venue="Room 2",
        starts_at=at("11:14"),
        ends_at=at("12:00"),
        inspectors=[inspection.team_inspector],
    )
    assert kinds(second) == [("inspector_no_breathing_space", "Tom Bright")]


def test_fifteen_minutes_between_an_inspectors_meetings_is_enough(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, inspectors=[inspection.team_inspector])
    second = schedule(
        client,
        inspection,
        venue="Room 2",
        starts_at=at("11:15"),
        ends_at=at("12:00"),
        inspectors=[inspection.team_inspector],
    )
    assert second["warnings"] == []


def test_back_to_back_meetings_in_one_room_with_other_people_raise_no_warning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, attendees=["Ann Cole"])
    second = schedule(
        client,
        inspection,
        starts_at=at("11:00"),
        ends_at=at("12:00"),
        attendees=["Ann Cole"],
    )
    assert second["warnings"] == []


def test_a_meeting_with_an_inspector_not_on_the_roster_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    stranger = Inspection.open(client).lead_inspector
    answer = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/meetings",
        {
            "title": "KIT",
            "kind": "kit",
            "starts_at": at("09:00"),
            "ends_at": at("09:30"),
            "venue": "Room 1",
            "inspectors": [stranger],
        },
    )
    assert answer["rule"] == "inspector_on_roster"


def test_a_cancelled_meeting_no_longer_clashes_with_anything(
    client: WarRoomClient, inspection: Inspection
) -> None:
    first = schedule(client, inspection, inspectors=[inspection.lead_inspector])
    client.ok(
        "gatekeeper",
        f"{meeting_path(inspection, first['id'])}/cancel",
        {"reason": "inspector unwell"},
    )
    second = schedule(client, inspection, inspectors=[inspection.lead_inspector])
    assert second["warnings"] == []


def test_the_schedule_shows_the_warnings_to_everyone(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection)
    second = schedule(client, inspection, title="Partner meeting")
    meeting = day_schedule(client, inspection)[second["id"]]
    assert [w["kind"] for w in meeting["warnings"]] == ["venue_double_booked"]


# --- reschedule -------------------------------------------------------------


def test_rescheduling_answers_the_new_version_and_keeps_the_old_time_in_history(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    answer = client.ok(
        "lead",
        f"{meeting_path(inspection, mid)}/reschedule",
        {"starts_at": at("14:00"), "ends_at": at("15:00"), "reason": "lead is late"},
    )
    assert answer["id"] == mid
    assert answer["version"] == 2
    assert answer["warnings"] == []
    meeting = day_schedule(client, inspection)[mid]
    assert meeting["starts_at"] == at("14:00")
    (change,) = meeting["history"]
    assert change["what"] == "time"
    assert at("10:00") in change["from"]
    assert at("14:00") in change["to"]
    assert change["why"] == "lead is late"


def test_rescheduling_into_a_clash_succeeds_with_a_warning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, inspectors=[inspection.team_inspector])
    mid = schedule(
        client,
        inspection,
        venue="Room 2",
        starts_at=at("13:00"),
        ends_at=at("14:00"),
        inspectors=[inspection.team_inspector],
    )["id"]
    response = client.post(
        "gatekeeper",
        f"{meeting_path(inspection, mid)}/reschedule",
        {"starts_at": at("10:30"), "ends_at": at("11:30"), "reason": "moved up"},
    )
    assert response.status_code == 200, response.text
    assert kinds(response.json()) == [("inspector_double_booked", "Tom Bright")]


# --- move -------------------------------------------------------------------


def test_moving_a_meeting_to_a_booked_room_succeeds_with_a_warning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, venue="Council chamber")
    mid = schedule(client, inspection, venue="Room 2")["id"]
    answer = client.ok(
        "lead", f"{meeting_path(inspection, mid)}/move", {"venue": "Council chamber"}
    )
    assert kinds(answer) == [("venue_double_booked", "Council chamber")]
    assert day_schedule(client, inspection)[mid]["venue"] == "Council chamber"


def test_moving_a_meeting_to_the_room_it_is_in_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    answer = refused(
        client,
        409,
        "lead",
        f"{meeting_path(inspection, mid)}/move",
        {"venue": "Room 1"},
    )
    assert answer["rule"] == "move_changes_venue"


def test_a_move_keeps_its_reason_in_the_history(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    client.ok(
        "lead",
        f"{meeting_path(inspection, mid)}/move",
        {"venue": "Room 2", "reason": "Room 1 flooded"},
    )
    (change,) = day_schedule(client, inspection)[mid]["history"]
    assert (change["what"], change["from"], change["to"], change["why"]) == (
        "venue",
        "Room 1",
        "Room 2",
        "Room 1 flooded",
    )


# --- attendees and topics ---------------------------------------------------


def test_attendees_are_added_and_removed_and_the_agenda_says_what_changed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    scheduled = schedule(client, inspection, attendees=["Ann Cole", "Bo Reed"])
    mid = scheduled["id"]
    client.ok(
        "rapid_response",
        f"{meeting_path(inspection, mid)}/attendees",
        {"add": ["Cy Hale"], "remove": ["Bo Reed"]},
    )
    assert day_schedule(client, inspection)[mid]["attendees"] == ["Ann Cole", "Cy Hale"]
    agenda = client.get(
        "staff", f"{inspection.path}/agenda/Cy Hale", since=scheduled["position"]
    ).json()
    (meeting,) = agenda["meetings"]
    assert meeting["id"] == mid
    changes = {c["what"] for c in meeting["changed_since_last_told"]}
    assert changes == {"attendee added", "attendee removed"}
    bo = client.get("staff", f"{inspection.path}/agenda/Bo Reed").json()
    assert bo["meetings"] == []


def test_adding_someone_booked_elsewhere_at_the_time_is_a_warning(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, attendees=["Ann Cole"])
    mid = schedule(client, inspection, venue="Room 2")["id"]
    answer = client.ok(
        "lead", f"{meeting_path(inspection, mid)}/attendees", {"add": ["Ann Cole"]}
    )
    assert kinds(answer) == [("person_double_booked", "Ann Cole")]


def test_removing_someone_who_is_not_attending_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, attendees=["Ann Cole"])["id"]
    answer = refused(
        client,
        409,
        "lead",
        f"{meeting_path(inspection, mid)}/attendees",
        {"add": ["Bo Reed"], "remove": ["Cy Hale"]},
    )
    assert answer["rule"] == "remove_only_attendees"


def test_adding_someone_already_attending_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, attendees=["Ann Cole"])["id"]
    answer = refused(
        client,
        409,
        "lead",
        f"{meeting_path(inspection, mid)}/attendees",
        {"add": ["Bo Reed", "Ann Cole"]},
    )
    assert answer["rule"] == "add_only_newcomers"


def test_changing_the_topics_changes_what_attendees_prepare(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, attendees=["Ann Cole"], topics=["Old"])["id"]
    client.ok(
        "gatekeeper",
        f"{meeting_path(inspection, mid)}/topics",
        {"topics": ["Early help", "Step-down"]},
    )
    agenda = client.get("staff", f"{inspection.path}/agenda/Ann Cole").json()
    assert agenda["meetings"][0]["prepare"] == ["Early help", "Step-down"]


# --- cancel -----------------------------------------------------------------


def test_a_cancelled_meeting_refuses_every_further_change(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, attendees=["Ann Cole"])["id"]
    path = meeting_path(inspection, mid)
    cancelled = client.ok("lead", f"{path}/cancel", {"reason": "no longer needed"})
    assert cancelled["warnings"] == []
    assert day_schedule(client, inspection)[mid]["cancelled"] is True
    changes: list[tuple[str, dict[str, Any]]] = [
        (
            "reschedule",
            {"starts_at": at("12:00"), "ends_at": at("13:00"), "reason": "x"},
        ),
        ("move", {"venue": "Room 9"}),
        ("attendees", {"add": ["Bo Reed"]}),
        ("topics", {"topics": ["x"]}),
        ("cancel", {"reason": "again"}),
        ("notes", {"text": "said nothing"}),
    ]
    for action, body in changes:
        answer = refused(client, 409, "lead", f"{path}/{action}", body)
        assert answer["rule"] == "meeting_not_cancelled", action


# --- KIT notes and lines of enquiry -----------------------------------------


def test_a_kit_note_raises_its_lines_of_enquiry_in_the_same_save(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(
        client, inspection, kind="kit", inspectors=[inspection.lead_inspector]
    )["id"]
    before = client.stored()
    answer = client.ok(
        "lead",
        f"{meeting_path(inspection, mid)}/notes",
        {
            "text": "Inspectors concerned about step-down",
            "lines_of_enquiry": ["Step-down decisions", "Supervision quality"],
            "actions": ["Pull supervision audit"],
        },
    )
    assert len(answer["lines_of_enquiry"]) == 2
    assert client.stored() == before + 3 == answer["position"]
    lines = client.get("staff", f"{inspection.path}/lines-of-enquiry").json()
    raised = {line["id"]: line for line in lines["lines_of_enquiry"]}
    assert set(raised) == set(answer["lines_of_enquiry"])
    assert {line["title"] for line in raised.values()} == {
        "Step-down decisions",
        "Supervision quality",
    }
    assert all(line["raised_at_meeting"] == mid for line in raised.values())
    assert lines["open"] == 2
    note = [e for e in logged_events(client, inspection) if e["aggregate_id"] == mid]
    assert note[-1]["type"] == "KitNoteRecorded"
    assert note[-1]["data"]["actions"] == ["Pull supervision audit"]


def test_a_line_of_enquiry_from_a_kit_note_is_answered_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, kind="kit")["id"]
    (line,) = client.ok(
        "gatekeeper",
        f"{meeting_path(inspection, mid)}/notes",
        {"text": "One new KLOE", "lines_of_enquiry": ["Thresholds"]},
    )["lines_of_enquiry"]
    path = f"{inspection.path}/lines-of-enquiry/{line}/answer"
    client.ok("lead", path, {"response": "See the threshold audit"})
    lines = client.get("staff", f"{inspection.path}/lines-of-enquiry").json()
    assert lines["open"] == 0
    assert refused(client, 409, "lead", path, {"response": "again"})["rule"] == (
        "answer_once"
    )


def test_a_kit_note_without_lines_of_enquiry_raises_none(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection, kind="kit")["id"]
    answer = client.ok(
        "lead", f"{meeting_path(inspection, mid)}/notes", {"text": "All on track"}
    )
    assert answer["lines_of_enquiry"] == []
    lines = client.get("staff", f"{inspection.path}/lines-of-enquiry").json()
    assert lines["lines_of_enquiry"] == []
