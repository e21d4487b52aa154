"""The log itself, oldest first, and who is signed in."""

from __future__ import annotations

from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from commands.handlers import roles_allowed
from commands.models import AddUser, AssignRequest
from projections.follower import inspection_events
from projections.views import Views
from web.deps import ActorDep, StateDep

router = APIRouter(prefix="/api")


@router.get(
    "/inspections/{inspection_id}/events",
    tags=["log"],
    summary="The inspection's events, oldest first",
)
def events(
    inspection_id: str,
    state: StateDep,
    actor: ActorDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    state.reader.catch_up()
    if not state.read_side.read(lambda views: inspection_id in views.inspections):
        raise HTTPException(404, f"no inspection with id {inspection_id}")
    upto = state.read_side.position
    found = list(
        islice(inspection_events(state.app, inspection_id, after, upto), limit)
    )
    # `next` is where to continue from: the last event sent or, when there
    # were fewer than `limit`, the end of the scan, past other inspections'
    # events that a client need not read again.
    scanned = found[-1].position if len(found) == limit else max(after, upto)
    return {"events": [event.to_json() for event in found], "next": scanned}


@router.get("/me", tags=["users"], summary="Who this token belongs to")
def me(actor: ActorDep) -> dict[str, Any]:
    return {
        "id": actor.id,
        "name": actor.name,
        "role": actor.role,
        "organisation_id": actor.organisation_id,
        "expires_at": actor.expires_at.isoformat() if actor.expires_at else None,
    }


# Who may see the list of people: those who add them or assign work to them.
LISTS_USERS = roles_allowed(AddUser) | roles_allowed(AssignRequest)


@router.get(
    "/users", tags=["users"], summary="Every user of your organisation: name and role"
)
def users(state: StateDep, actor: ActorDep) -> dict[str, Any]:
    if actor.role not in LISTS_USERS:
        raise HTTPException(403, f"a {actor.role} may not list users")
    state.reader.catch_up()
    return {
        "users": state.read_side.read(
            lambda views: views.users_of(actor.organisation_id)
        )
    }


@router.get(
    "/inspections", tags=["inspections"], summary="Every inspection you may see"
)
def inspections(state: StateDep, actor: ActorDep) -> dict[str, Any]:
    state.reader.catch_up()
    allowed = actor.inspection_ids

    def yours(views: Views) -> list[Any]:
        return [
            views.inspections[i].inspection.render()
            for i in views.inspections_of(actor.organisation_id)
            if allowed is None or i in allowed
        ]

    return {"inspections": state.read_side.read(yours)}
