"""The first answer to a command sent under an `Idempotency-Key`.

Saved in the same transaction as the command's own events, so a retry either
finds it (and gets the first answer back) or the command was never stored.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import derived_id


class IdempotencyRecord(Aggregate):
    @staticmethod
    def create_id(actor: str, key: str) -> UUID:
        # Keys are scoped to the user who sent them, as payment APIs do.
        return derived_id("idempotency", actor, key)

    @event("IdempotentCommandAnswered")
    def __init__(
        self,
        actor: str,
        key: str,
        fingerprint: str,
        status: int,
        body: dict[str, Any],
        meta: dict[str, Any],
    ) -> None:
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
