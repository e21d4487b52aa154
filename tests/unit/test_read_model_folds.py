"""Every event type a read model folds in is one the domain raises.

The event types are taken from the aggregates themselves (each `@event`
makes a class named after its event), so a fold of a misspelt or retired
type fails here instead of silently never running.
"""

from __future__ import annotations

import importlib
import pkgutil

from eventsourcing.domain import Aggregate

import warroom.domain
from projections.events import INTERNAL_TYPES
from projections.views import MODELS


def _domain_event_types() -> set[str]:
    found: set[str] = set()
    for module_info in pkgutil.iter_modules(warroom.domain.__path__):
        module = importlib.import_module(f"warroom.domain.{module_info.name}")
        for aggregate in vars(module).values():
            if isinstance(aggregate, type) and issubclass(aggregate, Aggregate):
                found |= _event_types_of(aggregate)
    return found


def _event_types_of(aggregate: type[Aggregate]) -> set[str]:
    # The library gives every aggregate class an `Event` and a `Created` of its
    # own; no event is stored under either name.
    generic = {aggregate.Event, aggregate.Created}
    return {
        value.__name__
        for value in vars(aggregate).values()
        if isinstance(value, type)
        and issubclass(value, Aggregate.Event)
        and value not in generic
    }


def test_the_domain_event_types_are_found() -> None:
    types = _domain_event_types()

    assert {"InspectionOpened", "DocumentReleased", "MeetingMoved"} <= types
    assert not types & {"Event", "Created"}


def test_every_read_model_folds_only_event_types_the_domain_raises() -> None:
    types = _domain_event_types()

    for model in MODELS:
        assert model.event_types() <= types, (model.name, model.event_types() - types)


def test_the_internal_event_types_are_event_types_of_the_domain() -> None:
    assert _domain_event_types() >= INTERNAL_TYPES


def test_each_line_of_a_fold_table_names_the_method_for_its_type() -> None:
    for model in MODELS:
        for event_type, handler in model.folds.items():
            assert handler.__name__ == f"on_{event_type}", (model.name, event_type)
