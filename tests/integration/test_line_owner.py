"""A line of enquiry's owner is set after it is raised (the page's "set its
owner"): by those who may raise one, while it is open; every refusal stores
nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from commands.models import AssignLineOfEnquiry, RaiseLineOfEnquiry
from tests.helpers import (
    Inspection,
    WarRoomClient,
    allowed_roles,
    logged_events,
    refused,
    refused_roles,
)


def _raise(client: WarRoomClient, inspection: Inspection) -> str:
    answer = client.ok(
        "gatekeeper",
        f"{inspection.path}/lines-of-enquiry",
        {"title": "Management grip on caseloads"},
    )
    line_id: str = answer["id"]
    return line_id


def _line(
    client: WarRoomClient, inspection: Inspection, line_id: str
) -> dict[str, str]:
    lines = client.get("staff", f"{inspection.path}/lines-of-enquiry").json()
    found: dict[str, str] = next(
        line for line in lines["lines_of_enquiry"] if line["id"] == line_id
    )
    return found


def test_those_who_may_raise_a_line_may_set_its_owner(
    client: WarRoomClient, inspection: Inspection
) -> None:
    assert allowed_roles(AssignLineOfEnquiry) == allowed_roles(RaiseLineOfEnquiry)
    line_id = _raise(client, inspection)
    assert _line(client, inspection, line_id)["owner"] is None
    path = f"{inspection.path}/lines-of-enquiry/{line_id}/owner"
    client.ok("lead", path, {"owner": "Lena Lead"})
    assert _line(client, inspection, line_id)["owner"] == "Lena Lead"
    client.ok("gatekeeper", path, {"owner": "Gail Gatekeeper"})
    assert _line(client, inspection, line_id)["owner"] == "Gail Gatekeeper"
    owners = [
        e["data"]["owner"]
        for e in logged_events(client, inspection)
        if e["type"] == "LineOfEnquiryOwnerAssigned"
    ]
    assert owners == ["Lena Lead", "Gail Gatekeeper"]


def test_setting_a_lines_owner_is_refused_to_other_roles_and_bad_input(
    client: WarRoomClient, inspection: Inspection
) -> None:
    line_id = _raise(client, inspection)
    path = f"{inspection.path}/lines-of-enquiry/{line_id}/owner"
    for role in refused_roles(AssignLineOfEnquiry):
        refused(client, 403, role, path, {"owner": "Someone"})
    refused(client, 422, "lead", path, {"owner": ""})
    refused(client, 422, "lead", path, {"owner": "x" * 121})
    refused(client, 422, "lead", path, {})
    missing = f"{inspection.path}/lines-of-enquiry/not-a-line/owner"
    refused(client, 404, "lead", missing, {"owner": "Lena Lead"})
    assert _line(client, inspection, line_id)["owner"] is None


def test_an_answered_lines_owner_cannot_change(
    client: WarRoomClient, inspection: Inspection
) -> None:
    line_id = _raise(client, inspection)
    base = f"{inspection.path}/lines-of-enquiry/{line_id}"
    client.ok("lead", f"{base}/answer", {"response": "Caseload report released"})
    answer = refused(client, 409, "lead", f"{base}/owner", {"owner": "Lena Lead"})
    assert answer["rule"] == "owner_while_open"
    assert _line(client, inspection, line_id)["owner"] is None


def test_a_stale_version_is_refused_with_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    line_id = _raise(client, inspection)
    path = f"{inspection.path}/lines-of-enquiry/{line_id}/owner"
    version = _line(client, inspection, line_id)["version"]
    client.ok("lead", path, {"owner": "Lena Lead"}, **{"If-Match": str(version)})
    refused(
        client, 409, "gatekeeper", path, {"owner": "Gail"}, **{"If-Match": str(version)}
    )
    assert _line(client, inspection, line_id)["owner"] == "Lena Lead"
