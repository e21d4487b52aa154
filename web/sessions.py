"""Sessions for people (issue 26): a browser holds a cookie and nothing else.

A person signs in once, by a sign-in link (`POST /auth/link`, which the page
sends for `/#token=...`) or by their organisation's sign-in (OpenID Connect,
which calls `begin_session`). The browser then holds the `warroom_session`
cookie: HttpOnly (no script of the page can read it), SameSite=Lax, Secure
over https, Path=/. Its secret is never stored, only its SHA-256
(`warroom.session_table`, shared by every server process).

Why Lax, not Strict: a person who follows a link to the war room from an
email, a calendar or Teams, and the organisation's sign-in coming back to
`/auth/callback`, are top-level navigations from another site; with Strict
the browser would leave the cookie off and the person would find themselves
signed out. Lax still leaves it off every request another site makes by
script or form (a POST from elsewhere arrives signed out), and commands
carry a CSRF token besides.

CSRF: every command a cookie signs in (any method but GET, HEAD, OPTIONS)
carries `X-CSRF-Token`, whose value `GET /api/me` answers as `csrf_token`
for a cookie session. It is derived from the cookie's secret, so it is not
stored and dies with the session; without it, or with a wrong one, the
answer is 403 and nothing is stored.

A session ends: after `WARROOM_SESSION_IDLE_MINUTES` without a request,
`WARROOM_SESSION_MAX_HOURS` after it began, on `POST /auth/logout`, and when
the log says the user's access changed (`web.auth.AccessChanges`: a token
granted or revoked, a limit on their inspections), on every server process.
A session's open streams end with it (`watch_stream`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from typing_extensions import TypedDict

from commands.membership import actor_of_user
from commands.run import Actor
from warroom.application import WarRoom
from warroom.config import Settings
from warroom.domain.base import Context, NotFound, RuleBroken
from warroom.domain.display import DISPLAY_ROLE
from warroom.domain.sign_in_link import SignInLink
from warroom.domain.user import User
from warroom.session_table import SessionTable
from web.answers import TOO_LARGE

COOKIE = "warroom_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def csrf_token_of(secret: str) -> str:
    """The CSRF token of a session: derived from its cookie's secret (which
    no page script can read), so nothing more is stored."""
    return hmac.new(secret.encode(), b"warroom csrf token", "sha256").hexdigest()


class Sessions:
    """Begins, checks and ends sessions; every method but `forget` blocks."""

    def __init__(self, app: WarRoom, table: SessionTable, settings: Settings) -> None:
        self._app = app
        self._table = table
        self.idle_seconds = settings.session_idle_minutes * 60
        self.max_seconds = settings.session_max_hours * 3600
        # A request refreshes the idle time at most this often (a write each
        # request would be a write each page read).
        self._touch_every = min(60.0, self.idle_seconds / 10)
        # Who each user is, read from the log once; forgotten when their
        # access changes, as `web.auth.Tokens` does.
        self._actors: dict[str, Actor] = {}
        self._lock = threading.Lock()
        self._generation = 0

    # --- beginning -----------------------------------------------------------

    def begin(self, user_id: str) -> str:
        """A new session for the user; answers the cookie's secret."""
        actor = self._actor_of_user(user_id)
        if actor is None:
            raise NotFound(f"no user with id {user_id} may sign in")
        secret = secrets.token_urlsafe(32)
        self._table.begin(
            _sha256(secret),
            user_id,
            actor.organisation_id,
            time.time(),
            idle_seconds=self.idle_seconds,
            max_seconds=self.max_seconds,
        )
        return secret

    def user_of_link(
        self, token: str, tokens_look_up: Callable[[str], Actor | None]
    ) -> Actor:
        """The person a sign-in link's secret signs in: a link's own secret is
        spent (a second use is refused); a bearer token (links made before
        issue 26, the demo's) stays what it is. Raises `LinkRefused`."""
        digest = _sha256(token)
        link_id = SignInLink.create_id(digest)
        if self._app.exists(link_id):
            return self._spend(link_id)
        actor = tokens_look_up(token)
        if actor is None:
            raise LinkRefused(
                "link_unknown",
                "this sign-in link does not work: its token was rotated or "
                "revoked, or it was mistyped",
            )
        if actor.role == DISPLAY_ROLE:
            raise LinkRefused(
                "display_signs_in_at_wall",
                "this is a wall screen's credential: open /wall with it",
                status=403,
            )
        return actor

    def _spend(self, link_id: object) -> Actor:
        link = self._app.load(SignInLink, link_id)  # type: ignore[arg-type]
        if link.spent:
            raise LinkRefused("sign_in_link_spent", _SPENT)
        user = self._app.load(User, link.user_id)
        if not user.token_works(link.token_sha256, datetime.now(UTC)):
            raise LinkRefused(
                "link_unknown",
                "this sign-in link no longer works: the token it came with was "
                "rotated or revoked; ask an admin for a new one",
            )
        ctx = Context(
            actor=str(user.id), actor_name=user.name, occurred_at=datetime.now(UTC)
        )
        try:
            link.spend(ctx)
        except RuleBroken:
            raise LinkRefused("sign_in_link_spent", _SPENT) from None
        try:
            self._app.save(link)
        except Exception as error:
            # Another request spent it at the same moment: one of the two wins.
            if _is_conflict(error):
                raise LinkRefused("sign_in_link_spent", _SPENT) from None
            raise
        actor = self._actor_of_user(str(user.id))
        if actor is None:
            raise LinkRefused("link_unknown", "this user may not sign in")
        return actor

    # --- checking ------------------------------------------------------------

    def actor_of(self, secret: str) -> Actor | None:
        """The actor of a live session, its idle time refreshed; None for a
        session ended, expired or never begun (an expired one is deleted)."""
        digest = _sha256(secret)
        row = self._table.find(digest)
        if row is None:
            return None
        now = time.time()
        ends_at = row.started_at + self.max_seconds
        if now >= ends_at or now >= row.last_seen_at + self.idle_seconds:
            self._table.end(digest)
            return None
        if now - row.last_seen_at >= self._touch_every:
            self._table.touch(digest, now)
        actor = self._actor_of_user(row.user_id)
        if actor is None:
            return None
        # The stream and every check end it at the session's end, or the
        # token's if that comes first.
        session_end = datetime.fromtimestamp(ends_at, UTC)
        if actor.expires_at is None or session_end < actor.expires_at:
            actor = replace(actor, expires_at=session_end)
        return actor

    def alive(self, secret: str) -> bool:
        row = self._table.find(_sha256(secret))
        if row is None:
            return False
        now = time.time()
        return now < row.started_at + self.max_seconds and (
            now < row.last_seen_at + self.idle_seconds
        )

    def _actor_of_user(self, user_id: str) -> Actor | None:
        known = self._actors.get(user_id)
        if known is not None:
            return known
        generation = self._generation
        try:
            user = self._app.load(User, user_id)
        except NotFound:
            return None
        actor = actor_of_user(self._app, user)
        if not user.token_live(datetime.now(UTC)):
            return None
        with self._lock:
            if generation == self._generation:
                self._actors[user_id] = actor
        return actor

    # --- ending --------------------------------------------------------------

    def end(self, secret: str) -> None:
        self._table.end(_sha256(secret))

    def end_for_user(self, user_id: str, before: datetime | None = None) -> None:
        """Ends the user's sessions (those begun before `before`, when a change
        read from the log is older than a session begun since)."""
        self.forget(user_id)
        self._table.end_for_user(
            user_id, None if before is None else before.timestamp()
        )

    def end_for_organisation(
        self, organisation_id: str, before: datetime | None = None
    ) -> None:
        """Ends every session of the organisation's people (its sign-in changed;
        those begun before `before`, when read from the log)."""
        self.forget()
        self._table.end_for_organisation(
            organisation_id, None if before is None else before.timestamp()
        )

    def forget(self, user_id: str | None = None) -> None:
        with self._lock:
            self._generation += 1
            if user_id is None:
                self._actors = {}
            else:
                self._actors.pop(user_id, None)

    def held(self) -> int:
        return self._table.held()


