"""One command on its way through: who sends it, what it loads, what it saves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from warroom.application import WarRoom
from warroom.domain.base import Context, NotFound, RuleBroken, VersionMismatch
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Slot
from warroom.guards import Unchanged

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
    # Staged things that other commands append to at the same moment (a
    # count): a conflict on one runs the command again, rather than
    # refusing it (`commands.executor`).
    retry_on_conflict: list[UUID] = field(default_factory=list)
    # The thing whose id and version the response names, and anything extra.
    changed: Aggregate | None = None
    result_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    _inspection: Inspection | None = None
    # Whether `_inspection` is the shared read-only copy (see `guards`).
    _inspection_read_only: bool = False

    def inspection(self) -> Inspection:
        """The command's inspection, open; to read, never to change.

        The copy this process last saw (no round trip, no lock): the save
        checks in its own transaction that it is still the latest (`guards`).
        """
        if self._inspection is None:
            assert self.inspection_id is not None
            inspection = self.app.read_only(Inspection, self.inspection_id)
            self._inspection = _open(inspection)
            self._inspection_read_only = True
        return self._inspection

    def organisation(self) -> str | None:
        """Whose record the command's events join (`warroom.evidence.tree`):
        its inspection's council when it names one (the console acts for
        any), else the actor's."""
        if self.inspection_id is None:
            return self.organisation_id
        return self.app.read_only(Inspection, self.inspection_id).organisation_id

    def changed_inspection(self) -> Inspection:
        """The inspection, when it is the thing changed, checked against `If-Match`."""
        if self._inspection is None or self._inspection_read_only:
            assert self.inspection_id is not None
            self._inspection = _open(self.app.load(Inspection, self.inspection_id))
            self._inspection_read_only = False
        return self._matching(self._inspection)

    def refused_on_a_stale_copy(self) -> bool:
        """Whether the read-only inspection a refusal may rest on was stale
        (another process changed it): then the command runs again. Asked only
        when a command is refused, so that a refusal costs the round trip
        that an accepted command saves."""
        read = self._inspection
        if read is None or not self._inspection_read_only:
            return False
        return self.app.load(Inspection, read.id).version != read.version

    def guards(self) -> list[Unchanged]:
        """What the save must find unchanged: the inspection, if the command
        relied on the read-only copy and does not save the inspection itself
        (whose own version is then checked, as every saved thing's is)."""
        read = self._inspection
        if read is None or not self._inspection_read_only:
            return []
        if any(a.id == read.id for a in self.staged):
            return []
        return [Unchanged(read.id, read.version)]

    def target(self, cls: type[A]) -> A:
        """The thing named in the path, checked against `If-Match`."""
        assert self.target_id is not None
        return self._matching(self.load(cls, self.target_id))

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


def _open(inspection: Inspection) -> Inspection:
    if inspection.is_closed:
        raise RuleBroken(
            "inspection_closed",
            "the inspection is closed: its log can be read, not changed",
        )
    return inspection
