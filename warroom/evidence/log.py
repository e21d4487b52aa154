"""The verifiable log as the server and the command line use it: heads,
checkpoints, proofs, receipts, and the full check (an old log's backfill is
`warroom.evidence.backfill`, run only by `warroom tree backfill`).

Every reading is of one organisation's tree (`warroom.evidence.tree`), named
by its key (`WarRoom.tree_of(organisation_id)`; `''`, the first's, by
default, which is the whole log's tree of a database with one council):
nothing read through one tree says anything of another's, its size included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Mapper

from warroom.decoding import logged_event
from warroom.domain.tree_backfill import TreeBackfill
from warroom.evidence import merkle
from warroom.evidence.backfilled import Backfilled
from warroom.evidence.leaf import leaf_bytes, leaf_matching
from warroom.evidence.names import Locate, naming_positions
from warroom.evidence.notes import Checkpoint, Signer, Verifier
from warroom.evidence.tree import FIRST, Head, Seal, Tree, signer_for
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
        # Finds a stored event's position (set by the application): without
        # it a receipt carries no names.
        self.locate: Locate | None = None

    # --- reading: each organisation's tree alone (`tree`: its key) -----------------

    def head(self, tree: str = FIRST) -> Head:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.head(c, tree)

    def trees(self) -> list[str]:
        """Every tree's key, the first organisation's (`''`) first."""
        with self.datastore.transaction(commit=False) as c:
            return self.tree.trees(c)

    def checkpoint(self, signer: Signer, tree: str = FIRST) -> str:
        return self.checkpoint_of(self.head(tree), signer, tree)

    def checkpoint_of(self, head: Head, signer: Signer, tree: str = FIRST) -> str:
        """A signed checkpoint of `head`, of `tree`'s log under its own origin;
        one of a backfilled log says, in an extension line, which positions
        are proven only from when (a backfill fills the first's tree alone)."""
        backfilled = self.backfilled() if tree == FIRST else None
        extensions = (backfilled.extension(),) if backfilled else ()
        own = signer_for(signer, tree)
        return Checkpoint(own.name, head.size, head.root, extensions).signed(own)

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

    def root_at(self, size: int, tree: str = FIRST) -> bytes:
        self._within(size, tree)
        with self.datastore.transaction(commit=False) as c:
            nodes = self.tree.read_nodes(c, set(merkle.root_nodes(size)), tree)
        return merkle.root_from(size, nodes)

    def inclusion(self, index: int, size: int, tree: str = FIRST) -> list[bytes]:
        self._within(size, tree)
        if not 0 <= index < size:
            raise OutOfRange(f"index {index} is not in a tree of size {size}")
        return self._hashes(merkle.inclusion_ranges(index, size), tree)

    def consistency(self, old: int, new: int, tree: str = FIRST) -> list[bytes]:
        self._within(new, tree)
        if not 1 <= old <= new:
            raise OutOfRange(f"no consistency proof from {old} to {new}")
        return self._hashes(merkle.consistency_ranges(old, new), tree)

    def _within(self, size: int, tree: str) -> None:
        have = self.head(tree).size
        if not 1 <= size <= have:
            raise OutOfRange(f"the log's tree has sizes 1 to {have}, not {size}")

    def _hashes(self, ranges: list[tuple[int, int]], tree: str) -> list[bytes]:
        with self.datastore.transaction(commit=False) as c:
            nodes = self.tree.read_nodes(c, merkle.nodes_for(ranges), tree)
        return merkle.hash_ranges(ranges, nodes)

    def leaf_at(self, position: int) -> tuple[int, bytes] | None:
        """The leaf index (in its tree) and bytes of the event at a position."""
        found = self.placed(position)
        return None if found is None else found[1:]

    def placed(self, position: int) -> tuple[str, int, bytes] | None:
        """The tree, leaf index and bytes of the event at a log position."""
        with self.datastore.transaction(commit=False) as c:
            found = self.tree.stored_leaf_at(c, position)
            if found is None:
                return None
            events = self.tree.events_after(c, position - 1, 1)
        if not events or events[0].id != position:
            return None
        tree, index, hashed = found
        event = logged_event(self.mapper, events[0])
        # In the version its stored hash was made in (`warroom.evidence.leaf`);
        # an event that matches neither is given as it now reads, version 2,
        # and its proof fails wherever it is checked.
        leaf = leaf_matching(event, index, hashed) or leaf_bytes(event, index)
        return tree, index, leaf

    def receipt(
        self, position: int, signer: Signer, tree: str | None = None
    ) -> dict[str, Any] | None:
        """The leaf at a position, its inclusion proof, and a checkpoint of
        its organisation's tree that holds it: all that proves it is in that
        signed log (None if it is not in `tree`, when one is named)."""
        found = self.placed(position)
        if found is None or (tree is not None and found[0] != tree):
            return None
        own, index, leaf = found
        head = self.head(own)
        hashes = self.inclusion(index, head.size, own)
        answer: dict[str, Any] = {
            "leaf": base64.b64encode(leaf).decode(),
            "index": index,
            "inclusion": {
                "index": index,
                "size": head.size,
                "hashes": [h.hex() for h in hashes],
            },
            "checkpoint": self.checkpoint_of(head, signer, own),
            "names": self._names(leaf, head.size, own),
        }
        backfilled = self.backfilled()
        if own == FIRST and backfilled is not None and backfilled.covers(position):
            answer["backfilled"] = backfilled.to_json()
        return answer

    def _names(self, leaf: bytes, size: int, tree: str) -> list[dict[str, Any]]:
        """The leaves that name the hand-over's inspector, actor and request,
        each proven in the same tree of `size` (`warroom.evidence.names`);
        a naming event of another tree, or after `size`, is left out."""
        if self.locate is None:
            return []
        event = json.loads(leaf)
        found = []
        for position in naming_positions(
            event, self.recorder, self.mapper, self.locate
        ):
            placed = self.placed(position)
            if placed is None or placed[0] != tree or placed[1] >= size:
                continue
            _, index, named = placed
            hashes = self.inclusion(index, size, tree)
            found.append(
                {
                    "leaf": base64.b64encode(named).decode(),
                    "index": index,
                    "inclusion": {
                        "index": index,
                        "size": size,
                        "hashes": [h.hex() for h in hashes],
                    },
                }
            )
        return found

    def seals(self, inspection_id: str) -> list[Seal]:
        with self.datastore.transaction(commit=False) as c:
            return self.tree.seals_of(c, inspection_id)

    # --- the whole check ------------------------------------------------------------

    def verify(
        self,
        checkpoints: Sequence[str] = (),
        verifier: Verifier | None = None,
        progress: Progress | None = None,
        tree: str = FIRST,
    ) -> Report:
        """Walks one organisation's whole log (`warroom.evidence.walk`): every
        event of its tree against its leaf, every stored node against the
        leaves below it, the head, the stored seals, and each checkpoint
        given. Events of no tree (a row added outside) break every tree's."""
        with self.datastore.transaction(commit=False) as c:
            walk = Walk(self.tree, self.mapper, c, progress, tree)
            return walk.run(checkpoints, verifier)
