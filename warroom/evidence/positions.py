"""Each council's own positions, and the log's behind them (issue 22, finding 11).

The database keeps one log for every council that shares it; its positions
(the events table's notification ids) number all their events together, so a
council reading them sees, by their gaps, how many events the others stored.
What a council's roles read, send and resume from is to be its own count
instead, and the log's positions to stay inside the server.

The design (`OwnPositions` maps; the routes are to call it at their edges):

- A council's position `n` (1, 2, 3..., no gaps) is its `n`th event: the
  event at leaf index `n - 1` of its tree (`warroom.evidence.tree`); 0 is
  before its first. The leaves table already maps one to the other, row by
  row: (tree, leaf_index) is its primary key, position is unique.
- Coming in (`after=`, `Last-Event-ID`, `at=`, `min_position=`): `n` is
  turned into the log's position of that leaf (`to_log`); a number past the
  council's last event is past the end of its log (as past the log's end is
  today).
- Going out (an event's `position`, an SSE `id`, a command answer's
  `position`, a read answer's `position`, `/events`'s `next`): the log's
  position `p` is turned into the count of the council's events at or below
  it (`to_own`), which is its leaf index + 1 when `p` is its own event and,
  when `p` is another council's (a read model's position is the last event
  folded, whoever's), the count of its own before it: what the council reads
  then never depends on how many events others stored.
- Leaves of version 2 (`warroom.evidence.leaf`) carry the same own position,
  so a receipt's leaf and the answers that named its event agree.
- One council (the default): its tree holds every event, so its own positions
  are the log's wherever the log has no gap (SQLite; PostgreSQL skips a
  number when an append is refused after it took one: there the own count
  has no gap where the log's had one).
- Time travel by instant (`as_of`, `happened_by`) is unaffected.
"""

from __future__ import annotations

from typing import Any

from warroom.evidence.tree import Cursor, Tree


class OwnPositions:
    """Maps a council's own positions to the log's and back, reading the
    leaves table (one index lookup each way)."""

    def __init__(self, tree: Tree, datastore: Any) -> None:
        self.tree, self.datastore = tree, datastore
        p, leaves = tree.p, tree.leaves
        self._to_log = (
            f"SELECT position FROM {leaves} WHERE tree = {p} AND leaf_index = {p}"
        )
        # The council's last leaf at or below a log position: its own
        # position there (its leaves' indexes rise with their positions).
        self._to_own = (
            f"SELECT leaf_index FROM {leaves} WHERE tree = {p} AND position <= {p} "
            "ORDER BY position DESC LIMIT 1"
        )

    def to_log(self, key: str, own: int) -> int | None:
        """The log's position of the council's `own`th event (0: 0); None
        past its last event."""
        if own <= 0:
            return 0
        with self.datastore.transaction(commit=False) as c:
            return self.to_log_in(c, key, own)

    def to_log_in(self, c: Cursor, key: str, own: int) -> int | None:
        if own <= 0:
            return 0
        c.execute(self._to_log, (key, own - 1))
        row = c.fetchone()
        return None if row is None else int(row["position"])

    def to_own(self, key: str, position: int) -> int:
        """How many of the council's events lie at or below the log's
        `position`: the council's own position there."""
        with self.datastore.transaction(commit=False) as c:
            return self.to_own_in(c, key, position)

    def to_own_in(self, c: Cursor, key: str, position: int) -> int:
        if position <= 0:
            return 0
        c.execute(self._to_own, (key, position))
        row = c.fetchone()
        return 0 if row is None else int(row["leaf_index"]) + 1
