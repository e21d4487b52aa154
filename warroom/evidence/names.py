"""The events that name what a hand-over's leaf only points at.

A release's leaf says `"to": "<inspector id>"`, `"actor": "<user id>"` and
its request's id: ids, not names. A receipt carries the leaves of the events
that gave those ids their names, each with its own inclusion proof against
the same checkpoint, so that offline the receipt proves "Helen Ward (lead
inspector)" and the request's title, not only an id:

- the inspector: `InspectorJoined` on the inspection (`inspector_id` = `to`);
- the person who released it: their `UserAdded` (their user's first event);
- the request: `DocumentRequested` (its first event).

A case's copy answers to no request, and its case's first event holds the
case's people (social worker, team manager): it is left out, so a receipt
handed to someone shows nothing of a case beyond the copy itself.

`words(...)` turns checked naming events into the words a reader sees; it is
what `warroom verify-receipt` and the evidence page print.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from uuid import UUID

# A stored event's log position, by its aggregate and version.
Locate = Callable[[UUID, int], int]


def naming_positions(
    event: Mapping[str, Any], recorder: Any, mapper: Any, locate: Locate
) -> list[int]:
    """The log positions of the events that name a hand-over's inspector,
    actor and request; those that cannot be found are left out (a receipt
    without a name is still a receipt)."""
    found: list[tuple[UUID, int]] = []
    data = event.get("data") or {}
    if event.get("type") == "DocumentReleased":
        found += _first(
            recorder, mapper, event.get("aggregate_id"), "DocumentRequested"
        )
    found += _first(recorder, mapper, event.get("actor"), "UserAdded")
    to = data.get("to")
    if isinstance(to, str):
        found += _joined(recorder, mapper, event.get("inspection_id"), to)
    positions = []
    for aggregate_id, version in found:
        try:
            positions.append(locate(aggregate_id, version))
        except (AssertionError, TypeError, ValueError):
            continue
    return positions


def _uuid(text: Any) -> UUID | None:
    try:
        return UUID(str(text))
    except ValueError:
        return None


def _first(
    recorder: Any, mapper: Any, aggregate_id: Any, kind: str
) -> list[tuple[UUID, int]]:
    uuid = _uuid(aggregate_id)
    if uuid is None:
        return []
    stored = recorder.select_events(uuid, limit=1)
    if not stored or type(mapper.to_domain_event(stored[0])).__name__ != kind:
        return []
    return [(uuid, 1)]


def _joined(
    recorder: Any, mapper: Any, inspection_id: Any, inspector_id: str
) -> list[tuple[UUID, int]]:
    uuid = _uuid(inspection_id)
    if uuid is None:
        return []
    for stored in recorder.select_events(uuid):
        event = mapper.to_domain_event(stored)
        if (
            type(event).__name__ == "InspectorJoined"
            and getattr(event, "inspector_id", None) == inspector_id
        ):
            return [(uuid, int(event.originator_version))]
    return []


def words(
    event: Mapping[str, Any], naming: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """What the naming events say of the hand-over, in words: `to` (the
    inspector), `by` (who released it) and `request` (its title). A naming
    event that names something this hand-over does not point at is refused
    (ValueError): it would put a name on the wrong id."""
    data = event.get("data") or {}
    said: dict[str, str] = {}
    for named in naming:
        kind, facts = named.get("type"), named.get("data") or {}
        if (
            kind == "InspectorJoined"
            and facts.get("inspector_id") == data.get("to")
            and named.get("aggregate_id") == event.get("inspection_id")
        ):
            said["to"] = _named(str(facts["name"]), _inspector(facts))
        elif kind == "UserAdded" and named.get("aggregate_id") == event.get("actor"):
            role = str(facts.get("role", "")).replace("_", " ")
            said["by"] = f"{facts['name']} ({role})"
        elif kind == "DocumentRequested" and named.get("aggregate_id") == event.get(
            "aggregate_id"
        ):
            said["request"] = str(facts["title"])
        else:
            raise ValueError(f"a name ({kind}) is not of this hand-over")
    return said


def _named(name: str, what: str) -> str:
    # A name typed with its role already ("Helen Ward (lead inspector)")
    # is not given it twice.
    return name if f"({what})" in name else f"{name} ({what})"


def _inspector(facts: Mapping[str, Any]) -> str:
    kind = "lead inspector" if facts.get("lead") else "team inspector"
    agency = facts.get("agency")
    return f"{kind}, {agency}" if agency else kind