_SPENT = (
    "this sign-in link was already used: a link signs in once. Ask an admin "
    "for a new one, or sign in with your token"
)


class LinkRefused(Exception):
    def __init__(self, rule: str, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.status = status


def _is_conflict(error: Exception) -> bool:
    """The library's refusal of a second event at the same version."""
    return type(error).__name__ in {"IntegrityError", "RecordConflictError"}


# --- the cookie ----------------------------------------------------------------


def _with_cookie(response: Response, request: Request, secret: str) -> Response:
    settings: Settings = request.app.state.warroom.settings
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(settings.session_max_hours * 3600),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def sessions_of(request: Request) -> Sessions:
    sessions: Sessions = request.app.state.sessions
    return sessions


async def begin_session(request: Request, user_id: str) -> Response:
    """Starts a session for the user and answers a 303 to `/` that sets its
    cookie (the organisation's sign-in ends here, issue 26)."""
    secret = await run_in_threadpool(sessions_of(request).begin, user_id)
    return _with_cookie(RedirectResponse("/", status_code=303), request, secret)


# --- the routes ------------------------------------------------------------------

router = APIRouter(prefix="/auth", tags=["sign-in"])


class LinkToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            description="The secret of a sign-in link (what follows `/#token=`), "
            "or a bearer token",
        ),
    ]


