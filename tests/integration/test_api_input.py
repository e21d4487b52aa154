"""Bad input gets a clear answer and nothing is stored: 422, 404, 409, 413."""

from __future__ import annotations

from typing import Any

import pytest

from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_request,
    refused,
    refused_attach,
    walk_request,
)

UNKNOWN = "00000000-0000-4000-8000-000000000000"
MEETING = {
    "title": "KIT",
    "kind": "kit",
    "starts_at": f"{iso_day(1)}T10:00:00Z",
    "ends_at": f"{iso_day(1)}T11:00:00Z",
    "venue": "Room 1",
}


def fields_named(answer: dict[str, Any]) -> set[str]:
    return {str(error["loc"][-1]) for error in answer["detail"]}


# --- 422 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"requested_by": "x", "channel": "kit"}, "title"),
        ({"title": "", "requested_by": "x", "channel": "kit"}, "title"),
        ({"title": "A", "requested_by": "x", "channel": "pigeon"}, "channel"),
        (
            {"title": "A", "requested_by": "x", "channel": "kit", "due_at": "soon"},
            "due_at",
        ),
        (
            {"title": "A", "requested_by": "x", "channel": "kit", "colour": "red"},
            "colour",
        ),
    ],
)
def test_a_malformed_request_is_refused_naming_the_field(
    client: WarRoomClient, inspection: Inspection, body: dict[str, Any], field: str
) -> None:
    answer = refused(client, 422, "gatekeeper", f"{inspection.path}/requests", body)
    assert fields_named(answer) == {field}


def test_a_release_naming_no_valid_sha256_or_medium_is_refused_naming_both(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    answer = refused(
        client,
        422,
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {"sha256": "ABC", "to": inspection.lead_inspector, "medium": "fax"},
    )
    assert fields_named(answer) == {"sha256", "medium"}


def test_a_meeting_that_ends_before_it_starts_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {**MEETING, "ends_at": f"{iso_day(1)}T09:00:00Z"}
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", body)
    assert "ends_at" in str(answer["detail"])


def test_a_meeting_time_without_a_zone_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {**MEETING, "starts_at": f"{iso_day(1)}T10:00:00"}
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", body)
    assert fields_named(answer) == {"starts_at"}


def test_a_case_reference_that_looks_like_a_name_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client,
        422,
        "lead",
        f"{inspection.path}/cases",
        {"ref": "Jane Smith", "selection": "audited", "plan": "CP"},
    )
    assert fields_named(answer) == {"ref"}


def test_a_body_that_is_not_json_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests",
        content=b"title=Annex A",
        headers=client.headers("gatekeeper", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 422, response.text
    assert client.stored() == before


def test_a_document_without_a_version_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests/{rid}/documents",
        files={"file": ("a.pdf", b"doc", "application/pdf")},
        headers=client.headers("preparer"),
    )
    assert response.status_code == 422, response.text
    assert fields_named(response.json()) == {"version"}
    assert client.stored() == before


# --- 404 --------------------------------------------------------------------


def test_commands_on_an_unknown_inspection_are_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for iid in (UNKNOWN, "not-a-uuid"):
        refused(
            client, 404, "lead", f"/api/inspections/{iid}/inspectors", {"name": "X"}
        )
        refused(
            client,
            404,
            "gatekeeper",
            f"/api/inspections/{iid}/requests",
            {"title": "A", "requested_by": inspection.lead_inspector, "channel": "kit"},
        )


def test_reads_of_an_unknown_inspection_are_not_found(client: WarRoomClient) -> None:
    for path in ("", "/events", "/ledger", "/schedule", "/cases"):
        response = client.get("staff", f"/api/inspections/{UNKNOWN}{path}")
        assert response.status_code == 404, (path, response.text)


