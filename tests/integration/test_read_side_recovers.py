"""The read side follows the log again after PostgreSQL drops its connections."""

from __future__ import annotations

import time

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.conftest import POSTGRES_URL
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient
from warroom.config import Settings
from web.app import create_app


@pytest.mark.postgres
def test_reads_catch_up_after_the_databases_connections_are_cut(
    postgres_schema_url: str,
) -> None:
    settings = Settings(database_url=postgres_schema_url, read_wait_seconds=30)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        # Cut every connection listening for new events (this server's; CI
        # runs the tests one at a time), as a database restart or a network
        # blip would.
        cut = _terminate_listeners()
        assert cut >= 1
        answer = client.ok(
            "lead",
            f"{inspection.path}/blog",
            {"day": iso_day(2), "title": "after the cut", "body": "text"},
        )
        blog = client.get("staff", f"{inspection.path}/blog/{iso_day(2)}").json()

    assert blog["position"] >= answer["position"]
    assert [p["title"] for p in blog["posts"]] == ["after the cut"]


def _terminate_listeners() -> int:
    """Terminates the LISTEN connections on the test database; returns how many."""
    conninfo = POSTGRES_URL.split("?", 1)[0]
    deadline = time.monotonic() + 10
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            rows = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND query LIKE 'LISTEN%%' "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
            if rows:
                return len(rows)
            time.sleep(0.1)
    return 0
