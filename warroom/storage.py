"""What the war room keeps beside the event log, in the same database.

- Document contents, addressed by their SHA-256, so that what was released can
  be handed over again byte for byte. They are written in the same
  transaction as the events of the command that names them (see
  `SavedAlongside`): a refused or conflicting command stores no bytes, and no
  event names bytes the store lacks.
- The read models' saved state, written in one transaction with the library's
  tracking record of the last event it includes: a crash between the two
  cannot happen, so a restart neither skips nor applies an event twice. The
  global part is one row (`warroom_views`), each inspection's models another
  (`warroom_inspection_views`, only those that changed are written).
- The index of each inspection's events (`warroom.event_index`), written
  with the events.
- The Merkle trees, one per organisation (`warroom.evidence.tree`), written
  with the events: each save's `trees` keyword names each event's tree
  (`trees_of`), and tables made before trees were per organisation are
  migrated into the first organisation's when the tables are made.

With `WARROOM_CIPHER_KEY` both are stored encrypted (`AtRest`), with the same
AES cipher the library encrypts the events' payloads with.

Both backends extend the library's own recorders, so they share its
connection pool, its tracking table and its transactions.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    Cipher,
    InfrastructureFactory,
    Mapper,
    Notification,
    PersistenceError,
    StoredEvent,
    Tracking,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteTrackingRecorder,
)
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from warroom import guards
from warroom.config import Database
from warroom.event_index import EventIndex
from warroom.evidence.tree import FIRST, Tree
from warroom.pipeline import FlushedConnection


@dataclass(frozen=True)
class Document:
    """A document's exact bytes, addressed by their SHA-256."""

    sha256: str
    content: bytes


class Unreadable(Exception):
    """Stored bytes this process cannot read: a wrong or missing cipher key."""


@dataclass(frozen=True)
class AtRest:
    """Encrypts what is stored beside the log, with the log's own cipher.

    AES-GCM authenticates what it decrypts, and a document is checked against
    its SHA-256: a wrong key, no key, or a key where none was used is an
    `Unreadable` error naming the cause, never wrong bytes handed out.
    """

    cipher: Cipher | None = None

    def encrypt(self, content: bytes) -> bytes:
        return self.cipher.encrypt(content) if self.cipher else content

    def decrypt(self, stored: bytes, what: str) -> bytes:
        if self.cipher is None:
            return stored
        try:
            return self.cipher.decrypt(stored)
        except ValueError:
            raise Unreadable(f"{what} {WRONG_KEY}") from None

    def decrypt_document(self, sha256: str, stored: bytes) -> bytes:
        content = self.decrypt(stored, f"document {sha256}")
        if hashlib.sha256(content).hexdigest() != sha256:
            cause = WRONG_KEY if self.cipher is None else "was altered where stored"
            raise Unreadable(f"document {sha256} {cause}")
        return content


WRONG_KEY = (
    "cannot be read with this WARROOM_CIPHER_KEY: the key is wrong, "
    "or missing (the database was stored encrypted), "
    "or set for a database stored without one"
)


# --- rows saved in the same transaction as the events ------------------------
#
# The extension point. `WarRoom.save_and_position(*aggregates, documents=...)`
# passes its keyword arguments to the library's `Application.save`, which
# hands them on to `recorder.insert_events(stored_events, **kwargs)` and so to
# `_insert_events(cursor, stored_events, **kwargs)`, inside the transaction
# that appends the events. The recorders below (chosen through the library's
# APPLICATION_RECORDER_TOPIC, see `application_recorder_env`) write each
# keyword's rows there: they are stored exactly when the events are. To save
# something new with the events (the Merkle tree's leaves, an index of an
# inspection's events), add a keyword to `SavedAlongside`, its table to
# `_ALONGSIDE_TABLES` and its insert to both recorders' `_insert_alongside`.
# Rows that need the events' positions belong after the events' insert: on
# SQLite `_insert_events` has them (the rowids); on PostgreSQL override
# `_fetch_ids_after_insert_events`, which runs in the same transaction.


