"""The current schedule: every meeting as it stands, with all it went through.

"Just when you think you've nailed it, something changes": each change is kept
as a line of history (what, from, to, who, when, why).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, ClassVar, NotRequired
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict, Unpack

from projections.base import Folds, ReadModel, each_converted, each_rendered
from projections.events import LoggedEvent
from warroom.domain.meeting import Slot, SlotIndex, find_warnings

# One line of a meeting's history ("from" is a keyword: hence this syntax).
Change = TypedDict(
    "Change",
    {
        "what": str,
        "from": str | None,
        "to": str | None,
        "who": str,
        "when": str,
        "occurred_at": str,
        "why": str | None,
        "position": int,
    },
)


class KitNote(TypedDict):
    text: str
    actions: list[str]
    lines_of_enquiry: list[str]
    by: str
    recorded_at: str
    position: int
    # When the note was taken (absent from read models saved before it was).
    occurred_at: NotRequired[str]


class MeetingRecord(TypedDict):
    id: str
    version: int
    title: str
    kind: str
    starts_at: str
    ends_at: str
    venue: str
    attendees: list[str]
    inspectors: list[str]
    topics: list[str]
    cancelled: bool
    scheduled_at: str
    history: list[Change]
    notes: list[KitNote]


class MeetingChange(TypedDict, total=False):
    """What a change to a meeting may change, beside its history."""

    starts_at: str
    ends_at: str
    venue: str
    attendees: list[str]
    topics: list[str]
    cancelled: bool


class Acknowledgement(TypedDict):
    person: str
    up_to: int


class MeetingRow(MeetingRecord):
    # As `warroom.domain.meeting.find_warnings` words them.
    warnings: list[dict[str, Any]]
    # The commands the caller may send on it now (GET /api/meta's names):
    # none from the read model, which knows no caller; web/offers.py adds them.
    actions: list[str]


class AgendaMeeting(MeetingRow):
    prepare: list[str]
    changed_since_last_told: list[Change]


class DayAnswer(TypedDict):
    day: str
    timezone: str
    meetings: list[MeetingRow]


class AgendaAnswer(TypedDict):
    person: str
    since_position: int
    meetings: list[AgendaMeeting]


class Schedule(ReadModel):
    name = "schedule"

    def __init__(self) -> None:
        self.meetings: dict[str, MeetingRecord] = {}
        # Person -> the log position they acknowledged being told up to.
        self.acknowledged: dict[str, int] = {}

    def on_BriefingAcknowledged(self, e: LoggedEvent) -> Acknowledgement:
        self.acknowledged[e.data["person"]] = e.data["up_to"]
        return {"person": e.data["person"], "up_to": e.data["up_to"]}

    def on_MeetingScheduled(self, e: LoggedEvent) -> MeetingRecord:
        d = e.data
        meeting: MeetingRecord = {
            "id": e.aggregate_id,
            "version": e.aggregate_version,
            "title": d["title"],
            "kind": d["kind"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "venue": d["venue"],
            "attendees": list(d["attendees"]),
            "inspectors": list(d["inspectors"]),
            "topics": list(d["topics"]),
            "cancelled": False,
            "scheduled_at": e.recorded_iso,
            "history": [],
            "notes": [],
        }
        self.meetings[e.aggregate_id] = meeting
        return meeting

    def on_MeetingRescheduled(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        return self._change(
            e,
            what="time",
            before=f"{old['starts_at']} - {old['ends_at']}",
            after=f"{e.data['starts_at']} - {e.data['ends_at']}",
            why=e.data["reason"],
            starts_at=e.data["starts_at"],
            ends_at=e.data["ends_at"],
        )

    def on_MeetingMoved(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        venue = e.data["venue"]
        return self._change(
            e,
            what="venue",
            before=old["venue"],
            after=venue,
            why=e.data.get("reason"),
            venue=venue,
        )

    def on_AttendeeAdded(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        name = e.data["name"]
        return self._change(
            e,
            what="attendee added",
            before=None,
            after=name,
            attendees=[*old["attendees"], name],
        )

    def on_AttendeeRemoved(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        name = e.data["name"]
        return self._change(
            e,
            what="attendee removed",
            before=name,
            after=None,
            attendees=[a for a in old["attendees"] if a != name],
        )

    def on_TopicsChanged(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        topics = list(e.data["topics"])
        return self._change(
            e,
            what="topics",
            before=", ".join(old["topics"]),
            after=", ".join(topics),
            topics=topics,
        )

    def on_MeetingCancelled(self, e: LoggedEvent) -> MeetingRecord:
        return self._change(
            e,
            what="cancelled",
            before=None,
            after=None,
            why=e.data["reason"],
            cancelled=True,
        )

    def on_KitNoteRecorded(self, e: LoggedEvent) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        note: KitNote = {
            "text": e.data["text"],
            "actions": e.data["actions"],
            "lines_of_enquiry": e.data["lines_of_enquiry"],
            "by": e.actor_name,
            "recorded_at": e.recorded_iso,
            "position": e.position,
            "occurred_at": e.occurred_iso,
        }
        meeting: MeetingRecord = {
            **old,
            "version": e.aggregate_version,
            "notes": [*old["notes"], note],
        }
        self.meetings[e.aggregate_id] = meeting
        return meeting

    def on_KitActionAssigned(self, e: LoggedEvent) -> MeetingRecord:
        return self._kit_action_changed(e)

    def on_KitActionDone(self, e: LoggedEvent) -> MeetingRecord:
        return self._kit_action_changed(e)

    def _kit_action_changed(self, e: LoggedEvent) -> MeetingRecord:
        """A KIT action given or done changes the meeting (its aggregate) but
        nothing the schedule shows, except its version: the version a form
        sends back (If-Match) must be the meeting's as it stands."""
        meeting: MeetingRecord = {
            **self.meetings[e.aggregate_id],
            "version": e.aggregate_version,
        }
        self.meetings[e.aggregate_id] = meeting
        return meeting

    def _change(
        self,
        e: LoggedEvent,
        *,
        what: str,
        before: str | None,
        after: str | None,
        why: str | None = None,
        **fields: Unpack[MeetingChange],
    ) -> MeetingRecord:
        old = self.meetings[e.aggregate_id]
        change: Change = {
            "what": what,
            "from": before,
            "to": after,
            "who": e.actor_name,
            "when": e.recorded_iso,
            "occurred_at": e.occurred_iso,
            "why": why,
            "position": e.position,
        }
        meeting: MeetingRecord = {
            **old,
            **fields,
            "version": e.aggregate_version,
            "history": [*old["history"], change],
        }
        self.meetings[e.aggregate_id] = meeting
        return meeting

    folds: ClassVar[Folds] = {
        "BriefingAcknowledged": on_BriefingAcknowledged,
        "MeetingScheduled": on_MeetingScheduled,
        "MeetingRescheduled": on_MeetingRescheduled,
        "MeetingMoved": on_MeetingMoved,
        "AttendeeAdded": on_AttendeeAdded,
        "AttendeeRemoved": on_AttendeeRemoved,
        "TopicsChanged": on_TopicsChanged,
        "MeetingCancelled": on_MeetingCancelled,
        "KitNoteRecorded": on_KitNoteRecorded,
        "KitActionAssigned": on_KitActionAssigned,
        "KitActionDone": on_KitActionDone,
    }

    # Questions the routes ask.

    def meetings_on_days(
        self, days: set[date], timezone: str
    ) -> dict[date, list[MeetingRecord]]:
        """The meetings starting on each of these days, by start and title."""
        zone = ZoneInfo(timezone)
        found: dict[date, list[MeetingRecord]] = {day: [] for day in days}

        def with_day(m: MeetingRecord) -> tuple[date, MeetingRecord]:
            return datetime.fromisoformat(m["starts_at"]).astimezone(zone).date(), m

        for day, m in each_converted(self.meetings.values(), with_day):
            if day in found:
                found[day].append(m)
        for meetings in found.values():
            meetings.sort(key=lambda m: (m["starts_at"], m["title"]))
        return found

    def slots(self, meetings: list[MeetingRecord] | None = None) -> list[Slot]:
        """Meetings that still take place, for clash warnings."""
        chosen = self.meetings.values() if meetings is None else meetings
        return each_converted((m for m in chosen if not m["cancelled"]), _slot)

    def with_warnings(
        self,
        meetings: list[MeetingRecord],
        inspector_names: dict[str, str],
        others: list[Slot] | None = None,
    ) -> list[MeetingRow]:
        live = SlotIndex(self.slots() if others is None else others)

        def row(m: MeetingRecord) -> MeetingRow:
            warnings = [] if m["cancelled"] else _warnings(m, live, inspector_names)
            return {**m, "warnings": warnings, "actions": []}

        return each_rendered(meetings, row)

    def render_day(
        self, day: date, timezone: str, inspector_names: dict[str, str]
    ) -> DayAnswer:
        # Clashes and tight gaps involve meetings of this day or one beside it.
        around = self.meetings_on_days(
            {day - timedelta(days=1), day, day + timedelta(days=1)}, timezone
        )
        nearby = [m for d in sorted(around) for m in around[d]]
        meetings = self.with_warnings(around[day], inspector_names, self.slots(nearby))
        return {"day": day.isoformat(), "timezone": timezone, "meetings": meetings}

    def agenda(
        self, person: str, inspector_names: dict[str, str], since: int | None
    ) -> AgendaAnswer:
        """One person's meetings; `person` is a name or an inspector's id.

        Changes after `since` (by default, what they last acknowledged) are
        marked as new to them.
        """
        if since is None:
            since = self.acknowledged.get(person, 0)
        names = {person, inspector_names.get(person, person)}
        ids = {i for i, n in inspector_names.items() if n in names} | {person}
        mine = sorted(
            (
                m
                for m in self.meetings.values()
                if names & set(m["attendees"]) or ids & set(m["inspectors"])
            ),
            key=lambda m: m["starts_at"],
        )

        def told(m: MeetingRow) -> AgendaMeeting:
            new = [c for c in m["history"] if c["position"] > since]
            return {**m, "prepare": m["topics"], "changed_since_last_told": new}

        meetings = each_rendered(self.with_warnings(mine, inspector_names), told)
        return {"person": person, "since_position": since, "meetings": meetings}


def _warnings(
    meeting: MeetingRecord, others: SlotIndex, inspector_names: dict[str, str]
) -> list[dict[str, Any]]:
    slot = _slot(meeting)
    return find_warnings(slot, others.near(slot), inspector_names)


def _slot(meeting: MeetingRecord) -> Slot:
    return Slot.of(
        meeting_id=meeting["id"],
        starts_at=meeting["starts_at"],
        ends_at=meeting["ends_at"],
        venue=meeting["venue"],
        people=meeting["attendees"],
        inspectors=meeting["inspectors"],
        title=meeting["title"],
    )
