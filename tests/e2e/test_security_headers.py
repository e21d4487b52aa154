"""Every answer of a real server carries the security headers, the stream too.

The browser test (`test_page_browser.py`) shows the page working under them.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.days import iso_day
from tests.servers import add_user, running_server

EXPECTED = {
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[str, str]]:
    token = add_user(database_url, "Lee Lead", "lead")
    with running_server(database_url) as base:
        yield base, token


def _policy(response: httpx.Response) -> dict[str, str]:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = response.headers["content-security-policy"]
    directives = (d.strip().split(" ", 1) for d in policy.split(";"))
    return {name: rest for name, rest in directives}


def _page_policy(response: httpx.Response) -> None:
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"


def test_the_page_and_its_files_carry_a_policy_without_inline_script(
    served: tuple[str, str],
) -> None:
    base, _ = served
    for path in ("/", "/js/main.js", "/js/panels/requests.js", "/app.css"):
        response = httpx.get(base + path)
        assert response.status_code == 200
        _page_policy(response)


def test_api_answers_and_refusals_carry_the_headers(served: tuple[str, str]) -> None:
    base, token = served
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base) as http:
        _page_policy(http.get("/api/me", headers=auth))
        _page_policy(http.get("/api/me"))  # 401
        opened = http.post(
            "/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers=auth,
        )
        assert opened.status_code == 201
        _page_policy(opened)
        _page_policy(http.post("/api/inspections", json={}, headers=auth))  # 422


def test_the_live_stream_carries_the_headers(served: tuple[str, str]) -> None:
    base, token = served
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=auth, timeout=10) as http:
        iid = http.post(
            "/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
        ).json()["id"]
        with http.stream("GET", f"/api/inspections/{iid}/stream") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            _page_policy(stream)


def test_the_api_docs_get_a_policy_of_their_own_that_lets_them_load(
    served: tuple[str, str],
) -> None:
    base, _ = served
    docs = httpx.get(base + "/docs")
    assert docs.status_code == 200
    policy = _policy(docs)
    # Swagger UI comes from this server: its one inline script by its hash.
    assert policy["script-src"].startswith("'self' 'sha256-")
    assert "unsafe-inline" not in policy["script-src"]
    assert "http" not in " ".join(policy.values())
    assert policy["frame-ancestors"] == "'none'"
