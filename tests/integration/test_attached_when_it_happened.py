"""A document attached after the fact says when (issue 23): the upload's form
takes `occurred_at` as the JSON commands do, so the page's "When it happened"
is offered on it too. Left out, it is now; in the future, refused with 422
naming it, and nothing stored (neither the event nor the bytes).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.days import iso_day, moment
from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    new_request,
    sha256,
    walk_request,
)


def attach(
    client: WarRoomClient, inspection: Inspection, rid: str, occurred_at: str
) -> object:
    return client.http.post(
        f"{inspection.path}/requests/{rid}/documents",
        files={"file": ("annex-a.pdf", b"%PDF-1.7 annex", "application/pdf")},
        data={"version": "1", "occurred_at": occurred_at},
        headers=client.headers("preparer"),
    )


def assigned_request(client: WarRoomClient, inspection: Inspection) -> str:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    return rid


def test_an_attachment_made_after_the_fact_records_when_it_happened(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = assigned_request(client, inspection)
    answer = attach(client, inspection, rid, f"{iso_day(1)}T09:10:00+00:00")
    assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
    (attached,) = [
        e for e in logged_events(client, inspection) if e["type"] == "DocumentAttached"
    ]
    assert datetime.fromisoformat(attached["occurred_at"]) == moment(
        1, 9, 10, tzinfo=UTC
    )


def test_an_attachment_without_when_it_happened_happened_now(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = assigned_request(client, inspection)
    answer = client.attach("preparer", inspection.id, rid, b"%PDF-1.7 now")
    assert answer.status_code == 201, answer.text
    (attached,) = [
        e for e in logged_events(client, inspection) if e["type"] == "DocumentAttached"
    ]
    age = datetime.now(UTC) - datetime.fromisoformat(attached["occurred_at"])
    assert timedelta(0) <= age < timedelta(minutes=1)


def test_an_attachment_said_to_happen_in_the_future_is_refused_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = assigned_request(client, inspection)
    before = client.stored()
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    answer = attach(client, inspection, rid, future)
    assert answer.status_code == 422, answer.text  # type: ignore[attr-defined]
    problems = answer.json()["detail"]  # type: ignore[attr-defined]
    assert [p["loc"] for p in problems] == [["body", "occurred_at"]]
    assert client.stored() == before
    bytes_ = client.http.get(
        f"{inspection.path}/requests/{rid}/documents/{sha256(b'%PDF-1.7 annex')}",
        headers=client.headers("rapid_response"),
    )
    assert bytes_.status_code == 404
