"""A person's briefing: how far through the schedule's changes they have been told.

Staff acknowledge their own agenda; their agenda then marks as new only what
changed after that.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class Briefing(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, person: str) -> UUID:
        return derived_id("briefing", inspection_id, person)

    @event("BriefingOpened")
    def __init__(self, inspection_id: str, person: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
        self.person = person
        self.up_to = 0

    def acknowledge(self, up_to: int, log_head: int, ctx: Context) -> None:
        # Beyond the log's head, it would mark as old changes not yet made,
        # and forbid every later acknowledgement until the log got there.
        if up_to > log_head:
            raise RuleBroken(
                "acknowledge_beyond_log",
                "that would acknowledge changes not yet made: "
                "reload and acknowledge what you have read",
            )
        if up_to < self.up_to:
            raise RuleBroken(
                "acknowledge_forward",
                f"{self.person} has already acknowledged later changes than these",
            )
        self._acknowledged(person=self.person, up_to=up_to, meta=ctx.meta())

    @event("BriefingAcknowledged")
    def _acknowledged(self, person: str, up_to: int, meta: dict[str, Any]) -> None:
        self.up_to = up_to
