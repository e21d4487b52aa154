"""Read models per inspection (issue 14): loaded when asked for, saved one row
each (only those that changed), dropped past WARROOM_MAX_LIVE_INSPECTIONS
(closed ones first), and past views of one inspection read through the index.

Each is held to what a server answered before, or to a fold of the whole log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from projections import follower, saved
from projections.audit import Timeline
from projections.follower import ReadSide, read_events
from projections.views import Views
from tests.helpers import Inspection, WarRoomClient, logged_events, new_request
from tests.integration.story import (
    WHEN_ASKED,
    act_one,
    read_everything,
    without,
    without_ages,
)
from warroom.application import WarRoom
from warroom.config import Database, Settings
from web.app import create_app
from web.state import ServerState


@contextmanager
def server(
    database_url: str, signed_in: WarRoomClient | None = None, most: int = 100
) -> Iterator[WarRoomClient]:
    settings = Settings(
        database_url=database_url,
        max_body_bytes=1_000_000,
        max_live_inspections=most,
    )
    with TestClient(create_app(settings)) as http:
        if signed_in is None:
            client = WarRoomClient(http=http)
            client.add_users()
        else:
            client = WarRoomClient(
                http=http, tokens=signed_in.tokens, user_ids=signed_in.user_ids
            )
        yield client


def read_side(client: WarRoomClient) -> ReadSide:
    state: ServerState = client.http.app.state.warroom  # type: ignore[attr-defined]
    return state.read_side


def comparable(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        name: without_ages(without(answer, WHEN_ASKED))
        if "requests" in name
        else without(answer, WHEN_ASKED)
        for name, answer in answers.items()
    }


def saved_rows(app: WarRoom, ids: list[str]) -> dict[str, int]:
    """Each inspection's saved row's position (absent: never saved)."""
    found = {}
    for inspection_id in ids:
        row = app.store.load_inspection_views(app.name, inspection_id)
        if row is not None:
            found[inspection_id] = row[0]
    return found


def test_a_process_starts_with_no_inspection_loaded_and_loads_only_what_is_asked(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspections = [Inspection.open(client) for _ in range(3)]
        act_one(client, inspections[0])
        new_request(client, inspections[1])
        before = [read_everything(client, i) for i in inspections]

    with server(database_url, client) as restarted:
        side = read_side(restarted)
        assert side.loaded.held() == {}
        assert len(side.loaded) == 3  # every one known
        first = read_everything(restarted, inspections[0])
        assert set(side.loaded.held()) == {inspections[0].id}
        after = [first] + [read_everything(restarted, i) for i in inspections[1:]]
    assert [comparable(a) for a in after] == [comparable(b) for b in before]


def test_past_the_bound_inspections_are_dropped_closed_first_and_answer_the_same(
    database_url: str,
) -> None:
    with server(database_url, most=2) as client:
        inspections = [Inspection.open(client) for _ in range(4)]
        for inspection in inspections:
            new_request(client, inspection)
        closed = inspections[0]
        client.ok("lead", f"{closed.path}/phase", {"phase": "closed"})
        before = [read_everything(client, i) for i in inspections]
        side = read_side(client)
        assert len(side.loaded.held()) <= 2
        # Asked for in turn, the closed one goes before an open one does.
        read_everything(client, closed)
        read_everything(client, inspections[1])
        read_everything(client, inspections[2])
        assert closed.id not in side.loaded.held()
        assert inspections[2].id in side.loaded.held()
        # Commands on a dropped inspection load it again and go on from there.
        dropped = next(i for i in inspections[1:] if i.id not in side.loaded.held())
        new_request(client, dropped)
        again = [read_everything(client, i) for i in inspections]
        assert len(side.loaded.held()) <= 2
        # And everything equals a fold of the whole log.
        whole = side.as_of(client.stored())
        held = side.read(lambda views: views.to_json()["inspections"])
        assert held == whole.to_json()["inspections"]
    changed = inspections.index(dropped)
    assert [comparable(a) for i, a in enumerate(again) if i != changed] == [
        comparable(b) for i, b in enumerate(before) if i != changed
    ]


def test_only_the_inspections_that_changed_are_saved_again(database_url: str) -> None:
    with server(database_url) as client:
        inspections = [Inspection.open(client) for _ in range(3)]
        ids = [i.id for i in inspections]
        side = read_side(client)
        assert side.wait_for(client.stored(), 10)
        side.save()
        first = saved_rows(client.app, ids)
        assert set(first) == set(ids)
        new_request(client, inspections[1])
        assert side.wait_for(client.stored(), 10)
        side.save()
        second = saved_rows(client.app, ids)
    assert second[ids[1]] > first[ids[1]]
    assert {i: second[i] for i in (ids[0], ids[2])} == {
        i: first[i] for i in (ids[0], ids[2])
    }


def test_a_past_view_of_one_inspection_equals_that_of_the_whole_log(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspections = [Inspection.open(client) for _ in range(2)]
        act_one(client, inspections[0])
        new_request(client, inspections[1])
        new_request(client, inspections[0])
        side = read_side(client)
        side.marks = type(side.marks)(every=3, cap=4)  # start from checkpoints
        positions = [0, *(e.position for e in read_events(client.app, 0, None))]
        for position in positions + positions[::-1]:
            whole = side.as_of(position)
            for inspection in inspections:
                one = side.as_of(position, inspection.id)
                assert one.position == whole.position
                assert one.recorded_at == whole.recorded_at
                assert one.users == whole.users
                assert one.organisations == whole.organisations
                mine = one.inspections.get(inspection.id)
                theirs = whole.inspections.get(inspection.id)
                assert (mine and mine.to_json()) == (theirs and theirs.to_json())
                assert set(one.inspections) <= {inspection.id}


def test_state_saved_whole_is_loaded_one_inspection_at_a_time(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspection = Inspection.open(client)
        act_one(client, inspection)
        before = read_everything(client, inspection)
    app = WarRoom(Database.from_url(database_url))
    try:
        views, timeline = Views(), Timeline()
        for event in read_events(app, 0, None):
            views.apply(event)
            timeline.add(event.position, event.recorded_at)
        app.store.reset_views(app.name)
        app.store.save_views(
            saved.encode(views, timeline), Tracking(app.name, views.position)
        )
    finally:
        app.close()
    with server(database_url, client) as restarted:
        whole = read_everything(restarted, inspection)
    assert comparable(whole) == comparable(before)


def test_one_inspections_reads_never_scan_the_log(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with server(database_url) as client:
        inspection, other = Inspection.open(client), Inspection.open(client)
        then = act_one(client, inspection)
        new_request(client, other)
        before = read_everything(client, inspection)
        past = read_everything(client, inspection, at=then)

    def scanned(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise AssertionError("the whole log was scanned")

    # Every reader of the log by position goes through this one function.
    monkeypatch.setattr(follower, "read_events", scanned)
    with server(database_url, client) as restarted:
        assert comparable(read_everything(restarted, inspection)) == comparable(before)
        again = read_everything(restarted, inspection, at=then)
        events = logged_events(restarted, inspection)
    assert comparable(again) == comparable(past)
    assert {e["inspection_id"] for e in events} == {inspection.id}


def test_a_refold_from_nothing_keeps_to_the_bound_and_answers_as_before(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with server(database_url) as client:
        inspections = [Inspection.open(client) for _ in range(3)]
        for inspection in inspections:
            new_request(client, inspection)
        act_one(client, inspections[1])
        before = [read_everything(client, i) for i in inspections]
    app = WarRoom(Database.from_url(database_url))
    try:
        app.store.reset_views(app.name)  # as after a killed `warroom rebuild`
    finally:
        app.close()
    # Folded in pages (as a long log would be), one inspection held at most.
    monkeypatch.setattr(follower, "CATCH_UP_AT_LEAST", 1)
    held: list[int] = []
    keep = follower.ReadSide._fold

    def counting(self: ReadSide, event: Any, *, mark: bool) -> Any:
        changes = keep(self, event, mark=mark)
        held.append(len(self.loaded.held()))
        return changes

    monkeypatch.setattr(follower.ReadSide, "_fold", counting)
    with server(database_url, client, most=1) as restarted:
        after = [read_everything(restarted, i) for i in inspections]
        side = read_side(restarted)
        whole = side.as_of(restarted.stored())
        now = side.read(lambda views: views.to_json())
    assert held and max(held) <= 1
    assert [comparable(a) for a in after] == [comparable(b) for b in before]
    assert now == whole.to_json()
