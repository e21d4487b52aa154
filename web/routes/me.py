"""Calendar links for oneself (issue 24): any council user makes, lists and
revokes secret links to their own agenda, without asking an admin.

The same links and events as an admin's (`web.routes.feeds`): a link made
here is a `CalendarLinkCreated` whose person is the caller, and it opens,
lists and dies with their token as any other. Only one's own links are
listed and revoked here; another's answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from typing_extensions import TypedDict

from commands import models as m
from commands.executor import execute
from commands.handlers import roles_allowed
from commands.offered import OWN_CALENDAR_LINK, Thing
from commands.run import Actor
from projections.calendar_links import CalendarLinkRow
from projections.views import Views
from warroom.domain import words
from warroom.domain.base import Forbidden, NotFound
from warroom.domain.calendar_link import CalendarLink
from web.answers import COMMAND_ERRORS
from web.auth import Membership
from web.calendar_links import ended_by_token
from web.deps import ActorDep, IdempotencyKeyDep, StateDep
from web.offers import Offers
from web.routes.feeds import revoke_link
from web.state import ServerState

router = APIRouter(prefix="/api/me", tags=["feeds"])


class OwnLinkMade(TypedDict):
    id: str
    # Shown once: only its hash is kept.
    url: str
    inspection_id: str
    person: str
    version: int
    position: int


class OwnLink(CalendarLinkRow):
    inspection_id: str
    inspection_title: str
    # True: it opens nothing since the caller's token was revoked or rotated.
    ended_by_token: bool
    # What the caller may send on it now (GET /api/meta's names).
    actions: list[str]


class OwnLinks(TypedDict):
    links: list[OwnLink]


def _may(actor: Actor, command: type[m.Command]) -> None:
    """The role's refusal first, before anything is looked up."""
    roles = roles_allowed(command)
    if actor.role not in roles:
        raise Forbidden(
            f"{words.role(actor.role)} has no agenda of their own to link to; "
            "it takes " + words.either([words.role(r) for r in sorted(roles)])
        )


def _admitted(state: ServerState, actor: Actor, inspection_id: str) -> bool:
    membership: Membership = state.membership
    if not membership.known(inspection_id):
        membership.look_up(inspection_id)
    return membership.admits(actor, inspection_id)


def _visible(state: ServerState, actor: Actor) -> list[str]:
    """The inspections the caller may see, oldest opened first."""
    state.reader.catch_up()
    allowed = actor.inspection_ids

    def theirs(views: Views) -> list[str]:
        return [
            i
            for i in views.inspections_of(actor.organisation_id)
            if allowed is None or i in allowed
        ]

    found: list[str] = state.read_side.read(theirs)
    return found


def _inspection_for(state: ServerState, actor: Actor, asked: str | None) -> str:
    if asked is not None:
        if not _admitted(state, actor, asked):
            raise NotFound(f"no inspection with id {asked}")
        return asked
    opened = set(state.read_side.read(lambda v: v.open_inspection_ids()))
    live = [i for i in _visible(state, actor) if i in opened]
    if not live:
        raise NotFound("there is no open inspection of yours to link to")
    return live[-1]


@router.post(
    "/calendar-links",
    summary="A secret calendar link to your own agenda; its URL is answered once",
    status_code=201,
    response_model=OwnLinkMade,
    responses=COMMAND_ERRORS,
)
def create_own_calendar_link(
    request: Request,
    body: m.CreateOwnCalendarLink,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    _may(actor, m.CreateOwnCalendarLink)
    inspection_id = _inspection_for(state, actor, body.inspection_id)
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
    return JSONResponse(
        {**answer, "url": url, "inspection_id": inspection_id},
        status_code=outcome.status,
    )


@router.get(
    "/calendar-links",
    summary="Your own calendar links, revoked or not (never their secret URLs)",
    response_model=OwnLinks,
    responses=COMMAND_ERRORS,
)
def own_calendar_links(state: StateDep, actor: ActorDep) -> JSONResponse:
    listed: list[dict[str, Any]] = []
    for inspection_id in _visible(state, actor):

        def question(i: Any, _: Views) -> dict[str, Any]:
            return {
                "title": i.inspection.opened["title"],
                "links": [
                    r for r in i.calendar_links.render()["links"] if _mine(r, actor)
                ],
            }

        found, _ = state.reader.ask(inspection_id, question)
        for row in found["links"]:
            if not _made_since_user(state, actor, row["id"]):
                continue  # for someone of that name before this user
            ended = ended_by_token(state.app, row["id"])
            live = not row["revoked"] and not ended
            listed.append(
                {
                    **row,
                    "inspection_id": inspection_id,
                    "inspection_title": found["title"],
                    "ended_by_token": ended,
                    "actions": Offers(state, actor, inspection_id).of(
                        Thing(CalendarLink, row["id"]), OWN_CALENDAR_LINK
                    )
                    if live
                    else [],
                }
            )
    listed.sort(key=lambda r: r["created_at"])
    return JSONResponse({"links": listed})


def _mine(row: CalendarLinkRow, actor: Actor) -> bool:
    return row["person"] == actor.name


def _made_since_user(state: ServerState, actor: Actor, link_id: str) -> bool:
    link = state.app.load(CalendarLink, link_id)
    user_id = UUID(actor.id)
    return state.app.position_of(link.id, 1) > state.app.position_of(user_id, 1)


@router.delete(
    "/calendar-links/{link_id}",
    summary="Revoke one of your own calendar links: it answers 404 from now on",
    responses=COMMAND_ERRORS,
)
def revoke_own_calendar_link(
    link_id: str,
    request: Request,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    # Another council's link is not found, whoever asks; then the role.
    link = state.app.load(CalendarLink, link_id)
    if not _admitted(state, actor, link.inspection_id):
        raise NotFound(f"no calendar link of yours with id {link_id}")
    _may(actor, m.RevokeOwnCalendarLink)
    return revoke_link(
        request, state, actor, m.RevokeOwnCalendarLink(), link, idempotency_key
    )
