"""The council's plan (issue 15): the playbook, the Annex A register, the
debriefs, and the upload of the case system's access log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from typing_extensions import TypedDict

from commands.access_log import MalformedLog, TooManyRows, column_map, parse
from commands.executor import execute
from commands.handlers import roles_allowed
from commands.models import ImportAccessLog
from projections.annex_a import AnnexAAnswer
from projections.playbook import PlaybookAnswer
from projections.views import InspectionViews, Views
from warroom.playbook_templates import TemplateProblem, load_template, template_names
from web.answers import READ_ERRORS, AnnexARead, DebriefsRead, PlaybookRead
from web.deps import ActorDep, IdempotencyKeyDep, PointInTime, StateDep, WhenDep
from web.offers import offer_items
from web.routes.reads import _read, offers

router = APIRouter(prefix="/api/inspections/{inspection_id}")
# What an inspection may be opened from: no inspection of its own.
templates_router = APIRouter(prefix="/api", tags=["playbook"])


class TemplateSummary(TypedDict):
    name: str
    framework: str
    description: str
    responsibilities: int
    tasks: int


class TemplatesAnswer(TypedDict):
    templates: list[TemplateSummary]
    # Templates in the folder that cannot be read, and why.
    problems: list[str]


@templates_router.get(
    "/playbook-templates",
    summary="The playbook templates an inspection may be opened from",
    response_model=TemplatesAnswer,
    responses=READ_ERRORS,
)
def playbook_templates(actor: ActorDep) -> TemplatesAnswer:
    answer: TemplatesAnswer = {"templates": [], "problems": []}
    for name in template_names():
        try:
            template = load_template(name)
        except TemplateProblem as problem:
            answer["problems"].append(str(problem))
            continue
        answer["templates"].append(
            {
                "name": name,
                "framework": template.framework,
                "description": template.description,
                "responsibilities": len(template.responsibilities),
                "tasks": len(template.tasks),
            }
        )
    return answer


def _now(when: PointInTime, views: Views) -> datetime:
    """The moment asked about: overdue and countdowns are reckoned at it."""
    if when.instant is not None:
        return when.instant
    if when.is_past and views.recorded_at:
        return datetime.fromisoformat(views.recorded_at)
    return datetime.now(UTC)


@router.get(
    "/playbook",
    summary="The playbook: responsibilities, and tasks with owner, due and overdue",
    response_model=PlaybookRead,
    responses=READ_ERRORS,
    tags=["playbook"],
)
def playbook(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    def question(i: InspectionViews, views: Views) -> PlaybookAnswer:
        summary = i.inspection.summary
        phase = summary["phase"] if summary else "day1_notification"
        return i.playbook.render(_now(when, views), phase, i.inspection.timezone)

    now = offers(state, actor, inspection_id, when)
    tasks = offer_items(now, "tasks", lambda o: o.task)
    duties = offer_items(now, "responsibilities", lambda o: o.responsibility)
    return _read(
        state, inspection_id, when, question, offer=lambda body: duties(tasks(body))
    )


@router.get(
    "/annex-a",
    summary="The Annex A register: RAG ratings and their history, the countdown",
    response_model=AnnexARead,
    responses=READ_ERRORS,
    tags=["annex a"],
)
def annex_a(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    def question(i: InspectionViews, views: Views) -> AnnexAAnswer:
        summary = i.inspection.summary
        assert summary is not None
        return i.annex_a.render(
            _now(when, views), summary["starts_on"], summary["timezone"]
        )

    offer = offer_items(
        offers(state, actor, inspection_id, when),
        "documents",
        lambda o: o.annex_a_document,
    )
    return _read(state, inspection_id, when, question, offer=offer)


@router.get(
    "/debriefs",
    summary="What the staff in each meeting reported back",
    response_model=DebriefsRead,
    responses=READ_ERRORS,
    tags=["meetings"],
)
def debriefs(
    inspection_id: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    meeting: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    return _read(state, inspection_id, when, lambda i, _: i.debriefs.render(meeting))


@router.post(
    "/access-log",
    summary="Import the case system's access log (CSV): who browsed which case",
    tags=["cases"],
)
def import_access_log(
    inspection_id: str,
    state: StateDep,
    actor: ActorDep,
    file: Annotated[UploadFile, File(description="The access log, as CSV")],
    map: Annotated[
        str | None,
        Form(
            max_length=500,
            description="Our column=their header, comma separated, e.g. "
            "user=Username,case_ref=CaseID,item=Document,accessed_at=Time",
        ),
    ] = None,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    if actor.role not in roles_allowed(ImportAccessLog):
        # Refused before the file is read: a role that may not import learns
        # nothing of what is wrong with it.
        raise HTTPException(403, f"a {actor.role} may not import an access log")
    try:
        rows = parse(
            file.file.read(), column_map(map), state.settings.access_log_max_rows
        )
    except TooManyRows as problem:
        raise HTTPException(413, str(problem)) from None
    except MalformedLog as problem:
        # 422, naming the line and the reason; nothing is stored.
        raise RequestValidationError(
            [
                {
                    "loc": ("body", "map")
                    if problem.line == 0
                    else ("body", "file", problem.line),
                    "msg": str(problem) if problem.line else problem.reason,
                    "type": "value_error",
                }
            ]
        ) from None
    outcome = execute(
        state.app,
        actor,
        ImportAccessLog(rows=rows),
        inspection_id=inspection_id,
        idempotency_key=idempotency_key,
        status=200,
    )
    return JSONResponse(outcome.body, status_code=outcome.status)
