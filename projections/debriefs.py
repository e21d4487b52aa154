"""Debriefs: what the staff in each meeting reported back, for the lead."""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class DebriefRecord(TypedDict):
    id: str
    meeting_id: str
    meeting_title: str
    person: str
    asked: str
    went_well: str | None
    concerns: str | None
    follow_ups: list[str]
    task_ids: list[str]  # the playbook tasks the follow-ups became
    at: str
    position: int


class DebriefsAnswer(TypedDict):
    debriefs: list[DebriefRecord]
    with_concerns: int


class Debriefs(ReadModel):
    name = "debriefs"

    def __init__(self) -> None:
        self.debriefs: dict[str, DebriefRecord] = {}
        self.meeting_titles: dict[str, str] = {}

    def on_MeetingScheduled(self, e: LoggedEvent) -> None:
        self.meeting_titles[e.aggregate_id] = e.data["title"]

    def on_DebriefRecorded(self, e: LoggedEvent) -> DebriefRecord:
        d = e.data
        debrief: DebriefRecord = {
            "id": e.aggregate_id,
            "meeting_id": d["meeting_id"],
            "meeting_title": self.meeting_titles.get(d["meeting_id"], ""),
            "person": d["person"],
            "asked": d["asked"],
            "went_well": d["went_well"],
            "concerns": d["concerns"],
            "follow_ups": d["follow_ups"],
            "task_ids": d["task_ids"],
            "at": e.occurred_iso,
            "position": e.position,
        }
        self.debriefs[e.aggregate_id] = debrief
        return debrief

    folds: ClassVar[Folds] = {
        "MeetingScheduled": on_MeetingScheduled,
        "DebriefRecorded": on_DebriefRecorded,
    }

    def render(self, meeting: str | None = None) -> DebriefsAnswer:
        debriefs = sorted(
            (
                d
                for d in self.debriefs.values()
                if meeting is None or d["meeting_id"] == meeting
            ),
            key=lambda d: d["position"],
        )
        return {
            "debriefs": debriefs,
            "with_concerns": sum(1 for d in debriefs if d["concerns"]),
        }
