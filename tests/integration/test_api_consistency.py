"""Retries, stale writes and races: Idempotency-Key, If-Match, occurred_at."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    new_request,
    refused,
    refused_attach,
    walk_request,
)

MEETING = {
    "title": "Lead inspector meeting",
    "kind": "lead_inspector",
    "starts_at": f"{iso_day(1)}T10:00:00+00:00",
    "ends_at": f"{iso_day(1)}T11:00:00+00:00",
    "venue": "Room 1",
}


def request_body(inspection: Inspection, title: str = "Annex A") -> dict[str, Any]:
    return {
        "title": title,
        "requested_by": inspection.team_inspector,
        "channel": "email",
    }


def reschedule_body(hour: int, reason: str) -> dict[str, Any]:
    return {
        "starts_at": f"{iso_day(1)}T{hour:02}:00:00+00:00",
        "ends_at": f"{iso_day(1)}T{hour + 1:02}:00:00+00:00",
        "reason": reason,
    }


def events_of(
    client: WarRoomClient, inspection: Inspection, aggregate_id: str
) -> list[dict[str, Any]]:
    return [
        e
        for e in logged_events(client, inspection)
        if e["aggregate_id"] == aggregate_id
    ]


# --- Idempotency-Key --------------------------------------------------------


def test_a_command_sent_again_with_its_key_answers_the_first_answer_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/requests"
    first = client.post(
        "gatekeeper", path, request_body(inspection), **{"Idempotency-Key": "k1"}
    )
    assert first.status_code == 201, first.text
    stored = client.stored()
    again = client.post(
        "gatekeeper", path, request_body(inspection), **{"Idempotency-Key": "k1"}
    )
    assert (again.status_code, again.json()) == (201, first.json())
    assert client.stored() == stored
    tracker = client.get("staff", f"{inspection.path}/requests").json()
    assert [r["id"] for r in tracker["requests"]] == [first.json()["id"]]


def test_a_change_retried_with_its_key_is_applied_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = f"{inspection.path}/requests/{rid}/escalate"
    key = {"Idempotency-Key": "escalate-once"}
    first = client.ok("gatekeeper", path, {"reason": "asked a worker"}, **key)
    stored = client.stored()
    # Without the key this would be refused: it was escalated already.
    again = client.ok("gatekeeper", path, {"reason": "asked a worker"}, **key)
    assert again == first
    assert client.stored() == stored


def test_a_document_attached_again_with_its_key_stores_nothing_new(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    key = {"Idempotency-Key": "upload-1"}
    first = client.attach("preparer", inspection.id, rid, b"bytes", **key)
    assert first.status_code == 201, first.text
    stored = client.stored()
    again = client.attach("preparer", inspection.id, rid, b"bytes", **key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert client.stored() == stored
    attached = [
        e for e in events_of(client, inspection, rid) if e["type"] == "DocumentAttached"
    ]
    assert len(attached) == 1


def test_the_key_is_recorded_with_the_event(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        request_body(inspection),
        **{"Idempotency-Key": "remember-me"},
    )["id"]
    (requested,) = client.app.repository.event_store.get(UUID(rid))
    assert requested.meta["idempotency_key"] == "remember-me"  # type: ignore[attr-defined]


def test_a_key_reused_for_a_different_body_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/requests"
    key = {"Idempotency-Key": "k2"}
    client.ok("gatekeeper", path, request_body(inspection, "first"), **key)
    answer = refused(
        client, 409, "gatekeeper", path, request_body(inspection, "second"), **key
    )
    assert answer["rule"] == "idempotency_key_reused"


def test_a_key_reused_for_the_same_body_on_another_thing_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    first, second = new_request(client, inspection), new_request(client, inspection)
    key = {"Idempotency-Key": "k3"}
    body = {"reason": "not ours to give"}
    client.ok("gatekeeper", f"{inspection.path}/requests/{first}/decline", body, **key)
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{inspection.path}/requests/{second}/decline",
        body,
        **key,
    )
    assert answer["rule"] == "idempotency_key_reused"


def test_keys_belong_to_the_user_who_sent_them(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/requests"
    key = {"Idempotency-Key": "shared-key"}
    mine = client.ok("gatekeeper", path, request_body(inspection), **key)
    theirs = client.ok("lead", path, request_body(inspection), **key)
    assert mine["id"] != theirs["id"]


def test_adding_a_user_again_with_the_same_key_is_refused_as_the_token_is_not_kept(
    client: WarRoomClient,
) -> None:
    key = {"Idempotency-Key": "new-user"}
    body = {"name": "Gail", "role": "gatekeeper"}
    client.ok("admin", "/api/users", body, **key)
    answer = refused(client, 409, "admin", "/api/users", body, **key)
    assert answer["rule"] == "idempotency_key_reused"


# --- If-Match ---------------------------------------------------------------


def test_a_change_with_the_current_version_in_if_match_succeeds(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = client.ok("lead", f"{inspection.path}/meetings", MEETING)
    moved = client.ok(
        "lead",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 2"},
        **{"If-Match": str(meeting["version"])},
    )
    assert moved["version"] == meeting["version"] + 1
    quoted = client.ok(
        "lead",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 3"},
        **{"If-Match": f'"{moved["version"]}"'},
    )
    assert quoted["version"] == moved["version"] + 1


def test_a_stale_if_match_gets_409_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = client.ok("lead", f"{inspection.path}/meetings", MEETING)
    path = f"{inspection.path}/meetings/{meeting['id']}"
    client.ok("lead", f"{path}/move", {"venue": "Room 2"})
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{path}/reschedule",
        reschedule_body(14, "stale"),
        **{"If-Match": str(meeting["version"])},
    )
    assert answer["rule"] == "version_mismatch"
    assert (answer["expected"], answer["actual"]) == (
        meeting["version"],
        meeting["version"] + 1,
    )


def test_a_stale_if_match_on_a_document_upload_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "attached")
    answer = refused_attach(
        client, 409, "preparer", inspection.id, rid, b"v2", **{"If-Match": "1"}
    )
    assert answer["rule"] == "version_mismatch"


def test_a_stale_if_match_on_the_inspection_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    # The inspection's version moved on as the fixture added its inspectors.
    answer = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/phase",
        {"phase": "day2_kick_off"},
        **{"If-Match": "1"},
    )
    assert answer["rule"] == "version_mismatch"
    refused(
        client,
        409,
        "lead",
        f"{inspection.path}/inspectors",
        {"name": "Late arrival"},
        **{"If-Match": "1"},
    )


def test_an_if_match_that_is_not_a_version_is_malformed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = client.ok("lead", f"{inspection.path}/meetings", MEETING)
    answer = refused(
        client,
        422,
        "lead",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 2"},
        **{"If-Match": "yesterday"},
    )
    assert answer["detail"][0]["loc"] == ["header", "If-Match"]


# --- two people at once -----------------------------------------------------


def race(client: WarRoomClient, *sends: Any) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(sends)) as pool:
        return list(pool.map(lambda send: send(), sends))


def test_two_reschedules_at_once_one_wins_the_other_gets_409_and_nothing_is_lost(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    mid = client.ok("lead", f"{inspection.path}/meetings", MEETING)["id"]
    path = f"{inspection.path}/meetings/{mid}/reschedule"
    # Both commands have loaded the meeting before either saves: a real race,
    # forced to happen every time rather than by luck of timing.
    both_loaded = threading.Barrier(2, timeout=60)
    save = client.app.save_and_position

    def save_when_both_loaded(*aggregates: Any, **kwargs: Any) -> int:
        both_loaded.wait()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(client.app, "save_and_position", save_when_both_loaded)
    before = client.stored()
    answers = race(
        client,
        lambda: client.post("lead", path, reschedule_body(13, "lead's choice")),
        lambda: client.post("gatekeeper", path, reschedule_body(15, "gatekeeper's")),
    )
    monkeypatch.undo()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 409], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()
    loser = next(a for a in answers if a.status_code == 409).json()
    assert loser["rule"] == "concurrent_change"
    assert client.stored() == before + 1 == winner["position"]
    # The loser reloads and tries again: both changes are in the log, in order.
    client.ok("gatekeeper", path, reschedule_body(16, "after reloading"))
    reasons = [
        e["data"]["reason"]
        for e in events_of(client, inspection, mid)
        if e["type"] == "MeetingRescheduled"
    ]
    assert len(reasons) == 2 and reasons[-1] == "after reloading"
    assert reasons[0] in ("lead's choice", "gatekeeper's")


def test_two_changes_sent_with_the_same_if_match_never_both_succeed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    meeting = client.ok("lead", f"{inspection.path}/meetings", MEETING)
    path = f"{inspection.path}/meetings/{meeting['id']}/reschedule"
    version = {"If-Match": str(meeting["version"])}
    before = client.stored()
    answers = race(
        client,
        lambda: client.post("lead", path, reschedule_body(13, "a"), **version),
        lambda: client.post(
            "rapid_response", path, reschedule_body(15, "b"), **version
        ),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert client.stored() == before + 1


# --- occurred_at ------------------------------------------------------------


def test_occurred_at_defaults_to_the_time_the_command_was_received(
    client: WarRoomClient, inspection: Inspection
) -> None:
    start = datetime.now(UTC)
    rid = new_request(client, inspection)
    end = datetime.now(UTC)
    (event,) = events_of(client, inspection, rid)
    occurred = datetime.fromisoformat(event["occurred_at"])
    assert start <= occurred <= end
    assert start <= datetime.fromisoformat(event["recorded_at"]) <= end


def test_an_entry_made_after_the_fact_keeps_when_it_really_happened(
    client: WarRoomClient, inspection: Inspection
) -> None:
    when = f"{iso_day(1)}T09:15:00+00:00"
    before = datetime.now(UTC)
    rid = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {**request_body(inspection), "occurred_at": when},
    )["id"]
    (event,) = events_of(client, inspection, rid)
    assert datetime.fromisoformat(event["occurred_at"]) == datetime.fromisoformat(when)
    assert datetime.fromisoformat(event["recorded_at"]) >= before


def test_an_occurred_at_in_the_future_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    answer = refused(
        client,
        422,
        "gatekeeper",
        f"{inspection.path}/requests",
        {**request_body(inspection), "occurred_at": future},
    )
    assert [e["loc"][-1] for e in answer["detail"]] == ["occurred_at"]


def test_an_occurred_at_without_a_time_zone_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client,
        422,
        "gatekeeper",
        f"{inspection.path}/requests",
        {**request_body(inspection), "occurred_at": f"{iso_day(1)}T09:15:00"},
    )
    assert [e["loc"][-1] for e in answer["detail"]] == ["occurred_at"]
