"""The inspection's contact list (issue 24): who the war room reaches for,
grouped as the seed's aide-memoire lists them, with who last changed each."""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent

DETAILS = ("name", "organisation", "role", "phone", "email", "group", "location")


class ContactRow(TypedDict):
    id: str
    name: str
    organisation: str | None
    role: str | None
    phone: str | None
    email: str | None
    group: str | None
    location: str | None
    added_by: str
    added_at: str
    changed_by: str | None
    changed_at: str | None


class ContactsAnswer(TypedDict):
    contacts: list[ContactRow]


class Contacts(ReadModel):
    name = "contacts"

    def __init__(self) -> None:
        # Contact id -> row, in the order added.
        self.contacts: dict[str, ContactRow] = {}

    def on_ContactAdded(self, e: LoggedEvent) -> ContactRow:
        d = e.data
        row: ContactRow = {
            "id": d["contact_id"],
            "name": d["name"],
            "organisation": d["organisation"],
            "role": d["role"],
            "phone": d["phone"],
            "email": d["email"],
            "group": d["group"],
            "location": d["location"],
            "added_by": e.actor_name,
            "added_at": e.recorded_iso,
            "changed_by": None,
            "changed_at": None,
        }
        self.contacts[row["id"]] = row
        return row

    def on_ContactChanged(self, e: LoggedEvent) -> ContactRow:
        d = e.data
        row: ContactRow = {
            **self.contacts[d["contact_id"]],
            "name": d["name"],
            "organisation": d["organisation"],
            "role": d["role"],
            "phone": d["phone"],
            "email": d["email"],
            "group": d["group"],
            "location": d["location"],
            "changed_by": e.actor_name,
            "changed_at": e.recorded_iso,
        }
        self.contacts[row["id"]] = row
        return row

    def on_ContactRemoved(self, e: LoggedEvent) -> ContactRow:
        return self.contacts.pop(e.data["contact_id"])

    folds: ClassVar[Folds] = {
        "ContactAdded": on_ContactAdded,
        "ContactChanged": on_ContactChanged,
        "ContactRemoved": on_ContactRemoved,
    }

    def render(self) -> ContactsAnswer:
        """By group (those with none last), then by name."""
        rows = sorted(
            self.contacts.values(),
            key=lambda r: (
                r["group"] is None,
                (r["group"] or "").casefold(),
                r["name"].casefold(),
            ),
        )
        return {"contacts": rows}
