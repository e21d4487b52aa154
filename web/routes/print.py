"""Print-ready pages, each also a PDF (`?format=pdf`), and meeting packs.

Stable URLs under `/print/inspections/{inspection_id}/`, for the page's Print
buttons. A browser opening one is signed in by its session's cookie (issue
26), with no token in the address; programs may send a bearer header or,
like the stream, `?token=`. The answers are marked `no-store` so that no
cache keeps them.
They take `as_of` / `at` as the read routes do, to print the past.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from projections.contacts import ContactRow
from projections.schedule import AgendaMeeting
from projections.views import InspectionViews, Views
from rendering.pages import render_html, render_pdf
from warroom.domain.base import NotFound
from web.deps import PointInTime, StateDep, StreamActorDep, WhenDep
from web.routes.evidence import signed_checkpoint
from web.routes.feeds import BLOG_SECTIONS, Unknown, _known
from web.routes.reads import Day
from web.state import ServerState

router = APIRouter(
    prefix="/print/inspections/{inspection_id}", tags=["print"], include_in_schema=False
)

Format = Annotated[
    str | None, Query(pattern="^(html|pdf)$", description="pdf for the PDF")
]
NO_STORE = {"Cache-Control": "no-store"}

Question = Callable[[InspectionViews, Views], dict[str, Any]]


async def _page(
    state: ServerState,
    inspection_id: str,
    when: PointInTime,
    format: str | None,
    *,
    template: str,
    title: str | Callable[[dict[str, Any]], str],
    name: str,
    question: Question,
    after: Callable[[], dict[str, Any]] | None = None,
) -> Response:
    """`after`: more of the page, asked once the read models have answered
    (the ledger's signed checkpoint, which must hold every line printed)."""

    def ask(i: InspectionViews, views: Views) -> dict[str, Any]:
        # The time a page of the past stood at: the one asked for, or the
        # time its position was recorded.
        stood_at = when.as_of.isoformat() if when.as_of else views.recorded_at
        return {
            "inspection": i.inspection.render(),
            "stood_at": stood_at,
            **question(i, views),
        }

    context, position = await run_in_threadpool(
        state.reader.ask,
        inspection_id,
        ask,
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
    )
    if after is not None:
        context = {**context, **await run_in_threadpool(after)}
    html = render_html(
        template,
        title=title if isinstance(title, str) else title(context),
        position=position,
        past=when.is_past,
        clock=_clock(when),
        for_pdf=format == "pdf",
        **context,
    )
    if format != "pdf":
        return HTMLResponse(html, headers=NO_STORE)
    pdf = await run_in_threadpool(render_pdf, html)
    disposition = f"inline; filename*=UTF-8''{quote(name)}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={**NO_STORE, "Content-Disposition": disposition},
    )


def _clock(when: PointInTime) -> dict[str, str] | None:
    """The clock a past print was asked by, and its instant, for its header."""
    if when.happened_by is not None:
        return {"kind": "happened_by", "instant": when.happened_by.isoformat()}
    if when.as_of is not None:
        return {"kind": "as_of", "instant": when.as_of.isoformat()}
    return None


@router.get("/schedule/{day}", name="print_schedule")
async def schedule(
    inspection_id: str,
    day: Annotated[Day, Path()],
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    def question(i: InspectionViews, _: Views) -> dict[str, Any]:
        names = i.inspector_names()
        answer = i.schedule.render_day(day, i.inspection.timezone, names)
        return {"day": day.isoformat(), "meetings": answer["meetings"], "names": names}

    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="schedule.html",
        title=f"Schedule for {day:%A %d %B %Y}",
        name=f"schedule-{day}",
        question=question,
    )


@router.get("/agenda/{person:path}", name="print_agenda")
async def agenda(
    inspection_id: str,
    person: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    def question(i: InspectionViews, views: Views) -> dict[str, Any]:
        _require_known(inspection_id, i, views, person)
        names = i.inspector_names()
        meetings = i.schedule.agenda(person, names, None)["meetings"]
        return {
            "person": names.get(person, person),
            "meetings": meetings,
            "names": names,
        }

    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="agenda.html",
        title=f"Agenda of {person}",
        name=f"agenda-{person}",
        question=question,
    )


