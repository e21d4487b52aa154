"""An inspection: its framework, its phase and the inspectors on its roster."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args
from uuid import uuid4

from eventsourcing.domain import event

from warroom.domain import window, words
from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken

Framework = Literal["SIF", "ILACS", "JTAI", "monitoring_visit"]

# The phases in the order they happen; an inspection only moves forward.
Phase = Literal[
    "day1_notification",
    "day2_kick_off",
    "day3_on_site",
    "day4_feedback",
    "week2_off_site",
    "weeks3_4_on_site",
    "closed",
]
PHASES: tuple[str, ...] = get_args(Phase)


class Inspection(Aggregate):
    class InspectionOpened(Aggregate.Created):
        """Version 2 names the inspection's organisation; version 1 had none."""

        title: str
        framework: str
        starts_on: str
        timezone: str
        organisation_id: str | None
        meta: dict[str, Any]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Opened before organisations: the database's first one owns it.
            state["organisation_id"] = None

    @event(InspectionOpened)
    def __init__(
        self,
        title: str,
        framework: str,
        starts_on: str,
        timezone: str,
        meta: dict[str, Any],
        organisation_id: str | None = None,
    ) -> None:
        self.title = title
        self.organisation_id = organisation_id
        self.framework = framework
        self.starts_on = date.fromisoformat(starts_on)
        self.timezone = timezone
        self.phase = PHASES[0]
        self.inspectors: dict[str, dict[str, Any]] = {}

    def enter_phase(self, phase: str, ctx: Context) -> None:
        if PHASES.index(phase) <= PHASES.index(self.phase):
            raise RuleBroken(
                "phase_moves_forward",
                f"the inspection is already in phase {words.phase(self.phase)}; "
                "phases only move forward "
                f"({', then '.join(words.phase(p) for p in PHASES)})",
            )
        self._phase_entered(phase=phase, meta=ctx.meta())

    def add_inspector(
        self, name: str, lead: bool, agency: str | None, ctx: Context
    ) -> str:
        inspector_id = str(uuid4())
        self._inspector_joined(
            inspector_id=inspector_id,
            name=name,
            lead=lead,
            agency=agency,
            meta=ctx.meta(),
        )
        return inspector_id

    def require_inspector(self, inspector_id: str, field: str) -> None:
        if inspector_id not in self.inspectors:
            raise RuleBroken(
                "inspector_on_roster",
                f"{words.field(field)} must be on this inspection's roster "
                "of inspectors",
            )

    def require_around_start(self, field: str, when: datetime | date) -> None:
        """Refuses a time or day far from this inspection (see `window`)."""
        if isinstance(when, datetime):
            window.require_around_start(field, when, self.starts_on)
        else:
            window.require_day_around_start(field, when, self.starts_on)

    def lead_inspector(self) -> str | None:
        leads = [i for i, data in self.inspectors.items() if data["lead"]]
        return leads[0] if leads else None

    @property
    def is_closed(self) -> bool:
        return self.phase == "closed"

    @event("PhaseEntered")
    def _phase_entered(self, phase: str, meta: dict[str, Any]) -> None:
        self.phase = phase

    @event("InspectorJoined")
    def _inspector_joined(
        self,
        inspector_id: str,
        name: str,
        lead: bool,
        agency: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.inspectors[inspector_id] = {"name": name, "lead": lead, "agency": agency}
