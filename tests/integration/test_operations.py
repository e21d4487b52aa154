"""Operations, in process: /healthz, /readyz, /metrics and request ids.

The real `warroom serve` process (JSON logs, SIGTERM) is tested in
tests/e2e/test_operations.py.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from structlog.contextvars import get_contextvars

from commands.executor import execute
from commands.models import AddUser
from commands.run import Actor
from tests.conftest import POSTGRES_URL
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient
from warroom.application import WarRoom
from warroom.config import Database, Settings
from web.app import create_app
from web.logs import RequestIds, redact_text


@contextmanager
def app_client(database_url: str, **settings: object) -> Iterator[WarRoomClient]:
    with TestClient(
        create_app(Settings(database_url=database_url, **settings))  # type: ignore[arg-type]
    ) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a /metrics answer, by name and labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_answers_up_without_a_token(client: WarRoomClient) -> None:
    answer = client.http.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "up", "process": answer.json()["process"]}
    assert re.fullmatch(r"[0-9a-f]{12}", answer.json()["process"])


def test_readyz_answers_ready_once_the_read_models_reach_the_log_head(
    client: WarRoomClient, inspection: Inspection
) -> None:
    post = {"day": iso_day(2), "title": "Day two", "body": "text"}
    position = client.ok("lead", f"{inspection.path}/blog", post)["position"]
    deadline = time.monotonic() + 5
    while True:
        answer = client.http.get("/readyz")
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["ready"] is True
    assert body["head"] >= position
    assert body["lag"] == body["head"] - body["position"] <= 1000


def test_readyz_answers_503_while_the_read_models_lag_behind_what_another_process_wrote(
    tmp_path: object,
) -> None:
    # SQLite: a save by another process is seen only at the next poll, here
    # a minute away; so the read models stay behind what the log holds.
    url = f"sqlite:///{tmp_path}/lag.db"
    with app_client(url, poll_seconds=60.0, ready_max_lag=2) as client:
        assert client.http.get("/readyz").status_code == 200
        other = WarRoom(Database.from_url(url))
        try:
            for number in range(3):
                execute(
                    other,
                    _console(),
                    AddUser(name=f"Written elsewhere {number}", role="staff"),
                )
        finally:
            other.close()
        answer = client.http.get("/readyz")
        assert answer.status_code == 503, answer.text
        body = answer.json()
        assert body["ready"] is False
        assert body["reason"] == "read_models_behind"
        assert body["lag"] == body["head"] - body["position"] >= 3
        metrics = samples(client.http.get("/metrics").text)
        assert metrics[("warroom_read_model_lag_events", ())] >= 3


def _console() -> Actor:
    return Actor(id="console", name="console", role="admin", organisation_id=None)


@pytest.mark.postgres
def test_readyz_answers_503_when_the_database_does_not_answer_in_time(
    postgres_schema_url: str,
) -> None:
    schema = postgres_schema_url.rsplit("schema=", 1)[1]
    with app_client(postgres_schema_url, ready_timeout_seconds=0.5) as client:
        assert client.http.get("/readyz").status_code == 200
        # An exclusive lock on the log's table, asked for (and queued behind
        # the server's own readers if need be): every read of the table
        # queues behind it, as against a database that has stopped answering.
        base = POSTGRES_URL.split("?", 1)[0]
        table = client.app.recorder.events_table_name  # type: ignore[attr-defined]
        table = f'"{schema}".{table}' if "." not in table else table
        holder = psycopg.connect(base)
        release = threading.Event()

        def hold_the_table() -> None:
            try:
                holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
                release.wait(30)
            except psycopg.errors.QueryCanceled:
                pass
            finally:
                holder.rollback()

        thread = threading.Thread(target=hold_the_table)
        thread.start()
        try:
            with psycopg.connect(base, autocommit=True) as watcher:
                while not watcher.execute(
                    "SELECT 1 FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                    "AND relation = %s::regclass",
                    (table,),
                ).fetchone():
                    time.sleep(0.05)
            started = time.monotonic()
            answer = client.http.get("/readyz")
            waited = time.monotonic() - started
        finally:
            holder.cancel_safe()
            release.set()
            thread.join()
            holder.close()
        assert answer.status_code == 503, answer.text
        assert answer.json()["reason"] == "database_unreachable"
        assert waited < 3, "the probe gives up after its timeout"
        # The probe still under way finishes once the lock goes: ready again.
        deadline = time.monotonic() + 10
        while client.http.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_metrics_count_commands_by_type_and_outcome_and_time_reads(
    client: WarRoomClient, inspection: Inspection
) -> None:
    blog = f"{inspection.path}/blog"
    post = {"day": iso_day(2), "title": "Day two", "body": "text"}
    for _ in range(2):
        client.ok("lead", blog, post)
    assert client.post("staff", blog, post).status_code == 403
    assert client.post("lead", blog, {}).status_code == 422
    assert client.get("staff", f"{inspection.path}/cases").status_code == 200
    found = samples(client.http.get("/metrics").text)

    def commands(name: str, outcome: str) -> float:
        key = ("warroom_commands_total", (("command", name), ("outcome", outcome)))
        return found.get(key, 0.0)

    assert commands("WriteBlogPost", "accepted") == 2
    assert commands("WriteBlogPost", "forbidden") == 1
    assert commands("WriteBlogPost", "invalid") == 1
    assert commands("OpenInspection", "accepted") == 1
    timed = ("warroom_command_seconds_count", (("command", "WriteBlogPost"),))
    assert found[timed] == 4
    read = (
        "warroom_read_seconds_count",
        (("route", "/api/inspections/{inspection_id}/cases"),),
    )
    assert found[read] == 1
    assert found[("warroom_read_model_position", ())] >= 1
    assert found[("warroom_open_streams", ())] == 0
    assert found[("process_resident_memory_bytes", ())] > 10_000_000


def test_a_request_id_sent_is_answered_and_one_is_made_when_none_or_a_bad_one_is(
    client: WarRoomClient,
) -> None:
    given = client.http.get(
        "/api/me", headers={**client.headers("staff"), "X-Request-ID": "abc-123"}
    )
    assert given.headers["X-Request-ID"] == "abc-123"
    made = client.http.get("/api/me", headers=client.headers("staff"))
    assert len(made.headers["X-Request-ID"]) == 32
    bad = client.http.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 300})
    assert bad.headers["X-Request-ID"] != "a b\tc" + "x" * 300
    assert len(bad.headers["X-Request-ID"]) == 32


def test_the_log_redaction_removes_bearer_tokens_and_token_parameters() -> None:
    text = (
        "GET /api/x/stream?after=3&token=s3cr3t-T0k3n_x&y=1 "
        "Authorization: Bearer abc.DEF-123"
    )
    redacted = redact_text(text)
    assert "s3cr3t" not in redacted and "abc.DEF" not in redacted
    assert "after=3" in redacted and "&y=1" in redacted


def test_a_line_logged_in_a_command_thread_carries_the_request_id() -> None:
    # Commands are plain `def` routes, run on Starlette's threadpool: the id
    # bound by the middleware must reach the thread (a copied context).
    api = FastAPI()
    api.add_middleware(RequestIds)

    @api.post("/work")
    def work() -> dict[str, object]:
        return {"thread": threading.current_thread().name, **get_contextvars()}

    with TestClient(api) as http:
        answer = http.post("/work", headers={"X-Request-ID": "in-a-thread"})
    assert answer.json()["request_id"] == "in-a-thread"
    assert answer.json()["thread"] != threading.main_thread().name
