"""Whether a calendar link made for a user died with their token.

A link made for a user (its person is the name of a user of the inspection's
organisation, who was a user when it was made) opens nothing once their
token is revoked or rotated after it was made (issue 22, finding 6); read
from the log's order, not stored (`web.calendar_links`). Such a link has
ended: revoking it too is refused (`calendar_link_ended`), and not offered.
"""

from __future__ import annotations

from commands.membership import organisation_of, user_named
from warroom.application import WarRoom
from warroom.domain.calendar_link import CalendarLink
from warroom.domain.inspection import Inspection
from warroom.domain.user import User


def made_for(app: WarRoom, link: CalendarLink) -> User | None:
    """The user a link was made for: its person is their name in the
    inspection's organisation, and they were a user when it was made."""
    if link.person is None:
        return None  # the whole schedule, for the war room: nobody's
    inspection = app.load(Inspection, link.inspection_id)
    organisation_id = organisation_of(app, inspection.organisation_id)
    user_id = user_named(app, link.person, organisation_id)
    if user_id is None:
        return None
    made_at = app.position_of(link.id, 1)
    if app.position_of(user_id, 1) > made_at:
        return None  # a user named later: the link was for someone else
    return app.load(User, user_id)


def ended_by_token(app: WarRoom, link_id: str) -> bool:
    """Whether a link opens nothing because the token of the user it was made
    for was revoked or rotated after it was made (blocking)."""
    link = app.load(CalendarLink, link_id)
    holder = made_for(app, link)
    return holder is not None and token_changed_since(app, holder, link)


def token_changed_since(app: WarRoom, user: User, link: CalendarLink) -> bool:
    """Whether the user's token was revoked or rotated after the link was made."""
    changed = user.token_changed_at_version
    if changed is None:
        return False
    return app.position_of(user.id, changed) > app.position_of(link.id, 1)
