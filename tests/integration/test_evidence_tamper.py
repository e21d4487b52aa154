"""`warroom verify` finds what someone with the database's password did to it.

On PostgreSQL, where such a person would be: bytes altered, a row deleted, a
row added, and a day rewritten consistently (every leaf, node and root
recomputed), which only a checkpoint kept outside the database can show.
And the signing key is never the database's own to give.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from fastapi.testclient import TestClient

from tests.conftest import POSTGRES_URL, TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_evidence import forget_the_tree, run_sql
from tests.servers import VENV_BIN, add_user, running_server, warroom
from warroom.application import WarRoom
from warroom.config import Database, Settings
from web.app import create_app

pytestmark = pytest.mark.postgres


@dataclass
class SealedLog:
    url: str
    released_at: int  # the position of the DocumentReleased event
    last: int  # the last position
    seal: Path  # the day's sealed checkpoint, as the blog printed it


@pytest.fixture
def sealed(postgres_schema_url: str, tmp_path: Path) -> Iterator[SealedLog]:
    url = postgres_schema_url
    with TestClient(create_app(Settings(database_url=url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        walk_request(client, inspection, new_request(client, inspection), "released")
        released_at = client.stored()
        client.ok("lead", f"{inspection.path}/days/close", {"day": iso_day(0)})
        blog = client.get("staff", f"{inspection.path}/blog/{iso_day(0)}").json()
        walk_request(client, inspection, new_request(client, inspection), "approved")
        last = client.stored()
    seal = tmp_path / f"blog-{iso_day(0)}.txt"
    seal.write_text(blog["seal"])
    yield SealedLog(url, released_at, last, seal)


def verify(log: SealedLog, *args: str) -> subprocess.CompletedProcess[str]:
    return warroom(log.url, "verify", *args)


def with_checkpoint(log: SealedLog, note: Path) -> subprocess.CompletedProcess[str]:
    return verify(log, "--checkpoint", str(note), "--key", TEST_VERIFIER_KEY)


def test_an_untouched_log_is_intact_and_consistent_with_its_seal(
    sealed: SealedLog,
) -> None:
    done = with_checkpoint(sealed, sealed.seal)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"intact: {sealed.last} events, root ")
    assert "consistent with checkpoint" in done.stdout


def test_one_altered_event_is_named_by_its_position(sealed: SealedLog) -> None:
    run_sql(
        sealed.url,
        "UPDATE warroom_events SET state = convert_to(replace(convert_from("
        "state, 'UTF8'), 'electronic', 'hard_copy'), 'UTF8') "
        f"WHERE notification_id = {sealed.released_at}",
    )
    done = verify(sealed)
    assert done.returncode == 1
    assert f"at position {sealed.released_at}: altered content" in done.stdout


def test_a_deleted_event_is_named_by_its_position(sealed: SealedLog) -> None:
    run_sql(
        sealed.url,
        f"DELETE FROM warroom_events WHERE notification_id = {sealed.released_at}",
    )
    done = verify(sealed)
    assert done.returncode == 1
    assert f"at position {sealed.released_at}:" in done.stdout
    assert "missing" in done.stdout


def test_an_event_added_outside_the_tree_is_named_by_its_position(
    sealed: SealedLog,
) -> None:
    run_sql(
        sealed.url,
        "INSERT INTO warroom_events (originator_id, originator_version, topic, "
        "state) SELECT originator_id, originator_version + 1000, topic, state "
        f"FROM warroom_events WHERE notification_id = {sealed.released_at}",
    )
    done = verify(sealed)
    assert done.returncode == 1
    assert "with no leaf" in done.stdout
    assert f"at position {sealed.last}" not in done.stdout  # a new position


def test_a_day_rewritten_consistently_passes_alone_but_not_against_its_seal(
    sealed: SealedLog,
) -> None:
    run_sql(
        sealed.url,
        "UPDATE warroom_events SET state = convert_to(replace(convert_from("
        "state, 'UTF8'), 'electronic', 'hard_copy'), 'UTF8') "
        f"WHERE notification_id = {sealed.released_at}",
    )
    # Every leaf, node and root recomputed from the rewritten events; the
    # seals, which cannot be signed again without the key, thrown away.
    forget_the_tree(sealed.url)
    removed = verify(sealed)  # verify never makes the tree again
    assert removed.returncode == 1
    assert "are missing: the tree was removed" in removed.stdout
    remade = warroom(sealed.url, "tree", "backfill", "--by", "Mallory")
    assert remade.returncode == 0, remade.stderr
    alone = verify(sealed)
    assert alone.returncode == 0, alone.stdout
    # ... but it says by whom and when, and that nothing before is proven.
    assert "proven only from that moment" in alone.stdout and "Mallory" in alone.stdout
    against_seal = with_checkpoint(sealed, sealed.seal)
    assert against_seal.returncode == 1
    assert "not consistent with the checkpoint of size" in against_seal.stdout


def test_a_checkpoint_with_a_forged_signature_is_rejected(
    sealed: SealedLog, tmp_path: Path
) -> None:
    text, _, signature = sealed.seal.read_text().rpartition("\n\n")
    dash, name, b64 = signature.split()
    forged_b64 = ("A" if b64[10] != "A" else "B").join([b64[:10], b64[11:]])
    forged = tmp_path / "forged.txt"
    forged.write_text(f"{text}\n\n{dash} {name} {forged_b64}\n")
    done = with_checkpoint(sealed, forged)
    assert done.returncode == 1
    assert "is not valid" in done.stdout


def test_leaf_indexes_have_no_gaps_where_positions_skip(
    postgres_schema_url: str,
) -> None:
    url = postgres_schema_url
    schema = url.split("schema=", 1)[1]
    with TestClient(create_app(Settings(database_url=url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        before = client.stored()
        with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as conn:
            conn.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'notification_id'))",
                (f'"{schema}".warroom_events',),
            )
        inspection = Inspection.open(client)
        positions = [n.id for n in client.app.recorder.select_notifications(1, 1000)]
        assert before + 2 in positions and before + 1 not in positions
        leaves = [client.app.evidence.leaf_at(p) for p in positions]
        assert [leaf[0] for leaf in leaves if leaf] == list(range(len(positions)))
        assert client.get("auditor", "/api/verify").json()["intact"]
        assert inspection.id


# --- the signing key is never the database's ----------------------------------


def test_postgresql_refuses_to_serve_without_a_signing_key(
    postgres_schema_url: str,
) -> None:
    env = {**os.environ, "WARROOM_DATABASE_URL": postgres_schema_url}
    env.pop("WARROOM_SIGNING_KEY", None)
    env.pop("WARROOM_SIGNING_KEY_FILE", None)
    done = subprocess.run(
        [str(VENV_BIN / "warroom"), "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "no signing key" in done.stderr and "WARROOM_SIGNING_KEY" in done.stderr


def test_postgresql_serves_with_a_key_from_a_file(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    made = warroom(postgres_schema_url, "keygen", "--name", "example.gov.uk/warroom")
    signer_key, verifier_key = made.stdout.split()
    key_file = tmp_path / "signing-key"
    key_file.write_text(signer_key)
    env = {"WARROOM_SIGNING_KEY": "", "WARROOM_SIGNING_KEY_FILE": str(key_file)}
    token = add_user(postgres_schema_url, "Ann Auditor", "auditor")
    with running_server(postgres_schema_url, env=env) as base:
        answer = httpx.get(
            f"{base}/api/log/key",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
    assert answer.text.strip() == verifier_key
    assert verifier_key.startswith("example.gov.uk/warroom+")


class Memo(Aggregate):
    """A small event of this test's own, as a war-room event looks."""

    @event("MemoWritten")
    def __init__(self, text: str, meta: dict[str, Any]) -> None:
        self.text = text


def test_appends_racing_from_two_pools_get_gapless_leaves_in_log_order(
    postgres_schema_url: str,
) -> None:
    apps = [WarRoom(Database.from_url(postgres_schema_url)) for _ in range(2)]
    meta = {"actor": "test", "occurred_at": datetime.now(UTC).isoformat()}

    def write(app: WarRoom) -> None:
        for n in range(25):
            app.save(Memo(f"memo {n}", meta), Memo(f"memo {n}b", meta))

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(write, [apps[0], apps[1]] * 3))
        app = apps[0]
        positions = [n.id for n in app.recorder.select_notifications(1, 10_000)]
        assert len(positions) == 300
        leaves = [app.evidence.leaf_at(p) for p in positions]
        assert [leaf[0] for leaf in leaves if leaf] == list(range(300))
        report = app.evidence.verify()
        assert report.intact and report.events == 300, report.text()
    finally:
        for app in apps:
            app.close()