# An import's batch: events, their positions, and documents (either may be
# empty), and the leaf index from which the leaves are of version 2 (None:
# none is; `warroom.evidence.leaf`); and what is checked in the same
# transaction before it commits.
Batch = tuple[Sequence[StoredEvent], Sequence[int], Sequence[Document], int | None]
Check = Callable[[Any], None]


@dataclass(frozen=True)
class SavedAlongside:
    """The rows one save writes beside its events, from the save's keywords."""

    documents: Sequence[Document] = ()
    # Checked, not written: see `warroom.guards` (after the events' insert).
    guards: Sequence[guards.Unchanged] = ()

    @classmethod
    def of(cls, kwargs: dict[str, Any]) -> SavedAlongside:
        return cls(
            documents=tuple(kwargs.get("documents", ())),
            guards=tuple(kwargs.get("guards", ())),
        )


class IndexedEvents:
    """Reading one inspection's events through the index (`warroom.event_index`)."""

    index: EventIndex
    datastore: Any
    mapper: Mapper[Any]

    def select_indexed(
        self, key: str, after: int, upto: int | None, limit: int
    ) -> list[Notification]:
        """The stored events under `key` (an inspection's id, or the global
        part's `GLOBAL`) after `after`, up to `upto`, oldest first."""
        with self.datastore.transaction(commit=False) as c:
            return self.index.events(c, key, after, upto, limit)

    def indexed_positions(
        self, key: str, after: int, upto: int | None, limit: int
    ) -> list[int]:
        with self.datastore.transaction(commit=False) as c:
            return self.index.positions(c, key, after, upto, limit)

    def last_at_or_before(self, position: int) -> Notification | None:
        """The log's last stored event at or before `position`."""
        with self.datastore.transaction(commit=False) as c:
            return self.index.last_at_or_before(c, position)

    def backfill_index(self, log_head: int) -> int:
        """Indexes the events stored before the index was kept (on start)."""
        return self.index.backfill(self.datastore, self.mapper, log_head)


def indexed(recorder: object) -> IndexedEvents:
    """The application's recorder, as the reader of its index."""
    assert isinstance(recorder, IndexedEvents), "the war room's recorders index"
    return recorder


class SQLiteWarRoomRecorder(IndexedEvents, SQLiteApplicationRecorder):
    """The library's recorder, writing `SavedAlongside` rows in the same transaction.

    And the Merkle tree's leaves (`warroom.evidence.tree`), after the events'
    insert, under SQLite's write lock: `mapper` (the application's, set by
    `WarRoom`) turns the stored events into leaves.
    """

    mapper: Mapper[Any]
    at_rest = AtRest()  # the application's, set by `WarRoom`

    def __init__(
        self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"
    ) -> None:
        # Before the library's __init__, which asks for the create statements.
        self.tree = Tree(kind="sqlite", events_table=events_table_name)
        self.index = EventIndex(kind="sqlite", events_table=events_table_name)
        super().__init__(datastore, events_table_name)

    def create_table(self) -> None:
        # Trees from before each organisation had its own become the first's.
        # Two processes opening an old file at once: the one that finds it
        # migrated meanwhile (its read went stale, or the new table is there)
        # looks again.
        for attempt in range(MIGRATION_TRIES):
            try:
                with self.datastore.transaction(commit=True) as c:
                    self.tree.migrate(c)
                break
            except (sqlite3.OperationalError, PersistenceError):
                if attempt == MIGRATION_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        super().create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            SQLITE_DOCUMENTS_TABLE,
            *self.tree.create_statements,
            *self.index.create_statements,
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        prepared = self.tree.prepare(self.mapper, stored_events)  # before any write
        self._insert_alongside(c, SavedAlongside.of(kwargs))
        imported = kwargs.get("positions")
        positions = (
            self._insert_at(c, stored_events, imported)
            if imported is not None
            else super()._insert_events(c, stored_events, **kwargs)
        )
        if positions:
            trees = trees_of(kwargs, len(stored_events))
            self.tree.append(
                c,
                self.mapper,
                positions,
                stored_events,
                trees,
                None,
                prepared,
                v2_from_of(kwargs),
            )
            self.index.add(c, self.mapper, positions, stored_events)
        # Under SQLite's write lock, before the commit (raising rolls back).
        guards.sqlite_check(c, self.events_table_name, SavedAlongside.of(kwargs).guards)
        return positions

    def insert_batches(self, batches: Iterable[Batch], check: Check) -> None:
        """An import's batches (`warroom.archive`), as `insert_events` stores
        one, all in one transaction; `check(cursor)` last: raising, it stores
        nothing."""
        with self.datastore.transaction(commit=True) as c:
            for stored_events, positions, documents, v2_from in batches:
                kwargs = {
                    "positions": positions,
                    "documents": documents,
                    "trees": [FIRST] * len(stored_events),  # an empty database's
                    "v2_from": v2_from,
                }
                self._insert_events(c, stored_events, **kwargs)
            check(c)

    def _insert_at(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], at: Sequence[int]
    ) -> Sequence[int]:
        # An import (`warroom.archive`): each event at its original position.
        c.executemany(
            f"INSERT INTO {self.events_table_name} "
            "(rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (p, _id_text(s.originator_id), s.originator_version, s.topic, s.state)
                for p, s in zip(at, stored_events, strict=True)
            ],
        )
        return list(at)

    def _insert_alongside(self, c: SQLiteCursor, rows: SavedAlongside) -> None:
        for document in rows.documents:
            c.execute(SQLITE_INSERT_DOCUMENT, _document_row(document, self.at_rest))


