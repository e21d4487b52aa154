"""The log's Merkle trees, one per organisation, kept in the log's own database.

Each organisation (council) has a tree of its own over its own events, so
that what it proves, or reads about the log, is its own record alone: its
size, root, checkpoints, proofs and seals say nothing of another council's
(ARCHITECTURE.md, "Tenancy"). A tree is named by its key: `''` for the
database's first organisation (which owns whatever was stored before
organisations existed, so a log's tree from before organisations is its tree
unchanged), the organisation's id for any other (`WarRoom.tree_of`).

Four tables beside the library's events table:

- `warroom_leaves` (tree, leaf_index, position, hash): one row per stored
  event, in the one tree its save named; leaf indexes 0, 1, 2... with no gaps
  within each tree, in log order, whatever positions skip or other trees
  take; a position is in one tree only;
- `warroom_nodes` (tree, level, idx, hash): every complete aligned subtree
  above each tree's leaves, so a root or a proof reads O(log n) rows;
- `warroom_tree` (one row per tree): its size, the position of its last
  leaf, and its compact range, all that appending needs;
- `warroom_seals`: each closed day's signed checkpoint of its inspection's
  organisation's tree, with the tree's key.

Which tree an event joins is decided by its save, not guessed from the
event: every save passes `trees`, one key per event, in the events' order
(`WarRoom.save`: a command's organisation is its actor's, known to the
executor; other saves name theirs, or are derived from the events, see
`WarRoom.trees_of`). A group commit saves several commands, perhaps of
several organisations, in one transaction: each keeps its own key, and each
tree touched grows by its own events, in log order.

Leaves are appended by the recorders (`warroom.storage`) inside the events'
transaction, after the events' insert and under the lock that orders it (the
library's EXCLUSIVE table lock on PostgreSQL, the write lock on SQLite): the
leaf index is derived there, from the head of that tree read under the lock,
so it is gapless. Days closed (`DayClosed`) are sealed there too.

Checkpoints name their tree in their origin (`origin`): the first
organisation's is the signing key's name, exactly as before organisations had
trees of their own, so its existing checkpoints, seals and receipts still
verify; another's is `<name>/<organisation id>`, signed by the same key under
that name (`signer_for`): a note's key name is its origin, so each council
checks its log with a verifier key of its own, and no checkpoint of one
council's log passes for another's.

A database whose tables predate per-organisation trees is migrated when the
tables are made (`migrate`): its leaves, nodes and head become the tree `''`
(the first organisation's), its seals that tree's. SQLite cannot change a
primary key in place, so each table is made anew beside the old one, filled
from it, and put in its place, in one transaction (under the tables' advisory
lock on PostgreSQL, the write lock on SQLite).
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
        self.schema = schema
        blob = "bytea" if postgres else "BLOB"
        big = "bigint" if postgres else "INTEGER"
        self.events_table = f'{q}"{events_table}"'
        self.position_column = "notification_id" if postgres else "rowid"
        self.leaves, self.nodes = f"{q}warroom_leaves", f"{q}warroom_nodes"
        self.head_table, self.seals = f"{q}warroom_tree", f"{q}warroom_seals"
        without_rowid = "" if postgres else " WITHOUT ROWID"
        self._shapes = {
            "warroom_leaves": (
                "(tree text NOT NULL, leaf_index {big} NOT NULL, "
                "position {big} NOT NULL UNIQUE, hash {blob} NOT NULL, "
                "PRIMARY KEY (tree, leaf_index))" + without_rowid,
                "'', leaf_index, position, hash",
            ),
            "warroom_nodes": (
                "(tree text NOT NULL, level {big} NOT NULL, idx {big} NOT NULL, "
                "hash {blob} NOT NULL, PRIMARY KEY (tree, level, idx))" + without_rowid,
                "'', level, idx, hash",
            ),
            "warroom_tree": (
                "(tree text PRIMARY KEY, size {big} NOT NULL, "
                "last_position {big} NOT NULL, compact {blob} NOT NULL)",
                "'', size, last_position, compact",
            ),
        }
        shapes = {
            name: shape.format(big=big, blob=blob)
            for name, (shape, _) in self._shapes.items()
        }
        self.create_statements = [
            f"CREATE TABLE IF NOT EXISTS {q}{name} {shape}"
            for name, shape in shapes.items()
        ] + [
            # The first organisation's tree is there from the start.
            f"INSERT INTO {self.head_table} VALUES ('', 0, 0, "
            f"{_empty_blob(postgres)}) ON CONFLICT DO NOTHING",
            f"CREATE TABLE IF NOT EXISTS {self.seals} (inspection_id text NOT NULL, "
            f"day text NOT NULL, position {big} NOT NULL, size {big} NOT NULL, "
            "note text NOT NULL, tree text NOT NULL DEFAULT '', "
            "PRIMARY KEY (inspection_id, day))",
        ]
        self._new_shapes = shapes
        self.select_head = (
            f"SELECT tree, size, last_position, compact FROM {self.head_table} "
            f"WHERE tree = {p}"
        )
        # PostgreSQL: the heads of a save's trees, in the append's pipeline.
        self.select_heads = (
            f"SELECT tree, size, last_position, compact FROM {self.head_table} "
            "WHERE tree = ANY(%s::text[])"
        )
        self._upsert_head = (
            f"INSERT INTO {self.head_table} VALUES ({p}, {p}, {p}, {p}) "
            "ON CONFLICT (tree) DO UPDATE SET size=excluded.size, "
            "last_position=excluded.last_position, compact=excluded.compact"
        )
        self._insert_leaf = f"INSERT INTO {self.leaves} VALUES ({p}, {p}, {p}, {p})"
        self._insert_node = f"INSERT INTO {self.nodes} VALUES ({p}, {p}, {p}, {p})"
        self._insert_seal = (
            f"INSERT INTO {self.seals} (inspection_id, day, position, size, note, "
            f"tree) VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
        )
        # PostgreSQL: a save's leaves, nodes and heads in one statement.
        self._grow_in_one = (
            f"WITH leaves AS (INSERT INTO {self.leaves} SELECT * FROM "
            "unnest(%s::text[], %s::bigint[], %s::bigint[], %s::bytea[])), "
            f"nodes AS (INSERT INTO {self.nodes} SELECT * FROM "
            "unnest(%s::text[], %s::bigint[], %s::bigint[], %s::bytea[])) "
            f"INSERT INTO {self.head_table} SELECT * FROM "
            "unnest(%s::text[], %s::bigint[], %s::bigint[], %s::bytea[]) "
            "ON CONFLICT (tree) DO UPDATE SET size=excluded.size, "
            "last_position=excluded.last_position, compact=excluded.compact"
        )
        self.p = p
        self.signer: Signer | None = None
        # A backfilled log's seals say so too (`warroom.evidence.backfilled`).
        self.extensions: tuple[str, ...] = ()

    # --- tables made before trees were per organisation -------------------------

    def migrate(self, c: Cursor) -> bool:
        """Makes the tables of a database written before each organisation had
        its tree into the tree `''`'s (the first organisation's); True if it
        did. Run before `create_statements`, inside one transaction."""
        if not self._exists(c, "warroom_leaves") or self._has_tree(c):
            return False
        q = f'"{self.schema}".' if self.kind == "postgresql" else ""
        for name, shape in self._new_shapes.items():
            columns = self._shapes[name][1]
            c.execute(f"CREATE TABLE {q}{name}_by_tree {shape}")
            c.execute(f"INSERT INTO {q}{name}_by_tree SELECT {columns} FROM {q}{name}")
            c.execute(f"DROP TABLE {q}{name}")
            c.execute(f"ALTER TABLE {q}{name}_by_tree RENAME TO {name}")
        if self._exists(c, "warroom_seals"):
            c.execute(
                f"ALTER TABLE {self.seals} ADD COLUMN tree text NOT NULL DEFAULT ''"
            )
        return True

    def _exists(self, c: Cursor, table: str) -> bool:
        if self.kind == "postgresql":
            c.execute(
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = %s AND table_name = %s",
                (self.schema, table),
            )
        else:
            c.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                (table,),
            )
        return c.fetchone() is not None

    def _has_tree(self, c: Cursor) -> bool:
        if self.kind == "postgresql":
            c.execute(
                "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'warroom_leaves' AND column_name = 'tree'",
                (self.schema,),
            )
            return c.fetchone() is not None
        c.execute("SELECT name FROM pragma_table_info('warroom_leaves')")
        return any(row["name"] == "tree" for row in c.fetchall())

    # --- writing, inside the events' transaction ------------------------------

    def head(self, c: Cursor, tree: str = "") -> Head:
        c.execute(self.select_head, (tree,))
        return self.head_of(c.fetchone())

    @staticmethod
    def head_of(row: Any) -> Head:
        if row is None:  # a tree no event has joined yet
            return Head(0, 0, CompactRange())
        size, last = int(row["size"]), int(row["last_position"])
        return Head(size, last, CompactRange.from_bytes(size, bytes(row["compact"])))

    def heads(self, c: Cursor, trees: Sequence[str]) -> dict[str, Head]:
        return {tree: self.head(c, tree) for tree in dict.fromkeys(trees)}

    def heads_of(self, rows: Sequence[Any], trees: Sequence[str]) -> dict[str, Head]:
        """The heads `select_heads` read, and empty ones for new trees."""
        found = {str(row["tree"]): self.head_of(row) for row in rows}
        return {tree: found.get(tree) or self.head_of(None) for tree in trees}

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
        trees: Sequence[str],
        heads: dict[str, Head] | None = None,
        prepared: Sequence[LoggedEvent] | None = None,
        v2_from: int | None = 0,
    ) -> None:
        """Adds the leaves of events just inserted at these positions, each to
        its tree (`trees`, one key per event; `heads`: those trees' heads, read
        under the same lock, if already read; `prepared`:
        `prepare(mapper, stored_events)`, if already made). Each leaf is of
        version 2 (`warroom.evidence.leaf`: its position is its tree's own)
        from leaf index `v2_from` on: every new leaf, but an import's, which
        keeps the versions of the leaves it was exported with."""
        heads = heads if heads is not None else self.heads(c, trees)
        # A position a tree holds already: log_broken, not a conflict.
        refuse_taken(
            max((h.last_position for h in heads.values()), default=0), positions
        )
        events = self.prepare(mapper, stored_events) if prepared is None else prepared
        placed = [
            (tree, event._replace(position=position))
            for position, event, tree in zip(positions, events, trees, strict=True)
        ]
        self._grow(c, heads, placed, seal=True, v2_from=v2_from)

    def _grow(
        self,
        c: Cursor,
        heads: dict[str, Head],
        events: Sequence[tuple[str, LoggedEvent]],
        *,
        seal: bool,
        v2_from: int | None,
    ) -> None:
        """`v2_from`: the leaf index from which leaves are of version 2
        (None: none is; `warroom.evidence.leaf`)."""
        compacts = {tree: head.compact for tree, head in heads.items()}
        lasts = {tree: head.last_position for tree, head in heads.items()}
        leaves: list[tuple[str, int, int, bytes]] = []
        nodes: list[tuple[str, int, int, bytes]] = []
        seals: list[tuple[str, str, int, int, str, str]] = []
        for tree, event in events:
            compact = compacts[tree]
            index = compact.size
            version_2 = v2_from is not None and index >= v2_from
            hashed = merkle.leaf_hash(leaf_bytes(event, index if version_2 else None))
            leaves.append((tree, compact.size, event.position, hashed))
            nodes += [(tree, level, i, h) for level, i, h in compact.append(hashed)]
            lasts[tree] = event.position
            if seal and event.type == DAY_CLOSED:
                day = str(event.data["day"])
                note = self._seal(compact, tree)
                seals.append(
                    (event.inspection_id, day, event.position, compact.size, note, tree)
                )
        grown = {tree for tree, _ in events}
        new_heads = [
            (tree, compacts[tree].size, lasts[tree], compacts[tree].to_bytes())
            for tree in heads
            if tree in grown
        ]
        if seals:
            c.executemany(self._insert_seal, seals)
        if self.kind == "postgresql":
            empty: list[list[Any]] = [[], [], [], []]
            columns = [list(column) for column in zip(*leaves, strict=True)]
            node_columns = [list(column) for column in zip(*nodes, strict=True)]
            head_columns = [list(column) for column in zip(*new_heads, strict=True)]
            params = [
                *(columns or empty),
                *(node_columns or empty),
                *(head_columns or empty),
            ]
            c.execute(self._grow_in_one, params)
            return
        if leaves:
            c.executemany(self._insert_leaf, leaves)
        if nodes:
            c.executemany(self._insert_node, nodes)
        if new_heads:
            c.executemany(self._upsert_head, new_heads)

    def _seal(self, compact: CompactRange, tree: str) -> str:
        if self.signer is None:
            raise RuntimeError("no signing key: a closed day cannot be sealed")
        signer = signer_for(self.signer, tree)
        # A backfilled log's seals say so (a backfill fills the first's tree).
        extensions = self.extensions if tree == FIRST else ()
        checkpoint = Checkpoint(signer.name, compact.size, compact.root(), extensions)
        return checkpoint.signed(signer)

    def backfill_page(
        self, c: Cursor, mapper: Mapper[Any], notifications: Sequence[Notification]
    ) -> None:
        """Adds leaves for events stored before the tree was kept (in order),
        to the first organisation's tree: they were stored before there were
        organisations' trees.

        Days closed then are not sealed now: a seal is signed when it happens.
        Their leaves are new ones, so of version 2 (`warroom.evidence.leaf`).
        """
        events = [(FIRST, logged_event(mapper, n)) for n in notifications]
        self._grow(c, {FIRST: self.head(c)}, events, seal=False, v2_from=0)

    def events_after(
        self, c: Cursor, position: int, limit: int, tree: str | None = None
    ) -> list[Notification]:
        """The log's events after a position (`tree`: only those in that tree,
        or in none)."""
        if tree is None:
            c.execute(
                f"SELECT {self.position_column} AS position, originator_id, "
                f"originator_version, topic, state FROM {self.events_table} "
                f"WHERE {self.position_column} > {self.p} "
                f"ORDER BY {self.position_column} LIMIT {self.p}",
                (position, limit),
            )
        else:
            column = f"e.{self.position_column}"
            c.execute(
                f"SELECT {column} AS position, e.originator_id, "
                "e.originator_version, e.topic, e.state "
                f"FROM {self.events_table} e LEFT JOIN {self.leaves} l "
                f"ON l.position = {column} WHERE {column} > {self.p} "
                f"AND (l.tree IS NULL OR l.tree = {self.p}) "
                f"ORDER BY {column} LIMIT {self.p}",
                (position, tree, limit),
            )
        return [_notification(row) for row in c.fetchall()]

    # --- reading ---------------------------------------------------------------

    def read_nodes(
        self, c: Cursor, wanted: set[Node], tree: str = ""
    ) -> dict[Node, bytes]:
        found: dict[Node, bytes] = {}
        leaves = sorted(i for level, i in wanted if level == 0)
        inner = sorted((level, i) for level, i in wanted if level > 0)
        p = self.p
        if self.kind == "postgresql":  # index lookups, never a scan
            c.execute(
                f"SELECT leaf_index, hash FROM {self.leaves} "
                "WHERE tree = %s AND leaf_index = ANY(%s::bigint[])",
                (tree, leaves),
            )
        else:
            marks = ",".join([p] * len(leaves))
            c.execute(
                f"SELECT leaf_index, hash FROM {self.leaves} "
                f"WHERE tree = {p} AND leaf_index IN ({marks})",
                [tree, *leaves],
            )
        for row in c.fetchall():
            found[(0, int(row["leaf_index"]))] = bytes(row["hash"])
        if inner and self.kind == "postgresql":
            c.execute(
                f"SELECT n.level, n.idx, n.hash FROM {self.nodes} n JOIN "
                "unnest(%s::bigint[], %s::bigint[]) AS w(level, idx) "
                "ON n.level = w.level AND n.idx = w.idx WHERE n.tree = %s",
                ([level for level, _ in inner], [i for _, i in inner], tree),
            )
        elif inner:
            pairs = " OR ".join([f"(level={p} AND idx={p})"] * len(inner))
            c.execute(
                f"SELECT level, idx, hash FROM {self.nodes} "
                f"WHERE tree = {p} AND ({pairs})",
                [tree, *(v for node in inner for v in node)],
            )
        if inner:
            for row in c.fetchall():
                found[(int(row["level"]), int(row["idx"]))] = bytes(row["hash"])
        missing = wanted - found.keys()
        if missing:
            raise LookupError(f"the tree lacks stored nodes {sorted(missing)[:3]}")
        return found

    def leaf_at(self, c: Cursor, position: int) -> tuple[str, int] | None:
        """The tree and leaf index of the event at a log position."""
        found = self.stored_leaf_at(c, position)
        return None if found is None else found[:2]

    def stored_leaf_at(self, c: Cursor, position: int) -> tuple[str, int, bytes] | None:
        """The tree, leaf index and stored hash of the event at a log position."""
        c.execute(
            f"SELECT tree, leaf_index, hash FROM {self.leaves} WHERE position={self.p}",
            (position,),
        )
        row = c.fetchone()
        if row is None:
            return None
        return str(row["tree"]), int(row["leaf_index"]), bytes(row["hash"])

    def leaves_page(
        self, c: Cursor, after_index: int, limit: int, tree: str = ""
    ) -> list[tuple[int, int, bytes]]:
        p = self.p
        c.execute(
            f"SELECT leaf_index, position, hash FROM {self.leaves} "
            f"WHERE tree = {p} AND leaf_index > {p} ORDER BY leaf_index LIMIT {p}",
            (tree, after_index, limit),
        )
        return [
            (int(r["leaf_index"]), int(r["position"]), bytes(r["hash"]))
            for r in c.fetchall()
        ]

    def positions_of(
        self, c: Cursor, tree: str, after: int, upto: int, limit: int
    ) -> list[int]:
        """The positions of a tree's events after `after`, up to `upto`."""
        p = self.p
        c.execute(
            f"SELECT position FROM {self.leaves} WHERE tree = {p} "
            f"AND position > {p} AND position <= {p} ORDER BY position LIMIT {p}",
            (tree, after, upto, limit),
        )
        return [int(r["position"]) for r in c.fetchall()]

    def events_of(
        self, c: Cursor, tree: str, after_index: int, upto_index: int, limit: int
    ) -> list[tuple[int, Notification, bytes]]:
        """A tree's events in leaf order, (leaf index, event, stored hash),
        after one leaf index and below another (an export's: one council's
        own events)."""
        p, column = self.p, f"e.{self.position_column}"
        c.execute(
            f"SELECT l.leaf_index, l.hash, {column} AS position, e.originator_id, "
            "e.originator_version, e.topic, e.state "
            f"FROM {self.leaves} l JOIN {self.events_table} e "
            f"ON {column} = l.position WHERE l.tree = {p} AND l.leaf_index > {p} "
            f"AND l.leaf_index < {p} ORDER BY l.leaf_index LIMIT {p}",
            (tree, after_index, upto_index, limit),
        )
        return [
            (int(row["leaf_index"]), _notification(row), bytes(row["hash"]))
            for row in c.fetchall()
        ]

    def leaves_in_all(self, c: Cursor) -> int:
        """How many leaves every tree's head holds, all trees together."""
        c.execute(f"SELECT COALESCE(SUM(size), 0) AS size FROM {self.head_table}")
        row = c.fetchone()
        return int(row["size"]) if row is not None else 0

    def any_leaf(self, c: Cursor) -> bool:
        """Whether any tree holds a leaf (whatever its head says)."""
        c.execute(f"SELECT 1 AS one FROM {self.leaves} LIMIT 1")
        return c.fetchone() is not None

    def trees(self, c: Cursor) -> list[str]:
        """Every tree's key, the first organisation's first."""
        c.execute(f"SELECT tree FROM {self.head_table} ORDER BY tree")
        return [str(r["tree"]) for r in c.fetchall()]

    # --- the whole walk (`warroom.evidence.walk`) ---------------------------------

    def events_with_leaves(
        self, c: Cursor, batch: int, tree: str = ""
    ) -> Generator[list[Any], None, None]:
        """Every event of one tree (or of none) with its leaf (index and
        hash, or NULLs), by position, `batch` rows at a time: (position,
        originator_id, originator_version, topic, state, leaf_index, hash)."""
        yield from self._scan(
            c,
            f"SELECT e.{self.position_column}, e.originator_id, "
            "e.originator_version, e.topic, e.state, l.leaf_index, l.hash "
            f"FROM {self.events_table} e LEFT JOIN {self.leaves} l "
            f"ON l.position = e.{self.position_column} "
            f"WHERE l.tree IS NULL OR l.tree = {self.p} "
            f"ORDER BY e.{self.position_column}",
            batch,
            (tree,),
        )

    def hold_open(self, c: Cursor) -> None:
        """Lets this read transaction sit idle between batches for as long as
        the walk computes (the library ends one idle for 5 s, by default)."""
        if self.kind == "postgresql":
            c.execute("SET LOCAL idle_in_transaction_session_timeout = 0")

    def all_nodes(self, c: Cursor, batch: int, tree: str = "") -> Iterator[list[Any]]:
        """Every stored node of a tree, (level, idx, hash), in the order
        cheapest to read: SQLite's key order is its order on disk;
        PostgreSQL's heap, unsorted."""
        order = "" if self.kind == "postgresql" else " ORDER BY level, idx"
        yield from self._scan(
            c,
            f"SELECT level, idx, hash FROM {self.nodes} WHERE tree = {self.p}{order}",
            batch,
            (tree,),
        )

    def leaf_from(self, c: Cursor, index: int, tree: str = "") -> int | None:
        """The position of a tree's first leaf at or past an index, if any."""
        p = self.p
        c.execute(
            f"SELECT position FROM {self.leaves} WHERE tree = {p} "
            f"AND leaf_index >= {p} ORDER BY leaf_index LIMIT 1",
            (tree, index),
        )
        row = c.fetchone()
        return None if row is None else int(row["position"])

    def originator_id(self, stored: Any) -> Any:
        return _uuid(stored) if isinstance(stored, str) else stored

    def _scan(
        self, c: Cursor, statement: str, batch: int, params: Sequence[Any] = ()
    ) -> Generator[list[Any], None, None]:
        # A cursor of its own, so that `c` stays free for other questions
        # while the scan is open, rows as plain tuples (cheapest to make).
        if self.kind == "postgresql":
            connection = c.connection  # type: ignore[attr-defined]
            with connection.cursor(
                name="warroom_walk", row_factory=tuple_row
            ) as scan:  # server-side: only `batch` rows held at a time
                scan.itersize = batch
                scan.execute(statement, params)
                while rows := scan.fetchmany(batch):
                    yield rows
            return
        scan = c.sqlite_cursor.connection.cursor()  # type: ignore[attr-defined]
        scan.row_factory = None
        try:
            scan.execute(statement, params)
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

    def all_seals(self, c: Cursor, tree: str = "") -> Iterator[Seal]:
        """Every seal of one tree."""
        c.execute(
            f"SELECT inspection_id, day, position, size, note FROM {self.seals} "
            f"WHERE tree = {self.p}",
            (tree,),
        )
        for r in c.fetchall():
            yield Seal(
                r["inspection_id"],
                r["day"],
                int(r["position"]),
                int(r["size"]),
                r["note"],
            )


# The first organisation's tree: the log's whole tree before organisations
# had trees of their own.
FIRST = ""


def origin(name: str, tree: str) -> str:
    """A tree's checkpoint origin: the signing key's name for the first
    organisation's (as every checkpoint was before), `<name>/<id>` for another."""
    return f"{name}/{tree}" if tree else name


def signer_for(signer: Signer, tree: str) -> Signer:
    """The key that signs a tree's checkpoints: the configured one for the
    first organisation's, the same key under the tree's origin for another's
    (a signed note's key name is its checkpoint's origin, so each council's
    log has a verifier key of its own, `GET /api/log/key`)."""
    return signer.named(origin(signer.name, tree)) if tree else signer


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
