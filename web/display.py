"""What a wall screen's token opens: one inspection's board, read and streamed.

A display (`warroom.domain.display`) signs in with a bearer token like a
person's, and `web.auth.signed_in` treats it as an actor limited to its one
inspection, so every route that names another inspection answers 404. This
module says what else it may do, in one place: only GET these routes, which
the wall shows. Everything else, present and future (every command, the
organisation's users, the export, the log's proofs, calendar links,
documents), answers 403.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException, Request

from commands.membership import organisation_of
from commands.run import Actor
from warroom.application import WarRoom
from warroom.domain.display import DISPLAY_ROLE, Display, DisplayToken

INSPECTION = "/api/inspections/{inspection_id}"

# The routes a display may read (their paths as the app declares them).
DISPLAY_READS = frozenset(
    {
        "/api/me",
        "/api/meta",
        "/api/inspections",  # lists its one inspection alone
        INSPECTION,
        *(
            INSPECTION + part
            for part in (
                "/stream",
                "/events",
                "/schedule",
                "/requests",
                "/ledger",
                "/cases",
                "/lines-of-enquiry",
                "/kit-notes",
                "/playbook",
                "/annex-a",
                "/blog/{day}",
                "/debriefs",
            )
        ),
    }
)
READ_METHODS = frozenset({"GET", "HEAD"})


def require_display_may(request: Request, actor: Actor) -> None:
    """403 unless a display may use this route (nothing to check for people)."""
    if actor.role != DISPLAY_ROLE:
        return
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    if request.method not in READ_METHODS or path not in DISPLAY_READS:
        raise HTTPException(
            403, "a wall screen may only show its inspection: it changes nothing"
        )


def display_actor(app: WarRoom, token_sha256: str, now: datetime) -> Actor | None:
    """The actor of a display's live token (blocking), or None."""
    del now  # a display's token has no expiry: it works until disconnected
    index_id = DisplayToken.create_id(token_sha256)
    if not app.exists(index_id):
        return None
    display = app.load(Display, app.load(DisplayToken, index_id).display_id)
    if not display.signs_in:
        return None
    return Actor(
        id=str(display.id),
        name=display.name,
        role=DISPLAY_ROLE,
        organisation_id=organisation_of(app, display.organisation_id),
        inspection_ids=frozenset({display.inspection_id}),
    )
