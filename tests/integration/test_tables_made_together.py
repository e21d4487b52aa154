"""Servers starting together on a new PostgreSQL database make its tables once.

`docker compose up` starts every replica at the same moment on an empty
database; each makes the tables it needs (`CREATE TABLE IF NOT EXISTS`), and
two such statements meeting in PostgreSQL's catalogue fail one of them
("tuple concurrently updated", or a unique violation on `pg_type`). Each
opening here is a real `WarRoom` with its own connection pool, as each server
process has, started at once from threads.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import postgres_schema
from warroom.application import WarRoom
from warroom.config import Database

pytestmark = pytest.mark.postgres

OPENINGS = 6
ROUNDS = 5


def test_servers_opening_a_new_database_at_once_all_start() -> None:
    failures: list[str] = []
    for _ in range(ROUNDS):
        with postgres_schema("together") as url:
            start = threading.Barrier(OPENINGS)

            def open_log(url: str = url, start: threading.Barrier = start) -> int:
                start.wait()
                app = WarRoom(Database.from_url(url))
                try:
                    return app.recorder.max_notification_id() or 0
                finally:
                    app.close()

            with ThreadPoolExecutor(OPENINGS) as pool:
                futures = [pool.submit(open_log) for _ in range(OPENINGS)]
                for future in futures:
                    try:
                        assert future.result() == 0
                    except Exception as error:  # every failure collected, then shown
                        failures.append(f"{type(error).__name__}: {error}")
    assert failures == []
