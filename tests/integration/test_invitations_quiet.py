"""No invitation is sent for what `warroom import` or the demo loader brought
in (issue 24): a server started on such a database, holding the inspection,
tells only the changes made after; on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from commands.executor import execute
from commands.membership import first_organisation, user_named
from commands.models import RotateToken, SetUserEmail
from entrypoints.console import CONSOLE
from tests.helpers import Inspection, WarRoomClient, new_meeting
from tests.integration.test_invitations import (
    itip,
    messages,
    seq,
    set_email,
    started,
    wait_for,
)
from tests.servers import warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from warroom.quiet import quiet_position
from web.app import create_app

QUIET_FOR = 1.0  # seconds a running sender is watched sending nothing


def hold(http: TestClient, inspection_id: str) -> Any:
    """Has the server's read side load the inspection (as a read does)."""
    state = http.app.state.warroom  # type: ignore[attr-defined]
    state.reader.catch_up(state.app.recorder.max_notification_id())
    return state.read_side.read(lambda v: v.inspections[inspection_id].position)


def test_nothing_is_sent_for_an_imported_log_and_later_changes_are_told(
    database_url: str, tmp_path: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    # The source's sender is off: every change it holds is still to be told.
    settings = Settings(
        database_url=source,
        mail_dir=str(tmp_path / "source-outbox"),
        invite_check_seconds=0,
    )
    with TestClient(create_app(settings)) as http:
        origin = WarRoomClient(http=http)
        origin.add_users()
        inspection = Inspection.open(origin)
        set_email(origin, "staff", "staff@council.example")
        meeting = new_meeting(origin, inspection)
        path = f"{inspection.path}/meetings/{meeting['id']}"
        origin.ok("rapid_response", f"{path}/move", {"venue": "Room 9"})
    assert not (tmp_path / "source-outbox").exists()
    out = tmp_path / "export.zip"
    done = warroom(source, "export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    done = warroom(database_url, "import", str(out))
    assert done.returncode == 0, done.stderr

    outbox = tmp_path / "outbox"
    with started(database_url, outbox) as http:
        app: WarRoom = http.app.state.warroom.app  # type: ignore[attr-defined]
        assert quiet_position(app) == app.recorder.max_notification_id()
        hold(http, inspection.id)
        time.sleep(QUIET_FOR)
        assert messages(outbox) == []
        # The imported users still sign in; a change made now is told, with
        # the SEQUENCE after the imported ones.
        client = WarRoomClient(http=http, tokens=origin.tokens)
        client.ok("rapid_response", f"{path}/move", {"venue": "Room 10"})
        [message] = wait_for(1, lambda: messages(outbox))
        method, event = itip(message)
        assert method == "REQUEST" and seq(event) == 2
        assert str(event["location"]) == "Room 10"


def test_nothing_is_sent_for_the_demo_and_later_changes_are_told(
    database_url: str, tmp_path: Path
) -> None:
    done = warroom(database_url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    inspection_id = done.stdout.split("Demo inspection: ")[1].split()[0]
    app = WarRoom(Database.from_settings(Settings(database_url=database_url)))
    try:
        # Linda Evans, on the demo's schedule, now has an address.
        console = replace(CONSOLE, organisation_id=first_organisation(app))
        linda = user_named(app, "Linda Evans", console.organisation_id)
        execute(
            app,
            console,
            SetUserEmail(email="linda@council.example"),
            target_id=str(linda),
        )
        karen = user_named(app, "Karen Andrews", console.organisation_id)
        token = execute(app, console, RotateToken(), target_id=str(karen)).body["token"]
    finally:
        app.close()

    outbox = tmp_path / "outbox"
    with started(database_url, outbox) as http:
        hold(http, inspection_id)
        time.sleep(QUIET_FOR)
        assert messages(outbox) == []
        client = WarRoomClient(http=http, tokens={"rapid_response": token})
        inspection = Inspection(id=inspection_id, lead_inspector="", team_inspector="")
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
        new_meeting(
            client,
            inspection,
            attendees=["Linda Evans"],
            inspectors=[],
            starts_at=f"{tomorrow}T10:00:00+00:00",
            ends_at=f"{tomorrow}T11:00:00+00:00",
        )
        [message] = wait_for(1, lambda: messages(outbox))
        assert message["To"] == "linda@council.example"
        time.sleep(0.3)
        assert len(messages(outbox)) == 1
