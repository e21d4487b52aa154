"""Structured logs: one JSON object per line, a request id on every line a
request causes, and never a token.

`warroom serve` calls `configure` before the server starts: every logger of
the process (ours, uvicorn's, the library's) goes through one structlog
formatter to stderr as JSON (`time`, `level`, `logger`, `event`, and
`request_id` inside a request; `exception` with the traceback).

`RequestIds` (the app's outermost middleware) takes the client's (or the
proxy's) `X-Request-ID` when it is a sane one, makes one otherwise, binds it
for every line logged while the request runs (command threads included:
Starlette runs them in a copy of the request's context), and answers it in
`X-Request-ID`. With `WARROOM_ACCESS_LOG` (or `warroom serve --access-log`)
it also logs one line per request: method, path (never the query string,
where a stream's `?token=` travels), status and milliseconds.

Secrets: the access line leaves the query out, and a last processor rewrites
anything that looks like `Bearer <token>`, `token=<token>`, a secret calendar
link's path (`/calendar/<secret>.ics`) or a session's cookie in any field (an
exception's message included) to `[redacted]`. A wall screen's device code
travels in a body, its token in a header or `?token=`: none of them is written.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = structlog.get_logger("warroom.access")

# An id we pass on as given: short, and nothing a log reader could trip on.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_SECRETS = (
    (re.compile(r"(?i)(bearer\s+)[^\s,;\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)([?&;#]token=)[^&\s\"']+"), r"\1[redacted]"),
    # A secret calendar link is its path (`/calendar/<secret>.ics`), which
    # the access line writes (issue 26): the secret goes, the route stays.
    (re.compile(r"(?i)(/calendar/)[^/\s\"'?]+?(\.ics)"), r"\1[redacted]\2"),
    # A session's cookie, should a header ever be logged.
    (re.compile(r"(?i)(warroom_session=)[^;\s\"']+"), r"\1[redacted]"),
)


def redact_text(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def redact(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The last processor before rendering: no token leaves in any field."""
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = redact_text(value)
    return event_dict


def configure(level: str = "info") -> None:
    """Every logger of the process to stderr as JSON lines."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn's loggers: through the root's handler, not handlers of their own.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True


def request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            given: str = value.decode("latin-1")
            if SANE_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


class RequestIds:
    """ASGI middleware: a request id for every line, answered in the header."""

    def __init__(self, app: ASGIApp, access_log: bool = False) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        header = (b"x-request-id", request_id.encode())
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                if self.access_log:
                    access.info(
                        "request",
                        method=scope["method"],
                        path=scope["path"],
                        status=status,
                        ms=round((time.perf_counter() - started) * 1000, 2),
                    )
