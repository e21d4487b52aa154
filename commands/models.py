"""One pydantic model per command: the body a client sends.

Ids from the URL path are not part of the body; the route passes them on.
Bad input never reaches a handler: FastAPI answers 422 naming the field.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from warroom.domain.annex_a import Rag
from warroom.domain.case import (
    Copy,
    Judgement,
    Party,
    Plan,
    Seer,
    Selection,
    ref_problem,
)
from warroom.domain.distribution import Audience
from warroom.domain.inspection import Framework, Phase
from warroom.domain.meeting import MeetingKind
from warroom.domain.request import Channel, Medium
from warroom.domain.user import Role
from warroom.domain.window import (
    LARGEST_INTEGER,
    day_problem,
    era_problem,
    meeting_length_problem,
)
from warroom.playbook_templates import TemplateProblem, load_template
from warroom.text import control_problem, line_break_problem, newlines

# A client's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(seconds=60)


def _in_era(instant: datetime) -> datetime:
    problem = era_problem(instant)
    if problem is not None:
        raise ValueError(problem)
    return instant


def _pseudonymous(ref: object) -> object:
    # Before the pattern, so that "Jane Smith" is told why, not only "no spaces".
    problem = ref_problem(ref) if isinstance(ref, str) else None
    if problem is not None:
        raise ValueError(problem)
    return ref


def _day_in_era(day: date) -> date:
    problem = day_problem(day)
    if problem is not None:
        raise ValueError(problem)
    return day


def _text_only(value: object) -> object:
    """Every string a command holds, whatever its field's type: text, with
    no control character but tab and newline (a CRLF reads as a newline)."""
    if isinstance(value, str):
        # json.loads lets "\ud800" through; no store can encode it as UTF-8.
        try:
            value.encode()
        except UnicodeEncodeError:
            raise ValueError(
                "holds a character that is not text (a lone surrogate)"
            ) from None
        value = newlines(value)
        problem = control_problem(value)
        if problem is not None:
            raise ValueError(problem)
    elif isinstance(value, list):
        return [_text_only(item) for item in value]
    return value


def _one_line(value: str) -> str:
    problem = control_problem(value) or line_break_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _lines(value: str) -> str:
    problem = control_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# The same rule in the OpenAPI schema, for clients and fuzzers to read (an
# ECMA-262 pattern): no control character but tab, and newline where lines
# are allowed (a CRLF reads as one newline).
_NO_CONTROLS = "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\ufffe\\uffff"
ONE_LINE_PATTERN = f"^[^{_NO_CONTROLS}\\u000a\\u2028\\u2029]*$"
LINES_PATTERN = f"^(?:[^{_NO_CONTROLS}]|\\r\\n)*$"
_ONE_LINE_SCHEMA = Field(json_schema_extra={"pattern": ONE_LINE_PATTERN})
_LINES_SCHEMA = Field(json_schema_extra={"pattern": LINES_PATTERN})


class MultiLine:
    """Marks the text types that may hold line breaks: any other text field
    is one line (tests/unit/test_command_text.py walks every field)."""


MULTI_LINE = MultiLine()


# Every time and day a command names: see warroom/domain/window.py for why.
Instant = Annotated[AwareDatetime, AfterValidator(_in_era)]
Day = Annotated[date, AfterValidator(_day_in_era)]
# Text reaches XML, iCalendar, email headers and PDFs (warroom/text.py): a
# title or a name is one line; only LongText may hold line breaks. The
# validator comes after the lengths, so that a length's refusal reads as one.
OneLine = Annotated[str, AfterValidator(_one_line), _ONE_LINE_SCHEMA]
Text = Annotated[
    str,
    Field(min_length=1, max_length=200),
    AfterValidator(_one_line),
    _ONE_LINE_SCHEMA,
]
LongText = Annotated[
    str,
    Field(min_length=1, max_length=20_000),
    AfterValidator(_lines),
    _LINES_SCHEMA,
    MULTI_LINE,
]
Name = Annotated[
    str,
    Field(min_length=1, max_length=120),
    AfterValidator(_one_line),
    _ONE_LINE_SCHEMA,
]
# An email address: one mailbox, as `user@domain`, no display name (RFC 5321's
# limit of 254 characters; ASCII, for the SMTP servers councils run).
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def _email(value: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, value) or ".." in value:
        raise ValueError("is not an email address (like name@council.gov.uk)")
    return value


Email = Annotated[
    str,
    Field(min_length=3, max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}),
    AfterValidator(_email),
]
# An id of a user, an inspector or a line of enquiry: checked against what
# exists, but never longer than an id can be.
Id = Annotated[
    str,
    Field(min_length=1, max_length=100),
    AfterValidator(_one_line),
    _ONE_LINE_SCHEMA,
]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
# Pseudonymous case references only: no spaces, so no "Firstname Surname",
# and a case number's shape, so no "JaneSmith" (warroom/domain/case.py).
CaseRef = Annotated[
    str,
    Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$"),
    BeforeValidator(_pseudonymous),
]


class Command(BaseModel):
    """Every command may say when it really happened, for entries made after
    the fact while IT was down; it defaults to now and is never in the future."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    occurred_at: Instant | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _is_text(cls, value: object) -> object:
        return _text_only(value)

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value > datetime.now(UTC) + CLOCK_SKEW:
            raise ValueError("when it happened cannot be in the future")
        return value


