"""What `warroom tree backfill` did, as checkpoints, receipts and `verify`
tell it: positions before it are proven only from that moment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from warroom.logged import LoggedEvent

TREE_BACKFILLED = "TreeBackfilled"


@dataclass(frozen=True)
class Backfilled:
    first_position: int
    last_position: int
    leaves: int
    at: str  # when the leaves were made (the event's own timestamp), ISO 8601
    by: str

    @classmethod
    def of(cls, event: LoggedEvent) -> Backfilled:
        return cls(
            first_position=int(event.data["first_position"]),
            last_position=int(event.data["last_position"]),
            leaves=int(event.data["leaves"]),
            at=event.recorded_iso,
            by=event.actor_name or event.actor,
        )

    def covers(self, position: int) -> bool:
        return position <= self.last_position

    def words(self) -> str:
        return (
            f"positions {self.first_position}-{self.last_position} were stored "
            f"before the tree was kept; their leaves were made by `warroom tree "
            f"backfill` at {self.at} (by {self.by}): they are proven only from "
            "that moment"
        )

    def extension(self) -> str:
        """A checkpoint's extension line (C2SP tlog-checkpoint): one line."""
        return (
            f"warroom-backfilled {self.first_position}-{self.last_position} "
            f"proven-from {self.at} by {' '.join(self.by.split())}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "first_position": self.first_position,
            "last_position": self.last_position,
            "leaves": self.leaves,
            "at": self.at,
            "by": self.by,
            "note": self.words(),
        }
