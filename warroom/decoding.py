"""Stored events turned straight into `LoggedEvent`s.

The library's mapper turns each stored event into a domain event object (its
JSON decoder calls back into Python for every object in it), and the read
side would then copy that object out again into plain data. The read side
needs only the plain data, so for the common case it parses the stored JSON
itself, with orjson, and builds the `LoggedEvent` at once. That halves the
cost of reading the log, which is most of the cost of a rebuild.

It takes this short cut only when the result is certain to be the same as the
library's (a test holds the two paths equal over a whole generated log):

- the event is stored at its class's current version: an older one goes
  through the library's mapper, so the library's upcasters still apply;
- the only value the library's transcoder would revive is the event's own
  timestamp (every other value is plain JSON).

Encrypted or compressed payloads are decrypted and decompressed first, as the
library's mapper does, and then take the same short cut: only the JSON
decoding differs between the two paths, never the cipher.

Anything else is decoded by the library's mapper, then copied out.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import resolve_topic

from warroom.logged import LoggedEvent

# How the library's JSON transcoder marks a value it will revive (a datetime,
# a UUID...). Only ever a key: inside a string the quotes would be escaped.
_REVIVED_VALUE = b'"_type_"'

# Event class name and current class version, by stored topic.
_classes: dict[str, tuple[str, int]] = {}


def logged_event(mapper: Mapper[Any], notification: Notification) -> LoggedEvent:
    """The stored event at one position of the log, as the read side sees it."""
    name, current_version = _event_class(notification.topic)
    try:
        state = _in_clear(mapper, notification.state)
    except Exception:  # the library's mapper says what is wrong, its own way
        return _through_library(mapper, notification)
    if state.count(_REVIVED_VALUE) != 1:  # the timestamp, and nothing else
        return _through_library(mapper, notification)
    data: dict[str, Any] = orjson.loads(state)
    if data.pop("class_version", 1) != current_version:
        return _through_library(mapper, notification)
    recorded = data.pop("timestamp")
    if recorded.get("_type_") != "datetime_iso":
        return _through_library(mapper, notification)
    recorded_iso: str = recorded["_data_"]
    meta: dict[str, Any] = data.pop("meta")
    data.pop("originator_topic", None)  # stored with an aggregate's first event
    occurred_iso: str = meta["occurred_at"]
    aggregate_id = _id_text(notification.originator_id)
    return LoggedEvent(
        position=notification.id,
        type=name,
        recorded_at=datetime.fromisoformat(recorded_iso),
        occurred_at=datetime.fromisoformat(occurred_iso),
        actor=meta["actor"],
        actor_name=meta.get("actor_name", ""),
        inspection_id=LoggedEvent.inspection_of(name, aggregate_id, meta),
        aggregate_id=aggregate_id,
        aggregate_version=notification.originator_version,
        data=data,
        recorded_iso=recorded_iso,
        occurred_iso=occurred_iso,
    )


def _in_clear(mapper: Mapper[Any], state: bytes) -> bytes:
    # In the library's order (`Mapper.to_domain_event`): decrypt, decompress.
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return state


def _through_library(mapper: Mapper[Any], notification: Notification) -> LoggedEvent:
    event = mapper.to_domain_event(notification)
    return LoggedEvent.from_domain_event(event, notification.id)


@lru_cache(maxsize=4096)
def _id_text(originator_id: UUID | str) -> str:
    # An aggregate's id comes back once for each of its events, most often
    # close together: looking its text up costs a fifth of making it again
    # (UUID.__str__ is Python). 4,096 ids hit as often as 65,536 did over a
    # 300,000-event log, for a megabyte at most.
    return str(originator_id)


def _event_class(topic: str) -> tuple[str, int]:
    found = _classes.get(topic)
    if found is None:
        cls = resolve_topic(topic)
        found = _classes[topic] = (cls.__name__, getattr(cls, "class_version", 1))
    return found
