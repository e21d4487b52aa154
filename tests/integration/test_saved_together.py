"""What a command stores, it stores in one transaction: events, bytes, answer.

A refused or conflicting upload stores no document bytes; an answer under an
`Idempotency-Key` names the command's own event, not the internal record
saved after it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers import Inspection, WarRoomClient, logged_events, new_request

RACERS = 10


def _uploads_at_once(
    client: WarRoomClient,
    inspection: Inspection,
    rid: str,
    monkeypatch: pytest.MonkeyPatch,
    **headers: str,
) -> list[Any]:
    """Ten different uploads, all past their checks before any of them saves."""
    all_checked = threading.Barrier(RACERS, timeout=60)
    save = client.app.save_and_position

    def save_when_all_checked(*aggregates: Any, **kwargs: Any) -> int:
        all_checked.wait()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(client.app, "save_and_position", save_when_all_checked)
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        answers = list(
            pool.map(
                lambda n: client.attach(
                    "preparer", inspection.id, rid, f"version {n}".encode(), **headers
                ),
                range(RACERS),
            )
        )
    monkeypatch.undo()
    return answers


@pytest.mark.parametrize("with_if_match", [True, False])
def test_of_ten_uploads_at_once_one_is_stored_and_the_refused_store_no_bytes(
    client: WarRoomClient,
    inspection: Inspection,
    monkeypatch: pytest.MonkeyPatch,
    with_if_match: bool,
) -> None:
    rid = new_request(client, inspection)
    assigned = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    headers = {"If-Match": str(assigned["version"])} if with_if_match else {}
    events_before = client.stored()
    documents_before = client.app.store.documents_held()

    answers = _uploads_at_once(client, inspection, rid, monkeypatch, **headers)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (RACERS - 1), [a.text for a in answers]
    assert client.stored() == events_before + 1
    assert client.app.store.documents_held() == documents_before + 1
    (winner,) = [a.json() for a in answers if a.status_code == 201]
    download = client.http.get(
        f"{inspection.path}/requests/{rid}/documents/{winner['sha256']}",
        headers=client.headers("staff"),
    )
    assert download.status_code == 200


def test_a_refused_upload_stores_neither_events_nor_bytes(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)  # not assigned yet: attaching is refused
    events_before = client.stored()
    documents_before = client.app.store.documents_held()
    refused = client.attach("preparer", inspection.id, rid, b"too early")
    assert refused.status_code == 409, refused.text
    assert client.stored() == events_before
    assert client.app.store.documents_held() == documents_before


def _position_in_the_log(
    client: WarRoomClient, inspection: Inspection, aggregate_id: str
) -> int:
    (event,) = [
        e
        for e in logged_events(client, inspection)
        if e["aggregate_id"] == aggregate_id
    ]
    position: int = event["position"]
    return position


def test_an_answer_under_an_idempotency_key_names_the_commands_own_event(
    client: WarRoomClient, inspection: Inspection
) -> None:
    key = {"Idempotency-Key": "where-is-it"}
    body = {
        "title": "Annex A",
        "requested_by": inspection.team_inspector,
        "channel": "email",
    }
    path = f"{inspection.path}/requests"
    first = client.ok("gatekeeper", path, body, **key)
    again = client.ok("gatekeeper", path, body, **key)

    own = _position_in_the_log(client, inspection, first["id"])
    assert first["position"] == own
    assert again == first


def test_an_uploads_answer_under_an_idempotency_key_names_its_own_event(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    key = {"Idempotency-Key": "upload-where"}
    first = client.attach("preparer", inspection.id, rid, b"bytes", **key).json()
    again = client.attach("preparer", inspection.id, rid, b"bytes", **key).json()
    attached = [
        e["position"]
        for e in logged_events(client, inspection)
        if e["aggregate_id"] == rid and e["type"] == "DocumentAttached"
    ]
    assert [first["position"]] == attached
    assert again == first
