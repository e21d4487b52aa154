"""What the page needs to know of the server's own tables, in one read.

Who may run each command, at which method and path, with what body; the
value lists of the domain (channels, kinds, plans, ...); and which event
types change which read model. All of it is read from the app's routes,
`COMMAND_HANDLERS`, the domain's `Literal` types and the read models' `folds`
tables at the time of the call: never copied by hand, so the page and the
server cannot drift apart.
"""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from typing_extensions import TypedDict

from commands import models as m
from commands.handlers import COMMAND_HANDLERS, roles_allowed
from projections.views import MODELS
from warroom.domain.case import Judgement, Party, Plan, Selection
from warroom.domain.inspection import Framework, Phase
from warroom.domain.meeting import MeetingKind
from warroom.domain.request import Channel, Medium
from warroom.domain.user import Role
from web.deps import ActorDep

router = APIRouter(prefix="/api", tags=["meta"])

# The body of the one upload: multipart, built into AttachDocument by its route.
UPLOADS: dict[str, type[m.Command]] = {
    "/api/inspections/{inspection_id}/requests/{request_id}/documents": (
        m.AttachDocument
    ),
    # The case system's access log (issue 15), a CSV file.
    "/api/inspections/{inspection_id}/access-log": m.ImportAccessLog,
}

# Commands sent as a DELETE of the thing, their body built from the path.
DELETES: dict[str, type[m.Command]] = {
    "/api/inspections/{inspection_id}/distribution/{email}": m.RemoveRecipient,
    "/api/calendar-links/{link_id}": m.RevokeCalendarLink,
    "/api/me/calendar-links/{link_id}": m.RevokeOwnCalendarLink,
    "/api/inspections/{inspection_id}/contacts/{contact_id}": m.RemoveContact,
}

# Each of the domain's value lists, by the name the page asks for it.
VALUES: dict[str, Any] = {
    "channels": Channel,
    "media": Medium,
    "meeting_kinds": MeetingKind,
    "plans": Plan,
    "parties": Party,
    "judgements": Judgement,
    "selections": Selection,
    "phases": Phase,
    "frameworks": Framework,
    "roles": Role,
}


class CommandMeta(TypedDict):
    """One command: where it is sent, who may send it, and its body."""

    name: str
    method: str
    path: str
    summary: str
    roles: list[str]
    # "json", "multipart" or "none" (a DELETE: the command is built from the
    # path); the schema is the command's JSON schema in every case.
    body: str
    schema: dict[str, Any]


class Meta(TypedDict):
    commands: list[CommandMeta]
    values: dict[str, list[str]]
    # Event type -> the read models (panels) it changes.
    panels_for_event: dict[str, list[str]]


@router.get("/meta", summary="Who may run which command, its body; value lists")
def meta(request: Request, actor: ActorDep) -> Meta:
    del actor  # anyone signed in
    return {
        "commands": _commands(request.app.openapi()),
        "values": {name: list(get_args(kind)) for name, kind in VALUES.items()},
        "panels_for_event": _panels_for_event(),
    }


def _commands(openapi: dict[str, Any]) -> list[CommandMeta]:
    """Every POST route whose body is a command, as the app's own OpenAPI
    description names it (the route table, however the routers nest)."""
    by_name = {model.__name__: model for model in COMMAND_HANDLERS}
    found: list[CommandMeta] = []
    sent = [
        (path, verb, operation)
        for path, operations in openapi["paths"].items()
        for verb in ("post", "put")  # PUT: setting a user's email (issue 24)
        if (operation := operations.get(verb)) is not None
    ]
    for path, verb, operation in sent:
        content = operation.get("requestBody", {}).get("content", {})
        json_body = content.get("application/json", {}).get("schema", {})
        model = by_name.get(json_body.get("$ref", "").rsplit("/", 1)[-1])
        body = "json"
        if model is None and path in UPLOADS:
            model, body = UPLOADS[path], "multipart"
        if model is None:
            continue
        found.append(
            {
                "name": model.__name__,
                "method": "PUT" if verb == "put" else "POST",
                "path": path,
                "summary": operation.get("summary", ""),
                "roles": sorted(roles_allowed(model)),
                "body": body,
                "schema": _multipart_schema(content, openapi)
                if body == "multipart"
                else model.model_json_schema(),
            }
        )
    for path, model in DELETES.items():
        operation = openapi["paths"][path]["delete"]
        found.append(
            {
                "name": model.__name__,
                "method": "DELETE",
                "path": path,
                "summary": operation.get("summary", ""),
                "roles": sorted(roles_allowed(model)),
                "body": "none",
                "schema": model.model_json_schema(),
            }
        )
    return found


def _multipart_schema(content: dict[str, Any], openapi: dict[str, Any]) -> Any:
    """The upload's form fields, as the app's OpenAPI description has them."""
    schema = content.get("multipart/form-data", {}).get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return openapi["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _panels_for_event() -> dict[str, list[str]]:
    panels: dict[str, list[str]] = {}
    for model in MODELS:
        for event_type in sorted(model.event_types()):
            panels.setdefault(event_type, []).append(model.name)
    return dict(sorted(panels.items()))
