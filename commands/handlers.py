"""One small handler per command, listed in one explicit table at the bottom.

A handler loads what it needs, asks the aggregates to decide, and stages them;
`commands.executor` authorises, saves and answers.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from commands import models as m
from commands.membership import inspection_of, organisation_of, user_named, user_of
from commands.run import Run
from warroom.domain.base import Forbidden, RuleBroken, VersionMismatch
from warroom.domain.blog import BlogPost
from warroom.domain.briefing import Briefing
from warroom.domain.case import Case
from warroom.domain.distribution import DistributionList
from warroom.domain.enquiry import LineOfEnquiry
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Meeting, find_warnings
from warroom.domain.request import DocumentRequest
from warroom.domain.user import TokenIndex, User
from warroom.domain.user_name import UserName

# --- users ------------------------------------------------------------------


def add_user(run: Run, cmd: m.AddUser) -> None:
    # In the organisation of the admin who adds them.
    organisation_id = organisation_of(run.app, run.organisation_id)
    # Agendas and briefings go by name: in an organisation, a name is one person.
    if user_named(run.app, cmd.name, organisation_id) is not None:
        raise RuleBroken(
            "name_taken",
            f"there is already a user named {cmd.name!r}: names are unique, "
            "as agendas and briefings go by name",
        )
    user = User(
        name=cmd.name,
        role=cmd.role,
        meta=run.ctx.meta(),
        organisation_id=organisation_id,
    )
    token = _grant_token(run, user, cmd.expires_at)
    run.stage(
        UserName(
            name=cmd.name,
            user_id=str(user.id),
            meta=run.ctx.meta(),
            organisation_id=organisation_id,
        )
    )
    run.answer_with(user)
    run.extra.update(
        name=cmd.name,
        role=cmd.role,
        organisation_id=organisation_id,
        token=token,
        expires_at=user.token_expires_at,
    )


def _grant_token(run: Run, user: User, expires_at: datetime | None) -> str:
    """A new token for the user, staged with its index entry.

    The token is answered once and never stored: only its hash is.
    """
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    user.grant_token(digest, expires_at, run.ctx)
    run.stage(
        TokenIndex(token_sha256=digest, user_id=str(user.id), meta=run.ctx.meta())
    )
    return token


# --- inspection -------------------------------------------------------------


def open_inspection(run: Run, cmd: m.OpenInspection) -> None:
    inspection = Inspection(
        title=cmd.title,
        framework=cmd.framework,
        starts_on=cmd.starts_on.isoformat(),
        timezone=cmd.timezone,
        meta=run.ctx.meta(),
        # The organisation of the admin or lead who opens it.
        organisation_id=organisation_of(run.app, run.organisation_id),
    )
    run.answer_with(inspection)


def add_inspector(run: Run, cmd: m.AddInspector) -> None:
    inspection = run.changed_inspection()
    inspector_id = inspection.add_inspector(cmd.name, cmd.lead, cmd.agency, run.ctx)
    run.answer_with(inspection, result_id=inspector_id)
    run.extra["inspection_id"] = str(inspection.id)


def enter_phase(run: Run, cmd: m.EnterPhase) -> None:
    inspection = run.changed_inspection()
    inspection.enter_phase(cmd.phase, run.ctx)
    run.answer_with(inspection)


# --- document requests ------------------------------------------------------


def record_request(run: Run, cmd: m.RecordRequest) -> None:
    inspection = run.inspection()
    inspection.require_inspector(cmd.requested_by, "requested_by")
    if cmd.due_at is not None:
        inspection.require_around_start("due_at", cmd.due_at)
    if cmd.line_of_enquiry is not None:
        run.load(LineOfEnquiry, cmd.line_of_enquiry)
    request = DocumentRequest(
        inspection_id=str(inspection.id),
        title=cmd.title,
        requested_by=cmd.requested_by,
        channel=cmd.channel,
        due_at=cmd.due_at.isoformat() if cmd.due_at else None,
        detail=cmd.detail,
        line_of_enquiry=cmd.line_of_enquiry,
        meta=run.ctx.meta(),
    )
    if cmd.channel == "direct_to_worker":
        # "Escalate to the lead inspector when other inspectors are asking
        # workers/managers for copies": recorded with the request, atomically.
        request.escalate(
            _lead_inspector(inspection),
            "asked a worker directly, not through the gatekeeper",
            run.ctx,
        )
    run.answer_with(request)


def assign_request(run: Run, cmd: m.AssignRequest) -> None:
    assignee = user_of(run.app, cmd.assignee, run.organisation_id)
    preparers = roles_allowed(m.AttachDocument)
    if assignee.role not in preparers:
        raise RuleBroken(
            "assign_to_a_preparer",
            f"{assignee.name} is a {assignee.role}, who may not attach documents; "
            f"assign it to a {' or '.join(sorted(preparers))}",
        )
    request = run.target(DocumentRequest)
    request.assign(cmd.assignee, run.ctx)
    run.answer_with(request)


def attach_document(run: Run, cmd: m.AttachDocument) -> None:
    request = run.target(DocumentRequest)
    request.attach(cmd.sha256, cmd.name, cmd.version, cmd.size, run.ctx)
    run.answer_with(request)
    run.extra["sha256"] = cmd.sha256


def approve_document(run: Run, cmd: m.ApproveDocument) -> None:
    request = run.target(DocumentRequest)
    request.approve(cmd.sha256, run.ctx)
    run.answer_with(request)


def check_document(run: Run, cmd: m.CheckDocument) -> None:
    request = run.target(DocumentRequest)
    request.check(cmd.sha256, run.ctx)
    run.answer_with(request)


def release_document(run: Run, cmd: m.ReleaseDocument) -> None:
    run.inspection().require_inspector(cmd.to, "to")
    request = run.target(DocumentRequest)
    request.release(cmd.sha256, cmd.to, cmd.medium, run.ctx)
    run.answer_with(request)


def decline_request(run: Run, cmd: m.DeclineRequest) -> None:
    request = run.target(DocumentRequest)
    request.decline(cmd.reason, run.ctx)
    run.answer_with(request)


def withdraw_request(run: Run, cmd: m.WithdrawRequest) -> None:
    request = run.target(DocumentRequest)
    request.withdraw(cmd.reason, run.ctx)
    run.answer_with(request)


def escalate_request(run: Run, cmd: m.EscalateRequest) -> None:
    lead = _lead_inspector(run.inspection())
    request = run.target(DocumentRequest)
    request.escalate(lead, cmd.reason, run.ctx)
    run.answer_with(request)


def _lead_inspector(inspection: Inspection) -> str:
    lead = inspection.lead_inspector()
    if lead is None:
        raise RuleBroken(
            "escalate_to_lead_inspector",
            "there is no lead inspector on the roster to escalate to",
        )
    return lead


# --- meetings ---------------------------------------------------------------


def schedule_meeting(run: Run, cmd: m.ScheduleMeeting) -> None:
    inspection = run.inspection()
    _require_meeting_times(inspection, cmd)
    for inspector in cmd.inspectors:
        inspection.require_inspector(inspector, "inspectors")
    meeting = Meeting(
        inspection_id=str(inspection.id),
        title=cmd.title,
        kind=cmd.kind,
        starts_at=cmd.starts_at.isoformat(),
        ends_at=cmd.ends_at.isoformat(),
        venue=cmd.venue,
        attendees=cmd.attendees,
        inspectors=cmd.inspectors,
        topics=cmd.topics,
        meta=run.ctx.meta(),
    )
    _answer_with_warnings(run, meeting)


def reschedule_meeting(run: Run, cmd: m.RescheduleMeeting) -> None:
    meeting = run.target(Meeting)
    _require_meeting_times(run.inspection(), cmd)
    meeting.reschedule(
        cmd.starts_at.isoformat(), cmd.ends_at.isoformat(), cmd.reason, run.ctx
    )
    _answer_with_warnings(run, meeting)


def move_meeting(run: Run, cmd: m.MoveMeeting) -> None:
    meeting = run.target(Meeting)
    meeting.move(cmd.venue, cmd.reason, run.ctx)
    _answer_with_warnings(run, meeting)


def change_attendees(run: Run, cmd: m.ChangeAttendees) -> None:
    meeting = run.target(Meeting)
    meeting.change_attendees(cmd.add, cmd.remove, run.ctx)
    _answer_with_warnings(run, meeting)


def change_topics(run: Run, cmd: m.ChangeTopics) -> None:
    meeting = run.target(Meeting)
    meeting.change_topics(cmd.topics, run.ctx)
    _answer_with_warnings(run, meeting)


def cancel_meeting(run: Run, cmd: m.CancelMeeting) -> None:
    meeting = run.target(Meeting)
    meeting.cancel(cmd.reason, run.ctx)
    run.answer_with(meeting)
    run.extra["warnings"] = []


def record_kit_note(run: Run, cmd: m.RecordKitNote) -> None:
    meeting = run.target(Meeting)
    raised = [
        LineOfEnquiry(
            inspection_id=meeting.inspection_id,
            title=title,
            owner=None,
            raised_at_meeting=str(meeting.id),
            meta=run.ctx.meta(),
        )
        for title in cmd.lines_of_enquiry
    ]
    meeting.record_kit_note(
        cmd.text, [str(line.id) for line in raised], cmd.actions, run.ctx
    )
    run.stage(*raised)
    run.answer_with(meeting)
    run.extra["lines_of_enquiry"] = [str(line.id) for line in raised]


def _require_meeting_times(inspection: Inspection, cmd: m.Timed) -> None:
    inspection.require_around_start("starts_at", cmd.starts_at)
    inspection.require_around_start("ends_at", cmd.ends_at)


def _answer_with_warnings(run: Run, meeting: Meeting) -> None:
    run.answer_with(meeting)
    others = run.calendar(meeting.inspection_id) if run.calendar else []
    names = {i: d["name"] for i, d in run.inspection().inspectors.items()}
    run.extra["warnings"] = find_warnings(meeting.slot(), others, names)


# --- lines of enquiry -------------------------------------------------------


def raise_line_of_enquiry(run: Run, cmd: m.RaiseLineOfEnquiry) -> None:
    line = LineOfEnquiry(
        inspection_id=str(run.inspection().id),
        title=cmd.title,
        owner=cmd.owner,
        raised_at_meeting=None,
        meta=run.ctx.meta(),
    )
    run.answer_with(line)


def answer_line_of_enquiry(run: Run, cmd: m.AnswerLineOfEnquiry) -> None:
    line = run.target(LineOfEnquiry)
    line.answer(cmd.response, run.ctx)
    run.answer_with(line)


# --- cases ------------------------------------------------------------------


def select_case(run: Run, cmd: m.SelectCase) -> None:
    inspection_id = str(run.inspection().id)
    if run.app.exists(Case.create_id(inspection_id, cmd.ref)):
        raise RuleBroken("case_selected_once", f"case {cmd.ref} is already selected")
    case = Case(
        inspection_id=inspection_id,
        ref=cmd.ref,
        selection=cmd.selection,
        plan=cmd.plan,
        social_worker=cmd.social_worker,
        team_manager=cmd.team_manager,
        iro=cmd.iro,
        meta=run.ctx.meta(),
    )
    run.answer_with(case)


def notify_case_party(run: Run, cmd: m.NotifyCaseParty) -> None:
    case = run.target(Case)
    case.notify(cmd.party, run.ctx)
    run.answer_with(case)


def judge_case(run: Run, cmd: m.JudgeCase) -> None:
    case = run.target(Case)
    case.judge(cmd.judgement, run.ctx)
    run.answer_with(case)


def record_case_browsed(run: Run, cmd: m.RecordCaseBrowsed) -> None:
    run.inspection().require_inspector(cmd.inspector, "inspector")
    case = run.target(Case)
    case.browse(cmd.inspector, cmd.item, run.ctx)
    run.answer_with(case)


# --- briefings ---------------------------------------------------------------


def acknowledge_briefing(run: Run, cmd: m.AcknowledgeBriefing) -> None:
    inspection_id = str(run.inspection().id)
    person = run.target_id or ""
    # Names are unique (see `add_user`), so the name is the signed-in user.
    if run.role == "staff" and person != run.ctx.actor_name:
        raise Forbidden("staff may acknowledge their own briefing only")
    briefing_id = Briefing.create_id(inspection_id, person)
    if run.app.exists(briefing_id):
        briefing = run.app.load(Briefing, briefing_id)
    else:
        briefing = Briefing(
            inspection_id=inspection_id, person=person, meta=run.ctx.meta()
        )
    head = run.app.recorder.max_notification_id() or 0
    up_to = cmd.up_to if cmd.up_to is not None else head
    briefing.acknowledge(up_to, head, run.ctx)
    run.answer_with(briefing)


# --- blog -------------------------------------------------------------------


def write_blog_post(run: Run, cmd: m.WriteBlogPost) -> None:
    inspection = run.inspection()
    inspection.require_around_start("day", cmd.day)
    post = BlogPost(
        inspection_id=str(inspection.id),
        day=cmd.day.isoformat(),
        title=cmd.title,
        body=cmd.body,
        meta=run.ctx.meta(),
    )
    run.answer_with(post)


# --- organisations and tokens -----------------------------------------------


def revoke_token(run: Run, cmd: m.RevokeToken) -> None:
    user = _user_in_path(run)
    if user.token_revoked:
        raise RuleBroken("token_revoked_once", "this user's token is already revoked")
    user.revoke_token(run.ctx)
    run.answer_with(user)
    run.extra["token_live"] = False


def rotate_token(run: Run, cmd: m.RotateToken) -> None:
    user = _user_in_path(run)
    token = _grant_token(run, user, cmd.expires_at)
    run.answer_with(user)
    run.extra.update(token=token, expires_at=user.token_expires_at)


def limit_inspections(run: Run, cmd: m.LimitInspections) -> None:
    user = _user_in_path(run)
    names = cmd.inspection_ids
    if names is not None:
        names = [inspection_of(run.app, i, run.organisation_id) for i in names]
    user.limit_to(names, run.ctx)
    run.answer_with(user)
    run.extra["inspection_ids"] = names


def _user_in_path(run: Run) -> User:
    assert run.target_id is not None
    user = user_of(run.app, run.target_id, run.organisation_id)
    if run.if_match is not None and user.version != run.if_match:
        raise VersionMismatch(run.if_match, user.version)
    return user


# --- the daily blog by email (issue 13) -------------------------------------


def add_recipient(run: Run, cmd: m.AddRecipient) -> None:
    listing = _distribution_list(run)
    listing.add(cmd.name, str(cmd.email), cmd.group, run.ctx)
    run.answer_with(listing)


def remove_recipient(run: Run, cmd: m.RemoveRecipient) -> None:
    listing = _distribution_list(run)
    listing.remove(str(cmd.email), run.ctx)
    run.answer_with(listing)


def _distribution_list(run: Run) -> DistributionList:
    inspection_id = str(run.inspection().id)
    list_id = DistributionList.create_id(inspection_id)
    if run.app.exists(list_id):
        return run._matching(run.app.load(DistributionList, list_id))
    return DistributionList(inspection_id=inspection_id, meta=run.ctx.meta())


Handler = Callable[[Run, Any], None]

ADMIN = frozenset({"admin"})
ADMIN_LEAD = frozenset({"admin", "lead"})
LEAD = frozenset({"lead"})
GATEKEEPER = frozenset({"gatekeeper"})
LEAD_GATEKEEPER = frozenset({"lead", "gatekeeper"})
WAR_ROOM = frozenset({"lead", "gatekeeper", "rapid_response"})
LEAD_RAPID_RESPONSE = frozenset({"lead", "rapid_response"})

# Who may do what: DOMAIN.md's table, and the only place it is written down.
COMMAND_HANDLERS: dict[type[m.Command], tuple[Handler, frozenset[str]]] = {
    m.AddUser: (add_user, ADMIN),
    m.OpenInspection: (open_inspection, ADMIN_LEAD),
    m.AddInspector: (add_inspector, ADMIN_LEAD),
    m.EnterPhase: (enter_phase, ADMIN_LEAD),
    m.RecordRequest: (record_request, WAR_ROOM),
    m.AssignRequest: (assign_request, WAR_ROOM),
    m.AttachDocument: (attach_document, WAR_ROOM),
    m.EscalateRequest: (escalate_request, WAR_ROOM),
    m.ApproveDocument: (approve_document, LEAD),
    m.CheckDocument: (check_document, WAR_ROOM),
    m.ReleaseDocument: (release_document, GATEKEEPER),
    m.DeclineRequest: (decline_request, GATEKEEPER),
    m.WithdrawRequest: (withdraw_request, LEAD_GATEKEEPER),
    m.ScheduleMeeting: (schedule_meeting, WAR_ROOM),
    m.RescheduleMeeting: (reschedule_meeting, WAR_ROOM),
    m.MoveMeeting: (move_meeting, WAR_ROOM),
    m.ChangeAttendees: (change_attendees, WAR_ROOM),
    m.ChangeTopics: (change_topics, WAR_ROOM),
    m.CancelMeeting: (cancel_meeting, WAR_ROOM),
    m.RecordKitNote: (record_kit_note, LEAD_GATEKEEPER),
    m.RaiseLineOfEnquiry: (raise_line_of_enquiry, LEAD_GATEKEEPER),
    m.AnswerLineOfEnquiry: (answer_line_of_enquiry, LEAD_GATEKEEPER),
    m.SelectCase: (select_case, WAR_ROOM),
    m.NotifyCaseParty: (notify_case_party, WAR_ROOM),
    m.JudgeCase: (judge_case, WAR_ROOM),
    m.RecordCaseBrowsed: (record_case_browsed, WAR_ROOM),
    m.WriteBlogPost: (write_blog_post, LEAD_RAPID_RESPONSE),
    # Staff only for themselves: the handler checks whose briefing it is.
    m.AcknowledgeBriefing: (acknowledge_briefing, WAR_ROOM | {"staff"}),
    m.RevokeToken: (revoke_token, ADMIN),
    m.RotateToken: (rotate_token, ADMIN),
    m.LimitInspections: (limit_inspections, ADMIN),
    # --- the daily blog by email (issue 13): whoever writes the blog, and admin
    m.AddRecipient: (add_recipient, ADMIN | LEAD_RAPID_RESPONSE),
    m.RemoveRecipient: (remove_recipient, ADMIN | LEAD_RAPID_RESPONSE),
}


def roles_allowed(command: type[m.Command]) -> frozenset[str]:
    """Who may run a command of this type, as the table above says."""
    return COMMAND_HANDLERS[command][1]
