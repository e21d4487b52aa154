"""A debrief: after a meeting, what one of the staff in it reports back."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate


class Debrief(Aggregate):
    @event("DebriefRecorded")
    def __init__(
        self,
        inspection_id: str,
        meeting_id: str,
        person: str,
        asked: str,
        went_well: str | None,
        concerns: str | None,
        follow_ups: list[str],
        # The playbook tasks the follow-ups became, for the rapid response team.
        task_ids: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.meeting_id = meeting_id
        self.person = person
