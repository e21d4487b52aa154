"""A display name is one person: agendas and briefings go by name.

Unique across the whole database for now (organisations come later).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from commands.executor import execute
from commands.models import AddUser
from entrypoints.console import CONSOLE
from tests.helpers import WarRoomClient, refused
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.base import Context, RuleBroken
from warroom.domain.user import User


def test_adding_a_user_under_a_name_already_taken_is_refused_storing_nothing(
    client: WarRoomClient,
) -> None:
    client.ok("admin", "/api/users", {"name": "Linda Evans", "role": "staff"})
    for same in ("Linda Evans", "linda  EVANS", " Linda Evans "):
        answer = refused(
            client, 409, "admin", "/api/users", {"name": same, "role": "lead"}
        )
        assert answer["rule"] == "name_taken"
        assert "Linda Evans" in answer["detail"] or same in answer["detail"]


def test_a_name_held_by_a_user_of_the_fixture_is_taken_too(
    client: WarRoomClient,
) -> None:
    answer = refused(
        client, 409, "admin", "/api/users", {"name": "A staff", "role": "staff"}
    )
    assert answer["rule"] == "name_taken"


def test_a_name_held_by_a_user_added_before_names_were_unique_is_taken(
    database_url: str,
) -> None:
    database = Database.from_url(database_url)
    older = WarRoom(database)
    try:
        # As an older version of the war room stored it: a user, no name claim.
        ctx = Context(
            actor="console", actor_name="console", occurred_at=datetime.now(UTC)
        )
        older.save(User(name="Old Timer", role="staff", meta=ctx.meta()))
    finally:
        older.close()
    app = WarRoom(database)  # the upgraded war room, started afterwards
    try:
        before = app.recorder.max_notification_id()
        with pytest.raises(RuleBroken) as refusal:
            execute(app, CONSOLE, AddUser(name="old timer", role="lead"))
        assert refusal.value.rule == "name_taken"
        assert app.recorder.max_notification_id() == before
    finally:
        app.close()


def test_two_users_added_at_once_under_one_name_are_never_both_stored(
    client: WarRoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_checked = threading.Barrier(2, timeout=60)
    save = client.app.save_and_position

    def save_when_both_checked(*aggregates: Any, **kwargs: Any) -> int:
        both_checked.wait()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(client.app, "save_and_position", save_when_both_checked)
    before = client.stored()
    body = {"name": "Twin", "role": "staff"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(lambda _: client.post("admin", "/api/users", body), range(2))
        )
    monkeypatch.undo()
    assert sorted(a.status_code for a in answers) == [201, 409]
    names = [u["name"] for u in client.get("lead", "/api/users").json()["users"]]
    assert names.count("Twin") == 1
    # The user and their token grant, the token index, the name claim, and
    # their sign-in link's one-time secret (issue 26): one user's, not two.
    assert client.stored() == before + 5
