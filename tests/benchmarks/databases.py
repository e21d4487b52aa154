"""A fresh database for each part of a run: a SQLite file or a PostgreSQL schema."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

POSTGRES_URL = os.environ.get(
    "WARROOM_BENCH_POSTGRES_URL",
    os.environ.get(
        "WARROOM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    ),
)
KINDS = ("sqlite", "postgresql")


def _conninfo() -> str:
    return POSTGRES_URL.split("?", 1)[0]


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers."""
    try:
        with psycopg.connect(_conninfo(), connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL is not reachable at {_conninfo()}: {error}".strip()


@contextmanager
def fresh_database(kind: str, label: str, directory: Path) -> Iterator[str]:
    """Yields a WARROOM_DATABASE_URL naming an empty database, removed after."""
    if kind == "sqlite":
        path = directory / f"{label}-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{_conninfo()}?schema={schema}"
    finally:
        with psycopg.connect(_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
