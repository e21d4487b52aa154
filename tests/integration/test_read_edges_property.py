"""Every read and feed answers 2xx or 4xx, whatever `happened_by`, `as_of`,
`at` and the path say (issue 22): a property over every GET route of `/openapi.json`.

As the fuzzing (`tests/e2e/test_fuzz.py`), but with the values that locate
an answer in time and place pinned to their edges: instants before the
opening, at it to the microsecond, at the ends of the era, in far zones,
without a zone or not instants at all; positions negative, 0, the opening,
the head and beyond, past 64 bits; paths naming real things, unknown ones,
nobody, nothing, or something odd. Each read asks as one of the roles or
with no token. None may answer 5xx; none may store anything. The app keeps a
mark every few events, so that reads of the past start from marks as a
long-running server's do (finding 5 broke only there).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_meeting, new_request
from warroom.config import Settings
from warroom.domain.user import ROLES
from web.app import create_app

# About 10 s a database; raise it for a longer run.
EXAMPLES = 500
NOBODY = "nobody"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
# The query parameters that name an instant.
INSTANTS = {"happened_by", "as_of", "from", "to"}


@dataclass
class Place:
    """An inspection with something in it, and the edges of its history."""

    client: WarRoomClient
    inspection: Inspection
    ids: dict[str, str]
    opened_at: datetime
    opened: int
    head: int


@pytest.fixture
def place(database_url: str) -> Iterator[Place]:
    settings = Settings(
        database_url=database_url, max_body_bytes=1_000_000, checkpoint_every=3
    )
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        answer = client.get("auditor", inspection.path).json()
        meeting = new_meeting(client, inspection)
        request = new_request(client, inspection)
        link = client.ok(
            "admin", f"{inspection.path}/calendar-links", {"person": "A staff"}
        )
        case = client.ok(
            "rapid_response",
            f"{inspection.path}/cases",
            {"ref": "CP-0042", "selection": "audited", "plan": "CP"},
        )
        ids = {
            "inspection_id": inspection.id,
            "meeting_id": meeting["id"],
            "request_id": request,
            "person": "A staff",
            "day": iso_day(1),
            "link_id": link["id"],
            "secret": link["url"].rsplit("/", 1)[1].removesuffix(".ics"),
            "user_id": client.user_ids["staff"],
            "case_id": case["id"],
        }
        yield Place(
            client=client,
            inspection=inspection,
            ids=ids,
            opened_at=datetime.fromisoformat(answer["opened_at"]),
            opened=answer["opened_at_position"],
            head=client.stored(),
        )


def _gets(client: WarRoomClient) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every GET route but the stream (a 200 there never ends)."""
    spec = client.http.get("/openapi.json").json()
    return [
        (path, operations["get"].get("parameters", []))
        for path, operations in spec["paths"].items()
        if "get" in operations and not path.endswith("/stream")
    ]


