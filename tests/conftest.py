"""Fixtures shared by every test: a real database of each kind, a real server.

`database_url` runs a test once on SQLite (a file in tmp_path) and once on
PostgreSQL (a schema of its own in the database named by
WARROOM_TEST_POSTGRES_URL, dropped afterwards). When CI is set, a PostgreSQL
that cannot be reached fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.helpers import Inspection, WarRoomClient
from warroom.config import Settings
from web.app import create_app

# The log's checkpoints need a signing key, never kept in the database: every
# app, `warroom serve` and command line the tests start signs with this one
# (PostgreSQL refuses to start without one). Made with `warroom keygen`.
TEST_SIGNING_KEY = (
    "PRIVATE+KEY+warroom.test/log+93a2c5ce+ATrfgitwBRGu6KLTSFyB2U5dZzsLhnXIASsZLyX6aXSC"
)
TEST_VERIFIER_KEY = (
    "warroom.test/log+93a2c5ce+ARB7hn5YDQlWH2Qm5F/NPYhuzP7akkVLabgsknmg/jlq"
)
os.environ.setdefault("WARROOM_SIGNING_KEY", TEST_SIGNING_KEY)
# The server's own daily blog send (issue 13) stays off in tests, and in the
# servers they start, but for those that turn it on to test it.
os.environ.setdefault("WARROOM_BLOG_SEND_AT", "off")

POSTGRES_URL = os.environ.get(
    "WARROOM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> bool:
    try:
        with psycopg.connect(_conninfo(POSTGRES_URL), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _conninfo(url: str) -> str:
    return url.split("?", 1)[0]


def require_postgres() -> None:
    if postgres_available():
        return
    message = f"PostgreSQL is not reachable at {POSTGRES_URL}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so this fails instead of skipping)")
    pytest.skip(message)


@contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[str]:
    """A fresh, empty schema on the test PostgreSQL, dropped afterwards."""
    require_postgres()
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(_conninfo(POSTGRES_URL), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    with postgres_schema() as url:
        yield url


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warroom.db'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    return url


@pytest.fixture
def client(database_url: str) -> Iterator[WarRoomClient]:
    """A real app on a real database, with a signed-in user of every role."""
    settings = Settings(database_url=database_url, max_body_bytes=1_000_000)
    with TestClient(create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@pytest.fixture
def inspection(client: WarRoomClient) -> Inspection:
    return Inspection.open(client)
