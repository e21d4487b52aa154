"""The read side saves its read models, and says so when it cannot.

Two processes on one database both save; the one behind finds the tracking
record ahead of it, which is no failure. A real failure (here the saved-state
table taken away for a moment, as a lost permission or a full disk would) is
logged as a warning and tried again on the next round.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager

import psycopg
import pytest

from commands.executor import execute
from commands.models import AddUser
from commands.run import Actor
from projections.follower import ReadSide
from warroom.application import WarRoom
from warroom.config import Database

CONSOLE = Actor(id="console", name="console", role="admin")


@contextmanager
def following(database_url: str) -> Iterator[tuple[WarRoom, ReadSide]]:
    """The log, and a read side that saves only when told to."""
    app = WarRoom(Database.from_url(database_url))
    read_side = ReadSide(app, save_every=10**9, save_seconds=3600)
    read_side.start()
    try:
        yield app, read_side
    finally:
        read_side.stop()
        app.close()


def add_user(app: WarRoom, read_side: ReadSide) -> int:
    body = execute(app, CONSOLE, AddUser(name="Ann", role="staff")).body
    position = int(body["position"])
    assert read_side.wait_for(position, timeout=10)
    return position


@contextmanager
def views_table_taken_away(database_url: str) -> Iterator[None]:
    database = Database.from_url(database_url)
    _rename(database, "warroom_views", "warroom_views_away")
    try:
        yield
    finally:
        _rename(database, "warroom_views_away", "warroom_views")


def _rename(database: Database, old: str, new: str) -> None:
    if database.kind == "sqlite":
        with closing(sqlite3.connect(database.sqlite_path)) as conn:
            conn.execute(f"ALTER TABLE {old} RENAME TO {new}")
            conn.commit()
        return
    with psycopg.connect(database.psycopg_conninfo(), autocommit=True) as conn:
        conn.execute(f'ALTER TABLE "{database.schema}".{old} RENAME TO {new}')


def warnings_in(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the read side warned of."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "projections.follower" and record.levelno >= logging.WARNING
    ]


def test_a_failed_save_is_logged_as_a_warning_and_made_on_the_next_round(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with following(database_url) as (app, read_side):
        position = add_user(app, read_side)
        with (
            views_table_taken_away(database_url),
            caplog.at_level(logging.WARNING, logger="projections.follower"),
        ):
            read_side.save()
        not_saved = app.store.load_views(app.name)
        read_side.save()
        saved = app.store.load_views(app.name)

    assert len(warnings_in(caplog)) == 1
    assert f"read models at {position} not saved: " in warnings_in(caplog)[0]
    assert not_saved is None
    assert saved is not None and saved[0] == position


def test_a_save_behind_another_processes_save_is_no_failure(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        following(database_url) as (app, ahead),
        following(database_url) as (_, behind),
    ):
        position = add_user(app, ahead)
        assert behind.wait_for(position, timeout=10)
        ahead.save()
        with caplog.at_level(logging.DEBUG, logger="projections.follower"):
            behind.save()
        saved = app.store.load_views(app.name)

    assert warnings_in(caplog) == []
    assert f"read models at {position} saved already" in caplog.messages
    assert saved is not None and saved[0] == position
