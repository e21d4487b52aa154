"""Error answers that never fail themselves and never echo a whole request.

A 422 names each field and what is wrong with it, with at most a short
excerpt of what was sent: echoing the input whole once turned an 18.6 MB
request into a 93 MB answer, and a lone surrogate or a NaN in it made the
answer itself fail. Anything unexpected answers a JSON 500, logged once here,
and the connection stays open for the client's next request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sse_starlette.sse import SendTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.domain import words
from warroom.domain.window import OutOfWindow

log = logging.getLogger(__name__)

# A 422 lists this many problems at most, and quotes this much of a value.
MOST_ERRORS = 20
EXCERPT_CHARS = 40
MESSAGE_CHARS = 300


async def invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return invalid(error.errors())


async def out_of_window(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, OutOfWindow)
    problem = {
        "loc": ["body", error.field],
        "msg": error.message,
        "type": "value_error",
    }
    return invalid([problem])


def invalid(errors: Sequence[Any]) -> JSONResponse:
    """422: each field named with what is wrong, the input quoted briefly."""
    shown = [_problem(error) for error in errors[:MOST_ERRORS]]
    body: dict[str, Any] = {"detail": shown, "summary": _summary(shown)}
    if len(errors) > MOST_ERRORS:
        body["errors_not_shown"] = len(errors) - MOST_ERRORS
    return JSONResponse(body, status_code=422)


def _problem(error: Any) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "loc": [p if isinstance(p, int) else _text(p) for p in error.get("loc", ())],
        "msg": _text(_message(error), MESSAGE_CHARS),
        "type": _text(error.get("type", "value_error")),
    }
    excerpt = _excerpt(error.get("input"))
    if excerpt is not None:
        problem["input"] = excerpt
    return problem


# Where a problem is: not a field people know of.
_PLACES = ("body", "query", "path", "header", "cookie")
# Pydantic's wording, as a person would say it after the field's name.
_PHRASES = (
    ("Field required", "is required"),
    ("Extra inputs are not permitted", "is not something this takes"),
    ("Input should be", "must be"),
    ("String should", "must"),
    ("List should", "must"),
    ("Value should", "must"),
    ("Decimal input should", "must"),
    ("JSON decode error", "the request is not valid JSON"),
)


def _summary(problems: list[dict[str, Any]]) -> str:
    """The problems in one plain sentence for people: fields by the names
    people use ("the end time", not `ends_at`); `loc` keeps the API's."""
    said = [_said(problem) for problem in problems]
    sentence = "; ".join(dict.fromkeys(said)) or "the request is not valid"
    return sentence[0].upper() + sentence[1:]


def _said(problem: dict[str, Any]) -> str:
    message = str(problem["msg"])
    for pydantic, plain in _PHRASES:
        if message.startswith(pydantic):
            message = plain + message.removeprefix(pydantic)
            break
    names = [p for p in problem["loc"] if isinstance(p, str) and p not in _PLACES]
    if not names:
        return message
    label = words.field(names[-1])
    if message.lower().startswith(label):
        return message
    return f"{label} {message}"


def _message(error: Any) -> str:
    if error.get("type") == "string_too_short" and (
        error.get("ctx", {}).get("min_length") == 1
    ):
        return "must not be empty or only spaces"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def _excerpt(value: object) -> object:
    """A short, printable quote of a scalar; nothing for lists and objects."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**15 else "a very large number"
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _text(value)
    return None


def _text(value: object, most: int = EXCERPT_CHARS) -> str:
    text = str(value)[: most + 1]
    if len(text) > most:
        text = text[:most] + "..."
    # A lone surrogate cannot be written as UTF-8: show it escaped.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class ErrorsAsJson:
    """Outermost of the app's own middleware: an unexpected error answers a
    JSON 500 (logged once, with its traceback) instead of escaping to the
    server, which would log it again and close the connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, noting_send)
        except SendTimeoutError:
            # A live client that took nothing for the send timeout: dropped,
            # as meant. It reconnects and catches up; one line says so.
            log.info("dropped a stream client that stopped reading: %s", scope["path"])
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if not started:
                await _server_error(send)


async def _server_error(send: Send) -> None:
    response = JSONResponse(
        {"detail": "the server failed on this request; it has been logged"},
        status_code=500,
    )
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
