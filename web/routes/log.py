"""The log itself, oldest first, and who is signed in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from commands.handlers import roles_allowed
from commands.models import AddUser, AssignRequest
from commands.offered import OUTSIDE, USER, offered_outside
from projections.views import UserRecord, Views
from warroom.domain import words
from web.answers import EventsRead, InspectionsRead, MeRead, UsersRead
from web.catchup import CatchUp
from web.deps import ActorDep, StateDep
from web.sessions import csrf_token_of_request

router = APIRouter(prefix="/api")


@router.get(
    "/inspections/{inspection_id}/events",
    tags=["log"],
    summary="The inspection's events, oldest first",
    response_model=EventsRead,
)
async def events(
    inspection_id: str,
    request: Request,
    state: StateDep,
    actor: ActorDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JSONResponse:
    # An await, not a worker thread: as the stream does (web/live.py).
    await state.reader.wait_for_position(state.reader.last_saved)
    if not state.read_side.read(lambda views: inspection_id in views.inspections):
        raise HTTPException(404, f"no inspection with id {inspection_id}")
    upto = state.read_side.position
    # Read a page of the log at a time on the catch-up executor, as the
    # streams' catch-up is: a scan past other inspections' events holds no
    # thread of the routes', and at most `limit` events are held.
    catch_up: CatchUp = request.app.state.broadcaster.catch_up
    found: list[dict[str, object]] = []
    cursor = after
    while len(found) < limit and cursor < upto:
        page = await catch_up.events_page(
            inspection_id, cursor, upto, limit - len(found)
        )
        found.extend(page.events)
        cursor = page.scanned_to
    # `next` is where to continue from: the last event sent or, when there
    # were fewer than `limit`, the end of the scan, past other inspections'
    # events that a client need not read again.
    return JSONResponse({"events": found, "next": cursor})


@router.get(
    "/me", tags=["users"], summary="Who this token belongs to", response_model=MeRead
)
def me(request: Request, actor: ActorDep, state: StateDep) -> JSONResponse:
    return JSONResponse(
        {
            "id": actor.id,
            "name": actor.name,
            "role": actor.role,
            "organisation_id": actor.organisation_id,
            "expires_at": actor.expires_at.isoformat() if actor.expires_at else None,
            "actions": offered_outside(state.app, actor, None, OUTSIDE),
            "csrf_token": csrf_token_of_request(request),
        }
    )


# Who may see the list of people: those who add them or assign work to them.
LISTS_USERS = roles_allowed(AddUser) | roles_allowed(AssignRequest)


@router.get(
    "/users",
    tags=["users"],
    summary="Every user of your organisation: name and role",
    response_model=UsersRead,
)
def users(state: StateDep, actor: ActorDep) -> JSONResponse:
    if actor.role not in LISTS_USERS:
        raise HTTPException(403, f"{words.role(actor.role)} may not list users")
    state.reader.catch_up()
    listed = state.read_side.read(lambda v: v.users_of(actor.organisation_id))
    return JSONResponse(
        {
            "users": [
                {
                    **_shown(u, actor.role),
                    "actions": offered_outside(state.app, actor, u["id"], USER),
                }
                for u in listed
            ]
        }
    )


def _shown(user: UserRecord, role: str) -> dict[str, Any]:
    """A user as the list shows them: their email address to admins alone
    (the others list people to give them work, not to write to them)."""
    shown: dict[str, Any] = {
        k: v for k, v in user.items() if k not in ("email", "email_since")
    }
    if role == "admin":
        shown["email"] = user.get("email")
    return shown


@router.get(
    "/inspections",
    tags=["inspections"],
    summary="Every inspection you may see",
    response_model=InspectionsRead,
)
def inspections(state: StateDep, actor: ActorDep) -> JSONResponse:
    state.reader.catch_up()
    allowed = actor.inspection_ids

    def yours(views: Views) -> list[Any]:
        return [
            views.inspections[i].inspection.render()
            for i in views.inspections_of(actor.organisation_id)
            if allowed is None or i in allowed
        ]

    return JSONResponse({"inspections": state.read_side.read(yours)})
