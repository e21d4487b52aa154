"""Refusals over HTTP say what is wrong in plain words, and store nothing.

The words are for the person at the screen ("the end time must be after the
start time"); the names for programs stay beside them, unchanged (a 409's
`rule`, a 422's `loc`).
"""

from __future__ import annotations

from typing import Any

from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_request,
    refused,
    walk_request,
)

MEETING = {
    "title": "Focus group",
    "kind": "focus_group",
    "starts_at": f"{iso_day(1)}T10:00:00Z",
    "ends_at": f"{iso_day(1)}T11:00:00Z",
    "venue": "Room 1",
}
API_NAMES = ("_at", "_by", "sha256", "position", "up_to", "requested_by")


def plain(text: str) -> str:
    for name in API_NAMES:
        assert name not in text, f"{name!r} in {text!r}"
    return text


def test_a_meeting_ending_before_it_starts_is_refused_in_words(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {**MEETING, "ends_at": f"{iso_day(1)}T09:00:00Z"}
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", body)
    assert answer["detail"][0]["loc"] == ["body", "ends_at"]
    assert (
        plain(answer["detail"][0]["msg"]) == "the end time must be after the start time"
    )
    assert plain(answer["summary"]) == "The end time must be after the start time"


def test_the_summary_of_a_422_names_each_field_as_people_call_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {**MEETING, "title": " ", "kind": "picnic"}
    del body["venue"]
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", body)
    assert {tuple(p["loc"]) for p in answer["detail"]} == {
        ("body", "title"),
        ("body", "kind"),
        ("body", "venue"),
    }
    summary = plain(answer["summary"])
    assert "The title must not be empty or only spaces" in summary
    assert "the kind must be 'kit'" in summary
    assert "the venue is required" in summary


def test_a_time_far_from_the_inspection_is_refused_in_words(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {**MEETING, "starts_at": f"{iso_day(1097)}T10:00:00Z"}
    body["ends_at"] = f"{iso_day(1097)}T11:00:00Z"
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", body)
    assert answer["detail"][0]["loc"] == ["body", "starts_at"]
    assert plain(answer["summary"]).startswith(
        "The start time must be within two years of the inspection's start"
    )


def test_a_role_that_may_not_is_told_who_may(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(client, 403, "staff", f"{inspection.path}/meetings", MEETING)
    assert plain(answer["detail"]) == (
        "a member of staff may not do this; it takes a gatekeeper, a lead "
        "or a member of the rapid response team"
    )


def test_an_acknowledgement_beyond_the_log_names_no_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client,
        409,
        "staff",
        f"{inspection.path}/agenda/A staff/acknowledge",
        {"up_to": client.stored() + 1000},
    )
    assert answer["rule"] == "acknowledge_beyond_log"
    plain(answer["detail"])


def test_an_acknowledgement_going_back_names_no_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/agenda/A staff/acknowledge"
    client.ok("staff", path, {})
    answer = refused(client, 409, "staff", path, {"up_to": 1})
    assert answer["rule"] == "acknowledge_forward"
    assert plain(answer["detail"]) == (
        "A staff has already acknowledged later changes than these"
    )


def test_a_request_from_someone_off_the_roster_is_refused_in_words(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {"title": "Annex A", "requested_by": "nobody", "channel": "kit"}
    answer = refused(client, 409, "gatekeeper", f"{inspection.path}/requests", body)
    assert answer["rule"] == "inspector_on_roster"
    assert plain(answer["detail"]) == (
        "the inspector who asked must be on this inspection's roster of inspectors"
    )


def test_releasing_another_version_names_the_one_approved_not_its_hash(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "checked")
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {"sha256": "0" * 64, "to": inspection.team_inspector, "medium": "electronic"},
    )
    assert answer["rule"] == "release_what_was_approved"
    assert plain(answer["detail"]) == (
        "that is not the version that was approved and checked: doc.pdf, version 1 was"
    )


def test_approving_a_version_that_is_not_current_names_the_current_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "attached")
    answer = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/requests/{rid}/approve",
        {"sha256": "0" * 64},
    )
    assert answer["rule"] == "current_version_only"
    assert plain(answer["detail"]) == (
        "cannot approve that document: it is not the current version "
        "(doc.pdf, version 1 is)"
    )


def test_a_stale_version_is_refused_without_version_numbers_in_the_words(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer: dict[str, Any] = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/phase",
        {"phase": "day2_kick_off"},
        **{"If-Match": "1"},
    )
    assert answer["rule"] == "version_mismatch"
    assert (answer["expected"], answer["actual"]) == (1, 3)
    assert plain(answer["detail"]) == (
        "someone else changed this since you loaded it: reload it and try again"
    )


def test_a_phase_going_back_is_refused_in_the_phases_own_words(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok("lead", f"{inspection.path}/phase", {"phase": "day3_on_site"})
    answer = refused(
        client, 409, "lead", f"{inspection.path}/phase", {"phase": "day2_kick_off"}
    )
    assert answer["rule"] == "phase_moves_forward"
    assert plain(answer["detail"]).startswith(
        "the inspection is already in phase day 3 (on site); phases only move "
        "forward (day 1 (notification), then day 2 (kick-off)"
    )
