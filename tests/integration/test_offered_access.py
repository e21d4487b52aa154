"""Acts of access offer their reader exactly what the server accepts.

Users (`GET /api/users`, `GET /api/users/{id}`), calendar links, the blog's
distribution list and a person's briefing (their agenda) carry `actions`,
as the inspection's items do (`test_offered_actions.py`): each offered is
sent and accepted; each not offered is sent and refused, storing nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from commands.models import AddOrganisation
from commands.offered import USER, offered_outside
from commands.organisations import add_organisation
from commands.run import Actor
from tests.helpers import Inspection, WarRoomClient, refused
from warroom.domain.base import Context

EVERY_USER_ACTION = ["RotateToken", "RevokeToken", "LimitInspections", "SetUserEmail"]
# Where each user command is sent, after /api/users/{id}.
USER_PATHS: dict[str, tuple[str, dict[str, Any]]] = {
    "RotateToken": ("/rotate", {}),
    "RevokeToken": ("/revoke", {}),
    "LimitInspections": ("/inspections", {"inspection_ids": None}),
    "SetUserEmail": ("/email", {"email": "someone@council.example"}),
}


def listed_actions(client: WarRoomClient, role: str) -> dict[str, list[str]]:
    users = client.get(role, "/api/users").json()["users"]
    return {u["id"]: u["actions"] for u in users}


def user_actions(client: WarRoomClient, role: str, user_id: str) -> list[str]:
    answer = client.get(role, f"/api/users/{user_id}")
    assert answer.status_code == 200, answer.text
    actions: list[str] = answer.json()["actions"]
    return actions


def check_user(client: WarRoomClient, role: str, user_id: str) -> None:
    """Each user command offered to `role` on the user is accepted (sent on
    a fresh read each time); each not offered is refused, storing nothing."""
    for name, (tail, body) in USER_PATHS.items():
        offered = user_actions(client, role, user_id)
        assert listed_actions(client, role).get(user_id, offered) == offered
        path = f"/api/users/{user_id}{tail}"
        if name == "SetUserEmail":  # sent with PUT
            before = client.stored()
            answer = client.http.put(path, json=body, headers=client.headers(role))
            assert answer.status_code == (200 if name in offered else 403)
            assert name in offered or client.stored() == before
        elif name in offered:
            client.ok(role, path, body)
        else:
            refused(client, 403 if role != "admin" else 409, role, path, body)


def test_a_user_offers_the_admin_what_may_be_done_to_them(
    client: WarRoomClient,
) -> None:
    staff = client.user_ids["staff"]
    assert listed_actions(client, "admin")[staff] == EVERY_USER_ACTION
    # Others who list users (to give them work) are offered nothing on them.
    assert set(map(tuple, listed_actions(client, "lead").values())) == {()}
    assert user_actions(client, "staff", staff) == []
    check_user(client, "lead", staff)
    check_user(client, "admin", staff)
    # Revoked above: not offered a second revoking, and refused one.
    assert user_actions(client, "admin", staff) == [
        "RotateToken",
        "LimitInspections",
        "SetUserEmail",
    ]
    refused(client, 409, "admin", f"/api/users/{staff}/revoke")
    # A new sign-in link makes the token live again: revocable again.
    client.ok("admin", f"/api/users/{staff}/rotate")
    assert user_actions(client, "admin", staff) == EVERY_USER_ACTION


def test_an_admin_of_another_organisation_is_offered_nothing(
    client: WarRoomClient,
) -> None:
    ctx = Context("console", "console", datetime.now(UTC))
    leeds = add_organisation(client.app, ctx, AddOrganisation(name="Leeds"))
    york = add_organisation(client.app, ctx, AddOrganisation(name="York"))
    client.http.app.state.warroom.reader.catch_up()  # type: ignore[attr-defined]
    york_client = WarRoomClient(http=client.http)
    york_client.add_users(york)
    staff = client.user_ids["staff"]
    # Not listed, not found, and not offered if asked of the rules directly.
    assert staff not in listed_actions(york_client, "admin")
    assert york_client.get("admin", f"/api/users/{staff}").status_code == 404
    york_admin = Actor(york_client.user_ids["admin"], "Admin", "admin", york)
    assert offered_outside(client.app, york_admin, staff, USER) == []
    for name, (tail, body) in USER_PATHS.items():
        path = f"/api/users/{staff}{tail}"
        if name == "SetUserEmail":  # sent with PUT
            before = client.stored()
            answer = york_client.http.put(
                path, json=body, headers=york_client.headers("admin")
            )
            assert answer.status_code == 404 and client.stored() == before
        else:
            refused(york_client, 404, "admin", path, body)
    # Leeds's own admin (adopting what was stored without one) still is.
    leeds_admin = Actor(client.user_ids["admin"], "Admin", "admin", leeds)
    assert offered_outside(client.app, leeds_admin, staff, USER) == EVERY_USER_ACTION


def delete(client: WarRoomClient, role: str, path: str) -> Any:
    return client.http.delete(path, headers=client.headers(role))


def deleted_or_refused(
    client: WarRoomClient, role: str, path: str, offered: bool, status: int
) -> None:
    before = client.stored()
    answer = delete(client, role, path)
    if offered:
        assert answer.status_code == 200, answer.text
        assert client.stored() > before
    else:
        assert answer.status_code == status, answer.text
        assert client.stored() == before, "a refused command stored events"


def test_a_calendar_link_offers_its_revoking_while_it_is_live(
    client: WarRoomClient, inspection: Inspection
) -> None:
    made = client.ok(
        "admin", f"{inspection.path}/calendar-links", {"person": "A staff"}
    )
    path = f"/api/calendar-links/{made['id']}"

    def offered(role: str, **params: Any) -> list[str]:
        links = client.get(role, f"{inspection.path}/calendar-links", **params)
        assert links.status_code == 200, links.text
        [link] = links.json()["links"]
        actions: list[str] = link["actions"]
        return actions

    position = client.stored()
    assert offered("admin") == ["RevokeCalendarLink"]
    # The auditor lists the links and revokes none.
    assert offered("auditor") == []
    deleted_or_refused(client, "auditor", path, offered=False, status=403)
    deleted_or_refused(client, "admin", path, offered=True, status=200)
    # Revoked: not offered, and refused.
    assert offered("admin") == []
    deleted_or_refused(client, "admin", path, offered=False, status=409)
    # The past offers nothing.
    assert offered("admin", at=position) == []


def test_an_address_on_the_list_offers_its_removing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok(
        "rapid_response",
        f"{inspection.path}/distribution",
        {"name": "Pat Partner", "email": "pat@example.org"},
    )
    path = f"{inspection.path}/distribution/pat@example.org"
    for role in ("lead", "rapid_response", "admin"):
        [listed] = client.get(role, f"{inspection.path}/distribution").json()[
            "recipients"
        ]
        assert listed["actions"] == ["RemoveRecipient"], role
    deleted_or_refused(client, "admin", path, offered=True, status=200)
    assert (
        client.get("lead", f"{inspection.path}/distribution").json()["recipients"] == []
    )
    # Gone: nothing left to offer, and removing it again is refused.
    deleted_or_refused(client, "admin", path, offered=False, status=404)


def test_a_briefing_offers_its_acknowledging_to_whoever_may(
    client: WarRoomClient, inspection: Inspection
) -> None:
    def offered(role: str, person: str, **params: Any) -> list[str]:
        answer = client.get(role, f"{inspection.path}/agenda/{person}", **params)
        assert answer.status_code == 200, answer.text
        actions: list[str] = answer.json()["actions"]
        return actions

    def send(role: str, person: str) -> None:
        path = f"{inspection.path}/agenda/{person}/acknowledge"
        if "AcknowledgeBriefing" in offered(role, person):
            client.ok(role, path)
        else:
            refused(client, 403, role, path)

    position = client.stored()
    # Staff acknowledge their own briefing only; the war room anyone's.
    assert offered("staff", "A staff") == ["AcknowledgeBriefing"]
    assert offered("staff", "A lead") == []
    assert offered("lead", "A staff") == ["AcknowledgeBriefing"]
    assert offered("auditor", "A staff") == []
    for role, person in [
        ("staff", "A staff"),
        ("staff", "A lead"),
        ("lead", "A staff"),
        ("auditor", "A staff"),
    ]:
        send(role, person)
    assert offered("staff", "A staff", at=position) == []
