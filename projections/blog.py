"""The daily blog: the communication lead's posts, then what the day's events say.

The day of an event is its `occurred_at` in the inspection's time zone.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, NotRequired
from zoneinfo import ZoneInfo

from typing_extensions import TypedDict, Unpack

from projections.base import Fold, Folds, ReadModel, Row, each_converted
from projections.events import LoggedEvent

# Event type -> the blog section it is told in.
SECTIONS = {
    "BlogPostWritten": "posts",
    "MeetingRescheduled": "meetings_moved",
    "MeetingMoved": "meetings_moved",
    "MeetingCancelled": "meetings_cancelled",
    "DocumentRequested": "requests_in",
    "DocumentReleased": "requests_released",
    # The inspector's copy of a case, released by the gatekeeper; the same
    # copy handed over (CaseCopyHandedOver) is told by on_CaseCopyHandedOver.
    "CaseCopyReleased": "case_copies_released",
    "RequestDeclined": "requests_declined",
    "KitNoteRecorded": "kit_points",
    "LineOfEnquiryRaised": "lines_of_enquiry_raised",
    "CaseBrowsed": "cases_browsed",
    # issue 15: the day's completed playbook tasks and the staff's debriefs
    "PlaybookTaskDone": "tasks_done",
    "DebriefRecorded": "debriefs",
}


class BlogEntry(TypedDict):
    """One event, as the day's story tells it."""

    section: str
    type: str
    subject: str
    by: str
    at: str  # when it happened
    position: int
    data: dict[str, Any]  # the event's own payload
    # When it was written down (absent from read models saved before it was).
    recorded_at: NotRequired[str]


class BlogCaseCopy(BlogEntry):
    """A copy of a case given to the inspectors: `subject` is the case's ref,
    `data` has `copy`, `to` (an inspector's id, or the name it was handed to)
    and `medium`."""

    to_name: str  # who it went to, by name, as the ledger's `to_name`


class BlogMeeting(TypedDict):
    id: str
    title: str
    starts_at: str
    ends_at: str
    venue: str
    cancelled: bool
    # Who is in it, for tomorrow's meetings per person (issue 13).
    attendees: list[str]
    inspectors: list[str]


class BlogMeetingChange(TypedDict, total=False):
    starts_at: str
    ends_at: str
    venue: str
    cancelled: bool
    attendees: list[str]


class PersonsDay(TypedDict):
    """One person's meetings tomorrow (an inspector under their name)."""

    person: str
    meetings: list[BlogMeeting]


class Recipient(TypedDict):
    name: str
    email: str
    group: str | None
    # "war_room" or "partners": which copy of the blog they get (issue 24).
    audience: str


class BlogSendAttempt(TypedDict):
    """One attempt to email the day's blog, and what became of it."""

    attempt: int
    trigger: str
    status: str  # sending, sent, failed
    claimed_at: str
    by: str
    ended_at: str | None
    message_id: str | None
    recipients: list[str]
    via: str | None
    outbox_file: str | None
    tries: int
    reason: str | None
    # Whether a message of it carried the day's seal (issue 24; False for
    # sends before each recipient got a message of their own).
    sealed: bool
    # How many recipients' own messages went (issue 24; 0 for sends before).
    delivered: int


class SealEmail(TypedDict):
    """The day's seal sent after the blog (issue 24): sending, sent or failed."""

    status: str
    claimed_at: str
    ended_at: str | None
    recipients: list[str]
    reason: str | None


class SendOutcome(TypedDict, total=False):
    status: str
    sealed: bool
    delivered: int
    ended_at: str | None
    message_id: str | None
    recipients: list[str]
    via: str | None
    outbox_file: str | None
    tries: int
    reason: str | None


class BlogEmail(TypedDict):
    """The day's email: not_sent, sending, sent or failed (its last attempt)."""

    status: str
    attempts: list[BlogSendAttempt]


class BlogRequest(TypedDict):
    id: str
    title: str
    day: str
    state: str
    closed_day: str | None


class Post(TypedDict):
    title: str
    body: str
    by: str


class CaseBrowsing(TypedDict):
    case: str
    times: int


class DayClosure(TypedDict):
    """When the day was closed and sealed, by whom, and why before its last
    meeting ended (None: it was not closed early)."""

    at: str
    by: str
    early_reason: str | None


