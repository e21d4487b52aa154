"""The verifiable log as the server and the command line use it: heads,
checkpoints, proofs, receipts, the backfill of old logs, and the full check."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Mapper, Notification

from warroom.decoding import logged_event
from warroom.evidence import merkle
from warroom.evidence.leaf import leaf_bytes
from warroom.evidence.merkle import CompactRange, Node
from warroom.evidence.notes import Checkpoint, NoteError, Signer, Verifier
from warroom.evidence.tree import Head, Seal, Tree

PAGE = 5000


class OutOfRange(ValueError):
    """A proof asked of a tree the log does not (yet) have."""


@dataclass
class Report:
    """What `verify` found: intact, or the first place the log breaks."""

    events: int = 0
    root: bytes = merkle.EMPTY_ROOT
    position: int | None = None
    problem: str | None = None
    checkpoints: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.problem is None

    def broken(self, position: int | None, problem: str) -> Report:
        self.position, self.problem = position, problem
        return self

    def text(self) -> str:
        if self.intact:
            lines = [f"intact: {self.events} events, root {self.root.hex()}"]
            return "\n".join(lines + self.checkpoints)
        where = f"at position {self.position}: " if self.position is not None else ""
        return f"broken {where}{self.problem}"

    def to_json(self) -> dict[str, Any]:
        return {
            "intact": self.intact,
            "events": self.events,
            "root": self.root.hex(),
            "position": self.position,
            "problem": self.problem,
            "checkpoints": self.checkpoints,
        }


class VerifiableLog:
    def __init__(self, recorder: Any, mapper: Mapper[Any]) -> None:
        self.tree: Tree = recorder.tree
        self.datastore = recorder.datastore
        self.mapper = mapper
        self.events_table = self.tree.events_table

    # --- old logs join the tree -------------------------------------------------

    def backfill(self) -> int:
        """Adds leaves, in order, for a log stored before the tree was kept.

        Only to a tree with no leaves, and in one transaction: once a tree
        exists every event gets its leaf as it is stored, so an event past
        the last leaf was put there by someone else, and `verify` names it.
        """
        added = 0
        with self.datastore.transaction(commit=True) as c:
            if self.tree.head(c).size:
                return 0
            if self.tree.kind == "postgresql":
                c.execute(f"LOCK TABLE {self.events_table} IN EXCLUSIVE MODE")
            else:  # take SQLite's write lock before reading the head
                c.execute(f"UPDATE {self.tree.head_table} SET size=size")
            while True:
                head = self.tree.head(c)
                if head.size != added:  # another process did it first
                    return 0
                page = self.tree.events_after(c, head.last_position, PAGE)
                if not page:
                    return added
                self.tree.backfill_page(c, self.mapper, page)
                added += len(page)

    # --- reading ------------------------------------------------------------------

    def head(self) -> Head:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.head(c)

    def checkpoint(self, signer: Signer) -> str:
        head = self.head()
        return Checkpoint(signer.name, head.size, head.root).signed(signer)

    def root_at(self, size: int) -> bytes:
        self._within(size)
        with self.datastore.transaction(commit=False) as c:
            nodes = self.tree.read_nodes(c, set(merkle.root_nodes(size)))
        return merkle.root_from(size, nodes)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        self._within(size)
        if not 0 <= index < size:
            raise OutOfRange(f"index {index} is not in a tree of size {size}")
        return self._hashes(merkle.inclusion_ranges(index, size))

    def consistency(self, old: int, new: int) -> list[bytes]:
        self._within(new)
        if not 1 <= old <= new:
            raise OutOfRange(f"no consistency proof from {old} to {new}")
        return self._hashes(merkle.consistency_ranges(old, new))

    def _within(self, size: int) -> None:
        have = self.head().size
        if not 1 <= size <= have:
            raise OutOfRange(f"the log's tree has sizes 1 to {have}, not {size}")

    def _hashes(self, ranges: list[tuple[int, int]]) -> list[bytes]:
        with self.datastore.transaction(commit=False) as c:
            nodes = self.tree.read_nodes(c, merkle.nodes_for(ranges))
        return merkle.hash_ranges(ranges, nodes)

    def leaf_at(self, position: int) -> tuple[int, bytes] | None:
        """The leaf index and bytes of the event at a log position."""
        with self.datastore.transaction(commit=False) as c:
            index = self.tree.leaf_at(c, position)
            if index is None:
                return None
            events = self.tree.events_after(c, position - 1, 1)
        if not events or events[0].id != position:
            return None
        return index, leaf_bytes(logged_event(self.mapper, events[0]))

    def receipt(self, position: int, signer: Signer) -> dict[str, Any] | None:
        """The leaf at a position, its inclusion proof, and a checkpoint whose
        tree holds it: all that proves it is in the signed log."""
        found = self.leaf_at(position)
        if found is None:
            return None
        index, leaf = found
        head = self.head()
        hashes = self.inclusion(index, head.size)
        return {
            "leaf": base64.b64encode(leaf).decode(),
            "index": index,
            "inclusion": {
                "index": index,
                "size": head.size,
                "hashes": [h.hex() for h in hashes],
            },
            "checkpoint": Checkpoint(signer.name, head.size, head.root).signed(signer),
        }

    def seals(self, inspection_id: str) -> list[Seal]:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.seals_of(c, inspection_id)

    # --- the whole check ------------------------------------------------------------

    def verify(
        self, checkpoints: Sequence[str] = (), verifier: Verifier | None = None
    ) -> Report:
        """Walks the whole log: every event against its leaf, every stored node
        against the leaves below it, the head, and each checkpoint given."""
        report = Report()
        levels: list[list[bytes]] = [[]]
        leaves = levels[0]
        positions: list[int] = []  # of each leaf, to name where a node breaks
        try:
            if self._leaves_match_events(report, leaves, positions) is not None:
                return report
        except Exception as error:  # unreadable bytes are a break too
            return report.broken(
                report.position, f"the stored event is unreadable: {error}"
            )
        report.events = len(leaves)
        if not self._nodes_match_leaves(report, levels, positions):
            return report
        mapping = _Levels(levels)
        report.root = merkle.root_from(len(leaves), mapping)
        head = self.head()
        compact = CompactRange.from_bytes(
            len(leaves), b"".join(mapping[n] for n in merkle.root_nodes(len(leaves)))
        )
        if head.size != len(leaves) or head.compact.to_bytes() != compact.to_bytes():
            return report.broken(None, "the tree's head does not match its leaves")
        for note in checkpoints:
            if self._checkpoint_broken(report, note, verifier, mapping):
                return report
        with self.datastore.transaction(commit=False) as c:
            seals = list(self.tree.all_seals(c))
        for seal in seals:
            if seal.size > len(leaves) or Checkpoint.from_text(
                seal.note.rpartition("\n\n")[0] + "\n"
            ).root != merkle.root_from(seal.size, mapping):
                return report.broken(
                    positions[seal.size - 1] if seal.size <= len(leaves) else None,
                    f"the seal of {seal.day} does not match the log",
                )
        return report

    def _leaves_match_events(
        self, report: Report, leaves: list[bytes], positions: list[int]
    ) -> Report | None:
        events = self._all_events()
        stored = self._all_leaves()
        event = next(events, None)
        leaf = next(stored, None)
        while event is not None or leaf is not None:
            if leaf is None or (event is not None and event.id < leaf[1]):
                assert event is not None
                return report.broken(
                    event.id,
                    "an event with no leaf: a row added to the log outside the tree",
                )
            if event is None or leaf[1] < event.id:
                return report.broken(
                    leaf[1],
                    f"leaf {leaf[0]} names an event that is missing: "
                    "a row deleted from the log",
                )
            index, position, hashed = leaf
            report.position = position
            if index != len(leaves):
                return report.broken(position, f"leaf index {len(leaves)} is missing")
            computed = merkle.leaf_hash(leaf_bytes(logged_event(self.mapper, event)))
            if computed != hashed:
                return report.broken(
                    position,
                    f"altered content: the event does not match leaf {index}'s hash",
                )
            leaves.append(computed)
            positions.append(position)
            event, leaf = next(events, None), next(stored, None)
        report.position = None
        return None

    def _nodes_match_leaves(
        self, report: Report, levels: list[list[bytes]], positions: list[int]
    ) -> bool:
        level = 0
        while len(levels[level]) > 1:
            below = levels[level]
            above = [
                merkle.node_hash(below[i], below[i + 1])
                for i in range(0, len(below) - 1, 2)
            ]
            levels.append(above)
            level += 1
            stored = self._all_level(level)
            for i, computed in enumerate(above):
                found = next(stored, None)
                if found != (i, computed):
                    first = positions[i << level]
                    report.broken(
                        first,
                        f"stored node ({level}, {i}) does not match the leaves "
                        "below it",
                    )
                    return False
            if next(stored, None) is not None:
                report.broken(None, f"an extra stored node at level {level}")
                return False
        return True

    def _checkpoint_broken(
        self, report: Report, note: str, verifier: Verifier | None, mapping: _Levels
    ) -> bool:
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
        if size and merkle.root_from(size, mapping) != checkpoint.root:
            report.broken(
                None,
                f"not consistent with the checkpoint of size {size}: "
                f"its first {size} events were rewritten",
            )
            return True
        report.checkpoints.append(f"consistent with checkpoint of size {size}")
        return False

    def _all_events(self) -> Iterator[Notification]:
        after = 0
        while True:
            with self.datastore.transaction(commit=False) as c:
                page = self.tree.events_after(c, after, PAGE)
            if not page:
                return
            yield from page
            after = page[-1].id

    def _all_leaves(self) -> Iterator[tuple[int, int, bytes]]:
        after = -1
        while True:
            with self.datastore.transaction(commit=False) as c:
                page = self.tree.leaves_page(c, after, PAGE)
            if not page:
                return
            yield from page
            after = page[-1][0]

    def _all_level(self, level: int) -> Iterator[tuple[int, bytes]]:
        after = -1
        while True:
            with self.datastore.transaction(commit=False) as c:
                page = self.tree.level_page(c, level, after, PAGE)
            if not page:
                return
            yield from page
            after = page[-1][0]


class _Levels:
    """Recomputed levels, read as (level, index) -> hash."""

    def __init__(self, levels: list[list[bytes]]) -> None:
        self.levels = levels

    def __getitem__(self, node: Node) -> bytes:
        return self.levels[node[0]][node[1]]
