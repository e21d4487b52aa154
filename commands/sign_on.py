"""Configuring an organisation's single sign-on: the command line's alone.

Like adding an organisation, this is for whoever runs the service and holds
its database (`warroom org sso`): it names where an organisation's people
are vouched for, so no HTTP route leads here.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from warroom.application import WarRoom
from warroom.domain.base import Context, RuleBroken
from warroom.domain.organisation import Organisations, SignOnSettings
from warroom.domain.user import ROLES
from warroom.sign_on_secret import SecretSeal

# Plain http is for a provider on this machine (the tests' own) alone.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class BadSignOn(ValueError):
    """Settings refused before anything is stored."""


@dataclass(frozen=True)
class SignOnRequest:
    organisation_id: str
    issuer: str
    client_id: str
    client_secret: str
    claim: str
    roles: tuple[str, ...]  # CLAIM_VALUE=ROLE, as typed


def parse_roles(given: tuple[str, ...]) -> dict[str, str]:
    """`CLAIM_VALUE=ROLE` each; the value may itself hold `=` (the role is
    what follows the last one)."""
    if not given:
        raise BadSignOn("name at least one --role CLAIM_VALUE=ROLE")
    roles: dict[str, str] = {}
    for one in given:
        value, sep, role = one.rpartition("=")
        if not sep or not value.strip():
            raise BadSignOn(f"--role {one!r}: write CLAIM_VALUE=ROLE")
        if role not in ROLES:
            raise BadSignOn(
                f"--role {one!r}: {role!r} is no role; the roles are "
                + ", ".join(ROLES)
            )
        if value in roles:
            raise BadSignOn(f"--role {one!r}: {value!r} is mapped twice")
        roles[value] = role
    return roles


def check_issuer(issuer: str) -> str:
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadSignOn(f"--issuer {issuer!r} is not a URL")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise BadSignOn(f"--issuer {issuer!r}: an issuer is https")
    if parts.query or parts.fragment:
        raise BadSignOn(f"--issuer {issuer!r}: an issuer has no query or fragment")
    return issuer


def configure_sign_on(
    app: WarRoom, ctx: Context, request: SignOnRequest, seal: SecretSeal
) -> SignOnSettings:
    """Stores the organisation's sign-on settings, the secret sealed."""
    issuer = check_issuer(request.issuer)
    roles = parse_roles(request.roles)
    client_id = request.client_id.strip()
    if not client_id:
        raise BadSignOn("--client-id is empty")
    if not request.client_secret.strip():
        raise BadSignOn("the client secret file is empty")
    if not request.claim.strip():
        raise BadSignOn("--claim is empty")
    registry_id = Organisations.create_id()
    if not app.exists(registry_id):
        raise BadSignOn(f"no organisation with id {request.organisation_id}")
    registry = app.load(Organisations, registry_id)
    if request.organisation_id not in registry.names:
        raise BadSignOn(f"no organisation with id {request.organisation_id}")
    settings = SignOnSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret_sealed=seal.seal(
            request.client_secret.strip(), request.organisation_id, issuer, client_id
        ),
        claim=request.claim.strip(),
        roles=roles,
    )
    try:
        registry.configure_sign_on(request.organisation_id, settings, ctx)
    except RuleBroken as refused:
        raise BadSignOn(refused.message) from None
    app.save(registry)
    return settings
