"""A key line of enquiry (KLOE): raised at kick-off or a KIT, open until answered."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken


class LineOfEnquiry(Aggregate):
    @event("LineOfEnquiryRaised")
    def __init__(
        self,
        inspection_id: str,
        title: str,
        owner: str | None,
        raised_at_meeting: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.title = title
        self.answered = False

    def answer(self, response: str, ctx: Context) -> None:
        if self.answered:
            raise RuleBroken(
                "answer_once", "this line of enquiry has already been answered"
            )
        self._answered(response=response, meta=ctx.meta())

    def require_open(self, action: str) -> None:
        """Refuses `action` on a line already answered: it is closed."""
        if self.answered:
            raise RuleBroken(
                "line_of_enquiry_open",
                f"the line of enquiry {self.title!r} has been answered: "
                f"cannot {action} it",
            )

    def assign_owner(self, owner: str, ctx: Context) -> None:
        """Who follows the line up; an answered line is closed, its owner kept."""
        if self.answered:
            raise RuleBroken(
                "owner_while_open",
                "this line of enquiry has been answered: its owner cannot change",
            )
        self._owner_assigned(owner=owner, meta=ctx.meta())

    @event("LineOfEnquiryOwnerAssigned")
    def _owner_assigned(self, owner: str, meta: dict[str, Any]) -> None:
        pass

    @event("LineOfEnquiryAnswered")
    def _answered(self, response: str, meta: dict[str, Any]) -> None:
        self.answered = True
