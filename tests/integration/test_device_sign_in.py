"""A wall screen signs in as a device, not a person (issue 25, RFC 8628 in
spirit): it shows a code, a lead or an admin approves it for one inspection,
and the screen's token reads and streams that inspection and nothing else,
until the lead disconnects it. Every refusal stores nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request
from tests.integration.test_organisations import organisation
from warroom.config import Settings
from warroom.device_codes import PendingCodes
from web import app as web_app
from web.routes import device as device_routes

ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
POLL_SECONDS = 1


@pytest.fixture
def client(database_url: str) -> Iterator[WarRoomClient]:
    """As the shared one, with a screen asked to wait one second between polls
    and at most three codes pending at once."""
    settings = Settings(
        database_url=database_url,
        device_poll_seconds=POLL_SECONDS,
        device_codes_pending=3,
    )
    with TestClient(web_app.create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@pytest.fixture
def inspection(client: WarRoomClient) -> Inspection:
    return Inspection.open(client)


def pending(client: WarRoomClient) -> PendingCodes:
    codes: PendingCodes = client.http.app.state.device_codes  # type: ignore[attr-defined]
    return codes


def held(client: WarRoomClient) -> tuple[int, int]:
    """What the log and the table of pending codes hold."""
    return client.stored(), pending(client).held()


def ask_code(client: WarRoomClient) -> dict[str, Any]:
    response = client.http.post("/api/device/codes")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def poll(client: WarRoomClient, device_code: str) -> Any:
    return client.http.post("/api/device/token", json={"device_code": device_code})


def approve(client: WarRoomClient, role: str, user_code: str, iid: str) -> Any:
    return client.post(
        role, "/api/device/approve", {"user_code": user_code, "inspection_id": iid}
    )


def connected(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    """A screen's token for the inspection, as the happy path gets it."""
    code = ask_code(client)
    assert approve(client, "lead", code["user_code"], inspection.id).status_code == 200
    answer = poll(client, code["device_code"])
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def as_display(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the code ---------------------------------------------------------------


def test_a_screen_gets_a_short_code_to_show_and_a_long_secret_and_the_log_is_untouched(
    client: WarRoomClient,
) -> None:
    before = client.stored()
    code = ask_code(client)
    assert re.fullmatch(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", code["user_code"])
    assert len(code["device_code"]) >= 40
    assert code["interval"] == POLL_SECONDS
    assert code["expires_in"] == 900
    assert code["verification_uri"].startswith("http")
    # Nobody is signed in: nothing joins the log until a lead approves.
    assert client.stored() == before
    # Only hashes are kept: neither code is in the table.
    datastore: Any = client.app.store.datastore  # type: ignore[attr-defined]
    with datastore.transaction(commit=False) as c:
        c.execute(pending(client)._sql("SELECT * FROM {t}"), ())
        rows = str(c.fetchall())
    assert code["device_code"] not in rows
    assert code["user_code"].replace("-", "") not in rows


def test_pending_codes_are_bounded_and_a_refused_one_stores_nothing(
    client: WarRoomClient,
) -> None:
    for _ in range(3):
        ask_code(client)
    before = held(client)
    response = client.http.post("/api/device/codes")
    assert response.status_code == 429, response.text
    assert response.headers["Retry-After"]
    assert held(client) == before


# --- the token --------------------------------------------------------------


def test_the_screen_waits_until_a_lead_approves_then_gets_its_token_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    code = ask_code(client)
    waiting = poll(client, code["device_code"])
    assert waiting.status_code == 400
    assert waiting.json()["error"] == "authorization_pending"
    approved = approve(client, "lead", code["user_code"].lower(), inspection.id)
    assert approved.status_code == 200, approved.text
    assert approved.json()["inspection_id"] == inspection.id
    time.sleep(POLL_SECONDS)
    answer = poll(client, code["device_code"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["role"] == "display"
    assert body["inspection_id"] == inspection.id
    me = client.http.get("/api/me", headers=as_display(body["token"])).json()
    assert me["role"] == "display"
    # A second exchange is refused, and stores nothing.
    time.sleep(POLL_SECONDS)
    before = held(client)
    again = poll(client, code["device_code"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert held(client)[0] == before[0]


def test_a_screen_that_asks_faster_than_its_interval_is_told_to_slow_down(
    client: WarRoomClient,
) -> None:
    code = ask_code(client)
    assert poll(client, code["device_code"]).json()["error"] == "authorization_pending"
    before = client.stored()
    too_soon = poll(client, code["device_code"])
    assert too_soon.status_code == 400
    assert too_soon.json()["error"] == "slow_down"
    assert client.stored() == before


def test_an_expired_code_is_told_so_and_cannot_be_approved(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = ask_code(client)
    later = time.time() + 901

    class Later:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(device_routes, "time", Later)
    before = held(client)
    refused = approve(client, "lead", code["user_code"], inspection.id)
    assert refused.status_code == 404, refused.text
    assert "no wall screen is showing the code" in refused.json()["detail"]
    expired = poll(client, code["device_code"])
    assert expired.status_code == 400
    assert expired.json()["error"] == "expired_token"
    assert held(client)[0] == before[0]


def test_an_unknown_device_code_is_an_invalid_grant(client: WarRoomClient) -> None:
    before = held(client)
    answer = poll(client, "not-a-code-anyone-was-given")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert held(client) == before


# --- approving --------------------------------------------------------------


def test_only_a_lead_or_an_admin_approves_and_a_refusal_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    code = ask_code(client)
    for role in ("gatekeeper", "rapid_response", "staff", "auditor"):
        before = held(client)
        refused = approve(client, role, code["user_code"], inspection.id)
        assert refused.status_code == 403, (role, refused.text)
        assert held(client) == before
    # Still waiting, and an admin may approve it.
    assert poll(client, code["device_code"]).json()["error"] == "authorization_pending"
    assert approve(client, "admin", code["user_code"], inspection.id).status_code == 200


def test_an_unknown_code_an_unknown_inspection_or_a_code_used_twice_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    code = ask_code(client)
    cases = [
        ("BCDF-GHJK", inspection.id, 404),  # no screen shows it
        ("AEIO-U123", inspection.id, 422),  # not a code at all
        (code["user_code"], "00000000-0000-4000-8000-000000000000", 404),
        (code["user_code"], "not-an-id", 404),
    ]
    for user_code, iid, status in cases:
        before = held(client)
        refused = approve(client, "lead", user_code, iid)
        assert refused.status_code == status, (user_code, iid, refused.text)
        assert held(client) == before
    assert approve(client, "lead", code["user_code"], inspection.id).status_code == 200
    before = held(client)
    twice = approve(client, "lead", code["user_code"], inspection.id)
    assert twice.status_code == 409, twice.text
    assert twice.json()["rule"] == "display_code_used"
    assert held(client) == before


def test_a_closed_inspection_takes_no_new_screen(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok("lead", f"{inspection.path}/phase", {"phase": "closed"})
    code = ask_code(client)
    before = held(client)
    refused = approve(client, "lead", code["user_code"], inspection.id)
    assert refused.status_code == 409, refused.text
    assert held(client) == before


# --- what the screen's token opens --------------------------------------------

READS = (
    "",
    f"/schedule?day={iso_day(1)}",
    "/requests?state=all",
    "/ledger",
    "/cases",
    "/lines-of-enquiry",
    "/kit-notes",
    "/events",
    "/playbook",
    "/annex-a",
    "/debriefs",
)


def test_a_screen_reads_its_inspection_and_lists_no_other(
    client: WarRoomClient, inspection: Inspection
) -> None:
    other = Inspection.open(client)
    token = connected(client, inspection)["token"]
    for part in READS:
        response = client.http.get(inspection.path + part, headers=as_display(token))
        assert response.status_code == 200, (part, response.text)
    listed = client.http.get("/api/inspections", headers=as_display(token)).json()
    assert [i["id"] for i in listed["inspections"]] == [inspection.id]
    for part in READS:
        response = client.http.get(other.path + part, headers=as_display(token))
        assert response.status_code == 404, (part, response.text)


def test_a_screen_changes_nothing_and_reads_nothing_of_the_organisation(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    token = connected(client, inspection)["token"]
    commands: list[tuple[str, dict[str, Any]]] = [
        (
            f"{inspection.path}/requests",
            {"title": "T", "requested_by": inspection.lead_inspector, "channel": "kit"},
        ),
        (f"{inspection.path}/requests/{rid}/escalate", {}),
        (f"{inspection.path}/phase", {"phase": "day2_kick_off"}),
        (
            "/api/inspections",
            {"title": "S", "framework": "SIF", "starts_on": iso_day(0)},
        ),
        ("/api/users", {"name": "Sneaky", "role": "admin"}),
        (f"/api/users/{client.user_ids['staff']}/revoke", {}),
        (f"{inspection.path}/calendar-links", {}),
        ("/api/me/calendar-links", {}),
        (
            "/api/device/approve",
            {"user_code": "BCDF-GHJK", "inspection_id": inspection.id},
        ),
    ]
    for path, body in commands:
        before = held(client)
        response = client.http.post(path, json=body, headers=as_display(token))
        assert response.status_code == 403, (path, response.text)
        assert held(client) == before, path
    for path in (
        "/api/users",
        f"/api/users/{client.user_ids['staff']}",
        "/api/log/export",
        "/api/log/checkpoint",
        "/api/log/key",
        "/api/verify",
        "/api/playbook-templates",
        "/api/me/calendar-links",
        "/api/me/push-subscriptions",
        f"{inspection.path}/calendar-links",
        f"{inspection.path}/contacts",
        f"{inspection.path}/distribution",
        f"{inspection.path}/displays",
        f"{inspection.path}/schedule.ics",
        f"{inspection.path}/ledger/packet",
        f"{inspection.path}/agenda/A%20staff",
    ):
        response = client.http.get(path, headers=as_display(token))
        assert response.status_code == 403, (path, response.text)


# --- the lead's list, and disconnecting ---------------------------------------


def test_the_lead_lists_the_screens_and_a_disconnected_one_is_signed_out_at_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    token = connected(client, inspection)["token"]
    listed = client.get("lead", f"{inspection.path}/displays").json()["displays"]
    assert len(listed) == 1
    screen = listed[0]
    assert screen["name"] == "Wall screen"
    assert screen["approved_by"] == "A lead"
    assert screen["connected_at"] is not None
    assert screen["actions"] == ["DisconnectDisplay"]
    stream_path = f"{inspection.path}/stream"
    with client.http.stream("GET", stream_path, headers=as_display(token)) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        next(lines)  # connected
        client.ok("lead", f"{inspection.path}/displays/{screen['id']}/disconnect")
        for _ in lines:  # ends; a hang here is the failure
            pass
    assert client.http.get("/api/me", headers=as_display(token)).status_code == 401
    shown = client.get("lead", f"{inspection.path}/displays").json()["displays"][0]
    assert shown["disconnected"] is True
    assert shown["disconnected_by"] == "A lead"
    assert shown["actions"] == []


def test_only_a_lead_or_admin_lists_or_disconnects_and_a_refusal_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    token = connected(client, inspection)["token"]
    screen = client.get("lead", f"{inspection.path}/displays").json()["displays"][0]
    path = f"{inspection.path}/displays/{screen['id']}/disconnect"
    for role in ("gatekeeper", "rapid_response", "staff", "auditor"):
        assert client.get(role, f"{inspection.path}/displays").status_code == 403
        before = held(client)
        assert client.post(role, path).status_code == 403, role
        assert held(client) == before
    other = Inspection.open(client)
    before = held(client)
    wrong = client.post("lead", f"{other.path}/displays/{screen['id']}/disconnect")
    assert wrong.status_code == 404, wrong.text
    assert held(client) == before
    assert client.http.get("/api/me", headers=as_display(token)).status_code == 200
    client.ok("admin", path)
    before = held(client)
    twice = client.post("lead", path)
    assert twice.status_code == 409, twice.text
    assert held(client) == before


def test_a_screen_belongs_to_its_approvers_council_and_sees_no_other(
    client: WarRoomClient, inspection: Inspection
) -> None:
    organisation(client, "Leeds")  # the first: it adopts the users above
    york_id = organisation(client, "York")
    york = WarRoomClient(http=client.http)
    york.add_users(york_id)
    york_inspection = Inspection.open(york)
    code = ask_code(client)
    before = held(client)
    # Leeds's lead cannot hand York's inspection to a screen: not found.
    refused = approve(client, "lead", code["user_code"], york_inspection.id)
    assert refused.status_code == 404, refused.text
    assert held(client) == before
    assert (
        approve(york, "lead", code["user_code"], york_inspection.id).status_code == 200
    )
    answer = poll(client, code["device_code"])
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    me = client.http.get("/api/me", headers=as_display(token)).json()
    assert me["organisation_id"] == york_id
    assert (
        client.http.get(inspection.path, headers=as_display(token)).status_code == 404
    )
    assert (
        client.http.get(york_inspection.path, headers=as_display(token)).status_code
        == 200
    )
