"""The events that gained a reason or a sample in issue 23 still read as
they were stored before: version 1 is upcast, never rewritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from tests.days import iso_day
from warroom.domain.base import Context
from warroom.domain.case import Case
from warroom.domain.day import ClosedDay
from warroom.domain.playbook import Playbook


def _meta() -> dict[str, Any]:
    return Context("u", "U", datetime.now(UTC)).meta()


def _app() -> Application:  # type: ignore[type-arg]
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def _as_version_1(app: Application, field: str) -> Any:  # type: ignore[type-arg]
    """The first stored event as version 1 stored it: without `field`."""
    stored = app.recorder.select_notifications(start=1, limit=1)[0]
    state = json.loads(stored.state)
    assert state["class_version"] == 2
    del state[field], state["class_version"]
    return app.mapper.to_domain_event(
        StoredEvent(
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=json.dumps(state).encode(),
        )
    )


def _made(kind: str) -> tuple[Aggregate, str]:
    if kind == "DayClosed":
        day = ClosedDay(inspection_id="i", day=iso_day(1), meta=_meta())
        return day, "early_reason"
    if kind == "CaseSelected":
        case = Case(
            inspection_id="i",
            ref="CP-1",
            selection="audited",
            plan="CP",
            social_worker=None,
            team_manager=None,
            iro=None,
            meta=_meta(),
        )
        return case, "over_reason"
    playbook = Playbook(
        inspection_id="i", template="SIF", responsibilities=[], tasks=[], meta=_meta()
    )
    return playbook, "sample"


@pytest.mark.parametrize("kind", ["DayClosed", "CaseSelected", "PlaybookStarted"])
def test_an_event_stored_before_it_had_its_new_field_still_reads_as_none(
    kind: str,
) -> None:
    app = _app()
    aggregate, field = _made(kind)
    app.save(aggregate)

    event = _as_version_1(app, field)

    assert type(event).__name__ == kind
    assert getattr(event, field) is None
    rebuilt = event.mutate(None)
    assert getattr(rebuilt, field) is None


def test_the_reasons_are_stored_in_version_2() -> None:
    app = _app()
    day = ClosedDay(
        inspection_id="i",
        day=iso_day(1),
        meta=_meta(),
        early_reason="feedback moved",
    )
    app.save(day)
    stored = app.recorder.select_notifications(start=1, limit=1)[0]
    assert json.loads(stored.state)["early_reason"] == "feedback moved"
    assert stored.topic.endswith("ClosedDay.DayClosed")
