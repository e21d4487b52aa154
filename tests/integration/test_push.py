"""Notifications on the phone (issue 24), end to end on both databases: a push
service of the tests' own (`tests.push_service`, a real HTTP server allowed by
WARROOM_PUSH_ALLOWED) checks each message's VAPID signature against the key
the war room publishes and decrypts it with the subscription's keys."""

from __future__ import annotations

import io
import os
import subprocess
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from push.keys import b64url_decode
from tests.conftest import TEST_VERIFIER_KEY
from tests.days import iso_day, short_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    new_meeting,
)
from tests.push_service import Browser, PushService, check_vapid, push_service
from tests.servers import VENV_BIN
from warroom.config import Settings
from web.app import create_app

SUBSCRIPTIONS = "/api/me/push-subscriptions"


def settings_for(database_url: str, service: PushService, **extra: Any) -> Settings:
    return Settings(
        database_url=database_url,
        push_allowed=f"https://fcm.googleapis.com/,{service.base}/push/",
        push_retry_seconds=0.05,
        push_check_seconds=0.2,
        **extra,
    )


@pytest.fixture
def service() -> Iterator[PushService]:
    with push_service() as running:
        yield running


@pytest.fixture
def client(database_url: str, service: PushService) -> Iterator[WarRoomClient]:
    with TestClient(create_app(settings_for(database_url, service))) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


def server_key(client: WarRoomClient) -> str:
    answer = client.http.get("/api/push/key")
    assert answer.status_code == 200, answer.text
    key: str = answer.json()["key"]
    return key


def subscribe(client: WarRoomClient, role: str, browser: Browser) -> str:
    answer = client.post(role, SUBSCRIPTIONS, browser.subscription())
    assert answer.status_code == 201, answer.text
    device_id: str = answer.json()["id"]
    return device_id


def told(
    client: WarRoomClient, service: PushService, browser: Browser, count: int
) -> list[dict[str, Any]]:
    """The first `count` notifications the browser got, each checked and
    decrypted; and no more arrive in a moment after."""
    assert service.wait_for(browser, count), service.to(browser)
    time.sleep(0.3)
    received = service.to(browser)
    assert len(received) == count, [browser.decrypt(r.body) for r in received]
    key = server_key(client)
    for message in received:
        check_vapid(message, key, service.base)
    return [browser.decrypt(r.body) for r in received]


def all_events(client: WarRoomClient) -> list[str]:
    app = client.app
    return [
        n.topic.rsplit(".", 1)[-1]
        for n in app.recorder.select_notifications(0, 1_000_000)
    ]


# --- the key --------------------------------------------------------------


def test_the_key_is_a_p256_point_and_the_same_after_a_restart(
    database_url: str, service: PushService
) -> None:
    settings = settings_for(database_url, service)
    with TestClient(create_app(settings)) as http:
        first = http.get("/api/push/key").json()["key"]
    with TestClient(create_app(settings)) as http:
        again = http.get("/api/push/key").json()["key"]

    raw = b64url_decode(first)
    assert len(raw) == 65 and raw[0] == 4
    assert "=" not in first
    assert again == first


