"""What a person is told, in plain words, for a change in the log.

A meeting of theirs rescheduled, moved to another room, cancelled, or they
were added to it (a new meeting too) or taken off it; a request assigned to
them; a KIT action given to them. Attendees are named, not users: a name is
matched to a user of the inspection's organisation as agendas are
(`commands.membership.user_named`). Whoever made the change is not told of
it. Overdue requests are found by the clock, not an event (`overdue`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.membership import organisation_of, user_named
from commands.push import Notice
from projections.events import LoggedEvent
from warroom.application import WarRoom
from warroom.domain.base import NotFound
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Meeting
from warroom.domain.request import DocumentRequest
from warroom.domain.user import User

# Where a tap on the notification opens the page.
MY_DAY = "/#view=day"
WAR_ROOM = "/#view=wall"

Tell = Callable[[WarRoom, LoggedEvent], list[Notice]]


def notices_of(app: WarRoom, event: LoggedEvent) -> list[Notice]:
    tell = TELLERS.get(event.type)
    if tell is None:
        return []
    try:
        return tell(app, event)
    except NotFound:
        return []  # an event of something since gone from this log


def _when(inspection: Inspection, instant: str) -> str:
    local = datetime.fromisoformat(instant).astimezone(ZoneInfo(inspection.timezone))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"


class _Meeting:
    def __init__(self, app: WarRoom, event: LoggedEvent) -> None:
        self.app = app
        self.event = event
        self.meeting = app.load(Meeting, event.aggregate_id)
        self.inspection = app.load(Inspection, self.meeting.inspection_id)
        self.organisation = organisation_of(app, self.inspection.organisation_id)

    @property
    def when(self) -> str:
        return _when(self.inspection, self.meeting.starts_at)

    def users(self, names: Iterable[str]) -> list[str]:
        found = []
        for name in names:
            user_id = user_named(self.app, name, self.organisation)
            if user_id is not None and _may_hear(
                self.app, str(user_id), self.inspection, self.event
            ):
                found.append(str(user_id))
        return found

    def tell(self, names: Iterable[str], title: str, body: str) -> list[Notice]:
        key = f"event:{self.event.position}"
        return [
            Notice(key, user_id, title, body, MY_DAY, self.organisation)
            for user_id in self.users(names)
        ]


def _may_hear(
    app: WarRoom, user_id: str, inspection: Inspection, event: LoggedEvent
) -> bool:
    """Not the one who made the change; a user who may see the inspection."""
    if user_id == event.actor:
        return False
    user = app.load(User, user_id)
    return user.inspection_ids is None or str(inspection.id) in user.inspection_ids


def _scheduled(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    return m.tell(
        e.data["attendees"],
        f"New meeting: {m.meeting.title}",
        f"{m.when}, {m.meeting.venue}. You are invited.",
    )


def _rescheduled(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    starts = _when(m.inspection, e.data["starts_at"])
    return m.tell(
        m.meeting.attendees,
        f"Moved in time: {m.meeting.title}",
        f"Now {starts}, {m.meeting.venue}." + _because(e.data.get("reason")),
    )


def _moved(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    return m.tell(
        m.meeting.attendees,
        f"New room: {m.meeting.title}",
        f"Now in {e.data['venue']}, {m.when}." + _because(e.data.get("reason")),
    )


def _cancelled(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    return m.tell(
        m.meeting.attendees,
        f"Cancelled: {m.meeting.title}",
        f"The meeting on {m.when} will not take place."
        + _because(e.data.get("reason")),
    )


def _attendee_added(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    return m.tell(
        [e.data["name"]],
        f"You are now at: {m.meeting.title}",
        f"{m.when}, {m.meeting.venue}.",
    )


def _attendee_removed(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    return m.tell(
        [e.data["name"]],
        f"No longer needed at: {m.meeting.title}",
        f"You were taken off the meeting on {m.when}.",
    )


def _kit_action_assigned(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    m = _Meeting(app, e)
    owner = e.data["owner_id"]
    if not _may_hear(app, owner, m.inspection, e):
        return []
    text = m.meeting.kit_actions[e.data["n"]].text
    return [
        Notice(
            f"event:{e.position}",
            owner,
            "A KIT action is yours",
            f"{text} (from {m.meeting.title})",
            MY_DAY,
            m.organisation,
        )
    ]


def _request_assigned(app: WarRoom, e: LoggedEvent) -> list[Notice]:
    request = app.load(DocumentRequest, e.aggregate_id)
    inspection = app.load(Inspection, request.inspection_id)
    assignee = e.data["assignee"]
    if not _may_hear(app, assignee, inspection, e):
        return []
    due = request_due(app, e.aggregate_id)
    body = f"Due {_when(inspection, due)}." if due else "No time set for it."
    return [
        Notice(
            f"event:{e.position}",
            assignee,
            f"A request is yours: {request.title}",
            body,
            WAR_ROOM,
            organisation_of(app, inspection.organisation_id),
        )
    ]


def request_due(app: WarRoom, request_id: str) -> str | None:
    """When a request is due, as its first event said."""
    first = app.repository.event_store.get(
        app.load(DocumentRequest, request_id).id, lte=1
    )
    for created in first:
        due: str | None = getattr(created, "due_at", None)
        return due
    return None


def overdue(
    app: WarRoom,
    request_id: str,
    title: str,
    assignee: str,
    due_at: str,
    inspection_id: str,
) -> Notice | None:
    """The notice that a request in someone's hands is past its time."""
    inspection = app.load(Inspection, inspection_id)
    user = app.load(User, assignee)
    if user.inspection_ids is not None and inspection_id not in user.inspection_ids:
        return None
    return Notice(
        f"overdue:{request_id}:{due_at}:{assignee}",
        assignee,
        f"Overdue: {title}",
        f"It was due {_when(inspection, due_at)} and is still with you.",
        WAR_ROOM,
        organisation_of(app, inspection.organisation_id),
    )


def _because(reason: str | None) -> str:
    return f" Why: {reason}" if reason else ""


TELLERS: dict[str, Tell] = {
    "MeetingScheduled": _scheduled,
    "MeetingRescheduled": _rescheduled,
    "MeetingMoved": _moved,
    "MeetingCancelled": _cancelled,
    "AttendeeAdded": _attendee_added,
    "AttendeeRemoved": _attendee_removed,
    "KitActionAssigned": _kit_action_assigned,
    "RequestAssigned": _request_assigned,
}
