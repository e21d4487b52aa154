"""An inspection's distribution list: who the daily blog is emailed to.

One list per inspection, its id derived from the inspection's, so that two
first additions racing each other meet the library's optimistic concurrency.
An address is on the list once, whatever its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, RuleBroken, derived_id


def same_address(email: str) -> str:
    return email.strip().casefold()


@dataclass(frozen=True)
class Listed:
    name: str
    email: str
    group: str | None


class DistributionList(Aggregate):
    @staticmethod
    def create_id(inspection_id: str) -> UUID:
        return derived_id("distribution", inspection_id)

    @event("DistributionListStarted")
    def __init__(self, inspection_id: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
        # Address as compared -> {name, email, group}, in the order added.
        self.recipients: dict[str, Listed] = {}

    def add(self, name: str, email: str, group: str | None, ctx: Context) -> None:
        if same_address(email) in self.recipients:
            raise RuleBroken(
                "recipient_listed_once", f"{email} is already on the distribution list"
            )
        self._added(name=name, email=email, group=group, meta=ctx.meta())

    def remove(self, email: str, ctx: Context) -> None:
        listed = self.recipients.get(same_address(email))
        if listed is None:
            raise NotFound(f"{email} is not on the distribution list")
        self._removed(email=listed.email, meta=ctx.meta())

    def addresses(self) -> list[str]:
        return [r.email for r in self.recipients.values()]

    @event("RecipientAdded")
    def _added(
        self, name: str, email: str, group: str | None, meta: dict[str, Any]
    ) -> None:
        self.recipients[same_address(email)] = Listed(name, email, group)

    @event("RecipientRemoved")
    def _removed(self, email: str, meta: dict[str, Any]) -> None:
        del self.recipients[same_address(email)]
