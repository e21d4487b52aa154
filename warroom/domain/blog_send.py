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

    @event("BlogSendFailed")
    def _failed(self, reason: str, tries: int, meta: dict[str, Any]) -> None:
        self.status = FAILED
