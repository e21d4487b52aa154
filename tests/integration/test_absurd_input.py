"""Input that is valid by the schema and absurd in the world: refused with a
422 naming the field, nothing stored; and a log that already holds such a
thing still answers every read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    new_request,
    refused,
    sha256,
    walk_request,
)
from warroom.domain import words
from warroom.domain.base import Context
from warroom.domain.meeting import Meeting

MEETING = {
    "title": "KIT",
    "kind": "kit",
    "starts_at": f"{iso_day(1)}T10:00:00Z",
    "ends_at": f"{iso_day(1)}T11:00:00Z",
    "venue": "Room 1",
    "attendees": ["Jo Smith"],
}


def fields_named(answer: dict[str, Any]) -> set[str]:
    return {str(error["loc"][-1]) for error in answer["detail"]}


# --- times ----------------------------------------------------------------------


def test_a_meeting_from_year_1_to_year_9999_is_refused_and_agendas_still_answer(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {
        **MEETING,
        "starts_at": "0001-01-02T00:00:00Z",
        "ends_at": "9999-12-30T00:00:00Z",
    }
    answer = refused(client, 422, "rapid_response", f"{inspection.path}/meetings", body)
    assert fields_named(answer) == {"starts_at", "ends_at"}
    assert "2000 to 2099" in answer["detail"][0]["msg"]
    agenda = client.get("staff", f"{inspection.path}/agenda/Jo Smith")
    assert agenda.status_code == 200, agenda.text


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/meetings",
            {
                **MEETING,
                "starts_at": f"{iso_day(1097)}T10:00:00Z",
                "ends_at": f"{iso_day(1097)}T11:00:00Z",
            },
            "starts_at",
        ),
        (
            "/meetings",
            {
                **MEETING,
                "starts_at": f"{iso_day(-1057)}T10:00:00Z",
                "ends_at": f"{iso_day(-1057)}T11:00:00Z",
            },
            "starts_at",
        ),
        ("/meetings", {**MEETING, "ends_at": f"{iso_day(9)}T10:00:00Z"}, "ends_at"),
        (
            "/meetings",
            {**MEETING, "occurred_at": f"{iso_day(-2518)}T10:00:00Z"},
            "occurred_at",
        ),
        (
            "/meetings",
            {**MEETING, "occurred_at": "1999-12-31T23:59:59Z"},
            "occurred_at",
        ),
        (
            "/requests",
            {"title": "A", "channel": "kit", "due_at": f"{iso_day(1500)}T00:00:00Z"},
            "due_at",
        ),
        (
            "/requests",
            {"title": "A", "channel": "kit", "due_at": "2100-01-01T00:00:00Z"},
            "due_at",
        ),
        ("/blog", {"day": iso_day(1135), "title": "A", "body": "B"}, "day"),
        ("/blog", {"day": "9999-12-31", "title": "A", "body": "B"}, "day"),
    ],
)
def test_a_time_far_from_the_inspection_is_refused_naming_the_field(
    client: WarRoomClient,
    inspection: Inspection,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    if path == "/requests":
        body = {**body, "requested_by": inspection.team_inspector}
    answer = refused(client, 422, "lead", inspection.path + path, body)
    assert fields_named(answer) == {field}, answer


def test_a_meeting_may_last_a_week_but_not_longer(
    client: WarRoomClient, inspection: Inspection
) -> None:
    week = {**MEETING, "ends_at": f"{iso_day(8)}T10:00:00Z"}
    client.ok("lead", f"{inspection.path}/meetings", week)
    longer = {**MEETING, "ends_at": f"{iso_day(8)}T10:00:01Z"}
    answer = refused(client, 422, "lead", f"{inspection.path}/meetings", longer)
    assert fields_named(answer) == {"ends_at"}


def test_a_reschedule_far_from_the_inspection_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = client.ok("lead", f"{inspection.path}/meetings", MEETING)["id"]
    body = {
        "starts_at": f"{iso_day(7306)}T10:00:00Z",
        "ends_at": f"{iso_day(7306)}T11:00:00Z",
        "reason": "typo",
    }
    answer = refused(
        client, 422, "lead", f"{inspection.path}/meetings/{mid}/reschedule", body
    )
    assert fields_named(answer) == {"starts_at"}


@pytest.mark.parametrize("starts_on", ["0001-01-01", "1999-12-31", "2100-01-01"])
def test_an_inspection_outside_the_years_2000_to_2099_is_refused(
    client: WarRoomClient, starts_on: str
) -> None:
    body = {"title": "SIF", "framework": "SIF", "starts_on": starts_on}
    answer = refused(client, 422, "lead", "/api/inspections", body)
    assert fields_named(answer) == {"starts_on"}


def test_a_log_that_already_holds_a_meeting_over_the_centuries_still_answers(
    client: WarRoomClient, inspection: Inspection
) -> None:
    """Saved straight through the application, as the API once accepted it."""
    client.ok("lead", f"{inspection.path}/meetings", MEETING)
    poison = Meeting(
        inspection_id=inspection.id,
        title="Poison",
        kind="kit",
        starts_at="0001-01-02T00:00:00+00:00",
        ends_at="9999-12-30T00:00:00+00:00",
        venue="Room 1",
        attendees=["Jo Smith"],
        inspectors=[],
        topics=[],
        meta=Context(
            actor="x",
            actor_name="x",
            occurred_at=datetime.now(UTC),
            inspection_id=inspection.id,
        ).meta(),
    )
    client.app.save_and_position(poison)
    last = client.ok("lead", f"{inspection.path}/meetings", MEETING)["position"]
    for at in (None, last - 1, last):
        params = {} if at is None else {"at": at}
        agenda = client.get("staff", f"{inspection.path}/agenda/Jo Smith", **params)
        assert agenda.status_code == 200, agenda.text
        assert len(agenda.json()["meetings"]) == (3 if at != last - 1 else 2)
        day = client.get("staff", f"{inspection.path}/schedule", day=iso_day(1))
        assert day.status_code == 200, day.text
        blog = client.get("staff", f"{inspection.path}/blog/{iso_day(1)}", **params)
        assert blog.status_code == 200, blog.text


# --- reads of days no one can mean -------------------------------------------------


@pytest.mark.parametrize(
    "day", ["0001-01-01", "1999-12-30", "2100-01-02", "9999-12-31"]
)
def test_a_day_outside_the_years_2000_to_2099_is_refused_by_every_read_of_a_day(
    client: WarRoomClient, inspection: Inspection, day: str
) -> None:
    schedule = client.get("staff", f"{inspection.path}/schedule", day=day)
    blog = client.get("staff", f"{inspection.path}/blog/{day}")
    for response in (schedule, blog):
        assert response.status_code == 422, response.text
        assert fields_named(response.json()) == {"day"}


# --- uploads ----------------------------------------------------------------------


@pytest.fixture
def assigned(client: WarRoomClient, inspection: Inspection) -> Iterator[str]:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    yield rid


@pytest.mark.parametrize(
    ("name", "version", "field"),
    [
        ("a" * 256 + ".pdf", "1", "filename"),
        ("   ", "1", "filename"),
        ("doc.pdf", "   ", "version"),
        ("doc.pdf", "v" * 41, "version"),
    ],
)
def test_an_upload_with_a_blank_or_overlong_name_or_version_is_refused(
    client: WarRoomClient,
    inspection: Inspection,
    assigned: str,
    name: str,
    version: str,
    field: str,
) -> None:
    content = f"the document {name!r} {version!r}".encode()
    before = client.stored()
    response = client.attach(
        "preparer", inspection.id, assigned, content, name=name, version=version
    )
    assert response.status_code == 422, response.text
    assert fields_named(response.json()) == {field}
    assert client.stored() == before
    assert client.app.store.get_document(sha256(content)) is None


# --- bodies that once broke the error answer itself --------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": "\\ud800", "requested_by": "%s", "channel": "kit"}', "title"),
        (
            b'{"title": "A", "requested_by": "%s", "channel": "kit", "detail": NaN}',
            "detail",
        ),
        (
            b'{"title": "A", "requested_by": "%s", "channel": "kit", "due_at": NaN}',
            "due_at",
        ),
        (b'{"title": "\\udc00x", "requested_by": "%s", "channel": "kit"}', "title"),
    ],
)
def test_a_lone_surrogate_or_a_nan_is_refused_naming_the_field(
    client: WarRoomClient, inspection: Inspection, body: bytes, field: str
) -> None:
    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests",
        content=body % inspection.team_inspector.encode(),
        headers=client.headers("gatekeeper", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 422, response.text
    assert fields_named(response.json()) == {field}
    assert client.stored() == before


def test_a_refusal_quotes_a_short_excerpt_of_the_input_not_all_of_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = {"title": "x" * 900_000, "requested_by": "y", "channel": "kit"}
    before = client.stored()
    response = client.post("gatekeeper", f"{inspection.path}/requests", body)
    assert response.status_code == 422
    assert len(response.content) < 1_000, response.text
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "title"]
    assert problem["input"] == "x" * 40 + "..."
    assert client.stored() == before


def test_a_refusal_of_many_unknown_fields_lists_twenty_and_counts_the_rest(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body: dict[str, Any] = {f"field{n}": n for n in range(5_000)}
    body.update(title="A", requested_by=inspection.team_inspector, channel="kit")
    before = client.stored()
    response = client.post("gatekeeper", f"{inspection.path}/requests", body)
    assert response.status_code == 422
    answer = response.json()
    assert len(answer["detail"]) == 20
    assert answer["errors_not_shown"] == 4_980
    assert len(response.content) < 5_000
    assert client.stored() == before


def test_an_oversized_chunked_body_is_refused_with_413(
    client: WarRoomClient, inspection: Inspection
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "A", "channel": "kit", "detail": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}'

    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests",
        content=chunks(),
        headers=client.headers("gatekeeper", **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 413, response.text
    assert "limit" in response.json()["detail"]
    assert client.stored() == before


def test_an_oversized_chunked_upload_is_refused_with_413(
    client: WarRoomClient, inspection: Inspection, assigned: str
) -> None:
    boundary = b"b0undary"

    def chunks() -> Iterator[bytes]:
        yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="version"'
        yield b"\r\n\r\n1\r\n--" + boundary + b"\r\n"
        yield b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        yield b"Content-Type: application/pdf\r\n\r\n"
        for _ in range(20):
            yield b"x" * 100_000
        yield b"\r\n--" + boundary + b"--\r\n"

    before = client.stored()
    response = client.http.post(
        f"{inspection.path}/requests/{assigned}/documents",
        content=chunks(),
        headers=client.headers(
            "preparer",
            **{"Content-Type": "multipart/form-data; boundary=" + boundary.decode()},
        ),
    )
    assert response.status_code == 413, response.text
    assert client.stored() == before


# --- assignment -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "auditor", "admin"])
def test_a_request_is_assigned_only_to_someone_who_may_prepare_documents(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    rid = new_request(client, inspection)
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids[role]},
    )
    assert answer["rule"] == "assign_to_a_preparer"
    assert f"is {words.role(role)}, who may not attach documents" in answer["detail"]


@pytest.mark.parametrize("role", ["lead", "gatekeeper", "rapid_response"])
def test_a_request_may_be_assigned_to_any_role_that_attaches_documents(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    rid = new_request(client, inspection)
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids[role]},
    )
