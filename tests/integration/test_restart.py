"""Restarting the server keeps every read model, without replaying from zero.

The read side saves its state with the library's tracking record; a new
server loads it and follows the log from there. `warroom rebuild` drops it and
folds the whole log again, with the same result.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from projections import saved
from projections.audit import Timeline
from projections.follower import CATCH_UP_AT_LEAST, read_events
from projections.rebuild import rebuild
from projections.views import Views
from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from tests.helpers import Inspection, WarRoomClient
from tests.integration.story import (
    WHEN_ASKED,
    act_one,
    act_two,
    read_everything,
    without,
    without_ages,
)
from warroom.application import WarRoom
from warroom.config import Database, Settings
from web.app import create_app


@contextmanager
def server(
    database_url: str, signed_in: WarRoomClient | None = None
) -> Iterator[WarRoomClient]:
    """A server on the database; users are added once, their tokens kept."""
    settings = Settings(database_url=database_url, max_body_bytes=1_000_000)
    with TestClient(create_app(settings)) as http:
        if signed_in is None:
            client = WarRoomClient(http=http)
            client.add_users()
        else:
            client = WarRoomClient(
                http=http, tokens=signed_in.tokens, user_ids=signed_in.user_ids
            )
        yield client


@contextmanager
def log_only(database_url: str) -> Iterator[WarRoom]:
    """The log and its store, with no server running."""
    app = WarRoom(Database.from_url(database_url))
    try:
        yield app
    finally:
        app.close()


def comparable(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers without when they were asked, nor ages that grow as time passes."""
    return {
        name: without_ages(without(answer, WHEN_ASKED))
        if "requests" in name
        else without(answer, WHEN_ASKED)
        for name, answer in answers.items()
    }


def save_state(app: WarRoom, views: Views, timeline: Timeline) -> None:
    """Replaces the saved read models, as the read side itself saves them."""
    app.store.reset_views(app.name)
    app.store.save_views(
        saved.encode(views, timeline), Tracking(app.name, views.position)
    )


