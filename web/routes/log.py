"""The log itself, oldest first, and who is signed in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from projections.follower import read_events
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
    found: list[dict[str, Any]] = []
    scanned = after
    upto = state.read_side.position
    for event in read_events(state.app, after, upto):
        scanned = event.position
        if event.inspection_id == inspection_id and not event.is_internal:
            found.append(event.to_json())
            if len(found) == limit:
                break
    # `next` is where to continue from; the scan may have passed other
    # inspections' events, which a client need not read again.
    return {"events": found, "next": scanned}


@router.get("/me", tags=["users"], summary="Who this token belongs to")
def me(actor: ActorDep) -> dict[str, str]:
    return {"id": actor.id, "name": actor.name, "role": actor.role}


# Who may see the list of people: those who assign work to them.
LISTS_USERS = frozenset({"admin", "lead", "gatekeeper", "rapid_response"})


@router.get("/users", tags=["users"], summary="Every user's name and role")
def users(state: StateDep, actor: ActorDep) -> dict[str, Any]:
    if actor.role not in LISTS_USERS:
        raise HTTPException(403, f"a {actor.role} may not list users")
    state.reader.catch_up()
    return {"users": state.read_side.read(lambda views: list(views.users.values()))}


@router.get("/inspections", tags=["inspections"], summary="Every inspection")
def inspections(state: StateDep, actor: ActorDep) -> dict[str, Any]:
    state.reader.catch_up()
    return {
        "inspections": state.read_side.read(
            lambda views: [i.roster.render() for i in views.inspections.values()]
        )
    }
