"""The demo looks like a real day, refuses a port in use before it prints a
token, and every new token comes with its sign-in link.
"""

from __future__ import annotations

import shutil
import socket
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from projections.follower import read_events
from tests.conftest import TEST_VERIFIER_KEY
from tests.helpers import WarRoomClient
from tests.servers import VENV_BIN, warroom
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.idempotency import IdempotencyRecord


@pytest.fixture
def url(database_url: str) -> str:
    return database_url


def logged(url: str) -> list[Any]:
    app = WarRoom(Database.from_url(url))
    try:
        return list(read_events(app, 0, None))
    finally:
        app.close()


def test_the_demos_events_happened_over_the_inspections_days_all_in_the_past(
    url: str,
) -> None:
    loaded = datetime.now(UTC)
    done = warroom(url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    events = [e for e in logged(url) if e.inspection_id and not e.is_internal]
    assert len(events) > 50
    occurred = [e.occurred_at for e in events]
    assert all(when < loaded for when in occurred)
    # Opened on day 1, two days before today's work; today's spread over hours.
    assert max(occurred) - min(occurred) > timedelta(days=1)
    today = [e for e in events if e.type not in ("InspectionOpened", "InspectorJoined")]
    assert max(e.occurred_at for e in today) - min(
        e.occurred_at for e in today
    ) >= timedelta(hours=1, minutes=50)
    # In the order they were loaded: a replay tells the day as it went.
    assert occurred == sorted(occurred)
    # Each command at a moment of its own (its events share it): ages look real.
    assert len(set(occurred)) > 0.9 * len(occurred)


def test_the_demo_follows_up_its_kit_notes_actions(url: str) -> None:
    done = warroom(url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    types = Counter(e.type for e in logged(url))
    assert types["KitActionAssigned"] == 1
    assert types["KitActionDone"] == 1


def test_the_demo_says_last_who_to_open_first_the_communication_lead_and_the_key(
    url: str,
) -> None:
    """On stdout, after the tokens and links: the link to open first, who the
    communication lead is, and the verifier key an auditor needs; and every
    command it prints runs as printed from the repository root."""
    done = warroom(url, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    tokens = {
        line.split()[0]: line.split()[-1]
        for line in lines
        if line.startswith("  gatekeeper ") or line.startswith("  rapid_response ")
    }
    links = lines.index(
        "Sign-in links (open one in a browser to sign in as that person):"
    )
    first = next(i for i, line in enumerate(lines) if line.startswith("Open first: "))
    assert first > links
    assert lines[first] == (
        "Open first: Eloise Marsh's link (gatekeeper): "
        f"http://127.0.0.1:8000/#token={tokens['gatekeeper']}"
    )
    assert (
        "The communication lead (writes the daily blog): Karen Andrews (rapid_response)"
    ) in lines[first:]
    assert lines[-1] == (
        "The verifier key an auditor needs (to check receipts and checkpoints): "
        f"{TEST_VERIFIER_KEY}"
    )
    # The blog's command names the program as it runs from the repository
    # root (the tests run there), never a bare `warroom` that is not on PATH.
    send = next(line for line in lines if "send today's now:" in line)
    program = send.split("send today's now: ", 1)[1].split()[0]
    on_path = shutil.which("warroom") == str(VENV_BIN / "warroom")
    assert program == ("warroom" if on_path else ".venv/bin/warroom")


def test_the_demo_refuses_a_port_in_use_before_it_prints_a_token_or_stores_anything(
    url: str,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = warroom(url, "demo", "--port", str(port))
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"port {port}" in done.stderr
    assert f"--port {port + 1}" in done.stderr
    assert logged(url) == []


def test_user_add_prints_a_sign_in_link_and_the_token_last(url: str) -> None:
    done = warroom(
        url,
        "user",
        "add",
        "--name",
        "Gail Keeper",
        "--role",
        "gatekeeper",
        "--url",
        "https://warroom.example.gov.uk/",
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    token = lines[-1]
    assert len(token) == 43
    # The link carries a one-time secret of its own, not the token (issue 26).
    link = next(line for line in lines if line.startswith("their sign-in link: "))
    assert link.startswith("their sign-in link: https://warroom.example.gov.uk/#token=")
    secret = link.split("#token=")[1]
    assert len(secret) == 43 and secret != token


def test_a_new_user_and_a_rotated_token_are_answered_with_their_sign_in_path(
    client: WarRoomClient,
) -> None:
    added = client.ok("admin", "/api/users", {"name": "Nell Lead", "role": "lead"})
    # A sign-in link's own one-time secret, beside the bearer token (issue 26).
    assert added["sign_in_path"].startswith("/#token=")
    assert added["token"] not in added["sign_in_path"]
    rotated = client.ok("admin", f"/api/users/{added['id']}/rotate", {})
    assert rotated["sign_in_path"].startswith("/#token=")
    assert rotated["sign_in_path"] != added["sign_in_path"]
    assert rotated["token"] not in rotated["sign_in_path"]
    assert rotated["token"] != added["token"]


def test_the_sign_in_path_is_never_stored_with_an_idempotent_answer(
    client: WarRoomClient,
) -> None:
    added = client.ok(
        "admin",
        "/api/users",
        {"name": "Kay Retry", "role": "staff"},
        **{"Idempotency-Key": "add-kay"},
    )
    record = client.app.load(
        IdempotencyRecord,
        IdempotencyRecord.create_id(client.user_ids["admin"], "add-kay"),
    )
    assert "token" not in record.body
    assert "sign_in_path" not in record.body
    stored = str([e.data for e in read_events(client.app, 0, None)])
    assert added["token"] not in stored
    # Nor the link's secret: only its hash is.
    assert added["sign_in_path"].split("#token=")[1] not in stored
