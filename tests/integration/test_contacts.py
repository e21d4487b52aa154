"""The inspection's contact list (issue 24): kept by admin, lead and the
rapid response team, read by everyone signed in, printed, and the blog's
distribution list drawn from it."""

from __future__ import annotations

from typing import Any

import pytest

from commands import models as m
from tests.helpers import (
    Inspection,
    WarRoomClient,
    allowed_roles,
    logged_events,
    refused,
)

KEEPERS = ("admin", "lead", "rapid_response")
POLICE = {
    "name": "Vanessa Jardine",
    "organisation": "Greater Manchester Police",
    "role": "Detective Inspector, Public Protection",
    "phone": "0161 856 2000",
    "email": "v.jardine@gmp.example.org",
    "group": "Police",
}
RAPID = {
    "name": "Mark Leaver",
    "organisation": "Manchester City Council",
    "role": "Rapid response team",
    "phone": "0161 234 5001",
    "group": "Rapid response team",
    "location": "War room, Room 2.14, Town Hall Extension",
}


def path(inspection: Inspection, contact_id: str | None = None) -> str:
    tail = f"/{contact_id}" if contact_id else ""
    return f"{inspection.path}/contacts{tail}"


def add(
    client: WarRoomClient,
    inspection: Inspection,
    body: dict[str, Any],
    role: str = "lead",
) -> str:
    contact_id: str = client.ok(role, path(inspection), body)["id"]
    return contact_id


def read(client: WarRoomClient, inspection: Inspection, role: str = "staff") -> Any:
    response = client.get(role, path(inspection))
    assert response.status_code == 200, response.text
    return response.json()


def delete(client: WarRoomClient, role: str, where: str) -> Any:
    return client.http.delete(where, headers=client.headers(role))


def test_the_list_is_kept_by_those_who_keep_the_distribution_list() -> None:
    for command in (m.AddContact, m.ChangeContact, m.RemoveContact):
        assert allowed_roles(command) == allowed_roles(m.AddRecipient) == set(KEEPERS)


