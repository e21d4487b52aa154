"""Positions: waits for one refused beyond the log, streams limited per user,
and the log's gaps (PostgreSQL skips a number for every rolled-back insert).

Against real `warroom serve` processes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from httpx_sse import EventSource

from tests.conftest import POSTGRES_URL
from tests.e2e.test_live_stream import Api, is_event, read_stream
from tests.servers import add_user, running_server

TIMEOUT = 30.0


@pytest.fixture
def lead(database_url: str) -> str:
    return add_user(database_url, "Vince Clark", "lead")


def test_a_read_waiting_for_a_position_beyond_the_log_is_refused_at_once(
    database_url: str, lead: str
) -> None:
    with running_server(database_url) as base:
        api = Api(base, lead)
        iid = api.open_inspection()
        head = api.blog(iid, "before")
        with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
            headers = {"Authorization": f"Bearer {lead}"}
            path = f"/api/inspections/{iid}/cases"
            beyond = http.get(path, params={"min_position": head + 1}, headers=headers)
            reached = http.get(path, params={"min_position": head}, headers=headers)
        assert beyond.status_code == 409, beyond.text
        assert beyond.json()["rule"] == "position_beyond_log"
        assert beyond.json()["head"] == head
        assert reached.status_code == 200, reached.text
        assert reached.json()["position"] >= head


def test_one_user_may_hold_only_so_many_streams(database_url: str, lead: str) -> None:
    env = {"WARROOM_MAX_STREAMS_PER_USER": "2"}
    with running_server(database_url, env=env) as base:
        iid = Api(base, lead).open_inspection()
        url = f"{base}/api/inspections/{iid}/stream"
        with httpx.Client(timeout=TIMEOUT, params={"token": lead}) as http:
            with contextlib.ExitStack() as open_streams:
                for _ in range(2):
                    first = open_streams.enter_context(http.stream("GET", url))
                    assert first.status_code == 200
                one_more = http.get(url)
                assert one_more.status_code == 429, one_more.text
                assert one_more.headers["Retry-After"]
            # Closed, the streams no longer count, once the server has seen
            # the hang-up.
            assert opens_within(http, url, seconds=10)


def opens_within(http: httpx.Client, url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with http.stream("GET", url) as again:
            if again.status_code == 200:
                return True
        time.sleep(0.1)
    return False


def make_gap(database_url: str) -> None:
    """Takes a position and never stores it, as a rolled-back insert does."""
    schema = database_url.split("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL.split("?", 1)[0], autocommit=True) as conn:
        conn.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'notification_id'))",
            (f'"{schema}".warroom_events',),
        )


@pytest.fixture
def postgres_url(postgres_schema_url: str) -> str:
    return postgres_schema_url


@pytest.fixture
def gapped(postgres_url: str) -> Iterator[tuple[Api, str, int, int, int]]:
    """A server and an inspection whose log skips the position after `before`."""
    lead = add_user(postgres_url, "Vince Clark", "lead")
    with running_server(postgres_url) as base:
        api = Api(base, lead)
        iid = api.open_inspection()
        before = api.blog(iid, "before the gap")
        make_gap(postgres_url)
        after = api.blog(iid, "after the gap")
        last = api.blog(iid, "last")
        assert after == before + 2, "one position skipped"
        yield api, iid, before, after, last


@pytest.mark.postgres
def test_events_pages_step_over_a_gap(
    gapped: tuple[Api, str, int, int, int],
) -> None:
    api, iid, before, after, last = gapped
    paged: list[int] = []
    cursor = 0
    with httpx.Client(
        base_url=api.base, headers={"Authorization": f"Bearer {api.token}"}
    ) as http:
        while True:
            page: dict[str, Any] = http.get(
                f"/api/inspections/{iid}/events", params={"after": cursor, "limit": 1}
            ).json()
            if not page["events"]:
                break
            paged += [event["position"] for event in page["events"]]
            cursor = page["next"]
    assert paged == api.event_positions(iid)
    assert paged[-3:] == [before, after, last]
    assert before + 1 not in paged


@pytest.mark.postgres
def test_a_stream_resumes_across_a_gap(
    gapped: tuple[Api, str, int, int, int],
) -> None:
    api, iid, before, after, last = gapped
    for resume in (before, before + 1):  # the last event seen, or the gap itself
        events = read_stream(
            api.base, api.token, iid, count=2, **{"Last-Event-ID": str(resume)}
        )
        assert [int(e["id"]) for e in events] == [after, last]


@pytest.mark.postgres
def test_a_live_stream_carries_on_across_a_gap(postgres_url: str) -> None:
    lead = add_user(postgres_url, "Vince Clark", "lead")
    with running_server(postgres_url) as base:
        api = Api(base, lead)
        iid = api.open_inspection()
        start = api.blog(iid, "start")
        received: list[int] = []
        url = f"{base}/api/inspections/{iid}/stream"
        with (
            httpx.Client(timeout=TIMEOUT) as http,
            http.stream("GET", url, params={"token": lead, "after": start}) as live,
        ):
            events = EventSource(live).iter_sse()
            before = api.blog(iid, "before the gap")
            make_gap(postgres_url)
            after = api.blog(iid, "after the gap")
            for sse in events:
                if is_event(sse):
                    received.append(int(sse.id))
                if len(received) == 2:
                    break
        assert received == [before, after]
        assert after == before + 2
