"""Councils kept apart: each reads, streams and changes only its own.

Two organisations in one database: Leeds, the first, which owns the users the
`client` fixture added before any organisation existed, and York, added after
with users and an inspection of its own. Every refusal stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from commands.models import AddOrganisation
from commands.organisations import add_organisation
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_api_access import real_ids
from warroom.domain.base import Context


@dataclass
class Council:
    id: str
    client: WarRoomClient
    inspection: Inspection


def organisation(client: WarRoomClient, name: str) -> str:
    ctx = Context("console", "console", datetime.now(UTC))
    organisation_id = add_organisation(client.app, ctx, AddOrganisation(name=name))
    # As a server would have it once its read side has folded the event in.
    client.http.app.state.warroom.reader.catch_up()  # type: ignore[attr-defined]
    return organisation_id


@pytest.fixture
def leeds(client: WarRoomClient) -> Council:
    """The first organisation: it adopts everything stored without one."""
    organisation_id = organisation(client, "Leeds")
    return Council(organisation_id, client, Inspection.open(client))


@pytest.fixture
def york(leeds: Council) -> Council:
    organisation_id = organisation(leeds.client, "York")
    client = WarRoomClient(http=leeds.client.http)
    client.add_users(organisation_id)
    return Council(organisation_id, client, Inspection.open(client))


# --- every route --------------------------------------------------------------

# Routes that name no inspection and no user: each answers for the caller's
# organisation alone, as the tests below show one by one.
ORGANISATION_WIDE = {
    ("get", "/api/me"),
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("get", "/api/inspections"),
    ("post", "/api/inspections"),
    # The templates are files of the installation, the same for every council.
    ("get", "/api/playbook-templates"),
    # What the page learns of the server's own tables: the same for everyone.
    ("get", "/api/meta"),
    # Calendar links for oneself (issue 24): one's own, whatever the inspection.
    ("get", "/api/me/calendar-links"),
    ("post", "/api/me/calendar-links"),
    # Notifications on the phone (issue 24): the server's public key, and
    # one's own devices (another's is 404: tests/integration/test_push.py).
    ("get", "/api/push/key"),
    ("get", "/api/me/push-subscriptions"),
    ("post", "/api/me/push-subscriptions"),
    ("delete", "/api/me/push-subscriptions/{subscription_id}"),
    # The verifiable log: each organisation's own tree (its export, checkpoints,
    # key, proofs and walk), see test_organisation_trees.py.
    ("get", "/api/log/export"),
    ("get", "/api/log/checkpoint"),
    ("get", "/api/log/key"),
    ("get", "/api/log/proof/inclusion"),
    ("get", "/api/log/proof/consistency"),
    ("get", "/api/verify"),
    # The caller's own council's walk, as /api/verify (issue 25).
    ("get", "/api/verify/progress"),
    # Wall screens (issue 25): a screen asks for a code and its token signed
    # in as nobody; approving names the inspection in its body (another
    # council's is 404: tests/integration/test_device_sign_in.py).
    ("post", "/api/device/codes"),
    ("post", "/api/device/token"),
    ("post", "/api/device/approve"),
}


def operations(client: WarRoomClient) -> list[tuple[str, str]]:
    schema = client.http.app.openapi()  # type: ignore[attr-defined]
    return [
        (method, path)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith("/api")
    ]


def york_ids(york: Council) -> dict[str, str]:
    ids = real_ids(york.client, york.inspection)
    rid = new_request(york.client, york.inspection)
    # Released, so that York's ledger has a line 1 (and its receipt).
    digest = walk_request(york.client, york.inspection, rid, "released")
    recipient = "pat@york.example.org"
    york.client.ok(
        "admin",
        f"/api/inspections/{ids['iid']}/distribution",
        {"name": "Pat Partner", "email": recipient},
    )
    return {
        "inspection_id": ids["iid"],
        "request_id": rid,
        "meeting_id": ids["mid"],
        "case_id": ids["cid"],
        "line_id": ids["lid"],
        "sha256": digest,
        "person": "A staff",
        "day": iso_day(1),
        "user_id": york.client.user_ids["staff"],
        "n": "0",  # a KIT action's number
        # issue 13: a calendar link is named by its own id alone
        "link_id": york.client.ok(
            "admin",
            f"/api/inspections/{ids['iid']}/calendar-links",
            {"person": "A staff"},
        )["id"],
        # issue 13: someone on York's distribution list
        "email": recipient,
        # issue 15: a playbook task (the sample template's) and an Annex A entry
        "task_id": "d1-diary",
        "document_id": york.client.ok(
            "lead",
            f"/api/inspections/{ids['iid']}/annex-a",
            {"title": "Children in need list", "owner": "A preparer"},
        )["id"],
        "line": "1",
        # issue 24: someone on York's contact list
        # issue 25: a wall screen (York's inspection is what makes it 404)
        "display_id": "00000000-0000-4000-8000-000000000000",
        "contact_id": york.client.ok(
            "lead",
            f"/api/inspections/{ids['iid']}/contacts",
            {"name": "Pat Partner", "phone": "01904 551000"},
        )["id"],
    }


def call(client: WarRoomClient, role: str, method: str, path: str) -> Any:
    if path.endswith("/documents") and method == "post":
        return client.http.post(
            path,
            files={"file": ("d.pdf", b"x", "application/pdf")},
            data={"version": "2"},
            headers=client.headers(role),
        )
    if method == "post":
        return client.http.post(path, json={}, headers=client.headers(role))
    if method == "delete":
        return client.http.delete(path, headers=client.headers(role))
    return client.http.get(path, headers=client.headers(role))


def test_every_route_answers_404_for_another_organisations_inspection_or_user(
    leeds: Council, york: Council
) -> None:
    ids = york_ids(york)
    checked = 0
    for method, template in operations(leeds.client):
        if (method, template) in ORGANISATION_WIDE:
            continue
        # A new route must name what it serves, and so be checked here.
        named = ("{inspection_id}", "{user_id}", "{link_id}")
        assert any(name in template for name in named), template
        path = template.format(**ids)
        for role in ("admin", "lead", "gatekeeper", "staff", "auditor"):
            before = leeds.client.stored()
            response = call(leeds.client, role, method, path)
            assert response.status_code == 404, (role, method, path, response.text)
            assert leeds.client.stored() == before, (method, path)
            checked += 1
        if method == "get" and not template.endswith(("/stream", "{user_id}")):
            # York's own auditor reads it: the 404 was about the organisation.
            # (The distribution list, email addresses, is for those who keep it.)
            # So are the wall screens, for those who connect them (issue 25).
            keepers = ("/distribution", "/displays")
            reader = "admin" if template.endswith(keepers) else "auditor"
            answer = call(york.client, reader, method, path)
            if template.endswith("/email"):
                # York has sent no email that day: its own 404 says so.
                assert "outbox holds no email" in answer.text, answer.text
                continue
            assert answer.status_code == 200, (path, answer.text)
    assert checked > 100


def test_each_organisation_lists_only_its_own_inspections(
    leeds: Council, york: Council
) -> None:
    for council, other in ((leeds, york), (york, leeds)):
        for role in ("admin", "lead", "staff", "auditor"):
            listed = council.client.get(role, "/api/inspections").json()
            ids = {i["id"] for i in listed["inspections"]}
            assert council.inspection.id in ids
            assert other.inspection.id not in ids


def test_each_organisation_lists_and_adds_only_its_own_users(
    leeds: Council, york: Council
) -> None:
    added = york.client.ok("admin", "/api/users", {"name": "New", "role": "staff"})
    assert added["organisation_id"] == york.id
    york_users = {
        u["id"] for u in york.client.get("admin", "/api/users").json()["users"]
    }
    leeds_users = {
        u["id"] for u in leeds.client.get("admin", "/api/users").json()["users"]
    }
    assert added["id"] in york_users and not york_users & leeds_users
    assert set(leeds.client.user_ids.values()) <= leeds_users
    me = york.client.http.get(
        "/api/me", headers={"Authorization": f"Bearer {added['token']}"}
    ).json()
    assert me["organisation_id"] == york.id
    user = leeds.client.get("admin", f"/api/users/{leeds.client.user_ids['staff']}")
    assert user.json()["organisation_id"] == leeds.id


def test_work_is_assigned_only_within_the_organisation(
    leeds: Council, york: Council
) -> None:
    rid = new_request(leeds.client, leeds.inspection)
    before = leeds.client.stored()
    response = leeds.client.post(
        "gatekeeper",
        f"{leeds.inspection.path}/requests/{rid}/assign",
        {"assignee": york.client.user_ids["preparer"]},
    )
    assert response.status_code == 404, response.text
    assert leeds.client.stored() == before


# --- named inspections ----------------------------------------------------------


def test_an_admin_limits_a_user_to_named_inspections(
    leeds: Council, york: Council
) -> None:
    client = leeds.client
    second = Inspection.open(client)
    staff = client.user_ids["staff"]
    limit = f"/api/users/{staff}/inspections"
    client.ok("admin", limit, {"inspection_ids": [leeds.inspection.id]})
    listed = client.get("staff", "/api/inspections").json()["inspections"]
    assert [i["id"] for i in listed] == [leeds.inspection.id]
    assert client.get("staff", second.path).status_code == 404
    assert client.get("staff", leeds.inspection.path).status_code == 200
    assert client.get("admin", f"/api/users/{staff}").json()["inspection_ids"] == [
        leeds.inspection.id
    ]
    # Another organisation's inspection is not found; nothing stored.
    before = client.stored()
    response = client.post("admin", limit, {"inspection_ids": [york.inspection.id]})
    assert response.status_code == 404, response.text
    assert client.stored() == before
    client.ok("admin", limit, {"inspection_ids": None})
    assert client.get("staff", second.path).status_code == 200


# --- documents ----------------------------------------------------------------


def test_document_contents_are_for_those_who_handle_documents_and_the_auditor(
    leeds: Council,
) -> None:
    client, inspection = leeds.client, leeds.inspection
    rid = new_request(client, inspection)
    digest = walk_request(client, inspection, rid, "attached")
    path = f"{inspection.path}/requests/{rid}/documents/{digest}"
    for role in ("lead", "gatekeeper", "rapid_response", "auditor"):
        assert client.get(role, path).status_code == 200, role
    before = client.stored()
    for role in ("staff", "admin"):
        response = client.get(role, path)
        assert response.status_code == 403, (role, response.text)
        assert digest not in response.text
    assert client.stored() == before
