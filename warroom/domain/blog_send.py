"""One attempt to email a day's blog, and what became of it.

The id is derived from (inspection, day, attempt number): whoever saves the
claim of attempt N first sends it, and a second server process that tries to
claim the same attempt fails on the library's optimistic concurrency, so the
server's own send at the configured hour goes out once however many processes
run. `--again` claims the next number.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id

# What a claim may be left in, and what it ends in.
SENDING, SENT, FAILED = "sending", "sent", "failed"


class BlogSend(Aggregate):
    @staticmethod
    def create_id(inspection_id: str, day: str, attempt: int) -> UUID:
        return derived_id("blog-send", inspection_id, day, str(attempt))

    @event("BlogSendClaimed")
    def __init__(
        self,
        inspection_id: str,
        day: str,
        attempt: int,
        trigger: str,  # "schedule" (the server at the hour) or "command"
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.day = day
        self.attempt = attempt
        self.status = SENDING
        # Whether any message of this attempt carried the day's seal (issue
        # 24): if none did, the seal follows when the day is closed.
        self.sealed = False
        self.deliveries = 0
        self.recipients: list[str] = []

    def delivered(
        self,
        email: str,
        audience: str,
        message_id: str,
        outbox_file: str | None,
        sealed: bool,
        tries: int,
        ctx: Context,
    ) -> None:
        """One recipient's own message went (issue 24: a message each)."""
        self._require_sending()
        self._delivered(
            email=email,
            audience=audience,
            message_id=message_id,
            outbox_file=outbox_file,
            sealed=sealed,
            tries=tries,
            meta=ctx.meta(),
        )

    def sent(
        self,
        message_id: str,
        recipients: list[str],
        via: str,
        outbox_file: str | None,
        tries: int,
        ctx: Context,
    ) -> None:
        self._require_sending()
        self._sent(
            message_id=message_id,
            recipients=recipients,
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
            raise RuleBroken("blog_send_ended", f"this send is already {self.status}")

    @event("BlogDelivered")
    def _delivered(
        self,
        email: str,
        audience: str,
        message_id: str,
        outbox_file: str | None,
        sealed: bool,
        tries: int,
        meta: dict[str, Any],
    ) -> None:
        self.sealed = self.sealed or sealed
        self.deliveries += 1

    # Since issue 24 an attempt sends each recipient a message of their own,
    # each told by a BlogDelivered before it; BlogSent closes the attempt and
    # names the last of them (its Message-ID and outbox file).
    @event("BlogSent")
    def _sent(
        self,
        message_id: str,
        recipients: list[str],
        via: str,
        outbox_file: str | None,
        tries: int,
        meta: dict[str, Any],
    ) -> None:
        self.status = SENT
        self.recipients = list(recipients)

    @event("BlogSendFailed")
    def _failed(self, reason: str, tries: int, meta: dict[str, Any]) -> None:
        self.status = FAILED


class SealSend(Aggregate):
    """The day's seal, sent after the blog to the same recipients when the
    blog went out before the day was closed: once, whoever claims it first
    (its id is derived from the inspection and the day)."""

    @staticmethod
    def create_id(inspection_id: str, day: str) -> UUID:
        return derived_id("seal-send", inspection_id, day)

    @event("SealSendClaimed")
    def __init__(
        self, inspection_id: str, day: str, recipients: list[str], meta: dict[str, Any]
    ) -> None:
        self.inspection_id = inspection_id
        self.day = day
        self.status = SENDING

    def sent(self, messages: list[dict[str, Any]], via: str, ctx: Context) -> None:
        self._require_sending()
        self._sent(messages=messages, via=via, meta=ctx.meta())

    def failed(
        self, reason: str, messages: list[dict[str, Any]], tries: int, ctx: Context
    ) -> None:
        self._require_sending()
        self._failed(reason=reason, messages=messages, tries=tries, meta=ctx.meta())

    def _require_sending(self) -> None:
        if self.status != SENDING:
            raise RuleBroken("seal_send_ended", f"this send is already {self.status}")

    # `messages`: each recipient's {email, message_id, outbox_file}.
    @event("SealSent")
    def _sent(
        self, messages: list[dict[str, Any]], via: str, meta: dict[str, Any]
    ) -> None:
        self.status = SENT

    @event("SealSendFailed")
    def _failed(
        self,
        reason: str,
        messages: list[dict[str, Any]],
        tries: int,
        meta: dict[str, Any],
    ) -> None:
        self.status = FAILED
