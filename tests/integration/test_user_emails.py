"""Users' email addresses (issue 24): given when added, set or changed later by
an admin, shown to admins; a bad address or the wrong role stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.helpers import WarRoomClient, refused
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.domain.user import User


def put(client: WarRoomClient, role: str, user_id: str, body: object) -> Any:
    return client.http.put(
        f"/api/users/{user_id}/email", json=body, headers=client.headers(role)
    )


def listed_emails(client: WarRoomClient, role: str) -> dict[str, object]:
    users = client.get(role, "/api/users").json()["users"]
    return {u["name"]: u.get("email", "hidden") for u in users}


def test_a_user_added_with_an_address_has_it_and_admins_see_it(
    client: WarRoomClient,
) -> None:
    added = client.ok(
        "admin",
        "/api/users",
        {"name": "Sarah Jones", "role": "staff", "email": "sarah@council.example"},
    )
    assert added["email"] == "sarah@council.example"
    emails = listed_emails(client, "admin")
    assert emails["Sarah Jones"] == "sarah@council.example"
    assert emails["A staff"] is None
    # Others list people to give them work: they do not see addresses.
    assert set(listed_emails(client, "lead").values()) == {"hidden"}
    one = client.get("admin", f"/api/users/{added['id']}").json()
    assert one["email"] == "sarah@council.example"
    assert "email" not in client.get("lead", f"/api/users/{added['id']}").json()


def test_an_admin_sets_changes_and_takes_away_an_address(
    client: WarRoomClient,
) -> None:
    staff = client.user_ids["staff"]
    assert (
        put(client, "admin", staff, {"email": "a@council.example"}).status_code == 200
    )
    assert listed_emails(client, "admin")["A staff"] == "a@council.example"
    assert (
        put(client, "admin", staff, {"email": "b@council.example"}).status_code == 200
    )
    # The user sees their own.
    assert client.get("staff", f"/api/users/{staff}").json()["email"] == (
        "b@council.example"
    )
    assert put(client, "admin", staff, {"email": None}).status_code == 200
    assert listed_emails(client, "admin")["A staff"] is None


@pytest.mark.parametrize(
    "address",
    ["not an address", "a@", "@council.example", "a@b@c", "Sarah <s@c.example>", "x"],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(
    client: WarRoomClient, address: str
) -> None:
    refused(
        client,
        422,
        "admin",
        "/api/users",
        {"name": "Bad Address", "role": "staff", "email": address},
    )
    before = client.stored()
    answer = put(client, "admin", client.user_ids["staff"], {"email": address})
    assert answer.status_code == 422
    assert client.stored() == before


@pytest.mark.parametrize("role", ["lead", "gatekeeper", "rapid_response", "staff"])
def test_only_an_admin_sets_an_address_and_a_refusal_stores_nothing(
    client: WarRoomClient, role: str
) -> None:
    before = client.stored()
    answer = put(client, role, client.user_ids["staff"], {"email": "x@council.example"})
    assert answer.status_code == 403
    assert client.stored() == before
    refused(
        client,
        403,
        role,
        "/api/users",
        {"name": "Someone", "role": "staff", "email": "x@council.example"},
    )


def test_the_same_address_again_is_refused_storing_nothing(
    client: WarRoomClient,
) -> None:
    staff = client.user_ids["staff"]
    put(client, "admin", staff, {"email": "a@council.example"})
    before = client.stored()
    answer = put(client, "admin", staff, {"email": "a@council.example"})
    assert answer.status_code == 409
    assert client.stored() == before


@contextmanager
def opened(url: str) -> Iterator[WarRoom]:
    app = WarRoom(Database.from_settings(Settings(database_url=url)))
    try:
        yield app
    finally:
        app.close()


def test_the_command_line_adds_a_user_with_an_address_and_changes_it(
    database_url: str,
) -> None:
    done = warroom(
        database_url,
        *("user", "add", "--name", "Admin", "--role", "admin"),
        *("--email", "admin@council.example"),
    )
    assert done.returncode == 0, done.stderr
    done = warroom(
        database_url, "user", "email", "--name", "Admin", "--email", "new@c.example"
    )
    assert done.returncode == 0, done.stderr
    assert "new@c.example" in done.stdout
    done = warroom(database_url, "user", "email", "--name", "Admin", "--none")
    assert done.returncode == 0, done.stderr
    # Refusals: a bad address, nobody of that name; neither stores anything.
    with opened(database_url) as app:
        before = app.recorder.max_notification_id()
        user_id = app.name_holder(None, "Admin")
        assert user_id is not None
        assert app.load(User, str(user_id)).email is None
    bad = warroom(database_url, "user", "email", "--name", "Admin", "--email", "no")
    assert bad.returncode == 2 and "email" in bad.stderr
    nobody = warroom(
        database_url, "user", "email", "--name", "Nobody", "--email", "a@c.example"
    )
    assert nobody.returncode == 2 and "no user named" in nobody.stderr
    bad_add = warroom(
        database_url,
        *("user", "add", "--name", "B", "--role", "staff", "--email", "nope"),
    )
    assert bad_add.returncode == 2
    with opened(database_url) as app:
        assert app.recorder.max_notification_id() == before
