"""Tokens an admin revokes or rotates stop working at once; tokens expire."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.days import iso_day
from tests.helpers import WarRoomClient


def signed_in(client: WarRoomClient, token: str) -> int:
    response = client.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    return int(response.status_code)


def test_a_revoked_token_stops_working_at_once(client: WarRoomClient) -> None:
    staff = client.user_ids["staff"]
    assert signed_in(client, client.tokens["staff"]) == 200
    answer = client.ok("admin", f"/api/users/{staff}/revoke")
    assert answer["token_live"] is False
    assert signed_in(client, client.tokens["staff"]) == 401
    shown = client.get("admin", f"/api/users/{staff}").json()
    assert shown["token"] == {"live": False, "revoked": True, "expires_at": None}


def test_revoking_twice_is_refused_and_stores_nothing(client: WarRoomClient) -> None:
    path = f"/api/users/{client.user_ids['staff']}/revoke"
    client.ok("admin", path)
    before = client.stored()
    response = client.post("admin", path)
    assert response.status_code == 409, response.text
    assert response.json()["rule"] == "token_revoked_once"
    assert client.stored() == before


def test_a_rotated_token_replaces_the_old_one_and_is_shown_once(
    client: WarRoomClient,
) -> None:
    staff = client.user_ids["staff"]
    old = client.tokens["staff"]
    answer = client.ok("admin", f"/api/users/{staff}/rotate")
    new = answer["token"]
    assert new != old
    assert signed_in(client, old) == 401
    assert signed_in(client, new) == 200
    # Only its hash is stored.
    stored = client.app.recorder.select_notifications(start=1, limit=10_000)
    assert not any(new.encode() in n.state for n in stored)
    # A rotated-away token of a user who was revoked does not come back.
    client.ok("admin", f"/api/users/{staff}/revoke")
    assert signed_in(client, new) == 401
    again = client.ok("admin", f"/api/users/{staff}/rotate")["token"]
    assert signed_in(client, again) == 200
    assert signed_in(client, new) == 401


def test_only_an_admin_revokes_or_rotates_and_a_refusal_stores_nothing(
    client: WarRoomClient,
) -> None:
    for action in ("revoke", "rotate"):
        path = f"/api/users/{client.user_ids['staff']}/{action}"
        for role in ("lead", "gatekeeper", "rapid_response", "staff", "auditor"):
            before = client.stored()
            assert client.post(role, path).status_code == 403, role
            assert client.stored() == before
    assert signed_in(client, client.tokens["staff"]) == 200


def test_a_token_expires(client: WarRoomClient) -> None:
    staff = client.user_ids["staff"]
    soon = datetime.now(UTC) + timedelta(seconds=2)
    token = client.ok(
        "admin", f"/api/users/{staff}/rotate", {"expires_at": soon.isoformat()}
    )["token"]
    assert signed_in(client, token) == 200
    shown = client.get("admin", f"/api/users/{staff}").json()["token"]
    assert shown["live"] is True and shown["expires_at"] is not None
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.2)
    assert signed_in(client, token) == 401
    assert client.get("admin", f"/api/users/{staff}").json()["token"]["live"] is False


def test_an_expiry_in_the_past_is_refused_and_stores_nothing(
    client: WarRoomClient,
) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    staff = client.user_ids["staff"]
    for path, body in (
        (f"/api/users/{staff}/rotate", {"expires_at": past}),
        ("/api/users", {"name": "Late", "role": "staff", "expires_at": past}),
    ):
        before = client.stored()
        response = client.post("admin", path, body)
        assert response.status_code == 422, response.text
        assert client.stored() == before
    assert signed_in(client, client.tokens["staff"]) == 200


def test_a_new_user_may_be_given_an_expiry(client: WarRoomClient) -> None:
    later = datetime.now(UTC) + timedelta(days=30)
    added = client.ok(
        "admin",
        "/api/users",
        {"name": "Temp", "role": "staff", "expires_at": later.isoformat()},
    )
    assert datetime.fromisoformat(added["expires_at"]) == later
    me = client.http.get(
        "/api/me", headers={"Authorization": f"Bearer {added['token']}"}
    ).json()
    assert datetime.fromisoformat(me["expires_at"]) == later


def test_a_revoked_users_open_stream_ends(client: WarRoomClient) -> None:
    inspection = client.ok(
        "lead",
        "/api/inspections",
        {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
    )
    path = f"/api/inspections/{inspection['id']}/stream"
    with client.http.stream("GET", path, headers=client.headers("staff")) as stream:
        assert stream.status_code == 200
        lines = stream.iter_lines()
        next(lines)  # connected
        client.ok("admin", f"/api/users/{client.user_ids['staff']}/revoke")
        # The stream ends (a hang here is the failure).
        for _ in lines:
            pass
    assert client.get("staff", path).status_code == 401
