"""A display name, held by one user.

Agendas, attendee lists and briefings go by name, so within an organisation a
name must be one person: adding a user under a name another user of the same
organisation holds is refused, and this aggregate, whose id is derived from
the organisation and the name, makes two adds that race for the same name
fail on the library's optimistic concurrency. Two councils may each have
their own Sarah Jones.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import derived_id


def same_name(name: str) -> str:
    """What makes two names one: case and spacing do not tell people apart."""
    return " ".join(name.split()).casefold()


class UserName(Aggregate):
    @staticmethod
    def create_id(organisation_id: str | None, name: str) -> UUID:
        if organisation_id is None:  # a database without organisations
            return derived_id("user-name", same_name(name))
        return derived_id("user-name", organisation_id, same_name(name))

    @event("UserNameTaken")
    def __init__(
        self,
        name: str,
        user_id: str,
        meta: dict[str, Any],
        organisation_id: str | None = None,
    ) -> None:
        self.user_id = user_id
