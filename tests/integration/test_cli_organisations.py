"""`warroom org add` and `warroom user add --org/--expires`, as a shell runs them."""

from __future__ import annotations

from commands.membership import first_organisation
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.user import TokenIndex, User
from web.auth import token_sha256


def _stored(database_url: str) -> int:
    app = WarRoom(Database.from_url(database_url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def _organisation_of_token(database_url: str, token: str) -> str | None:
    app = WarRoom(Database.from_url(database_url))
    try:
        index = app.load(TokenIndex, TokenIndex.create_id(token_sha256(token)))
        user = app.load(User, index.user_id)
        return user.organisation_id or first_organisation(app)
    finally:
        app.close()


def test_organisations_and_their_users_from_the_command_line(
    database_url: str,
) -> None:
    url = database_url
    # With no organisation, as before: the user belongs to none.
    first = warroom(url, "user", "add", "--name", "A", "--role", "admin")
    assert first.returncode == 0, first.stderr
    leeds = warroom(url, "org", "add", "--name", "Leeds").stdout.splitlines()[-1]
    assert _organisation_of_token(url, first.stdout.splitlines()[-1]) == leeds
    # With one organisation, --org may be left out.
    second = warroom(url, "user", "add", "--name", "B", "--role", "lead")
    assert _organisation_of_token(url, second.stdout.splitlines()[-1]) == leeds
    york = warroom(url, "org", "add", "--name", "York").stdout.splitlines()[-1]
    before = _stored(url)
    for refused in (
        ("user", "add", "--name", "C", "--role", "lead"),
        ("user", "add", "--name", "C", "--role", "lead", "--org", "nowhere"),
        ("user", "add", "--name", "C", "--role", "lead", "--org", york,
         "--expires", "2001-01-01T00:00:00Z"),
        ("org", "add", "--name", "York"),
    ):  # fmt: skip
        done = warroom(url, *refused)
        assert done.returncode == 2, (refused, done.stdout)
        assert _stored(url) == before, refused
    third = warroom(url, "user", "add", "--name", "C", "--role", "lead", "--org", york)
    assert _organisation_of_token(url, third.stdout.splitlines()[-1]) == york
