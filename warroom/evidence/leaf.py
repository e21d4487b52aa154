"""A leaf of the log's Merkle tree: one stored event's canonical JSON.

The bytes are `LoggedEvent.to_json()` (what `/events` shows: position, type,
both times, actor, inspection, aggregate id and version, data) serialised with
keys sorted, no spaces, UTF-8 (what `json.dumps(v, sort_keys=True,
separators=(",", ":"), ensure_ascii=False).encode()` gives for these values),
so a leaf explains itself to anyone who reads it.

Two versions, told apart by the bytes themselves:

- version 1 (every leaf stored before issue 22's positions): `position` is the
  event's position in the database's one log, which numbers every council's
  events together, so a council's leaves showed, by their gaps, how many
  events other councils stored between its own;
- version 2 (every leaf appended since): `position` is the event's position
  in its own council's tree, its leaf index + 1 (1, 2, 3... with no gaps,
  whatever other councils store), and `"leaf_version": 2` says so.

A stored leaf is never rewritten: a tree holds version 1 leaves up to some
index and version 2 from there on (`LeafVersions`), and whoever recomputes a
leaf (`warroom verify`, the live check, receipts, export and import) makes
the version its stored hash was made with. An offline verifier needs neither:
it hashes the leaf bytes it is given, whatever their version.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import Mapper, Notification

from warroom.decoding import logged_event
from warroom.evidence.merkle import leaf_hash
from warroom.logged import LoggedEvent

V1, V2 = 1, 2
LATEST = V2
VERSION_FIELD = "leaf_version"


def leaf_bytes(event: LoggedEvent, index: int | None = None) -> bytes:
    """Version 1 (`index` None): the event at its position in the log;
    version 2: at its position in its tree, `index` + 1."""
    if index is None:
        return canonical(event.to_json())
    return canonical({**event.to_json(), "position": index + 1, VERSION_FIELD: V2})


def leaf_version(leaf: bytes) -> int:
    """The version a leaf's bytes were made in (version 1 names none)."""
    try:
        value = orjson.loads(leaf)
    except orjson.JSONDecodeError:
        return V1
    if isinstance(value, dict) and value.get(VERSION_FIELD) == V2:
        return V2
    return V1


def leaf_in(event: LoggedEvent, index: int, version: int) -> bytes:
    """The leaf of `event` at leaf `index` of its tree, in `version`."""
    return leaf_bytes(event, index if version == V2 else None)


class LeafVersions:
    """Which version each leaf of one tree, walked in leaf order, was made in:
    version 1 until the first leaf that is not, version 2 from there on (a
    tree never goes back: a version 1 leaf after a version 2 one is a break)."""

    def __init__(self) -> None:
        self.version = V1

    def matching(self, event: LoggedEvent, index: int, hashed: bytes) -> bytes | None:
        """The leaf bytes of `event` at `index` whose hash is `hashed`, in
        this tree's version there; None if no version allowed there hashes
        to it (the event was altered, or the leaf)."""
        if self.version == V1:
            leaf = leaf_bytes(event)
            if leaf_hash(leaf) == hashed:
                return leaf
        leaf = leaf_bytes(event, index)
        if leaf_hash(leaf) == hashed:
            self.version = V2
            return leaf
        return None


def leaf_matching(event: LoggedEvent, index: int, hashed: bytes) -> bytes | None:
    """The leaf bytes of `event` at `index`, in whichever version hashes to
    `hashed` (one leaf on its own: a receipt's, an export's line)."""
    return LeafVersions().matching(event, index, hashed)


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def leaf_of(mapper: Mapper[Any], notification: Notification) -> bytes:
    """The version 1 leaf bytes of the stored event at one position."""
    return leaf_bytes(logged_event(mapper, notification))


def leaf_hash_of(mapper: Mapper[Any], notification: Notification) -> bytes:
    return leaf_hash(leaf_of(mapper, notification))
