"""The inspection's contact list (issue 24): read by everyone signed in,
kept by those who keep the blog's distribution list (its additions and
changes are in `commands.ROUTES`; removal is the DELETE here).

Everyone of the council reads it: it is the war room's working telephone
list (the rapid response team's rooms and phones, the partners to ring),
and the auditor reads the same entries in the log anyway. Inspectors are
not users, and so never see it.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from commands import models as m
from commands.executor import execute
from projections.contacts import ContactRow
from web.answers import COMMAND_ERRORS, READ_ERRORS, WhenAsked
from web.deps import ActorDep, IdempotencyKeyDep, IfMatchDep, StateDep, WhenDep
from web.offers import Offers

router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["contacts"])


class ContactListed(ContactRow):
    # What the caller may send on the contact now (`commands.offered`).
    actions: list[str]


class ContactsRead(WhenAsked):
    contacts: list[ContactListed]


@router.get(
    "/contacts",
    summary="The inspection's contact list, by group (everyone signed in)",
    response_model=ContactsRead,
    responses=READ_ERRORS,
)
def contacts(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    rows, position = state.reader.ask(
        inspection_id,
        lambda i, _: i.contacts.render()["contacts"],
        at=when.at,
        as_of=when.as_of,
        happened_by=when.happened_by,
        min_position=when.min_position,
    )
    offers = None if when.is_past else Offers(state, actor, inspection_id)
    return JSONResponse(
        {
            "contacts": [
                {**r, "actions": [] if offers is None else offers.contact(dict(r))}
                for r in rows
            ],
            "position": position,
            "past": when.is_past,
            "as_of": when.as_of.isoformat() if when.as_of else None,
            **when.named(),
        }
    )


@router.delete(
    "/contacts/{contact_id}",
    summary="Take someone off the contact list (the log keeps them)",
    responses=COMMAND_ERRORS,
)
def remove_contact(
    inspection_id: str,
    contact_id: str,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    outcome = execute(
        state.app,
        actor,
        m.RemoveContact(),
        inspection_id=inspection_id,
        target_id=contact_id,
        if_match=if_match,
        idempotency_key=idempotency_key,
        status=200,
    )
    return JSONResponse(outcome.body, status_code=outcome.status)
