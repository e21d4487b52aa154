"""The log opened read-only: for `warroom verify`, `GET /api/verify` and the
live server's check of its own log (`warroom.evidence.sentinel`).

Verification only reads (ARCHITECTURE.md): it never makes a table, never
backfills a tree, never writes a row. So it does not open the log the way
`WarRoom` does (which makes tables and indexes what is missing); it opens it
so that the database itself refuses any write:

- SQLite: the file through a `file:...?mode=ro` URI, no table made;
- PostgreSQL: every connection with `default_transaction_read_only` on, so
  each transaction it begins is READ ONLY, no table made.

A database that lacks the log's tables is not made here: the walk finds them
missing and says so (`warroom.evidence.walk`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import get_topic

from warroom.config import Database
from warroom.evidence.log import VerifiableLog
from warroom.storage import application_recorder_env

READ_ONLY_OPTION = "-c default_transaction_read_only=on"


class NoDatabase(ValueError):
    """There is no database to read where the URL says."""


def read_only_env(database: Database) -> dict[str, str]:
    """The library's variables that open `database` read-only, making nothing."""
    env = {
        **database.library_env(),
        **application_recorder_env(database.kind),
        "CREATE_TABLE": "false",
    }
    if database.kind == "sqlite":
        path = Path(database.sqlite_path)
        if not path.is_file():
            raise NoDatabase(f"no SQLite database at {path}")
        env["SQLITE_DBNAME"] = f"file:{path.resolve()}?mode=ro"
    else:  # a few connections: walks and checks run one at a time
        env |= {
            "PERSISTENCE_MODULE": get_topic(ReadOnlyPostgresFactory),
            "POSTGRES_POOL_SIZE": "1",
            "POSTGRES_MAX_OVERFLOW": "3",
        }
    return env


class ReadOnlyPostgresFactory(PostgresFactory):
    """The library's factory, whose pool opens every connection with
    `default_transaction_read_only` on: set before the pool opens any, so
    that no connection is ever made without it."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        kwargs["options"] = f"{kwargs.get('options', '')} {READ_ONLY_OPTION}".strip()


class ReadOnlyLog(Application[UUID]):
    """The war room's log, its tree and its evidence, that cannot write.

    `evidence` is a `VerifiableLog` like `WarRoom.evidence` (heads, proofs,
    `verify`); `repository` reads aggregates. Nothing here saves."""

    name = "WarRoom"  # the same tables as the war room's own application

    def __init__(self, database: Database) -> None:
        super().__init__(env=read_only_env(database))
        self.database = database
        self.recorder.mapper = self.mapper  # type: ignore[attr-defined]
        self.evidence = VerifiableLog(self.recorder, self.mapper)

    def save(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("the log was opened read-only")