@pytest.mark.parametrize("role", KEEPERS)
def test_each_keeper_adds_changes_and_removes_a_contact(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    contact_id = add(client, inspection, POLICE, role)
    (row,) = read(client, inspection)["contacts"]
    assert {k: row[k] for k in POLICE} == POLICE
    assert row["id"] == contact_id and row["location"] is None
    changed = {**POLICE, "phone": "0161 856 2999"}
    client.ok(role, path(inspection, contact_id), changed)
    (row,) = read(client, inspection)["contacts"]
    assert row["phone"] == "0161 856 2999" and row["changed_by"]
    assert delete(client, role, path(inspection, contact_id)).status_code == 200
    assert read(client, inspection)["contacts"] == []
    types = [e["type"] for e in logged_events(client, inspection)]
    assert types[-3:] == ["ContactAdded", "ContactChanged", "ContactRemoved"]


def test_everyone_signed_in_reads_it_by_group_with_what_they_may_do(
    client: WarRoomClient, inspection: Inspection
) -> None:
    add(client, inspection, POLICE)
    add(client, inspection, RAPID)
    add(
        client,
        inspection,
        {"name": "Sir Howard Bernstein", "group": "Chief Executive's office"},
    )
    add(client, inspection, {"name": "Someone ungrouped"})
    for role in ("admin", "lead", "gatekeeper", "rapid_response", "staff", "auditor"):
        rows = read(client, inspection, role)["contacts"]
        assert [r["group"] for r in rows] == [
            "Chief Executive's office",
            "Police",
            "Rapid response team",
            None,
        ]
        expected = ["ChangeContact", "RemoveContact"] if role in KEEPERS else []
        assert all(r["actions"] == expected for r in rows), role


def test_a_role_that_does_not_keep_the_list_changes_nothing_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    for role in ("gatekeeper", "staff", "auditor"):
        refused(client, 403, role, path(inspection), RAPID)
        refused(client, 403, role, path(inspection, contact_id), RAPID)
        before = client.stored()
        assert delete(client, role, path(inspection, contact_id)).status_code == 403
        assert client.stored() == before
    assert len(read(client, inspection)["contacts"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A" * 121}, "name"),
        ({"name": "Two\nlines"}, "name"),
        ({"name": "Pat", "phone": "call me"}, "phone"),
        ({"name": "Pat", "phone": "12"}, "phone"),
        ({"name": "Pat", "phone": "0161 234 3804 0161 234 3804 99"}, "phone"),
        ({"name": "Pat", "email": "not-an-address"}, "email"),
        ({"name": "Pat", "group": ""}, "group"),
        ({"name": "Pat", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_with_a_clear_422_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection, body: dict[str, Any], field: str
) -> None:
    answer = refused(client, 422, "lead", path(inspection), body)
    assert field in str(answer), answer
    contact_id = add(client, inspection, POLICE)
    refused(client, 422, "lead", path(inspection, contact_id), body)


def test_a_phone_refusal_says_what_a_number_looks_like(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client, 422, "lead", path(inspection), {"name": "P", "phone": "call me"}
    )
    assert "0161 234 3804" in str(answer)


def test_changing_or_removing_a_contact_not_on_the_list_is_404_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    unknown = "00000000-0000-4000-8000-000000000000"
    # Before the list exists, and after.
    refused(client, 404, "lead", path(inspection, unknown), POLICE)
    add(client, inspection, POLICE)
    refused(client, 404, "lead", path(inspection, unknown), POLICE)
    for contact_id in (unknown, "nope"):
        before = client.stored()
        assert delete(client, "lead", path(inspection, contact_id)).status_code == 404
        assert client.stored() == before


def test_a_change_that_changes_nothing_is_refused_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    body = refused(client, 409, "lead", path(inspection, contact_id), POLICE)
    assert body["rule"] == "contact_unchanged"


def test_removed_twice_is_404_the_second_time(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    assert delete(client, "lead", path(inspection, contact_id)).status_code == 200
    before = client.stored()
    assert delete(client, "lead", path(inspection, contact_id)).status_code == 404
    assert client.stored() == before


def test_the_list_as_it_stood_before_a_change(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    position = client.stored()
    client.ok(
        "lead", path(inspection, contact_id), {**POLICE, "phone": "0161 000 0000"}
    )
    past = client.get("staff", path(inspection), at=position).json()
    assert past["past"] is True
    assert [(r["phone"], r["actions"]) for r in past["contacts"]] == [
        (POLICE["phone"], [])
    ]


# --- the blog's distribution list drawn from it --------------------------------


def recipients(client: WarRoomClient, inspection: Inspection) -> list[dict[str, Any]]:
    answer = client.get("lead", f"{inspection.path}/distribution")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["recipients"]
    return found


def test_a_contact_with_an_email_joins_the_distribution_list_by_its_id(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    client.ok(
        "rapid_response", f"{inspection.path}/distribution", {"contact_id": contact_id}
    )
    (listed,) = recipients(client, inspection)
    assert (listed["name"], listed["email"], listed["group"]) == (
        POLICE["name"],
        POLICE["email"],
        POLICE["group"],
    )
    # The same address again is refused as any other would be.
    body = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/distribution",
        {"contact_id": contact_id},
    )
    assert body["rule"] == "recipient_listed_once"


def test_a_group_given_with_the_contact_overrides_theirs(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    client.ok(
        "lead",
        f"{inspection.path}/distribution",
        {"contact_id": contact_id, "group": "Partners"},
    )
    assert recipients(client, inspection)[0]["group"] == "Partners"


def test_a_contact_without_an_email_or_unknown_is_refused_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    where = f"{inspection.path}/distribution"
    no_email = add(client, inspection, RAPID)
    body = refused(client, 409, "lead", where, {"contact_id": no_email})
    assert body["rule"] == "contact_has_email"
    refused(
        client,
        404,
        "lead",
        where,
        {"contact_id": "00000000-0000-4000-8000-000000000000"},
    )
    # Either a contact, or a name and an email: never both, never neither.
    refused(client, 422, "lead", where, {"contact_id": no_email, "name": "X"})
    refused(
        client, 422, "lead", where, {"contact_id": no_email, "email": "x@example.org"}
    )
    refused(client, 422, "lead", where, {"name": "X"})
    refused(client, 422, "lead", where, {})
    # Who may not keep the distribution list may not add a contact to it.
    with_email = add(client, inspection, POLICE)
    refused(client, 403, "staff", where, {"contact_id": with_email})
    assert recipients(client, inspection) == []


# --- the print page -------------------------------------------------------------


def test_the_print_page_lists_every_contact_by_group(
    client: WarRoomClient, inspection: Inspection
) -> None:
    add(client, inspection, POLICE)
    add(client, inspection, RAPID)
    response = client.http.get(
        f"/print/inspections/{inspection.id}/contacts",
        params={"token": client.tokens["staff"]},
    )
    assert response.status_code == 200, response.text
    html = response.text
    assert "<h1>Contact list</h1>" in html
    for text in (
        "Police",
        "Rapid response team",
        "Vanessa Jardine",
        "0161 856 2000",
        "v.jardine@gmp.example.org",
        "War room, Room 2.14, Town Hall Extension",
        "2 contacts",
    ):
        assert text in html, text
    assert html.index("Police") < html.index("Rapid response team")


def test_the_print_page_of_an_empty_list_says_so(
    client: WarRoomClient, inspection: Inspection
) -> None:
    response = client.http.get(
        f"/print/inspections/{inspection.id}/contacts",
        params={"token": client.tokens["auditor"]},
    )
    assert response.status_code == 200
    assert "Nobody is on the contact list yet." in response.text


def test_a_contact_joins_with_the_copy_of_the_blog_chosen_for_them(
    client: WarRoomClient, inspection: Inspection
) -> None:
    contact_id = add(client, inspection, POLICE)
    client.ok(
        "lead",
        f"{inspection.path}/distribution",
        {"contact_id": contact_id, "audience": "partners"},
    )
    (listed,) = recipients(client, inspection)
    assert (listed["email"], listed["audience"]) == (POLICE["email"], "partners")
