"""Who a bearer token belongs to: the one way a request signs in.

Only a token's SHA-256 is stored (`TokenIndex`), so a token is hashed and
looked up in the log the first time this process sees it, then kept: tokens
are never changed once issued.

Every route signs in through `signed_in`, by way of one of the two
dependencies at the bottom (`web.deps` names them `ActorDep` and
`StreamActorDep`): the stream alone may also carry the token as `?token=`,
because a browser's EventSource cannot set headers.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Header, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from commands.run import Actor
from warroom.application import WarRoom
from warroom.domain.user import TokenIndex, User


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """The actor of each token, looked up in the log once per process."""

    def __init__(self, app: WarRoom) -> None:
        self._app = app
        self._actors: dict[str, Actor] = {}

    def known(self, token: str) -> Actor | None:
        """The actor of a token this process has already looked up."""
        return self._actors.get(token_sha256(token))

    def look_up(self, token: str) -> Actor | None:
        """The actor of a token, read from the log (blocking) the first time."""
        digest = token_sha256(token)
        actor = self._actors.get(digest)
        if actor is not None:
            return actor
        index_id = TokenIndex.create_id(digest)
        if not self._app.exists(index_id):
            return None
        user = self._app.load(User, self._app.load(TokenIndex, index_id).user_id)
        actor = Actor(id=str(user.id), name=user.name, role=user.role)
        self._actors[digest] = actor
        return actor


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if it is one."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def signed_in(request: Request, token: str | None, how: str) -> Actor:
    """The actor the token belongs to, or 401 saying `how` to sign in."""
    tokens: Tokens = request.app.state.warroom.tokens
    actor = tokens.known(token) if token else None
    if actor is None and token:
        # A token not seen before: look it up in the log, off the event loop.
        actor = await run_in_threadpool(tokens.look_up, token)
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail=f"sign in: send {how}",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


async def current_actor(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    return await signed_in(
        request, bearer_token(authorization), "Authorization: Bearer <your token>"
    )


async def current_actor_of_stream(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[
        str | None,
        Query(description="The bearer token, for EventSource, which sends no headers."),
    ] = None,
) -> Actor:
    return await signed_in(
        request, bearer_token(authorization) or token, "a bearer token or ?token="
    )
