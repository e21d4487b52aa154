"""One calendar invitation to one person about one meeting, and its fate.

An invitation (RFC 5546 iTIP, by email per RFC 6047) tells one attendee what
changed in a meeting since they were last told: REQUEST while they attend,
CANCEL once the meeting is cancelled or they are taken off it. The id is
derived from (meeting, person, number): whoever saves the claim of number N
first sends it, and another server process that tries to claim the same
number fails on the library's optimistic concurrency and sends nothing; the
next change is told under N + 1. As with the blog (`blog_send`), the claim is
saved before the message goes, and what became of it after.

The events name the person and their user id, never their address: an
inspection's log is read by everyone of it, addresses are for admins.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id
from warroom.domain.user_name import same_name

SENDING, SENT, FAILED = "sending", "sent", "failed"
REQUEST, CANCEL = "REQUEST", "CANCEL"


class Invitation(Aggregate):
    @staticmethod
    def create_id(meeting_id: str, person: str, number: int) -> UUID:
        return derived_id("invitation", meeting_id, same_name(person), str(number))

    @event("InvitationClaimed")
    def __init__(
        self,
        inspection_id: str,
        meeting_id: str,
        person: str,
        user_id: str,
        number: int,
        method: str,
        sequence: int,
        changes: list[str],
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.meeting_id = meeting_id
        self.person = person
        self.number = number
        self.method = method
        self.sequence = sequence
        self.status = SENDING

    def sent(
        self,
        message_id: str,
        via: str,
        outbox_file: str | None,
        tries: int,
        ctx: Context,
    ) -> None:
        self._require_sending()
        self._sent(
            message_id=message_id,
            via=via,
            outbox_file=outbox_file,
            tries=tries,
            meta=ctx.meta(),
        )

    def failed(self, reason: str, tries: int, ctx: Context) -> None:
        self._require_sending()
        self._failed(reason=reason, tries=tries, meta=ctx.meta())

    def _require_sending(self) -> None:
        if self.status != SENDING:
            raise RuleBroken(
                "invitation_send_ended", f"this invitation is already {self.status}"
            )

    @event("InvitationSent")
    def _sent(
        self,
        message_id: str,
        via: str,
        outbox_file: str | None,
        tries: int,
        meta: dict[str, Any],
    ) -> None:
        self.status = SENT

    @event("InvitationFailed")
    def _failed(self, reason: str, tries: int, meta: dict[str, Any]) -> None:
        self.status = FAILED
