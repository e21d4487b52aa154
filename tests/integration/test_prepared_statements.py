"""Appends never use prepared statements on PostgreSQL.

psycopg counts a statement as prepared once it is sent to be prepared; in
pipeline mode (the library's appends) a statement queued after one that
failed, say the unique violation of a conflicting save, is skipped by the
server, and psycopg still counts it as prepared: the next save on that
connection then fails with `prepared statement "_pg3_N" does not exist` (a
500 the full-size fuzzing met once in 63,870 requests, and CI once before).
The pool is told never to prepare, but a running server was seen with pooled
connections opened before it was told (`prepare_threshold` 5): so every
append tells its own connection. Here every connection would prepare a
statement the first time it runs, and no append's statement is prepared.

And no connection the pool opens may prepare on its own: the pool's workers
opened its first connections while it was being told, and one of them kept
psycopg's default (the flake of the test below: the library's tracking
INSERT, asked to be prepared at table creation, was `_pg3_0` on it).
"""

from __future__ import annotations

import pytest

from commands import models as m
from commands.executor import execute
from tests.benchmarks.logbuilder import CONSOLE
from tests.conftest import postgres_schema
from warroom.application import WarRoom
from warroom.config import Database
from warroom.storage import PostgresWarRoomRecorder

pytestmark = pytest.mark.postgres


def test_no_append_prepares_a_statement_whatever_its_connection_says(
    postgres_schema_url: str,
) -> None:
    app = WarRoom(Database.from_url(postgres_schema_url))
    try:
        recorder = app.recorder
        assert isinstance(recorder, PostgresWarRoomRecorder)
        pool = recorder.datastore.pool
        connections = list(pool._pool)
        assert connections, "the pool holds its connections"
        for connection in connections:
            connection.prepare_threshold = 0  # prepare at the first run
        for n in range(12):
            execute(app, CONSOLE, m.AddUser(name=f"Staff {n}", role="staff"))
        prepared = [
            f"{name.decode()}: {statement.decode()[:200]}"
            for connection in connections
            for (statement, _), name in connection._prepared._names.items()
            if b"INSERT" in statement or b"LOCK" in statement
        ]
        assert prepared == []  # names the statement, should one ever be
    finally:
        app.close()


def test_every_connection_a_fresh_war_room_pools_never_prepares() -> None:
    # The pool's first connections are opened by its workers at once: before
    # the mend, 15 of 20 fresh war rooms held one with prepare_threshold 5.
    for _ in range(8):
        with postgres_schema() as url:
            app = WarRoom(Database.from_url(url))
            try:
                recorder = app.recorder
                assert isinstance(recorder, PostgresWarRoomRecorder)
                pool = recorder.datastore.pool
                pool.wait(timeout=30)  # its workers have opened what they will
                held = list(pool._pool)
                assert held, "the pool holds its connections"
                assert [c.prepare_threshold for c in held] == [None] * len(held)
                prepared = [
                    statement.decode()[:200]
                    for c in held
                    for (statement, _) in c._prepared._names
                ]
                assert prepared == []
            finally:
                app.close()
