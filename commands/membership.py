"""Which organisation a user or an inspection belongs to.

Users and inspections stored before organisations existed name none: they
belong to the database's first organisation (and, while there is none, to
no organisation, all together, as before).
"""

from __future__ import annotations

from uuid import UUID

from commands.run import Actor
from warroom.application import WarRoom
from warroom.domain.base import NotFound
from warroom.domain.inspection import Inspection
from warroom.domain.organisation import Organisations
from warroom.domain.user import User


def first_organisation(app: WarRoom) -> str | None:
    registry_id = Organisations.create_id()
    if not app.exists(registry_id):
        return None
    return app.load(Organisations, registry_id).first


def organisation_of(app: WarRoom, stored: str | None) -> str | None:
    """The organisation something belongs to, given the one it was stored with."""
    return stored or first_organisation(app)


def user_named(app: WarRoom, name: str, organisation_id: str | None) -> UUID | None:
    """The user of this organisation who holds this display name, if any."""
    # What was stored without an organisation belongs to the first one.
    stored_as = {organisation_id}
    if organisation_id == first_organisation(app):
        stored_as.add(None)
    for stored in stored_as:
        holder = app.name_holder(stored, name)
        if holder is not None:
            return holder
    return None


def user_of(app: WarRoom, user_id: str, organisation_id: str | None) -> User:
    """A user of this organisation; one of another is not found, not forbidden."""
    user = app.load(User, user_id)
    if organisation_of(app, user.organisation_id) != organisation_id:
        raise NotFound(f"no user with id {user_id}")
    return user


def inspection_of(app: WarRoom, inspection_id: str, organisation_id: str | None) -> str:
    """An inspection of this organisation; one of another is not found."""
    inspection = app.load(Inspection, inspection_id)
    if organisation_of(app, inspection.organisation_id) != organisation_id:
        raise NotFound(f"no inspection with id {inspection_id}")
    return str(inspection.id)


def actor_of_user(app: WarRoom, user: User) -> Actor:
    """The actor a user acts as, by their token or their session (blocking)."""
    return Actor(
        id=str(user.id),
        name=user.name,
        role=user.role,
        organisation_id=organisation_of(app, user.organisation_id),
        inspection_ids=(
            None if user.inspection_ids is None else frozenset(user.inspection_ids)
        ),
        expires_at=user.expires_at,
    )
