"""The rule of `happened_by` (projections/happened.py): an event counts from
the latest of when it happened, its aggregate's earlier events and the
inspection's opening, which counts from the first thing that happened."""

from __future__ import annotations

from datetime import UTC, datetime

from projections.events import LoggedEvent
from projections.happened import happened_by
from tests.days import moment

DAY = moment(1, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


def event(position: int, kind: str, aggregate: str, happened: datetime) -> LoggedEvent:
    recorded = at(23)  # everything written down late that night
    return LoggedEvent(
        position=position,
        type=kind,
        recorded_at=recorded,
        occurred_at=happened,
        actor="u",
        actor_name="U",
        inspection_id="i",
        aggregate_id=aggregate,
        aggregate_version=position,
        data={},
        recorded_iso=recorded.isoformat(),
        occurred_iso=happened.isoformat(),
    )


LOG = [
    # Opened in the system at 11:00, for a notification call at 08:00.
    event(1, "InspectionOpened", "i", at(11)),
    event(2, "DocumentRequested", "r", at(8)),
    event(3, "RequestAssigned", "r", at(9)),
    # Said to have happened before the assignment it follows: it cannot.
    event(4, "DocumentAttached", "r", at(8, 30)),
    event(5, "MeetingScheduled", "m", at(8, 15)),
]


def positions(instant: datetime) -> list[int]:
    return [e.position for e in happened_by(instant, LOG)]


def test_nothing_before_the_first_thing_happened() -> None:
    assert positions(at(7, 59)) == []


def test_the_opening_counts_from_the_first_thing_that_happened() -> None:
    assert positions(at(8)) == [1, 2]
    assert positions(at(8, 15)) == [1, 2, 5]


def test_an_aggregates_events_count_as_a_prefix_in_their_own_order() -> None:
    # The attachment "at 08:30" follows the 09:00 assignment: it counts from 09:00.
    assert positions(at(8, 45)) == [1, 2, 5]
    assert positions(at(9)) == [1, 2, 3, 4, 5]


def test_the_events_fold_in_the_logs_order() -> None:
    assert positions(at(23)) == [1, 2, 3, 4, 5]
