"""Notifications on the phone: the server's public key, and a person's own
devices (a browser's PushSubscription), added and removed by that person only.

A subscription names an address the server will call: it is refused (422,
nothing stored) unless it is one of the push services the server trusts
(`WARROOM_PUSH_ALLOWED`), with a P-256 key and a 16-byte secret. Another
person's device is not found (404), as one that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from commands import push
from push.endpoints import ENDPOINT_MOST, Refused, allowed, check_endpoint
from push.endpoints import check_keys as check_device_keys
from push.keys import PushKeys
from web.answers import COMMAND_ERRORS, NOT_FOUND, UNAUTHENTICATED
from web.deps import ActorDep, StateDep

key_router = APIRouter(prefix="/api/push", tags=["notifications"])
router = APIRouter(prefix="/api/me/push-subscriptions", tags=["notifications"])


class PushKey(TypedDict):
    key: str


class Keys(BaseModel):
    p256dh: Annotated[str, Field(min_length=1, max_length=200)]
    auth: Annotated[str, Field(min_length=1, max_length=100)]


class Subscription(BaseModel):
    """A browser's PushSubscription, as its `toJSON()` gives it."""

    model_config = ConfigDict(extra="ignore")

    endpoint: Annotated[str, Field(min_length=1, max_length=ENDPOINT_MOST)]
    keys: Keys
    expirationTime: float | None = None  # the browser's name


class Subscribed(TypedDict):
    id: str


class Device(TypedDict):
    id: str
    endpoint: str


class Devices(TypedDict):
    devices: list[Device]


class Unsubscribed(TypedDict):
    id: str
    position: int


@key_router.get(
    "/key",
    summary="The server's public key for notifications (VAPID, base64url), "
    "as a browser's pushManager.subscribe takes it",
    response_model=PushKey,
)
async def push_key(request: Request) -> JSONResponse:
    return JSONResponse({"key": _keys(request).public})


def _keys(request: Request) -> PushKeys:
    keys: PushKeys = request.app.state.push_keys
    return keys


@router.post(
    "",
    summary="Tell me on this device: store this browser's PushSubscription",
    status_code=201,
    response_model=Subscribed,
    responses=COMMAND_ERRORS,
)
def subscribe(
    body: Subscription, request: Request, state: StateDep, actor: ActorDep
) -> JSONResponse:
    try:
        check_endpoint(body.endpoint, allowed(state.settings.push_allowed))
        check_device_keys(body.keys.p256dh, body.keys.auth)
    except Refused as refused:
        raise HTTPException(
            422,
            [
                {
                    "loc": ["body", *refused.field.split(".")],
                    "msg": refused.message,
                    "type": "value_error",
                }
            ],
        ) from None
    keys, p256dh, auth = _keys(request), body.keys.p256dh, body.keys.auth
    device_id = push.subscribe(
        state.app,
        actor,
        endpoint_tag=keys.tag(body.endpoint),
        keys_tag=keys.tag(p256dh, auth),
        sealed=keys.seal(actor.id, body.endpoint, p256dh, auth),
    )
    return JSONResponse({"id": device_id}, status_code=201)


@router.get(
    "",
    summary="The devices I am told on (their addresses, never their keys)",
    response_model=Devices,
    responses=UNAUTHENTICATED,
)
def my_devices(request: Request, state: StateDep, actor: ActorDep) -> JSONResponse:
    keys = _keys(request)
    opened = [
        keys.open(d.id, d.user_id, d.sealed)
        for d in push.devices_of(state.app, actor.id)
    ]
    return JSONResponse(
        {
            "devices": [
                {"id": d.id, "endpoint": d.endpoint} for d in opened if d is not None
            ]
        }
    )


@router.delete(
    "/{subscription_id}",
    summary="Stop telling me on this device",
    response_model=Unsubscribed,
    responses={**UNAUTHENTICATED, **NOT_FOUND},
)
def unsubscribe(
    subscription_id: Annotated[str, Path(max_length=100)],
    state: StateDep,
    actor: ActorDep,
) -> JSONResponse:
    position = push.unsubscribe(state.app, actor, subscription_id)
    return JSONResponse({"id": subscription_id, "position": position})
