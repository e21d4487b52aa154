"""The log's Merkle tree, kept in the log's own database.

Three tables beside the library's events table:

- `warroom_leaves` (leaf_index, position, hash): one row per stored event,
  leaf indexes 0, 1, 2... with no gaps, in log order, whatever positions skip;
- `warroom_nodes` (level, idx, hash): every complete aligned subtree above
  the leaves (about one per leaf), so a root or a proof reads O(log n) rows;
- `warroom_tree` (one row): the tree's size, the position of its last leaf,
  and its compact range (the hashes of the complete subtrees its size
  decomposes into), all that appending needs.

Leaves are appended by the recorders (`warroom.storage`) inside the events'
transaction, after the events' insert and under the lock that orders it (the
library's EXCLUSIVE table lock on PostgreSQL, the write lock on SQLite): the
leaf index is derived there, so it is gapless. Days closed (`DayClosed`) are
sealed there too: a signed checkpoint of the tree right after that event is
kept in `warroom_seals`, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import Mapper, Notification, StoredEvent
from psycopg.rows import tuple_row

from warroom.decoding import logged_event
from warroom.evidence import merkle
from warroom.evidence.broken import refuse_taken
from warroom.evidence.leaf import leaf_bytes
from warroom.evidence.merkle import CompactRange, Node
from warroom.evidence.notes import Checkpoint, Signer
from warroom.logged import LoggedEvent

DAY_CLOSED = "DayClosed"


class Cursor(Protocol):
    def execute(self, statement: Any, params: Any = ..., /) -> Any: ...

    def executemany(self, statement: Any, params: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


@dataclass(frozen=True)
class Head:
    size: int
    last_position: int
    compact: CompactRange

    @property
    def root(self) -> bytes:
        return self.compact.root()


@dataclass(frozen=True)
class Seal:
    inspection_id: str
    day: str
    position: int  # of the DayClosed event, the tree's last leaf
    size: int
    note: str


class Tree:
    """SQL for one database: `?` placeholders and bare names on SQLite, `%s`
    and the schema's names on PostgreSQL."""

    def __init__(self, *, kind: str, schema: str = "", events_table: str) -> None:
        self.kind = kind
        postgres = kind == "postgresql"
        p = "%s" if postgres else "?"
        q = f'"{schema}".' if postgres else ""
        blob = "bytea" if postgres else "BLOB"
        big = "bigint" if postgres else "INTEGER"
        self.events_table = f'{q}"{events_table}"'
        self.position_column = "notification_id" if postgres else "rowid"
        self.leaves, self.nodes = f"{q}warroom_leaves", f"{q}warroom_nodes"
        self.head_table, self.seals = f"{q}warroom_tree", f"{q}warroom_seals"
        without_rowid = "" if postgres else " WITHOUT ROWID"
        ignore = "ON CONFLICT DO NOTHING"
        self.create_statements = [
            f"CREATE TABLE IF NOT EXISTS {self.leaves} (leaf_index {big} PRIMARY KEY, "
            f"position {big} NOT NULL UNIQUE, hash {blob} NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.nodes} (level {big} NOT NULL, "
            f"idx {big} NOT NULL, hash {blob} NOT NULL, PRIMARY KEY (level, idx))"
            + without_rowid,
            f"CREATE TABLE IF NOT EXISTS {self.head_table} (id {big} PRIMARY KEY, "
            f"size {big} NOT NULL, last_position {big} NOT NULL, "
            f"compact {blob} NOT NULL)",
            f"INSERT INTO {self.head_table} VALUES (1, 0, 0, {_empty_blob(postgres)}) "
            + ignore,
            f"CREATE TABLE IF NOT EXISTS {self.seals} (inspection_id text NOT NULL, "
            f"day text NOT NULL, position {big} NOT NULL, size {big} NOT NULL, "
            "note text NOT NULL, "
            "PRIMARY KEY (inspection_id, day))",
        ]
        self.select_head = f"SELECT size, last_position, compact FROM {self.head_table}"
        self._update_head = (
            f"UPDATE {self.head_table} SET size={p}, last_position={p}, compact={p}"
        )
        self._insert_leaf = f"INSERT INTO {self.leaves} VALUES ({p}, {p}, {p})"
        self._insert_node = f"INSERT INTO {self.nodes} VALUES ({p}, {p}, {p})"
        self._insert_seal = f"INSERT INTO {self.seals} VALUES ({p}, {p}, {p}, {p}, {p})"
        # PostgreSQL: a save's leaves, nodes and head in one statement.
        self._grow_in_one = (
            f"WITH leaves AS (INSERT INTO {self.leaves} SELECT * FROM "
            "unnest(%s::bigint[], %s::bigint[], %s::bytea[])), "
            f"nodes AS (INSERT INTO {self.nodes} SELECT * FROM "
            "unnest(%s::bigint[], %s::bigint[], %s::bytea[])) "
            f"UPDATE {self.head_table} SET size=%s, last_position=%s, compact=%s"
        )
        self.p = p
        self.signer: Signer | None = None
        # A backfilled log's seals say so too (`warroom.evidence.backfilled`).
        self.extensions: tuple[str, ...] = ()

    # --- writing, inside the events' transaction ------------------------------

    def head(self, c: Cursor) -> Head:
        c.execute(self.select_head)
        return self.head_of(c.fetchone())

    @staticmethod
    def head_of(row: Any) -> Head:
        size, last = int(row["size"]), int(row["last_position"])
        return Head(size, last, CompactRange.from_bytes(size, bytes(row["compact"])))

    def prepare(
        self, mapper: Mapper[Any], stored_events: Sequence[StoredEvent]
    ) -> list[LoggedEvent]:
        """The events as their leaves will show them, but for their positions:
        made before the lock that orders appends is taken, so that decoding
        them (the tree's only real work) never holds up other appends."""
        return [
            logged_event(
                mapper,
                Notification(
                    id=0,
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                ),
            )
            for s in stored_events
        ]

    def append(
        self,
        c: Cursor,
        mapper: Mapper[Any],
        positions: Sequence[int],
        stored_events: Sequence[StoredEvent],
        head: Head | None = None,
        prepared: Sequence[LoggedEvent] | None = None,
    ) -> None:
        """Adds the leaves of events just inserted at these positions
        (`head`: the tree's head, read under the same lock, if already read;
        `prepared`: `prepare(mapper, stored_events)`, if already made)."""
        head = head or self.head(c)
        refuse_taken(head.last_position, positions)  # log_broken, not a conflict
        events = self.prepare(mapper, stored_events) if prepared is None else prepared
        placed = [
            event._replace(position=position)
            for position, event in zip(positions, events, strict=True)
        ]
        self._grow(c, head, placed, seal=True)

    def _grow(
        self, c: Cursor, head: Head, events: Sequence[LoggedEvent], *, seal: bool
    ) -> None:
        compact = head.compact
        leaves: list[tuple[int, int, bytes]] = []
        nodes: list[tuple[int, int, bytes]] = []
        seals: list[tuple[str, str, int, int, str]] = []
        for event in events:
            hashed = merkle.leaf_hash(leaf_bytes(event))
            leaves.append((compact.size, event.position, hashed))
            nodes += compact.append(hashed)
            if seal and event.type == DAY_CLOSED:
                day = str(event.data["day"])
                note = self._seal(compact)
                seals.append(
                    (event.inspection_id, day, event.position, compact.size, note)
                )
        last = events[-1].position if events else head.last_position
        new_head = (compact.size, last, compact.to_bytes())
        if seals:
            c.executemany(self._insert_seal, seals)
        if self.kind == "postgresql":
            columns = [list(column) for column in zip(*leaves, strict=True)]
            node_columns = [list(column) for column in zip(*nodes, strict=True)]
            params = [*columns, *(node_columns or [[], [], []]), *new_head]
            c.execute(self._grow_in_one, params)
            return
        c.executemany(self._insert_leaf, leaves)
        if nodes:
            c.executemany(self._insert_node, nodes)
        c.execute(self._update_head, new_head)

    def _seal(self, compact: CompactRange) -> str:
        if self.signer is None:
            raise RuntimeError("no signing key: a closed day cannot be sealed")
        checkpoint = Checkpoint(
            self.signer.name, compact.size, compact.root(), self.extensions
        )
        return checkpoint.signed(self.signer)

    def backfill_page(
        self, c: Cursor, mapper: Mapper[Any], notifications: Sequence[Notification]
    ) -> None:
        """Adds leaves for events stored before the tree was kept (in order).

        Days closed then are not sealed now: a seal is signed when it happens.
        """
        events = [logged_event(mapper, n) for n in notifications]
        self._grow(c, self.head(c), events, seal=False)

    def events_after(self, c: Cursor, position: int, limit: int) -> list[Notification]:
        c.execute(
            f"SELECT {self.position_column} AS position, originator_id, "
            f"originator_version, topic, state FROM {self.events_table} "
            f"WHERE {self.position_column} > {self.p} "
            f"ORDER BY {self.position_column} LIMIT {self.p}",
            (position, limit),
        )
        return [_notification(row) for row in c.fetchall()]

    # --- reading ---------------------------------------------------------------

    def read_nodes(self, c: Cursor, wanted: set[Node]) -> dict[Node, bytes]:
        found: dict[Node, bytes] = {}
        leaves = sorted(i for level, i in wanted if level == 0)
        inner = sorted((level, i) for level, i in wanted if level > 0)
        if self.kind == "postgresql":  # index lookups, never a scan
            c.execute(
                f"SELECT leaf_index, hash FROM {self.leaves} "
                "WHERE leaf_index = ANY(%s::bigint[])",
                (leaves,),
            )
        else:
            marks = ",".join([self.p] * len(leaves))
            c.execute(
                f"SELECT leaf_index, hash FROM {self.leaves} "
                f"WHERE leaf_index IN ({marks})",
                leaves,
            )
        for row in c.fetchall():
            found[(0, int(row["leaf_index"]))] = bytes(row["hash"])
        if inner and self.kind == "postgresql":
            c.execute(
                f"SELECT n.level, n.idx, n.hash FROM {self.nodes} n JOIN "
                "unnest(%s::bigint[], %s::bigint[]) AS w(level, idx) "
                "ON n.level = w.level AND n.idx = w.idx",
                ([level for level, _ in inner], [i for _, i in inner]),
            )
        elif inner:
            pairs = " OR ".join([f"(level={self.p} AND idx={self.p})"] * len(inner))
            c.execute(
                f"SELECT level, idx, hash FROM {self.nodes} WHERE {pairs}",
                [v for node in inner for v in node],
            )
        if inner:
            for row in c.fetchall():
                found[(int(row["level"]), int(row["idx"]))] = bytes(row["hash"])
        missing = wanted - found.keys()
        if missing:
            raise LookupError(f"the tree lacks stored nodes {sorted(missing)[:3]}")
        return found

    def leaf_at(self, c: Cursor, position: int) -> int | None:
        """The leaf index of the event at a log position."""
        c.execute(
            f"SELECT leaf_index FROM {self.leaves} WHERE position={self.p}",
            (position,),
        )
        row = c.fetchone()
        return None if row is None else int(row["leaf_index"])

    def leaves_page(
        self, c: Cursor, after_index: int, limit: int
    ) -> list[tuple[int, int, bytes]]:
        c.execute(
            f"SELECT leaf_index, position, hash FROM {self.leaves} "
            f"WHERE leaf_index > {self.p} ORDER BY leaf_index LIMIT {self.p}",
            (after_index, limit),
        )
        return [
            (int(r["leaf_index"]), int(r["position"]), bytes(r["hash"]))
            for r in c.fetchall()
        ]

    # --- the whole walk (`warroom.evidence.walk`) ---------------------------------

    def events_with_leaves(
        self, c: Cursor, batch: int
    ) -> Generator[list[Any], None, None]:
        """Every event with its leaf (index and hash, or NULLs), by position,
        `batch` rows at a time: (position, originator_id, originator_version,
        topic, state, leaf_index, hash)."""
        yield from self._scan(
            c,
            f"SELECT e.{self.position_column}, e.originator_id, "
            "e.originator_version, e.topic, e.state, l.leaf_index, l.hash "
            f"FROM {self.events_table} e LEFT JOIN {self.leaves} l "
            f"ON l.position = e.{self.position_column} "
            f"ORDER BY e.{self.position_column}",
            batch,
        )

    def hold_open(self, c: Cursor) -> None:
        """Lets this read transaction sit idle between batches for as long as
        the walk computes (the library ends one idle for 5 s, by default)."""
        if self.kind == "postgresql":
            c.execute("SET LOCAL idle_in_transaction_session_timeout = 0")

    def all_nodes(self, c: Cursor, batch: int) -> Iterator[list[Any]]:
        """Every stored node, (level, idx, hash), in the order cheapest to read:
        SQLite's key order is its order on disk; PostgreSQL's heap, unsorted."""
        order = "" if self.kind == "postgresql" else " ORDER BY level, idx"
        yield from self._scan(
            c, f"SELECT level, idx, hash FROM {self.nodes}{order}", batch
        )

    def leaf_from(self, c: Cursor, index: int) -> int | None:
        """The position of the first leaf at or past an index, if any."""
        c.execute(
            f"SELECT position FROM {self.leaves} WHERE leaf_index >= {self.p} "
            "ORDER BY leaf_index LIMIT 1",
            (index,),
        )
        row = c.fetchone()
        return None if row is None else int(row["position"])

    def originator_id(self, stored: Any) -> Any:
        return _uuid(stored) if isinstance(stored, str) else stored

    def _scan(
        self, c: Cursor, statement: str, batch: int
    ) -> Generator[list[Any], None, None]:
        # A cursor of its own, so that `c` stays free for other questions
        # while the scan is open, rows as plain tuples (cheapest to make).
        if self.kind == "postgresql":
            connection = c.connection  # type: ignore[attr-defined]
            with connection.cursor(
                name="warroom_walk", row_factory=tuple_row
            ) as scan:  # server-side: only `batch` rows held at a time
                scan.itersize = batch
                scan.execute(statement)
                while rows := scan.fetchmany(batch):
                    yield rows
            return
        scan = c.sqlite_cursor.connection.cursor()  # type: ignore[attr-defined]
        scan.row_factory = None
        try:
            scan.execute(statement)
            while rows := scan.fetchmany(batch):
                yield rows
        finally:
            scan.close()

    def seals_of(self, c: Cursor, inspection_id: str) -> list[Seal]:
        c.execute(
            f"SELECT inspection_id, day, position, size, note FROM {self.seals} "
            f"WHERE inspection_id={self.p} ORDER BY day",
            (inspection_id,),
        )
        return [
            Seal(
                r["inspection_id"],
                r["day"],
                int(r["position"]),
                int(r["size"]),
                r["note"],
            )
            for r in c.fetchall()
        ]

    def all_seals(self, c: Cursor) -> Iterator[Seal]:
        c.execute(f"SELECT inspection_id, day, position, size, note FROM {self.seals}")
        for r in c.fetchall():
            yield Seal(
                r["inspection_id"],
                r["day"],
                int(r["position"]),
                int(r["size"]),
                r["note"],
            )


def _empty_blob(postgres: bool) -> str:
    return "''::bytea" if postgres else "x''"


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