def test_a_restarted_server_answers_every_read_as_before_from_its_saved_state(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspection = Inspection.open(client)
        then = act_one(client, inspection)
        before = read_everything(client, inspection)
        last = client.stored()

    with log_only(database_url) as app:
        stored = app.store.load_views(app.name)
        tracked = app.store.max_tracking_id(app.name)
    assert stored is not None
    assert stored[0] == tracked == last > 0

    with server(database_url, client) as restarted:
        position = restarted.http.app.state.warroom.read_side.position  # type: ignore[attr-defined]
        after = read_everything(restarted, inspection)
        replayed = read_everything(restarted, inspection, at=then)

    assert position == last
    assert comparable(after) == comparable(before)
    assert comparable(replayed) == comparable(before)


def test_a_restarted_server_starts_from_its_saved_state_not_from_the_log_start(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspection = Inspection.open(client)
        act_one(client, inspection)
    # Mark the saved state, so that an answer shows where it came from: a
    # replay from zero would know nothing of the mark.
    with log_only(database_url) as app:
        stored = app.store.load_views(app.name)
        assert stored is not None
        decoded = saved.decode(stored[1])
        assert decoded is not None
        views, timeline = decoded
        # Saved per inspection (issue 14): its own row, put back whole here.
        row = app.store.load_inspection_views(app.name, inspection.id)
        assert row is not None
        loaded = saved.decode_inspection(row[1])
        assert loaded is not None
        views.inspections[inspection.id] = loaded
        model = loaded.inspection
        model.summary = {**model.opened, "title": "loaded, not replayed"}
        save_state(app, views, timeline)

    with server(database_url, client) as restarted:
        case = restarted.get("auditor", f"{inspection.path}/cases").json()["cases"][0]
        browsed = restarted.ok(
            "rapid_response",
            f"{inspection.path}/cases/{case['id']}/browsed",
            {"inspector": inspection.team_inspector, "item": "chronology"},
        )
        title = restarted.get("auditor", inspection.path).json()["title"]
        cases = restarted.get("auditor", f"{inspection.path}/cases").json()

    assert title == "loaded, not replayed"
    assert cases["position"] >= browsed["position"]
    assert cases["cases"][0]["browse_count"] == case["browse_count"] + 1


def test_a_server_saved_behind_the_log_catches_up_applying_each_event_once(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspection = Inspection.open(client)
        then = act_one(client, inspection)
        act_two(client, inspection)
        before = read_everything(client, inspection)
    # As if the server stopped before its last save: the saved state is behind.
    with log_only(database_url) as app:
        views, timeline = Views(), Timeline()
        for event in read_events(app, 0, then):
            views.apply(event)
            timeline.add(event.position, event.recorded_at)
        save_state(app, views, timeline)

    with server(database_url, client) as restarted:
        after = read_everything(restarted, inspection)

    assert comparable(after) == comparable(before)


def test_warroom_rebuild_shows_progress_and_rate_and_leaves_every_read_the_same(
    database_url: str,
) -> None:
    with server(database_url) as client:
        inspection = Inspection.open(client)
        act_one(client, inspection)
        act_two(client, inspection)
        before = read_everything(client, inspection)
        last = client.stored()

    warroom = Path(sys.executable).with_name("warroom")
    done = subprocess.run(
        [str(warroom), "rebuild"],
        env={**os.environ, "WARROOM_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert re.search(rf"\[#{{30}}\] {last}/{last} events, [\d,]+/s", done.stderr)
    reported = re.fullmatch(
        r"rebuilt every read model from (\d+) events in [\d.]+ s \([\d,]+ events/s\)\n",
        done.stdout,
    )
    assert reported is not None, done.stdout
    assert int(reported.group(1)) == last
    with log_only(database_url) as app:
        stored = app.store.load_views(app.name)
    assert stored is not None and stored[0] == last
    with server(database_url, client) as restarted:
        after = read_everything(restarted, inspection)
    assert comparable(after) == comparable(before)


def killed_rebuild(database_url: str) -> None:
    """`warroom rebuild`, killed (SIGKILL) once it has folded 5,000 events:
    it dropped the saved read models first and saved none."""
    warroom = Path(sys.executable).with_name("warroom")
    process = subprocess.Popen(
        [str(warroom), "rebuild"],
        env={**os.environ, "WARROOM_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    said = b""
    deadline = time.monotonic() + 120
    while b" 5000/" not in said and time.monotonic() < deadline:
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, f"the rebuild ended first: {said.decode()}"
        said += chunk
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()


def test_a_server_after_a_killed_rebuild_folds_as_a_rebuild_and_answers_as_before(
    database_url: str,
) -> None:
    # Issue 22: after a killed rebuild a server took 5 times a rebuild's time
    # and 3 times its memory to answer (a copy of the inspection kept every
    # 1,000 events, a save every 10,000, each event encoded for streams that
    # nobody had open). The benchmark measures it side by side
    # (`serve_after_killed_rebuild`); this checks what it folds.
    with server(database_url) as client:
        inspection = Inspection.open(client)
        act_one(client, inspection)
        act_two(client, inspection)
        before = read_everything(client, inspection)
    with log_only(database_url) as app:
        cast = add_users(app)
        long = open_inspection(app, cast, "A long inspection")
        LogBuilder(app, cast, long, seed=4).build(
            3 * CATCH_UP_AT_LEAST, 2000, time.time() + 300
        )
        last = app.recorder.max_notification_id()
    killed_rebuild(database_url)
    with log_only(database_url) as app:
        assert app.store.load_views(app.name) is None  # nothing saved

    with server(database_url, client) as restarted:
        side = restarted.http.app.state.warroom.read_side  # type: ignore[attr-defined]
        assert restarted.stored() == last
        assert side.wait_for(last, timeout=120)
        # Folded as a rebuild folds: no copies kept along the way, and saved
        # once, at the end (not at shutdown).
        assert len(side.marks.inspections) == 0
        assert saved_position(database_url, last) == last
        after = read_everything(restarted, inspection)
        served = side.read(lambda views: views.to_json())
    assert comparable(after) == comparable(before)
    with log_only(database_url) as app:
        rebuilt, _ = rebuild(app)
    assert served == rebuilt.to_json()


def saved_position(database_url: str, wanted: int | None) -> int | None:
    """Where the saved read models stand, once at `wanted` (or after 30 s)."""
    deadline = time.monotonic() + 30
    with log_only(database_url) as app:
        while True:
            stored = app.store.load_views(app.name)
            position = stored[0] if stored is not None else None
            if position == wanted or time.monotonic() > deadline:
                return position
            time.sleep(0.05)
