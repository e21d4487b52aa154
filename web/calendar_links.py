"""Which secret calendar link a secret opens, and forgetting revoked ones.

Only the secret's SHA-256 is stored (`warroom.domain.calendar_link`): a secret
is hashed and looked up in the log the first time this process sees it, then
kept until the log says the link was revoked. The process that stores a
revocation forgets the link at once; every other process when its read side
folds the revocation in, as with revoked tokens (`web.auth.AccessChanges`).
A revoked link is never kept, so it answers 404 from then on.

A link made for a user (its person is the name of a user of the inspection's
organisation, who was a user when it was made) dies with their token: once
their token is revoked or rotated after the link was made, the link opens
nothing (issue 22, finding 6). That is read from the log's order, not stored:
no event says it, so links made before this rule, and users revoked before
it, are covered too. Every process forgets the user's links when it folds in
their token's change, and looks them up afresh.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

from commands.calendar_links import ended_by_token, made_for, token_changed_since
from projections.events import LoggedEvent
from projections.views import Changes
from warroom.application import WarRoom
from warroom.domain.calendar_link import CalendarLink

__all__ = ["CalendarSecrets", "OpenLink", "ended_by_token", "made_for"]

# Events after which the links made for that user may no longer open.
TOKEN_EVENTS = frozenset({"TokenGranted", "TokenRevoked"})


@dataclass(frozen=True)
class OpenLink:
    """What a live secret link shows: a person's agenda, or (None) the schedule."""

    id: str
    inspection_id: str
    person: str | None
    # The user it was made for, if its person is one.
    holder_id: str | None = None


class CalendarSecrets:
    """The link of each secret, looked up in the log once per process."""

    def __init__(self, app: WarRoom) -> None:
        self._app = app
        self._links: dict[str, OpenLink] = {}  # by the secret's hash
        self._lock = threading.Lock()
        # Bumped by every `forget`: a look-up that began before one must not
        # put back what it read, which may be what was just revoked.
        self._generation = 0

    def known(self, secret: str) -> OpenLink | None:
        return self._links.get(_sha256(secret))

    def look_up(self, secret: str) -> OpenLink | None:
        """The live link of a secret, read from the log (blocking)."""
        digest = _sha256(secret)
        generation = self._generation
        link_id = CalendarLink.create_id(digest)
        if not self._app.exists(link_id):
            return None
        link = self._app.load(CalendarLink, link_id)
        if link.revoked:
            return None
        holder = made_for(self._app, link)
        if holder is not None and token_changed_since(self._app, holder, link):
            return None
        holder_id = None if holder is None else str(holder.id)
        found = OpenLink(str(link.id), link.inspection_id, link.person, holder_id)
        with self._lock:
            if generation == self._generation:
                self._links[digest] = found
        return found

    def forget(self, link_id: str) -> None:
        with self._lock:
            self._generation += 1
            self._links = {d: k for d, k in self._links.items() if k.id != link_id}

    def forget_made_for(self, user_id: str) -> None:
        """Forgets the links made for one user: their token changed."""
        with self._lock:
            self._generation += 1
            self._links = {
                d: k for d, k in self._links.items() if k.holder_id != user_id
            }

    def on_event(self, event: LoggedEvent, changes: Changes) -> None:
        """A read side listener: called once per event of the log."""
        if event.type == "CalendarLinkRevoked":
            self.forget(event.aggregate_id)
        elif event.type in TOKEN_EVENTS:
            self.forget_made_for(event.aggregate_id)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
