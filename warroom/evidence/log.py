"""The verifiable log as the server and the command line use it: heads,
checkpoints, proofs, receipts, and the full check (an old log's backfill is
`warroom.evidence.backfill`, run only by `warroom tree backfill`)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Mapper

from warroom.decoding import logged_event
from warroom.domain.tree_backfill import TreeBackfill
from warroom.evidence import merkle
from warroom.evidence.backfilled import Backfilled
from warroom.evidence.leaf import leaf_bytes
from warroom.evidence.notes import Checkpoint, Signer, Verifier
from warroom.evidence.tree import Head, Seal, Tree
from warroom.evidence.walk import Progress, Report, Walk
from warroom.logged import LoggedEvent

PAGE = 5000


class OutOfRange(ValueError):
    """A proof asked of a tree the log does not (yet) have."""


class VerifiableLog:
    def __init__(self, recorder: Any, mapper: Mapper[Any]) -> None:
        self.tree: Tree = recorder.tree
        self.datastore = recorder.datastore
        self.mapper = mapper
        self.events_table = self.tree.events_table
        self.recorder = recorder
        self._backfilled: tuple[Backfilled | None] | None = None

    # --- reading ------------------------------------------------------------------

    def head(self) -> Head:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.head(c)

    def checkpoint(self, signer: Signer) -> str:
        return self.checkpoint_of(self.head(), signer)

    def checkpoint_of(self, head: Head, signer: Signer) -> str:
        """A signed checkpoint of `head`; one of a backfilled log says, in an
        extension line, which positions are proven only from when."""
        backfilled = self.backfilled()
        extensions = (backfilled.extension(),) if backfilled else ()
        return Checkpoint(signer.name, head.size, head.root, extensions).signed(signer)

    def backfilled(self) -> Backfilled | None:
        """What `warroom tree backfill` did to this log, if it ever ran
        (looked up once: it runs on a log no server can serve before it)."""
        if self._backfilled is None:
            found = None
            stored = self.recorder.select_events(TreeBackfill.create_id(), limit=1)
            if stored:
                event = self.mapper.to_domain_event(stored[0])
                found = Backfilled.of(LoggedEvent.from_domain_event(event, 0))
            self._backfilled = (found,)
        return self._backfilled[0]

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
        answer: dict[str, Any] = {
            "leaf": base64.b64encode(leaf).decode(),
            "index": index,
            "inclusion": {
                "index": index,
                "size": head.size,
                "hashes": [h.hex() for h in hashes],
            },
            "checkpoint": self.checkpoint_of(head, signer),
        }
        backfilled = self.backfilled()
        if backfilled is not None and backfilled.covers(position):
            answer["backfilled"] = backfilled.to_json()
        return answer

    def seals(self, inspection_id: str) -> list[Seal]:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.seals_of(c, inspection_id)

    # --- the whole check ------------------------------------------------------------

    def verify(
        self,
        checkpoints: Sequence[str] = (),
        verifier: Verifier | None = None,
        progress: Progress | None = None,
    ) -> Report:
        """Walks the whole log (`warroom.evidence.walk`): every event against
        its leaf, every stored node against the leaves below it, the head, the
        stored seals, and each checkpoint given."""
        with self.datastore.transaction(commit=False) as c:
            return Walk(self.tree, self.mapper, c, progress).run(checkpoints, verifier)
