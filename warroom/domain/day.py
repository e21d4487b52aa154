"""A day of an inspection, closed: the moment its record is sealed.

Closing a day stores `DayClosed`; in the same transaction the log's tree is
signed as it stands right after that event (`warroom.evidence.tree`), and
that day's blog prints the signed checkpoint, so copies of it leave the
database. A day is closed once: its id is derived from the inspection and the
day, so a second close fails on the library's optimistic concurrency.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import derived_id


class ClosedDay(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, day: str) -> UUID:
        return derived_id("closed-day", inspection_id, day)

    class DayClosed(Aggregate.Created):
        """Version 2 says why a day was closed before its last meeting ended
        (None: it was not, or it was closed before the reason was asked)."""

        inspection_id: str
        day: str
        meta: dict[str, Any]
        early_reason: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["early_reason"] = None

    @event(DayClosed)
    def __init__(
        self,
        inspection_id: str,
        day: str,
        meta: dict[str, Any],
        early_reason: str | None = None,
    ) -> None:
        self.inspection_id = inspection_id
        self.day = day
        self.early_reason = early_reason
