"""The blog's distribution list (its additions are in `commands.ROUTES`), and
the latest email of a day as the outbox holds it."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from commands.executor import execute
from commands.handlers import roles_allowed
from commands.models import AddRecipient, RemoveRecipient
from projections.blog import Recipient
from warroom.mail import outbox_folder
from web.answers import COMMAND_ERRORS, FORBIDDEN, READ_ERRORS, WhenAsked
from web.deps import ActorDep, IdempotencyKeyDep, IfMatchDep, StateDep, WhenDep
from web.offers import Offers

router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["blog"])

# Addresses are personal: only those who keep the list see it.
KEEPS_THE_LIST = roles_allowed(AddRecipient)


class RecipientListed(Recipient):
    # What the caller may send on the address now (`commands.offered`).
    actions: list[str]


class DistributionRead(WhenAsked):
    recipients: list[RecipientListed]


@router.get(
    "/distribution",
    summary="Who the daily blog is emailed to",
    response_model=DistributionRead,
    responses={**READ_ERRORS, **FORBIDDEN},
)
def distribution(
    inspection_id: str, state: StateDep, actor: ActorDep, when: WhenDep
) -> JSONResponse:
    _may_keep_the_list(actor.role)
    recipients, position = state.reader.ask(
        inspection_id,
        lambda i, _: i.blog.distribution(),
        min_position=when.min_position,
    )
    offers = Offers(state, actor, inspection_id)
    return JSONResponse(
        {
            "recipients": [
                {**r, "actions": offers.recipient(r["email"])} for r in recipients
            ],
            "position": position,
            "past": False,
            "as_of": None,
        }
    )


@router.delete(
    "/distribution/{email}",
    summary="Take someone off the blog's distribution list",
    responses=COMMAND_ERRORS,
)
def remove_recipient(
    inspection_id: str,
    email: str,
    state: StateDep,
    actor: ActorDep,
    if_match: IfMatchDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> JSONResponse:
    try:
        command = RemoveRecipient(email=email)
    except ValidationError as error:
        raise RequestValidationError(
            [{**p, "loc": ("path", *p["loc"])} for p in error.errors()]
        ) from None
    outcome = execute(
        state.app,
        actor,
        command,
        inspection_id=inspection_id,
        if_match=if_match,
        idempotency_key=idempotency_key,
        status=200,
    )
    return JSONResponse(outcome.body, status_code=outcome.status)


@router.get(
    "/blog/{day}/email",
    summary="The day's latest blog email, as the outbox holds it (.eml)",
    response_class=Response,
    responses={
        **READ_ERRORS,
        200: {"content": {"message/rfc822": {"schema": {"type": "string"}}}},
    },
)
def latest_email(
    inspection_id: str,
    day: Annotated[date, Path(description="YYYY-MM-DD")],
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
) -> Response:
    answer: Any
    answer, _ = state.reader.ask(
        inspection_id,
        lambda i, _: i.blog.sends.get(day.isoformat(), []),
        min_position=when.min_position,
    )
    files = [a["outbox_file"] for a in answer if a["outbox_file"]]
    path = outbox_folder(state.settings) / files[-1] if files else None
    if path is None or not path.is_file():
        raise HTTPException(404, f"the outbox holds no email of the blog for {day}")
    return Response(
        path.read_bytes(),
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{path.name}"'},
    )


def _may_keep_the_list(role: str) -> None:
    if role not in KEEPS_THE_LIST:
        raise HTTPException(
            403,
            f"a {role} may not see the distribution list; "
            f"it takes one of: {', '.join(sorted(KEEPS_THE_LIST))}",
        )
