"""Every JSON command of the HTTP contract, declared in one table.

Each row is a POST route: its path, the command model its body must match,
and a one-line summary for /docs. The routes are made by one factory because
they all do the same three things: parse, execute, answer.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from commands import models as m
from commands.executor import execute
from web.answers import NEEDS_EARLY_REASON, NEEDS_OVER_REASON, Responses
from web.deps import ActorDep, IdempotencyKeyDep, IfMatchDep, StateDep

INSPECTION = "/inspections/{inspection_id}"
REQUEST = INSPECTION + "/requests/{request_id}"
MEETING = INSPECTION + "/meetings/{meeting_id}"
CASE = INSPECTION + "/cases/{case_id}"
LINE = INSPECTION + "/lines-of-enquiry/{line_id}"
PLAYBOOK = INSPECTION + "/playbook"
TASK = PLAYBOOK + "/tasks/{task_id}"
ANNEX_A = INSPECTION + "/annex-a"
ANNEX_A_DOCUMENT = ANNEX_A + "/{document_id}"


@dataclass(frozen=True)
class CommandRoute:
    path: str
    model: type[m.Command]
    summary: str
    tag: str
    status: int = 200
    # Answers of its own, over every command's (web.answers.COMMAND_ERRORS).
    responses: Responses | None = None


ROUTES = (
    CommandRoute(
        "/users",
        m.AddUser,
        "Add a user; answers their bearer token, once",
        "users",
        201,
    ),
    CommandRoute(
        "/inspections", m.OpenInspection, "Open an inspection", "inspections", 201
    ),
    CommandRoute(
        INSPECTION + "/inspectors",
        m.AddInspector,
        "Add an inspector to the roster",
        "inspections",
        201,
    ),
    CommandRoute(
        INSPECTION + "/phase",
        m.EnterPhase,
        "Move the inspection to its next phase",
        "inspections",
    ),
    CommandRoute(
        INSPECTION + "/requests",
        m.RecordRequest,
        "Record a document request",
        "requests",
        201,
    ),
    CommandRoute(REQUEST + "/assign", m.AssignRequest, "Assign a preparer", "requests"),
    CommandRoute(
        REQUEST + "/approve",
        m.ApproveDocument,
        "Approve the current document version",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/check",
        m.CheckDocument,
        "Record the final check of the approved version",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/release",
        m.ReleaseDocument,
        "Release the checked version to an inspector (gatekeeper)",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/decline",
        m.DeclineRequest,
        "Decline or push back a request (gatekeeper)",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/withdraw",
        m.WithdrawRequest,
        "Record that the inspector withdrew the request",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/escalate",
        m.EscalateRequest,
        "Escalate the request to the lead inspector",
        "requests",
    ),
    CommandRoute(
        REQUEST + "/line-of-enquiry",
        m.LinkRequestToLineOfEnquiry,
        "File the request under an open line of enquiry",
        "requests",
    ),
    CommandRoute(
        INSPECTION + "/meetings",
        m.ScheduleMeeting,
        "Schedule a meeting",
        "meetings",
        201,
    ),
    CommandRoute(
        MEETING + "/reschedule",
        m.RescheduleMeeting,
        "Move a meeting in time",
        "meetings",
    ),
    CommandRoute(
        MEETING + "/move", m.MoveMeeting, "Move a meeting to another venue", "meetings"
    ),
    CommandRoute(
        MEETING + "/attendees", m.ChangeAttendees, "Add or remove attendees", "meetings"
    ),
    CommandRoute(
        MEETING + "/topics", m.ChangeTopics, "Change the topics to prepare", "meetings"
    ),
    CommandRoute(MEETING + "/cancel", m.CancelMeeting, "Cancel a meeting", "meetings"),
    CommandRoute(
        MEETING + "/notes",
        m.RecordKitNote,
        "Record a KIT note; may raise lines of enquiry",
        "meetings",
        201,
    ),
    CommandRoute(
        INSPECTION + "/lines-of-enquiry",
        m.RaiseLineOfEnquiry,
        "Raise a key line of enquiry",
        "lines of enquiry",
        201,
    ),
    CommandRoute(
        LINE + "/answer",
        m.AnswerLineOfEnquiry,
        "Answer a line of enquiry",
        "lines of enquiry",
    ),
    CommandRoute(
        INSPECTION + "/cases",
        m.SelectCase,
        "Select a case for audit or tracking",
        "cases",
        201,
        responses=NEEDS_OVER_REASON,
    ),
    CommandRoute(
        CASE + "/notified",
        m.NotifyCaseParty,
        "Record that a party (`party`) or several at once (`parties`) were notified",
        "cases",
    ),
    CommandRoute(CASE + "/audit", m.JudgeCase, "Record the audit judgement", "cases"),
    CommandRoute(
        CASE + "/browsed",
        m.RecordCaseBrowsed,
        "Record that an inspector browsed the case",
        "cases",
    ),
    CommandRoute(
        INSPECTION + "/agenda/{person}/acknowledge",
        m.AcknowledgeBriefing,
        "Acknowledge one's briefing: later changes show as new on the agenda",
        "read models",
    ),
    CommandRoute(
        INSPECTION + "/blog",
        m.WriteBlogPost,
        "Write a post for the daily blog",
        "blog",
        201,
    ),
    # --- KIT actions (issue 11) -------------------------------------------
    CommandRoute(
        MEETING + "/kit-actions/{n}/assign",
        m.AssignKitAction,
        "Give a KIT note's action to a person (n counts the meeting's actions from 0)",
        "meetings",
    ),
    CommandRoute(
        MEETING + "/kit-actions/{n}/done",
        m.MarkKitActionDone,
        "Mark a KIT note's action done (n counts the meeting's actions from 0)",
        "meetings",
    ),
    # --- issue 15: playbook, Annex A, case audits, debriefs -----------------
    CommandRoute(
        TASK + "/done", m.CompletePlaybookTask, "Mark a playbook task done", "playbook"
    ),
    CommandRoute(
        TASK + "/assign", m.AssignPlaybookTask, "Assign a playbook task", "playbook"
    ),
    CommandRoute(
        PLAYBOOK + "/responsibilities",
        m.AssignResponsibility,
        "Name who leads one of the playbook's responsibilities",
        "playbook",
    ),
    CommandRoute(
        ANNEX_A, m.ListAnnexADocument, "List an Annex A document", "annex a", 201
    ),
    CommandRoute(
        ANNEX_A_DOCUMENT + "/rate",
        m.RateAnnexADocument,
        "Rate an Annex A document red, amber or green",
        "annex a",
    ),
    CommandRoute(
        ANNEX_A_DOCUMENT + "/submitted",
        m.SubmitAnnexADocument,
        "Record that an Annex A document is submitted (gatekeeper)",
        "annex a",
    ),
    CommandRoute(
        ANNEX_A + "/summary",
        m.WriteAnnexASummary,
        "Write what Annex A says about performance, for the day-2 presentation",
        "annex a",
        201,
    ),
    CommandRoute(
        CASE + "/auditor", m.AssignCaseAuditor, "Assign the case's auditor", "cases"
    ),
    CommandRoute(
        CASE + "/multi-agency-review",
        m.RecordMultiAgencyReview,
        "Record the case's multi-agency review",
        "cases",
    ),
    CommandRoute(
        CASE + "/audit-form",
        m.CompleteAuditForm,
        "Record that the case's audit form is complete",
        "cases",
    ),
    CommandRoute(
        CASE + "/judgement",
        m.ConcludeCaseAudit,
        "Give the audit's judgement with its reason",
        "cases",
    ),
    CommandRoute(
        CASE + "/judgement-seen",
        m.RecordJudgementSeen,
        "Record that the social worker or team manager has seen the judgement",
        "cases",
    ),
    CommandRoute(
        CASE + "/folder-ready",
        m.MarkFolderReady,
        "Record that a tracked case's folder is ready",
        "cases",
    ),
    CommandRoute(
        CASE + "/copies",
        m.MakeCaseCopy,
        "Record that a copy of the case is made",
        "cases",
    ),
    CommandRoute(
        CASE + "/copies/hand-over",
        m.HandOverCaseCopy,
        "Hand over our copy or the social worker's copy of the case",
        "cases",
    ),
    CommandRoute(
        CASE + "/copies/release",
        m.ReleaseCaseCopy,
        "Release the inspector's copy of the case (gatekeeper)",
        "cases",
    ),
    CommandRoute(
        MEETING + "/debriefs",
        m.RecordDebrief,
        "Debrief a meeting one was in; follow-ups become rapid-response tasks",
        "meetings",
        201,
    ),
    # The verifiable log (warroom/evidence).
    CommandRoute(
        INSPECTION + "/days/close",
        m.CloseDay,
        "Close a day: the log is signed as it stands, and the day's blog prints it",
        "evidence",
        responses=NEEDS_EARLY_REASON,
    ),
    # --- the daily blog by email (issue 13); removal is a DELETE, in
    # web/routes/distribution.py
    CommandRoute(
        INSPECTION + "/distribution",
        m.AddRecipient,
        "Add someone to the daily blog's distribution list",
        "blog",
        201,
    ),
    # --- the contact list (issue 24); removal is a DELETE, in
    # web/routes/contacts.py
    CommandRoute(
        INSPECTION + "/contacts",
        m.AddContact,
        "Add someone to the inspection's contact list",
        "contacts",
        201,
    ),
    CommandRoute(
        INSPECTION + "/contacts/{contact_id}",
        m.ChangeContact,
        "Change a contact: every field, as for adding",
        "contacts",
    ),
    # --- lines of enquiry: their owner (issue 11)
    CommandRoute(
        LINE + "/owner",
        m.AssignLineOfEnquiry,
        "Set who follows a line of enquiry up",
        "lines of enquiry",
    ),
)


# Path parameters that are not ids: FastAPI answers 422 for one that is not
# a number, before any handler runs.
_PATH_TYPES: dict[str, Any] = {"n": Annotated[int, Path(ge=0, le=10_000)]}


def _path_params(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _endpoint(route: CommandRoute) -> Any:
    """A route function whose signature FastAPI reads like a hand-written one."""
    params = _path_params(route.path)

    def endpoint(**kwargs: Any) -> JSONResponse:
        state = kwargs["state"]
        ids = [kwargs[p] for p in params]
        outcome = execute(
            state.app,
            kwargs["actor"],
            kwargs["body"],
            inspection_id=ids[0] if ids else None,
            target_id=ids[1] if len(ids) > 1 else None,
            part=str(ids[2]) if len(ids) > 2 else None,
            if_match=kwargs["if_match"],
            idempotency_key=kwargs["idempotency_key"],
            calendar=state.reader.calendar,
            status=route.status,
        )
        return JSONResponse(outcome.body, status_code=outcome.status)

    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(p, keyword, annotation=_PATH_TYPES.get(p, str))
            for p in params
        ]
        + [
            inspect.Parameter("body", keyword, annotation=route.model),
            inspect.Parameter("state", keyword, annotation=StateDep),
            inspect.Parameter("actor", keyword, annotation=ActorDep),
            inspect.Parameter("if_match", keyword, annotation=IfMatchDep),
            inspect.Parameter(
                "idempotency_key", keyword, annotation=IdempotencyKeyDep, default=None
            ),
        ]
    )
    endpoint.__name__ = route.model.__name__
    return endpoint


router = APIRouter(prefix="/api")
for _route in ROUTES:
    router.add_api_route(
        _route.path,
        _endpoint(_route),
        methods=["POST"],
        summary=_route.summary,
        tags=[_route.tag],
        status_code=_route.status,
        name=_route.model.__name__,
        responses=_route.responses,
    )
