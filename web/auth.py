"""Who a bearer token belongs to, and whether they may see an inspection.

Only a token's SHA-256 is stored (`TokenIndex`), so a token is hashed and
looked up in the log the first time this process sees it, then kept until
the log says the user's access changed: a token granted or revoked, a limit
on their inspections, a new organisation (`AccessChanges`, fed by the read
side, which follows the log; the process that stored the change is told at
once). A token past its expiry is refused without asking the log.

Every route signs in through `signed_in`, by way of one of the two
dependencies at the bottom (`web.deps` names them `ActorDep` and
`StreamActorDep`): the stream, the print pages and the feeds may also carry
the token as `?token=`, for programs (a browser's EventSource cannot set
headers). With no token, a person's session cookie signs in
(`web.sessions`, issue 26): the page uses nothing else, and its commands
carry the session's CSRF token. Signing in also checks
membership: a route whose path names an inspection (or a user) answers 404
to anyone outside its organisation (or outside the inspections an admin limited them
to), exactly as for an inspection that does not exist, so every route,
present and future, is covered in one place.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Header, HTTPException, Query, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from commands.membership import actor_of_user, organisation_of, user_of
from commands.run import Actor
from projections.events import LoggedEvent
from projections.views import Changes
from warroom.application import WarRoom
from warroom.domain.base import NotFound
from warroom.domain.inspection import Inspection
from warroom.domain.user import TokenIndex, User
from web.display import display_actor, require_display_may
from web.sessions import COOKIE, Sessions, actor_of_cookie

# Events after which what this process knows of a user's access is stale
# (or a wall screen's: a display disconnected is one, issue 25).
USER_ACCESS_EVENTS = frozenset(
    {
        "TokenGranted",
        "TokenRevoked",
        "UserLimitedToInspections",
        "DisplayDisconnected",
        # Single sign-on (issue 26): the provider's claims map to another role.
        "RoleChanged",
    }
)
# After which everyone's is: what was stored without an organisation may now
# belong to the first one.
# And after an organisation's sign-in changed (issue 26): sessions end.
ORGANISATION_EVENTS = frozenset({"OrganisationAdded", "SingleSignOnConfigured"})


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    """The actor of each token, looked up in the log once per process."""

    def __init__(self, app: WarRoom) -> None:
        self._app = app
        self._actors: dict[str, Actor] = {}
        self._lock = threading.Lock()
        # Bumped by every `forget`: a look-up that began before one must not
        # put back what it read, which may be what was just revoked.
        self._generation = 0

    def known(self, token: str) -> Actor | None:
        """The actor of a token this process has already looked up."""
        actor = self._actors.get(token_sha256(token))
        return actor if actor is not None and _in_time(actor) else None

    def look_up(self, token: str) -> Actor | None:
        """The actor of a live token, read from the log (blocking)."""
        digest = token_sha256(token)
        generation = self._generation
        actor = self._user(digest) or display_actor(
            self._app, digest, datetime.now(UTC)
        )
        if actor is None:
            return None
        with self._lock:
            if generation == self._generation:
                self._actors[digest] = actor
        return actor

    def _user(self, digest: str) -> Actor | None:
        index_id = TokenIndex.create_id(digest)
        if not self._app.exists(index_id):
            return None
        user = self._app.load(User, self._app.load(TokenIndex, index_id).user_id)
        if not user.token_works(digest, datetime.now(UTC)):
            return None
        return actor_of_user(self._app, user)

    def forget(self, user_id: str | None = None) -> None:
        """Forgets one user's tokens (everyone's, with no user named)."""
        with self._lock:
            self._generation += 1
            self._actors = {
                digest: actor
                for digest, actor in self._actors.items()
                if user_id is not None and actor.id != user_id
            }


def _in_time(actor: Actor) -> bool:
    return actor.expires_at is None or datetime.now(UTC) < actor.expires_at


class Membership:
    """The organisation of each inspection, looked up in the log once."""

    def __init__(self, app: WarRoom) -> None:
        self._app = app
        self._organisations: dict[str, str | None] = {}
        self._lock = threading.Lock()
        self._generation = 0  # as in `Tokens`

    def known(self, inspection_id: str) -> bool:
        return inspection_id in self._organisations

    def look_up(self, inspection_id: str) -> None:
        """Reads the inspection's organisation from the log (blocking)."""
        generation = self._generation
        try:
            inspection = self._app.load(Inspection, inspection_id)
        except NotFound:
            return  # not kept: it may be opened in a moment
        organisation_id = organisation_of(self._app, inspection.organisation_id)
        with self._lock:
            if generation == self._generation:
                self._organisations[inspection_id] = organisation_id

    def admits(self, actor: Actor, inspection_id: str) -> bool:
        """Whether the actor may see the inspection (one looked up already)."""
        if inspection_id not in self._organisations:
            return False
        if (
            actor.inspection_ids is not None
            and inspection_id not in actor.inspection_ids
        ):
            return False
        return self._organisations[inspection_id] == actor.organisation_id

    def has_user(self, actor: Actor, user_id: str) -> bool:
        """Whether the user is of the actor's organisation (blocking, uncached:
        only the few routes about one user ask)."""
        try:
            user_of(self._app, user_id, actor.organisation_id)
        except NotFound:
            return False
        return True

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._organisations = {}


