"""A sign-in link's own secret, spent the first time it is opened (issue 26).

A sign-in link (`/#token=<secret>`) used to carry the user's bearer token;
the browser kept it and sent it on every request. Now `add user` and
`rotate token` answer a link whose secret is its own: the page exchanges it
once for a session (`POST /auth/link`, `web.sessions`) and it is spent. The
bearer token, answered beside it, stays for programs and the command line.

Only the secret's hash is stored, as the aggregate's id (one read finds it).
A link opens only while the token it was issued with is the user's current,
live one: rotating or revoking the token ends the link with it, as the page
tells admins ("the old link and token stop working at once").
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class SignInLink(Aggregate):
    @staticmethod
    def create_id(link_sha256: str) -> UUID:
        return derived_id("sign-in-link", link_sha256)

    @event("SignInLinkIssued")
    def __init__(
        self, link_sha256: str, user_id: str, token_sha256: str, meta: dict[str, Any]
    ) -> None:
        self.user_id = user_id
        # The token issued with it: the link dies when that token does.
        self.token_sha256 = token_sha256
        self.spent = False

    def spend(self, ctx: Context) -> None:
        """Opened: exchanged for a session, once only."""
        if self.spent:
            raise RuleBroken(
                "sign_in_link_spent",
                "this sign-in link was already used: ask an admin for a new one, "
                "or sign in with your token",
            )
        self._spent(meta=ctx.meta())

    @event("SignInLinkSpent")
    def _spent(self, meta: dict[str, Any]) -> None:
        self.spent = True
