"""The inspection itself: title, phase, time zone and the inspectors' roster."""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class InspectionRecord(TypedDict):
    id: str
    title: str
    framework: str
    starts_on: str
    timezone: str
    phase: str
    opened_at: str
    # Audit replay of this inspection starts here.
    opened_at_position: int


class InspectorRecord(TypedDict):
    id: str
    name: str
    lead: bool
    agency: str | None


class InspectionAnswer(InspectionRecord):
    inspectors: list[InspectorRecord]


class InspectionSummary(ReadModel):
    """The read model of the inspection itself. Not `Inspection`: that is the
    aggregate (`warroom.domain.inspection`), which decides; this one only tells."""

    name = "inspection"

    def __init__(self) -> None:
        # None only until the opening is folded in: an inspection's read
        # models are made for its opening, so nothing asks them before.
        self.summary: InspectionRecord | None = None
        self.inspectors: dict[str, InspectorRecord] = {}

    def on_InspectionOpened(self, e: LoggedEvent) -> InspectionRecord:
        self.summary = {
            "id": e.inspection_id,
            "title": e.data["title"],
            "framework": e.data["framework"],
            "starts_on": e.data["starts_on"],
            "timezone": e.data["timezone"],
            "phase": "day1_notification",
            "opened_at": e.recorded_iso,
            "opened_at_position": e.position,
        }
        return self.summary

    def on_PhaseEntered(self, e: LoggedEvent) -> InspectionRecord:
        self.summary = {**self.opened, "phase": e.data["phase"]}
        return self.summary

    def on_InspectorJoined(self, e: LoggedEvent) -> InspectorRecord:
        inspector: InspectorRecord = {
            "id": e.data["inspector_id"],
            "name": e.data["name"],
            "lead": e.data["lead"],
            "agency": e.data["agency"],
        }
        self.inspectors[inspector["id"]] = inspector
        return inspector

    folds: ClassVar[Folds] = {
        "InspectionOpened": on_InspectionOpened,
        "PhaseEntered": on_PhaseEntered,
        "InspectorJoined": on_InspectorJoined,
    }

    @property
    def opened(self) -> InspectionRecord:
        if self.summary is None:
            raise LookupError("the inspection's opening has not been folded in")
        return self.summary

    @property
    def timezone(self) -> str:
        return "Europe/London" if self.summary is None else self.summary["timezone"]

    def render(self) -> InspectionAnswer:
        return {**self.opened, "inspectors": list(self.inspectors.values())}
