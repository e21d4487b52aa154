"""A wall screen signs in as a device, not a person (issue 25; RFC 8628 in
spirit: the OAuth 2.0 Device Authorization Grant).

1. The screen, signed in as nobody, asks `POST /api/device/codes`: a secret
   device code it keeps, and a short user code it shows across the room.
2. A lead or an admin types the user code on their own page and chooses the
   inspection: `POST /api/device/approve`.
3. The screen polls `POST /api/device/token` with its device code: 400
   `authorization_pending` until then, then its token, once.

The token opens one inspection's board, read and streamed (`web.display`);
the lead lists the inspection's screens and disconnects one, which ends its
token and its open stream on every server process, as a revoked user's.
Pending codes are kept beside the log (`warroom.device_codes`); the
approval, the connection and the disconnection are events in it.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from commands.displays import (
    USER_CODE_ALPHABET,
    USER_CODE_LENGTH,
    ApproveDisplay,
    DisconnectDisplay,
)
from commands.executor import execute
from commands.handlers import roles_allowed
from commands.run import Actor
from projections.displays import DisplayRow
from warroom.device_codes import PendingCodes, Poll, UserCodeTaken
from warroom.domain import words
from warroom.domain.base import Context, Forbidden, NotFound
from warroom.domain.display import DISPLAY_ROLE, Display, DisplayToken
from web.answers import COMMAND_ERRORS, FORBIDDEN, READ_ERRORS, WhenAsked
from web.auth import AccessChanges, Membership
from web.deps import ActorDep, IdempotencyKeyDep, StateDep, WhenDep
from web.state import ServerState

router = APIRouter(prefix="/api/device", tags=["wall screens"])
displays = APIRouter(
    prefix="/api/inspections/{inspection_id}/displays", tags=["wall screens"]
)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class GrantError(BaseModel):
    """RFC 6749 section 5.2's shape: `error` names what to do next. A body
    that cannot be read at all gets the `detail` alone, as every route's."""

    error: str | None = None
    error_description: str | None = None
    detail: str


# --- 1. the screen asks for a code --------------------------------------------


class DeviceCodes(TypedDict):
    device_code: str
    user_code: str
    verification_uri: str
    interval: int
    expires_in: int


# Draws of a user code before giving up (another pending code had it).
DRAWS = 5


def _user_code() -> str:
    return "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))


def _shown(code: str) -> str:
    half = USER_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


@router.post(
    "/codes",
    summary="A code for a wall screen to show; no sign-in needed",
    response_model=DeviceCodes,
    responses={
        429: {
            "model": GrantError,
            "description": "Too many screens are waiting for a code (`slow_down`)",
        }
    },
)
def device_codes(request: Request, state: StateDep) -> JSONResponse:
    codes: PendingCodes = request.app.state.device_codes
    settings = state.settings
    device_code = secrets.token_urlsafe(32)
    for _ in range(DRAWS):
        user_code = _user_code()
        try:
            issued = codes.issue(
                device_sha256=_sha256(device_code),
                user_sha256=_sha256(user_code),
                now=time.time(),
                lifetime=settings.device_code_seconds,
                interval=settings.device_poll_seconds,
                cap=settings.device_codes_pending,
            )
        except UserCodeTaken:
            continue
        if not issued:
            break
        return JSONResponse(
            {
                "device_code": device_code,
                "user_code": _shown(user_code),
                "verification_uri": str(request.base_url),
                "interval": settings.device_poll_seconds,
                "expires_in": settings.device_code_seconds,
            }
        )
    return JSONResponse(
        {
            "error": "slow_down",
            "detail": "too many wall screens are waiting for a code: "
            "try again in a few minutes",
        },
        status_code=429,
        headers={"Retry-After": "60"},
    )


# --- 2. a lead or an admin approves it ----------------------------------------


class Approved(TypedDict):
    id: str
    version: int
    position: int
    inspection_id: str
    name: str


