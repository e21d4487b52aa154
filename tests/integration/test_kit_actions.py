"""KIT notes' actions: given to a person, marked done, read back with the notes.

An action is named by its meeting and its number, counted from 0 across the
meeting's KIT notes in the order they were recorded.
"""

from __future__ import annotations

from typing import Any

import pytest

from commands.models import AssignKitAction, MarkKitActionDone
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, refused, refused_roles

DAY = iso_day(1)


def kit_meeting(client: WarRoomClient, inspection: Inspection) -> str:
    """A KIT meeting with two notes: actions 0 and 1, then action 2."""
    mid: str = client.ok(
        "gatekeeper",
        f"{inspection.path}/meetings",
        {
            "title": "KIT with the lead inspector",
            "kind": "kit",
            "starts_at": f"{DAY}T16:00:00Z",
            "ends_at": f"{DAY}T16:30:00Z",
            "venue": "War room",
        },
    )["id"]
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{mid}/notes",
        {
            "text": "Thresholds at the front door are understood",
            "actions": ["Send the MASH audit", "Book the IRO focus group"],
        },
    )
    client.ok(
        "gatekeeper",
        f"{inspection.path}/meetings/{mid}/notes",
        {"text": "Care leavers next", "actions": ["Find the pathway plans"]},
    )
    return mid


def action_path(inspection: Inspection, mid: str, n: int | str, verb: str) -> str:
    return f"{inspection.path}/meetings/{mid}/kit-actions/{n}/{verb}"


def kit_notes(client: WarRoomClient, inspection: Inspection, **query: Any) -> Any:
    response = client.get("staff", f"{inspection.path}/kit-notes", **query)
    assert response.status_code == 200, response.text
    return response.json()


def actions(answer: Any) -> list[dict[str, Any]]:
    return [a for note in answer["kit_notes"] for a in note["actions"]]


def test_kit_notes_are_read_with_their_text_meeting_and_numbered_actions(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    answer = kit_notes(client, inspection)
    first, second = answer["kit_notes"]
    assert first["meeting_id"] == second["meeting_id"] == mid
    assert first["meeting_title"] == "KIT with the lead inspector"
    assert first["text"] == "Thresholds at the front door are understood"
    assert first["by"] == "A lead"
    assert second["by"] == "A gatekeeper"
    assert [(a["n"], a["text"]) for a in actions(answer)] == [
        (0, "Send the MASH audit"),
        (1, "Book the IRO focus group"),
        (2, "Find the pathway plans"),
    ]
    assert all(
        a["owner"] is None and a["done"] is False and a["note"] is None
        for a in actions(answer)
    )
    assert answer["open_actions"] == 3
    assert answer["past"] is False


def test_an_action_is_given_to_a_user_and_marked_done_with_a_note(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    assigned = client.ok(
        "lead", action_path(inspection, mid, 2, "assign"), {"owner": "A preparer"}
    )
    assert assigned["id"] == mid
    assert assigned["position"] == client.stored()
    done = client.ok(
        "gatekeeper",
        action_path(inspection, mid, 2, "done"),
        {"note": "Twelve plans in the shared folder"},
    )
    assert done["version"] == assigned["version"] + 1
    third = actions(kit_notes(client, inspection))[2]
    assert third["owner"] == "A preparer"
    assert third["done"] is True
    assert third["note"] == "Twelve plans in the shared folder"
    assert third["done_by"] == "A gatekeeper"
    # The others are untouched.
    assert [a["owner"] for a in actions(kit_notes(client, inspection))[:2]] == [
        None,
        None,
    ]
    assert kit_notes(client, inspection)["open_actions"] == 2


def test_an_action_may_change_hands_and_be_done_without_a_note(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 0, "assign"), {"owner": "A staff"})
    client.ok(
        "lead", action_path(inspection, mid, 0, "assign"), {"owner": "A preparer"}
    )
    client.ok("lead", action_path(inspection, mid, 0, "done"), {})
    first = actions(kit_notes(client, inspection))[0]
    assert (first["owner"], first["done"], first["note"]) == ("A preparer", True, None)


def test_kit_notes_are_read_as_they_stood_at_a_past_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    before = client.ok(
        "lead", action_path(inspection, mid, 1, "assign"), {"owner": "A preparer"}
    )["position"]
    client.ok("lead", action_path(inspection, mid, 1, "done"), {"note": "Booked"})
    past = kit_notes(client, inspection, at=before)
    assert past["past"] is True
    assert actions(past)[1]["owner"] == "A preparer"
    assert actions(past)[1]["done"] is False
    assert actions(kit_notes(client, inspection))[1]["done"] is True


def test_an_action_done_twice_is_refused_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 1, "done"), {})
    answer = refused(client, 409, "lead", action_path(inspection, mid, 1, "done"), {})
    assert answer["rule"] == "kit_action_done_once"
    assert answer["detail"] == "this action is already marked done"


