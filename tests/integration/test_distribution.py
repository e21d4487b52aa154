"""The daily blog's distribution list: kept by admin, lead and the
communication lead (those who write the blog), refused to the rest."""

from __future__ import annotations

import pytest

from commands.models import AddRecipient
from tests.helpers import (
    Inspection,
    WarRoomClient,
    allowed_roles,
    refused,
    refused_roles,
)


def _listed(client: WarRoomClient, inspection: Inspection) -> list[str]:
    answer = client.get("admin", f"{inspection.path}/distribution")
    assert answer.status_code == 200, answer.text
    return [r["email"] for r in answer.json()["recipients"]]


def test_the_list_is_kept_by_admin_lead_and_whoever_writes_the_blog() -> None:
    assert allowed_roles(AddRecipient) == {"admin", "lead", "rapid_response"}


@pytest.mark.parametrize("role", ["admin", "lead", "rapid_response"])
def test_each_role_that_keeps_the_list_adds_and_removes_a_recipient(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    client.ok(
        role,
        f"{inspection.path}/distribution",
        {"name": "Pat Health", "email": "pat@nhs.example", "group": "health"},
    )
    assert _listed(client, inspection) == ["pat@nhs.example"]
    listed = client.get(role, f"{inspection.path}/distribution").json()
    # Whoever keeps the list is offered its removal, and nothing else.
    assert listed["recipients"] == [
        {
            "name": "Pat Health",
            "email": "pat@nhs.example",
            "group": "health",
            "audience": "war_room",  # unless said (issue 24)
            "actions": ["RemoveRecipient"],
        }
    ]

    removed = client.http.delete(
        f"{inspection.path}/distribution/PAT@nhs.example",
        headers=client.headers(role),
    )

    assert removed.status_code == 200, removed.text
    assert _listed(client, inspection) == []


@pytest.mark.parametrize(
    "email", ["not an address", "pat@", "@nhs.example", "pat@nhs..example", ""]
)
def test_a_bad_address_is_refused_with_422_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection, email: str
) -> None:
    body = refused(
        client,
        422,
        "lead",
        f"{inspection.path}/distribution",
        {"name": "Pat", "email": email},
    )
    assert body["detail"][0]["loc"][-1] == "email"
    assert _listed(client, inspection) == []


@pytest.mark.parametrize("role", refused_roles(AddRecipient))
def test_a_role_that_does_not_keep_the_list_may_not_add_to_it_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    refused(
        client,
        403,
        role,
        f"{inspection.path}/distribution",
        {"name": "Pat", "email": "pat@nhs.example"},
    )
    assert _listed(client, inspection) == []


@pytest.mark.parametrize("role", refused_roles(AddRecipient))
def test_a_role_that_does_not_keep_the_list_may_not_remove_from_it_or_see_it(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    client.ok(
        "lead",
        f"{inspection.path}/distribution",
        {"name": "Pat", "email": "pat@nhs.example"},
    )
    before = client.stored()

    removed = client.http.delete(
        f"{inspection.path}/distribution/pat@nhs.example",
        headers=client.headers(role),
    )
    seen = client.get(role, f"{inspection.path}/distribution")

    assert removed.status_code == 403, removed.text
    assert client.stored() == before
    assert seen.status_code == 403
    assert _listed(client, inspection) == ["pat@nhs.example"]


def test_an_address_is_on_the_list_once_whatever_its_case(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok(
        "lead",
        f"{inspection.path}/distribution",
        {"name": "Pat", "email": "pat@nhs.example"},
    )
    body = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/distribution",
        {"name": "Pat again", "email": "PAT@nhs.example"},
    )
    assert body["rule"] == "recipient_listed_once"


def test_removing_someone_not_on_the_list_is_404_and_a_bad_address_422(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    absent = client.http.delete(
        f"{inspection.path}/distribution/nobody@nhs.example",
        headers=client.headers("lead"),
    )
    bad = client.http.delete(
        f"{inspection.path}/distribution/not-an-address",
        headers=client.headers("lead"),
    )
    assert absent.status_code == 404, absent.text
    assert bad.status_code == 422, bad.text
    assert bad.json()["detail"][0]["loc"] == ["path", "email"]
    assert client.stored() == before