@router.post(
    "/approve",
    summary="Let the wall screen showing this code read and stream this "
    "inspection (lead, admin)",
    response_model=Approved,
    responses=COMMAND_ERRORS,
)
def approve(
    request: Request,
    body: ApproveDisplay,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    # The role first, then the inspection, then the code: nothing is looked
    # up for a caller who may not approve at all.
    _may(actor, ApproveDisplay)
    if not _admitted(state, actor, body.inspection_id):
        raise NotFound(f"no inspection with id {body.inspection_id}")
    codes: PendingCodes = request.app.state.device_codes
    device_sha256 = codes.device_of(_sha256(body.user_code), time.time())
    if device_sha256 is None:
        raise NotFound(
            f"no wall screen is showing the code {_shown(body.user_code)}: check "
            "it, or the screen may have shown it too long ago and now shows a "
            "new one"
        )
    outcome = execute(
        state.app,
        actor,
        body,
        inspection_id=body.inspection_id,
        target_id=device_sha256,
        idempotency_key=idempotency_key,
        status=200,
    )
    return JSONResponse(outcome.body, status_code=outcome.status)


def _may(actor: Actor, command: type[ApproveDisplay | DisconnectDisplay]) -> None:
    roles = roles_allowed(command)
    if actor.role not in roles:
        raise Forbidden(
            f"{words.role(actor.role)} may not connect wall screens; it takes "
            + words.either([words.role(r) for r in sorted(roles)])
        )


def _admitted(state: ServerState, actor: Actor, inspection_id: str) -> bool:
    membership: Membership = state.membership
    if not membership.known(inspection_id):
        membership.look_up(inspection_id)
    return membership.admits(actor, inspection_id)


# --- 3. the screen collects its token -----------------------------------------


class TokenAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    device_code: str = Field(min_length=1, max_length=200)


class DisplayTokenAnswer(TypedDict):
    token: str
    role: str
    inspection_id: str
    # As RFC 6749 names them, for clients written to it.
    access_token: str
    token_type: str


def _grant_error(error: str, description: str) -> JSONResponse:
    """RFC 8628 section 3.5's answers (RFC 6749 section 5.2's shape)."""
    return JSONResponse(
        {"error": error, "error_description": description, "detail": description},
        status_code=400,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/token",
    summary="The wall screen's token, once its code is approved; no sign-in needed",
    response_model=DisplayTokenAnswer,
    responses={
        400: {
            "model": GrantError,
            "description": "`authorization_pending`, `slow_down`, "
            "`expired_token` or `invalid_grant` (RFC 8628)",
        }
    },
)
def token(request: Request, body: TokenAsked, state: StateDep) -> JSONResponse:
    codes: PendingCodes = request.app.state.device_codes
    device_sha256 = _sha256(body.device_code)
    poll = codes.poll(device_sha256, time.time())
    if poll is Poll.UNKNOWN:
        return _grant_error("invalid_grant", "this code is not known")
    display_id = Display.create_id(device_sha256)
    display = (
        state.app.load(Display, display_id) if state.app.exists(display_id) else None
    )
    if display is not None and (display.connected or display.disconnected):
        return _grant_error("invalid_grant", "this code was already used")
    if poll is Poll.EXPIRED:
        return _grant_error("expired_token", "the code expired: ask for a new one")
    if poll is Poll.TOO_SOON:
        return _grant_error("slow_down", "asked too soon: wait longer between asks")
    if display is None:
        return _grant_error("authorization_pending", "not approved yet")
    return _connect(state, display)


def _connect(state: ServerState, display: Display) -> JSONResponse:
    """The display's token, answered once; only its hash is stored."""
    issued = secrets.token_urlsafe(32)
    ctx = Context(
        actor=str(display.id),
        actor_name=display.name,
        occurred_at=datetime.now(UTC),
        inspection_id=display.inspection_id,
    )
    display.connect(ctx)
    index = DisplayToken(
        token_sha256=_sha256(issued), display_id=str(display.id), meta=ctx.meta()
    )
    try:
        state.app.save_and_position(display, index, answering=display)
    except IntegrityError:
        # Another process handed the token out at this same moment.
        return _grant_error("invalid_grant", "this code was already used")
    return JSONResponse(
        {
            "token": issued,
            "role": DISPLAY_ROLE,
            "inspection_id": display.inspection_id,
            "access_token": issued,
            "token_type": "Bearer",
        },
        headers={"Cache-Control": "no-store"},
    )


# --- the lead's list, and disconnecting ---------------------------------------


class DisplayListed(DisplayRow):
    # What the caller may send on the screen now (GET /api/meta's names).
    actions: list[str]


class DisplaysRead(WhenAsked):
    displays: list[DisplayListed]


@displays.get(
    "",
    summary="The inspection's wall screens, connected or not (lead, admin)",
    response_model=DisplaysRead,
    responses={**READ_ERRORS, **FORBIDDEN},
)
def listed(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    _may(actor, DisconnectDisplay)
    body, position = state.reader.ask(
        inspection_id,
        lambda i, _: i.displays.render(),
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    rows: list[dict[str, Any]] = [
        {
            **row,
            "actions": []
            if row["disconnected"] or when.is_past
            else [DisconnectDisplay.__name__],
        }
        for row in body["displays"]
    ]
    return JSONResponse(
        {
            "displays": rows,
            "position": position,
            "past": when.is_past,
            "as_of": when.as_of.isoformat() if when.as_of else None,
            **when.named(),
        }
    )


@displays.post(
    "/{display_id}/disconnect",
    summary="Disconnect a wall screen: its token stops working everywhere, at "
    "once, its open stream too (lead, admin)",
    responses=COMMAND_ERRORS,
)
def disconnect(
    inspection_id: str,
    display_id: str,
    request: Request,
    body: DisconnectDisplay,
    state: StateDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    outcome = execute(
        state.app,
        actor,
        body,
        inspection_id=inspection_id,
        target_id=display_id,
        idempotency_key=idempotency_key,
        status=200,
    )
    # This process at once; the others when their read side folds it in.
    access: AccessChanges = request.app.state.access
    access.user_changed(display_id)
    return JSONResponse(outcome.body, status_code=outcome.status)
