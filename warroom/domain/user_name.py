"""A display name, held by one user.

Agendas, attendee lists and briefings go by name, so a name must be one
person: adding a user under a name another user holds is refused, and this
aggregate, whose id is derived from the name, makes two adds that race for
the same name fail on the library's optimistic concurrency.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from warroom.domain.base import derived_id


def same_name(name: str) -> str:
    """What makes two names one: case and spacing do not tell people apart."""
    return " ".join(name.split()).casefold()


class UserName(Aggregate):
    @staticmethod
    def create_id(name: str) -> UUID:
        return derived_id("user-name", same_name(name))

    @event("UserNameTaken")
    def __init__(self, name: str, user_id: str, meta: dict[str, Any]) -> None:
        self.user_id = user_id
