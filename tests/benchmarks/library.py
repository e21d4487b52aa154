"""The eventsourcing library alone: the baselines the product is measured against."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from warroom.application import WarRoom
from warroom.config import Database


class Note(Aggregate):
    """About the size of a war-room event: a few strings and the same meta."""

    @event("NoteWritten")
    def __init__(self, inspection_id: str, title: str, meta: dict[str, Any]) -> None:
        self.inspection_id = inspection_id
        self.title = title


class Baseline(Application[UUID]):
    name = "Baseline"


def library_append(url: str, seconds: float, max_events: int) -> float:
    """Events/s: one new event per transaction, serially, until time or count."""
    app = Baseline(env=Database.from_url(url).library_env())
    inspection_id = "6f1c2b8e-6a43-4b43-9b0e-3f7f8e1a9c55"
    meta: dict[str, Any] = {
        "actor": "0b7c1f5e-8d9a-4a43-9b0e-3f7f8e1a9c55",
        "actor_name": "Karen Andrews",
        "occurred_at": datetime.now(UTC).isoformat(),
        "inspection_id": inspection_id,
        "idempotency_key": None,
    }
    try:
        for _ in range(20):  # warm the connection and the code paths
            app.save(Note(inspection_id, "warm-up", meta))
        count = 0
        started = time.perf_counter()
        deadline = started + seconds
        while count < max_events and time.perf_counter() < deadline:
            app.save(Note(inspection_id, "Supervision records", meta))
            count += 1
        return count / (time.perf_counter() - started)
    finally:
        app.close()


def library_replay(app: WarRoom, batch: int = 5000) -> tuple[int, float]:
    """Reads and decodes the whole log: (events, seconds)."""
    total = app.recorder.max_notification_id() or 0
    started = time.perf_counter()
    position = 0
    count = 0
    for _ in range(total // batch + 2):
        notifications = app.recorder.select_notifications(
            start=position, limit=batch, stop=total, inclusive_of_start=False
        )
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started
