"""What the war room keeps beside the event log, in the same database.

- Document contents, addressed by their SHA-256, so that what was released can
  be handed over again byte for byte.
- The read models' saved state, written in one transaction with the library's
  tracking record of the last event it includes: a crash between the two
  cannot happen, so a restart neither skips nor applies an event twice.

Both backends extend the library's own tracking recorders, so they share its
connection pool and its tracking table.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from warroom.config import Database


class WarRoomStore(Protocol):
    def put_document(self, sha256: str, content: bytes) -> None: ...

    def get_document(self, sha256: str) -> bytes | None: ...

    def save_views(self, state: bytes, tracking: Tracking) -> None: ...

    def load_views(self, application_name: str) -> tuple[int, bytes] | None: ...

    def reset_views(self, application_name: str) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def position_of(
        self, events_table: str, originator_id: UUID, version: int
    ) -> int: ...


class SQLiteWarRoomStore(SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS warroom_documents ("
            "sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content BLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS warroom_views ("
            "application_name TEXT PRIMARY KEY, position INTEGER NOT NULL, "
            "state BLOB NOT NULL)",
        ]

    def put_document(self, sha256: str, content: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "INSERT INTO warroom_documents VALUES (?, ?, ?) "
                "ON CONFLICT (sha256) DO NOTHING",
                (sha256, len(content), content),
            )

    def get_document(self, sha256: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT content FROM warroom_documents WHERE sha256=?", (sha256,))
            row = c.fetchone()
            return bytes(row[0]) if row else None

    def save_views(self, state: bytes, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            c.execute(
                "INSERT INTO warroom_views VALUES (?, ?, ?) "
                "ON CONFLICT (application_name) DO UPDATE "
                "SET position=excluded.position, state=excluded.state",
                (tracking.application_name, tracking.notification_id, state),
            )

    def load_views(self, application_name: str) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT position, state FROM warroom_views WHERE application_name=?",
                (application_name,),
            )
            row = c.fetchone()
            return (int(row[0]), bytes(row[1])) if row else None

    def position_of(self, events_table: str, originator_id: UUID, version: int) -> int:
        # The library's own table: its rowid is the event's log position.
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {events_table} "
                "WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            return int(c.fetchone()[0])

    def reset_views(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "DELETE FROM warroom_views WHERE application_name=?",
                (application_name,),
            )
            c.execute(
                "DELETE FROM tracking WHERE application_name=?", (application_name,)
            )


class PostgresWarRoomStore(PostgresTrackingRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.warroom_documents ("
                "sha256 text PRIMARY KEY, size bigint NOT NULL, content bytea NOT NULL)"
            ).format(schema),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.warroom_views ("
                "application_name text PRIMARY KEY, position bigint NOT NULL, "
                "state bytea NOT NULL)"
            ).format(schema),
        ]
        self._schema = schema

    def put_document(self, sha256: str, content: bytes) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {}.warroom_documents VALUES (%s, %s, %s) "
                    "ON CONFLICT (sha256) DO NOTHING"
                ).format(self._schema),
                (sha256, len(content), content),
            )

    def get_document(self, sha256: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT content FROM {}.warroom_documents WHERE sha256=%s").format(
                    self._schema
                ),
                (sha256,),
            )
            row = curs.fetchone()
            return bytes(row["content"]) if row else None

    def save_views(self, state: bytes, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(
                SQL(
                    "INSERT INTO {}.warroom_views VALUES (%s, %s, %s) "
                    "ON CONFLICT (application_name) DO UPDATE "
                    "SET position=excluded.position, state=excluded.state"
                ).format(self._schema),
                (tracking.application_name, tracking.notification_id, state),
            )

    def load_views(self, application_name: str) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT position, state FROM {}.warroom_views "
                    "WHERE application_name=%s"
                ).format(self._schema),
                (application_name,),
            )
            row = curs.fetchone()
            if row is None:
                return None
            return int(row["position"]), bytes(row["state"])

    def position_of(self, events_table: str, originator_id: UUID, version: int) -> int:
        # The library's own table: notification_id is the event's log position.
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id FROM {}.{} "
                    "WHERE originator_id=%s AND originator_version=%s"
                ).format(self._schema, Identifier(events_table)),
                (originator_id, version),
            )
            row = curs.fetchone()
            assert row is not None
            return int(row["notification_id"])

    def reset_views(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("DELETE FROM {}.warroom_views WHERE application_name=%s").format(
                    self._schema
                ),
                (application_name,),
            )
            curs.execute(
                SQL("DELETE FROM {}.{} WHERE application_name=%s").format(
                    self._schema, Identifier(self.tracking_table_name)
                ),
                (application_name,),
            )


def open_store(factory: InfrastructureFactory[Any], database: Database) -> WarRoomStore:
    """The store, on the application's own factory: one connection pool."""
    store_class: type[Any] = (
        SQLiteWarRoomStore if database.kind == "sqlite" else PostgresWarRoomStore
    )
    store: WarRoomStore = factory.tracking_recorder(store_class)
    return store
