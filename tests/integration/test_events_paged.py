"""`GET /events` reads the log a page at a time, off the routes' threads.

It answers what it always did (the inspection's events after `after`, at most
`limit`, and `next`), while the reading is done on the catch-up executor in
bounded pages, as the stream's catch-up is (web/catchup.py).
"""

from __future__ import annotations

import threading
from itertools import islice
from typing import Any

import pytest

from projections.follower import inspection_events
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient
from web import catchup


def _interleaved(client: WarRoomClient, inspection: Inspection) -> Inspection:
    """Another inspection whose events lie between this one's."""
    other = Inspection.open(client)
    for n in range(6):
        for target in (inspection, other, other):
            client.ok(
                "lead",
                f"{target.path}/blog",
                {"day": iso_day(1), "title": f"Post {n}", "body": "text"},
            )
    return other


def _as_before(
    client: WarRoomClient, inspection: Inspection, after: int, limit: int
) -> dict[str, Any]:
    """What the route answered when it scanned the log in one go."""
    upto = client.stored()
    found = list(
        islice(inspection_events(client.app, inspection.id, after, upto), limit)
    )
    scanned = found[-1].position if len(found) == limit else max(after, upto)
    return {"events": [e.to_json() for e in found], "next": scanned}


@pytest.mark.parametrize("page", [2, 3, 1000])
def test_events_answers_what_one_scan_of_the_log_answered(
    client: WarRoomClient,
    inspection: Inspection,
    monkeypatch: pytest.MonkeyPatch,
    page: int,
) -> None:
    _interleaved(client, inspection)
    monkeypatch.setattr(catchup, "PAGE_NOTIFICATIONS", page)
    head = client.stored()
    for after in (0, 5, head - 4, head, head + 10):
        for limit in (1, 2, 4, 1000):
            response = client.get(
                "auditor", f"{inspection.path}/events", after=after, limit=limit
            )
            assert response.status_code == 200, response.text
            expected = _as_before(client, inspection, after, limit)
            assert response.json() == expected, (after, limit)


def test_paging_with_next_reads_every_event_of_the_inspection_once(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = _interleaved(client, inspection)
    monkeypatch.setattr(catchup, "PAGE_NOTIFICATIONS", 4)
    for target in (inspection, other):
        positions: list[int] = []
        after = 0
        while True:
            body = client.get(
                "auditor", f"{target.path}/events", after=after, limit=3
            ).json()
            if not body["events"]:
                break
            positions += [e["position"] for e in body["events"]]
            assert body["next"] > after
            after = body["next"]
        expected = [e.position for e in inspection_events(client.app, target.id)]
        assert positions == expected


def test_the_log_is_read_on_the_catch_up_executor_not_a_route_thread(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    _interleaved(client, inspection)
    threads: list[str] = []
    read = catchup.read_events_page

    def noting_thread(*args: Any) -> catchup.EventsPage:
        threads.append(threading.current_thread().name)
        return read(*args)

    monkeypatch.setattr(catchup, "read_events_page", noting_thread)
    monkeypatch.setattr(catchup, "PAGE_NOTIFICATIONS", 5)
    response = client.get("auditor", f"{inspection.path}/events", limit=1000)
    assert response.status_code == 200
    assert len(response.json()["events"]) == 3 + 6
    # Bounded pages (9 events, 5 a page, through the index), each on the
    # catch-up executor.
    assert len(threads) == 2
    assert all(name.startswith("catch-up") for name in threads), threads


def test_events_of_an_unknown_inspection_are_not_found(client: WarRoomClient) -> None:
    response = client.get("auditor", "/api/inspections/nothing/events")
    assert response.status_code == 404
