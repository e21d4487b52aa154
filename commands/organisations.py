"""Adding an organisation: the command line's alone, outside the role table.

An admin is the admin of one council; making councils is for whoever runs
the service and holds its database, so no HTTP route leads here.
"""

from __future__ import annotations

from commands.models import AddOrganisation
from warroom.application import WarRoom
from warroom.domain.base import Context
from warroom.domain.organisation import Organisations


def add_organisation(app: WarRoom, ctx: Context, command: AddOrganisation) -> str:
    """Stores the new organisation; its id."""
    registry_id = Organisations.create_id()
    registry = (
        app.load(Organisations, registry_id)
        if app.exists(registry_id)
        else Organisations(meta=ctx.meta())
    )
    organisation_id = registry.add(command.name, ctx)
    app.save(registry)
    return organisation_id
