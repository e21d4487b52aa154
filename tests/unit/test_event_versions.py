"""Stored events keep their meaning: old versions are upcast, never rewritten."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from tests.days import iso_day
from warroom.domain.base import Context
from warroom.domain.meeting import Meeting


def _app() -> Application:  # type: ignore[type-arg]
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def _meeting() -> Meeting:
    return Meeting(
        inspection_id="i",
        title="KIT",
        kind="kit",
        starts_at=f"{iso_day(2)}T09:00:00+00:00",
        ends_at=f"{iso_day(2)}T09:30:00+00:00",
        venue="Room 1",
        attendees=[],
        inspectors=[],
        topics=[],
        meta=Context("u", "U", datetime.now(UTC)).meta(),
    )


def test_a_meeting_moved_event_stored_before_it_had_a_reason_still_reads() -> None:
    app = _app()
    meeting = _meeting()
    meeting.move("Room 2", "clash", Context("u", "U", datetime.now(UTC)))
    app.save(meeting)
    stored = app.recorder.select_notifications(start=1, limit=10)[1]
    # What version 1 of MeetingMoved looked like in the store: no reason, no version.
    state = json.loads(stored.state)
    del state["reason"], state["class_version"]
    version_1 = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )

    event = app.mapper.to_domain_event(version_1)

    assert (event.venue, event.reason) == ("Room 2", None)  # type: ignore[attr-defined]


def test_a_meeting_moved_event_records_why() -> None:
    app = _app()
    meeting = _meeting()
    meeting.move(
        "Room 2", "the room was double booked", Context("u", "U", datetime.now(UTC))
    )
    app.save(meeting)
    stored = app.recorder.select_notifications(start=2, limit=1)[0]
    assert json.loads(stored.state)["reason"] == "the room was double booked"
    assert json.loads(stored.state)["class_version"] == 2
