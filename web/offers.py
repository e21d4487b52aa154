"""Each item a read returns carries `actions`: the commands (by the names GET
/api/meta lists) its caller may send on it now (`commands.offered`).

Added to the answer after the read models are asked, per caller, and only
of the present: in the past (`as_of`, `at`) nothing can be sent, and every
item's `actions` is empty. The page draws its buttons from them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eventsourcing.domain import Aggregate

from commands import models as m
from commands.offered import (
    ANNEX_A_DOCUMENT,
    CALENDAR_LINK,
    CASE,
    INSPECTION,
    KIT_ACTION,
    LINE_OF_ENQUIRY,
    MEETING,
    REQUEST,
    TASK,
    Probe,
    Thing,
    contact_probes,
    day_probes,
    load_thing,
    offered,
    recipient_probes,
)
from commands.run import Actor
from warroom.domain.annex_a import AnnexADocument
from warroom.domain.calendar_link import CalendarLink
from warroom.domain.case import Case
from warroom.domain.contact import ContactList
from warroom.domain.enquiry import LineOfEnquiry
from warroom.domain.meeting import Meeting
from warroom.domain.playbook import Playbook
from warroom.domain.request import DocumentRequest
from web.state import ServerState

Body = dict[str, Any]
# What adds the offers to an answer (None: in the past, where none are).
Offer = Callable[[Body], Body]


class Offers:
    """What one caller may do now, asked of one inspection's things."""

    def __init__(self, state: ServerState, actor: Actor, inspection_id: str) -> None:
        self.state = state
        self.actor = actor
        self.inspection_id = inspection_id
        self._users: dict[str, str] | None = None
        self._roles: dict[str, str] = {}
        self._open_lines: list[str] | None = None
        # Each thing loaded once per answer (all of a playbook's tasks share it).
        self._loaded: dict[tuple[str | None, str | None], Aggregate | None] = {}

    def _load(self, thing: Thing) -> Aggregate | None:
        key = (thing.holder_id, thing.target_id if thing.holder_id is None else None)
        if key not in self._loaded:
            self._loaded[key] = load_thing(self.state.app, thing)
        return self._loaded[key]

    def users(self) -> dict[str, str]:
        """The users of the caller's organisation, id -> name."""
        if self._users is None:
            organisation = self.actor.organisation_id
            rows = self.state.reader.read_side.read(
                lambda views: views.users_of(organisation)
            )
            self._users = {u["id"]: u["name"] for u in rows}
            self._roles = {u["id"]: u["role"] for u in rows}
        return self._users

    def open_lines(self) -> list[str]:
        """The inspection's open lines of enquiry (ids), a request may be
        filed under."""
        if self._open_lines is None:
            found, _ = self.state.reader.ask(
                self.inspection_id,
                lambda i, _: [
                    line_id
                    for line_id, line in i.lines_of_enquiry.lines.items()
                    if not line["answered"]
                ],
            )
            self._open_lines = found
        return self._open_lines

    def of(self, thing: Thing, probes: Mapping[type[m.Command], Probe]) -> list[str]:
        return offered(
            self.state.app,
            self.actor,
            self.inspection_id,
            thing,
            probes,
            users=self.users() if _needs_users(probes) else None,
            roles=self._roles,
            open_lines=(
                self.open_lines() if m.LinkRequestToLineOfEnquiry in probes else ()
            ),
            load=self._load,
        )

    # --- one per kind of item ------------------------------------------------

    def request(self, row: Body) -> Body:
        return {**row, "actions": self.of(Thing(DocumentRequest, row["id"]), REQUEST)}

    def meeting(self, row: Body) -> Body:
        return {**row, "actions": self.of(Thing(Meeting, row["id"]), MEETING)}

    def case(self, row: Body) -> Body:
        return {**row, "actions": self.of(Thing(Case, row["id"]), CASE)}

    def line_of_enquiry(self, row: Body) -> Body:
        thing = Thing(LineOfEnquiry, row["id"])
        return {**row, "actions": self.of(thing, LINE_OF_ENQUIRY)}

    def kit_note(self, note: Body) -> Body:
        # A note's `actions` are its KIT actions (a name kept as it was);
        # each of them carries the commands it takes.
        return {
            **note,
            "actions": [
                {
                    **action,
                    "actions": self.of(
                        Thing(Meeting, note["meeting_id"], part=str(action["n"])),
                        KIT_ACTION,
                    ),
                }
                for action in note["actions"]
            ],
        }

    def task(self, row: Body) -> Body:
        holder = str(Playbook.create_id(self.inspection_id))
        thing = Thing(Playbook, row["id"], holder_id=holder)
        return {**row, "actions": self.of(thing, TASK)}

    def annex_a_document(self, row: Body) -> Body:
        thing = Thing(AnnexADocument, row["id"])
        return {**row, "actions": self.of(thing, ANNEX_A_DOCUMENT)}

    def calendar_link(self, link_id: str) -> list[str]:
        return self.of(Thing(CalendarLink, link_id), CALENDAR_LINK)

    def contact(self, row: Body) -> list[str]:
        """A contact of the list (issue 24): changing it, taking it off."""
        holder = str(ContactList.create_id(self.inspection_id))
        thing = Thing(ContactList, row["id"], holder_id=holder)
        return self.of(thing, contact_probes(row))

    def recipient(self, email: str) -> list[str]:
        """An address on the blog's distribution list: taking it off."""
        return self.of(Thing(), recipient_probes(email))

    def briefing(self, person: str) -> list[str]:
        """A person's briefing (their agenda): acknowledging it."""
        probe: Probe = lambda _, a: m.AcknowledgeBriefing()  # noqa: E731
        return self.of(Thing(target_id=person), {m.AcknowledgeBriefing: probe})

    def inspection(self) -> list[str]:
        """What may be added to the inspection (the page's "create" buttons)."""
        return self.of(Thing(), INSPECTION)

    def day(self, day: str) -> list[str]:
        return self.of(Thing(), day_probes(day))

    def responsibility(self, row: Body) -> Body:
        probe: Probe = lambda _, a: m.AssignResponsibility(  # noqa: E731
            role=row["role"], person=a.someone_but(row["person"])
        )
        return {**row, "actions": self.of(Thing(), {m.AssignResponsibility: probe})}


