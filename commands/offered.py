"""What a caller may send on one thing now: the commands the server would accept.

Found by asking the server's own rules, not a copy of them. Each command the
caller's role may send (`COMMAND_HANDLERS`' table) is run as far as its
decision: its handler, against the thing as it is stored, with plausible
values taken from the thing itself (a document's current version, a party
not yet notified, the caller as the new owner). Nothing is saved: what the
handler staged is dropped. A command the handler refuses, for the thing's
state or for who the caller is (a debrief of a meeting they were not in), is
not offered; so the page offers exactly what the server would accept, and the
two cannot drift apart.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.domain import Aggregate
from pydantic import ValidationError

from commands import models as m
from commands.handlers import COMMAND_HANDLERS, KIT_FOLLOW_UP, KIT_OWNERS
from commands.run import Actor, Calendar, Run
from warroom.application import WarRoom
from warroom.domain.annex_a import RAGS, AnnexADocument
from warroom.domain.base import Context, DomainError
from warroom.domain.case import COPIES, PARTIES, SEERS, Case
from warroom.domain.enquiry import LineOfEnquiry
from warroom.domain.inspection import PHASES, Inspection
from warroom.domain.meeting import Meeting
from warroom.domain.playbook import Playbook
from warroom.domain.request import DocumentRequest

A = TypeVar("A", bound=Aggregate)

# A value no document has: a probe that needs the current version takes the
# thing's own, and this only where the thing has none (then it is refused for
# its state, before the value is looked at).
NO_DOCUMENT = "0" * 64
PROBE_TEXT = "what the caller would write"


@dataclass(frozen=True)
class Asking:
    """Who asks, and about which inspection: what a probe may take values from."""

    actor: Actor
    inspection: Inspection
    # The users of the caller's organisation (id -> name): someone to give a
    # thing to who does not hold it already.
    users: Mapping[str, str] = field(default_factory=dict)
    # Their roles (id -> role), where a probe needs someone of a role.
    roles: Mapping[str, str] = field(default_factory=dict)
    # The inspection's open lines of enquiry (ids), to file a request under.
    open_lines: Sequence[str] = ()

    def someone_but(self, holder: str | None) -> str:
        """A user (by name) other than the thing's holder: the caller, if they
        are not it."""
        names = (self.actor.name, *self.users.values())
        return next((n for n in names if n != holder), "someone else")

    def user_but(self, holder_id: str | None) -> str:
        """The name of a user other than the one with this id."""
        people = {self.actor.id: self.actor.name, **self.users}
        return next(
            (n for i, n in people.items() if i != holder_id), "nobody who signs in"
        )

    def doer_but(self, holder_id: str | None) -> str:
        """The name of a user, other than the one with this id, who may be
        given a KIT action: the caller first, if they may."""
        doers = KIT_FOLLOW_UP | KIT_OWNERS
        people = {self.actor.id: self.actor.name, **self.users}
        roles = {self.actor.id: self.actor.role, **self.roles}
        return next(
            (n for i, n in people.items() if i != holder_id and roles.get(i) in doers),
            "nobody who signs in",
        )

    def line_but(self, current: str | None) -> str:
        """An open line of enquiry other than `current`, or an id none has."""
        return next((i for i in self.open_lines if i != current), "no open line")

    def inspector(self) -> str:
        """An inspector on the roster (the lead first), or a name none has."""
        ids = sorted(self.inspection.inspectors, key=lambda i: not self._lead(i))
        return ids[0] if ids else "nobody on the roster"

    def _lead(self, inspector_id: str) -> bool:
        return bool(self.inspection.inspectors[inspector_id].get("lead"))


# A plausible command for the thing (its aggregate, or None for the
# inspection's own commands) from the one who asks.
Probe = Callable[[Any, Asking], m.Command]


def _first_not_in(choices: tuple[str, ...], taken: list[str]) -> str:
    return next((c for c in choices if c not in taken), choices[0])


def _other_than(current: str | None, wanted: str, fallback: str) -> str:
    return wanted if wanted != current else fallback


def _current_sha(request: DocumentRequest) -> str:
    return str(request.current["sha256"]) if request.current else NO_DOCUMENT


REQUEST: Mapping[type[m.Command], Probe] = {
    m.AssignRequest: lambda r, a: m.AssignRequest(assignee=a.actor.id),
    m.AttachDocument: lambda r, a: m.AttachDocument(
        sha256=NO_DOCUMENT, name="document.pdf", version="1", size=1
    ),
    m.ApproveDocument: lambda r, a: m.ApproveDocument(sha256=_current_sha(r)),
    m.CheckDocument: lambda r, a: m.CheckDocument(sha256=_current_sha(r)),
    m.ReleaseDocument: lambda r, a: m.ReleaseDocument(
        sha256=r.checked_sha256 or NO_DOCUMENT,
        to=r.requested_by,
        medium="electronic",
    ),
    m.EscalateRequest: lambda r, a: m.EscalateRequest(reason=PROBE_TEXT),
    m.DeclineRequest: lambda r, a: m.DeclineRequest(reason=PROBE_TEXT),
    m.WithdrawRequest: lambda r, a: m.WithdrawRequest(reason=PROBE_TEXT),
    m.LinkRequestToLineOfEnquiry: lambda r, a: m.LinkRequestToLineOfEnquiry(
        line_of_enquiry=a.line_but(r.line_of_enquiry)
    ),
}

MEETING: Mapping[type[m.Command], Probe] = {
    m.RescheduleMeeting: lambda g, a: m.RescheduleMeeting.model_validate(
        {"starts_at": g.starts_at, "ends_at": g.ends_at, "reason": PROBE_TEXT}
    ),
    m.MoveMeeting: lambda g, a: m.MoveMeeting(
        venue=_other_than(g.venue, "another room", "a third room")
    ),
    m.ChangeAttendees: lambda g, a: m.ChangeAttendees(
        add=[_first_not_in(("someone new", "someone else new"), g.attendees)]
    ),
    m.ChangeTopics: lambda g, a: m.ChangeTopics(topics=list(g.topics)),
    m.CancelMeeting: lambda g, a: m.CancelMeeting(reason=PROBE_TEXT),
    m.RecordKitNote: lambda g, a: m.RecordKitNote(text=PROBE_TEXT),
    m.RecordDebrief: lambda g, a: m.RecordDebrief(asked=PROBE_TEXT),
}

# One of a meeting's KIT actions, the path naming its number.
KIT_ACTION: Mapping[type[m.Command], Probe] = {
    m.AssignKitAction: lambda k, a: m.AssignKitAction(owner=a.doer_but(k.owner_id)),
    m.MarkKitActionDone: lambda g, a: m.MarkKitActionDone(),
}

LINE_OF_ENQUIRY: Mapping[type[m.Command], Probe] = {
    m.AnswerLineOfEnquiry: lambda line, a: m.AnswerLineOfEnquiry(response=PROBE_TEXT),
    m.AssignLineOfEnquiry: lambda line, a: m.AssignLineOfEnquiry(owner=a.actor.name),
}

CASE: Mapping[type[m.Command], Probe] = {
    m.NotifyCaseParty: lambda c, a: m.NotifyCaseParty.model_validate(
        {"party": _first_not_in(PARTIES, c.notified)}
    ),
    m.JudgeCase: lambda c, a: m.JudgeCase(judgement="good"),
    m.RecordCaseBrowsed: lambda c, a: m.RecordCaseBrowsed(
        inspector=a.inspector(), item=PROBE_TEXT
    ),
    m.AssignCaseAuditor: lambda c, a: m.AssignCaseAuditor(
        auditor=a.someone_but(c.auditor)
    ),
    m.RecordMultiAgencyReview: lambda c, a: m.RecordMultiAgencyReview(),
    m.CompleteAuditForm: lambda c, a: m.CompleteAuditForm(),
    m.ConcludeCaseAudit: lambda c, a: m.ConcludeCaseAudit(
        judgement="good", reason=PROBE_TEXT
    ),
    m.RecordJudgementSeen: lambda c, a: m.RecordJudgementSeen.model_validate(
        {"by": _first_not_in(SEERS, c.seen_by)}
    ),
    m.MarkFolderReady: lambda c, a: m.MarkFolderReady(),
    m.MakeCaseCopy: lambda c, a: m.MakeCaseCopy.model_validate(
        {"copy_for": _first_not_in(COPIES, c.copies_made)}
    ),
    m.HandOverCaseCopy: lambda c, a: m.HandOverCaseCopy.model_validate(
        {
            "copy_for": _copy_to_hand_over(c),
            "to": "the copy's holder",
            "medium": "electronic",
        }
    ),
    m.ReleaseCaseCopy: lambda c, a: m.ReleaseCaseCopy(
        to=a.inspector(), medium="electronic"
    ),
}


def _copy_to_hand_over(case: Case) -> str:
    """Ours or the social worker's: one made and not yet handed over, if any."""
    ready = [
        c
        for c in ("council", "social_worker")
        if c in case.copies_made and c not in case.copies_handed_over
    ]
    return ready[0] if ready else "council"


