"""Every answer is one the OpenAPI declares (issue 22, finding 10): what
`schemathesis run --checks all` found off the schema, each fixed here."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Inspection, WarRoomClient, new_meeting, refused


def _spec(client: WarRoomClient) -> dict[str, Any]:
    spec: dict[str, Any] = client.http.get("/openapi.json").json()
    return spec


def _responses(client: WarRoomClient, path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = _spec(client)["paths"][path][method]
    return dict(operation["responses"])


@pytest.mark.parametrize("value", ["", '""', "W/", "five", "1 2", "-1"])
def test_an_if_match_that_is_no_version_is_a_declared_422_storing_nothing(
    client: WarRoomClient, inspection: Inspection, value: str
) -> None:
    path = f"{inspection.path}/requests"
    body = {"title": "A", "requested_by": inspection.lead_inspector, "channel": "kit"}
    answer = refused(client, 422, "gatekeeper", path, body, **{"If-Match": value})
    assert answer["detail"][0]["loc"] == ["header", "If-Match"]
    header = next(
        p
        for p in _spec(client)["paths"]["/api/inspections/{inspection_id}/requests"][
            "post"
        ]["parameters"]
        if p["name"] == "If-Match"
    )
    assert "pattern" in header["schema"]


@pytest.mark.parametrize("tag", ["{}", '"{}"', 'W/"{}"', ' "{}" '])
def test_an_if_match_as_an_etag_quotes_it_is_still_a_version(
    client: WarRoomClient, inspection: Inspection, tag: str
) -> None:
    meeting = new_meeting(client, inspection)
    moved = client.ok(
        "rapid_response",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 2"},
        **{"If-Match": tag.format(meeting["version"])},
    )
    assert moved["version"] == meeting["version"] + 1


@pytest.mark.parametrize("as_of", ["-5917321", "0", "0.5", "1e9"])
def test_an_as_of_that_is_a_number_is_refused_not_read_as_seconds(
    client: WarRoomClient, inspection: Inspection, as_of: str
) -> None:
    for path in (inspection.path, f"{inspection.path}/schedule.ics"):
        response = client.get("auditor", path, as_of=as_of)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_a_packet_span_that_is_a_number_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    response = client.get("lead", f"{inspection.path}/ledger/packet", to="0.5")
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/api/inspections", "GET, POST"),
        ("PUT", "/api/inspections/x/blog", "POST"),
        ("OPTIONS", "/api/calendar-links/x", "DELETE"),
        ("PATCH", "/api/users/x", "GET"),
    ],
)
def test_a_wrong_method_is_405_naming_the_methods_the_path_takes(
    client: WarRoomClient, method: str, path: str, allow: str
) -> None:
    response = client.http.request(method, path, headers=client.headers("admin"))
    assert response.status_code == 405, response.text
    assert response.headers["Allow"] == allow


def test_reading_an_acknowledgement_is_405_even_without_a_token(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/agenda/A%20staff/acknowledge"
    for headers in ({}, client.headers("staff")):
        response = client.http.get(path, headers=headers)
        assert response.status_code == 405, response.text
        assert response.headers["Allow"] == "POST"


def test_a_body_that_is_not_utf8_is_a_declared_400_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests",
        content=b"\xff\xfe{",
        headers={**client.headers("gatekeeper"), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert client.stored() == before
    declared = _responses(client, "/api/inspections/{inspection_id}/requests", "post")
    assert "400" in declared


def test_reads_and_proofs_declare_their_409(client: WarRoomClient) -> None:
    for path in (
        "/api/inspections/{inspection_id}/schedule",
        "/api/inspections/{inspection_id}/agenda/{person}.ics",
        "/api/log/proof/inclusion",
        "/api/log/proof/consistency",
    ):
        assert "409" in _responses(client, path, "get"), path


def test_refusals_of_text_routes_are_declared_as_the_json_they_are(
    client: WarRoomClient,
) -> None:
    for path in ("/api/log/key", "/api/log/checkpoint"):
        responses = _responses(client, path, "get")
        assert set(responses["200"]["content"]) == {"text/plain"}, path
        assert set(responses["401"]["content"]) == {"application/json"}, path
        answer = client.http.get(path)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/json"
    assert client.http.get("/api/log/key", headers=client.headers("staff")).text