def test_a_done_action_cannot_change_hands(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 1, "done"), {})
    answer = refused(
        client,
        409,
        "lead",
        action_path(inspection, mid, 1, "assign"),
        {"owner": "A preparer"},
    )
    assert answer["rule"] == "kit_action_open"


def test_giving_an_action_to_the_person_who_has_it_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    path = action_path(inspection, mid, 0, "assign")
    client.ok("lead", path, {"owner": "A preparer"})
    answer = refused(client, 409, "lead", path, {"owner": "A preparer"})
    assert answer["rule"] == "kit_action_new_owner"


def test_an_action_goes_only_to_a_user_of_the_organisation(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    answer = refused(
        client,
        409,
        "lead",
        action_path(inspection, mid, 0, "assign"),
        {"owner": "Nobody Known"},
    )
    assert answer["rule"] == "owner_is_a_user"
    assert "Nobody Known" in answer["detail"]


@pytest.mark.parametrize("verb", ["assign", "done"])
def test_an_action_number_the_meeting_does_not_have_is_not_found(
    client: WarRoomClient, inspection: Inspection, verb: str
) -> None:
    mid = kit_meeting(client, inspection)
    body = {"owner": "A preparer"} if verb == "assign" else {}
    answer = refused(client, 404, "lead", action_path(inspection, mid, 3, verb), body)
    assert "3 actions" in answer["detail"]
    refused(client, 422, "lead", action_path(inspection, mid, -1, verb), body)
    refused(client, 422, "lead", action_path(inspection, mid, "first", verb), body)


def test_a_meeting_without_kit_notes_has_no_actions_to_give(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = client.ok(
        "gatekeeper",
        f"{inspection.path}/meetings",
        {
            "title": "Focus group",
            "kind": "focus_group",
            "starts_at": f"{DAY}T10:00:00Z",
            "ends_at": f"{DAY}T11:00:00Z",
            "venue": "Room 1",
        },
    )["id"]
    refused(client, 404, "lead", action_path(inspection, mid, 0, "done"), {})


@pytest.mark.parametrize(
    ("command", "verb", "body"),
    [
        (AssignKitAction, "assign", {"owner": "A preparer"}),
        (MarkKitActionDone, "done", {}),
    ],
)
def test_only_those_who_record_kit_notes_may_follow_up_their_actions(
    client: WarRoomClient,
    inspection: Inspection,
    command: type[Any],
    verb: str,
    body: dict[str, Any],
) -> None:
    mid = kit_meeting(client, inspection)
    for role in refused_roles(command):
        refused(client, 403, role, action_path(inspection, mid, 0, verb), body)


def test_a_retry_of_an_action_with_its_key_is_answered_once_and_not_for_another(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    key = {"Idempotency-Key": "done-0"}
    first = client.ok("lead", action_path(inspection, mid, 0, "done"), {}, **key)
    again = client.ok("lead", action_path(inspection, mid, 0, "done"), {}, **key)
    assert again == first
    # The same key for another action is another command: refused.
    answer = refused(
        client, 409, "lead", action_path(inspection, mid, 1, "done"), {}, **key
    )
    assert answer["rule"] == "idempotency_key_reused"