# A playbook task, the path naming it.
TASK: Mapping[type[m.Command], Probe] = {
    m.CompletePlaybookTask: lambda p, a: m.CompletePlaybookTask(),
    m.AssignPlaybookTask: lambda t, a: m.AssignPlaybookTask(
        owner=a.someone_but(t["owner"])
    ),
}

ANNEX_A_DOCUMENT: Mapping[type[m.Command], Probe] = {
    m.RateAnnexADocument: lambda d, a: m.RateAnnexADocument.model_validate(
        {"rag_complete": _first_not_in(RAGS, [d.rag_complete])}
    ),
    m.SubmitAnnexADocument: lambda d, a: m.SubmitAnnexADocument(),
}


# A user of the caller's organisation (of no inspection: the path names them).
USER: tuple[m.Command, ...] = (
    m.RotateToken(),
    m.RevokeToken(),
    m.LimitInspections(inspection_ids=None),
    m.SetUserEmail(email="offer@probe.invalid"),
)

CALENDAR_LINK: Mapping[type[m.Command], Probe] = {
    m.RevokeCalendarLink: lambda link, a: m.RevokeCalendarLink(),
}

# One's own calendar link (issue 24), on GET /api/me/calendar-links.
OWN_CALENDAR_LINK: Mapping[type[m.Command], Probe] = {
    m.RevokeOwnCalendarLink: lambda link, a: m.RevokeOwnCalendarLink(),
}


