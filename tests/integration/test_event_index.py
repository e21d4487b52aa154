"""The index of each inspection's events (`warroom.event_index`).

Held to the log itself: for every key, the index lists exactly the positions
a scan of the whole log finds for it, however it came to be written (saved
with the events, backfilled on start by two processes at once, imported).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eventsourcing.persistence import InternalError, OperationalError
from fastapi.testclient import TestClient

from commands.models import WriteBlogPost
from projections.follower import inspection_events, read_events
from tests.conftest import TEST_SIGNING_KEY, TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, refused, refused_roles
from warroom.application import WarRoom
from warroom.archive import export_log, import_log
from warroom.config import Database, Settings
from warroom.event_index import GLOBAL, key_of
from warroom.evidence.notes import Signer, Verifier
from web.app import create_app


@contextmanager
def opened(url: str) -> Iterator[WarRoom]:
    app = WarRoom(Database.from_settings(Settings(database_url=url)))
    try:
        yield app
    finally:
        app.close()


def indexed_rows(app: WarRoom) -> dict[str, list[int]]:
    index = app.recorder.index  # type: ignore[attr-defined]
    found: dict[str, list[int]] = defaultdict(list)
    with app.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        c.execute(f"SELECT key, position FROM {index.table} ORDER BY key, position")
        for row in c.fetchall():
            found[str(row["key"])].append(int(row["position"]))
    return dict(found)


def index_head(app: WarRoom) -> int:
    index = app.recorder.index  # type: ignore[attr-defined]
    with app.recorder.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        return int(index.head(c))


def scanned(app: WarRoom) -> dict[str, list[int]]:
    """What the index must hold: each key's positions, from a scan of the log."""
    found: dict[str, list[int]] = defaultdict(list)
    for event in read_events(app, 0, None):
        key = key_of(event.type, event.inspection_id)
        if key is not None:
            found[key].append(event.position)
    return dict(found)


def two_inspections(client: WarRoomClient) -> tuple[Inspection, Inspection]:
    first, second = Inspection.open(client), Inspection.open(client)
    for n in range(3):
        for target in (first, second, second):
            client.ok(
                "lead",
                f"{target.path}/blog",
                {"day": iso_day(1), "title": f"Post {n}", "body": "text"},
            )
    new_request(client, first)
    return first, second


def test_every_event_is_indexed_under_its_inspection_as_it_is_stored(
    client: WarRoomClient,
) -> None:
    first, second = two_inspections(client)
    app = client.app
    rows = indexed_rows(app)
    assert rows == scanned(app)
    assert set(rows) == {GLOBAL, first.id, second.id}
    assert len(rows[GLOBAL]) == len(client.tokens)  # one UserAdded each
    assert index_head(app) == client.stored()
    # Read through the index, each inspection's events are the log's, in order.
    for target in (first, second):
        through_index = [e.position for e in inspection_events(app, target.id)]
        in_log = [
            e.position
            for e in read_events(app, 0, None)
            if e.inspection_id == target.id and not e.is_internal
        ]
        assert through_index == in_log == rows[target.id]
    # After, up to: the bounds hold.
    positions = rows[second.id]
    middle = positions[len(positions) // 2]
    assert [e.position for e in inspection_events(app, second.id, middle)] == [
        p for p in positions if p > middle
    ]
    assert [e.position for e in inspection_events(app, second.id, 0, middle)] == [
        p for p in positions if p <= middle
    ]


def test_a_refused_command_adds_nothing_to_the_index(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = indexed_rows(client.app)
    head = index_head(client.app)
    role = refused_roles(WriteBlogPost)[0]
    refused(
        client,
        403,
        role,
        f"{inspection.path}/blog",
        {"day": iso_day(1), "title": "Not mine", "body": "text"},
    )
    assert indexed_rows(client.app) == before
    assert index_head(client.app) == head


def _forget_the_index(app: WarRoom, *, drop: bool) -> None:
    """As a database stored before the index was kept: no index tables
    (`drop`), or the tables made but nothing indexed yet."""
    index = app.recorder.index  # type: ignore[attr-defined]
    with app.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        if drop:
            c.execute(f"DROP TABLE {index.table}")
            c.execute(f"DROP TABLE {index.head_table}")
        else:
            c.execute(f"DELETE FROM {index.table}")
            c.execute(f"UPDATE {index.head_table} SET position = 0")


def test_an_older_log_is_indexed_on_start(database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        two_inspections(client)
        expected = scanned(client.app)
        _forget_the_index(client.app, drop=True)
    with opened(database_url) as app:
        assert indexed_rows(app) == expected
        assert index_head(app) == app.recorder.max_notification_id()


def test_an_older_log_is_indexed_once_on_start_by_two_processes_at_once(
    database_url: str,
) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        two_inspections(client)
        expected = scanned(client.app)
        # Tables made (the library's own start makes tables unlocked, and on
        # SQLite two processes making them at once may find the file busy).
        _forget_the_index(client.app, drop=False)
    settings = Settings(database_url=database_url)
    started = threading.Barrier(2)
    errors: list[BaseException] = []
    apps: list[WarRoom] = []

    def start() -> None:
        started.wait()
        for attempt in range(50):
            try:
                apps.append(WarRoom(Database.from_settings(settings)))
                return
            except (OperationalError, InternalError) as error:
                # The library's own start makes its tables, and two at once
                # may clash there, before the index is touched: on SQLite in
                # a deferred transaction that fails at once (no busy wait)
                # while the other holds the write lock; on PostgreSQL
                # "tuple concurrently updated" as both replace the same
                # definitions. A start a little later is fine.
                clash = "locked" in str(error) or "concurrently" in str(error)
                if not clash or attempt == 49:
                    errors.append(error)
                    return
                time.sleep(0.1)
            except BaseException as error:  # reported below, on the test's thread
                errors.append(error)
                return

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert not errors, errors
        for app in apps:
            assert indexed_rows(app) == expected
            assert index_head(app) == app.recorder.max_notification_id()
    finally:
        for app in apps:
            app.close()


def test_events_stored_past_the_head_without_their_rows_are_indexed_on_start(
    database_url: str,
) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        first, _ = two_inspections(client)
        app = client.app
        # As if an older server wrote these: their rows and the head left behind.
        head = index_head(app)
        new_request(client, first)
        new_request(client, first)
        index = app.recorder.index  # type: ignore[attr-defined]
        p = "%s" if app.database.kind == "postgresql" else "?"
        with app.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
            c.execute(f"DELETE FROM {index.table} WHERE position > {p}", (head,))
            c.execute(f"UPDATE {index.head_table} SET position = {p}", (head,))
        assert indexed_rows(app) != scanned(app)
        expected = scanned(app)
    with opened(database_url) as again:
        assert indexed_rows(again) == expected
        assert index_head(again) == again.recorder.max_notification_id()


def test_an_import_fills_the_index(tmp_path: Path, postgres_schema_url: str) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    with TestClient(create_app(Settings(database_url=source))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        two_inspections(client)
        expected = scanned(client.app)
    signer = Signer.parse(TEST_SIGNING_KEY)
    out = tmp_path / "export.zip"
    with opened(source) as app:
        app.use_signer(signer)
        export_log(app, out, signer)
    for target in (f"sqlite:///{tmp_path / 'copy.db'}", postgres_schema_url):
        with opened(target) as copy:
            import_log(copy, out, Verifier.parse(TEST_VERIFIER_KEY))
            assert indexed_rows(copy) == expected
            assert index_head(copy) == copy.recorder.max_notification_id()