def test_an_unknown_request_meeting_or_case_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = inspection.path
    refused(
        client, 404, "gatekeeper", f"{path}/requests/{UNKNOWN}/decline", {"reason": "x"}
    )
    refused(client, 404, "lead", f"{path}/meetings/{UNKNOWN}/move", {"venue": "Room 2"})
    refused(client, 404, "lead", f"{path}/cases/{UNKNOWN}/audit", {"judgement": "good"})
    refused_attach(client, 404, "preparer", inspection.id, UNKNOWN, b"doc")


def test_things_of_another_inspection_are_not_found_through_this_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    other = Inspection.open(client)
    rid = new_request(client, other)
    mid = client.ok("lead", f"{other.path}/meetings", MEETING)["id"]
    cid = client.ok(
        "lead",
        f"{other.path}/cases",
        {"ref": "C-1", "selection": "audited", "plan": "CP"},
    )["id"]
    path = inspection.path
    refused(
        client, 404, "gatekeeper", f"{path}/requests/{rid}/decline", {"reason": "x"}
    )
    refused(
        client,
        404,
        "gatekeeper",
        f"{path}/requests/{rid}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    refused(client, 404, "lead", f"{path}/meetings/{mid}/cancel", {"reason": "x"})
    refused(client, 404, "lead", f"{path}/cases/{cid}/audit", {"judgement": "good"})
    # An id of the wrong kind is not found either: a meeting is not a request.
    refused(
        client,
        404,
        "gatekeeper",
        f"{other.path}/requests/{mid}/decline",
        {"reason": "x"},
    )


def test_a_document_of_another_inspection_is_not_found_through_this_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    other = Inspection.open(client)
    rid = new_request(client, other)
    digest = walk_request(client, other, rid, "attached")
    assert (
        client.get(
            "auditor", f"{other.path}/requests/{rid}/documents/{digest}"
        ).status_code
        == 200
    )
    response = client.get(
        "auditor", f"{inspection.path}/requests/{rid}/documents/{digest}"
    )
    assert response.status_code == 404, response.text


def test_assigning_to_someone_who_is_not_a_user_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = f"{inspection.path}/requests/{rid}/assign"
    for assignee in (UNKNOWN, inspection.id, "nobody"):
        refused(client, 404, "gatekeeper", path, {"assignee": assignee})


# --- 409 names the rule -----------------------------------------------------


def test_an_illegal_transition_is_refused_naming_the_rule(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    digest = walk_request(client, inspection, rid, "attached")
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {"sha256": digest, "to": inspection.lead_inspector, "medium": "electronic"},
    )
    assert answer["rule"] == "release_needs_checked"
    assert answer["detail"]


def test_a_request_from_someone_not_on_the_roster_is_refused_naming_the_rule(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{inspection.path}/requests",
        {"title": "A", "requested_by": client.user_ids["lead"], "channel": "kit"},
    )
    assert answer["rule"] == "inspector_on_roster"


# --- 413 --------------------------------------------------------------------


def test_an_oversized_body_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {
        "title": "A",
        "requested_by": inspection.lead_inspector,
        "channel": "kit",
        "detail": "x" * 1_000_001,
    }
    answer = refused(client, 413, "gatekeeper", f"{inspection.path}/requests", body)
    assert "limit" in answer["detail"]


def test_an_oversized_document_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    refused_attach(client, 413, "preparer", inspection.id, rid, b"\0" * 1_000_001)


def test_a_document_just_under_the_limit_is_accepted(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    attached = client.attach("preparer", inspection.id, rid, b"\1" * 900_000)
    assert attached.status_code == 201, attached.text


def test_an_inspection_in_an_unknown_time_zone_is_refused(
    client: WarRoomClient,
) -> None:
    body = {
        "title": "SIF",
        "framework": "SIF",
        "starts_on": iso_day(0),
        "timezone": "Europe/Atlantis",
    }
    answer = refused(client, 422, "lead", "/api/inspections", body)
    assert any(error["loc"][-1] == "timezone" for error in answer["detail"])
