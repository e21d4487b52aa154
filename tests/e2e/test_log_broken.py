"""A live server notices a broken log (issue 22, finding 3).

Each fault is made in the database while a real `warroom serve` runs on it,
on both databases: the newest event deleted (a leaf without its event; on
SQLite the next append is given its position again), an event altered, two
events swapped, an event added outside the tree. Afterwards `/readyz`
answers 503 `log_broken`, commands 503 with the same code (never 409 for
good), nothing more is signed, one error line says why, and `/api/verify`
names the break.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import gettempdir
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import POSTGRES_URL
from tests.days import iso_day
from tests.e2e.test_live_stream import Api
from tests.integration.test_evidence import run_sql
from tests.integration.test_verify_reads_only import alter_2026_to_2025, events_table
from tests.servers import add_user, served
from warroom.evidence import merkle

WAIT_SECONDS = 30.0


@dataclass
class Live:
    url: str
    base: str
    log: Path  # the server's stderr
    lead: str
    auditor: str
    iid: str

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token or self.auditor}"}
        return httpx.get(f"{self.base}{path}", headers=headers, timeout=30)

    def command(self) -> httpx.Response:
        body = {"day": iso_day(2), "title": "after", "body": "text"}
        return httpx.post(
            f"{self.base}/api/inspections/{self.iid}/blog",
            json=body,
            headers={"Authorization": f"Bearer {self.lead}"},
            timeout=30,
        )

    def last_position(self) -> int:
        table, column = events_table(self.url)
        return int(rows(self.url, f"SELECT MAX({column}) FROM {table}")[0][0])

    def broken_lines(self) -> list[str]:
        return [
            line for line in self.log.read_text().splitlines() if "log_broken:" in line
        ]


def rows(url: str, statement: str) -> list[Any]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as conn:
            return conn.execute(statement).fetchall()
    schema = url.split("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        return conn.execute(statement).fetchall()


@contextmanager
def live(url: str, check_seconds: str = "0.2") -> Iterator[Live]:
    lead = add_user(url, "Lea Lead", "lead")
    auditor = add_user(url, "Aud Auditor", "auditor")
    env = {"WARROOM_LOG_CHECK_SECONDS": check_seconds}
    with served(url, env=env) as (base, _):
        port = base.rsplit(":", 1)[1]
        api = Api(base, lead)
        iid = api.open_inspection()
        for n in range(4):
            api.blog(iid, f"entry {n}")
        server = Live(
            url,
            base,
            Path(gettempdir()) / f"warroom-serve-{port}.log",
            lead,
            auditor,
            iid,
        )
        assert server.get("/readyz").status_code == 200
        yield server


def until_broken(server: Live) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        ready = server.get("/readyz")
        if ready.status_code == 503 and ready.json().get("status") == "log_broken":
            body: dict[str, Any] = ready.json()
            return body
        time.sleep(0.1)
    raise AssertionError(f"no log_broken within {WAIT_SECONDS} s: {ready.text}")


def says_log_broken(server: Live, position: int, words: str) -> None:
    """Everything a client sees of a server that found its log broken."""
    ready = until_broken(server)
    assert ready["ready"] is False and str(position) in ready["detail"]
    for _ in range(2):  # for good, not once
        refused = server.command()
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "log_broken"
    assert server.get("/api/log/checkpoint").status_code == 503
    assert server.get("/api/log/proof/inclusion?index=0&size=1").status_code == 503
    assert len(server.broken_lines()) == 1, server.log.read_text()[-3000:]
    verified = server.get("/api/verify").json()
    assert verified["intact"] is False and words in verified["problem"]
    assert verified["position"] == position
    assert verified["root"] != merkle.EMPTY_ROOT.hex() and verified["events"] > 0


def test_the_newest_event_deleted_while_serving_is_log_broken(
    database_url: str,
) -> None:
    with live(database_url) as server:
        last = server.last_position()
        table, column = events_table(database_url)
        run_sql(database_url, f"DELETE FROM {table} WHERE {column} = {last}")
        says_log_broken(server, last, "missing")


def test_an_append_given_a_deleted_events_position_is_log_broken_not_409(
    tmp_path: Path,
) -> None:
    # SQLite hands the newest row's position out again once it is deleted:
    # the append itself finds the tree holds it (the check thread is off).
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    with live(url, check_seconds="0") as server:
        last = server.last_position()
        run_sql(url, f"DELETE FROM stored_events WHERE rowid = {last}")
        refused = server.command()
        assert refused.status_code == 503, refused.text
        assert refused.json()["code"] == "log_broken"
        assert f"position {last}" in refused.json()["detail"]
        says_log_broken(server, last, "missing")


def test_an_event_altered_while_serving_is_log_broken(database_url: str) -> None:
    with live(database_url) as server:
        alter_2026_to_2025(database_url, 3)
        says_log_broken(server, 3, "altered content")


def test_two_events_swapped_while_serving_are_log_broken(database_url: str) -> None:
    with live(database_url) as server:
        table, column = events_table(database_url)
        first, second = server.last_position() - 1, server.last_position()
        swap = (
            f"UPDATE {table} SET state = CASE {column} "
            f"WHEN {first} THEN (SELECT state FROM {table} WHERE {column} = {second}) "
            f"ELSE (SELECT state FROM {table} WHERE {column} = {first}) END "
            f"WHERE {column} IN ({first}, {second})"
        )
        run_sql(database_url, swap)
        says_log_broken(server, first, "altered content")


def test_an_event_added_outside_the_tree_while_serving_is_log_broken(
    database_url: str,
) -> None:
    with live(database_url) as server:
        table, column = events_table(database_url)
        last = server.last_position()
        run_sql(
            database_url,
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version + 1000, topic, state "
            f"FROM {table} WHERE {column} = {last}",
        )
        added = server.last_position()
        says_log_broken(server, added, "with no leaf")


@pytest.mark.parametrize("seconds", ["0.2"])
def test_an_untouched_log_stays_ready_while_the_check_runs(
    database_url: str, seconds: str
) -> None:
    with live(database_url, check_seconds=seconds) as server:
        time.sleep(1.0)
        for _ in range(5):
            assert server.command().status_code == 201
        time.sleep(1.0)
        assert server.get("/readyz").status_code == 200
        assert server.get("/api/verify").json()["intact"] is True
        assert server.broken_lines() == []


def test_a_server_started_on_a_log_cut_short_with_its_leaves_starts_log_broken(
    database_url: str,
) -> None:
    with live(database_url) as server:
        last = server.last_position()
    table, column = events_table(database_url)
    run_sql(database_url, f"DELETE FROM {table} WHERE {column} > {last - 3}")
    run_sql(database_url, f"DELETE FROM warroom_leaves WHERE position > {last - 3}")
    env = {"WARROOM_LOG_CHECK_SECONDS": "0.2"}
    with served(database_url, env=env) as (base, _):
        port = base.rsplit(":", 1)[1]
        log = Path(gettempdir()) / f"warroom-serve-{port}.log"
        restarted = Live(
            database_url, base, log, server.lead, server.auditor, server.iid
        )
        ready = until_broken(restarted)
        assert "deleted from the end of the log" in ready["detail"]
        assert restarted.command().json()["code"] == "log_broken"
        verified = restarted.get("/api/verify").json()
        assert verified["intact"] is False
        assert f"leaves {last - 3}-{last - 1} are missing" in verified["problem"]


def test_the_trees_head_rolled_back_while_serving_is_log_broken_not_409(
    database_url: str,
) -> None:
    # Appends would give leaf 0 again (a conflict on its index, for good).
    with live(database_url) as server:
        empty = "x''" if database_url.startswith("sqlite") else "''::bytea"
        run_sql(
            database_url,
            f"UPDATE warroom_tree SET size=0, last_position=0, compact={empty}",
        )
        ready = until_broken(server)
        assert "the head was rolled back" in ready["detail"]
        refused = server.command()
        assert refused.status_code == 503 and refused.json()["code"] == "log_broken"
        verified = server.get("/api/verify").json()
        assert verified["intact"] is False and "head" in verified["problem"]
