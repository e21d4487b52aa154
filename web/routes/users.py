"""One user: whether their token is live; revoking, rotating, limiting it.

Every route answers 404 for a user of another organisation, as for one that
does not exist. A change of access takes effect in this process at once
(its cached token forgotten, its open streams ended, the secret calendar
links made for them looked up afresh), and in every other
process as soon as its read side folds the event in.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from commands import models as m
from commands.executor import execute
from commands.membership import organisation_of, user_of
from commands.offered import USER, offered_outside
from commands.run import Actor
from warroom.domain import words
from web.answers import UserRead
from web.auth import AccessChanges
from web.calendar_links import CalendarSecrets
from web.deps import ActorDep, IdempotencyKeyDep, IfMatchDep, StateDep
from web.routes.log import LISTS_USERS
from web.state import ServerState

router = APIRouter(prefix="/api/users/{user_id}", tags=["users"])


@router.get(
    "",
    summary="A user, and whether their token is live and until when",
    response_model=UserRead,
)
def user(user_id: str, state: StateDep, actor: ActorDep) -> JSONResponse:
    if actor.id != user_id and actor.role not in LISTS_USERS:
        raise HTTPException(
            403, f"{words.role(actor.role)} may not look up other users"
        )
    found = user_of(state.app, user_id, actor.organisation_id)
    expires = found.expires_at
    return JSONResponse(
        {
            "id": str(found.id),
            "name": found.name,
            "role": found.role,
            "organisation_id": organisation_of(state.app, found.organisation_id),
            "inspection_ids": found.inspection_ids,
            # Where their meeting invitations go (issue 24): shown to admins
            # and to the user themselves.
            **(
                {"email": found.email}
                if actor.role == "admin" or actor.id == user_id
                else {}
            ),
            "version": found.version,
            "token": {
                "live": found.token_live(datetime.now(UTC)),
                "revoked": found.token_revoked,
                "expires_at": expires.isoformat() if expires else None,
            },
            "actions": offered_outside(state.app, actor, user_id, USER),
        }
    )


def _change(
    request: Request,
    user_id: str,
    command: m.Command,
    state: ServerState,
    actor: Actor,
    if_match: int | None,
    idempotency_key: str | None,
) -> JSONResponse:
    outcome = execute(
        state.app,
        actor,
        command,
        target_id=user_id,
        if_match=if_match,
        idempotency_key=idempotency_key,
        status=200,
    )
    access: AccessChanges = request.app.state.access
    access.user_changed(user_id)
    secrets: CalendarSecrets = request.app.state.calendar_secrets
    secrets.forget_made_for(user_id)
    return JSONResponse(outcome.body, status_code=outcome.status)


@router.post("/revoke", summary="Revoke the user's token, everywhere, at once (admin)")
def revoke(
    user_id: str,
    request: Request,
    body: m.RevokeToken,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    return _change(request, user_id, body, state, actor, if_match, idempotency_key)


@router.post(
    "/rotate",
    summary="A new token for the user, answered once; the old one stops (admin)",
)
def rotate(
    user_id: str,
    request: Request,
    body: m.RotateToken,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    return _change(request, user_id, body, state, actor, if_match, idempotency_key)


@router.post(
    "/inspections",
    summary="Limit the user to these inspections; null lifts the limit (admin)",
)
def limit_inspections(
    user_id: str,
    request: Request,
    body: m.LimitInspections,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    return _change(request, user_id, body, state, actor, if_match, idempotency_key)


@router.put(
    "/email",
    summary="Set or change where the user's meeting invitations go; null "
    "takes the address away (admin)",
)
def set_email(
    user_id: str,
    request: Request,
    body: m.SetUserEmail,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    return _change(request, user_id, body, state, actor, if_match, idempotency_key)
