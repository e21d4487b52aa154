"""The one time a log written before the Merkle tree was kept got its tree.

`warroom tree backfill` adds a leaf for each event stored before the tree
existed, and stores this event in the same transaction: who did it, which
positions, and when (its own timestamp). Those leaves were made from the
events as they stood then, so they prove nothing about before that moment:
checkpoints, receipts and `warroom verify` say so.

One per log, at a fixed id: a tree that is removed after it was backfilled
is a break, never an old log to backfill again.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import derived_id


class TreeBackfill(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return derived_id("tree-backfill")

    @event("TreeBackfilled")
    def __init__(
        self, first_position: int, last_position: int, leaves: int, meta: dict[str, Any]
    ) -> None:
        self.first_position = first_position
        self.last_position = last_position
        self.leaves = leaves