class AddUser(Command):
    name: Name
    role: Role
    # Where meeting invitations reach them (issue 24); none by default.
    email: Email | None = None
    # When the token stops working; never, by default.
    expires_at: AwareDatetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _expires_ahead(cls, value: datetime | None) -> datetime | None:
        return _ahead(value)


class OpenInspection(Command):
    title: Text
    framework: Framework
    starts_on: Day
    # The blog's days are days in this zone (an IANA name).
    timezone: OneLine = "Europe/London"
    # A playbook template's name (issue 15): its responsibilities and tasks
    # are copied into the log as the inspection opens.
    template: Name | None = None

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

    @field_validator("template")
    @classmethod
    def _known_template(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                load_template(value)
            except TemplateProblem as problem:
                raise ValueError(str(problem)) from None
        return value

    @model_validator(mode="after")
    def _template_of_framework(self) -> OpenInspection:
        if self.template is not None:
            framework = load_template(self.template).framework
            if framework != self.framework:
                raise ValueError(
                    f"template {self.template!r} is for {framework}, "
                    f"not {self.framework}"
                )
        return self


class AddInspector(Command):
    name: Name
    lead: bool = False
    agency: Name | None = None


class EnterPhase(Command):
    phase: Phase


class RecordRequest(Command):
    title: Text
    requested_by: Id
    channel: Channel
    due_at: Instant | None = None
    detail: LongText | None = None
    line_of_enquiry: Id | None = None


class AssignRequest(Command):
    assignee: Id


class LinkRequestToLineOfEnquiry(Command):
    """Files a request under an open key line of enquiry (issue 25)."""

    line_of_enquiry: Id


class AttachDocument(Command):
    """Built by the upload route from the multipart body, not sent as JSON."""

    sha256: Sha256
    name: Annotated[
        str,
        Field(min_length=1, max_length=255),
        AfterValidator(_one_line),
        _ONE_LINE_SCHEMA,
    ]
    version: Annotated[
        str, Field(min_length=1, max_length=40), AfterValidator(_one_line)
    ]
    size: int


class ApproveDocument(Command):
    sha256: Sha256


class CheckDocument(Command):
    sha256: Sha256


class ReleaseDocument(Command):
    sha256: Sha256
    to: Id
    medium: Medium


class DeclineRequest(Command):
    reason: LongText


class WithdrawRequest(Command):
    reason: LongText


class EscalateRequest(Command):
    reason: LongText


class Timed(Command):
    """A meeting's times: the same rules for scheduling and rescheduling."""

    starts_at: Instant
    ends_at: Instant

    @field_validator("ends_at")
    @classmethod
    def _a_meetings_length(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        problem = starts_at and meeting_length_problem(starts_at, ends_at)
        if problem:
            raise ValueError(f"the end time {problem}")
        return ends_at


class ScheduleMeeting(Timed):
    title: Text
    kind: MeetingKind
    venue: Text
    attendees: list[Name] = Field(default_factory=list, max_length=200)
    inspectors: list[Id] = Field(default_factory=list, max_length=20)
    topics: list[Text] = Field(default_factory=list, max_length=50)


class RescheduleMeeting(Timed):
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
    # Why it is selected beyond the template's sample: needed once the
    # sample of its selection is full (409 `sample_full` without it).
    over_reason: LongText | None = None


class NotifyCaseParty(Command):
    """One party notified (`party`), or several at once (`parties`, issue 25:
    the page's checklist): all are recorded, or, if one cannot be, none."""

    party: Party | None = None
    parties: list[Party] | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_way_of_naming(self) -> NotifyCaseParty:
        if (self.party is None) == (self.parties is None):
            raise ValueError("name who was notified: either party or parties")
        given = self.parties or []
        twice = sorted({p for p in given if given.count(p) > 1})
        if twice:
            raise ValueError(f"parties names {', '.join(twice)} more than once")
        return self

    def named(self) -> list[str]:
        """Who was notified, in the order given."""
        return [self.party] if self.party is not None else list(self.parties or [])


class JudgeCase(Command):
    judgement: Judgement


class RecordCaseBrowsed(Command):
    inspector: Id
    item: Text


class AcknowledgeBriefing(Command):
    """`up_to`: the log position the person has been told up to; now by default."""

    up_to: Annotated[int, Field(ge=0, le=LARGEST_INTEGER)] | None = None


class WriteBlogPost(Command):
    day: Day
    title: Text
    body: LongText


# --- organisations and tokens -----------------------------------------------


def _ahead(value: datetime | None) -> datetime | None:
    """An expiry must be in the future: one in the past makes a dead token."""
    if value is not None and value <= datetime.now(UTC):
        raise ValueError("the expiry time is in the past")
    return value


class AddOrganisation(Command):
    """A council. Only from the command line (`warroom org add`), as whoever
    holds the database: no role of any organisation adds another."""

    name: Name


class SetUserEmail(Command):
    """Where the user's meeting invitations go; null takes the address away."""

    email: Email | None


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

    inspection_ids: (
        list[
            Annotated[
                str, Field(max_length=64), AfterValidator(_one_line), _ONE_LINE_SCHEMA
            ]
        ]
        | None
    ) = Field(max_length=1000)


# --- KIT actions (issue 11) ---------------------------------------------------
# The action is named in the path: `.../kit-actions/{n}`, n counted from 0
# across the meeting's KIT notes in the order they were recorded.


class AssignKitAction(Command):
    """Gives a KIT note's action to a person of the organisation, by name."""

    owner: Name


class MarkKitActionDone(Command):
    """Marks a KIT note's action done, with what was done if worth saying."""

    note: LongText | None = None


# --- issue 15: playbook, Annex A, case audits, debriefs, access log ---------


class CompletePlaybookTask(Command):
    note: LongText | None = None


class AssignPlaybookTask(Command):
    owner: Name


class AssignResponsibility(Command):
    """Who leads one of the playbook's responsibilities (a new role is added)."""

    role: Text
    person: Name


class ListAnnexADocument(Command):
    title: Text
    owner: Name


class RateAnnexADocument(Command):
    """Either rating or both: present and complete; quality and fit for purpose."""

    rag_complete: Rag | None = None
    rag_quality: Rag | None = None
    reason: LongText | None = None

    @model_validator(mode="after")
    def _rates_something(self) -> RateAnnexADocument:
        if self.rag_complete is None and self.rag_quality is None:
            raise ValueError("rate how complete it is, its quality, or both")
        return self


class SubmitAnnexADocument(Command):
    pass


class WriteAnnexASummary(Command):
    """What Annex A says about performance, for the day-2 presentation."""

    text: LongText


class AssignCaseAuditor(Command):
    auditor: Name


class RecordMultiAgencyReview(Command):
    note: LongText | None = None


class CompleteAuditForm(Command):
    pass


class ConcludeCaseAudit(Command):
    judgement: Judgement
    reason: LongText


class RecordJudgementSeen(Command):
    by: Seer


class MarkFolderReady(Command):
    pass


class MakeCaseCopy(Command):
    copy_for: Copy


class HandOverCaseCopy(Command):
    """Ours or the social worker's copy; the inspector's goes by the gatekeeper."""

    copy_for: Literal["council", "social_worker"]
    to: Name
    medium: Medium


class ReleaseCaseCopy(Command):
    """The inspector's copy, released by the gatekeeper to an inspector."""

    to: Id
    medium: Medium


class RecordDebrief(Command):
    asked: LongText
    went_well: LongText | None = None
    concerns: LongText | None = None
    # Each becomes a task of the playbook for the rapid response team.
    follow_ups: list[Text] = Field(default_factory=list, max_length=20)


class AccessRow(BaseModel):
    """One row of the case system's access log, as read from the file."""

    model_config = ConfigDict(extra="forbid")

    line: int
    user: OneLine
    case_ref: OneLine
    item: OneLine
    # Without a zone, a time in the inspection's own zone.
    accessed_at: datetime


class ImportAccessLog(Command):
    """Built by the upload route or `warroom import-access-log` from the file."""

    rows: list[AccessRow] = Field(max_length=200_000)


# --- calendar links (issue 13: feeds) ----------------------------------------


class CreateCalendarLink(Command):
    """A secret link to a person's agenda as a calendar feed; with no person,
    the whole inspection's schedule (admin or lead only)."""

    person: Name | None = None


class RevokeCalendarLink(Command):
    """The link answers 404 from now on, on every server process."""


# --- calendar links for oneself (issue 24) -----------------------------------


class CreateOwnCalendarLink(Command):
    """A secret link to one's own agenda as a calendar feed, for any council
    user (staff too): the person is always the caller."""

    # Whose inspection's agenda; by default the newest open one the caller
    # may see.
    inspection_id: Id | None = None


class RevokeOwnCalendarLink(Command):
    """Built by the DELETE route: one's own link answers 404 from now on."""


# --- the verifiable log (warroom/evidence) -----------------------------------


class CloseDay(Command):
    """Closes a day: the log is signed as it stands and the day's blog prints it."""

    day: Day
    # Why it is closed before its last meeting has ended: needed then
    # (409 `meetings_to_come` without it).
    early_reason: LongText | None = None


# --- the daily blog by email (issue 13) -------------------------------------


class AddRecipient(Command):
    """Someone the daily blog is emailed to: staff or a partner; or, with
    `contact_id` instead of name and email, someone on the contact list."""

    name: Name | None = None
    email: EmailStr | None = None
    # e.g. "staff", "health", "police": how the list is read, not who may read.
    group: Name | None = None
    # Which copy of the blog they get (issue 24): the war room's own, or the
    # partners' (no requests, declines, playbook ticks or internal notes).
    audience: Audience = "war_room"
    # Issue 24: a contact with an email address; their name, email and group
    # are taken from the contact list (a group given here overrides theirs).
    contact_id: Id | None = None

    @model_validator(mode="after")
    def _someone(self) -> AddRecipient:
        if self.contact_id is not None:
            if self.name is not None or self.email is not None:
                raise ValueError(
                    "give either someone from the contact list, or a name and "
                    "an email address, not both"
                )
        elif self.name is None or self.email is None:
            raise ValueError(
                "give a name and an email address, or someone from the contact list"
            )
        return self


class RemoveRecipient(Command):
    """Built by the DELETE route from the address in its path."""

    email: EmailStr


# --- the contact list (issue 24) ---------------------------------------------

# A telephone number as people write it: digits, spaces and + ( ) - . /,
# at least three digits and at most 21 (15 and an extension: "ext 12") ("ext 12").
PHONE_PATTERN = r"^\+?[0-9 ()./-]{3,30}(?: ?(?:ext|x)\.? ?[0-9]{1,6})?$"
_PHONE = re.compile(PHONE_PATTERN)


def _phone(value: str) -> str:
    digits = sum(c.isdigit() for c in value)
    if not _PHONE.match(value) or not 3 <= digits <= 21:
        raise ValueError(
            "a telephone number is digits, spaces and + ( ) - only, "
            "e.g. 0161 234 3804 or +44 161 234 3804 ext 12"
        )
    return value


Phone = Annotated[
    str,
    Field(min_length=3, max_length=40),
    AfterValidator(_phone),
    Field(json_schema_extra={"pattern": PHONE_PATTERN}),
]


class AddContact(Command):
    """Someone on the inspection's contact list."""

    name: Name
    organisation: Name | None = None
    # Their job: "Detective Inspector, Public Protection", "Board Manager".
    role: Name | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    # e.g. "Police", "Health", "Elected members": how the list is grouped.
    group: Name | None = None
    # Where to find them: the rapid response team's rooms.
    location: Name | None = None


class ChangeContact(AddContact):
    """The contact as it is to read from now on: every field, as for adding
    (a field left out is emptied)."""


class RemoveContact(Command):
    """Built by the DELETE route: off the contact list (the log keeps it)."""


# --- lines of enquiry: their owner (issue 11, the page's "set its owner")


class AssignLineOfEnquiry(Command):
    owner: Name
