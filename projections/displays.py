"""The inspection's wall screens (issue 25): named, approved by whom, and
whether connected or disconnected. No code and no token is in any row: the
log keeps their hashes only, and the row not even those."""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class DisplayRow(TypedDict):
    id: str
    name: str
    approved_by: str
    approved_at: str
    # When the screen collected its token (None: not yet).
    connected_at: str | None
    disconnected: bool
    disconnected_by: str | None
    disconnected_at: str | None


class DisplaysAnswer(TypedDict):
    displays: list[DisplayRow]


class Displays(ReadModel):
    name = "displays"

    def __init__(self) -> None:
        self.displays: dict[str, DisplayRow] = {}

    def on_DisplayApproved(self, e: LoggedEvent) -> DisplayRow:
        row: DisplayRow = {
            "id": e.aggregate_id,
            "name": e.data["name"],
            "approved_by": e.actor_name,
            "approved_at": e.recorded_iso,
            "connected_at": None,
            "disconnected": False,
            "disconnected_by": None,
            "disconnected_at": None,
        }
        self.displays[e.aggregate_id] = row
        return row

    def on_DisplayConnected(self, e: LoggedEvent) -> DisplayRow:
        row: DisplayRow = {
            **self.displays[e.aggregate_id],
            "connected_at": e.recorded_iso,
        }
        self.displays[e.aggregate_id] = row
        return row

    def on_DisplayDisconnected(self, e: LoggedEvent) -> DisplayRow:
        row: DisplayRow = {
            **self.displays[e.aggregate_id],
            "disconnected": True,
            "disconnected_by": e.actor_name,
            "disconnected_at": e.recorded_iso,
        }
        self.displays[e.aggregate_id] = row
        return row

    folds: ClassVar[Folds] = {
        "DisplayApproved": on_DisplayApproved,
        "DisplayConnected": on_DisplayConnected,
        "DisplayDisconnected": on_DisplayDisconnected,
    }

    def render(self) -> DisplaysAnswer:
        return {
            "displays": sorted(self.displays.values(), key=lambda r: r["approved_at"])
        }
