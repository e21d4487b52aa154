"""The real `warroom user add`, as a process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.days import iso_day
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from web.app import create_app


@pytest.fixture
def url(database_url: str) -> str:
    """The same database on both sides: the command line and the server."""
    return database_url


def stored(url: str) -> int:
    app = WarRoom(Database.from_url(url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def test_user_add_prints_a_token_last_that_signs_in_on_the_same_database(
    url: str,
) -> None:
    done = warroom(url, "user", "add", "--name", "Gail Keeper", "--role", "gatekeeper")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    with TestClient(create_app(Settings(database_url=url))) as http:
        auth = {"Authorization": f"Bearer {token}"}
        me = http.get("/api/me", headers=auth)
        assert me.status_code == 200, me.text
        assert (me.json()["name"], me.json()["role"]) == ("Gail Keeper", "gatekeeper")
        opened = http.post(
            "/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers=auth,
        )
        assert opened.status_code == 403, opened.text


def test_an_admin_added_on_the_command_line_may_add_users_over_http(url: str) -> None:
    done = warroom(url, "user", "add", "--name", "Root", "--role", "admin")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    with TestClient(create_app(Settings(database_url=url))) as http:
        added = http.post(
            "/api/users",
            json={"name": "Lee", "role": "lead"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert added.status_code == 201, added.text


def test_user_add_with_a_role_that_does_not_exist_fails_and_stores_nothing(
    url: str,
) -> None:
    first = warroom(url, "user", "add", "--name", "First", "--role", "staff")
    assert first.returncode == 0, first.stderr
    before = stored(url)
    done = warroom(url, "user", "add", "--name", "X", "--role", "overlord")
    assert done.returncode != 0
    assert "role" in done.stderr
    assert stored(url) == before


def test_user_add_without_a_name_fails_and_stores_nothing(url: str) -> None:
    first = warroom(url, "user", "add", "--name", "First", "--role", "staff")
    assert first.returncode == 0, first.stderr
    before = stored(url)
    done = warroom(url, "user", "add", "--role", "staff")
    assert done.returncode != 0
    assert "--name" in done.stderr
    assert stored(url) == before
