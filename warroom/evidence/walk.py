"""`verify`: the whole log walked against its tree, in one ordered pass.

Everything is read in one read transaction (one snapshot: a server appending
meanwhile changes nothing the walk sees), with as few scans as the database
allows, each in the order it is stored:

1. the events joined with their leaves, by position (PostgreSQL: through a
   server-side cursor, in large batches), each event's leaf recomputed and
   compared with the stored hash;
2. every stored node, in one scan (SQLite: in key order, which is how a
   WITHOUT ROWID table lies on disk; PostgreSQL: in the heap's order, no
   sort), each compared with the node recomputed from the leaves in memory;
3. the head and the stored seals.

Reading the leaves, the nodes and the events page by page, each in its own
query and transaction, made a cold walk (nothing in the page cache) jump
between three places on disk; one pass per table reads each once.

The walk is of one organisation's tree (`warroom.evidence.tree`): the
events whose leaves are in it, and those in no tree (a row added outside
the war room breaks every council's walk); other trees' events are skipped.

An intact log takes only that path. At the first thing that does not fit (an
event with no leaf, a leaf index skipped), the walk goes back to the last
leaf that held and merges events and leaves from there, row by row, to name
the first position where the log breaks and what is wrong there.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any, TextIO

from eventsourcing.persistence import Mapper, Notification

from warroom.decoding import logged_event
from warroom.evidence import merkle
from warroom.evidence.backfilled import TREE_BACKFILLED, Backfilled
from warroom.evidence.leaf import LeafVersions
from warroom.evidence.merkle import Node
from warroom.evidence.notes import Checkpoint, NoteError, Verifier
from warroom.evidence.tree import Cursor, Head, Seal, Tree

BATCH = 10_000  # rows fetched at a time
HASH = 32
NO_TREE = "the tree was removed or this log was not written by warroom"

# Told the number of events walked so far, and the log's size, every batch.
Progress = Callable[[int, int], None]


class ProgressLines:
    """A `Progress` that writes a line to `stream` every `every` seconds
    (`warroom verify` on stderr: a million events take a minute or two)."""

    def __init__(self, stream: TextIO, every: float = 2.0) -> None:
        self.stream, self.every = stream, every
        self.next = time.monotonic() + every

    def __call__(self, walked: int, size: int) -> None:
        now = time.monotonic()
        if now < self.next:
            return
        self.next = now + self.every
        share = f" ({100 * walked // size} %)" if size else ""
        print(f"verify: {walked:,} of {size:,} events{share}", file=self.stream)
        self.stream.flush()


@dataclass
class Report:
    """What `verify` found: intact, or the first place the log breaks."""

    events: int = 0
    root: bytes = merkle.EMPTY_ROOT
    position: int | None = None
    problem: str | None = None
    checkpoints: list[str] = field(default_factory=list)
    size: int = 0  # the tree's size in the head the walk was read against
    # `warroom tree backfill`, if this log's first leaves were made by it.
    backfilled: Backfilled | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    def broken(self, position: int | None, problem: str) -> Report:
        self.position, self.problem = position, problem
        return self

    def text(self) -> str:
        backfilled = [self.backfilled.words()] if self.backfilled else []
        if self.intact:
            lines = [f"intact: {self.events} events, root {self.root.hex()}"]
            return "\n".join(lines + self.checkpoints + backfilled)
        where = f"at position {self.position}: " if self.position is not None else ""
        return "\n".join([f"broken {where}{self.problem}", *backfilled])

    def to_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "root": self.root.hex(),
            "position": self.position,
            "problem": self.problem,
            "checkpoints": self.checkpoints,
            "tree_size": self.size,
            "backfilled": self.backfilled.to_json() if self.backfilled else None,
        }


class Levels:
    """The recomputed tree, each level one flat run of 32-byte hashes (a
    million leaves: 64 MB in all, against three times that as bytes objects),
    read as (level, index) -> hash."""

    def __init__(self, leaves: bytearray) -> None:
        self.levels = [leaves]
        below = leaves
        while len(below) > HASH:
            above = bytearray()
            for at in range(0, len(below) - HASH, 2 * HASH):
                # merkle.node_hash(left, right): left || right lie side by side.
                above += sha256(b"\x01" + below[at : at + 2 * HASH]).digest()
            self.levels.append(above)
            below = above

    def count(self, level: int) -> int:
        return len(self.levels[level]) // HASH if level < len(self.levels) else 0

    def __getitem__(self, node: Node) -> bytes:
        level, i = node
        return bytes(self.levels[level][i * HASH : (i + 1) * HASH])


class Walk:
    """One `verify`, inside one read transaction."""

    def __init__(
        self,
        tree: Tree,
        mapper: Mapper[Any],
        c: Cursor,
        progress: Progress | None,
        key: str = "",
    ) -> None:
        self.tree, self.mapper, self.c = tree, mapper, c
        self.key = key  # the organisation's tree walked (its events alone)
        self.progress = progress
        self.report = Report()
        self.leaves = bytearray()
        self.positions = array("q")  # of each leaf, to name where a node breaks
        self.head: Head | None = None  # as stored (None: its row is missing)
        # Version 1 leaves, then version 2 ones (`warroom.evidence.leaf`).
        self.versions = LeafVersions()

    def run(self, checkpoints: Sequence[str], verifier: Verifier | None) -> Report:
        """Intact, or the first break; a broken report counts the events that
        held before it, and its root is the stored head's (never the empty
        tree's: a log with no tree has no root)."""
        report = self._run(checkpoints, verifier)
        if not report.intact:
            report.events = len(self.positions)
            report.root = self.head.root if self.head and self.head.size else b""
        return report

    def _run(self, checkpoints: Sequence[str], verifier: Verifier | None) -> Report:
        report = self.report
        self.tree.hold_open(self.c)
        try:
            self.c.execute(self.tree.select_head, (self.key,))
            row = self.c.fetchone()
        except Exception as error:  # no such table: made by something else
            return report.broken(None, f"the tree cannot be read ({error}): {NO_TREE}")
        try:
            self.head = None if row is None else self.tree.head_of(row)
        except (AssertionError, ValueError, TypeError) as error:
            return report.broken(None, f"the tree's head does not hold: {error}")
        head = self.head or Head(0, 0, merkle.CompactRange.from_bytes(0, b""))
        report.size = head.size
        try:
            if self._leaves_match_events(head.size):
                return report
        except Exception as error:  # unreadable bytes are a break too
            return report.broken(
                report.position, f"the stored event is unreadable: {error}"
            )
        size = report.events = len(self.positions)
        if self.head is None:
            return report.broken(None, f"the tree's head is missing: {NO_TREE}")
        if head.size > size:
            return report.broken(
                None,
                f"leaves {size}-{head.size - 1} are missing: the tree's head holds "
                f"{head.size} leaves, the log {size} events with theirs "
                "(events deleted from its end, with their leaves)",
            )
        levels = Levels(self.leaves)
        self.leaves = bytearray()  # now levels.levels[0]
        if self._nodes_broken(levels):
            return report
        report.root = merkle.root_from(size, levels)
        if not self._head_holds(head, levels):
            return report.broken(None, "the tree's head does not match its leaves")
        for note in checkpoints:
            if self._checkpoint_broken(note, verifier, levels):
                return report
        for seal in list(self.tree.all_seals(self.c, self.key)):
            if _seal_broken(seal, levels, size):
                where = self.positions[seal.size - 1] if seal.size <= size else None
                return report.broken(where, f"the seal of {seal.day} does not hold")
        return report

    # --- events against leaves -----------------------------------------------------

    def _leaves_match_events(self, size: int) -> bool:
        """True when the log breaks (the report says where)."""
        expected = 0
        batches = self.tree.events_with_leaves(self.c, BATCH, self.key)
        try:
            for batch in batches:
                for row in batch:
                    position, index, hashed = int(row[0]), row[5], row[6]
                    if index is None or index != expected:
                        return self._diagnose()
                    self.report.position = position
                    event = self._event(row)
                    if event.type == TREE_BACKFILLED:
                        self.report.backfilled = Backfilled.of(event)
                    if self.versions.matching(event, index, bytes(hashed)) is None:
                        return self._altered(position, index)
                    self.leaves += hashed
                    self.positions.append(position)
                    expected += 1
                if self.progress is not None:
                    self.progress(expected, size)
        finally:
            batches.close()  # its cursor, before the transaction ends
        if self.tree.leaf_from(self.c, expected, self.key) is not None:
            return self._diagnose()  # leaves past the last event
        self.report.position = None
        return False

    def _event(self, row: Any) -> Any:
        return logged_event(
            self.mapper,
            Notification(
                id=int(row[0]),
                originator_id=self.tree.originator_id(row[1]),
                originator_version=int(row[2]),
                topic=row[3],
                state=bytes(row[4]),
            ),
        )

    def _altered(self, position: int, index: int) -> bool:
        self.report.broken(
            position,
            f"altered content: the event does not match leaf {index}'s hash "
            f"(leaf version {self.versions.version} or later)",
        )
        return True

    def _diagnose(self) -> bool:
        """From the last leaf that held, events and leaves merged one by one:
        where the first break is, and what it is."""
        report = self.report
        after_position = self.positions[-1] if self.positions else 0
        events = self._events_after(after_position)
        stored = self._leaves_after(len(self.positions) - 1)
        event, leaf = next(events, None), next(stored, None)
        while event is not None or leaf is not None:
            if leaf is None and event is not None and self._tree_missing():
                lacking = 1 + sum(1 for _ in events)
                first = len(self.positions)
                report.broken(
                    event.id,
                    f"leaves {first}-{first + lacking - 1} are missing: {NO_TREE}",
                )
                return True
            if leaf is None or (event is not None and event.id < leaf[1]):
                assert event is not None
                report.broken(
                    event.id,
                    "an event with no leaf: a row added to the log outside the tree",
                )
                return True
            if event is None or leaf[1] < event.id:
                report.broken(
                    leaf[1],
                    f"leaf {leaf[0]} names an event that is missing: "
                    "a row deleted from the log",
                )
                return True
            index, position, hashed = leaf
            report.position = position
            if index != len(self.positions):
                report.broken(position, f"leaf index {len(self.positions)} is missing")
                return True
            event_read = logged_event(self.mapper, event)
            if self.versions.matching(event_read, index, hashed) is None:
                return self._altered(position, index)
            self.leaves += hashed
            self.positions.append(position)
            event, leaf = next(events, None), next(stored, None)
        raise AssertionError("the one-pass walk saw a break the merge does not")

    def _tree_missing(self) -> bool:
        """No leaf from here on, and the head does not end here: the tree (or
        its end) was removed, not one row added to the log outside it."""
        head = self.head
        return head is None or head.size == 0 or head.size > len(self.positions)

    def _events_after(self, position: int) -> Iterator[Notification]:
        while page := self.tree.events_after(self.c, position, 1000, self.key):
            yield from page
            position = page[-1].id

    def _leaves_after(self, index: int) -> Iterator[tuple[int, int, bytes]]:
        while page := self.tree.leaves_page(self.c, index, 1000, self.key):
            yield from page
            index = page[-1][0]

    # --- stored nodes against the recomputed ones ------------------------------------

    def _nodes_broken(self, levels: Levels) -> bool:
        """Every stored node in one scan, in whatever order the database keeps
        them; the lowest (level, index) that is wrong or missing is reported,
        as a walk level by level would."""
        seen = [bytearray(levels.count(level)) for level in range(len(levels.levels))]
        worst: Node | None = None  # the first node that does not match
        extra: int | None = None  # the lowest level holding a node too many
        for batch in self.tree.all_nodes(self.c, BATCH, self.key):
            for row in batch:
                level, i, hashed = int(row[0]), int(row[1]), bytes(row[2])
                if level == 0 or i >= levels.count(level):
                    extra = level if extra is None else min(extra, level)
                elif levels[(level, i)] != hashed:
                    worst = (level, i) if worst is None else min(worst, (level, i))
                else:
                    seen[level][i] = 1
        for level in range(1, len(seen)):
            missing = seen[level].find(0)
            if missing >= 0 and (worst is None or (level, missing) < worst):
                worst = (level, missing)
        if worst is not None and (extra is None or worst[0] <= extra):
            level, i = worst
            self.report.broken(
                self.positions[i << level],
                f"stored node ({level}, {i}) does not match the leaves below it",
            )
            return True
        if extra is not None:
            self.report.broken(None, f"an extra stored node at level {extra}")
            return True
        return False

    # --- the head, checkpoints and seals ---------------------------------------------

    @staticmethod
    def _head_holds(head: Head, levels: Levels) -> bool:
        size = levels.count(0)
        compact = b"".join(levels[n] for n in merkle.root_nodes(size))
        return head.size == size and head.compact.to_bytes() == compact

    def _checkpoint_broken(
        self, note: str, verifier: Verifier | None, levels: Levels
    ) -> bool:
        report = self.report
        if verifier is None:
            report.broken(None, "checking a checkpoint needs the verifier key")
            return True
        try:
            checkpoint = Checkpoint.verified(note, verifier)
        except NoteError as error:
            report.broken(None, f"a checkpoint is not valid: {error}")
            return True
        size = checkpoint.size
        if size > report.events:
            report.broken(
                None,
                f"the log has {report.events} events, fewer than the {size} "
                "of a checkpoint: it was cut short",
            )
            return True
        if size and merkle.root_from(size, levels) != checkpoint.root:
            report.broken(
                None,
                f"not consistent with the checkpoint of size {size}: "
                f"its first {size} events were rewritten",
            )
            return True
        report.checkpoints.append(f"consistent with checkpoint of size {size}")
        return False


def _seal_broken(seal: Seal, levels: Levels, size: int) -> bool:
    # Its root against the log; not its signature: a seal signed by a key
    # since replaced still holds (copies outside are checked with --key).
    try:
        checkpoint = Checkpoint.from_text(seal.note.rpartition("\n\n")[0] + "\n")
    except NoteError:
        return True
    too_big = checkpoint.size != seal.size or seal.size > size
    return too_big or merkle.root_from(seal.size, levels) != checkpoint.root
