"""The log as read models, the events API and the live stream see it.

Read models never touch the library's event classes: each stored event is
turned once into a `LoggedEvent`, plain data with its position in the log
(`warroom.decoding`, usually straight from the stored JSON).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

# Stored, but no part of any inspection's story: bookkeeping of the server.
INTERNAL_TYPES = frozenset(
    {
        "UserAdded",
        "TokenIssued",
        "IdempotentCommandAnswered",
        "TokenGranted",
        "TokenRevoked",
        "UserLimitedToInspections",
        "UserEmailSet",
        "OrganisationsStarted",
        "OrganisationAdded",
        "TreeBackfilled",
        # A person's devices for notifications, and each notification's
        # fate (`warroom.domain.push`): their keys are the person's secrets.
        "PushDevicesStarted",
        "PushSubscribed",
        "PushUnsubscribed",
        "PushSubscriptionDropped",
        "PushClaimed",
        "PushSent",
        "PushFailed",
        # The count of cases against the template's sample (`case_sample`).
        "CaseSampleCountStarted",
        "CaseCounted",
        # A wall screen's token, by its hash (`warroom.domain.display`).
        "DisplayTokenIssued",
        # A sign-in link's one-time secret, by its hash, and its use
        # (`warroom.domain.sign_in_link`, issue 26).
        "SignInLinkIssued",
        "SignInLinkSpent",
    }
)

# Events hold plain JSON values but for these, which the transcoder revives.
# (Lists and dicts in events hold strings only: ids are kept as strings.)
_CONVERTED = frozenset({UUID, datetime})

_LIBRARY_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}
)


class LoggedEvent(NamedTuple):
    """One stored event, immutable. A named tuple rather than a frozen
    dataclass: a rebuild makes one per event, and a frozen dataclass takes
    three times as long to make (it sets each field through a Python call)."""

    position: int
    type: str
    recorded_at: datetime
    occurred_at: datetime
    actor: str
    actor_name: str
    inspection_id: str
    aggregate_id: str
    aggregate_version: int
    data: dict[str, Any]
    # The two times as ISO strings, made once: every read model writes them.
    recorded_iso: str
    occurred_iso: str

    @classmethod
    def from_domain_event(cls, event: Any, position: int) -> LoggedEvent:
        meta: dict[str, Any] = event.meta
        data = {
            name: _plain(value) if type(value) in _CONVERTED else value
            for name, value in vars(event).items()
            if name not in _LIBRARY_FIELDS
        }
        aggregate_id = str(event.originator_id)
        return cls(
            position=position,
            type=type(event).__name__,
            recorded_at=event.timestamp,
            occurred_at=datetime.fromisoformat(meta["occurred_at"]),
            actor=meta["actor"],
            actor_name=meta.get("actor_name", ""),
            inspection_id=cls.inspection_of(type(event).__name__, aggregate_id, meta),
            aggregate_id=aggregate_id,
            aggregate_version=event.originator_version,
            data=data,
            recorded_iso=event.timestamp.isoformat(),
            occurred_iso=meta["occurred_at"],
        )

    @staticmethod
    def inspection_of(event_type: str, aggregate_id: str, meta: dict[str, Any]) -> str:
        # An inspection's opening is the one event whose inspection is itself.
        if event_type == "InspectionOpened":
            return aggregate_id
        return meta.get("inspection_id") or ""

    @property
    def is_internal(self) -> bool:
        return self.type in INTERNAL_TYPES

    def to_json(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "type": self.type,
            "recorded_at": self.recorded_iso,
            "occurred_at": self.occurred_iso,
            "actor": self.actor,
            "actor_name": self.actor_name,
            "inspection_id": self.inspection_id,
            "aggregate_id": self.aggregate_id,
            "aggregate_version": self.aggregate_version,
            "data": self.data,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
