"""The FastAPI app factory: storage, the read side, routes and error answers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clock.closing import DayCloser, parse_hour
from mail import blog_sender, invitations
from projections.reads import PositionBeyondLog, ReadTimeout, TooManyWaiting
from push import notifier as push_notifier
from push.keys import PushKeys
from warroom.config import Settings
from warroom.device_codes import PendingCodes
from warroom.domain.base import Forbidden, NotFound, RuleBroken, VersionMismatch
from warroom.domain.window import OutOfWindow
from warroom.evidence.broken import LogBroken
from warroom.session_table import SessionTable
from web import docs, health, live, metrics, sessions, wall
from web.answers import (
    COMMAND_ERRORS,
    FORBIDDEN,
    LOG_BROKEN,
    NOT_FOUND,
    UNAUTHENTICATED,
)
from web.auth import AccessChanges
from web.calendar_links import CalendarSecrets
from web.errors import ErrorsAsJson, invalid_request, out_of_window
from web.headers import SecurityHeaders
from web.logs import RequestIds
from web.oidc import Clients, Transactions
from web.oidc_openapi import declare_openid_connect
from web.routes import (
    commands,
    contacts,
    device,
    distribution,
    documents,
    evidence,
    export,
    feeds,
    log,
    me,
    packets,
    plan,
    push,
    reads,
    sign_on,
    users,
)
from web.routes import meta as meta_routes
from web.routes import print as print_pages
from web.state import ServerState
from web.stream_openings import StreamOpenings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    api = FastAPI(
        title="warroom",
        summary="The event-sourced log of an inspection's war room.",
        description="Every `/api` call needs `Authorization: Bearer <token>`. "
        "Commands answer `{id, version, position}`; reads take "
        "`happened_by=<instant>` (the board by what had happened by then), "
        "`as_of=<instant>` (what the log held then) or `at=<position>` (the "
        "log up to that position).",
        version="0.1.0",
        # /docs is served from this server's own files (web/docs.py); ReDoc
        # would need a CDN, so there is none.
        docs_url=None,
        redoc_url=None,
        lifespan=partial(_lifespan, settings),
    )
    api.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outside the limit, so that its 413 stands; inside the headers.
    api.add_middleware(ErrorsAsJson)
    # Added last, so outermost: a 413 or a 500 gets the headers too.
    api.add_middleware(SecurityHeaders)
    # Operations: counted with their final status; outermost of all, the
    # request id, so that every line logged for a request carries it.
    api.state.metrics = metrics.Metrics()
    api.add_middleware(metrics.CountRequests, metrics=api.state.metrics)
    api.add_middleware(RequestIds, access_log=settings.access_log)
    # Outermost: a crowd of streams opening at once waits at the door, before
    # any other work, and commands run between (web/stream_openings.py).
    api.add_middleware(StreamOpenings)
    _add_error_answers(api)
    for router, errors in (
        (commands.router, COMMAND_ERRORS),
        (documents.router, COMMAND_ERRORS),
        # Before the reads: `/agenda/{person}.ics` would be an agenda's name.
        (feeds.router, {**UNAUTHENTICATED, **NOT_FOUND}),
        (feeds.links, COMMAND_ERRORS),
        (me.router, {}),  # its routes declare their own
        (feeds.public, {}),
        (print_pages.router, {}),
        (reads.router, {}),  # its routes declare their own
        (log.router, {**UNAUTHENTICATED, **FORBIDDEN, **NOT_FOUND}),
        (users.router, COMMAND_ERRORS),
        (live.router, {**UNAUTHENTICATED, **NOT_FOUND}),
        (distribution.router, {}),  # its routes declare their own
        (contacts.router, {}),  # and so do the contact list's
        (plan.router, COMMAND_ERRORS),
        (plan.templates_router, {}),
        (evidence.router, {**UNAUTHENTICATED, **FORBIDDEN, **NOT_FOUND, **LOG_BROKEN}),
        (packets.router, {}),  # the hand-over packet declares its own
        (export.router, {}),  # and so does the export
        (meta_routes.router, UNAUTHENTICATED),
        (push.key_router, {}),
        (push.router, {}),  # its routes declare their own
        # Wall screens signed in as a device (issue 25); they declare their own.
        (device.router, {}),
        (device.displays, {}),
    ):
        api.include_router(router, responses=errors)
    # People's sign-in (issue 26): a sign-in link exchanged for a session.
    api.include_router(sessions.router)
    # Single sign-on (issue 26): pages for a browser, not the API's JSON.
    api.include_router(sign_on.router)
    api.include_router(docs.router)
    docs.declare_sign_in(api)
    api.mount(docs.ASSETS, docs.assets(), name="docs-assets")
    api.include_router(health.router)
    api.include_router(metrics.router)
    api.include_router(wall.router)
    api.mount("/", StaticFiles(directory=STATIC, html=True), name="page")
    declare_openid_connect(api)
    return api


@asynccontextmanager
async def _lifespan(settings: Settings, api: FastAPI) -> AsyncIterator[None]:
    """While the server runs: the log open, its read side following it."""
    at = parse_hour(settings.close_days_at)  # a bad value stops the start
    state = ServerState.open(settings)
    api.state.warroom = state
    api.state.metrics.watch(state.app.commits)  # group commit sizes
    closer = DayCloser(state, at) if at is not None else None
    if closer is not None:
        closer.start()
    broadcaster = live.attach_broadcaster(api, state)
    # People's sessions (issue 26), shared by every process through the
    # database; they end when the log says the user's access changed.
    people = sessions.Sessions(state.app, SessionTable.of(state.app), settings)
    api.state.sessions = people
    access = AccessChanges(
        state.tokens, state.membership, broadcaster.end_streams_of, people
    )
    # Each process learns of a revoked token from the log it follows.
    state.read_side.add_listener(access.on_event)
    api.state.access = access
    # The daily blog by email, at WARROOM_BLOG_SEND_AT (issue 13).
    daily_send = blog_sender.start(state)
    # Meeting invitations by email, as changes come (issue 24).
    inviting = invitations.start(state)
    # A day closed after its blog went out: its seal follows (issue 24).
    seals = blog_sender.start_seals(state)
    # Each process learns of a revoked calendar link from the log, too.
    calendar_secrets = CalendarSecrets(state.app)
    state.read_side.add_listener(calendar_secrets.on_event)
    api.state.calendar_secrets = calendar_secrets
    # The codes wall screens wait with (issue 25), shared by every process.
    api.state.device_codes = PendingCodes.of(state.app)
    # Notifications on the phone (issue 24): the key browsers subscribe
    # under, and this process's notifier following the log.
    # Single sign-on (issue 26): each organisation's OpenID client, and the
    # sealed cookie that carries a sign-in from the redirect to the callback.
    api.state.oidc_clients = Clients(state.signer)
    api.state.oidc_transactions = Transactions(state.signer)
    push_keys = PushKeys.of(settings, state.signer)
    api.state.push_keys = push_keys
    notifier = push_notifier.start(state, push_keys)
    api.state.notifier = notifier
    try:
        yield
    finally:
        if closer is not None:
            closer.stop()
        if daily_send is not None:
            daily_send.cancel()
        if notifier is not None:
            notifier.stop()
        if inviting is not None:
            inviting.cancel()
        seals.cancel()
        broadcaster.catch_up.close()
        state.close()


def _add_error_answers(api: FastAPI) -> None:
    def answer(status: int, body: dict[str, Any]) -> JSONResponse:
        return JSONResponse(body, status_code=status)

    api.add_exception_handler(RequestValidationError, invalid_request)
    api.add_exception_handler(OutOfWindow, out_of_window)

    @api.exception_handler(405)
    async def wrong_method(request: Request, error: Exception) -> JSONResponse:
        response = answer(405, {"detail": "Method Not Allowed"})
        response.headers["Allow"] = _allowed(request) or _header(error, "Allow")
        return response

    @api.exception_handler(NotFound)
    async def not_found(_: Request, error: NotFound) -> JSONResponse:
        return answer(404, {"detail": str(error)})

    @api.exception_handler(Forbidden)
    async def forbidden(_: Request, error: Forbidden) -> JSONResponse:
        return answer(403, {"detail": str(error)})

    @api.exception_handler(VersionMismatch)
    async def stale(_: Request, error: VersionMismatch) -> JSONResponse:
        return answer(
            409,
            {
                "detail": str(error),
                "rule": "version_mismatch",
                "expected": error.expected,
                "actual": error.actual,
            },
        )

    @api.exception_handler(RuleBroken)
    async def rule_broken(_: Request, error: RuleBroken) -> JSONResponse:
        body = {"detail": error.message, "rule": error.rule, "code": error.rule}
        return answer(409, {**body, **error.details})

    @api.exception_handler(ReadTimeout)
    async def read_timeout(_: Request, error: ReadTimeout) -> JSONResponse:
        return answer(503, {"detail": str(error)})

    @api.exception_handler(PositionBeyondLog)
    async def beyond_log(_: Request, error: PositionBeyondLog) -> JSONResponse:
        body = {"detail": str(error), "rule": "position_beyond_log"}
        return answer(409, {**body, "head": error.head})

    @api.exception_handler(LogBroken)
    async def log_broken(_: Request, error: LogBroken) -> JSONResponse:
        # Not a conflict to retry: this process stores nothing more.
        return answer(503, error.to_json())

    @api.exception_handler(TooManyWaiting)
    async def too_many_waiting(_: Request, error: TooManyWaiting) -> JSONResponse:
        response = answer(503, {"detail": str(error)})
        response.headers["Retry-After"] = "1"
        return response


def _allowed(request: Request) -> str:
    """The methods the OpenAPI declares at the request's path. Starlette names
    one route's only, or, past the API's routes, the page's files' (GET, HEAD)."""
    table: list[tuple[re.Pattern[str], list[str]]] | None = getattr(
        request.app.state, "methods_by_path", None
    )
    if table is None:
        table = request.app.state.methods_by_path = _methods_by_path(
            request.app.openapi()
        )
    path = request.scope["path"]
    found = {
        m for pattern, methods in table if pattern.fullmatch(path) for m in methods
    }
    return ", ".join(sorted(found))


def _methods_by_path(spec: dict[str, Any]) -> list[tuple[re.Pattern[str], list[str]]]:
    table = []
    for path, operations in spec["paths"].items():
        parts = re.split(r"\{\w+\}", path)
        pattern = re.compile("[^/]+".join(re.escape(part) for part in parts))
        table.append((pattern, [method.upper() for method in operations]))
    return table


def _header(error: Exception, name: str) -> str:
    headers = error.headers if isinstance(error, HTTPException) else None
    return (headers or {}).get(name, "")


class BodySizeLimit:
    """413 for a body over the limit, counted as it arrives (chunked too)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.max_bytes
        ):
            await self._too_large(send)
            return
        received = 0
        over = answered = False

        async def counting_receive() -> Message:
            nonlocal received, over
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                over = True
                raise _TooLarge
            return message

        async def answering_413(message: Message) -> None:
            # The route may turn the failed read into an answer of its own
            # (FastAPI makes it a 400): the answer is 413 all the same.
            nonlocal answered
            if not over:
                await send(message)
            elif message["type"] == "http.response.start" and not answered:
                answered = True
                await self._too_large(send)

        try:
            await self.app(scope, counting_receive, answering_413)
        except _TooLarge:
            if not answered:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"the body is over the limit of {self.max_bytes} bytes"},
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
