"""Feeds: the blog as Atom, agendas and the schedule as iCalendar, and the
secret calendar links that calendar programs fetch without a bearer token.

Feed readers and calendar programs cannot send an `Authorization` header:
the bearer-token routes here also take `?token=`, as the stream does (the
same risk, said in the README). For calendars, prefer a secret link: it opens
one feed only, and an admin can revoke it without touching anyone's token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from commands import models as m
from commands.executor import execute
from commands.run import Actor
from projections.blog import SECTIONS
from projections.calendar_links import CalendarLinkRow
from projections.schedule import MeetingRecord
from projections.views import InspectionViews, Views
from rendering import atom, calendar
from rendering.pages import render_html
from warroom.domain.base import NotFound
from warroom.domain.calendar_link import CalendarLink
from web.answers import COMMAND_ERRORS, NOT_FOUND, READ_ERRORS, WhenAsked
from web.auth import Membership
from web.calendar_links import CalendarSecrets, OpenLink, ended_by_token
from web.deps import ActorDep, IdempotencyKeyDep, StateDep, StreamActorDep, WhenDep
from web.offers import Offers
from web.state import ServerState

router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["feeds"])
links = APIRouter(prefix="/api/calendar-links", tags=["feeds"])
public = APIRouter(tags=["feeds"])

ICS = "text/calendar; charset=utf-8"
# Who may list an inspection's calendar links (no secret is shown).
LISTS_LINKS = frozenset({"admin", "auditor"})
# Calendars and feed readers ask every so often; nothing here is for a cache
# shared with others, and a token in the URL must not be kept by one.
PRIVATE = {"Cache-Control": "private, no-cache"}


def _text(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string"}}},
        }
    }


# --- calendars --------------------------------------------------------------


class Unknown(NotFound):
    pass


def _known(inspection_id: str, i: InspectionViews, views: Views, person: str) -> bool:
    """A user of the organisation, an inspector, or someone named at a meeting."""
    names = i.inspector_names()
    if person in names or person in names.values():
        return True
    if any(
        person in m["attendees"] or _was_removed(m, person)
        for m in i.schedule.meetings.values()
    ):
        return True
    organisation = views.organisation_of(views.inspection_organisations[inspection_id])
    return any(u["name"] == person for u in views.users_of(organisation))


def _was_removed(m: MeetingRecord, person: str) -> bool:
    return person not in m["attendees"] and any(
        c["what"] == "attendee removed" and c["from"] == person for c in m["history"]
    )


def _agenda_ics(inspection_id: str, person: str) -> Callable[..., bytes]:
    def question(i: InspectionViews, views: Views) -> bytes:
        if not _known(inspection_id, i, views, person):
            raise Unknown(f"nobody named {person!r} in this inspection")
        names = i.inspector_names()
        mine = i.schedule.agenda(person, names, None)["meetings"]
        # Taken off a meeting: it stays in their calendar, crossed out.
        removed = [m for m in i.schedule.meetings.values() if _was_removed(m, person)]
        meetings: list[MeetingRecord] = sorted(
            [*mine, *removed], key=lambda m: m["starts_at"]
        )
        title = i.inspection.opened["title"]
        feed = calendar.Feed(f"{title}: {person}", i.inspection.timezone, names)
        return calendar.calendar(feed, meetings, frozenset(m["id"] for m in removed))

    return question


def _schedule_ics(i: InspectionViews, _: Views) -> bytes:
    title = i.inspection.opened["title"]
    feed = calendar.Feed(
        f"{title}: schedule", i.inspection.timezone, i.inspector_names()
    )
    meetings = sorted(i.schedule.meetings.values(), key=lambda m: m["starts_at"])
    return calendar.calendar(feed, meetings)


def _ics(body: bytes, name: str) -> Response:
    disposition = f"inline; filename*=UTF-8''{quote(name)}.ics"
    return Response(
        body, media_type=ICS, headers={**PRIVATE, "Content-Disposition": disposition}
    )


@router.get(
    "/schedule.ics",
    summary="The whole inspection's schedule as a calendar feed (iCalendar)",
    response_class=Response,
    responses={**READ_ERRORS, **_text(ICS, "RFC 5545 calendar")},
)
def schedule_ics(
    inspection_id: str, state: StateDep, actor: StreamActorDep, when: WhenDep
) -> Response:
    body, _ = state.reader.ask(
        inspection_id,
        _schedule_ics,
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
    )
    return _ics(body, "schedule")


@router.get(
    "/agenda/{person:path}.ics",
    summary="One person's meetings as a calendar feed (iCalendar)",
    response_class=Response,
    responses={**READ_ERRORS, **_text(ICS, "RFC 5545 calendar")},
)
def agenda_ics(
    inspection_id: str,
    person: str,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
) -> Response:
    body, _ = state.reader.ask(
        inspection_id,
        _agenda_ics(inspection_id, person),
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
    )
    return _ics(body, person)


# --- secret calendar links ---------------------------------------------------


class CalendarLinkCreated(TypedDict):
    id: str
    url: str
    person: str | None
    version: int
    position: int


class CalendarLinkListed(CalendarLinkRow):
    # True: it opens nothing, as the token of the user it was made for was
    # revoked or rotated after it was made (read from the log, not a read
    # model: None in a past view).
    ended_by_token: bool | None
    # What the caller may send on the link now (`commands.offered`).
    actions: list[str]


class CalendarLinksRead(WhenAsked):
    links: list[CalendarLinkListed]


@router.post(
    "/calendar-links",
    summary="A secret calendar link to a person's agenda (or, admin or lead, the "
    "whole schedule); its URL is answered once",
    status_code=201,
    response_model=CalendarLinkCreated,
    responses=COMMAND_ERRORS,
)
def create_calendar_link(
    inspection_id: str,
    request: Request,
    body: m.CreateCalendarLink,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    outcome = execute(
        state.app,
        actor,
        body,
        inspection_id=inspection_id,
        idempotency_key=idempotency_key,
        calendar=state.reader.calendar,
        status=201,
    )
    answer = dict(outcome.body)
    secret = answer.pop("secret")
    url = str(request.url_for("secret_calendar", secret=secret))
    return JSONResponse({**answer, "url": url}, status_code=outcome.status)


@router.get(
    "/calendar-links",
    summary="The inspection's calendar links, revoked or not (admin, auditor)",
    response_model=CalendarLinksRead,
    responses={**READ_ERRORS, **COMMAND_ERRORS},
)
def calendar_links(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    if actor.role not in LISTS_LINKS:
        raise HTTPException(403, f"a {actor.role} may not list calendar links")
    body, position = state.reader.ask(
        inspection_id,
        lambda i, _: i.calendar_links.render(),
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    offers = None if when.is_past else Offers(state, actor, inspection_id)
    listed: list[CalendarLinkListed] = [
        {
            **row,
            "ended_by_token": None
            if when.is_past
            else ended_by_token(state.app, row["id"]),
            "actions": [] if offers is None else offers.calendar_link(row["id"]),
        }
        for row in body["links"]
    ]
    return JSONResponse(
        {
            "links": listed,
            "position": position,
            "past": when.is_past,
            "as_of": when.as_of.isoformat() if when.as_of else None,
            **when.named(),
        }
    )


@links.delete(
    "/{link_id}",
    summary="Revoke a calendar link: it answers 404 from now on (admin)",
    responses=COMMAND_ERRORS,
)
def revoke_calendar_link(
    link_id: str,
    request: Request,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    link = state.app.load(CalendarLink, link_id)
    membership: Membership = state.membership
    if not membership.known(link.inspection_id):
        membership.look_up(link.inspection_id)
    if not membership.admits(actor, link.inspection_id):
        # As for a link that does not exist: this one is another council's.
        raise NotFound(f"no calendar link with id {link_id}")
    return revoke_link(
        request, state, actor, m.RevokeCalendarLink(), link, idempotency_key
    )


def revoke_link(
    request: Request,
    state: ServerState,
    actor: Actor,
    command: m.RevokeCalendarLink | m.RevokeOwnCalendarLink,
    link: CalendarLink,
    idempotency_key: str | None,
) -> JSONResponse:
    """Sends the revoke, then forgets the link's secret in this process at
    once; the other processes learn it from the log."""
    link_id = str(link.id)
    outcome = execute(
        state.app,
        actor,
        command,
        inspection_id=link.inspection_id,
        target_id=link_id,
        idempotency_key=idempotency_key,
        status=200,
    )
    secrets: CalendarSecrets = request.app.state.calendar_secrets
    secrets.forget(link_id)
    return JSONResponse(outcome.body, status_code=outcome.status)


@public.get(
    "/calendar/{secret}.ics",
    name="secret_calendar",
    summary="The calendar a secret link opens; no token needed, 404 once revoked",
    response_class=Response,
    responses={**NOT_FOUND, **_text(ICS, "RFC 5545 calendar")},
)
async def secret_calendar(
    secret: Annotated[str, Path(max_length=100)], request: Request
) -> Response:
    secrets: CalendarSecrets = request.app.state.calendar_secrets
    state: ServerState = request.app.state.warroom
    link = secrets.known(secret)
    if link is None:
        link = await run_in_threadpool(secrets.look_up, secret)
        if link is not None:
            # First seen by this process, read from the log: it may have been
            # made on another server a moment ago, before this one's read
            # models hold the inspection it opens. Catch up to the log first.
            head = await run_in_threadpool(state.app.recorder.max_notification_id)
            await state.reader.wait_for_position(head or 0)
    if link is None:
        # Never the secret itself in an answer or a log line.
        raise HTTPException(404, "no such calendar link, or it was revoked")
    body = await run_in_threadpool(_linked_calendar, state, link)
    return _ics(body, link.person or "schedule")


def _linked_calendar(state: ServerState, link: OpenLink) -> bytes:
    question = (
        _schedule_ics
        if link.person is None
        else _agenda_ics(link.inspection_id, link.person)
    )
    body, _ = state.reader.ask(link.inspection_id, question)
    return body


# --- the blog as Atom ----------------------------------------------------------

# The blog's sections in the order a reader reads them, and their headings.
BLOG_SECTIONS = (
    ("meetings_held", "Meetings held"),
    ("meetings_moved", "Meetings moved"),
    ("meetings_cancelled", "Meetings cancelled"),
    ("requests_in", "Requests in"),
    ("requests_released", "Released to the inspectors"),
    ("case_copies_released", "Case copies released to the inspectors"),
    ("requests_declined", "Declined or pushed back"),
    ("requests_still_open", "Requests still open"),
    ("kit_points", "Points from KIT meetings"),
    ("lines_of_enquiry_raised", "Lines of enquiry raised"),
    ("cases_browsed", "Cases browsed"),
    ("tasks_done", "Playbook tasks done"),
    ("debriefs", "Debriefs"),
    ("tomorrow", "Tomorrow's meetings"),
)
assert {k for k, _ in BLOG_SECTIONS} >= set(SECTIONS.values()) - {"posts"}


@router.get(
    "/blog.atom",
    summary="The daily blog as an Atom feed, one entry per day",
    response_class=Response,
    responses={**READ_ERRORS, **_text("application/atom+xml", "RFC 4287 feed")},
)
def blog_atom(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: StreamActorDep,
    when: WhenDep,
) -> Response:
    def question(i: InspectionViews, _: Views) -> dict[str, Any]:
        days = sorted(i.blog.days)
        names = i.inspector_names()
        return {
            "inspection": i.inspection.render(),
            "blogs": [i.blog.render(date.fromisoformat(d), names) for d in days],
            "told": {d: i.blog.days[d] for d in days},
        }

    found, position = state.reader.ask(
        inspection_id,
        question,
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
    )
    inspection = found["inspection"]
    days: list[atom.Day] = []
    for blog in found["blogs"]:
        told = found["told"][blog["day"]]
        updated = max(
            (datetime.fromisoformat(e["at"]) for e in told),
            default=datetime.fromisoformat(inspection["opened_at"]),
        )
        html = render_html(
            "_blog.html",
            title=blog["day"],
            inspection=inspection,
            position=position,
            past=when.is_past,
            blog=blog,
            sections=BLOG_SECTIONS,
        )
        # The day's print page: what a person reads, once signed in.
        url = str(
            request.url_for("print_blog", inspection_id=inspection_id, day=blog["day"])
        )
        days.append(atom.Day(blog, html, updated, url))
    body = atom.atom(
        feed_id=inspection_id,
        title=f"{inspection['title']}: the daily blog",
        self_url=str(request.url.remove_query_params("token")),
        updated=max(
            (d.updated for d in days),
            default=datetime.fromisoformat(inspection["opened_at"]).astimezone(UTC),
        ),
        days=days,
    )
    return Response(body, media_type="application/atom+xml", headers=PRIVATE)
