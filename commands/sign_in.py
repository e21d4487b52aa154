"""Who an OpenID provider vouched for: found, added or refused, in the log.

People are matched by (issuer, subject) alone (`SignOnSubject`), never by a
name or an email, which a provider may reuse or let a person change. A first
visit adds the user to the organisation only if their claims map to a role;
each later one records a new role (`RoleChanged`) when the claims map to
another. A refusal stores nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from commands.membership import user_named
from warroom.application import WarRoom
from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context
from warroom.domain.organisation import SignOnSettings
from warroom.domain.user import SignOnSubject, User
from warroom.domain.user_name import UserName

# Who the log says did it: the provider vouched, no person of ours acted.
SIGN_IN_ACTOR = "single-sign-on"


class NoAccess(Exception):
    """The claims map to no role, or the subject is another organisation's."""


@dataclass(frozen=True)
class Vouched:
    """What the provider's validated ID token says of a person."""

    issuer: str
    subject: str
    claims: dict[str, Any]

    @property
    def display_name(self) -> str:
        for claim in ("name", "preferred_username", "email"):
            value = self.claims.get(claim)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())[:120]
        return f"user {self.subject[:12]}"


def sign_in(
    app: WarRoom, organisation_id: str, settings: SignOnSettings, person: Vouched
) -> str:
    """The user's id, their role brought up to date; NoAccess if refused."""
    role = settings.role_for(person.claims)
    if role is None:
        raise NoAccess(
            f"your {settings.claim!r} give no role in this war room: "
            "ask your council's IT to add you to one of its groups"
        )
    ctx = Context(SIGN_IN_ACTOR, person.display_name, datetime.now(UTC))
    for _ in range(3):  # two first visits at once: the second finds the first
        try:
            return _sign_in(app, organisation_id, role, person, ctx)
        except IntegrityError:
            continue
    raise NoAccess("signing in clashed with another sign-in: try again")


def _sign_in(
    app: WarRoom, organisation_id: str, role: str, person: Vouched, ctx: Context
) -> str:
    link_id = SignOnSubject.create_id(person.issuer, person.subject)
    if app.exists(link_id):
        link = app.load(SignOnSubject, link_id)
        if link.organisation_id != organisation_id:
            raise NoAccess("you sign in through another organisation")
        user = app.load(User, link.user_id)
        if user.token_revoked:
            # A war room admin's revocation stands until an admin lifts it.
            raise NoAccess("an admin of this war room revoked your access")
        if user.role != role:
            user.change_role(role, ctx)
            app.save(user, organisation=organisation_id)
        return str(user.id)
    name = _free_name(app, organisation_id, person)
    ctx = Context(SIGN_IN_ACTOR, name, ctx.occurred_at)
    user = User(name=name, role=role, meta=ctx.meta(), organisation_id=organisation_id)
    staged: list[Aggregate] = [
        user,
        UserName(
            name=name,
            user_id=str(user.id),
            meta=ctx.meta(),
            organisation_id=organisation_id,
        ),
        SignOnSubject(
            issuer=person.issuer,
            subject=person.subject,
            user_id=str(user.id),
            organisation_id=organisation_id,
            meta=ctx.meta(),
        ),
    ]
    app.save(*staged, organisation=organisation_id)
    return str(user.id)


def _free_name(app: WarRoom, organisation_id: str, person: Vouched) -> str:
    """Their name, or, when another person of the organisation holds it (names
    are unique: agendas go by name), their name with their email or subject."""
    name = person.display_name
    if user_named(app, name, organisation_id) is None:
        return name
    email = person.claims.get("email")
    tell = email if isinstance(email, str) and email else person.subject[:12]
    return f"{name} ({tell})"