class SignedIn(TypedDict):
    id: str
    name: str
    role: str
    organisation_id: str | None
    expires_at: str | None
    # Send it as `X-CSRF-Token` with every command this session signs in.
    csrf_token: str


class LinkProblem(TypedDict):
    detail: str
    rule: str


@router.post(
    "/link",
    summary="Exchange a sign-in link's secret for a session (the cookie "
    "`warroom_session`); a link's own secret is then spent",
    response_model=SignedIn,
    responses={
        401: {
            "model": LinkProblem,
            "description": "The link was used already (`sign_in_link_spent`), "
            "or it signs nobody in (`link_unknown`); no session begins",
        },
        403: {
            "model": LinkProblem,
            "description": "A wall screen's credential: it signs in at /wall",
        },
        **TOO_LARGE,
    },
)
async def link(request: Request, body: LinkToken) -> Response:
    sessions = sessions_of(request)
    tokens = request.app.state.warroom.tokens
    try:
        actor = await run_in_threadpool(
            sessions.user_of_link, body.token, tokens.look_up
        )
    except LinkRefused as refused:
        return JSONResponse(
            {"detail": refused.message, "rule": refused.rule},
            status_code=refused.status,
            headers={"Cache-Control": "no-store"},
        )
    secret = await run_in_threadpool(sessions.begin, actor.id)
    # Signing in as someone else in this browser ends the session it held.
    earlier = request.cookies.get(COOKIE)
    if earlier:
        await run_in_threadpool(sessions.end, earlier)
    answer = JSONResponse(
        {
            "id": actor.id,
            "name": actor.name,
            "role": actor.role,
            "organisation_id": actor.organisation_id,
            "expires_at": actor.expires_at.isoformat() if actor.expires_at else None,
            "csrf_token": csrf_token_of(secret),
        }
    )
    return _with_cookie(answer, request, secret)


# --- signing requests in ------------------------------------------------------------


async def actor_of_cookie(request: Request, secret: str) -> Actor | None:
    """The actor of the request's session, or None; 403 for a command that
    does not carry the session's CSRF token."""
    actor = await run_in_threadpool(sessions_of(request).actor_of, secret)
    if actor is None:
        return None
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_token_of(secret).encode()):
            raise HTTPException(
                403,
                f"a command from a signed-in browser needs the {CSRF_HEADER} "
                "header: GET /api/me answers it as csrf_token",
            )
    request.state.session_secret = secret
    return actor


def csrf_token_of_request(request: Request) -> str | None:
    """For `GET /api/me`: the CSRF token of the request's session, if it
    was signed in by one."""
    secret: str | None = getattr(request.state, "session_secret", None)
    return None if secret is None else csrf_token_of(secret)


async def watch_stream(
    request: Request, drop: Callable[[], None], every: float
) -> Callable[[], Awaitable[None]] | None:
    """For a stream a session signed in: ends it when the session ends on any
    server process (looked at every `every` seconds). Answers how to stop
    watching, or None for a stream signed in otherwise."""
    secret: str | None = getattr(request.state, "session_secret", None)
    if secret is None:
        return None
    sessions = sessions_of(request)

    async def watch() -> None:
        while True:
            await asyncio.sleep(every)
            if not await run_in_threadpool(sessions.alive, secret):
                drop()
                return

    task = asyncio.get_running_loop().create_task(watch())

    async def stop() -> None:
        task.cancel()

    return stop
