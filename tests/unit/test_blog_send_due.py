"""When the server's own send finds a day's blog due (at the hour in the
inspection's zone, for an open inspection with a list, not before it starts,
and not once this process saw the day claimed)."""

from __future__ import annotations

from datetime import UTC, datetime
from datetime import time as time_of_day

from mail.blog_sender import due
from projections.events import LoggedEvent
from projections.views import Views
from tests.days import iso_day, moment
from tests.unit.logged import logged_event

IID = "11111111-1111-1111-1111-111111111111"
AT = time_of_day(18)


def _event(position: int, type_: str, **data: object) -> LoggedEvent:
    return logged_event(
        position,
        type_,
        data,
        at=moment(1, 9, tzinfo=UTC),
        inspection_id=IID,
        aggregate_id=IID if type_ == "InspectionOpened" else f"agg-{position}",
    )


def _views(*, listed: bool = True, phase: str | None = None) -> Views:
    views = Views()
    views.apply(
        _event(
            1,
            "InspectionOpened",
            title="SIF",
            framework="SIF",
            starts_on=iso_day(0),
            timezone="Pacific/Auckland",
        )
    )
    if listed:
        views.apply(
            _event(2, "RecipientAdded", name="Pat", email="p@x.example", group=None)
        )
    if phase:
        views.apply(_event(3, "PhaseEntered", phase=phase))
    return views


def _when(iso: str) -> list[tuple[str, str]]:
    return [
        (i, d.isoformat()) for i, d in due(_views(), datetime.fromisoformat(iso), AT)
    ]


def test_the_blog_is_due_at_the_hour_in_the_inspections_own_zone() -> None:
    # 18:00 in Auckland (UTC+13 in November) is 05:00 UTC.
    assert _when(f"{iso_day(1)}T04:59:59+00:00") == []
    assert _when(f"{iso_day(1)}T05:00:00+00:00") == [(IID, iso_day(1))]


def test_no_blog_is_due_before_the_inspection_starts_or_once_it_is_closed() -> None:
    before = datetime.fromisoformat(f"{iso_day(-1)}T06:00:00+00:00")
    after = datetime.fromisoformat(f"{iso_day(1)}T06:00:00+00:00")
    assert list(due(_views(), before, AT)) == []
    assert list(due(_views(phase="closed"), after, AT)) == []


def test_no_blog_is_due_with_no_one_on_the_list_or_once_the_day_is_claimed() -> None:
    after = datetime.fromisoformat(f"{iso_day(1)}T06:00:00+00:00")
    assert list(due(_views(listed=False), after, AT)) == []
    claimed = _views()
    claimed.apply(
        _event(4, "BlogSendClaimed", day=iso_day(1), attempt=1, trigger="schedule")
    )
    assert list(due(claimed, after, AT)) == []
