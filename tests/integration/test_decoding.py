"""The read side's own decoding of stored events equals the library's.

`projections.decoding` parses stored JSON itself for speed; these tests hold
it to the library's mapper (then `LoggedEvent.from_domain_event`) event for
event, over a generated log of every kind of event and over stored events
only the library's path can read (an old class version, revived values).
"""

from __future__ import annotations

import json
import time
from typing import Any

from eventsourcing.persistence import Notification, StoredEvent

from projections.decoding import logged_event
from projections.events import LoggedEvent
from tests.benchmarks.workload import stage_inspection
from tests.days import iso_day
from warroom.application import WarRoom
from warroom.config import Database


def _library_decoded(app: WarRoom, notification: Notification) -> LoggedEvent:
    event = app.mapper.to_domain_event(notification)
    return LoggedEvent.from_domain_event(event, notification.id)


def _all_notifications(app: WarRoom) -> list[Notification]:
    return list(app.recorder.select_notifications(start=1, limit=1_000_000))


def test_every_event_of_a_generated_log_decodes_as_the_library_does(
    database_url: str,
) -> None:
    stage_inspection(database_url, 3000, seed=11, deadline=time.time() + 300)
    app = WarRoom(Database.from_url(database_url))
    try:
        notifications = _all_notifications(app)
        types = {n.topic.rsplit(".", 1)[-1] for n in notifications}
        assert {"MeetingMoved", "DocumentReleased", "CaseBrowsed"} <= types
        for notification in notifications:
            ours = logged_event(app.mapper, notification)
            assert ours == _library_decoded(app, notification), notification.topic
    finally:
        app.close()


def _stored_variant(
    app: WarRoom, type_name: str, change: Any, version_offset: int
) -> Notification:
    """A stored event of `type_name`, changed, appended to the log again."""
    original = next(
        n for n in _all_notifications(app) if n.topic.endswith(f".{type_name}")
    )
    state = json.loads(original.state)
    change(state)
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=original.originator_id,
                originator_version=original.originator_version + version_offset,
                topic=original.topic,
                state=json.dumps(state).encode(),
            )
        ]
    )
    return _all_notifications(app)[-1]


def test_events_the_short_cut_cannot_read_go_through_the_library(
    database_url: str,
) -> None:
    stage_inspection(database_url, 600, seed=12, deadline=time.time() + 300)
    app = WarRoom(Database.from_url(database_url))
    try:

        def as_version_1(state: dict[str, Any]) -> None:
            del state["reason"], state["class_version"]

        def with_a_revived_value(state: dict[str, Any]) -> None:
            state["checked_at"] = {
                "_type_": "datetime_iso",
                "_data_": f"{iso_day(2)}T09:00:00+00:00",
            }

        def with_marker_text(state: dict[str, Any]) -> None:
            state["title"] = 'a title holding "_type_" in quotes'

        version_1 = _stored_variant(app, "MeetingMoved", as_version_1, 1000)
        revived = _stored_variant(app, "DocumentRequested", with_a_revived_value, 1000)
        marked = _stored_variant(app, "DocumentRequested", with_marker_text, 1001)

        upcast = logged_event(app.mapper, version_1)
        assert upcast == _library_decoded(app, version_1)
        assert upcast.data["reason"] is None  # the library's upcaster ran
        assert logged_event(app.mapper, revived) == _library_decoded(app, revived)
        assert logged_event(app.mapper, revived).data["checked_at"] == (
            f"{iso_day(2)}T09:00:00+00:00"
        )
        assert logged_event(app.mapper, marked) == _library_decoded(app, marked)
        assert logged_event(app.mapper, marked).data["title"].endswith('" in quotes')
    finally:
        app.close()
