"""`/docs` works with no internet: Swagger UI comes from this server.

And `/openapi.json`, which it shows, says what every read answers and every
way a route can refuse.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from tests.helpers import WarRoomClient


def _docs(client: WarRoomClient) -> str:
    response = client.http.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text: str = response.text
    return text


def test_the_docs_page_loads_only_files_from_this_server_and_they_are_served(
    client: WarRoomClient,
) -> None:
    html = _docs(client)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert {u.rsplit("/", 1)[-1] for u in urls} == {
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "favicon-32x32.png",
    }
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        asset = client.http.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    script = client.http.get("/docs/assets/swagger-ui-bundle.js")
    assert "SwaggerUIBundle" in script.text
    assert "'/openapi.json'" in html
    assert "cdn" not in html and "https://" not in html


def test_the_docs_policy_allows_exactly_the_inline_script_the_page_holds(
    client: WarRoomClient,
) -> None:
    response = client.http.get("/docs")
    (script,) = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]


def test_there_is_no_redoc_page_that_would_need_the_internet(
    client: WarRoomClient,
) -> None:
    assert client.http.get("/redoc").status_code == 404


def test_openapi_lists_the_refusals_every_route_can_answer(
    client: WarRoomClient,
) -> None:
    spec: dict[str, Any] = client.http.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = operation["responses"].keys()
            if path.startswith("/calendar/"):
                # A secret link is its own key: no token, so no 401; revoked, 404.
                assert "404" in declared, (method, path)
                continue
            if path in ("/api/device/codes", "/api/device/token"):
                # A wall screen asks before anyone signs in (RFC 8628): no
                # token, so no 401; too many codes 429, the poll's answers 400.
                assert declared & {"400", "429"}, (method, path)
                continue
            if path.startswith("/auth/"):
                # People's sign-in (issue 26): pages and exchanges made before
                # anyone is signed in, so no 401 but for a refused link.
                if path == "/auth/link":
                    assert {"401", "403", "422"} <= declared, (method, path)
                else:
                    assert declared, (method, path)
                continue
            if path == "/api/push/key":
                # A public key, asked for before subscribing: no token needed.
                assert declared == {"200"}, (method, path)
                continue
            assert "401" in declared, (method, path)
            if path.startswith("/api/inspections/{inspection_id}"):
                assert "404" in declared, (method, path)
            if method == "post":
                assert {"403", "404", "409", "413"} <= declared, (method, path)


def test_every_read_route_declares_what_it_answers(client: WarRoomClient) -> None:
    spec: dict[str, Any] = client.http.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None or path.endswith("/stream"):
            continue
        if path.startswith("/auth/"):
            # Sign-in's steps in a browser: each sends it on, to the provider
            # or back to the page.
            assert any(code.startswith("30") for code in get["responses"]), path
            continue
        content = get["responses"]["200"]["content"]
        schema = next(iter(content.values()))["schema"]
        assert schema != {}, path
        if "application/json" in content:
            ref = content["application/json"]["schema"].get("$ref", "")
            assert ref.startswith("#/components/schemas/"), path
