"""`warroom verify` and `GET /api/verify` only read (issue 22, finding 2).

A rewritten log whose tree was removed once came out `intact`: verify made a
fresh tree from the tampered rows. Now a missing tree, or missing leaves, is
a break named in words, never a traceback, and the database is the same,
byte for byte, after a verify as before it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.conftest import POSTGRES_URL
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_evidence import run_sql
from tests.servers import warroom
from warroom.config import Database, Settings
from warroom.evidence import merkle
from warroom.evidence.readonly import ReadOnlyLog
from web.app import create_app

NO_TREE = "are missing: the tree was removed or this log was not written by warroom"


def events_table(url: str) -> tuple[str, str]:
    """The library's events table and its position column, on this database."""
    if url.startswith("sqlite"):
        return "stored_events", "rowid"
    return "warroom_events", "notification_id"


def a_log(url: str) -> int:
    """A log with a released document in it; its last position."""
    with TestClient(create_app(Settings(database_url=url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        walk_request(client, inspection, new_request(client, inspection), "released")
        return client.stored()


def alter_2026_to_2025(url: str, position: int) -> None:
    table, column = events_table(url)
    if url.startswith("sqlite"):
        change = "CAST(REPLACE(CAST(state AS TEXT), '2026', '2025') AS BLOB)"
    else:
        change = (
            "convert_to(replace(convert_from(state, 'UTF8'), '2026', '2025'), 'UTF8')"
        )
    run_sql(url, f"UPDATE {table} SET state = {change} WHERE {column} = {position}")


def remove_the_tree(url: str) -> None:
    for table in ("warroom_leaves", "warroom_nodes", "warroom_tree", "warroom_seals"):
        run_sql(url, f"DELETE FROM {table}")


def fingerprint(url: str) -> Any:
    """Everything the database holds: the file's bytes (SQLite), or each
    table's rows (PostgreSQL)."""
    if url.startswith("sqlite"):
        path = Path(url[len("sqlite:///") :])
        folding = sqlite3.connect(path)  # the WAL folded into the file
        folding.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        folding.close()
        return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    schema = url.split("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as pg:
        tables = [
            row[0]
            for row in pg.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1",
                (schema,),
            )
        ]
        return {
            table: pg.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY "
                f't::text), \'\')) FROM "{schema}"."{table}" t'
            ).fetchone()
            for table in tables
        }


def test_a_rewritten_log_whose_tree_was_removed_is_broken_and_verify_writes_nothing(
    database_url: str,
) -> None:
    last = a_log(database_url)
    alter_2026_to_2025(database_url, 3)
    remove_the_tree(database_url)
    before = fingerprint(database_url)
    done = warroom(database_url, "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith(
        f"broken at position 1: leaves 0-{last - 1} {NO_TREE}"
    )
    assert "Traceback" not in done.stderr
    again = warroom(database_url, "verify")  # nothing was made the first time
    assert again.stdout == done.stdout
    assert fingerprint(database_url) == before


def test_the_last_events_deleted_and_then_the_tree_is_broken_too(
    database_url: str,
) -> None:
    last = a_log(database_url)
    table, column = events_table(database_url)
    run_sql(database_url, f"DELETE FROM {table} WHERE {column} > {last - 5}")
    remove_the_tree(database_url)
    done = warroom(database_url, "verify")
    assert done.returncode == 1
    assert f"leaves 0-{last - 6} {NO_TREE}" in done.stdout


def test_the_last_events_deleted_with_their_leaves_are_named_never_a_traceback(
    database_url: str,
) -> None:
    last = a_log(database_url)
    table, column = events_table(database_url)
    run_sql(database_url, f"DELETE FROM {table} WHERE {column} > {last - 5}")
    run_sql(database_url, f"DELETE FROM warroom_leaves WHERE position > {last - 5}")
    before = fingerprint(database_url)
    done = warroom(database_url, "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"leaves {last - 5}-{last - 1} are missing" in done.stdout
    assert fingerprint(database_url) == before


def test_the_log_opened_read_only_refuses_any_write(database_url: str) -> None:
    a_log(database_url)
    log = ReadOnlyLog(Database.from_url(database_url))
    tree = log.recorder.tree  # type: ignore[attr-defined]
    try:
        with (
            pytest.raises(Exception, match=r"read-only|readonly"),
            log.recorder.datastore.transaction(commit=True) as c,  # type: ignore[attr-defined]
        ):
            c.execute(f"UPDATE {tree.head_table} SET size = 0")
        with pytest.raises(PermissionError):
            log.save()
    finally:
        log.close()


def test_verify_over_http_names_the_break_and_never_answers_an_empty_tree(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    walk_request(client, inspection, new_request(client, inspection), "released")
    size = client.app.evidence.head().size
    alter_2026_to_2025(database_url, 5)
    answer = client.get("auditor", "/api/verify").json()
    assert answer["intact"] is False
    assert answer["position"] == 5 and "altered content" in answer["problem"]
    assert answer["events"] == 4  # those that held before the break
    assert answer["tree_size"] == size
    assert answer["root"] == client.app.evidence.head().root.hex()
    assert answer["root"] != merkle.EMPTY_ROOT.hex()
    remove_the_tree(database_url)
    answer = client.get("auditor", "/api/verify").json()
    assert answer["intact"] is False and NO_TREE in answer["problem"]
    assert answer["events"] == 0 and answer["root"] == ""  # no tree, no root
