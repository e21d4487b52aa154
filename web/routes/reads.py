"""The read models, now or as they stood at any past instant or position."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import AfterValidator

from commands.run import Actor
from projections.cases import browsed_page
from projections.requests import RequestsAnswer
from projections.schedule import DayAnswer
from projections.views import InspectionViews, Views
from warroom.domain.base import NotFound
from warroom.domain.window import readable_day_problem
from web.answers import (
    CSV,
    READ_ERRORS,
    AgendaRead,
    BlogRead,
    BrowsedRead,
    CasesRead,
    DayRead,
    InspectionRead,
    KitNotesRead,
    LedgerRead,
    LinesOfEnquiryRead,
    MeetingInvitationsAnswer,
    MeetingInvitationsRead,
    RequestsRead,
)
from web.deps import ActorDep, PointInTime, StateDep, WhenDep
from web.offers import (
    Offer,
    Offers,
    offer_briefing,
    offer_day,
    offer_inspection,
    offer_items,
)
from web.state import ServerState


def offers(
    state: ServerState, actor: Actor, inspection_id: str, when: PointInTime
) -> Offers | None:
    """What the caller may do now (None in the past, where nothing can be done)."""
    return None if when.is_past else Offers(state, actor, inspection_id)


router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["read models"])


def _day_in_era(day: date) -> date:
    # Commands accept no time outside the era, so no read needs a day beyond
    # it; and the day before 0001-01-01 or after 9999-12-31 is no date at all.
    problem = readable_day_problem(day)
    if problem is not None:
        raise ValueError(problem)
    return day


Day = Annotated[date, AfterValidator(_day_in_era)]


def _read(
    state: ServerState,
    inspection_id: str,
    when: PointInTime,
    question: Callable[[InspectionViews, Views], Mapping[str, object]],
    also: Callable[[int], Mapping[str, object]] | None = None,
    offer: Offer | None = None,
) -> JSONResponse:
    """Asks the read models; says which position the answer is true at
    (`also`: what else the answer holds, as of that position; `offer`: what
    the caller may do on each of its items, `web.offers`)."""
    body, position = state.reader.ask(
        inspection_id,
        question,
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    if offer is not None:
        body = offer(dict(body))
    return JSONResponse(
        {
            **body,
            **(also(position) if also else {}),
            "position": position,
            "past": when.is_past,
            "as_of": when.as_of.isoformat() if when.as_of else None,
            **when.named(),
        }
    )


@router.get(
    "",
    summary="The inspection: title, phase, roster",
    response_model=InspectionRead,
    responses=READ_ERRORS,
)
def inspection(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    offer = offer_inspection(offers(state, actor, inspection_id, when))
    return _read(
        state, inspection_id, when, lambda i, _: i.inspection.render(), offer=offer
    )


@router.get(
    "/schedule",
    summary="One day's meetings, their changes and warnings",
    response_model=DayRead,
    responses=READ_ERRORS,
)
def schedule(
    inspection_id: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    day: Annotated[
        Day | None, Query(description="YYYY-MM-DD; today by default")
    ] = None,
) -> JSONResponse:
    def question(i: InspectionViews, _: Views) -> DayAnswer:
        zone = i.inspection.timezone
        # "Today" is the inspection's today, not the server's.
        wanted = day or datetime.now(ZoneInfo(zone)).date()
        return i.schedule.render_day(wanted, zone, i.inspector_names())

    offer = offer_items(
        offers(state, actor, inspection_id, when), "meetings", lambda o: o.meeting
    )
    return _read(state, inspection_id, when, question, offer=offer)


@router.get(
    "/meetings/{meeting_id}/invitations",
    summary="Who was sent which calendar invitation about a meeting, and when",
    response_model=MeetingInvitationsRead,
    responses=READ_ERRORS,
)
def meeting_invitations(
    inspection_id: str,
    meeting_id: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
) -> JSONResponse:
    def question(i: InspectionViews, _: Views) -> MeetingInvitationsAnswer:
        if meeting_id not in i.schedule.meetings:
            raise NotFound(f"no meeting with id {meeting_id}")
        return {"meeting_id": meeting_id, "invitations": i.invitations.of(meeting_id)}

    return _read(state, inspection_id, when, question)


# `:path`, for a name may hold a slash ("Smith/Jones"), sent as %2F.
async def _not_an_acknowledgement(person: str) -> None:
    """`{person:path}` takes the acknowledgement's path too, which is POSTed:
    405 for it, before the token is even looked at, as for any wrong method."""
    if person.endswith("/acknowledge"):
        raise HTTPException(405)


@router.get(
    "/agenda/{person:path}",
    summary="One person's meetings and what changed",
    dependencies=[Depends(_not_an_acknowledgement)],
    response_model=AgendaRead,
    responses=READ_ERRORS,
)
def agenda(
    inspection_id: str,
    person: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    since: Annotated[
        int | None,
        Query(
            ge=0,
            description="Changes after this position are marked new; by default, "
            "after what the person last acknowledged",
        ),
    ] = None,
) -> JSONResponse:
    offering = offers(state, actor, inspection_id, when)
    to_meetings = offer_items(offering, "meetings", lambda o: o.meeting)
    to_briefing = offer_briefing(offering, person)
    return _read(
        state,
        inspection_id,
        when,
        lambda i, _: i.schedule.agenda(person, i.inspector_names(), since),
        offer=lambda body: to_briefing(to_meetings(body)),
    )


@router.get(
    "/ledger",
    summary="The hand-over ledger (JSON, or CSV for the printed copy)",
    response_model=LedgerRead,
    responses={**READ_ERRORS, **CSV},
)
def ledger(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    wants_csv = format == "csv" or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    if wants_csv:
        text, _ = state.reader.ask(
            inspection_id,
            lambda i, _: i.ledger.render_csv(i.inspector_names()),
            at=when.at,
            as_of=when.as_of,
            happened_by=when.happened_by,
            min_position=when.min_position,
        )
        return PlainTextResponse(
            text,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="ledger.csv"'},
        )
    return _read(
        state, inspection_id, when, lambda i, _: i.ledger.render(i.inspector_names())
    )


@router.get(
    "/requests",
    summary="The request tracker: state, holder, age, overdue",
    response_model=RequestsRead,
    responses=READ_ERRORS,
)
def requests(
    inspection_id: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    state_filter: Annotated[
        str | None,
        Query(
            alias="state",
            pattern="^(all|open|closed|requested|assigned|attached|approved|checked|released|declined|withdrawn)$",
            description="Which requests: `all` (the default), `open`, `closed` "
            "(released, declined or withdrawn, each with its `closed_at` and, "
            "for declined and withdrawn, the `reason`), or those in one state",
        ),
    ] = None,
) -> JSONResponse:
    def question(i: InspectionViews, views: Views) -> RequestsAnswer:
        # Ages and overdue flags are reckoned at the moment asked about.
        now = when.instant or (
            datetime.fromisoformat(views.recorded_at)
            if when.is_past and views.recorded_at
            else datetime.now(UTC)
        )
        return i.requests.render(
            state=state_filter,
            now=now,
            inspector_names=i.inspector_names(),
            user_names=views.user_names(),
        )

    offer = offer_items(
        offers(state, actor, inspection_id, when), "requests", lambda o: o.request
    )
    return _read(state, inspection_id, when, question, offer=offer)


@router.get(
    "/cases",
    summary="The case board: notifications, judgements, browsing",
    response_model=CasesRead,
    responses=READ_ERRORS,
)
def cases(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    return _read(
        state,
        inspection_id,
        when,
        lambda i, _: i.cases.render(i.inspector_names()),
        offer=offer_items(
            offers(state, actor, inspection_id, when), "cases", lambda o: o.case
        ),
    )


# The most items browsed one page of a case's list holds.
MOST_BROWSED_PER_PAGE = 500


@router.get(
    "/cases/{case_id}/browsed",
    summary="A case's items browsed, newest first, a page at a time",
    response_model=BrowsedRead,
    responses=READ_ERRORS,
    tags=["cases"],
)
def case_browsed(
    inspection_id: str,
    case_id: str,
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    offset: Annotated[
        int, Query(ge=0, le=10**9, description="items to skip, newest first")
    ] = 0,
    limit: Annotated[
        int,
        Query(ge=1, le=MOST_BROWSED_PER_PAGE, description="items on this page"),
    ] = 100,
) -> JSONResponse:
    """The board shows a case's newest items browsed; this, all of them."""
    case, position = state.reader.ask(
        inspection_id,
        lambda i, _: i.cases.browsed(case_id),
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    # Read outside the read models' lock: the record's map never changes in
    # place, and sorting a case's 50,000 items takes a while.
    return JSONResponse(
        {
            **browsed_page(case, offset, limit),
            "position": position,
            "past": when.is_past,
            "as_of": when.as_of.isoformat() if when.as_of else None,
            **when.named(),
        }
    )


@router.get(
    "/blog/{day}",
    summary="The day's blog: posts, then what the day's events say",
    response_model=BlogRead,
    responses=READ_ERRORS,
)
def blog(
    inspection_id: str,
    day: Annotated[Day, Path(description="YYYY-MM-DD")],
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
) -> JSONResponse:
    def seal(position: int) -> dict[str, str | None]:
        # The day's seal, once the answer's position includes its closing.
        sealed = [
            s.note
            for s in state.app.evidence.seals(inspection_id)
            if s.day == day.isoformat() and s.position <= position
        ]
        return {"seal": sealed[0] if sealed else None}

    return _read(
        state,
        inspection_id,
        when,
        lambda i, _: i.blog.render(day, i.inspector_names()),
        seal,
        offer=offer_day(offers(state, actor, inspection_id, when), day.isoformat()),
    )


@router.get(
    "/lines-of-enquiry",
    summary="Lines of enquiry, their evidence, answered or not",
    response_model=LinesOfEnquiryRead,
    responses=READ_ERRORS,
)
def lines_of_enquiry(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    return _read(
        state,
        inspection_id,
        when,
        lambda i, _: i.lines_of_enquiry.render(),
        offer=offer_items(
            offers(state, actor, inspection_id, when),
            "lines_of_enquiry",
            lambda o: o.line_of_enquiry,
        ),
    )


@router.get(
    "/kit-notes",
    summary="KIT notes: what was said, and their actions, who has them, done or not",
    response_model=KitNotesRead,
    responses=READ_ERRORS,
)
def kit_notes(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    return _read(
        state,
        inspection_id,
        when,
        lambda i, _: i.kit_notes.render(),
        offer=offer_items(
            offers(state, actor, inspection_id, when),
            "kit_notes",
            lambda o: o.kit_note,
            nested="actions",
        ),
    )