def test_a_configured_key_is_the_one_published(
    database_url: str, service: PushService
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings = settings_for(database_url, service, vapid_private_key=pem)
    with TestClient(create_app(settings)) as http:
        key = http.get("/api/push/key").json()["key"]

    expected = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert b64url_decode(key) == expected


# --- what a person is told --------------------------------------------------


def test_a_rescheduled_meeting_reaches_its_attendee_signed_and_encrypted(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("staff-phone")
    subscribe(client, "staff", phone)
    meeting = new_meeting(client, inspection)  # "A staff" attends

    client.ok(
        "lead",
        f"{inspection.path}/meetings/{meeting['id']}/reschedule",
        {
            "starts_at": f"{iso_day(1)}T14:00:00+00:00",
            "ends_at": f"{iso_day(1)}T15:00:00+00:00",
            "reason": "The lead inspector asked",
        },
    )

    scheduled, moved = told(client, service, phone, 2)
    assert scheduled["title"] == "New meeting: KIT with the lead inspector"
    assert "Room 1" in scheduled["body"]
    assert moved["title"] == "Moved in time: KIT with the lead inspector"
    # The inspection's zone is London: 14:00 UTC is 14:00 in November.
    assert moved["body"].startswith(f"Now {short_day(1)} at 14:00, Room 1.")
    assert "The lead inspector asked" in moved["body"]
    assert moved["url"] == "/#view=day"
    types = all_events(client)
    assert types.count("PushClaimed") == 2 and types.count("PushSent") == 2


def test_each_change_to_a_meeting_tells_whom_it_affects_once(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    staff, auditor = service.browser("staff"), service.browser("auditor")
    subscribe(client, "staff", staff)
    subscribe(client, "auditor", auditor)
    meeting = new_meeting(client, inspection)
    path = f"{inspection.path}/meetings/{meeting['id']}"

    client.ok("lead", f"{path}/move", {"venue": "Room 9", "reason": "Heating"})
    client.ok("lead", f"{path}/attendees", {"add": ["A auditor"]})
    client.ok("lead", f"{path}/attendees", {"remove": ["A staff"]})
    client.ok("lead", f"{path}/cancel", {"reason": "Inspectors went home"})

    to_staff = told(client, service, staff, 3)
    assert [m["title"] for m in to_staff] == [
        "New meeting: KIT with the lead inspector",
        "New room: KIT with the lead inspector",
        "No longer needed at: KIT with the lead inspector",
    ]
    assert to_staff[1]["body"] == (
        f"Now in Room 9, {short_day(1)} at 10:00. Why: Heating"
    )
    to_auditor = told(client, service, auditor, 2)
    assert [m["title"] for m in to_auditor] == [
        "You are now at: KIT with the lead inspector",
        "Cancelled: KIT with the lead inspector",
    ]
    assert "Inspectors went home" in to_auditor[1]["body"]


def test_whoever_makes_the_change_is_not_told_of_it(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    maker, staff = service.browser("maker"), service.browser("staff")
    subscribe(client, "rapid_response", maker)
    subscribe(client, "staff", staff)

    # new_meeting schedules it as "A rapid_response", who attends it too.
    new_meeting(client, inspection, attendees=["A rapid_response", "A staff"])

    assert told(client, service, staff, 1)[0]["title"].startswith("New meeting")
    assert service.to(maker) == []


def test_a_request_assigned_then_overdue_and_a_kit_action_reach_their_holder(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("preparer")
    subscribe(client, "rapid_response", phone)
    due = datetime.now(UTC) + timedelta(seconds=2)
    rid = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {
            "title": "Supervision records",
            "requested_by": inspection.team_inspector,
            "channel": "kit",
            "due_at": due.isoformat(),
        },
    )["id"]
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/assign",
        {"assignee": client.user_ids["rapid_response"]},
    )
    assigned, overdue = told(client, service, phone, 2)
    assert assigned["title"] == "A request is yours: Supervision records"
    assert assigned["body"].startswith("Due ")
    assert overdue["title"] == "Overdue: Supervision records"
    assert "still with you" in overdue["body"]

    meeting = new_meeting(client, inspection, attendees=[])
    path = f"{inspection.path}/meetings/{meeting['id']}"
    client.ok("lead", f"{path}/notes", {"text": "Notes", "actions": ["Send the audit"]})
    client.ok("lead", f"{path}/kit-actions/0/assign", {"owner": "A rapid_response"})

    kit = told(client, service, phone, 3)[2]
    assert kit == {
        "title": "A KIT action is yours",
        "body": "Send the audit (from KIT with the lead inspector)",
        "url": "/#view=day",
    }


def test_a_transient_failure_is_tried_again_and_a_gone_device_is_dropped(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    flaky, gone = service.browser("flaky"), service.browser("gone")
    service.answers["/push/flaky"] = [503, 201]
    service.answers["/push/gone"] = [410]
    subscribe(client, "staff", flaky)
    gone_id = subscribe(client, "staff", gone)

    meeting = new_meeting(client, inspection)
    assert service.wait_for(flaky, 2) and service.wait_for(gone, 1)
    time.sleep(0.5)
    assert [r.path for r in service.to(flaky)] == ["/push/flaky"] * 2
    devices = client.get("staff", SUBSCRIPTIONS).json()["devices"]
    assert [d["endpoint"] for d in devices] == [flaky.endpoint]
    assert gone_id not in {d["id"] for d in devices}
    types = all_events(client)
    assert "PushSubscriptionDropped" in types
    assert types.count("PushFailed") == 1 and types.count("PushSent") == 1

    client.ok(
        "lead",
        f"{inspection.path}/meetings/{meeting['id']}/move",
        {"venue": "Room 2"},
    )
    assert told(client, service, flaky, 3)[2]["title"].startswith("New room")
    assert len(service.to(gone)) == 1  # never called again


def test_a_redirect_from_a_push_service_is_not_followed(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("moved")
    service.answers["/push/moved"] = [307]
    subscribe(client, "staff", phone)

    new_meeting(client, inspection)

    assert service.wait_for(phone, 1)
    time.sleep(0.5)
    assert service.to(service.browser("elsewhere")) == []
    assert len(service.to(phone)) == 1  # not retried either
    assert all_events(client).count("PushFailed") == 1


def test_a_restart_tells_nobody_again(database_url: str, service: PushService) -> None:
    phone = service.browser("staff")
    settings = settings_for(database_url, service)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        subscribe(client, "staff", phone)
        new_meeting(client, Inspection.open(client))
        assert service.wait_for(phone, 1)
    with TestClient(create_app(settings)) as http:
        time.sleep(1.0)  # its read side folds the log again, from saved state
    assert len(service.to(phone)) == 1


# --- subscribing, and what is refused ----------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://evil.example/push",
        "https://fcm.googleapis.com.evil.example/fcm/send/x",
        "https://fcm.googleapis.com@evil.example/fcm/send/x",
        "http://fcm.googleapis.com/fcm/send/x",
        "https://fcm.googleapis.com:8443/fcm/send/x",
        "file:///etc/passwd",
        "not a url",
    ],
)
def test_a_push_service_not_trusted_is_refused_and_nothing_stored(
    client: WarRoomClient, service: PushService, endpoint: str
) -> None:
    subscription = {**service.browser("x").subscription(), "endpoint": endpoint}
    before = client.stored()

    answer = client.post("staff", SUBSCRIPTIONS, subscription)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "endpoint"]
    assert client.stored() == before


def test_a_local_address_on_another_port_is_refused(
    client: WarRoomClient, service: PushService
) -> None:
    port = int(service.base.rsplit(":", 1)[1])
    subscription = {
        **service.browser("x").subscription(),
        "endpoint": f"http://127.0.0.1:{port + 1}/push/x",
    }
    before = client.stored()
    answer = client.post("staff", SUBSCRIPTIONS, subscription)
    assert answer.status_code == 422, answer.text
    assert client.stored() == before


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": "not-a-key", "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        # 65 bytes starting 04, but not a point on the curve.
        {"p256dh": "BA" + "A" * 85, "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {"p256dh": None, "auth": "AAAAAAAAAAAAAAAAAAAAAA"},
        {"auth": "AAAAAAAAAAAAAAAAAAAAAA"},
    ],
)
def test_a_bad_key_is_refused_and_nothing_stored(
    client: WarRoomClient, service: PushService, keys: dict[str, Any]
) -> None:
    subscription = {**service.browser("x").subscription(), "keys": keys}
    before = client.stored()
    answer = client.post("staff", SUBSCRIPTIONS, subscription)
    assert answer.status_code == 422, answer.text
    assert client.stored() == before


def test_a_bad_secret_is_refused_and_nothing_stored(
    client: WarRoomClient, service: PushService
) -> None:
    subscription = service.browser("x").subscription()
    subscription["keys"]["auth"] = "AAAA"  # 3 bytes, not 16
    before = client.stored()
    answer = client.post("staff", SUBSCRIPTIONS, subscription)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "keys", "auth"]
    assert client.stored() == before


