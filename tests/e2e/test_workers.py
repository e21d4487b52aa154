"""`warroom serve` with `WARROOM_WORKERS=2` (issue 14, item 7): one port, two
processes, and read-your-writes across them.

A kept-alive connection stays with the worker that accepted it, and each
worker's `/healthz` names its own process: so the test holds one
connection to each worker, posts a blog post through one and at once reads
the day's blog through the other, with no `min_position`, both ways round.
SQLite refuses more than one worker, saying why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from tests.days import iso_day
from tests.e2e.test_live_stream import Api
from tests.servers import add_user, running_server, warroom

DAY = iso_day(2)
ROUNDS = 20


def _worker_of(http: httpx.Client) -> str:
    # Not `/metrics`' process start time: two workers started within one
    # clock tick share it (a quiet machine's CI run saw one worker only).
    health = http.get("/healthz")
    assert health.status_code == 200, health.text
    return str(health.json()["process"])


def _one_connection_per_worker(
    base: str, token: str, stack: ExitStack
) -> list[httpx.Client]:
    """Clients of one kept-alive connection each, on two different workers."""
    by_worker: dict[str, httpx.Client] = {}
    # On a loaded machine one worker may still be starting, or take every
    # connection for a while: keep asking, a little apart, for up to ~60 s.
    for _ in range(300):
        http = stack.enter_context(
            httpx.Client(
                base_url=base,
                headers={"Authorization": f"Bearer {token}"},
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                timeout=30,
            )
        )
        by_worker.setdefault(_worker_of(http), http)
        if len(by_worker) == 2:
            return list(by_worker.values())
        time.sleep(0.2)
    raise AssertionError(f"only {len(by_worker)} worker(s) answered 300 connections")


@pytest.fixture
def two_workers(postgres_schema_url: str) -> Iterator[tuple[str, str]]:
    token = add_user(postgres_schema_url, "Vince Clark", "lead")
    with running_server(
        postgres_schema_url, env={"WARROOM_WORKERS": "2"}, timeout=120
    ) as base:
        yield base, token


@pytest.mark.postgres
def test_a_read_on_another_worker_sees_the_command_just_answered(
    two_workers: tuple[str, str],
) -> None:
    base, token = two_workers
    iid = Api(base, token).open_inspection()
    with ExitStack() as stack:
        first, second = _one_connection_per_worker(base, token, stack)
        assert _worker_of(first) != _worker_of(second)  # still the same two
        for n in range(ROUNDS):
            writer, reader = (first, second) if n % 2 == 0 else (second, first)
            posted = writer.post(
                f"/api/inspections/{iid}/blog",
                json={"day": DAY, "title": f"post {n}", "body": "text"},
            )
            assert posted.status_code == 201, posted.text
            read = reader.get(f"/api/inspections/{iid}/blog/{DAY}")
            assert read.status_code == 200, read.text
            titles = {post["title"] for post in read.json()["posts"]}
            assert f"post {n}" in titles, (n, sorted(titles))


def test_sqlite_refuses_more_than_one_worker(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/warroom.db"
    done = warroom(url, "serve", "--workers", "2", "--port", "1")
    assert done.returncode == 2
    assert "WARROOM_WORKERS > 1 needs PostgreSQL" in done.stderr