class AccessChanges:
    """Acts on a change of access as soon as this process learns of it."""

    def __init__(
        self,
        tokens: Tokens,
        membership: Membership,
        end_streams: Callable[[str], None],
        sessions: Sessions | None = None,
    ) -> None:
        self._tokens = tokens
        self._membership = membership
        self._end_streams = end_streams
        self._sessions = sessions

    def user_changed(self, user_id: str, at: datetime | None = None) -> None:
        """Their token is looked up afresh, their sessions end (those begun
        before `at`, the change's time, when read from the log: a change
        read again after a restart ends no session begun since), and their
        open streams end."""
        self._tokens.forget(user_id)
        if self._sessions is not None:
            self._sessions.end_for_user(user_id, at)
        self._end_streams(user_id)

    def on_event(self, event: LoggedEvent, changes: Changes) -> None:
        """A read side listener: called once per event of the log."""
        if event.type in USER_ACCESS_EVENTS:
            self.user_changed(event.aggregate_id, event.recorded_at)
        elif event.type in ORGANISATION_EVENTS:
            self._tokens.forget()
            self._membership.forget()
            if self._sessions is None:
                return
            if event.type == "SingleSignOnConfigured":
                # Its people sign in differently now: their sessions end.
                organisation_id = str(event.data.get("organisation_id"))
                self._sessions.end_for_organisation(organisation_id, event.recorded_at)
            else:
                self._sessions.forget()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if it is one."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def signed_in(
    request: Request, token: str | None, how: str, session: str | None = None
) -> Actor:
    """The actor the token (or else the session's cookie) belongs to, or 401
    saying `how` to sign in; 403 for a command from a session without its
    CSRF token; 404 if the path names an inspection or a user of another
    organisation."""
    tokens: Tokens = request.app.state.warroom.tokens
    actor = tokens.known(token) if token else None
    if actor is None and token:
        # A token not seen before: look it up in the log, off the event loop.
        actor = await run_in_threadpool(tokens.look_up, token)
    elif not token and session:
        actor = await actor_of_cookie(request, session)
        if actor is not None and not _in_time(actor):
            actor = None
    if actor is None:
        raise HTTPException(
            status_code=401,
            detail=f"sign in: send {how}",
            headers={"WWW-Authenticate": "Bearer"},
        )
    inspection_id = request.path_params.get("inspection_id")
    if inspection_id is not None:
        await _require_member(request, actor, inspection_id)
    # A wall screen reads its one inspection and nothing else (issue 25).
    require_display_may(request, actor)
    user_id = request.path_params.get("user_id")
    if user_id is not None:
        membership: Membership = request.app.state.warroom.membership
        if not await run_in_threadpool(membership.has_user, actor, user_id):
            raise HTTPException(404, f"no user with id {user_id}")
    return actor


async def _require_member(request: Request, actor: Actor, inspection_id: str) -> None:
    membership: Membership = request.app.state.warroom.membership
    if not membership.known(inspection_id):
        await run_in_threadpool(membership.look_up, inspection_id)
    if not membership.admits(actor, inspection_id):
        # Not 403: that would confirm the inspection exists.
        raise HTTPException(404, f"no inspection with id {inspection_id}")


# The ways to sign in, as /openapi.json declares them (web/openapi.py names
# the schemes): read here from the request itself, never refused by these.
_BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A bearer token: for programs and the command line.",
)
_SESSION = APIKeyCookie(
    name=COOKIE,
    auto_error=False,
    scheme_name="session",
    description="A person's session in a browser (`POST /auth/link`); commands "
    "also need `X-CSRF-Token` (`GET /api/me`'s `csrf_token`).",
)
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)]
SessionDep = Annotated[str | None, Security(_SESSION)]


async def current_actor(
    request: Request,
    _bearer: BearerDep,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Actor:
    return await signed_in(
        request,
        bearer_token(authorization),
        "Authorization: Bearer <your token>",
        session,
    )


async def current_actor_of_stream(
    request: Request,
    _bearer: BearerDep,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[
        str | None,
        Query(
            description="The bearer token, for programs whose EventSource sends "
            "no headers (the page uses its session's cookie instead)."
        ),
    ] = None,
) -> Actor:
    return await signed_in(
        request,
        bearer_token(authorization) or token,
        "a bearer token or ?token=",
        session,
    )
