"""The live server's check of its log against its tree, a round at a time.

Each round, in one read transaction (on the read-only log,
`warroom.evidence.readonly`):

- the head: the tree's last leaf must name an event the log still has
  (`MAX(position)` below it: rows deleted from the end), and the first event
  past it must have its leaf (else a row was added outside the tree);
- the front: every leaf added since the last round, with its event: the
  same events the read side folds, each decoded and hashed once;
- the rolling pass: `rolling` older leaves, from the first to the front and
  round again, so that an event altered, swapped or deleted after it was
  first checked is found too (`WARROOM_LOG_CHECK_ROLLING` a round, 250 by
  default: a million events take about 70 minutes a pass, for about 10 ms
  of work a second; each leaf checked costs about what its append did).

A leaf whose event is missing, an event that does not hash to its leaf, a
leaf index skipped, an event with no leaf: `LogBroken`, naming the position.
Appends check the other case themselves (`broken.refuse_taken`).

Checking only reads, never locks, and costs one hash per new event: the
appends' own cost is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Mapper, Notification

from warroom.decoding import logged_event
from warroom.evidence.broken import LogBroken
from warroom.evidence.leaf import leaf_matching
from warroom.evidence.tree import FIRST, Cursor, Head, Tree

# The most new leaves one round checks (the rest wait for the next round).
FRONT_MOST = 20_000


@dataclass
class Mark:
    """How far a pass has checked: the last leaf's index and position."""

    index: int = -1
    position: int = 0


class Sentinel:
    """Checks each council's tree (`warroom.evidence.tree`) in turn: every
    event of the log is a leaf of exactly one of them, so the ends are
    checked over all trees together and the windows tree by tree."""

    def __init__(
        self, tree: Tree, datastore: Any, mapper: Mapper[Any], rolling: int = 1000
    ) -> None:
        self.tree, self.datastore, self.mapper = tree, datastore, mapper
        self.rolling = rolling
        # Per tree: set at its head on the first round that sees it.
        self.front: dict[str, Mark] = {}
        self.behind: dict[str, Mark] = {}
        self.rounds = 0

    def check(self) -> None:
        """One round; LogBroken if the log disagrees with its tree."""
        with self.datastore.transaction(commit=False) as c:
            if self.tree.kind == "postgresql":  # one snapshot, as SQLite's
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            self._round(c)
        self.rounds += 1

    def _round(self, c: Cursor) -> None:
        heads = self._heads(c)
        self._ends(c, heads)
        for key, head in heads.items():
            if key not in self.front:  # this process checks what is added from now
                self.front[key] = Mark(head.size - 1, head.last_position)
            front = self.front[key] = self._window(c, key, self.front[key], FRONT_MOST)
            if self.rolling:
                behind = self._window(
                    c, key, self.behind.get(key, Mark()), self.rolling
                )
                # Round again from the first leaf once the pass meets the front.
                self.behind[key] = Mark() if behind.index >= front.index else behind

    def _heads(self, c: Cursor) -> dict[str, Head]:
        keys = self.tree.trees(c)
        if FIRST not in keys:
            raise LogBroken("the tree's head is missing: the tree was removed")
        return self.tree.heads(c, keys)

    def _ends(self, c: Cursor, heads: dict[str, Head]) -> None:
        c.execute(
            f"SELECT MAX({self.tree.position_column}) AS position "
            f"FROM {self.tree.events_table}"
        )
        found = c.fetchone()
        last_event = int(found["position"] or 0) if found is not None else 0
        for head in heads.values():
            if last_event < head.last_position:
                raise LogBroken(
                    f"a tree's last leaf ({head.size - 1}) names position "
                    f"{head.last_position}, past the log's last event "
                    f"({last_event}): rows were deleted from the end of the log",
                    head.last_position,
                )
        for key, head in heads.items():
            beyond = self.tree.leaf_from(c, head.size, key)
            if beyond is not None:
                raise LogBroken(
                    f"a tree's head holds {head.size} leaves, but leaf "
                    f"{head.size} exists (at position {beyond}): the head was "
                    "rolled back",
                    beyond,
                )
        last_leaf = max(head.last_position for head in heads.values())
        past = self.tree.events_after(c, last_leaf, 1)
        if past and self.tree.leaf_at(c, past[0].id) is None:
            # Read after the event: an append's leaf commits with its event.
            raise LogBroken(
                f"the event at position {past[0].id} has no leaf: a row added "
                "to the log outside the tree",
                past[0].id,
            )

    def _window(self, c: Cursor, key: str, after: Mark, most: int) -> Mark:
        """The next `most` leaves of a tree after `after`, each against its
        event (the tree's own events, and any event with no leaf at all)."""
        leaves = self.tree.leaves_page(c, after.index, most, key)
        if not leaves:
            return after
        # Positions up to the last leaf read are all committed: an append
        # takes its position and commits under the appends' lock.
        events = self.tree.events_after(c, after.position, len(leaves), key)
        for j, (index, position, hashed) in enumerate(leaves):
            if index != after.index + 1 + j:
                raise LogBroken(
                    f"leaf index {after.index + 1 + j} is missing", position
                )
            event = events[j] if j < len(events) else None
            if event is None or event.id > position:
                raise LogBroken(
                    f"leaf {index} names the event at position {position}, which "
                    "is missing: a row deleted from the log",
                    position,
                )
            if event.id < position:
                raise LogBroken(
                    f"the event at position {event.id} has no leaf: a row added "
                    "to the log outside the tree",
                    event.id,
                )
            if not self._matches(event, index, hashed):
                raise LogBroken(
                    f"the event at position {position} does not hash to leaf "
                    f"{index}: it was altered or swapped where stored",
                    position,
                )
        index, position, _ = leaves[-1]
        return Mark(index, position)

    def _matches(self, event: Notification, index: int, hashed: bytes) -> bool:
        """Whether the event hashes to its leaf, in either leaf version
        (`warroom.evidence.leaf`; `warroom verify` holds each tree to its
        versions' order, this check a window at a time does not)."""
        try:
            read = logged_event(self.mapper, event)
        except Exception as error:  # bytes no key reads: altered too
            raise LogBroken(
                f"the event at position {event.id} cannot be read: {error}", event.id
            ) from None
        return leaf_matching(read, index, hashed) is not None
