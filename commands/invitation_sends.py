"""Claiming a meeting invitation, and recording what became of it.

Claiming number N for a person of a meeting saves its `InvitationClaimed`;
another server process claiming the same number at once fails on the
library's optimistic concurrency, and sends nothing.
"""

from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from warroom.application import WarRoom
from warroom.domain.base import Context
from warroom.domain.invitation import Invitation


def claim(
    app: WarRoom,
    ctx: Context,
    *,
    meeting_id: str,
    person: str,
    user_id: str,
    number: int,
    method: str,
    sequence: int,
    changes: list[str],
) -> Invitation | None:
    """The claim, saved; None if another process claimed it first."""
    invitation = Invitation(
        inspection_id=ctx.inspection_id,
        meeting_id=meeting_id,
        person=person,
        user_id=user_id,
        number=number,
        method=method,
        sequence=sequence,
        changes=changes,
        meta=ctx.meta(),
    )
    try:
        app.save(invitation)
    except IntegrityError:
        return None
    return invitation


def record_sent(
    app: WarRoom,
    ctx: Context,
    invitation: Invitation,
    *,
    message_id: str,
    via: str,
    outbox_file: str | None,
    tries: int,
) -> int:
    invitation.sent(message_id, via, outbox_file, tries, ctx)
    return app.save_and_position(invitation)


def record_failed(
    app: WarRoom, ctx: Context, invitation: Invitation, *, reason: str, tries: int
) -> int:
    invitation.failed(reason, tries, ctx)
    return app.save_and_position(invitation)
