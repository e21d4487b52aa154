"""A small client for the war room's HTTP API, as the tests use it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from commands.executor import execute
from commands.handlers import roles_allowed
from commands.models import AddUser
from commands.run import Actor
from tests.days import iso_day
from warroom.application import WarRoom
from warroom.domain.user import ROLES as ROLES  # every role, as the domain has them


@dataclass
class WarRoomClient:
    """A running app (its lifespan entered) and one token per role."""

    http: TestClient
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)

    @property
    def app(self) -> WarRoom:
        app: WarRoom = self.http.app.state.warroom.app  # type: ignore[attr-defined]
        return app

    def stored(self) -> int:
        """How many events the log holds: a refusal must leave it unchanged."""
        return self.app.recorder.max_notification_id() or 0

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    def post(
        self, role: str, path: str, json: dict[str, Any] | None = None, **headers: str
    ) -> Any:
        return self.http.post(
            path, json=json or {}, headers=self.headers(role, **headers)
        )

    def get(self, role: str, path: str, **params: Any) -> Any:
        return self.http.get(path, params=params, headers=self.headers(role))

    def ok(
        self, role: str, path: str, json: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        """Posts a command that must succeed; returns its answer."""
        response = self.post(role, path, json, **headers)
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    def add_users(self, organisation_id: str | None = None) -> None:
        # The first admin comes from the command line's way in, as in real life.
        console = Actor(
            id="console", name="console", role="admin", organisation_id=organisation_id
        )
        body = execute(self.app, console, AddUser(name="Admin", role="admin")).body
        self.tokens["admin"], self.user_ids["admin"] = body["token"], body["id"]
        # That admin adds one user of every other role, and a second preparer,
        # so approving is never approving one's own work. The same command the
        # route runs, with the admin as the actor, but not through HTTP: seven
        # requests through the test client cost some twenty times the CPU of
        # the commands, and this runs before every test that has a `client`.
        # POST /api/users has tests of its own (test_api_access.py and others).
        admin = Actor(
            id=body["id"],
            name="Admin",
            role="admin",
            organisation_id=organisation_id,
        )
        others = [(role, f"A {role}", role) for role in ROLES if role != "admin"]
        for key, name, role in [*others, ("preparer", "A preparer", "rapid_response")]:
            command = AddUser.model_validate({"name": name, "role": role})
            added = execute(self.app, admin, command).body
            self.tokens[key], self.user_ids[key] = added["token"], added["id"]

    def attach(
        self,
        role: str,
        iid: str,
        rid: str,
        content: bytes,
        name: str = "doc.pdf",
        version: str = "1",
        **headers: str,
    ) -> Any:
        return self.http.post(
            f"/api/inspections/{iid}/requests/{rid}/documents",
            files={"file": (name, content, "application/pdf")},
            data={"version": version},
            headers=self.headers(role, **headers),
        )


@dataclass
class Inspection:
    """An open inspection with a lead inspector and a team inspector."""

    id: str
    lead_inspector: str
    team_inspector: str

    @classmethod
    def open(cls, client: WarRoomClient) -> Inspection:
        iid = client.ok(
            "lead",
            "/api/inspections",
            {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
        )["id"]
        lead = client.ok(
            "lead",
            f"/api/inspections/{iid}/inspectors",
            {"name": "Helen Ward", "lead": True},
        )["id"]
        team = client.ok(
            "lead", f"/api/inspections/{iid}/inspectors", {"name": "Tom Bright"}
        )["id"]
        return cls(id=iid, lead_inspector=lead, team_inspector=team)

    @property
    def path(self) -> str:
        return f"/api/inspections/{self.id}"


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- added for the API suites: refusals, the log, and a request's walk ------

# The steps of a request's life, in order, with who takes each step by default.
WALK = ("assigned", "attached", "approved", "checked", "released")


def refused(
    client: WarRoomClient,
    status: int,
    role: str,
    path: str,
    json: dict[str, Any] | None = None,
    **headers: str,
) -> dict[str, Any]:
    """Posts a command that must be refused with `status` and store nothing."""
    before = client.stored()
    response = client.post(role, path, json, **headers)
    assert response.status_code == status, response.text
    assert client.stored() == before, "a refused command stored events"
    body: dict[str, Any] = response.json()
    return body


def refused_attach(
    client: WarRoomClient,
    status: int,
    role: str,
    iid: str,
    rid: str,
    content: bytes,
    **headers: str,
) -> dict[str, Any]:
    """Attaches a document that must be refused with `status`, storing nothing."""
    before = client.stored()
    response = client.attach(role, iid, rid, content, **headers)
    assert response.status_code == status, response.text
    assert client.stored() == before, "a refused attachment stored events"
    body: dict[str, Any] = response.json()
    return body


def allowed_roles(command: type[Any]) -> frozenset[str]:
    """Who may run a command, as the one table of the write side says."""
    return roles_allowed(command)


def refused_roles(command: type[Any]) -> list[str]:
    return [role for role in ROLES if role not in allowed_roles(command)]


def logged_events(
    client: WarRoomClient, inspection: Inspection, after: int = 0
) -> list[dict[str, Any]]:
    """The inspection's log, oldest first, as GET .../events answers it."""
    found: list[dict[str, Any]] = []
    while True:
        page = client.get("auditor", f"{inspection.path}/events", after=after)
        assert page.status_code == 200, page.text
        body = page.json()
        found.extend(body["events"])
        if not body["events"] or body["next"] == after:
            return found
        after = body["next"]


