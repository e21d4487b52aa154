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

from warroom.evidence import merkle
from warroom.evidence.broken import LogBroken
from warroom.evidence.leaf import leaf_of
from warroom.evidence.tree import Cursor, Tree

# The most new leaves one round checks (the rest wait for the next round).
FRONT_MOST = 20_000


@dataclass
class Mark:
    """How far a pass has checked: the last leaf's index and position."""

    index: int = -1
    position: int = 0


class Sentinel:
    def __init__(
        self, tree: Tree, datastore: Any, mapper: Mapper[Any], rolling: int = 1000
    ) -> None:
        self.tree, self.datastore, self.mapper = tree, datastore, mapper
        self.rolling = rolling
        self.front: Mark | None = None  # set at the head on the first round
        self.behind = Mark()
        self.rounds = 0

    def check(self) -> None:
        """One round; LogBroken if the log disagrees with its tree."""
        with self.datastore.transaction(commit=False) as c:
            if self.tree.kind == "postgresql":  # one snapshot, as SQLite's
                c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            self._round(c)
        self.rounds += 1

    def _round(self, c: Cursor) -> None:
        c.execute(self.tree.select_head)
        row = c.fetchone()
        if row is None:
            raise LogBroken("the tree's head is missing: the tree was removed")
        head = self.tree.head_of(row)
        if self.front is None:  # this process checks what is added from now
            self.front = Mark(head.size - 1, head.last_position)
        self._ends(c, head.size, head.last_position)
        self.front = self._window(c, self.front, FRONT_MOST)
        if self.rolling:
            self.behind = self._window(c, self.behind, self.rolling)
            if self.behind.index >= self.front.index:
                self.behind = Mark()  # round again from the first leaf

    def _ends(self, c: Cursor, size: int, last_position: int) -> None:
        c.execute(
            f"SELECT MAX({self.tree.position_column}) AS position "
            f"FROM {self.tree.events_table}"
        )
        found = c.fetchone()
        last_event = int(found["position"] or 0) if found is not None else 0
        if last_event < last_position:
            raise LogBroken(
                f"the tree's last leaf ({size - 1}) names position "
                f"{last_position}, past the log's last event ({last_event}): "
                "rows were deleted from the end of the log",
                last_position,
            )
        beyond = self.tree.leaf_from(c, size)
        if beyond is not None:
            raise LogBroken(
                f"the tree's head holds {size} leaves, but leaf {size} exists "
                f"(at position {beyond}): the head was rolled back",
                beyond,
            )
        past = self.tree.events_after(c, last_position, 1)
        if past and self.tree.leaf_at(c, past[0].id) is None:
            # Read after the event: an append's leaf commits with its event.
            raise LogBroken(
                f"the event at position {past[0].id} has no leaf: a row added "
                "to the log outside the tree",
                past[0].id,
            )

    def _window(self, c: Cursor, after: Mark, most: int) -> Mark:
        """The next `most` leaves after `after`, each against its event."""
        leaves = self.tree.leaves_page(c, after.index, most)
        if not leaves:
            return after
        # Positions up to the last leaf read are all committed: an append
        # takes its position and commits under the appends' lock.
        events = self.tree.events_after(c, after.position, len(leaves))
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
            if self._hash(event, position) != hashed:
                raise LogBroken(
                    f"the event at position {position} does not hash to leaf "
                    f"{index}: it was altered or swapped where stored",
                    position,
                )
        index, position, _ = leaves[-1]
        return Mark(index, position)

    def _hash(self, event: Notification, position: int) -> bytes:
        try:
            return merkle.leaf_hash(leaf_of(self.mapper, event))
        except Exception as error:  # bytes no key reads: altered too
            raise LogBroken(
                f"the event at position {position} cannot be read: {error}", position
            ) from None
