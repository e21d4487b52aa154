"""Meeting invitations (issue 24): who has yet to be told of which change, and
who was sent what, when.

Each meeting counts its changes as the calendar feed does (its SEQUENCE, the
length of the schedule's history), and each attendee's changes not yet told:
scheduled, time, room and cancelled concern everyone attending; attendee
added or removed, that person. A claimed invitation (`InvitationClaimed`)
tells its person every change up to the SEQUENCE it carries; a change it was
read too early to include stays to be told. Nothing here sends anything: the
server's sender (mail/invitations.py) asks `due` of the live read models, never
of a replay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent


class PendingChange(TypedDict):
    what: str
    sequence: int
    position: int
    recorded_at: str


class InvitationRow(TypedDict):
    id: str
    person: str
    number: int
    method: str  # "REQUEST" or "CANCEL"
    sequence: int
    changes: list[str]
    status: str  # "sending", "sent", "failed"
    claimed_at: str
    sent_at: str | None
    tries: int | None
    reason: str | None


class MeetingInvitations(TypedDict):
    sequence: int
    attendees: list[str]
    # Person -> their changes not yet told, oldest first.
    pending: dict[str, list[PendingChange]]
    # Person -> the number of the last invitation claimed for them.
    told: dict[str, int]
    sent: list[InvitationRow]


class DueInvitation(TypedDict):
    meeting_id: str
    person: str
    number: int
    sequence: int
    changes: list[str]


class Invitations(ReadModel):
    name = "invitations"

    def __init__(self) -> None:
        self.meetings: dict[str, MeetingInvitations] = {}
        # Invitation id -> its meeting.
        self.meeting_of: dict[str, str] = {}

    def on_MeetingScheduled(self, e: LoggedEvent) -> None:
        attendees = list(e.data["attendees"])
        change = _pending(e, "scheduled", 0)
        self.meetings[e.aggregate_id] = {
            "sequence": 0,
            "attendees": attendees,
            "pending": {a: [change] for a in attendees},
            "told": {},
            "sent": [],
        }

    def on_MeetingRescheduled(self, e: LoggedEvent) -> None:
        self._changed(e, "time")

    def on_MeetingMoved(self, e: LoggedEvent) -> None:
        self._changed(e, "room")

    def on_MeetingCancelled(self, e: LoggedEvent) -> None:
        self._changed(e, "cancelled")

    def on_TopicsChanged(self, e: LoggedEvent) -> None:
        self._changed(e, "topics", told_to=[])

    def on_AttendeeAdded(self, e: LoggedEvent) -> None:
        name = e.data["name"]
        attendees = [*self.meetings[e.aggregate_id]["attendees"], name]
        self._changed(e, "added", told_to=[name], attendees=attendees)

    def on_AttendeeRemoved(self, e: LoggedEvent) -> None:
        name = e.data["name"]
        old = self.meetings[e.aggregate_id]["attendees"]
        attendees = [a for a in old if a != name]
        self._changed(e, "removed", told_to=[name], attendees=attendees)

    def _changed(
        self,
        e: LoggedEvent,
        what: str,
        *,
        told_to: list[str] | None = None,
        attendees: list[str] | None = None,
    ) -> None:
        old = self.meetings[e.aggregate_id]
        sequence = old["sequence"] + 1
        change = _pending(e, what, sequence)
        pending = dict(old["pending"])
        for person in old["attendees"] if told_to is None else told_to:
            pending[person] = [*pending.get(person, []), change]
        self.meetings[e.aggregate_id] = {
            **old,
            "sequence": sequence,
            "attendees": old["attendees"] if attendees is None else attendees,
            "pending": pending,
        }

    def on_InvitationClaimed(self, e: LoggedEvent) -> None:
        d = e.data
        old = self.meetings.get(d["meeting_id"])
        if old is None:
            return
        person = d["person"]
        pending = dict(old["pending"])
        left = [c for c in pending.get(person, []) if c["sequence"] > d["sequence"]]
        if left:
            pending[person] = left
        else:
            pending.pop(person, None)
        row: InvitationRow = {
            "id": e.aggregate_id,
            "person": person,
            "number": d["number"],
            "method": d["method"],
            "sequence": d["sequence"],
            "changes": list(d["changes"]),
            "status": "sending",
            "claimed_at": e.recorded_iso,
            "sent_at": None,
            "tries": None,
            "reason": None,
        }
        self.meetings[d["meeting_id"]] = {
            **old,
            "pending": pending,
            "told": {**old["told"], person: d["number"]},
            "sent": [*old["sent"], row],
        }
        self.meeting_of[e.aggregate_id] = d["meeting_id"]

    def on_InvitationSent(self, e: LoggedEvent) -> None:
        self._ended(e, "sent", sent_at=e.recorded_iso, tries=e.data["tries"])

    def on_InvitationFailed(self, e: LoggedEvent) -> None:
        self._ended(e, "failed", tries=e.data["tries"], reason=e.data["reason"])

    def _ended(
        self,
        e: LoggedEvent,
        status: str,
        *,
        tries: int,
        sent_at: str | None = None,
        reason: str | None = None,
    ) -> None:
        meeting_id = self.meeting_of.get(e.aggregate_id)
        if meeting_id is None:
            return
        old = self.meetings[meeting_id]
        sent: list[InvitationRow] = [
            {
                **row,
                "status": status,
                "sent_at": sent_at,
                "tries": tries,
                "reason": reason,
            }
            if row["id"] == e.aggregate_id
            else row
            for row in old["sent"]
        ]
        self.meetings[meeting_id] = {**old, "sent": sent}

    folds: ClassVar[Folds] = {
        "MeetingScheduled": on_MeetingScheduled,
        "MeetingRescheduled": on_MeetingRescheduled,
        "MeetingMoved": on_MeetingMoved,
        "AttendeeAdded": on_AttendeeAdded,
        "AttendeeRemoved": on_AttendeeRemoved,
        "TopicsChanged": on_TopicsChanged,
        "MeetingCancelled": on_MeetingCancelled,
        "InvitationClaimed": on_InvitationClaimed,
        "InvitationSent": on_InvitationSent,
        "InvitationFailed": on_InvitationFailed,
    }

    # Questions.

    def of(self, meeting_id: str) -> list[InvitationRow]:
        """Who was sent what about this meeting, and when, oldest first."""
        found = self.meetings.get(meeting_id)
        return list(found["sent"]) if found else []

    def due(
        self,
        now: datetime,
        delay: timedelta,
        after: Callable[[str], int],
        abandoned_after: timedelta = timedelta(minutes=15),
    ) -> list[DueInvitation]:
        """The invitations to send now: a person's changes not yet told, the
        first of them at least `delay` old (so the changes made within it go
        as one), none of them at or before `after(person)` (what an import
        or the demo brought in, or what changed before the person had an
        address, is never told); and, again under the next
        number, an invitation claimed `abandoned_after` ago and never sent
        nor failed (the process that claimed it died while sending)."""
        due: list[DueInvitation] = []
        for meeting_id, meeting in self.meetings.items():
            due += _abandoned(meeting_id, meeting, now - abandoned_after)
            for person, changes in meeting["pending"].items():
                since = after(person)
                fresh = [c for c in changes if c["position"] > since]
                if not fresh:
                    continue
                first = datetime.fromisoformat(fresh[0]["recorded_at"])
                if first + delay > now:
                    continue
                due.append(
                    {
                        "meeting_id": meeting_id,
                        "person": person,
                        "number": meeting["told"].get(person, 0) + 1,
                        "sequence": meeting["sequence"],
                        "changes": list(dict.fromkeys(c["what"] for c in fresh)),
                    }
                )
        return due


def _abandoned(
    meeting_id: str, meeting: MeetingInvitations, claimed_before: datetime
) -> list[DueInvitation]:
    last: dict[str, InvitationRow] = {row["person"]: row for row in meeting["sent"]}
    return [
        {
            "meeting_id": meeting_id,
            "person": person,
            "number": row["number"] + 1,
            "sequence": meeting["sequence"],
            "changes": row["changes"],
        }
        for person, row in last.items()
        if row["status"] == "sending"
        and person not in meeting["pending"]
        and datetime.fromisoformat(row["claimed_at"]) <= claimed_before
    ]


def _pending(e: LoggedEvent, what: str, sequence: int) -> PendingChange:
    return {
        "what": what,
        "sequence": sequence,
        "position": e.position,
        "recorded_at": e.recorded_iso,
    }
