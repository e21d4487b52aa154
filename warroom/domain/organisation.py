"""Organisations: each council is one; users and inspections belong to one.

All organisations are listed in one aggregate with a fixed id, so that "the
first organisation" is one read away: users and inspections stored before
organisations existed (no `organisation_id`) belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id


class Organisations(Aggregate):
    """Every organisation of the database, in the order they were added."""

    @staticmethod
    def create_id() -> UUID:
        return derived_id("organisations")

    @event("OrganisationsStarted")
    def __init__(self, meta: dict[str, Any]) -> None:
        self.names: dict[str, str] = {}

    def add(self, name: str, ctx: Context) -> str:
        if name in self.names.values():
            raise RuleBroken(
                "organisation_name_unique", f"there is already an organisation {name!r}"
            )
        organisation_id = str(uuid4())
        self._added(organisation_id=organisation_id, name=name, meta=ctx.meta())
        return organisation_id

    @property
    def first(self) -> str | None:
        """The organisation that owns whatever was stored without one."""
        return next(iter(self.names), None)

    @event("OrganisationAdded")
    def _added(self, organisation_id: str, name: str, meta: dict[str, Any]) -> None:
        self.names[organisation_id] = name

    def configure_sign_on(
        self,
        organisation_id: str,
        sign_on: SignOnSettings,
        ctx: Context,
    ) -> None:
        """The organisation's OpenID provider, replacing any before it.

        The client secret comes sealed (`web.oidc.secrets`): the log, and so
        the organisation's export, never holds it in clear."""
        if organisation_id not in self.names:
            raise RuleBroken(
                "organisation_unknown", f"no organisation with id {organisation_id}"
            )
        self._sign_on_configured(
            organisation_id=organisation_id,
            issuer=sign_on.issuer,
            client_id=sign_on.client_id,
            client_secret_sealed=sign_on.client_secret_sealed,
            claim=sign_on.claim,
            roles=dict(sign_on.roles),
            meta=ctx.meta(),
        )

    def sign_on_of(self, organisation_id: str) -> SignOnSettings | None:
        held = self.sign_on.get(organisation_id)
        return SignOnSettings(**held) if held is not None else None

    @property
    def sign_on(self) -> dict[str, dict[str, Any]]:
        # Organisations stored before single sign-on had none.
        held: dict[str, dict[str, Any]] = self.__dict__.setdefault("_sign_on", {})
        return held

    @event("SingleSignOnConfigured")
    def _sign_on_configured(
        self,
        organisation_id: str,
        issuer: str,
        client_id: str,
        client_secret_sealed: str,
        claim: str,
        roles: dict[str, str],
        meta: dict[str, Any],
    ) -> None:
        self.sign_on[organisation_id] = {
            "issuer": issuer,
            "client_id": client_id,
            "client_secret_sealed": client_secret_sealed,
            "claim": claim,
            "roles": roles,
        }


@dataclass(frozen=True)
class SignOnSettings:
    """An organisation's OpenID Connect provider, and which values of which
    claim give which warroom role."""

    issuer: str
    client_id: str
    client_secret_sealed: str
    claim: str
    roles: dict[str, str]

    def role_for(self, claims: dict[str, Any]) -> str | None:
        """The role the claims map to (the first mapping, in the order they
        were configured, that the claim holds); None: no access."""
        held = claims.get(self.claim)
        values = {held} if isinstance(held, str) else set(held or [])
        for value, role in self.roles.items():
            if value in values:
                return role
        return None