class BlogAnswer(TypedDict):
    day: str
    timezone: str
    posts: list[Post]
    meetings_held: list[BlogMeeting]
    meetings_moved: list[BlogEntry]
    meetings_cancelled: list[BlogEntry]
    requests_in: list[BlogEntry]
    requests_released: list[BlogEntry]
    requests_declined: list[BlogEntry]
    requests_still_open: list[BlogRequest]
    kit_points: list[BlogEntry]
    lines_of_enquiry_raised: list[BlogEntry]
    cases_browsed: list[CaseBrowsing]
    tomorrow: list[BlogMeeting]
    tomorrow_by_person: list[PersonsDay]
    email: BlogEmail
    tasks_done: list[BlogEntry]
    debriefs: list[BlogEntry]
    # Last, so the fields clients had keep their order; renderers tell it
    # just after requests_released.
    case_copies_released: list[BlogCaseCopy]
    # None while the day is open.
    closed: DayClosure | None
    # The seal's follow-up email (issue 24); None: none was sent.
    seal_email: SealEmail | None


class Blog(ReadModel):
    name = "blog"

    def __init__(self) -> None:
        self.timezone = "Europe/London"
        self.days: dict[str, list[BlogEntry]] = {}
        self.meetings: dict[str, BlogMeeting] = {}
        self.requests: dict[str, BlogRequest] = {}
        self.case_refs: dict[str, str] = {}
        # The distribution list, by address as compared, and each day's sends.
        self.recipients: dict[str, Recipient] = {}
        self.sends: dict[str, list[BlogSendAttempt]] = {}
        # A send's aggregate id -> its day and attempt number.
        self.send_index: dict[str, list[str | int]] = {}
        self.task_titles: dict[str, str] = {}
        # Each closed day: when, by whom, and why early if it was.
        self.closed: dict[str, DayClosure] = {}
        # The seal's follow-up per day, and its aggregate id -> the day.
        self.seal_sends: dict[str, SealEmail] = {}
        self.seal_index: dict[str, str] = {}

    @classmethod
    def event_types(cls) -> frozenset[str]:
        return super().event_types() | frozenset(SECTIONS)

    def folder(self, event_type: str) -> Fold | None:
        handle = super().folder(event_type)
        section = SECTIONS.get(event_type)
        if section is None:
            return handle

        def fold_and_tell(event: LoggedEvent) -> Row | None:
            changed = None if handle is None else handle(event)
            self._tell(event, section)
            return changed

        return fold_and_tell

    def on_InspectionOpened(self, e: LoggedEvent) -> None:
        self.timezone = e.data["timezone"]

    def on_MeetingScheduled(self, e: LoggedEvent) -> None:
        d = e.data
        self.meetings[e.aggregate_id] = {
            "id": e.aggregate_id,
            "title": d["title"],
            "starts_at": d["starts_at"],
            "ends_at": d["ends_at"],
            "venue": d["venue"],
            "cancelled": False,
            "attendees": list(d["attendees"]),
            "inspectors": list(d["inspectors"]),
        }

    def on_MeetingRescheduled(self, e: LoggedEvent) -> None:
        self._meeting(e, starts_at=e.data["starts_at"], ends_at=e.data["ends_at"])

    def on_MeetingMoved(self, e: LoggedEvent) -> None:
        self._meeting(e, venue=e.data["venue"])

    def on_MeetingCancelled(self, e: LoggedEvent) -> None:
        self._meeting(e, cancelled=True)

    def on_AttendeeAdded(self, e: LoggedEvent) -> None:
        attendees = self.meetings[e.aggregate_id]["attendees"]
        self._meeting(e, attendees=[*attendees, e.data["name"]])

    def on_AttendeeRemoved(self, e: LoggedEvent) -> None:
        attendees = self.meetings[e.aggregate_id]["attendees"]
        self._meeting(e, attendees=[a for a in attendees if a != e.data["name"]])

    def on_RecipientAdded(self, e: LoggedEvent) -> Recipient:
        d = e.data
        recipient: Recipient = {
            "name": d["name"],
            "email": d["email"],
            "group": d["group"],
            "audience": d.get("audience", "war_room"),
        }
        self.recipients[d["email"].strip().casefold()] = recipient
        return recipient

    def on_RecipientRemoved(self, e: LoggedEvent) -> None:
        self.recipients.pop(e.data["email"].strip().casefold(), None)

    def on_BlogSendClaimed(self, e: LoggedEvent) -> BlogSendAttempt:
        d = e.data
        attempt: BlogSendAttempt = {
            "attempt": d["attempt"],
            "trigger": d["trigger"],
            "status": "sending",
            "claimed_at": e.recorded_iso,
            "by": e.actor_name,
            "ended_at": None,
            "message_id": None,
            "recipients": [],
            "via": None,
            "outbox_file": None,
            "tries": 0,
            "reason": None,
            "sealed": False,
            "delivered": 0,
        }
        self.sends.setdefault(d["day"], []).append(attempt)
        self.send_index[e.aggregate_id] = [d["day"], d["attempt"]]
        return attempt

    def on_BlogSent(self, e: LoggedEvent) -> BlogSendAttempt:
        d = e.data
        return self._send_ended(
            e,
            status="sent",
            message_id=d["message_id"],
            recipients=list(d["recipients"]),
            via=d["via"],
            outbox_file=d["outbox_file"],
            tries=d["tries"],
        )

    def on_BlogDelivered(self, e: LoggedEvent) -> BlogSendAttempt:
        day, number = self.send_index[e.aggregate_id]
        [claimed] = [a for a in self.sends[str(day)] if a["attempt"] == number]
        return self._send_ended(
            e,
            sealed=claimed.get("sealed", False) or bool(e.data["sealed"]),
            delivered=claimed.get("delivered", 0) + 1,
            ended_at=claimed["ended_at"],
        )

    def on_SealSendClaimed(self, e: LoggedEvent) -> SealEmail:
        sending: SealEmail = {
            "status": "sending",
            "claimed_at": e.recorded_iso,
            "ended_at": None,
            "recipients": list(e.data["recipients"]),
            "reason": None,
        }
        self.seal_sends[e.data["day"]] = sending
        self.seal_index[e.aggregate_id] = e.data["day"]
        return sending

    def on_SealSent(self, e: LoggedEvent) -> SealEmail:
        return self._seal_ended(e, "sent", None)

    def on_SealSendFailed(self, e: LoggedEvent) -> SealEmail:
        return self._seal_ended(e, "failed", e.data["reason"])

    def _seal_ended(self, e: LoggedEvent, status: str, reason: str | None) -> SealEmail:
        day = self.seal_index[e.aggregate_id]
        ended: SealEmail = {
            **self.seal_sends[day],
            "status": status,
            "ended_at": e.recorded_iso,
            "reason": reason,
        }
        self.seal_sends[day] = ended
        return ended

    def seal_due(self) -> list[str]:
        """Closed days whose blog went out, before the close, without the seal,
        and whose seal has not been sent yet (issue 24). Only blogs sent a
        message each (since issue 24): a day sent and closed before that is
        not followed up now, however long ago."""
        return [
            day
            for day in self.closed
            if day not in self.seal_sends
            and any(
                a["status"] == "sent" and a.get("delivered", 0)
                for a in self.sends.get(day, [])
            )
            and not any(a.get("sealed") for a in self.sends.get(day, []))
        ]

    def on_BlogSendFailed(self, e: LoggedEvent) -> BlogSendAttempt:
        return self._send_ended(
            e, status="failed", reason=e.data["reason"], tries=e.data["tries"]
        )

    def _send_ended(
        self, e: LoggedEvent, **fields: Unpack[SendOutcome]
    ) -> BlogSendAttempt:
        day, number = self.send_index[e.aggregate_id]
        day = str(day)
        [claimed] = [a for a in self.sends[day] if a["attempt"] == number]
        ended: BlogSendAttempt = {**claimed, "ended_at": e.recorded_iso, **fields}
        # Replaced, not changed in place: checkpoints share the records.
        self.sends[day] = [ended if a is claimed else a for a in self.sends[day]]
        return ended

    def on_DocumentRequested(self, e: LoggedEvent) -> None:
        self.requests[e.aggregate_id] = {
            "id": e.aggregate_id,
            "title": e.data["title"],
            "day": self.day_of(e.occurred_at).isoformat(),
            "state": "requested",
            "closed_day": None,
        }

    def on_DocumentReleased(self, e: LoggedEvent) -> None:
        self._request(e, "released")

    def on_RequestDeclined(self, e: LoggedEvent) -> None:
        self._request(e, "declined")

    def on_RequestWithdrawn(self, e: LoggedEvent) -> None:
        self._request(e, "withdrawn")

    def on_CaseSelected(self, e: LoggedEvent) -> None:
        self.case_refs[e.aggregate_id] = e.data["ref"]

    def on_CaseCopyHandedOver(self, e: LoggedEvent) -> None:
        # The war room hands over our copy and the social worker's, which stay
        # in the council: the blog tells what went to the inspectors. The
        # domain would hand over the inspector's copy too (the API does not):
        # that one is told like a release.
        if e.data["copy"] == "inspector":
            self._tell(e, SECTIONS["CaseCopyReleased"])

    def on_DayClosed(self, e: LoggedEvent) -> DayClosure:
        closure: DayClosure = {
            "at": e.occurred_iso,
            "by": e.actor_name,
            "early_reason": e.data.get("early_reason"),
        }
        self.closed[e.data["day"]] = closure
        return closure

    def on_PlaybookStarted(self, e: LoggedEvent) -> None:
        for task in e.data["tasks"]:
            self.task_titles[task["id"]] = task["title"]

    def on_PlaybookTaskAdded(self, e: LoggedEvent) -> None:
        self.task_titles[e.data["task_id"]] = e.data["title"]

    def _meeting(self, e: LoggedEvent, **fields: Unpack[BlogMeetingChange]) -> None:
        self.meetings[e.aggregate_id] = {**self.meetings[e.aggregate_id], **fields}

    def _request(self, e: LoggedEvent, state: str) -> None:
        self.requests[e.aggregate_id] = {
            **self.requests[e.aggregate_id],
            "state": state,
            "closed_day": self.day_of(e.occurred_at).isoformat(),
        }

    # What the blog keeps of each event type to tell the others by; the types
    # it tells are in SECTIONS, and reach it whether listed here or not.
    folds: ClassVar[Folds] = {
        "InspectionOpened": on_InspectionOpened,
        "MeetingScheduled": on_MeetingScheduled,
        "MeetingRescheduled": on_MeetingRescheduled,
        "MeetingMoved": on_MeetingMoved,
        "MeetingCancelled": on_MeetingCancelled,
        "DocumentRequested": on_DocumentRequested,
        "DocumentReleased": on_DocumentReleased,
        "RequestDeclined": on_RequestDeclined,
        "RequestWithdrawn": on_RequestWithdrawn,
        "CaseSelected": on_CaseSelected,
        "CaseCopyHandedOver": on_CaseCopyHandedOver,
        "AttendeeAdded": on_AttendeeAdded,
        "AttendeeRemoved": on_AttendeeRemoved,
        "RecipientAdded": on_RecipientAdded,
        "RecipientRemoved": on_RecipientRemoved,
        "BlogSendClaimed": on_BlogSendClaimed,
        "BlogSent": on_BlogSent,
        "BlogSendFailed": on_BlogSendFailed,
        "BlogDelivered": on_BlogDelivered,
        "SealSendClaimed": on_SealSendClaimed,
        "SealSent": on_SealSent,
        "SealSendFailed": on_SealSendFailed,
        "PlaybookStarted": on_PlaybookStarted,
        "PlaybookTaskAdded": on_PlaybookTaskAdded,
        "DayClosed": on_DayClosed,
    }

    def _tell(self, e: LoggedEvent, section: str) -> None:
        entry: BlogEntry = {
            "section": section,
            "type": e.type,
            "subject": self._subject(e),
            "by": e.actor_name,
            "at": e.occurred_iso,
            "position": e.position,
            "data": e.data,
            "recorded_at": e.recorded_iso,
        }
        # A post names its own day (it may be written the morning after); the
        # rest of the story belongs to the day it happened.
        day = (
            e.data["day"]
            if e.type == "BlogPostWritten"
            else self.day_of(e.occurred_at).isoformat()
        )
        self.days.setdefault(day, []).append(entry)

    def _subject(self, e: LoggedEvent) -> str:
        if e.type == "PlaybookTaskDone":
            # Never the task's id: people read titles.
            return self.task_titles.get(e.data["task_id"], "a playbook task")
        if e.type == "DebriefRecorded":
            meeting = self.meetings.get(e.data["meeting_id"])
            return str(meeting["title"]) if meeting else ""
        for things in (self.meetings, self.requests):
            if e.aggregate_id in things:
                return str(things[e.aggregate_id]["title"])
        if e.aggregate_id in self.case_refs:
            return self.case_refs[e.aggregate_id]
        return str(e.data.get("title", ""))

    def day_of(self, instant: datetime) -> date:
        return instant.astimezone(ZoneInfo(self.timezone)).date()

    def render(
        self, day: date, inspector_names: dict[str, str] | None = None
    ) -> BlogAnswer:
        entries = self.days.get(day.isoformat(), [])
        told: dict[str, list[BlogEntry]] = {s: [] for s in SECTIONS.values()}
        for entry in entries:
            told[entry["section"]].append(entry)
        browsed = Counter(e["subject"] for e in told["cases_browsed"])
        names = inspector_names or {}
        # In the order the blog is read: posts first, then the day's story.
        return {
            "day": day.isoformat(),
            "timezone": self.timezone,
            "posts": [
                {"title": e["data"]["title"], "body": e["data"]["body"], "by": e["by"]}
                for e in told["posts"]
            ],
            "meetings_held": self._meetings_on(day),
            "meetings_moved": told["meetings_moved"],
            "meetings_cancelled": told["meetings_cancelled"],
            "requests_in": told["requests_in"],
            "requests_released": told["requests_released"],
            "requests_declined": told["requests_declined"],
            # Open at the end of that day, whatever became of them later: an
            # old day's blog tells that day's story.
            "requests_still_open": [
                r
                for r in self.requests.values()
                if r["day"] <= day.isoformat()
                and (r["closed_day"] is None or r["closed_day"] > day.isoformat())
            ],
            "kit_points": told["kit_points"],
            "lines_of_enquiry_raised": told["lines_of_enquiry_raised"],
            "cases_browsed": [
                {"case": ref, "times": n} for ref, n in sorted(browsed.items())
            ],
            "tomorrow": self._meetings_on(day + timedelta(days=1)),
            "tomorrow_by_person": self._by_person(
                self._meetings_on(day + timedelta(days=1)), names
            ),
            "email": self._email(day),
            "tasks_done": told["tasks_done"],
            "debriefs": told["debriefs"],
            "case_copies_released": [
                self._case_copy(e, names) for e in told["case_copies_released"]
            ],
            "closed": self.closed.get(day.isoformat()),
            "seal_email": self.seal_sends.get(day.isoformat()),
        }

    @staticmethod
    def _case_copy(entry: BlogEntry, inspector_names: dict[str, str]) -> BlogCaseCopy:
        to = str(entry["data"]["to"])
        return {**entry, "to_name": inspector_names.get(to, to)}

    def distribution(self) -> list[Recipient]:
        return list(self.recipients.values())

    def _email(self, day: date) -> BlogEmail:
        attempts = self.sends.get(day.isoformat(), [])
        status = attempts[-1]["status"] if attempts else "not_sent"
        return {"status": status, "attempts": attempts}

    @staticmethod
    def _by_person(
        meetings: list[BlogMeeting], inspector_names: dict[str, str]
    ) -> list[PersonsDay]:
        """What the council's end-of-day meeting was for: who is where tomorrow."""
        mine: dict[str, list[BlogMeeting]] = {}
        for meeting in meetings:
            people = [
                *meeting.get("attendees", []),
                *(inspector_names.get(i, i) for i in meeting.get("inspectors", [])),
            ]
            for person in dict.fromkeys(people):
                mine.setdefault(person, []).append(meeting)
        return [
            {"person": person, "meetings": mine[person]}
            for person in sorted(mine, key=str.casefold)
        ]

    def _meetings_on(self, day: date) -> list[BlogMeeting]:
        def with_day(m: BlogMeeting) -> tuple[date, BlogMeeting]:
            return self.day_of(datetime.fromisoformat(m["starts_at"])), m

        live = (m for m in self.meetings.values() if not m["cancelled"])
        return sorted(
            (m for d, m in each_converted(live, with_day) if d == day),
            key=lambda m: m["starts_at"],
        )
