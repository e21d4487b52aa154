"""An inspection's contact list (issue 24): the people the war room reaches
for during an inspection, as the seed's aide-memoire lists them: police,
health, education, probation, the safeguarding board, the chief executive's
office, elected members, the rapid response team with where they sit.

One list per inspection, its id derived from the inspection's (as the
distribution list's), so two first additions racing each other meet the
library's optimistic concurrency. Each contact has an id of its own, given
when it is added, by which it is changed and removed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, RuleBroken, derived_id


@dataclass(frozen=True)
class ContactDetails:
    name: str
    organisation: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None
    # e.g. "Police", "Health", "Rapid response team": how the list is read.
    group: str | None = None
    # Where to find them (the rapid response team's rooms).
    location: str | None = None

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


class ContactList(Aggregate):
    @staticmethod
    def create_id(inspection_id: str) -> UUID:
        return derived_id("contacts", inspection_id)

    @event("ContactListStarted")
    def __init__(self, inspection_id: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
        # Contact id -> details, in the order added.
        self.contacts: dict[str, ContactDetails] = {}

    def add(self, details: ContactDetails, ctx: Context) -> str:
        contact_id = str(uuid4())
        self._added(contact_id=contact_id, **details.as_data(), meta=ctx.meta())
        return contact_id

    def change(self, contact_id: str, details: ContactDetails, ctx: Context) -> None:
        if self.found(contact_id) == details:
            raise RuleBroken(
                "contact_unchanged", "nothing is different from the contact as it is"
            )
        self._changed(contact_id=contact_id, **details.as_data(), meta=ctx.meta())

    def remove(self, contact_id: str, ctx: Context) -> None:
        self.found(contact_id)
        self._removed(contact_id=contact_id, meta=ctx.meta())

    def found(self, contact_id: str) -> ContactDetails:
        details = self.contacts.get(contact_id)
        if details is None:
            raise NotFound(f"no contact with id {contact_id} in this inspection")
        return details

    @event("ContactAdded")
    def _added(
        self,
        contact_id: str,
        name: str,
        organisation: str | None,
        role: str | None,
        phone: str | None,
        email: str | None,
        group: str | None,
        location: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.contacts[contact_id] = ContactDetails(
            name, organisation, role, phone, email, group, location
        )

    @event("ContactChanged")
    def _changed(
        self,
        contact_id: str,
        name: str,
        organisation: str | None,
        role: str | None,
        phone: str | None,
        email: str | None,
        group: str | None,
        location: str | None,
        meta: dict[str, Any],
    ) -> None:
        self.contacts[contact_id] = ContactDetails(
            name, organisation, role, phone, email, group, location
        )

    @event("ContactRemoved")
    def _removed(self, contact_id: str, meta: dict[str, Any]) -> None:
        del self.contacts[contact_id]
