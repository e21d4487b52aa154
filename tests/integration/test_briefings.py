"""Staff acknowledge their briefing; their agenda then marks only later changes."""

from __future__ import annotations

from typing import Any

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient

STAFF_NAME = "A staff"  # the name the `client` fixture gives its staff user


def _meeting(client: WarRoomClient, inspection: Inspection) -> str:
    body = {
        "title": "KIT",
        "kind": "kit",
        "starts_at": f"{iso_day(2)}T09:00:00Z",
        "ends_at": f"{iso_day(2)}T09:30:00Z",
        "venue": "Room 1",
        "attendees": [STAFF_NAME],
    }
    return str(client.ok("lead", f"{inspection.path}/meetings", body)["id"])


def _news(client: WarRoomClient, inspection: Inspection) -> list[Any]:
    agenda = client.get("staff", f"{inspection.path}/agenda/{STAFF_NAME}").json()
    return [c["to"] for c in agenda["meetings"][0]["changed_since_last_told"]]


def test_an_agenda_marks_only_changes_after_the_last_acknowledgement(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = _meeting(client, inspection)
    client.ok("lead", f"{inspection.path}/meetings/{meeting}/move", {"venue": "Room 2"})
    assert _news(client, inspection) == ["Room 2"]

    client.ok("staff", f"{inspection.path}/agenda/{STAFF_NAME}/acknowledge", {})
    assert _news(client, inspection) == []

    client.ok("lead", f"{inspection.path}/meetings/{meeting}/move", {"venue": "Room 3"})
    assert _news(client, inspection) == ["Room 3"]


def test_staff_may_not_acknowledge_someone_elses_briefing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    refused = client.post("staff", f"{inspection.path}/agenda/Someone else/acknowledge")
    assert refused.status_code == 403
    assert client.stored() == before


def test_an_auditor_may_not_acknowledge_anything(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    refused = client.post("auditor", f"{inspection.path}/agenda/A auditor/acknowledge")
    assert refused.status_code == 403
    assert client.stored() == before


def test_an_acknowledgement_cannot_go_backwards(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/agenda/{STAFF_NAME}/acknowledge"
    client.ok("staff", path, {})
    before = client.stored()
    refused = client.post("staff", path, {"up_to": 1})
    assert refused.status_code == 409
    assert refused.json()["rule"] == "acknowledge_forward"
    assert client.stored() == before


def test_an_acknowledgement_beyond_the_log_is_refused_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/agenda/{STAFF_NAME}/acknowledge"
    for beyond in (client.stored() + 1, 10**15):
        before = client.stored()
        refused = client.post("staff", path, {"up_to": beyond})
        assert refused.status_code == 409, refused.text
        assert refused.json()["rule"] == "acknowledge_beyond_log"
        assert client.stored() == before


def test_after_a_refused_leap_ahead_the_person_can_still_acknowledge(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = _meeting(client, inspection)
    path = f"{inspection.path}/agenda/{STAFF_NAME}/acknowledge"
    client.post("rapid_response", path, {"up_to": 10**15})
    client.ok("lead", f"{inspection.path}/meetings/{meeting}/move", {"venue": "Room 2"})
    assert _news(client, inspection) == ["Room 2"]
    client.ok("staff", path, {"up_to": client.stored()})
    assert _news(client, inspection) == []
