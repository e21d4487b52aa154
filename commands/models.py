"""One pydantic model per command: the body a client sends.

Ids from the URL path are not part of the body; the route passes them on.
Bad input never reaches a handler: FastAPI answers 422 naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from warroom.domain.case import Judgement, Party, Plan, Selection
from warroom.domain.inspection import Framework, Phase
from warroom.domain.meeting import MeetingKind
from warroom.domain.request import Channel, Medium
from warroom.domain.user import Role

# A client's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(seconds=60)

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=20_000)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
# Pseudonymous case references only: no spaces, so no "Firstname Surname".
CaseRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")]


class Command(BaseModel):
    """Every command may say when it really happened, for entries made after
    the fact while IT was down; it defaults to now and is never in the future."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    occurred_at: AwareDatetime | None = None

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("occurred_at is in the future")
        return value


class AddUser(Command):
    name: Name
    role: Role
    # When the token stops working; never, by default.
    expires_at: AwareDatetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _expires_ahead(cls, value: datetime | None) -> datetime | None:
        return _ahead(value)


class OpenInspection(Command):
    title: Text
    framework: Framework
    starts_on: date
    # The blog's days are days in this zone (an IANA name).
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a time zone, e.g. Europe/London"
            ) from None
        return value


class AddInspector(Command):
    name: Name
    lead: bool = False
    agency: Name | None = None


class EnterPhase(Command):
    phase: Phase


class RecordRequest(Command):
    title: Text
    requested_by: str
    channel: Channel
    due_at: AwareDatetime | None = None
    detail: LongText | None = None
    line_of_enquiry: str | None = None


class AssignRequest(Command):
    assignee: str


class AttachDocument(Command):
    """Built by the upload route from the multipart body, not sent as JSON."""

    sha256: Sha256
    name: Annotated[str, Field(min_length=1, max_length=255)]
    version: Annotated[str, Field(min_length=1, max_length=40)]
    size: int


class ApproveDocument(Command):
    sha256: Sha256


class CheckDocument(Command):
    sha256: Sha256


class ReleaseDocument(Command):
    sha256: Sha256
    to: str
    medium: Medium


class DeclineRequest(Command):
    reason: LongText


class WithdrawRequest(Command):
    reason: LongText


class EscalateRequest(Command):
    reason: LongText


class _Timed(Command):
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Timed:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self


class ScheduleMeeting(_Timed):
    title: Text
    kind: MeetingKind
    venue: Text
    attendees: list[Name] = Field(default_factory=list, max_length=200)
    inspectors: list[str] = Field(default_factory=list, max_length=20)
    topics: list[Text] = Field(default_factory=list, max_length=50)


class RescheduleMeeting(_Timed):
    reason: LongText


class MoveMeeting(Command):
    venue: Text
    reason: LongText | None = None


class ChangeAttendees(Command):
    add: list[Name] = Field(default_factory=list, max_length=200)
    remove: list[Name] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _changes_something(self) -> ChangeAttendees:
        if not self.add and not self.remove:
            raise ValueError("name someone to add or remove")
        return self


class ChangeTopics(Command):
    topics: list[Text] = Field(max_length=50)


class CancelMeeting(Command):
    reason: LongText


class RecordKitNote(Command):
    text: LongText
    lines_of_enquiry: list[Text] = Field(default_factory=list, max_length=50)
    actions: list[Text] = Field(default_factory=list, max_length=50)


class RaiseLineOfEnquiry(Command):
    title: Text
    owner: Name | None = None


class AnswerLineOfEnquiry(Command):
    response: LongText


class SelectCase(Command):
    ref: CaseRef
    selection: Selection
    plan: Plan
    social_worker: Name | None = None
    team_manager: Name | None = None
    iro: Name | None = None


class NotifyCaseParty(Command):
    party: Party


class JudgeCase(Command):
    judgement: Judgement


class RecordCaseBrowsed(Command):
    inspector: str
    item: Text


class AcknowledgeBriefing(Command):
    """`up_to`: the log position the person has been told up to; now by default."""

    up_to: Annotated[int, Field(ge=0)] | None = None


class WriteBlogPost(Command):
    day: date
    title: Text
    body: LongText


# --- organisations and tokens -----------------------------------------------


def _ahead(value: datetime | None) -> datetime | None:
    """An expiry must be in the future: one in the past makes a dead token."""
    if value is not None and value <= datetime.now(UTC):
        raise ValueError("expires_at is in the past")
    return value


class AddOrganisation(Command):
    """A council. Only from the command line (`warroom org add`), as whoever
    holds the database: no role of any organisation adds another."""

    name: Name


class RevokeToken(Command):
    """The user's token stops working, on every server process, streams too."""


class RotateToken(Command):
    """A new token for the user, answered once; the old one stops working."""

    expires_at: AwareDatetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _expires_ahead(cls, value: datetime | None) -> datetime | None:
        return _ahead(value)


class LimitInspections(Command):
    """Limits a user to these inspections of their organisation; null lifts it."""

    inspection_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(
        max_length=1000
    )