# A contact of the inspection's list (issue 24): the path names the contact,
# the list (an aggregate of the inspection) holds it.
def contact_probes(row: Any) -> Mapping[type[m.Command], Probe]:
    details = {k: row[k] for k in CONTACT_FIELDS}
    return {
        # Something different, or the list would refuse it as unchanged.
        m.ChangeContact: lambda _, a: m.ChangeContact.model_validate(
            {**details, "location": "elsewhere" if details["location"] else "here"}
        ),
        m.RemoveContact: lambda _, a: m.RemoveContact(),
    }


CONTACT_FIELDS = ("name", "organisation", "role", "phone", "email", "group", "location")


def _a_meeting_on_day_one(inspection: Inspection) -> m.ScheduleMeeting:
    zone = ZoneInfo(inspection.timezone)
    starts = datetime.combine(inspection.starts_on, time(10), zone)
    return m.ScheduleMeeting.model_validate(
        {
            "title": PROBE_TEXT,
            "kind": "kit",
            "venue": PROBE_TEXT,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=1),
        }
    )


def _next_phase(inspection: Inspection) -> m.EnterPhase:
    later = PHASES[PHASES.index(inspection.phase) + 1 :]
    return m.EnterPhase.model_validate({"phase": later[0] if later else PHASES[0]})


# What may be added to the inspection itself: the page's "create" buttons in
# its panels' headers (a new request, a meeting, a case...). Each made
# anew, so only the caller and the inspection's state decide: its roster
# (a request is asked by an inspector on it), its phase, whether it is open.
INSPECTION: Mapping[type[m.Command], Probe] = {
    m.RecordRequest: lambda _, a: m.RecordRequest.model_validate(
        {"title": PROBE_TEXT, "requested_by": a.inspector(), "channel": "email"}
    ),
    m.ScheduleMeeting: lambda _, a: _a_meeting_on_day_one(a.inspection),
    m.RaiseLineOfEnquiry: lambda _, a: m.RaiseLineOfEnquiry(title=PROBE_TEXT),
    # With a reason: a case beyond a full sample is selected with one, which
    # the page asks for.
    m.SelectCase: lambda _, a: m.SelectCase.model_validate(
        {
            "ref": "P-000000000",
            "selection": "audited",
            "plan": "CP",
            "over_reason": PROBE_TEXT,
        }
    ),
    m.ImportAccessLog: lambda _, a: m.ImportAccessLog(rows=[]),
    m.AssignResponsibility: lambda _, a: m.AssignResponsibility(
        role=PROBE_TEXT, person=a.actor.name
    ),
    m.ListAnnexADocument: lambda _, a: m.ListAnnexADocument(
        title=PROBE_TEXT, owner=a.actor.name
    ),
    m.WriteAnnexASummary: lambda _, a: m.WriteAnnexASummary(text=PROBE_TEXT),
    # For themselves: anyone who may make a link may make their own.
    m.CreateCalendarLink: lambda _, a: m.CreateCalendarLink(person=a.actor.name),
    m.EnterPhase: lambda _, a: _next_phase(a.inspection),
    m.AddInspector: lambda _, a: m.AddInspector(name="a new inspector"),
    m.CreateOwnCalendarLink: lambda _, a: m.CreateOwnCalendarLink(),
    m.AddContact: lambda _, a: m.AddContact.model_validate(
        {"name": PROBE_TEXT, "group": PROBE_TEXT}
    ),
}

