"""One command on its way through: who sends it, what it loads, what it saves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from warroom.application import WarRoom
from warroom.domain.base import Context, NotFound, RuleBroken, VersionMismatch
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Slot

A = TypeVar("A", bound=Aggregate)

# The other meetings of an inspection, for the clash warnings.
Calendar = Callable[[str], list[Slot]]


@dataclass(frozen=True)
class Actor:
    """The signed-in user a command comes from."""

    id: str
    name: str
    role: str
    # Their organisation (None while the database has none), the inspections
    # an admin limited them to (None: all of it), and when their token expires.
    organisation_id: str | None = None
    inspection_ids: frozenset[str] | None = None
    expires_at: datetime | None = None


@dataclass
class Run:
    """What a handler may load, and what it stages to be saved in one go."""

    app: WarRoom
    ctx: Context
    role: str = ""
    organisation_id: str | None = None
    inspection_id: str | None = None
    target_id: str | None = None
    # A part of the target the path names after it (a KIT action's number).
    part: str | None = None
    if_match: int | None = None
    calendar: Calendar | None = None
    staged: list[Aggregate] = field(default_factory=list)
    # The thing whose id and version the response names, and anything extra.
    changed: Aggregate | None = None
    result_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _inspection: Inspection | None = None

    def inspection(self) -> Inspection:
        if self._inspection is None:
            assert self.inspection_id is not None
            inspection = self.app.load(Inspection, self.inspection_id)
            if inspection.is_closed:
                raise RuleBroken(
                    "inspection_closed",
                    "the inspection is closed: its log can be read, not changed",
                )
            self._inspection = inspection
        return self._inspection

    def target(self, cls: type[A]) -> A:
        """The thing named in the path, checked against `If-Match`."""
        assert self.target_id is not None
        return self._matching(self.load(cls, self.target_id))

    def changed_inspection(self) -> Inspection:
        """The inspection, when it is the thing changed, checked against `If-Match`."""
        return self._matching(self.inspection())

    def _matching(self, aggregate: A) -> A:
        if self.if_match is not None and aggregate.version != self.if_match:
            raise VersionMismatch(self.if_match, aggregate.version)
        return aggregate

    def load(self, cls: type[A], aggregate_id: str) -> A:
        """A thing of this inspection; one of another inspection is not found."""
        aggregate = self.app.load(cls, aggregate_id)
        self.inspection()
        if str(getattr(aggregate, "inspection_id", "")) != self.inspection_id:
            raise NotFound(f"no such thing in this inspection: {aggregate_id}")
        return aggregate

    def stage(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            if aggregate not in self.staged:
                self.staged.append(aggregate)

    def answer_with(self, aggregate: Aggregate, result_id: str | None = None) -> None:
        """Stage the changed thing and name it in the response."""
        self.stage(aggregate)
        self.changed = aggregate
        self.result_id = result_id
