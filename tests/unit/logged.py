"""Logged events made by hand, for folding into a read model in unit tests."""

from __future__ import annotations

from datetime import datetime

from projections.events import LoggedEvent


def logged_event(
    position: int,
    type_: str,
    data: dict[str, object],
    *,
    at: datetime,
    inspection_id: str,
    aggregate_id: str,
    actor_name: str = "U",
    aggregate_version: int = 1,
) -> LoggedEvent:
    """An event as the log hands it to the read side, recorded and occurring
    at `at`, by user "u"."""
    return LoggedEvent(
        position=position,
        type=type_,
        recorded_at=at,
        occurred_at=at,
        actor="u",
        actor_name=actor_name,
        inspection_id=inspection_id,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        data=dict(data),
        recorded_iso=at.isoformat(),
        occurred_iso=at.isoformat(),
    )