def instants(p: Place) -> st.SearchStrategy[str]:
    o = p.opened_at
    second = timedelta(seconds=1)
    micro = timedelta(microseconds=1)
    aware = [
        o - micro,
        o,
        o + micro,
        o - second,
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime.now(UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
    ]
    texts = [t.isoformat() for t in aware] + [
        t.isoformat().replace("+00:00", "Z") for t in aware
    ]
    return st.sampled_from(
        [
            *texts,
            "0001-01-01T00:00:00+14:00",  # before the era once in UTC
            "9999-12-31T23:59:59-12:00",  # after it
            o.astimezone(UTC).replace(tzinfo=None).isoformat(),  # no zone
            f"{iso_day(1)}T10:00:00",
            iso_day(1),
            "-5917321",
            "0",
            "0.5",
            "1e308",
            "nan",
            "2026-02-30T00:00:00Z",
            f"{iso_day(1)}T25:00:00Z",
            "yesterday",
            "",
            f"{iso_day(1)}T10:00:00Z" * 50,
        ]
    )


def positions(p: Place) -> st.SearchStrategy[str]:
    edges = [-5917321, -1, 0, 1, p.opened - 1, p.opened, p.head, p.head + 1]
    edges += [2**31, 2**63 - 1, 2**63, 10**30]
    return st.sampled_from([*map(str, edges), "x", "", "1.5", "-0"])


TEXT = st.sampled_from(
    ["", " ", "x", "..", "%", "a/b", "😀", "\u202e", "x" * 5000, "nul\x00", "0"]
)
DAYS = st.sampled_from(
    [iso_day(1), "0001-01-01", "9999-12-31", "2026-02-30", "-1", "today"]
)


def path_value(name: str, p: Place) -> st.SearchStrategy[str]:
    real = p.ids.get(name)
    odd = st.one_of(
        TEXT,
        st.just(UNKNOWN),
        st.sampled_from(["-5917321", "0", str(2**63), "Nobody Here"]),
    )
    if name == "day":
        odd = odd | DAYS
    if real is None:  # line, n, sha256, task_id, email ...
        return odd | st.sampled_from(["1", "d1-diary", "pat@example.org"])
    if name == "person":  # at a meeting, a user at none, nobody known
        return st.sampled_from([real, "A auditor", "Nobody Here"]) | odd
    # Mostly the real thing, so that the other values are asked of it.
    return st.sampled_from([real] * 3) | odd


def query_value(parameter: dict[str, Any], p: Place) -> st.SearchStrategy[str]:
    name = parameter["name"]
    if name in INSTANTS:
        return instants(p)
    if name == "day":
        return DAYS | TEXT
    schema = str(parameter.get("schema", {}))
    if "integer" in schema:
        return positions(p)
    return TEXT | st.sampled_from(["json", "csv", "true"])


@st.composite
def reads(
    draw: st.DrawFn, p: Place, routes: list[Any]
) -> tuple[str, str, dict[str, str]]:
    path, parameters = draw(st.sampled_from(routes))
    url = re.sub(
        r"{(\w+)}",
        lambda m: quote(draw(path_value(m.group(1), p)), safe=""),
        path,
    )
    query = {}
    for parameter in parameters:
        # Mostly asked: the edges are what this is about.
        if parameter["in"] == "query" and draw(st.integers(0, 3)):
            query[parameter["name"]] = draw(query_value(parameter, p))
    role = draw(st.sampled_from([*ROLES, NOBODY]))
    return role, url, query


def test_every_read_and_feed_answers_2xx_or_4xx_at_every_edge(place: Place) -> None:
    # The place is made once: the reads change nothing, so every example
    # shares it (hypothesis would not run a function-scoped fixture again).
    routes = _gets(place.client)
    assert len(routes) >= 30
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        # A failure is reported as found: shrinking through HTTP takes long.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(read=reads(place, routes))
    def read_at_an_edge(read: tuple[str, str, dict[str, str]]) -> None:
        role, url, query = read
        headers = {} if role == NOBODY else place.client.headers(role)
        response = place.client.http.get(url, params=query, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{role} GET {url} {query}: {response.text[:300]}")
        assert response.status_code < 500, failures[-1]

    read_at_an_edge()
    assert place.client.stored() == place.head, "a read stored something"


def test_every_read_and_feed_answers_2xx_or_4xx_on_a_grid_of_the_edges(
    place: Place,
) -> None:
    """The same edges, each one asked of every GET route about real things
    (and of an agenda for people at a meeting, at none, and unknown): what
    random drawing may miss."""
    p = place
    failures: list[str] = []
    asked = 0
    for path, parameters in _gets(p.client):
        names = {q["name"] for q in parameters if q["in"] == "query"}
        people = ["A staff", "A auditor", "Nobody Here"] if "{person}" in path else [""]
        grid: list[dict[str, str]] = [{}]
        for name in names & INSTANTS:
            grid += [{name: t} for t in _every(instants(p))]
        if "at" in names:
            grid += [{"at": n} for n in _every(positions(p))]
        if "happened_by" in names:  # the two clocks at once: refused, never 5xx
            grid += [{"happened_by": t, "as_of": t} for t in _every(instants(p))]
        for person in people:
            ids = {**p.ids, "person": person or p.ids["person"]}
            url = _filled(path, ids)
            for query in grid:
                for role in ("auditor", "staff"):
                    answer = p.client.get(role, url, **query)
                    asked += 1
                    if answer.status_code >= 500:
                        failures.append(f"{role} GET {url} {query}: {answer.text:.200}")
    print(f"asked {asked} reads at the edges")
    assert asked > 1000
    assert failures == []
    assert p.client.stored() == p.head, "a read stored something"


def _filled(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: quote(ids.get(m[1], "1"), safe=""), path)


def _every(strategy: st.SearchStrategy[str]) -> list[str]:
    """The values of a `sampled_from` strategy, in order."""
    elements = getattr(strategy, "elements", None)
    assert elements is not None, strategy
    return [str(e) for e in elements]