def new_request(
    client: WarRoomClient,
    inspection: Inspection,
    channel: str = "kit",
    title: str = "Annex A: list of children in need",
) -> str:
    answer = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {
            "title": title,
            "requested_by": inspection.team_inspector,
            "channel": channel,
        },
    )
    rid: str = answer["id"]
    return rid


def new_meeting(
    client: WarRoomClient, inspection: Inspection, **changes: Any
) -> dict[str, Any]:
    """A KIT meeting on the inspection's second day (10:00-11:00 UTC, room 1,
    a member of staff and the lead inspector), scheduled with `changes`."""
    body: dict[str, Any] = {
        "title": "KIT with the lead inspector",
        "kind": "kit",
        "starts_at": f"{iso_day(1)}T10:00:00+00:00",
        "ends_at": f"{iso_day(1)}T11:00:00+00:00",
        "venue": "Room 1",
        "attendees": ["A staff"],
        "inspectors": [inspection.lead_inspector],
        "topics": ["Annex A gaps"],
        **changes,
    }
    return client.ok("rapid_response", f"{inspection.path}/meetings", body)


def walk_request(
    client: WarRoomClient,
    inspection: Inspection,
    rid: str,
    until: str,
    content: bytes = b"%PDF-1.7 the document",
) -> str:
    """Takes a request through its life, as the right roles, up to `until`.

    Returns the SHA-256 of the attached document (even if not yet attached).
    """
    digest = sha256(content)
    path = f"{inspection.path}/requests/{rid}"
    for step in WALK[: WALK.index(until) + 1]:
        if step == "assigned":
            client.ok(
                "gatekeeper",
                f"{path}/assign",
                {"assignee": client.user_ids["preparer"]},
            )
        elif step == "attached":
            attached = client.attach("preparer", inspection.id, rid, content)
            assert attached.status_code == 201, attached.text
        elif step == "approved":
            client.ok("lead", f"{path}/approve", {"sha256": digest})
        elif step == "checked":
            client.ok("rapid_response", f"{path}/check", {"sha256": digest})
        else:
            client.ok(
                "gatekeeper",
                f"{path}/release",
                {
                    "sha256": digest,
                    "to": inspection.team_inspector,
                    "medium": "electronic",
                },
            )
    return digest
