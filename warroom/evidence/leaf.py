"""A leaf of the log's Merkle tree: one stored event's canonical JSON.

The bytes are `LoggedEvent.to_json()` (what `/events` shows: position, type,
both times, actor, inspection, aggregate id and version, data) serialised with
keys sorted, no spaces, UTF-8 (what `json.dumps(v, sort_keys=True,
separators=(",", ":"), ensure_ascii=False).encode()` gives for these values),
so a leaf explains itself to anyone who reads it.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import Mapper, Notification

from warroom.decoding import logged_event
from warroom.evidence.merkle import leaf_hash
from warroom.logged import LoggedEvent


def leaf_bytes(event: LoggedEvent) -> bytes:
    return canonical(event.to_json())


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def leaf_of(mapper: Mapper[Any], notification: Notification) -> bytes:
    """The leaf bytes of the stored event at one position of the log."""
    return leaf_bytes(logged_event(mapper, notification))


def leaf_hash_of(mapper: Mapper[Any], notification: Notification) -> bytes:
    return leaf_hash(leaf_of(mapper, notification))
