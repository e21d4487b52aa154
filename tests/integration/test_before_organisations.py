"""A database written before organisations keeps working, then joins one.

`tests/fixtures/before_organisations.json` holds the stored events that
main's code wrote (users and an inspection, none naming an organisation),
byte for byte; `tests/fixtures` says how it was made. They are put into a
fresh database as they were, then today's server reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from commands.executor import execute
from commands.models import AddOrganisation, AddUser
from commands.organisations import (
    WithoutOrganisation,
    add_organisation,
    without_organisation,
)
from commands.run import Actor
from tests.helpers import WarRoomClient
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.base import Context, RuleBroken
from web.app import create_app

FIXTURE = Path(__file__).parent.parent / "fixtures" / "before_organisations.json"


@pytest.fixture
def old() -> dict[str, Any]:
    written: dict[str, Any] = json.loads(FIXTURE.read_text())
    return written


@pytest.fixture
def upgraded(database_url: str, old: dict[str, Any]) -> Iterator[WarRoomClient]:
    app = WarRoom(Database.from_url(database_url))
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=UUID(e["originator_id"]),
                originator_version=e["originator_version"],
                topic=e["topic"],
                state=e["state"].encode(),
            )
            for e in old["events"]
        ]
    )
    app.close()
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings)) as http:
        yield WarRoomClient(http=http, tokens=old["tokens"], user_ids=old["user_ids"])


def test_old_tokens_and_the_old_inspection_work_as_before(
    upgraded: WarRoomClient, old: dict[str, Any]
) -> None:
    path = f"/api/inspections/{old['inspection_id']}"
    assert upgraded.get("lead", path).json()["title"] == "Before organisations"
    listed = upgraded.get("staff", "/api/inspections").json()["inspections"]
    assert [i["id"] for i in listed] == [old["inspection_id"]]
    users = upgraded.get("admin", "/api/users").json()["users"]
    assert {u["id"] for u in users} == set(old["user_ids"].values())
    # A new user and inspection, with no organisation yet, join the old ones.
    added = upgraded.ok("admin", "/api/users", {"name": "New", "role": "lead"})
    upgraded.tokens["new"] = added["token"]
    assert upgraded.get("new", path).status_code == 200


def test_the_first_organisation_adopts_what_was_stored_without_one(
    upgraded: WarRoomClient, old: dict[str, Any]
) -> None:
    stored_before = [
        (n.topic, n.state)
        for n in upgraded.app.recorder.select_notifications(start=1, limit=100)
    ]
    ctx = Context("console", "console", datetime.now(UTC))
    leeds = add_organisation(upgraded.app, ctx, AddOrganisation(name="Leeds"))
    york = add_organisation(upgraded.app, ctx, AddOrganisation(name="York"))
    upgraded.http.app.state.warroom.reader.catch_up()  # type: ignore[attr-defined]
    path = f"/api/inspections/{old['inspection_id']}"
    assert upgraded.get("lead", path).status_code == 200
    me = upgraded.get("staff", "/api/me").json()
    assert me["organisation_id"] == leeds
    shown = upgraded.get("admin", f"/api/users/{old['user_ids']['staff']}").json()
    assert shown["organisation_id"] == leeds and shown["token"]["live"] is True
    # Someone of the second organisation does not see it.
    console = Actor("console", "console", "admin", organisation_id=york)
    other = execute(upgraded.app, console, AddUser(name="York", role="admin")).body
    upgraded.tokens["york"] = other["token"]
    before = upgraded.stored()
    assert upgraded.get("york", path).status_code == 404
    assert upgraded.get("york", "/api/inspections").json()["inspections"] == []
    assert upgraded.stored() == before
    # The old events are as they were written: read, never rewritten.
    stored_after = [
        (n.topic, n.state)
        for n in upgraded.app.recorder.select_notifications(start=1, limit=100)
    ]
    assert stored_after[: len(stored_before)] == stored_before
    assert all(b"class_version" not in state for _, state in stored_before[:4])


def test_an_old_users_token_can_be_revoked_and_rotated(
    upgraded: WarRoomClient, old: dict[str, Any]
) -> None:
    staff = old["user_ids"]["staff"]
    new = upgraded.ok("admin", f"/api/users/{staff}/rotate")["token"]
    assert upgraded.get("staff", "/api/me").status_code == 401
    upgraded.tokens["staff"] = new
    assert upgraded.get("staff", "/api/me").status_code == 200
    upgraded.ok("admin", f"/api/users/{staff}/revoke")
    assert upgraded.get("staff", "/api/me").status_code == 401


def test_a_first_organisation_not_told_it_takes_them_is_refused_storing_nothing(
    upgraded: WarRoomClient, old: dict[str, Any]
) -> None:
    ctx = Context("console", "console", datetime.now(UTC))
    before = upgraded.stored()
    with pytest.raises(RuleBroken) as refused:
        add_organisation(
            upgraded.app, ctx, AddOrganisation(name="York"), takes_existing=False
        )
    assert refused.value.rule == "takes_existing"
    assert "4 users and 1 inspection" in refused.value.message
    assert upgraded.stored() == before
    assert without_organisation(upgraded.app) == WithoutOrganisation(4, 1)
    leeds = add_organisation(upgraded.app, ctx, AddOrganisation(name="Leeds"))
    assert without_organisation(upgraded.app) == WithoutOrganisation(0, 0)
    upgraded.http.app.state.warroom.reader.catch_up()  # type: ignore[attr-defined]
    assert upgraded.get("staff", "/api/me").json()["organisation_id"] == leeds