MIGRATION_TRIES = 5

# One advisory lock key for every schema of a database: tables are made
# rarely and quickly, so schemas need not have a key each.
TABLES_LOCK = 0x7761_7272  # "warr"


class TablesMadeOneAtATime:
    """PostgreSQL tables made by one process at a time.

    Servers started together on a new database (`docker compose up` with
    several replicas) each make their tables with `CREATE ... IF NOT EXISTS`,
    and two such statements meeting in PostgreSQL's catalogue fail one of them
    ("tuple concurrently updated", or a unique violation on `pg_type`): a
    session-level advisory lock, held on a connection of its own, makes the
    others wait until the first has made them, then find them made.
    """

    datastore: PostgresDatastore

    def create_table(self) -> None:
        with self.datastore.get_connection() as lock:
            lock.execute("SELECT pg_advisory_lock(%s)", (TABLES_LOCK,))
            try:
                self.before_tables()
                super().create_table()  # type: ignore[misc]
            finally:
                lock.execute("SELECT pg_advisory_unlock(%s)", (TABLES_LOCK,))

    def before_tables(self) -> None:
        """What changes tables made by an older version (under the lock)."""


class PostgresWarRoomRecorder(
    TablesMadeOneAtATime, IndexedEvents, PostgresApplicationRecorder
):
    """The library's recorder, writing `SavedAlongside` rows in the same transaction.

    And the Merkle tree's leaves, as `SQLiteWarRoomRecorder` does.
    """

    mapper: Mapper[Any]
    at_rest = AtRest()  # the application's, set by `WarRoom`

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        # Before the library's constructor, which opens the pool: every
        # connection it ever makes is then made never to prepare.
        without_auto_prepare(datastore)
        super().__init__(datastore, events_table_name=events_table_name)
        # The library's database function (POSTGRES_ENABLE_DB_FUNCTIONS) would
        # append the events without calling `_insert_events`: never use it.
        assert not datastore.enable_db_functions, "the rows beside would be lost"
        schema = Identifier(datastore.schema)
        self.sql_create_statements.append(postgres_documents_table(schema))
        self._insert_document = POSTGRES_INSERT_DOCUMENT.format(schema)
        self.tree = Tree(
            kind="postgresql",
            schema=datastore.schema,
            events_table=self.events_table_name,
        )
        self.index = EventIndex(
            kind="postgresql",
            schema=datastore.schema,
            events_table=self.events_table_name,
        )
        self.sql_create_statements += [
            SQL(s).format()
            for s in (*self.tree.create_statements, *self.index.create_statements)
        ]
        self._head_query = threading.local()
        self._guard_check = guards.postgres_check(
            datastore.schema, self.events_table_name
        )

    def before_tables(self) -> None:
        # Trees from before each organisation had its own become the first's.
        with self.datastore.transaction(commit=True) as c:
            self.tree.migrate(c)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # Never a prepared statement in an append's pipeline (see
        # `without_auto_prepare`), whenever the pool opened this connection:
        # a server was seen with connections opened before the pool was told.
        curs.connection.prepare_threshold = None
        # Runs in the events' transaction, before the events' table is locked:
        # a large document's bytes do not hold up other commands' appends,
        # nor does decoding the events for the tree's leaves.
        prepared = self.tree.prepare(self.mapper, stored_events)
        self._head_query.prepared = (stored_events, prepared)
        self._insert_alongside(curs, SavedAlongside.of(kwargs))
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_alongside(self, curs: Cursor[DictRow], rows: SavedAlongside) -> None:
        for document in rows.documents:
            curs.execute(self._insert_document, _document_row(document, self.at_rest))

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        imported = kwargs.get("positions")
        if imported is None:
            super()._insert_stored_events(curs, stored_events, **kwargs)
        else:
            self._insert_at(curs, stored_events, imported)
        # In the same pipeline as the insert, after the library's EXCLUSIVE
        # lock on the events' table: the tree's head comes back with the
        # events' positions, at no extra round trip, and no other append can
        # take the next leaf index until this transaction ends.
        trees = trees_of(kwargs, len(stored_events))
        head = curs.connection.cursor()
        head.execute(self.tree.select_heads, (list(dict.fromkeys(trees)),))
        self._head_query.cursor = head
        self._head_query.trees = trees
        # After the lock and the insert, in the same pipeline: a failed guard
        # aborts the transaction (`warroom.guards`), at no extra round trip.
        checked = SavedAlongside.of(kwargs).guards
        if checked:
            curs.connection.cursor().execute(
                self._guard_check, guards.postgres_params(checked)
            )

    def insert_batches(self, batches: Iterable[Batch], check: Check) -> None:
        """An import's batches, as `SQLiteWarRoomRecorder.insert_batches`."""
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            for stored_events, positions, documents, v2_from in batches:
                trees = [FIRST] * len(stored_events)  # into an empty database
                self._insert_alongside(curs, SavedAlongside(documents))
                if stored_events:
                    kwargs: dict[str, Any] = {
                        "positions": positions,
                        "trees": trees,
                        "v2_from": v2_from,
                    }
                    self._insert_stored_events(curs, stored_events, **kwargs)
                    self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            check(curs)

    def _insert_at(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        at: Sequence[int],
    ) -> None:
        # An import (`warroom.archive`): each event at its original position,
        # the sequence moved past them first (this statement's RETURNING is
        # what the library reads the positions from, so it must come last).
        self._lock_table(curs)
        self._notify_channel(curs)
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        curs.execute(
            SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
            (f'"{self.datastore.schema}"."{self.events_table_name}"', max(at)),
        )
        curs.execute(
            SQL(
                "INSERT INTO {} "
                "(notification_id, originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(%s::bigint[], %s::{}[], %s::bigint[], "
                "%s::text[], %s::bytea[]) RETURNING notification_id"
            ).format(table, Identifier(self.datastore.originator_id_type)),
            (
                list(at),
                [s.originator_id for s in stored_events],
                [s.originator_version for s in stored_events],
                [s.topic for s in stored_events],
                [s.state for s in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(
            curs, stored_events, **kwargs
        )
        with self._head_query.cursor as head:
            rows = head.fetchall()
        trees = self._head_query.trees
        if positions:  # the trees' rows go with the commit's own round trip
            heads = self.tree.heads_of(rows, list(dict.fromkeys(trees)))
            made_for, prepared = getattr(self._head_query, "prepared", (None, None))
            if made_for is not stored_events:  # an import's batch: made here
                prepared = None
            self.tree.append(
                curs,
                self.mapper,
                positions,
                stored_events,
                trees,
                heads,
                prepared,
                v2_from_of(kwargs),
            )
            self.index.add(curs, self.mapper, positions, stored_events)
        self._head_query.prepared = (None, None)
        return positions


def v2_from_of(kwargs: dict[str, Any]) -> int | None:
    """The leaf index from which a save's leaves are of version 2
    (`warroom.evidence.leaf`): every new leaf's (0), but an import's, which
    keeps the versions of the leaves it was exported with."""
    found = kwargs.get("v2_from", 0)
    return None if found is None else int(found)


def trees_of(kwargs: dict[str, Any], count: int) -> list[str]:
    """The tree each of a save's events joins (`warroom.evidence.tree`): the
    save's `trees`, one key per event; a save that names none (only the
    library's own calls, and tests) is the first organisation's."""
    trees = list(kwargs.get("trees") or [FIRST] * count)
    if len(trees) != count:
        raise ValueError(f"{len(trees)} trees named for {count} events")
    return trees


def without_auto_prepare(datastore: PostgresDatastore) -> None:
    """Connections that never prepare statements on their own.

    psycopg prepares a statement once it has run five times, or at once when
    asked (the library asks for its appends' LOCK and INSERT, its tracking
    record's INSERT, and every `executemany`). In pipeline mode (the
    library's appends, the group commit's batches) a statement queued after
    one that failed, say a unique violation on a conflicting command's
    event, is skipped by the server, yet psycopg still counts it as prepared:
    the next save on that pooled connection then fails with `prepared
    statement "_pg3_N" does not exist` (seen in CI, a 500 for a command that
    should have been saved one by one after its batch's conflict). Our
    statements are cheap to plan; correctness first.

    Call it before the pool is first opened (the library's recorder opens it
    in its constructor): the pool's workers open its first connections at
    once, each with the settings of that moment, and one opened while the
    pool was drained of the others kept prepare_threshold 5 (seen in 15 of 20
    fresh servers; the library's tracking INSERT at table creation was then
    prepared as `_pg3_0`). A pool opened already is drained, as before.
    """
    pool = datastore.pool
    # And their pipelines send all they hold before waiting for results
    # (`warroom.pipeline`: a 50,000-row append hung in `Pipeline.sync`).
    pool.connection_class = FlushedConnection
    if isinstance(pool.kwargs, dict) and "prepare_threshold" not in pool.kwargs:
        pool.kwargs["prepare_threshold"] = None
        if not pool.closed:
            # Connections the pool opened already are replaced by new ones
            # made with the setting.
            pool.drain()


def application_recorder_env(kind: str) -> dict[str, str]:
    """The library's setting that makes its factory build our recorder."""
    recorder = SQLiteWarRoomRecorder if kind == "sqlite" else PostgresWarRoomRecorder
    return {"APPLICATION_RECORDER_TOPIC": get_topic(recorder)}


def _id_text(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


def _document_row(document: Document, at_rest: AtRest) -> tuple[str, int, bytes]:
    return (document.sha256, len(document.content), at_rest.encrypt(document.content))


# The same bytes attached twice are stored once.
SQLITE_DOCUMENTS_TABLE = (
    "CREATE TABLE IF NOT EXISTS warroom_documents ("
    "sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, content BLOB NOT NULL)"
)
SQLITE_INSERT_DOCUMENT = (
    "INSERT INTO warroom_documents VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING"
)
POSTGRES_INSERT_DOCUMENT = SQL(
    "INSERT INTO {}.warroom_documents VALUES (%s, %s, %s) "
    "ON CONFLICT (sha256) DO NOTHING"
)


def postgres_documents_table(schema: Identifier) -> Composed:
    return SQL(
        "CREATE TABLE IF NOT EXISTS {}.warroom_documents ("
        "sha256 text PRIMARY KEY, size bigint NOT NULL, content bytea NOT NULL)"
    ).format(schema)


# --- the store beside the log ------------------------------------------------


@dataclass(frozen=True)
class SavedInspection:
    """One inspection's read models as saved, as of its last event folded in."""

    inspection_id: str
    position: int
    state: bytes


# One row per inspection; a row is only replaced by a later one (two server
# processes may save the same inspection, each as far as it had folded).
SQLITE_INSPECTION_VIEWS_TABLE = (
    "CREATE TABLE IF NOT EXISTS warroom_inspection_views ("
    "application_name TEXT NOT NULL, inspection_id TEXT NOT NULL, "
    "position INTEGER NOT NULL, state BLOB NOT NULL, "
    "PRIMARY KEY (application_name, inspection_id))"
)
SQLITE_SAVE_INSPECTION = (
    "INSERT INTO warroom_inspection_views VALUES (?, ?, ?, ?) "
    "ON CONFLICT (application_name, inspection_id) DO UPDATE "
    "SET position=excluded.position, state=excluded.state "
    "WHERE excluded.position >= warroom_inspection_views.position"
)


class WarRoomStore(Protocol):
    at_rest: AtRest

    def put_document(self, sha256: str, content: bytes) -> None: ...

    def get_document(self, sha256: str) -> bytes | None: ...

    def documents_held(self) -> int: ...

    def each_document(self) -> Iterator[tuple[str, bytes]]: ...

    def save_views(
        self,
        state: bytes,
        tracking: Tracking,
        inspections: Sequence[SavedInspection] = (),
    ) -> None: ...

    def load_views(self, application_name: str) -> tuple[int, bytes] | None: ...

    def load_inspection_views(
        self, application_name: str, inspection_id: str
    ) -> tuple[int, bytes] | None: ...

    def save_inspection_views(
        self, application_name: str, inspections: Sequence[SavedInspection]
    ) -> None: ...

    def reset_views(self, application_name: str) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...

    def insert_tracking(self, tracking: Tracking) -> None: ...

    def position_of(
        self, events_table: str, originator_id: UUID, version: int
    ) -> int: ...

    def position_before(
        self, events_table: str, originator_id: UUID, version: int
    ) -> int: ...


class SQLiteWarRoomStore(SQLiteTrackingRecorder):
    at_rest = AtRest()  # the application's, set by `open_store`

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            SQLITE_DOCUMENTS_TABLE,
            "CREATE TABLE IF NOT EXISTS warroom_views ("
            "application_name TEXT PRIMARY KEY, position INTEGER NOT NULL, "
            "state BLOB NOT NULL)",
            SQLITE_INSPECTION_VIEWS_TABLE,
        ]

    def put_document(self, sha256: str, content: bytes) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                SQLITE_INSERT_DOCUMENT,
                (sha256, len(content), self.at_rest.encrypt(content)),
            )

    def get_document(self, sha256: str) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT content FROM warroom_documents WHERE sha256=?", (sha256,))
            row = c.fetchone()
        return self.at_rest.decrypt_document(sha256, bytes(row[0])) if row else None

    def documents_held(self) -> int:
        """How many distinct documents the store holds."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT COUNT(*) FROM warroom_documents")
            return int(c.fetchone()[0])

    def each_document(self) -> Iterator[tuple[str, bytes]]:
        """Every stored document, (sha256, content), in order of sha256."""
        after = ""
        while True:
            with self.datastore.transaction(commit=False) as c:
                c.execute(
                    "SELECT sha256, content FROM warroom_documents "
                    "WHERE sha256 > ? ORDER BY sha256 LIMIT 16",
                    (after,),
                )
                rows = [(str(r[0]), bytes(r[1])) for r in c.fetchall()]
            if not rows:
                return
            for sha256, stored in rows:
                yield sha256, self.at_rest.decrypt_document(sha256, stored)
            after = rows[-1][0]

    def save_views(
        self,
        state: bytes,
        tracking: Tracking,
        inspections: Sequence[SavedInspection] = (),
    ) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)
            c.execute(
                "INSERT INTO warroom_views VALUES (?, ?, ?) "
                "ON CONFLICT (application_name) DO UPDATE "
                "SET position=excluded.position, state=excluded.state",
                (
                    tracking.application_name,
                    tracking.notification_id,
                    self.at_rest.encrypt(state),
                ),
            )
            self._save_inspections(c, tracking.application_name, inspections)

    def save_inspection_views(
        self, application_name: str, inspections: Sequence[SavedInspection]
    ) -> None:
        """Inspections' rows alone: each is right as of its own position."""
        with self.datastore.transaction(commit=True) as c:
            self._save_inspections(c, application_name, inspections)

    def _save_inspections(
        self, c: SQLiteCursor, name: str, inspections: Sequence[SavedInspection]
    ) -> None:
        if inspections:
            c.executemany(
                SQLITE_SAVE_INSPECTION,
                [
                    (name, i.inspection_id, i.position, self.at_rest.encrypt(i.state))
                    for i in inspections
                ],
            )

    def load_inspection_views(
        self, application_name: str, inspection_id: str
    ) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT position, state FROM warroom_inspection_views "
                "WHERE application_name=? AND inspection_id=?",
                (application_name, inspection_id),
            )
            row = c.fetchone()
        if row is None:
            return None
        what = f"the saved read models of inspection {inspection_id}"
        return int(row[0]), self.at_rest.decrypt(bytes(row[1]), what)

    def load_views(self, application_name: str) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT position, state FROM warroom_views WHERE application_name=?",
                (application_name,),
            )
            row = c.fetchone()
        if row is None:
            return None
        return int(row[0]), self.at_rest.decrypt(bytes(row[1]), "the saved read models")

    def position_of(self, events_table: str, originator_id: UUID, version: int) -> int:
        # The library's own table: its rowid is the event's log position.
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid FROM {events_table} "
                "WHERE originator_id=? AND originator_version=?",
                (originator_id.hex, version),
            )
            return int(c.fetchone()[0])

    def position_before(
        self, events_table: str, originator_id: UUID, version: int
    ) -> int:
        # Not "minus one": the number before an event need not be the event
        # before it (PostgreSQL skips numbers), so ask for the one before.
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT MAX(rowid) FROM {events_table} WHERE rowid < ("
                f"SELECT rowid FROM {events_table} "
                "WHERE originator_id=? AND originator_version=?)",
                (originator_id.hex, version),
            )
            return int(c.fetchone()[0] or 0)

    def reset_views(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "DELETE FROM warroom_views WHERE application_name=?",
                (application_name,),
            )
            c.execute(
                "DELETE FROM warroom_inspection_views WHERE application_name=?",
                (application_name,),
            )
            c.execute(
                "DELETE FROM tracking WHERE application_name=?", (application_name,)
            )


