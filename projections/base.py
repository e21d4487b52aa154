"""What every read model is: a fold over the events it has seen.

A read model's records are never changed in place: an event replaces a record
with a new one. So a checkpoint is a cheap shallow copy of the containers, and
the audit replay can keep many of them in memory while sharing the records.

Each model's module types its rows as `TypedDict`s (plain dicts at run time):
`...Record` for what it holds, `...Row` for a record as an answer shows it,
`...Answer` for what a route asks of it; only the raw payload of an event
(`LoggedEvent.data`) and a model's saved state stay loosely typed.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Self, TypeVar, cast

from projections.events import LoggedEvent

log = logging.getLogger(__name__)

T = TypeVar("T", bound=Mapping[str, Any])
R = TypeVar("R")

# A row one event changed, as the live stream sends it.
Row = Mapping[str, object]
# How a model folds in one event type: the method, unbound, of the model.
Handler = Callable[[Any, LoggedEvent], "Row | None"]
# The same, bound to one model: folds the event in, returns the row it changed.
Fold = Callable[[LoggedEvent], "Row | None"]
# A model's table: event type -> the method that folds it in.
Folds = Mapping[str, Handler]
# A model's saved state: its attributes, as JSON.
ModelJson = dict[str, Any]


class ReadModel:
    """Subclasses define `name` (the key their state is saved under, their
    module's name and the route's noun) and `folds`, the table of which method
    folds in each event type. A table rather than methods found by name: what
    a model folds is written in one place, and a query is never taken for a
    fold (a test checks every type in a table is a type some event has)."""

    name: ClassVar[str]
    folds: ClassVar[Folds]

    @classmethod
    def event_types(cls) -> frozenset[str]:
        """The event types this model folds in; others never reach it."""
        return frozenset(cls.folds)

    def folder(self, event_type: str) -> Fold | None:
        """What folds one event of this type in and returns the row it changed
        (for the live page); None if this model ignores the type. Found once
        per type by `InspectionViews`, not looked up again for every event."""
        handler = self.folds.get(event_type)
        return None if handler is None else handler.__get__(self)

    def copy(self) -> Self:
        """A checkpoint: new containers, two levels deep, sharing the records."""
        clone = copy.copy(self)
        for attr, value in vars(self).items():
            setattr(clone, attr, _copy_container(value))
        return clone

    def to_json(self) -> ModelJson:
        return dict(vars(self))

    @classmethod
    def from_json(cls, raw: ModelJson) -> Self:
        model = cls()
        for attr, value in raw.items():
            setattr(model, attr, value)
        return model


def _copy_container(value: object) -> object:
    if isinstance(value, dict):
        return {k: list(v) if isinstance(v, list) else v for k, v in value.items()}
    if isinstance(value, list):
        return list(value)
    return value


def each_rendered(items: Iterable[T], render: Callable[[T], R]) -> list[R]:
    """Each record as an answer shows it. One that cannot be shown (a record
    the code did not foresee, from an event stored long ago) is shown as it
    is stored, marked with `error`, and logged: the rest of the answer stands,
    rather than the whole route failing for one record."""
    shown: list[R] = []
    for item in items:
        try:
            shown.append(render(item))
        except Exception as error:
            log.exception("a record could not be shown: %s", item.get("id"))
            shown.append(cast(R, {**item, "error": _why(error)}))
    return shown


def each_converted(items: Iterable[T], convert: Callable[[T], R]) -> list[R]:
    """Each record converted (to its time slot, to its day); one that cannot
    be is left out and logged, for a question about it has no answer."""
    converted: list[R] = []
    for item in items:
        try:
            converted.append(convert(item))
        except Exception:
            log.exception("a record could not be placed: %s", item.get("id"))
    return converted


def _why(error: Exception) -> str:
    return f"this record could not be shown ({type(error).__name__})"
