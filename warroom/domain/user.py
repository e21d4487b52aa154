"""Users, their roles, and the index from a token's hash to its user.

Only a token's SHA-256 is stored, never the token itself.
"""

from __future__ import annotations

from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from warroom.domain.base import derived_id

Role = Literal["admin", "lead", "gatekeeper", "rapid_response", "staff", "auditor"]
ROLES: tuple[str, ...] = get_args(Role)


class User(Aggregate):
    @event("UserAdded")
    def __init__(self, name: str, role: str, meta: dict[str, Any]) -> None:
        self.name = name
        self.role = role


class TokenIndex(Aggregate):
    """Finds a user by the hash of their token in one read."""

    @staticmethod
    def create_id(token_sha256: str) -> UUID:
        return derived_id("token", token_sha256)

    @event("TokenIssued")
    def __init__(self, token_sha256: str, user_id: str, meta: dict[str, Any]) -> None:
        self.user_id = user_id
