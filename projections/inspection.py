"""The inspection itself: title, phase, time zone and the inspectors' roster."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class InspectionSummary(ReadModel):
    """The read model of the inspection itself. Not `Inspection`: that is the
    aggregate (`warroom.domain.inspection`), which decides; this one only tells."""

    name = "inspection"

    def __init__(self) -> None:
        self.summary: dict[str, Any] = {}
        self.inspectors: dict[str, dict[str, Any]] = {}

    def on_InspectionOpened(self, e: LoggedEvent) -> dict[str, Any]:
        self.summary = {
            "id": e.inspection_id,
            "title": e.data["title"],
            "framework": e.data["framework"],
            "starts_on": e.data["starts_on"],
            "timezone": e.data["timezone"],
            "phase": "day1_notification",
            "opened_at": e.recorded_iso,
            # Audit replay of this inspection starts here.
            "opened_at_position": e.position,
        }
        return self.summary

    def on_PhaseEntered(self, e: LoggedEvent) -> dict[str, Any]:
        self.summary = {**self.summary, "phase": e.data["phase"]}
        return self.summary

    def on_InspectorJoined(self, e: LoggedEvent) -> dict[str, Any]:
        inspector = {
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
    def timezone(self) -> str:
        return str(self.summary.get("timezone", "Europe/London"))

    def inspector_name(self, inspector_id: str) -> str:
        inspector = self.inspectors.get(inspector_id)
        return str(inspector["name"]) if inspector else inspector_id

    def render(self) -> dict[str, Any]:
        return {**self.summary, "inspectors": list(self.inspectors.values())}
