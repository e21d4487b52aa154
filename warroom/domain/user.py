"""Users, their roles, their organisation, and their bearer token.

Only a token's SHA-256 is stored, never the token itself. `TokenIndex` finds a
user by that hash in one read; the user says whether the token still works:
the one most recently granted, not revoked, not expired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, derived_id

Role = Literal["admin", "lead", "gatekeeper", "rapid_response", "staff", "auditor"]
ROLES: tuple[str, ...] = get_args(Role)


class User(Aggregate):
    class UserAdded(Aggregate.Created):
        """Version 2 names the user's organisation; version 1 had none."""

        name: str
        role: str
        organisation_id: str | None
        meta: dict[str, Any]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Added before organisations: the database's first one owns them.
            state["organisation_id"] = None

    @event(UserAdded)
    def __init__(
        self,
        name: str,
        role: str,
        meta: dict[str, Any],
        organisation_id: str | None = None,
    ) -> None:
        self.name = name
        self.role = role
        self.organisation_id = organisation_id
        # None for a user added before tokens could change: the token its
        # `TokenIndex` names is theirs until one is granted or revoked.
        self.token_sha256: str | None = None
        self.token_expires_at: str | None = None
        self.token_revoked = False
        # The version of the last event that granted or revoked a token (None:
        # none yet): a secret calendar link made for the user before it no
        # longer opens (`web.calendar_links`).
        self.token_changed_at_version: int | None = None
        # None: every inspection of their organisation.
        self.inspection_ids: list[str] | None = None
        # Where meeting invitations reach them (issue 24); None: nowhere.
        self.email: str | None = None

    def grant_token(
        self, token_sha256: str, expires_at: datetime | None, ctx: Context
    ) -> None:
        """A new token; the one before it stops working."""
        self._token_granted(
            token_sha256=token_sha256,
            expires_at=expires_at.isoformat() if expires_at else None,
            meta=ctx.meta(),
        )

    def revoke_token(self, ctx: Context) -> None:
        self._token_revoked(meta=ctx.meta())

    def limit_to(self, inspection_ids: list[str] | None, ctx: Context) -> None:
        self._limited(inspection_ids=inspection_ids, meta=ctx.meta())

    def set_email(self, email: str | None, ctx: Context) -> None:
        """Where invitations reach them; None takes the address away."""
        self._email_set(email=email, meta=ctx.meta())

    def change_role(self, role: str, ctx: Context) -> None:
        """A new role (single sign-on: as the provider's claims now map)."""
        self._role_changed(role=role, meta=ctx.meta())

    def token_works(self, token_sha256: str, now: datetime) -> bool:
        """Whether this token is the user's current one, and live."""
        if self.token_sha256 is not None and token_sha256 != self.token_sha256:
            return False
        return self.token_live(now)

    def token_live(self, now: datetime) -> bool:
        expires = self.expires_at
        return not self.token_revoked and (expires is None or now < expires)

    @property
    def expires_at(self) -> datetime | None:
        expires = self.token_expires_at
        return datetime.fromisoformat(expires) if expires else None

    @event("TokenGranted")
    def _token_granted(
        self, token_sha256: str, expires_at: str | None, meta: dict[str, Any]
    ) -> None:
        self.token_sha256 = token_sha256
        self.token_expires_at = expires_at
        self.token_revoked = False
        self.token_changed_at_version = _this_event(self)

    @event("TokenRevoked")
    def _token_revoked(self, meta: dict[str, Any]) -> None:
        self.token_revoked = True
        self.token_changed_at_version = _this_event(self)

    @event("RoleChanged")
    def _role_changed(self, role: str, meta: dict[str, Any]) -> None:
        self.role = role

    @event("UserEmailSet")
    def _email_set(self, email: str | None, meta: dict[str, Any]) -> None:
        self.email = email

    @event("UserLimitedToInspections")
    def _limited(self, inspection_ids: list[str] | None, meta: dict[str, Any]) -> None:
        self.inspection_ids = inspection_ids


def _this_event(user: User) -> int:
    """The version of the event being applied: the library sets the
    aggregate's `version` only after the event's method has run."""
    return user.version + 1


class TokenIndex(Aggregate):
    """Finds a user by the hash of their token in one read."""

    @staticmethod
    def create_id(token_sha256: str) -> UUID:
        return derived_id("token", token_sha256)

    @event("TokenIssued")
    def __init__(self, token_sha256: str, user_id: str, meta: dict[str, Any]) -> None:
        self.user_id = user_id


class SignOnSubject(Aggregate):
    """Finds the user an OpenID provider's subject is, in one read: people
    are matched by (issuer, subject), never by name or email, which a
    provider may reuse or let a person change."""

    @staticmethod
    def create_id(issuer: str, subject: str) -> UUID:
        return derived_id("oidc-subject", issuer, subject)

    @event("SingleSignOnSubjectLinked")
    def __init__(
        self,
        issuer: str,
        subject: str,
        user_id: str,
        organisation_id: str,
        meta: dict[str, Any],
    ) -> None:
        self.user_id = user_id
        self.organisation_id = organisation_id