def _needs_users(probes: Mapping[type[m.Command], Probe]) -> bool:
    return any(
        c in probes
        for c in (
            m.AssignKitAction,
            m.AssignPlaybookTask,
            m.AssignCaseAuditor,
            m.AssignResponsibility,
        )
    )


def none_in_the_past(body: Body, key: str, nested: str | None = None) -> Body:
    """The answer with every item's `actions` empty: the past takes none."""
    if nested is None:
        return {**body, key: [{**row, "actions": []} for row in body[key]]}
    return {
        **body,
        key: [
            {**row, nested: [{**n, "actions": []} for n in row[nested]]}
            for row in body[key]
        ],
    }


def offer_items(
    offers: Offers | None,
    key: str,
    each: Callable[[Offers], Callable[[Body], Body]],
    nested: str | None = None,
) -> Offer:
    """Adds the offers to each item of `body[key]` (or to each of their
    `nested` items); none, in the past."""

    def add(body: Body) -> Body:
        if offers is None:
            return none_in_the_past(body, key, nested)
        one = each(offers)
        return {**body, key: [one(row) for row in body[key]]}

    return add


def offer_inspection(offers: Offers | None) -> Offer:
    """Adds what may be added to the inspection now (none in the past)."""

    def add(body: Body) -> Body:
        return {**body, "actions": [] if offers is None else offers.inspection()}

    return add


def offer_day(offers: Offers | None, day: str) -> Offer:
    """Adds what may be done on the day itself (write its blog, close it)."""

    def add(body: Body) -> Body:
        return {**body, "actions": [] if offers is None else offers.day(day)}

    return add


def offer_briefing(offers: Offers | None, person: str) -> Offer:
    """Adds what may be done on a person's briefing (acknowledge it)."""

    def add(body: Body) -> Body:
        return {**body, "actions": [] if offers is None else offers.briefing(person)}

    return add
