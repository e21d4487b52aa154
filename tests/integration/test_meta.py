"""GET /api/meta: what the page learns of the server's own tables.

Every command of COMMAND_HANDLERS is there with its path, its roles exactly
as the table says, and its body's schema; the value lists are the domain's;
the events are the read models' folds. The page's forms are checked against
this answer in the browser (tests/e2e/test_page_roles.py).
"""

from __future__ import annotations

from typing import Any, get_args

from commands.handlers import COMMAND_HANDLERS, roles_allowed
from projections.views import MODELS
from tests.helpers import ROLES, WarRoomClient
from warroom.domain.case import Party
from warroom.domain.request import Channel


def _meta(client: WarRoomClient, role: str = "staff") -> dict[str, Any]:
    answer = client.get(role, "/api/meta")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_every_command_is_listed_with_its_path_roles_and_body(
    client: WarRoomClient,
) -> None:
    meta = _meta(client)
    commands = {c["name"]: c for c in meta["commands"]}
    assert commands.keys() == {model.__name__ for model in COMMAND_HANDLERS}
    paths = client.http.get("/openapi.json").json()["paths"]
    for model in COMMAND_HANDLERS:
        command = commands[model.__name__]
        assert command["roles"] == sorted(roles_allowed(model)), model.__name__
        method = command["method"].lower()
        assert method in paths[command["path"]], command["path"]
        assert (method == "delete") == (command["body"] == "none"), model.__name__
        if command["body"] in ("json", "none"):
            assert command["schema"] == model.model_json_schema()
    upload = commands["AttachDocument"]
    assert upload["body"] == "multipart"
    assert {"file", "version"} <= upload["schema"]["properties"].keys()
    access_log = commands["ImportAccessLog"]
    assert access_log["body"] == "multipart"
    assert "file" in access_log["schema"]["properties"]
    assert commands["RemoveRecipient"]["method"] == "DELETE"
    assert commands["RevokeCalendarLink"]["path"] == "/api/calendar-links/{link_id}"


def test_the_value_lists_and_the_events_are_the_servers_own(
    client: WarRoomClient,
) -> None:
    meta = _meta(client)
    assert meta["values"]["channels"] == list(get_args(Channel))
    assert meta["values"]["parties"] == list(get_args(Party))
    assert meta["values"]["roles"] == list(ROLES)
    for model in MODELS:
        for event_type in model.event_types():
            assert model.name in meta["panels_for_event"][event_type]
    folded = {t for model in MODELS for t in model.event_types()}
    assert meta["panels_for_event"].keys() == folded


def test_anyone_signed_in_may_read_it_and_nobody_else(client: WarRoomClient) -> None:
    for role in ROLES:
        assert _meta(client, role)["commands"]
    assert client.http.get("/api/meta").status_code == 401
    bad = client.http.get("/api/meta", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
