"""Claiming a day's blog email, and recording what became of it.

A day is sent once: a claim is refused when an earlier attempt went, unless
asked `again`; the server's own send at the hour claims only the first
attempt, so it never repeats a day someone already sent (or tried to). Two
processes claiming the same attempt at once: the second one's save fails on
the library's optimistic concurrency, and it sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError

from warroom.application import WarRoom
from warroom.domain.base import Context, RuleBroken
from warroom.domain.blog_send import SENDING, SENT, BlogSend, SealSend
from warroom.domain.distribution import DistributionList, Listed

# A claim with no outcome after this long was left by a process that died
# while sending: another attempt may be claimed.
ABANDONED_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    send: BlogSend
    recipients: list[str]
    # Each recipient as listed: their name and which copy they get.
    listed: list[Listed]


def listed_of(app: WarRoom, inspection_id: str) -> list[Listed]:
    list_id = DistributionList.create_id(inspection_id)
    if not app.exists(list_id):
        return []
    return app.load(DistributionList, list_id).listed()


def recipients_of(app: WarRoom, inspection_id: str) -> list[str]:
    return [r.email for r in listed_of(app, inspection_id)]


def attempts(app: WarRoom, inspection_id: str, day: str) -> list[BlogSend]:
    found: list[BlogSend] = []
    while app.exists(send_id := BlogSend.create_id(inspection_id, day, len(found) + 1)):
        found.append(app.load(BlogSend, send_id))
    return found


def claim(
    app: WarRoom,
    ctx: Context,
    inspection_id: str,
    day: str,
    *,
    again: bool = False,
    scheduled: bool = False,
) -> Claim | None:
    """The claim of the next attempt; None when the server's scheduled send
    finds the day already claimed (by anyone, in any process)."""
    listed = listed_of(app, inspection_id)
    recipients = [r.email for r in listed]
    if not recipients:
        raise RuleBroken(
            "no_recipients",
            "no one is on the distribution list: add someone first",
        )
    earlier = attempts(app, inspection_id, day)
    if scheduled and earlier:
        return None
    if not again and any(a.status == SENT for a in earlier):
        raise RuleBroken(
            "blog_sent_once",
            f"the blog for {day} was already sent: send it again with --again",
        )
    if earlier and earlier[-1].status == SENDING and not _abandoned(earlier[-1]):
        raise RuleBroken(
            "blog_being_sent", f"the blog for {day} is being sent just now"
        )
    send = BlogSend(
        inspection_id=inspection_id,
        day=day,
        attempt=len(earlier) + 1,
        trigger="schedule" if scheduled else "command",
        meta=ctx.meta(),
    )
    try:
        app.save(send)
    except IntegrityError:
        # Another process claimed this attempt a moment ago: it sends.
        if scheduled:
            return None
        raise RuleBroken(
            "blog_being_sent", f"the blog for {day} is being sent just now"
        ) from None
    return Claim(send=send, recipients=recipients, listed=listed)


def record_sent(
    app: WarRoom,
    ctx: Context,
    send: BlogSend,
    *,
    message_id: str,
    recipients: list[str],
    via: str,
    outbox_file: str | None,
    tries: int,
) -> int:
    send.sent(message_id, recipients, via, outbox_file, tries, ctx)
    return app.save_and_position(send)


def record_delivered(
    app: WarRoom,
    ctx: Context,
    send: BlogSend,
    *,
    to: Listed,
    message_id: str,
    outbox_file: str | None,
    sealed: bool,
    tries: int,
) -> int:
    send.delivered(to.email, to.audience, message_id, outbox_file, sealed, tries, ctx)
    return app.save_and_position(send)


def record_failed(
    app: WarRoom, ctx: Context, send: BlogSend, *, reason: str, tries: int
) -> int:
    send.failed(reason, tries, ctx)
    return app.save_and_position(send)


def _abandoned(send: BlogSend) -> bool:
    return datetime.now(UTC) - send.modified_on > ABANDONED_AFTER


# --- the day's seal, after a blog sent before the day was closed (issue 24)


@dataclass(frozen=True)
class SealClaim:
    send: SealSend
    listed: list[Listed]


def claim_seal(
    app: WarRoom, ctx: Context, inspection_id: str, day: str
) -> SealClaim | None:
    """The claim of the day's seal follow-up, to the recipients of the day's
    last blog sent (as the list holds them now, for their names); None when
    it is claimed already (by anyone, in any process) or is not owed."""
    sent = [a for a in attempts(app, inspection_id, day) if a.status == SENT]
    if not sent or any(a.sealed for a in sent) or not sent[-1].deliveries:
        return None
    seal_id = SealSend.create_id(inspection_id, day)
    if app.exists(seal_id):
        return None
    recipients = app.load(BlogSend, sent[-1].id).recipients
    now = {r.email.casefold(): r for r in listed_of(app, inspection_id)}
    listed = [now.get(r.casefold(), Listed(r, r, None)) for r in recipients]
    send = SealSend(
        inspection_id=inspection_id, day=day, recipients=recipients, meta=ctx.meta()
    )
    try:
        app.save(send)
    except IntegrityError:
        return None  # another process claimed it a moment ago: it sends
    return SealClaim(send=send, listed=listed)


def record_seal_sent(
    app: WarRoom, ctx: Context, send: SealSend, messages: list[dict[str, Any]], via: str
) -> int:
    send.sent(messages, via, ctx)
    return app.save_and_position(send)


def record_seal_failed(
    app: WarRoom,
    ctx: Context,
    send: SealSend,
    *,
    reason: str,
    messages: list[dict[str, Any]],
    tries: int,
) -> int:
    send.failed(reason, messages, tries, ctx)
    return app.save_and_position(send)
