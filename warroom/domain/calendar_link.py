"""A secret calendar link: a person's agenda (or the whole schedule) as a feed
that a calendar program can fetch without a bearer token.

Only the SHA-256 of the secret is stored, never the secret: the link's id is
derived from that hash, so the secret finds its link in one read, and the
link's id (which an admin lists and revokes by) gives nothing of the secret
away. A revoked link stays revoked.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class CalendarLink(Aggregate):
    @staticmethod
    def create_id(secret_sha256: str) -> UUID:
        return derived_id("calendar-link", secret_sha256)

    @event("CalendarLinkCreated")
    def __init__(
        self,
        inspection_id: str,
        person: str | None,
        secret_sha256: str,
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        # None: the whole inspection's schedule, for the war room.
        self.person = person
        self.revoked = False

    def revoke(self, ctx: Context) -> None:
        if self.revoked:
            raise RuleBroken(
                "calendar_link_revoked_once", "this calendar link is already revoked"
            )
        self._revoked(meta=ctx.meta())

    @event("CalendarLinkRevoked")
    def _revoked(self, meta: dict[str, Any]) -> None:
        self.revoked = True
