"""An index of each inspection's events: (key, position), beside the log.

Without it, finding one inspection's events means reading everyone's: every
`/events` page, stream catch-up, audit replay and blog read cost as much as
the whole log between two positions, whatever else the database holds
(issue 14). With it they read only their own rows.

- `warroom_event_index` (key, position): one row per event of an inspection
  (key: the inspection's id), and one per event the read models' global part
  folds (`GLOBAL_TYPES`, key `GLOBAL`): users and organisations, so that a
  past view of one inspection can know who was who then without the log.
  The server's own bookkeeping (tokens, idempotency records) is not indexed.
- `warroom_event_index_head` (one row): every event at or below this
  position has its rows. Moved on by each save, in its transaction.

Rows are written by the recorders (`warroom.storage`) inside the events'
transaction, after the events' insert (they need the positions): an event is
indexed exactly when it is stored, imports at their original positions too.
A database stored before the index existed is indexed on start (`backfill`):
the events above the head, in one transaction under the same lock appends
take, so two processes starting at once index them once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, StoredEvent

from warroom.decoding import logged_event
from warroom.logged import INTERNAL_TYPES

# The key of the events the read models keep for every inspection.
GLOBAL = ""
# The events the read models' global part folds (`projections.views.Views`).
GLOBAL_TYPES = frozenset({"UserAdded", "OrganisationAdded"})

# Rows read at a time while indexing an old log.
BACKFILL_PAGE = 5000
# An `upto` beyond any position.
END = 2**62


class Cursor(Protocol):
    def execute(self, statement: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, statement: Any, params: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


def key_of(event_type: str, inspection_id: str) -> str | None:
    """Under which key an event is indexed; None: not at all."""
    if event_type in GLOBAL_TYPES:
        return GLOBAL
    if event_type in INTERNAL_TYPES or not inspection_id:
        return None
    return inspection_id


class EventIndex:
    """SQL for one database: `?` and bare names on SQLite, `%s` and the
    schema's names on PostgreSQL."""

    def __init__(self, *, kind: str, schema: str = "", events_table: str) -> None:
        self.kind = kind
        postgres = kind == "postgresql"
        p = "%s" if postgres else "?"
        q = f'"{schema}".' if postgres else ""
        big = "bigint" if postgres else "INTEGER"
        self.events_table = f'{q}"{events_table}"'
        self.position_column = "notification_id" if postgres else "rowid"
        self.table, self.head_table = (
            f"{q}warroom_event_index",
            f"{q}warroom_event_index_head",
        )
        without_rowid = "" if postgres else " WITHOUT ROWID"
        self.create_statements = [
            f"CREATE TABLE IF NOT EXISTS {self.table} (key text NOT NULL, "
            f"position {big} NOT NULL, PRIMARY KEY (key, position))" + without_rowid,
            f"CREATE TABLE IF NOT EXISTS {self.head_table} (id {big} PRIMARY KEY, "
            f"position {big} NOT NULL)",
            f"INSERT INTO {self.head_table} VALUES (1, 0) ON CONFLICT DO NOTHING",
        ]
        greatest = "GREATEST" if postgres else "MAX"
        self._insert = (
            f"INSERT INTO {self.table} VALUES ({p}, {p}) ON CONFLICT DO NOTHING"
        )
        self._move_head = (
            f"UPDATE {self.head_table} SET position={greatest}(position, {p})"
        )
        # PostgreSQL: a save's rows and the head in one statement.
        self._add_in_one = (
            f"WITH rows AS (INSERT INTO {self.table} SELECT * FROM "
            "unnest(%s::text[], %s::bigint[]) ON CONFLICT DO NOTHING) "
            f"UPDATE {self.head_table} SET position=GREATEST(position, %s)"
        )
        self.select_head = f"SELECT position FROM {self.head_table}"
        column = self.position_column
        self._select = (
            f"SELECT e.{column} AS position, e.originator_id, e.originator_version, "
            f"e.topic, e.state FROM {self.table} i JOIN {self.events_table} e "
            f"ON e.{column} = i.position WHERE i.key = {p} AND i.position > {p} "
            f"AND i.position <= {p} ORDER BY i.position LIMIT {p}"
        )
        self._select_positions = (
            f"SELECT position FROM {self.table} WHERE key = {p} AND position > {p} "
            f"AND position <= {p} ORDER BY position LIMIT {p}"
        )
        self._last_at_or_before = (
            f"SELECT {column} AS position, originator_id, originator_version, "
            f"topic, state FROM {self.events_table} WHERE {column} <= {p} "
            f"ORDER BY {column} DESC LIMIT 1"
        )
        self._events_after = (
            f"SELECT {column} AS position, originator_id, originator_version, "
            f"topic, state FROM {self.events_table} WHERE {column} > {p} "
            f"ORDER BY {column} LIMIT {p}"
        )

    # --- writing, inside the events' transaction ------------------------------

    def add(
        self,
        c: Cursor,
        mapper: Mapper[Any],
        positions: Sequence[int],
        stored_events: Sequence[StoredEvent],
    ) -> None:
        """Indexes the events just inserted at these positions."""
        notifications = [
            Notification(
                id=position,
                originator_id=s.originator_id,
                originator_version=s.originator_version,
                topic=s.topic,
                state=s.state,
            )
            for position, s in zip(positions, stored_events, strict=True)
        ]
        self._add(c, mapper, notifications)

    def _add(
        self, c: Cursor, mapper: Mapper[Any], notifications: Sequence[Notification]
    ) -> None:
        rows = []
        for notification in notifications:
            event = logged_event(mapper, notification)
            key = key_of(event.type, event.inspection_id)
            if key is not None:
                rows.append((key, notification.id))
        if not notifications:
            return
        last = max(n.id for n in notifications)
        if self.kind == "postgresql":
            keys = [key for key, _ in rows]
            c.execute(self._add_in_one, (keys, [p for _, p in rows], last))
            return
        if rows:
            c.executemany(self._insert, rows)
        c.execute(self._move_head, (last,))

    # --- an old log joins the index ---------------------------------------------

    def head(self, c: Cursor) -> int:
        c.execute(self.select_head)
        row = c.fetchone()
        return int(row["position"]) if row else 0

    def backfill(self, datastore: Any, mapper: Mapper[Any], log_head: int) -> int:
        """Indexes the events above the index's head (stored before it was
        kept, or by a process that did not keep it); how many were read."""
        with datastore.transaction(commit=False) as c:
            if self.head(c) >= log_head:
                return 0  # the common start: nothing to do, and no lock taken
        read = 0
        with datastore.transaction(commit=True) as c:
            # The lock appends take: no event is stored while this runs, and
            # a second process starting at once waits, then finds it done.
            if self.kind == "postgresql":
                c.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE")
            else:  # take SQLite's write lock before reading the head
                c.execute(f"UPDATE {self.head_table} SET position=position")
            after = self.head(c)
            while True:
                c.execute(self._events_after, (after, BACKFILL_PAGE))
                page = [_notification(row) for row in c.fetchall()]
                if not page:
                    return read
                self._add(c, mapper, page)
                read += len(page)
                after = page[-1].id

    # --- reading ---------------------------------------------------------------

    def events(
        self, c: Cursor, key: str, after: int, upto: int | None, limit: int
    ) -> list[Notification]:
        """The stored events under `key` after `after`, up to `upto`, in order."""
        c.execute(self._select, (key, after, END if upto is None else upto, limit))
        return [_notification(row) for row in c.fetchall()]

    def last_at_or_before(self, c: Cursor, position: int) -> Notification | None:
        """The log's last event at or before a position (any key's, or none)."""
        c.execute(self._last_at_or_before, (position,))
        row = c.fetchone()
        return None if row is None else _notification(row)

    def positions(
        self, c: Cursor, key: str, after: int, upto: int | None, limit: int
    ) -> list[int]:
        c.execute(
            self._select_positions, (key, after, END if upto is None else upto, limit)
        )
        return [int(row["position"]) for row in c.fetchall()]


@lru_cache(maxsize=4096)
def _uuid(text: str) -> UUID:
    # SQLite keeps ids as hex text; an aggregate's come back once per event.
    return UUID(text)


def _notification(row: Any) -> Notification:
    originator_id = row["originator_id"]
    if isinstance(originator_id, str):
        originator_id = _uuid(originator_id)
    return Notification(
        id=int(row["position"]),
        originator_id=originator_id,
        originator_version=int(row["originator_version"]),
        topic=row["topic"],
        state=bytes(row["state"]),
    )
