"""A fresh, empty database per hypothesis example, of the kind the test runs on.

The `database_url` fixture is made once per test, but a property test runs
many examples; each needs its own log, so this makes a sibling of that one: a
new SQLite file beside it, or a new PostgreSQL schema, dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from warroom.config import Database


@contextmanager
def fresh_database(database_url: str) -> Iterator[str]:
    database = Database.from_url(database_url)
    name = f"p_{uuid.uuid4().hex[:12]}"
    if database.kind == "sqlite":
        path = Path(database.sqlite_path).with_name(f"{name}.db")
        yield f"sqlite:///{path}"
        return
    conninfo = database.psycopg_conninfo()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield database_url.split("?", 1)[0] + f"?schema={name}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