# What may be done outside any inspection: open one, add a user.
OUTSIDE: tuple[m.Command, ...] = (
    m.OpenInspection.model_validate(
        {"title": PROBE_TEXT, "framework": "SIF", "starts_on": "2026-01-05"}
    ),
    m.AddUser.model_validate({"name": "a probe's new user", "role": "staff"}),
)


def recipient_probes(email: str) -> Mapping[type[m.Command], Probe]:
    """One address on the blog's distribution list: taking it off."""
    return {m.RemoveRecipient: lambda _, a: m.RemoveRecipient(email=email)}


def _close_day(day: str) -> Probe:
    def probe(_: Any, asking: Asking) -> m.Command:
        body: dict[str, Any] = {"day": day}
        # A day closed before its last meeting ends is closed with a reason:
        # the offer stands, and the page asks for it.
        if "early_reason" in m.CloseDay.model_fields:
            body["early_reason"] = PROBE_TEXT
        return m.CloseDay.model_validate(body)

    return probe


def day_probes(day: str) -> Mapping[type[m.Command], Probe]:
    """A day of the inspection: writing its blog, closing and sealing it."""
    return {
        m.WriteBlogPost: lambda _, a: m.WriteBlogPost.model_validate(
            {"day": day, "title": PROBE_TEXT, "body": PROBE_TEXT}
        ),
        m.CloseDay: _close_day(day),
    }


@dataclass(frozen=True)
class Thing:
    """What an offer is about: the aggregate the command's path names, and
    which part of it (a KIT action's number), or the inspection itself."""

    cls: type[Aggregate] | None = None
    target_id: str | None = None
    part: str | None = None
    # The aggregate to load, where it is not the one the path names (a
    # playbook task's playbook).
    holder_id: str | None = None


def offered(
    app: WarRoom,
    actor: Actor,
    inspection_id: str,
    thing: Thing,
    probes: Mapping[type[m.Command], Probe],
    *,
    calendar: Calendar | None = None,
    users: Mapping[str, str] | None = None,
    roles: Mapping[str, str] | None = None,
    open_lines: Sequence[str] = (),
    now: datetime | None = None,
    load: Callable[[Thing], Aggregate | None] | None = None,
) -> list[str]:
    """The names of the commands (as GET /api/meta lists them) that the
    server would accept from `actor` on `thing` now, in `probes`' order
    (`load`: how to load the thing, if not from the log each time)."""
    mine = [c for c in probes if actor.role in COMMAND_HANDLERS[c][1]]
    if not mine:
        return []
    try:
        inspection = app.read_only(Inspection, inspection_id)
        loaded = load(thing) if load else load_thing(app, thing)
    except DomainError:
        return []
    subject = _subject(thing, loaded)
    if subject is _GONE:
        return []
    asking = Asking(actor, inspection, users or {}, roles or {}, open_lines)
    moment = now or datetime.now(UTC)
    accepts = _accepted(app, actor, inspection_id, thing, loaded, calendar, moment)
    return [
        c.__name__
        for c in mine
        if (probe := _probe(probes[c], subject, asking)) is not None
        and accepts(c, probe)
    ]


def offered_outside(
    app: WarRoom,
    actor: Actor,
    target_id: str | None,
    commands: tuple[m.Command, ...],
) -> list[str]:
    """As `offered`, for a thing of no inspection (a user): each command's
    handler finds it by the path's id, in the caller's organisation, or
    refuses. With no id, what may be made outside any inspection (`OUTSIDE`)."""
    names = []
    for command in commands:
        command_type = type(command)
        handler, roles = COMMAND_HANDLERS[command_type]
        if actor.role not in roles:
            continue
        run = Run(
            app=app,
            ctx=Context(
                actor=actor.id, actor_name=actor.name, occurred_at=datetime.now(UTC)
            ),
            role=actor.role,
            organisation_id=actor.organisation_id,
            target_id=target_id,
        )
        try:
            # Nothing staged is saved: the run is dropped.
            handler(run, command)
        except DomainError:
            continue
        names.append(command_type.__name__)
    return names


