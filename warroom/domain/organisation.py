"""Organisations: each council is one; users and inspections belong to one.

All organisations are listed in one aggregate with a fixed id, so that "the
first organisation" is one read away: users and inspections stored before
organisations existed (no `organisation_id`) belong to it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class Organisations(Aggregate):
    """Every organisation of the database, in the order they were added."""

    @staticmethod
    def create_id() -> UUID:
        return derived_id("organisations")

    @event("OrganisationsStarted")
    def __init__(self, meta: dict[str, Any]) -> None:
        self.names: dict[str, str] = {}

    def add(self, name: str, ctx: Context) -> str:
        if name in self.names.values():
            raise RuleBroken(
                "organisation_name_unique", f"there is already an organisation {name!r}"
            )
        organisation_id = str(uuid4())
        self._added(organisation_id=organisation_id, name=name, meta=ctx.meta())
        return organisation_id

    @property
    def first(self) -> str | None:
        """The organisation that owns whatever was stored without one."""
        return next(iter(self.names), None)

    @event("OrganisationAdded")
    def _added(self, organisation_id: str, name: str, meta: dict[str, Any]) -> None:
        self.names[organisation_id] = name
