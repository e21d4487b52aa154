"""A large append is saved whole, however little the socket takes at once.

Issue 22: an access log at its 50,000-row limit hung on PostgreSQL inside the
library's pipelined append: psycopg waited for results while libpq still held
part of the INSERT, and the server waited for that part (`ClientRead`). It
happens when the socket cannot take the append at once (a loaded machine, a
reader on the same server): here every pooled connection's send buffer is
made 4 KiB, and 5,000 events go in one save, as an access log's rows do.
Before the mend (`warroom.pipeline`) the save never ended.

On SQLite, which has no pipeline, the same save is stored whole too.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import psycopg
import pytest

from tests.benchmarks.fold import browse
from tests.benchmarks.logbuilder import add_users
from tests.conftest import POSTGRES_URL
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.case import Case
from warroom.storage import PostgresWarRoomRecorder

BROWSES = 5000  # one save: the benchmark's log builder saves 5,000 at a time
# Long enough for a loaded machine to save 5,000 events many times over; a
# save stuck as before never ends.
STUCK_SECONDS = 120


def small_send_buffers(app: WarRoom) -> None:
    recorder = app.recorder
    assert isinstance(recorder, PostgresWarRoomRecorder)
    pool = recorder.datastore.pool
    pool.wait(timeout=30)
    for connection in list(pool._pool):
        # A duplicate of the connection's socket: the option is the socket's.
        sock = socket.fromfd(
            connection.pgconn.socket, socket.AF_INET, socket.SOCK_STREAM
        )
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        sock.close()


def end_stuck_appends(schema: str) -> None:
    """Ends the server side of a stuck append, so that the test can finish."""
    with psycopg.connect(POSTGRES_URL, autocommit=True) as c:
        c.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE state = 'active' AND query LIKE %s",
            (f'%INSERT INTO "{schema}"%',),
        )


def test_five_thousand_events_in_one_save_are_stored_whole(database_url: str) -> None:
    app = WarRoom(Database.from_url(database_url))
    try:
        cast = add_users(app)
        if app.database.kind == "postgresql":
            small_send_buffers(app)
        saved: list[str] = []
        failed: list[BaseException] = []

        def save() -> None:
            try:
                saved.append(browse(app, cast, cases=1, browses=BROWSES, seed="big"))
            except BaseException as error:  # reported below
                failed.append(error)

        saving = threading.Thread(target=save, daemon=True)
        saving.start()
        saving.join(STUCK_SECONDS)
        stuck = saving.is_alive()
        if stuck and app.database.kind == "postgresql":
            end_stuck_appends(app.recorder.datastore.schema)  # type: ignore[attr-defined]
        assert not stuck, f"the save of {BROWSES} events was stuck"
        assert not failed, failed
        case: Any = app.load(Case, Case.create_id(saved[0], "C-0000"))
        assert case.version == 1 + BROWSES  # selected, then every browse
    finally:
        app.close()


@pytest.mark.postgres
def test_the_war_rooms_connections_send_their_pipelines_whole(
    postgres_schema_url: str,
) -> None:
    app = WarRoom(Database.from_url(postgres_schema_url))
    try:
        recorder = app.recorder
        assert isinstance(recorder, PostgresWarRoomRecorder)
        pool = recorder.datastore.pool
        pool.wait(timeout=30)
        with pool.connection() as connection, connection.pipeline() as pipeline:
            assert type(pipeline).__name__ == "FlushedPipeline"
    finally:
        app.close()
