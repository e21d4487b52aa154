"""One small handler per command, listed in one explicit table at the bottom.

A handler loads what it needs, asks the aggregates to decide, and stages them;
`commands.executor` authorises, saves and answers.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from commands import access_log, displays
from commands import models as m
from commands.calendar_links import ended_by_token
from commands.membership import inspection_of, organisation_of, user_named, user_of
from commands.reasons import count_in_sample, meetings_to_come, refuse_closing_early
from commands.run import Run
from warroom.domain import words
from warroom.domain.annex_a import AnnexADocument, AnnexASummary
from warroom.domain.base import Forbidden, NotFound, RuleBroken, VersionMismatch
from warroom.domain.blog import BlogPost
from warroom.domain.briefing import Briefing
from warroom.domain.calendar_link import CalendarLink
from warroom.domain.case import Case
from warroom.domain.contact import ContactDetails, ContactList
from warroom.domain.day import ClosedDay
from warroom.domain.debrief import Debrief
from warroom.domain.distribution import DistributionList
from warroom.domain.enquiry import LineOfEnquiry
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Meeting, find_warnings
from warroom.domain.playbook import Playbook
from warroom.domain.request import DocumentRequest
from warroom.domain.sign_in_link import SignInLink
from warroom.domain.user import TokenIndex, User
from warroom.domain.user_name import UserName
from warroom.playbook_templates import TemplateProblem, load_template

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
    if cmd.email is not None:
        user.set_email(cmd.email, run.ctx)
    token, link = _grant_token(run, user, cmd.expires_at)
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
        email=cmd.email,
        organisation_id=organisation_id,
        token=token,
        expires_at=user.token_expires_at,
        sign_in_path=sign_in_path(link),
    )


def sign_in_path(secret: str) -> str:
    """Where the page signs its user in: the secret in the fragment, which a
    browser never sends to a server nor writes to its logs. The page
    exchanges it for a session (`POST /auth/link`); a link's own secret is
    then spent, and a bearer token (the demo's links) stays a bearer token."""
    return f"/#token={secret}"


def _grant_token(run: Run, user: User, expires_at: datetime | None) -> tuple[str, str]:
    """A new token for the user, staged with its index entry, and a sign-in
    link's one-time secret that goes with it (`SignInLink`, issue 26).

    Both are answered once and never stored: only their hashes are.
    """
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    user.grant_token(digest, expires_at, run.ctx)
    run.stage(
        TokenIndex(token_sha256=digest, user_id=str(user.id), meta=run.ctx.meta())
    )
    link = secrets.token_urlsafe(32)
    run.stage(
        SignInLink(
            link_sha256=hashlib.sha256(link.encode()).hexdigest(),
            user_id=str(user.id),
            token_sha256=digest,
            meta=run.ctx.meta(),
        )
    )
    return token, link


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
    if cmd.template is not None:
        _start_playbook(run, inspection, cmd.template)


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
            f"{assignee.name} is {words.role(assignee.role)}, who may not attach "
            "documents; assign it to "
            + words.either([words.role(r) for r in sorted(preparers)]),
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
    count_in_sample(run, cmd.ref, cmd.selection, cmd.over_reason)
    case = Case(
        inspection_id=inspection_id,
        ref=cmd.ref,
        selection=cmd.selection,
        plan=cmd.plan,
        social_worker=cmd.social_worker,
        team_manager=cmd.team_manager,
        iro=cmd.iro,
        meta=run.ctx.meta(),
        over_reason=cmd.over_reason,
    )
    run.answer_with(case)


def notify_case_party(run: Run, cmd: m.NotifyCaseParty) -> None:
    case = run.target(Case)
    # One event per party, saved together: a party refused (notified
    # already) refuses them all, and nothing is stored.
    for party in cmd.named():
        case.notify(party, run.ctx)
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
    token, link = _grant_token(run, user, cmd.expires_at)
    run.answer_with(user)
    run.extra.update(
        token=token, expires_at=user.token_expires_at, sign_in_path=sign_in_path(link)
    )


def limit_inspections(run: Run, cmd: m.LimitInspections) -> None:
    user = _user_in_path(run)
    names = cmd.inspection_ids
    if names is not None:
        names = [inspection_of(run.app, i, run.organisation_id) for i in names]
    user.limit_to(names, run.ctx)
    run.answer_with(user)
    run.extra["inspection_ids"] = names


def set_user_email(run: Run, cmd: m.SetUserEmail) -> None:
    user = _user_in_path(run)
    if user.email == cmd.email:
        raise RuleBroken(
            "email_changes",
            "the user already has this address"
            if cmd.email
            else "the user has no address to take away",
        )
    user.set_email(cmd.email, run.ctx)
    run.answer_with(user)
    run.extra["email"] = cmd.email


def _user_in_path(run: Run) -> User:
    assert run.target_id is not None
    user = user_of(run.app, run.target_id, run.organisation_id)
    if run.if_match is not None and user.version != run.if_match:
        raise VersionMismatch(run.if_match, user.version)
    return user


# --- KIT actions (issue 11) ---------------------------------------------------


def assign_kit_action(run: Run, cmd: m.AssignKitAction) -> None:
    meeting = run.target(Meeting)
    n = _kit_action_number(run)
    meeting.kit_action(n)  # an action that does not exist is not found, first
    owner_id = user_named(run.app, cmd.owner, run.organisation_id)
    if owner_id is None:
        raise RuleBroken(
            "owner_is_a_user",
            f"no one called {cmd.owner!r} uses the war room: "
            "an action goes to someone who can sign in and see it",
        )
    owner = user_of(run.app, str(owner_id), run.organisation_id)
    if owner.role not in KIT_FOLLOW_UP | KIT_OWNERS:
        raise RuleBroken(
            "owner_may_do_it",
            f"{cmd.owner} is {words.role(owner.role)}, who cannot mark it done: "
            "an action goes to someone who can do it",
        )
    meeting.assign_kit_action(n, cmd.owner, str(owner_id), run.ctx)
    run.answer_with(meeting)


def mark_kit_action_done(run: Run, cmd: m.MarkKitActionDone) -> None:
    meeting = run.target(Meeting)
    n = _kit_action_number(run)
    action = meeting.kit_action(n)
    # Whoever has the action does it (issue 25); those who record KIT notes
    # follow any of them up.
    if run.role not in KIT_FOLLOW_UP and action.owner_id != run.ctx.actor:
        raise Forbidden(
            "this action is not yours to mark done: it is "
            + ("with someone else" if action.owner_id else "not given to anyone yet")
            + "; the one who has it, a lead or the gatekeeper marks it done"
        )
    meeting.mark_kit_action_done(n, cmd.note, run.ctx)
    run.answer_with(meeting)


def _kit_action_number(run: Run) -> int:
    assert run.part is not None, "the route names the action"
    return int(run.part)


# --- issue 15: playbook, Annex A, case audits, debriefs, access log ---------


def _start_playbook(run: Run, inspection: Inspection, name: str) -> None:
    """The template as it is now, copied into the log with the opening."""
    try:
        template = load_template(name)
    except TemplateProblem as problem:  # gone since the body was read
        raise RuleBroken("template_exists", str(problem)) from None
    ctx = replace(run.ctx, inspection_id=str(inspection.id))
    run.stage(
        Playbook(
            inspection_id=str(inspection.id),
            template=name,
            responsibilities=template.responsibilities_as_logged(),
            tasks=template.tasks_due(inspection.starts_on, inspection.timezone),
            meta=ctx.meta(),
            sample=template.sample_as_logged(),
        )
    )


def _playbook(run: Run, start: bool = False) -> Playbook:
    inspection_id = str(run.inspection().id)
    playbook_id = Playbook.create_id(inspection_id)
    if run.app.exists(playbook_id):
        return run.load(Playbook, str(playbook_id))
    if not start:
        raise NotFound(
            "this inspection has no playbook: open it from a template, "
            "or record a debrief with follow-ups"
        )
    return Playbook(
        inspection_id=inspection_id,
        template=None,
        responsibilities=[],
        tasks=[],
        meta=run.ctx.meta(),
    )


def complete_playbook_task(run: Run, cmd: m.CompletePlaybookTask) -> None:
    playbook = _playbook(run)
    playbook.complete_task(run.target_id or "", cmd.note, run.ctx)
    run.answer_with(playbook, result_id=run.target_id)


def assign_playbook_task(run: Run, cmd: m.AssignPlaybookTask) -> None:
    playbook = _playbook(run)
    playbook.assign_task(run.target_id or "", cmd.owner, run.ctx)
    run.answer_with(playbook, result_id=run.target_id)


def assign_responsibility(run: Run, cmd: m.AssignResponsibility) -> None:
    playbook = _playbook(run, start=True)
    playbook.assign_responsibility(cmd.role, cmd.person, run.ctx)
    run.answer_with(playbook)


def list_annex_a_document(run: Run, cmd: m.ListAnnexADocument) -> None:
    document = AnnexADocument(
        inspection_id=str(run.inspection().id),
        title=cmd.title,
        owner=cmd.owner,
        meta=run.ctx.meta(),
    )
    run.answer_with(document)


def rate_annex_a_document(run: Run, cmd: m.RateAnnexADocument) -> None:
    document = run.target(AnnexADocument)
    document.rate(cmd.rag_complete, cmd.rag_quality, cmd.reason, run.ctx)
    run.answer_with(document)


def submit_annex_a_document(run: Run, cmd: m.SubmitAnnexADocument) -> None:
    document = run.target(AnnexADocument)
    document.submit(run.ctx)
    run.answer_with(document)


def write_annex_a_summary(run: Run, cmd: m.WriteAnnexASummary) -> None:
    summary = AnnexASummary(
        inspection_id=str(run.inspection().id), text=cmd.text, meta=run.ctx.meta()
    )
    run.answer_with(summary)


def assign_case_auditor(run: Run, cmd: m.AssignCaseAuditor) -> None:
    case = run.target(Case)
    case.assign_auditor(cmd.auditor, run.ctx)
    run.answer_with(case)


def record_multi_agency_review(run: Run, cmd: m.RecordMultiAgencyReview) -> None:
    case = run.target(Case)
    case.record_multi_agency_review(cmd.note, run.ctx)
    run.answer_with(case)


def complete_audit_form(run: Run, cmd: m.CompleteAuditForm) -> None:
    case = run.target(Case)
    case.complete_audit_form(run.ctx)
    run.answer_with(case)


def conclude_case_audit(run: Run, cmd: m.ConcludeCaseAudit) -> None:
    case = run.target(Case)
    case.conclude_audit(cmd.judgement, cmd.reason, run.ctx)
    run.answer_with(case)


def record_judgement_seen(run: Run, cmd: m.RecordJudgementSeen) -> None:
    case = run.target(Case)
    case.judgement_seen(cmd.by, run.ctx)
    run.answer_with(case)


def mark_folder_ready(run: Run, cmd: m.MarkFolderReady) -> None:
    case = run.target(Case)
    case.folder_is_ready(run.ctx)
    run.answer_with(case)


def make_case_copy(run: Run, cmd: m.MakeCaseCopy) -> None:
    case = run.target(Case)
    case.make_copy(cmd.copy_for, run.ctx)
    run.answer_with(case)


def hand_over_case_copy(run: Run, cmd: m.HandOverCaseCopy) -> None:
    case = run.target(Case)
    case.hand_over_copy(cmd.copy_for, cmd.to, cmd.medium, run.ctx)
    run.answer_with(case)


def release_case_copy(run: Run, cmd: m.ReleaseCaseCopy) -> None:
    run.inspection().require_inspector(cmd.to, "to")
    case = run.target(Case)
    case.release_copy(cmd.to, cmd.medium, run.ctx)
    run.answer_with(case)


def record_debrief(run: Run, cmd: m.RecordDebrief) -> None:
    meeting = run.target(Meeting)
    if meeting.cancelled:
        raise RuleBroken("debrief_held_meetings", "the meeting was cancelled")
    if run.ctx.occurred_at < datetime.fromisoformat(meeting.ends_at):
        raise RuleBroken(
            "debrief_after_meeting",
            f"the meeting ends at {meeting.ends_at}: debrief it afterwards",
        )
    if run.ctx.actor_name not in meeting.attendees:
        raise Forbidden(
            f"{run.ctx.actor_name} was not in {meeting.title!r}: "
            "only the staff who were in a meeting debrief it"
        )
    task_ids: list[str] = []
    if cmd.follow_ups:
        playbook = _playbook(run, start=True)
        task_ids = [
            playbook.add_task(
                title,
                run.inspection().phase,
                RAPID_RESPONSE_TEAM,
                None,
                f"debrief of {meeting.title} by {run.ctx.actor_name}",
                run.ctx,
            )
            for title in cmd.follow_ups
        ]
        run.stage(playbook)
    debrief = Debrief(
        inspection_id=meeting.inspection_id,
        meeting_id=str(meeting.id),
        person=run.ctx.actor_name,
        asked=cmd.asked,
        went_well=cmd.went_well,
        concerns=cmd.concerns,
        follow_ups=cmd.follow_ups,
        task_ids=task_ids,
        meta=run.ctx.meta(),
    )
    run.answer_with(debrief)
    run.extra["task_ids"] = task_ids


# Who a debrief's follow-ups go to, until someone assigns them.
RAPID_RESPONSE_TEAM = "rapid response team"


def import_access_log(run: Run, cmd: m.ImportAccessLog) -> None:
    """Each row an inspector browsing a case: matched to the roster and the
    cases, stored once however often the file is imported."""
    inspection = run.inspection()
    report = access_log.match(run, inspection, cmd.rows)
    # Nothing new (the same file again): the inspection is named, unchanged.
    run.changed = inspection
    run.extra.update(report)


# --- calendar links (issue 13: feeds) ----------------------------------------

# Who may make a link for anyone, or for the whole schedule; the others only
# for themselves.
LINKS_FOR_ANYONE = frozenset({"admin", "lead"})


def create_calendar_link(run: Run, cmd: m.CreateCalendarLink) -> None:
    inspection = run.inspection()
    if cmd.person != run.ctx.actor_name and run.role not in LINKS_FOR_ANYONE:
        raise Forbidden(
            f"a {run.role} may make a calendar link for themselves only "
            f"({run.ctx.actor_name!r})"
        )
    if cmd.person is not None:
        _require_known_person(run, inspection, cmd.person)
    # The secret is answered once and never stored: only its hash is.
    secret = secrets.token_urlsafe(32)
    link = CalendarLink(
        inspection_id=str(inspection.id),
        person=cmd.person,
        secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
        meta=run.ctx.meta(),
    )
    run.answer_with(link)
    run.extra.update(person=cmd.person, secret=secret)


def _require_known_person(run: Run, inspection: Inspection, person: str) -> None:
    """A user of the organisation, an inspector (by id or name), or someone
    named at a meeting of the inspection."""
    inspectors = {n for i, d in inspection.inspectors.items() for n in (i, d["name"])}
    attendees = {
        p
        for slot in (run.calendar(str(inspection.id)) if run.calendar else [])
        for p in slot.people
    }
    if person in inspectors or person in attendees:
        return
    if user_named(run.app, person, run.organisation_id) is None:
        raise RuleBroken(
            "known_person",
            f"nobody named {person!r} is a user, an inspector or at a meeting "
            "of this inspection",
        )


def revoke_calendar_link(run: Run, cmd: m.RevokeCalendarLink) -> None:
    assert run.target_id is not None
    link = run.app.load(CalendarLink, run.target_id)
    if link.inspection_id != run.inspection_id:
        raise NotFound(f"no calendar link with id {run.target_id}")
    if not link.revoked and ended_by_token(run.app, run.target_id):
        raise RuleBroken(
            "calendar_link_ended",
            f"this calendar link already opens nothing: {link.person}'s sign-in "
            "was revoked or renewed after it was made, which ended it for good",
        )
    link.revoke(run.ctx)
    run.answer_with(link)


def create_own_calendar_link(run: Run, cmd: m.CreateOwnCalendarLink) -> None:
    """The same link and event as an admin's, its person the caller."""
    create_calendar_link(run, m.CreateCalendarLink(person=run.ctx.actor_name))


def revoke_own_calendar_link(run: Run, cmd: m.RevokeOwnCalendarLink) -> None:
    """Only a link to the caller's own agenda: another's is not found."""
    assert run.target_id is not None
    link = run.app.load(CalendarLink, run.target_id)
    if link.inspection_id != run.inspection_id or not _own_link(run, link):
        raise NotFound(f"no calendar link of yours with id {run.target_id}")
    link.revoke(run.ctx)
    run.answer_with(link)


def _own_link(run: Run, link: CalendarLink) -> bool:
    """A link to the caller's agenda: their name, made once they were a user
    (one made before was for someone else of that name: web/calendar_links)."""
    if link.person != run.ctx.actor_name:
        return False
    user_id = user_named(run.app, run.ctx.actor_name, run.organisation_id)
    if user_id is None:
        return False
    return run.app.position_of(link.id, 1) > run.app.position_of(user_id, 1)


# --- the verifiable log (warroom/evidence) -----------------------------------


def close_day(run: Run, cmd: m.CloseDay) -> None:
    inspection = run.inspection()
    inspection.require_around_start("day", cmd.day)
    inspection_id, day = str(inspection.id), cmd.day.isoformat()
    if run.app.exists(ClosedDay.create_id(inspection_id, day)):
        raise RuleBroken("day_closed_once", f"{day} is already closed and sealed")
    to_come = meetings_to_come(run, inspection, cmd.day)
    if to_come and cmd.early_reason is None:
        refuse_closing_early(inspection, cmd.day, to_come)
    closed = ClosedDay(
        inspection_id=inspection_id,
        day=day,
        meta=run.ctx.meta(),
        # Kept only when it was needed: a day closed after its last meeting
        # was not closed early, whatever the sender feared (the page warned,
        # and the meeting ended while the reason was being written).
        early_reason=cmd.early_reason if to_come else None,
    )
    run.answer_with(closed)
    # Whether it was closed before its last meeting ended, its reason kept.
    run.extra["closed_early"] = bool(to_come)


# --- the daily blog by email (issue 13) -------------------------------------


def add_recipient(run: Run, cmd: m.AddRecipient) -> None:
    if cmd.contact_id is not None:
        cmd = _from_contact(run, cmd, cmd.contact_id)
    assert cmd.name is not None and cmd.email is not None
    listing = _distribution_list(run)
    listing.add(cmd.name, str(cmd.email), cmd.group, run.ctx, audience=cmd.audience)
    run.answer_with(listing)


def _from_contact(run: Run, cmd: m.AddRecipient, contact_id: str) -> m.AddRecipient:
    """The recipient as the contact list has them (issue 24)."""
    contact = _contact_list(run, create=False).found(contact_id)
    if contact.email is None:
        raise RuleBroken(
            "contact_has_email",
            f"{contact.name} has no email address on the contact list: add one first",
        )
    return m.AddRecipient(
        name=contact.name,
        email=contact.email,
        group=cmd.group or contact.group,
        audience=cmd.audience,
    )


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


# --- the contact list (issue 24) ---------------------------------------------


def add_contact(run: Run, cmd: m.AddContact) -> None:
    contacts = _contact_list(run)
    contact_id = contacts.add(_details(cmd), run.ctx)
    run.answer_with(contacts, result_id=contact_id)


def change_contact(run: Run, cmd: m.ChangeContact) -> None:
    assert run.target_id is not None
    contacts = _contact_list(run, create=False)
    contacts.change(run.target_id, _details(cmd), run.ctx)
    run.answer_with(contacts, result_id=run.target_id)


def remove_contact(run: Run, cmd: m.RemoveContact) -> None:
    assert run.target_id is not None
    contacts = _contact_list(run, create=False)
    contacts.remove(run.target_id, run.ctx)
    run.answer_with(contacts, result_id=run.target_id)


def _details(cmd: m.AddContact) -> ContactDetails:
    return ContactDetails(
        name=cmd.name,
        organisation=cmd.organisation,
        role=cmd.role,
        phone=cmd.phone,
        email=None if cmd.email is None else str(cmd.email),
        group=cmd.group,
        location=cmd.location,
    )


def _contact_list(run: Run, create: bool = True) -> ContactList:
    inspection_id = str(run.inspection().id)
    list_id = ContactList.create_id(inspection_id)
    if run.app.exists(list_id):
        return run._matching(run.app.load(ContactList, list_id))
    if not create:
        raise NotFound("no contact with that id in this inspection")
    return ContactList(inspection_id=inspection_id, meta=run.ctx.meta())


def assign_line_of_enquiry(run: Run, cmd: m.AssignLineOfEnquiry) -> None:
    line = run.target(LineOfEnquiry)
    line.assign_owner(cmd.owner, run.ctx)
    run.answer_with(line)


def link_request_to_line_of_enquiry(
    run: Run, cmd: m.LinkRequestToLineOfEnquiry
) -> None:
    request = run.target(DocumentRequest)
    line = run.load(LineOfEnquiry, cmd.line_of_enquiry)
    line.require_open("link a request to")
    request.link_to_line_of_enquiry(str(line.id), line.title, run.ctx)
    run.answer_with(request)


Handler = Callable[[Run, Any], None]

ADMIN = frozenset({"admin"})
ADMIN_LEAD = frozenset({"admin", "lead"})
LEAD = frozenset({"lead"})
GATEKEEPER = frozenset({"gatekeeper"})
LEAD_GATEKEEPER = frozenset({"lead", "gatekeeper"})
WAR_ROOM = frozenset({"lead", "gatekeeper", "rapid_response"})
LEAD_RAPID_RESPONSE = frozenset({"lead", "rapid_response"})
OWN_AGENDA = ADMIN_LEAD | WAR_ROOM | {"staff"}
# Who follows up any KIT action, and who may be given one to do.
KIT_FOLLOW_UP = LEAD_GATEKEEPER
KIT_OWNERS = WAR_ROOM | {"staff"}

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
    m.SetUserEmail: (set_user_email, ADMIN),
    # --- KIT actions (issue 11): whoever records KIT notes follows them up.
    # Issue 25: the rapid response team, who pick the actions up, give them
    # out too; whoever has one marks it done (the handler checks it is theirs).
    m.AssignKitAction: (assign_kit_action, WAR_ROOM),
    m.MarkKitActionDone: (mark_kit_action_done, KIT_FOLLOW_UP | KIT_OWNERS),
    # --- issue 15: playbook, Annex A, case audits, debriefs, access log ---
    m.CompletePlaybookTask: (complete_playbook_task, WAR_ROOM),
    m.AssignPlaybookTask: (assign_playbook_task, ADMIN_LEAD),
    m.AssignResponsibility: (assign_responsibility, ADMIN_LEAD),
    m.ListAnnexADocument: (list_annex_a_document, WAR_ROOM),
    m.RateAnnexADocument: (rate_annex_a_document, LEAD_GATEKEEPER),
    m.SubmitAnnexADocument: (submit_annex_a_document, GATEKEEPER),
    m.WriteAnnexASummary: (write_annex_a_summary, WAR_ROOM),
    m.AssignCaseAuditor: (assign_case_auditor, WAR_ROOM),
    m.RecordMultiAgencyReview: (record_multi_agency_review, WAR_ROOM),
    m.CompleteAuditForm: (complete_audit_form, WAR_ROOM),
    m.ConcludeCaseAudit: (conclude_case_audit, WAR_ROOM),
    m.RecordJudgementSeen: (record_judgement_seen, WAR_ROOM),
    m.MarkFolderReady: (mark_folder_ready, WAR_ROOM),
    m.MakeCaseCopy: (make_case_copy, WAR_ROOM),
    m.HandOverCaseCopy: (hand_over_case_copy, WAR_ROOM),
    # The inspector's copy goes through the gatekeeper, like every release.
    m.ReleaseCaseCopy: (release_case_copy, GATEKEEPER),
    # Staff too, for their own debriefs: the handler checks they were there.
    m.RecordDebrief: (record_debrief, WAR_ROOM | {"staff"}),
    m.ImportAccessLog: (import_access_log, WAR_ROOM),
    # calendar links (issue 13: feeds); the handler keeps the war room roles to
    # their own; staff ask an admin or a lead (they change nothing but their
    # briefing acknowledgements)
    m.CreateCalendarLink: (create_calendar_link, ADMIN_LEAD | WAR_ROOM),
    m.RevokeCalendarLink: (revoke_calendar_link, ADMIN),
    # Calendar links for oneself (issue 24): every council user but the
    # auditor, who has no agenda and changes nothing.
    m.CreateOwnCalendarLink: (create_own_calendar_link, OWN_AGENDA),
    m.RevokeOwnCalendarLink: (revoke_own_calendar_link, OWN_AGENDA),
    # The verifiable log: closing a day seals it with a signed checkpoint.
    m.CloseDay: (close_day, LEAD_GATEKEEPER),
    # --- the daily blog by email (issue 13): whoever writes the blog, and admin
    m.AddRecipient: (add_recipient, ADMIN | LEAD_RAPID_RESPONSE),
    m.RemoveRecipient: (remove_recipient, ADMIN | LEAD_RAPID_RESPONSE),
    # --- the contact list (issue 24): kept by those who keep the distribution
    # list, which it feeds; read by everyone signed in (web/routes/contacts.py)
    m.AddContact: (add_contact, ADMIN | LEAD_RAPID_RESPONSE),
    m.ChangeContact: (change_contact, ADMIN | LEAD_RAPID_RESPONSE),
    m.RemoveContact: (remove_contact, ADMIN | LEAD_RAPID_RESPONSE),
    # --- lines of enquiry: their owner, by those who raise them (issue 11)
    m.AssignLineOfEnquiry: (assign_line_of_enquiry, LEAD_GATEKEEPER),
    # A request filed under a line of enquiry after it was recorded (issue
    # 25): by those who record requests, as they could when recording it.
    m.LinkRequestToLineOfEnquiry: (link_request_to_line_of_enquiry, WAR_ROOM),
    # --- wall screens signed in as a device (issue 25)
    displays.ApproveDisplay: (displays.approve_display, ADMIN_LEAD),
    displays.DisconnectDisplay: (displays.disconnect_display, ADMIN_LEAD),
}


def roles_allowed(command: type[m.Command]) -> frozenset[str]:
    """Who may run a command of this type, as the table above says."""
    return COMMAND_HANDLERS[command][1]