def test_subscribing_needs_a_signed_in_person(
    client: WarRoomClient, service: PushService
) -> None:
    before = client.stored()
    answer = client.http.post(SUBSCRIPTIONS, json=service.browser("x").subscription())
    assert answer.status_code == 401
    assert client.stored() == before


def test_the_same_device_twice_is_one_device(
    client: WarRoomClient, service: PushService
) -> None:
    phone = service.browser("phone")
    first = subscribe(client, "staff", phone)
    before = client.stored()
    assert subscribe(client, "staff", phone) == first
    assert client.stored() == before


def test_anothers_device_cannot_be_removed_and_keeps_being_told(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("staff")
    device_id = subscribe(client, "staff", phone)
    before = client.stored()

    for role in ("auditor", "admin"):
        answer = client.http.delete(
            f"{SUBSCRIPTIONS}/{device_id}", headers=client.headers(role)
        )
        assert answer.status_code == 404, answer.text
    assert client.stored() == before
    assert client.get("auditor", SUBSCRIPTIONS).json() == {"devices": []}

    new_meeting(client, inspection)
    assert told(client, service, phone, 1)[0]["title"].startswith("New meeting")


def test_ones_own_device_removed_is_told_nothing_more(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("staff")
    device_id = subscribe(client, "staff", phone)

    answer = client.http.delete(
        f"{SUBSCRIPTIONS}/{device_id}", headers=client.headers("staff")
    )
    assert answer.status_code == 200, answer.text
    again = client.http.delete(
        f"{SUBSCRIPTIONS}/{device_id}", headers=client.headers("staff")
    )
    assert again.status_code == 404
    new_meeting(client, inspection)
    time.sleep(1.0)
    assert service.to(phone) == []
    assert client.get("staff", SUBSCRIPTIONS).json() == {"devices": []}


def test_a_devices_address_and_keys_are_in_no_read_others_can_see(
    client: WarRoomClient, inspection: Inspection, service: PushService
) -> None:
    phone = service.browser("staff")
    subscribe(client, "staff", phone)
    new_meeting(client, inspection)
    assert service.wait_for(phone, 1)
    secret = phone.subscription()
    secrets = [secret["endpoint"], secret["keys"]["p256dh"], secret["keys"]["auth"]]

    events = str(logged_events(client, inspection))
    assert not [s for s in secrets if s in events]
    assert "Push" not in events
    # The organisation's whole record, which its auditor downloads: sealed.
    export = client.get("auditor", "/api/log/export")
    assert export.status_code == 200, export.text
    with zipfile.ZipFile(io.BytesIO(export.content)) as packed:
        log = packed.read("log.jsonl").decode()
    assert "PushSubscribed" in log
    assert not [s for s in secrets if s in log]
    assert phone.endpoint.removeprefix(service.base) not in log
    # Others' lists of devices are their own.
    assert client.get("auditor", SUBSCRIPTIONS).json() == {"devices": []}
    assert client.get("staff", SUBSCRIPTIONS).json()["devices"][0]["endpoint"] == (
        phone.endpoint
    )


def test_an_import_tells_nobody_and_its_devices_are_told_after(
    client: WarRoomClient,
    inspection: Inspection,
    service: PushService,
    database_url: str,
    tmp_path: Path,
) -> None:
    phone = service.browser("staff")
    # Subscribed after the meeting was made: nobody was told of it here, so
    # only a rule about imports keeps the copy's server from telling it.
    meeting = new_meeting(client, inspection)
    subscribe(client, "staff", phone)
    out = tmp_path / "export.zip"
    done = warroom_cli(database_url, "export", "--out", str(out))
    assert done.returncode == 0, done.stderr
    copy = f"sqlite:///{tmp_path / 'copy.db'}"

    # A server already follows the empty database the export is loaded into.
    with TestClient(create_app(settings_for(copy, service))) as http:
        done = warroom_cli(copy, "import", str(out), "--key", TEST_VERIFIER_KEY)
        assert done.returncode == 0, done.stderr
        time.sleep(2.0)
        assert service.to(phone) == []  # the import told nobody

        moved = http.post(
            f"{inspection.path}/meetings/{meeting['id']}/move",
            json={"venue": "Room 7"},
            headers=client.headers("lead"),
        )
        assert moved.status_code == 200, moved.text
        assert service.wait_for(phone, 1)
        time.sleep(0.5)
    [told] = service.to(phone)
    assert phone.decrypt(told.body)["title"].startswith("New room")


def warroom_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "warroom"), *args],
        env={**os.environ, "WARROOM_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
