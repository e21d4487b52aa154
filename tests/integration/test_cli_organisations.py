"""`warroom org add` and `warroom user add --org/--expires`, as a shell runs them."""

from __future__ import annotations

from datetime import UTC, datetime

from commands.membership import first_organisation
from tests.days import iso_day
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.base import Context
from warroom.domain.inspection import Inspection
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
    # The first organisation takes that user: said, and asked for.
    leeds = warroom(
        url, "org", "add", "--name", "Leeds", "--takes-existing"
    ).stdout.splitlines()[-1]
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


def _open_inspection_without_organisation(database_url: str) -> None:
    app = WarRoom(Database.from_url(database_url))
    try:
        ctx = Context("console", "console", datetime.now(UTC))
        app.save(
            Inspection(
                title="Before organisations",
                framework="SIF",
                starts_on=iso_day(0),
                timezone="Europe/London",
                meta=ctx.meta(),
            )
        )
    finally:
        app.close()


def test_a_first_organisation_refuses_to_take_existing_users_and_inspections_unasked(
    database_url: str,
) -> None:
    url = database_url
    for name in ("A", "B"):
        assert (
            warroom(url, "user", "add", "--name", name, "--role", "admin").returncode
            == 0
        )
    _open_inspection_without_organisation(url)
    before = _stored(url)
    refused = warroom(url, "org", "add", "--name", "Second Council")
    assert refused.returncode == 2, refused.stdout
    assert "2 users and 1 inspection" in refused.stderr
    assert "--takes-existing" in refused.stderr
    assert "nothing was stored" in refused.stderr
    assert refused.stdout == ""
    assert _stored(url) == before
    # Nobody was taken: the users still belong to no organisation.
    assert _organisation_of_token(url, _token_of(url, "C")) is None
    taken = warroom(url, "org", "add", "--name", "Leeds", "--takes-existing")
    assert taken.returncode == 0, taken.stderr
    leeds = taken.stdout.splitlines()[-1]
    assert _organisation_of_token(url, _token_of(url, "D")) == leeds
    # A second organisation takes nothing, so it is not asked.
    york = warroom(url, "org", "add", "--name", "York")
    assert york.returncode == 0, york.stderr


def test_a_first_organisation_of_an_empty_database_needs_no_flag(
    database_url: str,
) -> None:
    done = warroom(database_url, "org", "add", "--name", "Leeds")
    assert done.returncode == 0, done.stderr
    assert _stored(database_url) > 0


def _token_of(database_url: str, name: str) -> str:
    """A new admin's token (in the one organisation, or none)."""
    done = warroom(database_url, "user", "add", "--name", name, "--role", "admin")
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]