def _probe(probe: Probe, subject: Any, asking: Asking) -> m.Command | None:
    """The plausible command, or None where the thing gives no value the
    command's body takes (a meeting stored longer than today's rules allow):
    then nothing is offered, rather than the read failing."""
    try:
        return probe(subject, asking)
    except ValidationError:
        return None


_GONE = object()


def _subject(thing: Thing, loaded: Aggregate | None) -> Any:
    """What the probes take their values from: the aggregate, or the part of
    it the offer is about (a KIT action, a playbook task)."""
    if isinstance(loaded, Meeting) and thing.part is not None:
        n = int(thing.part)
        return loaded.kit_actions[n] if 0 <= n < len(loaded.kit_actions) else _GONE
    if isinstance(loaded, Playbook):
        return loaded.tasks.get(thing.target_id or "", _GONE)
    return loaded


def load_thing(app: WarRoom, thing: Thing) -> Aggregate | None:
    """The aggregate an offer is about, as stored (None: the inspection's)."""
    aggregate_id = thing.holder_id or thing.target_id
    if thing.cls is None or aggregate_id is None:
        return None
    return app.load(thing.cls, aggregate_id)


def _accepted(
    app: WarRoom,
    actor: Actor,
    inspection_id: str,
    thing: Thing,
    loaded: Aggregate | None,
    calendar: Calendar | None,
    now: datetime,
) -> Callable[[type[m.Command], m.Command], bool]:
    def accepts(command_type: type[m.Command], command: m.Command) -> bool:
        handler = COMMAND_HANDLERS[command_type][0]
        run = _ProbeRun(
            app=_ProbeApp(app, loaded),  # type: ignore[arg-type]
            ctx=Context(
                actor=actor.id,
                actor_name=actor.name,
                occurred_at=now,
                inspection_id=inspection_id,
            ),
            role=actor.role,
            organisation_id=actor.organisation_id,
            inspection_id=inspection_id,
            target_id=thing.target_id,
            part=thing.part,
            calendar=calendar,
        )
        run.preloaded = loaded
        try:
            handler(run, command)
        except DomainError:
            return False
        return True

    return accepts


class _ProbeRun(Run):
    """A run whose loads of the thing asked about are copies of the one
    loaded once for all its probes: each probe may change its copy, and none
    is saved."""

    preloaded: Aggregate | None = None

    def load(self, cls: type[A], aggregate_id: str) -> A:
        held = self.preloaded
        if held is not None and isinstance(held, cls) and str(held.id) == aggregate_id:
            self.inspection()  # refused, as a load is, if the inspection is closed
            return _copy(held)
        return super().load(cls, aggregate_id)


class _ProbeApp:
    """The application as a probe sees it: the thing loaded once exists
    without being loaded again; all else is the application's own."""

    def __init__(self, app: WarRoom, loaded: Aggregate | None) -> None:
        self._app = app
        self._loaded = loaded

    def exists(self, aggregate_id: UUID) -> bool:
        if self._loaded is not None and self._loaded.id == aggregate_id:
            return True
        return self._app.exists(aggregate_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


def _copy(aggregate: A) -> A:
    """A copy a probe may change without changing `aggregate`.

    Cheaper than a deep copy (a playbook's tasks made a read of them cost
    a deep copy of the playbook per task and command): an event changes an
    attribute, an item of a collection attribute, or a field of such an
    item, never deeper, so the collections and their items are copied and
    what they hold shared."""
    copied = copy.copy(aggregate)
    for name, value in vars(aggregate).items():
        if isinstance(value, dict):
            vars(copied)[name] = {k: copy.copy(v) for k, v in value.items()}
        elif isinstance(value, list):
            vars(copied)[name] = [copy.copy(v) for v in value]
        elif isinstance(value, set):
            vars(copied)[name] = set(value)
    return copied


# Which aggregate each kind of item is, for the routes that add offers.
KINDS: Mapping[str, type[Aggregate]] = {
    "request": DocumentRequest,
    "meeting": Meeting,
    "line_of_enquiry": LineOfEnquiry,
    "case": Case,
    "playbook": Playbook,
    "annex_a_document": AnnexADocument,
}