@router.get("/ledger", name="print_ledger")
async def ledger(
    inspection_id: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="ledger.html",
        title="Hand-over ledger",
        name="ledger",
        question=lambda i, _: {**i.ledger.render(i.inspector_names())},
        after=lambda: {"signed": signed_checkpoint(state, actor)},
    )


@router.get("/cases", name="print_cases")
async def cases(
    inspection_id: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="cases.html",
        title="Case board",
        name="cases",
        question=lambda i, _: {**i.cases.render(i.inspector_names())},
    )


@router.get("/contacts", name="print_contacts")
async def contacts(
    inspection_id: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    """The contact list (issue 24), by group, to pin up in the war room."""
    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="contacts.html",
        title="Contact list",
        name="contacts",
        question=lambda i, _: {"groups": _by_group(i.contacts.render()["contacts"])},
    )


def _by_group(rows: list[ContactRow]) -> list[tuple[str, list[ContactRow]]]:
    groups: dict[str, list[ContactRow]] = {}
    for row in rows:
        groups.setdefault(row["group"] or "Others", []).append(row)
    return list(groups.items())


@router.get("/blog/{day}", name="print_blog")
async def blog(
    inspection_id: str,
    day: Annotated[Day, Path()],
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="blog.html",
        title=f"The day's blog, {day:%A %d %B %Y}",
        name=f"blog-{day}",
        question=lambda i, _: {
            "blog": i.blog.render(day, i.inspector_names()),
            "sections": BLOG_SECTIONS,
        },
    )


# --- meeting packs -------------------------------------------------------------


@router.get("/packs/{day}/{person:path}", name="print_person_pack")
async def person_pack(
    inspection_id: str,
    day: Annotated[Day, Path()],
    person: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    """One person's meetings of one day: who is there, what to prepare, the
    latest changes and what changed since they were last told."""

    def question(i: InspectionViews, views: Views) -> dict[str, Any]:
        _require_known(inspection_id, i, views, person)
        return {"packs": [_pack(i, person, day)], "names": i.inspector_names()}

    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="pack.html",
        title=f"Meeting pack: {person}, {day:%A %d %B %Y}",
        name=f"pack-{day}-{person}",
        question=question,
    )


@router.get("/meetings/{meeting_id}/pack", name="print_meeting_pack")
async def meeting_pack(
    inspection_id: str,
    meeting_id: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
    format: Format = None,
) -> Response:
    """The day's pack of everyone in one meeting, a section each."""

    def question(i: InspectionViews, _: Views) -> dict[str, Any]:
        meeting = i.schedule.meetings.get(meeting_id)
        if meeting is None:
            raise NotFound("no such meeting, or it had not been arranged by then")
        zone = ZoneInfo(i.inspection.timezone)
        day = datetime.fromisoformat(meeting["starts_at"]).astimezone(zone).date()
        people = [*meeting["attendees"], *meeting["inspectors"]]
        return {
            "packs": [_pack(i, person, day) for person in people],
            "names": i.inspector_names(),
            "meeting_title": meeting["title"],
        }

    return await _page(
        state,
        inspection_id,
        when,
        format,
        template="pack.html",
        title=lambda found: f"Meeting pack: {found['meeting_title']}",
        name=f"pack-{meeting_id}",
        question=question,
    )


def _pack(i: InspectionViews, person: str, day: date) -> dict[str, Any]:
    names = i.inspector_names()
    zone = ZoneInfo(i.inspection.timezone)

    def on_day(m: AgendaMeeting) -> bool:
        return datetime.fromisoformat(m["starts_at"]).astimezone(zone).date() == day

    meetings = i.schedule.agenda(person, names, None)["meetings"]
    return {
        "person": names.get(person, person),
        "day": f"{day:%A %d %B %Y}",
        "meetings": [m for m in meetings if on_day(m)],
    }


def _require_known(
    inspection_id: str, i: InspectionViews, views: Views, person: str
) -> None:
    if not _known(inspection_id, i, views, person):
        raise Unknown(f"nobody named {person!r} in this inspection")
