"""The blog's distribution list (its additions are in `commands.ROUTES`), the
latest email of a day as the outbox holds it, and (issue 24) the preview of
each audience's and recipient's email and its send from the page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from commands.blog_sends import listed_of
from commands.executor import execute
from commands.handlers import roles_allowed
from commands.models import AddRecipient, RemoveRecipient, WriteBlogPost
from mail.blog_email import compose
from mail.blog_sender import Mailer, public_url, read_from_server
from projections.blog import Recipient
from warroom.domain.base import Context, RuleBroken
from warroom.domain.distribution import WAR_ROOM, Audience, Listed, same_address
from warroom.mail import outbox_folder
from web.answers import COMMAND_ERRORS, CONFLICT, FORBIDDEN, READ_ERRORS, WhenAsked
from web.deps import (
    ActorDep,
    IdempotencyKeyDep,
    IfMatchDep,
    PointInTime,
    StateDep,
    WhenDep,
)
from web.offers import Offers
from web.state import ServerState

router = APIRouter(prefix="/api/inspections/{inspection_id}", tags=["blog"])


class BlogEmailPreview(BaseModel):
    """A blog email as the page previews it: its headers and both parts."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    subject: str
    text: str
    html: str


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
    summary="The day's blog email (.eml): as the outbox holds the latest, or, "
    "with `audience` or `recipient`, exactly what they would get now",
    response_class=Response,
    responses={
        **READ_ERRORS,
        **FORBIDDEN,
        **CONFLICT,
        200: {
            # `format=json`: the page's preview of the same message.
            "model": BlogEmailPreview,
            "content": {"message/rfc822": {"schema": {"type": "string"}}},
        },
    },
)
async def day_email(
    request: Request,
    inspection_id: str,
    day: Annotated[date, Path(description="YYYY-MM-DD")],
    state: StateDep,
    actor: ActorDep,
    when: WhenDep,
    audience: Annotated[
        Audience | None,
        Query(description="war_room or partners: that audience's copy, now"),
    ] = None,
    recipient: Annotated[
        EmailStr | None,
        Query(description="someone on the list: their own copy, now"),
    ] = None,
    format: Annotated[
        Literal["eml", "json"],
        Query(
            description="eml: the message itself; json: its headers and both "
            "parts, decoded, for the page's preview"
        ),
    ] = "eml",
) -> Response:
    if audience is None and recipient is None:
        return latest_email(inspection_id, day, state, when)
    _may_send(actor.role)
    message = await run_in_threadpool(
        _preview, request, state, inspection_id, day, audience, recipient
    )
    if format == "json":
        return JSONResponse(_parts_of(message), headers={"Cache-Control": "no-store"})
    return Response(
        message.as_bytes(),
        media_type="message/rfc822",
        headers={
            "Content-Disposition": f'inline; filename="blog-{day}.eml"',
            "Cache-Control": "no-store",
        },
    )


def latest_email(
    inspection_id: str, day: date, state: ServerState, when: PointInTime
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


def _preview(
    request: Request,
    state: ServerState,
    inspection_id: str,
    day: date,
    audience: str | None,
    recipient: str | None,
) -> EmailMessage:
    """What `audience` (or `recipient`, as listed) would be sent now."""
    listed = {same_address(r.email): r for r in listed_of(state.app, inspection_id)}
    if recipient is not None:
        to = listed.get(same_address(recipient))
        if to is None:
            raise HTTPException(404, f"{recipient} is not on the distribution list")
        if audience is not None and audience != to.audience:
            raise RuleBroken(
                "recipient_audience",
                f"{to.email} gets the {to.audience.replace('_', ' ')} copy, "
                f"not the {audience.replace('_', ' ')} one",
            )
    else:
        to = Listed(name="", email="", group=None, audience=audience or WAR_ROOM)
    blog, title = read_from_server(state, inspection_id, day)()
    attempts = len(blog["email"]["attempts"])
    mailer = Mailer.of(state.app, state.settings, page_url_of(request, state))
    envelope = mailer.envelope(
        to, title, inspection_id, attempts + 1, datetime.now(UTC)
    )
    if not to.email:
        envelope = replace(envelope, recipients=[], recipient_name=None)
    return compose(blog, envelope)


def _parts_of(message: EmailMessage) -> dict[str, str]:
    """The message as the page shows it: who it is to, its subject, and
    both parts as the recipient's mail program decodes them."""
    text, page = (
        message.get_body(preferencelist=(kind,)) for kind in ("plain", "html")
    )
    return {
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "text": str(text.get_content()) if isinstance(text, EmailMessage) else "",
        "html": str(page.get_content()) if isinstance(page, EmailMessage) else "",
    }


class SendBlog(BaseModel):
    """Send the day's blog to everyone on the list, each their audience's copy."""

    model_config = ConfigDict(extra="forbid")
    # A second send of a day is deliberate: refused (409) without it.
    again: bool = False


class BlogSendAnswer(BaseModel):
    status: str  # "sent" or "failed"
    attempt: int
    recipients: list[str]
    reason: str | None
    position: int


class BlogSendFailedAnswer(BlogSendAnswer):
    detail: str


@router.post(
    "/blog/{day}/send",
    summary="Email the day's blog to the distribution list now",
    response_model=BlogSendAnswer,
    responses={
        **COMMAND_ERRORS,
        502: {"model": BlogSendFailedAnswer, "description": "the mail server refused"},
    },
)
async def send_blog(
    request: Request,
    inspection_id: str,
    day: Annotated[date, Path(description="YYYY-MM-DD")],
    state: StateDep,
    actor: ActorDep,
    body: SendBlog | None = None,
) -> JSONResponse:
    _may_send(actor.role)
    again = body.again if body is not None else False
    ctx = Context(actor.id, actor.name, datetime.now(UTC), inspection_id=inspection_id)
    mailer = Mailer.of(state.app, state.settings, page_url_of(request, state))
    read = read_from_server(state, inspection_id, day)
    outcome = await run_in_threadpool(mailer.send, ctx, day, read, again=again)
    return JSONResponse(
        {
            "status": outcome.status,
            "attempt": outcome.attempt,
            "recipients": outcome.recipients,
            "reason": outcome.reason,
            "position": state.app.recorder.max_notification_id() or 0,
            # What the page says when it did not go.
            **(
                {"detail": f"The blog was not sent: {outcome.reason}"}
                if outcome.reason
                else {}
            ),
        },
        status_code=200 if outcome.status == "sent" else 502,
    )


def page_url_of(request: Request, state: ServerState) -> str:
    """WARROOM_PUBLIC_URL, or the address the page asked at."""
    return public_url(state.settings) or str(request.base_url)


# Who may send the blog from the page: who writes it (WriteBlogPost's roles,
# the lead and the rapid response team, where the communication lead sits).
SENDS_THE_BLOG = roles_allowed(WriteBlogPost)


def _may_send(role: str) -> None:
    if role not in SENDS_THE_BLOG:
        raise HTTPException(
            403,
            f"a {role} may not preview or send the blog's email; "
            f"it takes one of: {', '.join(sorted(SENDS_THE_BLOG))}",
        )


def _may_keep_the_list(role: str) -> None:
    if role not in KEEPS_THE_LIST:
        raise HTTPException(
            403,
            f"a {role} may not see the distribution list; "
            f"it takes one of: {', '.join(sorted(KEEPS_THE_LIST))}",
        )
