"""An inspection's distribution list: who the daily blog is emailed to.

One list per inspection, its id derived from the inspection's, so that two
first additions racing each other meet the library's optimistic concurrency.
An address is on the list once, whatever its case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, RuleBroken, derived_id

# Who a recipient reads the blog as (issue 24): the war room's own people get
# its internals; partners (police, health, education, councillors) get the
# headline, the meetings, tomorrow's schedule and the seal.
Audience = Literal["war_room", "partners"]
AUDIENCES: tuple[str, ...] = get_args(Audience)
WAR_ROOM = "war_room"


def same_address(email: str) -> str:
    return email.strip().casefold()


@dataclass(frozen=True)
class Listed:
    name: str
    email: str
    group: str | None
    audience: str = WAR_ROOM


class DistributionList(Aggregate):
    @staticmethod
    def create_id(inspection_id: str) -> UUID:
        return derived_id("distribution", inspection_id)

    @event("DistributionListStarted")
    def __init__(self, inspection_id: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
        # Address as compared -> {name, email, group}, in the order added.
        self.recipients: dict[str, Listed] = {}

    def add(
        self,
        name: str,
        email: str,
        group: str | None,
        ctx: Context,
        audience: str = WAR_ROOM,
    ) -> None:
        if same_address(email) in self.recipients:
            raise RuleBroken(
                "recipient_listed_once", f"{email} is already on the distribution list"
            )
        self._added(
            name=name, email=email, group=group, audience=audience, meta=ctx.meta()
        )

    def remove(self, email: str, ctx: Context) -> None:
        listed = self.recipients.get(same_address(email))
        if listed is None:
            raise NotFound(f"{email} is not on the distribution list")
        self._removed(email=listed.email, meta=ctx.meta())

    def addresses(self) -> list[str]:
        return [r.email for r in self.recipients.values()]

    def listed(self) -> list[Listed]:
        return list(self.recipients.values())

    class RecipientAdded(Aggregate.Event):
        """Version 2 says which copy of the blog the recipient gets; everyone
        added before (version 1) got the war room's, and still does."""

        class_version = 2
        name: str
        email: str
        group: str | None
        audience: str
        meta: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["audience"] = WAR_ROOM

    @event(RecipientAdded)
    def _added(
        self,
        name: str,
        email: str,
        group: str | None,
        audience: str,
        meta: dict[str, Any],
    ) -> None:
        self.recipients[same_address(email)] = Listed(name, email, group, audience)

    @event("RecipientRemoved")
    def _removed(self, email: str, meta: dict[str, Any]) -> None:
        del self.recipients[same_address(email)]