class PostgresWarRoomStore(TablesMadeOneAtATime, PostgresTrackingRecorder):
    at_rest = AtRest()  # the application's, set by `open_store`

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        without_auto_prepare(self.datastore)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements += [
            postgres_documents_table(schema),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.warroom_views ("
                "application_name text PRIMARY KEY, position bigint NOT NULL, "
                "state bytea NOT NULL)"
            ).format(schema),
            SQL(
                "CREATE TABLE IF NOT EXISTS {}.warroom_inspection_views ("
                "application_name text NOT NULL, inspection_id text NOT NULL, "
                "position bigint NOT NULL, state bytea NOT NULL, "
                "PRIMARY KEY (application_name, inspection_id))"
            ).format(schema),
        ]
        self._schema = schema

    def put_document(self, sha256: str, content: bytes) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                POSTGRES_INSERT_DOCUMENT.format(self._schema),
                (sha256, len(content), self.at_rest.encrypt(content)),
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
        if row is None:
            return None
        return self.at_rest.decrypt_document(sha256, bytes(row["content"]))

    def documents_held(self) -> int:
        """How many distinct documents the store holds."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT COUNT(*) AS held FROM {}.warroom_documents").format(
                    self._schema
                )
            )
            row = curs.fetchone()
            return int(row["held"]) if row else 0

    def each_document(self) -> Iterator[tuple[str, bytes]]:
        """Every stored document, (sha256, content), in order of sha256."""
        after = ""
        while True:
            with self.datastore.transaction(commit=False) as curs:
                curs.execute(
                    SQL(
                        "SELECT sha256, content FROM {}.warroom_documents "
                        "WHERE sha256 > %s ORDER BY sha256 LIMIT 16"
                    ).format(self._schema),
                    (after,),
                )
                rows = [(str(r["sha256"]), bytes(r["content"])) for r in curs]
            if not rows:
                return
            for sha256, stored in rows:
                yield sha256, self.at_rest.decrypt_document(sha256, stored)
            after = rows[-1][0]

    def save_views(
        self,
        state: bytes,
        tracking: Tracking,
        inspections: Sequence[SavedInspection] = (),
    ) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)
            curs.execute(
                SQL(
                    "INSERT INTO {}.warroom_views VALUES (%s, %s, %s) "
                    "ON CONFLICT (application_name) DO UPDATE "
                    "SET position=excluded.position, state=excluded.state"
                ).format(self._schema),
                (
                    tracking.application_name,
                    tracking.notification_id,
                    self.at_rest.encrypt(state),
                ),
            )
            self._save_inspections(curs, tracking.application_name, inspections)

    def save_inspection_views(
        self, application_name: str, inspections: Sequence[SavedInspection]
    ) -> None:
        """Inspections' rows alone: each is right as of its own position."""
        with self.datastore.transaction(commit=True) as curs:
            self._save_inspections(curs, application_name, inspections)

    def _save_inspections(
        self,
        curs: Cursor[DictRow],
        name: str,
        inspections: Sequence[SavedInspection],
    ) -> None:
        if inspections:
            curs.executemany(
                SQL(
                    "INSERT INTO {0}.warroom_inspection_views "
                    "VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (application_name, inspection_id) DO UPDATE "
                    "SET position=excluded.position, state=excluded.state "
                    "WHERE excluded.position >= "
                    "{0}.warroom_inspection_views.position"
                ).format(self._schema),
                [
                    (name, i.inspection_id, i.position, self.at_rest.encrypt(i.state))
                    for i in inspections
                ],
            )

    def load_inspection_views(
        self, application_name: str, inspection_id: str
    ) -> tuple[int, bytes] | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT position, state FROM {}.warroom_inspection_views "
                    "WHERE application_name=%s AND inspection_id=%s"
                ).format(self._schema),
                (application_name, inspection_id),
            )
            row = curs.fetchone()
        if row is None:
            return None
        what = f"the saved read models of inspection {inspection_id}"
        return int(row["position"]), self.at_rest.decrypt(bytes(row["state"]), what)

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
        return int(row["position"]), self.at_rest.decrypt(
            bytes(row["state"]), "the saved read models"
        )

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

    def position_before(
        self, events_table: str, originator_id: UUID, version: int
    ) -> int:
        # PostgreSQL skips numbers: the event before is not at "minus one".
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT MAX(notification_id) AS before FROM {0}.{1} "
                    "WHERE notification_id < (SELECT notification_id FROM {0}.{1} "
                    "WHERE originator_id=%s AND originator_version=%s)"
                ).format(self._schema, Identifier(events_table)),
                (originator_id, version),
            )
            row = curs.fetchone()
            return int(row["before"] or 0) if row else 0

    def reset_views(self, application_name: str) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL("DELETE FROM {}.warroom_views WHERE application_name=%s").format(
                    self._schema
                ),
                (application_name,),
            )
            curs.execute(
                SQL(
                    "DELETE FROM {}.warroom_inspection_views WHERE application_name=%s"
                ).format(self._schema),
                (application_name,),
            )
            curs.execute(
                SQL("DELETE FROM {}.{} WHERE application_name=%s").format(
                    self._schema, Identifier(self.tracking_table_name)
                ),
                (application_name,),
            )


def open_store(
    factory: InfrastructureFactory[Any], database: Database, at_rest: AtRest
) -> WarRoomStore:
    """The store, on the application's own factory: one connection pool."""
    store_class: type[Any] = (
        SQLiteWarRoomStore if database.kind == "sqlite" else PostgresWarRoomStore
    )
    store: WarRoomStore = factory.tracking_recorder(store_class)
    store.at_rest = at_rest
    return store
