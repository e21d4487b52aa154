"""TEMPORARY (issue 26): replaced at merge by the cookie sessions' own
`web/sessions.py`, which keeps this one function's signature.

Until then, a person signed in by their organisation's provider gets what an
admin's "new sign-in link" gives (`web/routes/users.py` rotate): a fresh
bearer token, carried to the page in the URL's fragment, which the page
signs in from today.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from commands.handlers import sign_in_path
from commands.sign_in import SIGN_IN_ACTOR
from warroom.domain.base import Context
from warroom.domain.user import TokenIndex, User
from web.state import ServerState


async def begin_session(request: Request, user_id: str) -> Response:
    """Signs the browser in as the user: a 303 to the page."""
    state: ServerState = request.app.state.warroom
    token = await run_in_threadpool(_grant, state, user_id)
    request.app.state.access.user_changed(user_id)
    return RedirectResponse(sign_in_path(token), status_code=303)


def _grant(state: ServerState, user_id: str) -> str:
    app = state.app
    user = app.load(User, user_id)
    ctx = Context(SIGN_IN_ACTOR, user.name, datetime.now(UTC))
    token = secrets.token_urlsafe(32)
    digest = hashlib.sha256(token.encode()).hexdigest()
    # A working day, not for ever: this stands in for a session.
    user.grant_token(digest, datetime.now(UTC) + timedelta(hours=12), ctx)
    index = TokenIndex(token_sha256=digest, user_id=user_id, meta=ctx.meta())
    app.save(user, index, organisation=user.organisation_id)
    return token
