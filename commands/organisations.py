"""Adding an organisation: the command line's alone, outside the role table.

An admin is the admin of one council; making councils is for whoever runs
the service and holds its database, so no HTTP route leads here.

The first organisation added takes every user and inspection stored without
one (`commands.membership`). Someone adding "a second council" to a database
whose users came before organisations would hand them all to it without a
word (issue 22, finding 12), so the command line says how many it takes and
asks for `--takes-existing` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import get_topic

from commands.models import AddOrganisation
from warroom.application import WarRoom
from warroom.domain.base import Context, RuleBroken
from warroom.domain.inspection import Inspection
from warroom.domain.organisation import Organisations
from warroom.domain.user import User

# Read at a time while counting what was stored without an organisation.
PAGE = 1000


@dataclass(frozen=True)
class WithoutOrganisation:
    """What the first organisation added will take."""

    users: int
    inspections: int

    def __bool__(self) -> bool:
        return bool(self.users or self.inspections)

    def __str__(self) -> str:
        return (
            f"{_count(self.users, 'user')} and {_count(self.inspections, 'inspection')}"
        )


def without_organisation(app: WarRoom) -> WithoutOrganisation:
    """The users and inspections stored with no organisation, while there is
    none yet (none at all once there is one: the first has them)."""
    if app.exists(Organisations.create_id()):
        return WithoutOrganisation(0, 0)
    users = sum(1 for e in _created(app, User.UserAdded) if e.organisation_id is None)
    inspections = sum(
        1
        for e in _created(app, Inspection.InspectionOpened)
        if e.organisation_id is None
    )
    return WithoutOrganisation(users, inspections)


def add_organisation(
    app: WarRoom, ctx: Context, command: AddOrganisation, *, takes_existing: bool = True
) -> str:
    """Stores the new organisation; its id. With `takes_existing` False, the
    first organisation of a database holding users or inspections without one
    is refused (nothing stored), saying how many it would take."""
    if not takes_existing and (waiting := without_organisation(app)):
        raise RuleBroken(
            "takes_existing",
            f"this database holds {waiting} stored before organisations: the "
            f"first organisation added, {command.name!r}, takes them all, "
            "whatever its name. Add it again with --takes-existing if it is "
            "theirs; nothing was stored",
        )
    registry_id = Organisations.create_id()
    registry = (
        app.load(Organisations, registry_id)
        if app.exists(registry_id)
        else Organisations(meta=ctx.meta())
    )
    organisation_id = registry.add(command.name, ctx)
    app.save(registry)
    return organisation_id


def _created(app: WarRoom, event_class: type[Any]) -> Iterator[Any]:
    """Every stored event of one creation class, oldest first, as read today
    (version 1 upcast with no organisation)."""
    topic = get_topic(event_class)
    start = 1
    while page := app.recorder.select_notifications(start, PAGE, topics=[topic]):
        for notification in page:
            yield app.mapper.to_domain_event(notification)
        start = page[-1].id + 1


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
