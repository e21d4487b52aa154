"""What every event carries, and the errors a command can be refused with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

# Ids derived from names (a case reference, an idempotency key) live in this
# namespace, so that the library's optimistic concurrency makes them unique.
WARROOM_NAMESPACE = UUID("6f1c2b8e-6a43-4b43-9b0e-3f7f8e1a9c55")


def derived_id(*parts: str) -> UUID:
    return uuid5(WARROOM_NAMESPACE, "\x1f".join(parts))


@dataclass(frozen=True)
class Context:
    """Who did it, for which inspection, when it happened, and under which key.

    The time it was recorded is the event's own `timestamp` (server clock); the
    time it happened can be earlier, for entries made after the fact.
    """

    actor: str
    actor_name: str
    occurred_at: datetime
    inspection_id: str = ""
    idempotency_key: str | None = None

    def meta(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "actor_name": self.actor_name,
            "occurred_at": self.occurred_at.isoformat(),
            "inspection_id": self.inspection_id,
            "idempotency_key": self.idempotency_key,
        }


class DomainError(Exception):
    """A command refused by the domain."""


class NotFound(DomainError):
    """An id names nothing the war room knows."""


class RuleBroken(DomainError):
    """A command would break a rule; `rule` names it for clients."""

    def __init__(
        self, rule: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        # What a client needs to put it right, answered beside `rule`.
        self.details = details or {}


class Forbidden(DomainError):
    """The user's role may not do this."""


class VersionMismatch(DomainError):
    """`If-Match` named a version that is no longer current."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(
            "someone else changed this since you loaded it: reload it and try again"
        )
        self.expected = expected
        self.actual = actual
