"""Nothing chosen for the user (issue 23): the server never fills in a field
that records a judgement, a classification or how something was done. A
body without one is refused with 422 naming the field, and nothing is
stored: not an event, and not a change any read shows.

Each case is a body the server would accept (checked against its model)
with one field left out, sent by a role that may send the command, to a
real thing of a real inspection, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin

import pytest

from commands import models as m
from tests.days import iso_day
from tests.helpers import (
    Inspection,
    WarRoomClient,
    allowed_roles,
    new_request,
    refused,
    walk_request,
)
from tests.integration.story import WHEN_ASKED, read_everything, without
from web.routes.commands import ROUTES


@dataclass(frozen=True)
class Things:
    """A real thing of each kind the commands below act on."""

    checked_request: str
    digest: str
    case: str
    annex_a_document: str


def things(client: WarRoomClient, inspection: Inspection) -> Things:
    rid = new_request(client, inspection)
    digest = walk_request(client, inspection, rid, "checked")
    case = client.ok(
        "gatekeeper",
        f"{inspection.path}/cases",
        {"ref": "C-101", "selection": "audited", "plan": "CP"},
    )["id"]
    document = client.ok(
        "lead",
        f"{inspection.path}/annex-a",
        {"title": "Self-evaluation", "owner": "Dana Director"},
    )["id"]
    return Things(rid, digest, str(case), str(document))


def reads(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    """What every read route answers, but for ages (they grow as time passes)."""
    answers = {
        name: without(answer, WHEN_ASKED)
        for name, answer in read_everything(client, inspection).items()
    }
    for name in ("requests", "open requests"):
        for request in answers[name]["requests"]:
            request.pop("age_seconds", None)
    return answers


Body = Callable[[Inspection, Things], dict[str, Any]]

# (command, a whole body, the field left out)
CASES: list[tuple[type[m.Command], Body, str]] = [
    (
        m.OpenInspection,
        lambda i, t: {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
        "framework",
    ),
    (m.AddUser, lambda i, t: {"name": "Nia New", "role": "staff"}, "role"),
    (m.EnterPhase, lambda i, t: {"phase": "day2_kick_off"}, "phase"),
    (
        m.RecordRequest,
        lambda i, t: {
            "title": "Caseloads",
            "requested_by": i.team_inspector,
            "channel": "email",
        },
        "channel",
    ),
    (
        m.RecordRequest,
        lambda i, t: {
            "title": "Caseloads",
            "requested_by": i.team_inspector,
            "channel": "email",
        },
        "requested_by",
    ),
    (
        m.ReleaseDocument,
        lambda i, t: {
            "sha256": t.digest,
            "to": i.team_inspector,
            "medium": "hard_copy",
        },
        "medium",
    ),
    (
        m.ReleaseDocument,
        lambda i, t: {
            "sha256": t.digest,
            "to": i.team_inspector,
            "medium": "hard_copy",
        },
        "to",
    ),
    (
        m.ScheduleMeeting,
        lambda i, t: {
            "title": "Focus group",
            "kind": "focus_group",
            "starts_at": f"{iso_day(1)}T10:00:00Z",
            "ends_at": f"{iso_day(1)}T11:00:00Z",
            "venue": "Room 1",
        },
        "kind",
    ),
    (
        m.SelectCase,
        lambda i, t: {"ref": "C-102", "selection": "tracked", "plan": "LAC"},
        "selection",
    ),
    (
        m.SelectCase,
        lambda i, t: {"ref": "C-102", "selection": "tracked", "plan": "LAC"},
        "plan",
    ),
    (m.JudgeCase, lambda i, t: {"judgement": "good"}, "judgement"),
    (
        m.ConcludeCaseAudit,
        lambda i, t: {"judgement": "good", "reason": "Plan on track"},
        "judgement",
    ),
    (m.RecordJudgementSeen, lambda i, t: {"by": "team_manager"}, "by"),
    (m.MakeCaseCopy, lambda i, t: {"copy_for": "council"}, "copy_for"),
    (
        m.HandOverCaseCopy,
        lambda i, t: {"copy_for": "council", "to": "Dana", "medium": "packet"},
        "copy_for",
    ),
    (
        m.HandOverCaseCopy,
        lambda i, t: {"copy_for": "council", "to": "Dana", "medium": "packet"},
        "medium",
    ),
    (
        m.ReleaseCaseCopy,
        lambda i, t: {"to": i.lead_inspector, "medium": "electronic"},
        "medium",
    ),
    (
        m.ReleaseCaseCopy,
        lambda i, t: {"to": i.lead_inspector, "medium": "electronic"},
        "to",
    ),
]


def path_of(command: type[m.Command], inspection: Inspection, t: Things) -> str:
    (route,) = [r for r in ROUTES if r.model is command]
    ids = {
        "inspection_id": inspection.id,
        "request_id": t.checked_request,
        "case_id": t.case,
        "document_id": t.annex_a_document,
    }
    return "/api" + route.path.format_map(ids)


def sender(command: type[m.Command]) -> str:
    roles = allowed_roles(command)
    return "lead" if "lead" in roles else sorted(roles)[0]


@pytest.mark.parametrize(
    ("command", "body", "field"),
    CASES,
    ids=[f"{command.__name__}-{field}" for command, _, field in CASES],
)
def test_a_command_without_its_choice_is_refused_naming_it_and_stores_nothing(
    client: WarRoomClient,
    inspection: Inspection,
    command: type[m.Command],
    body: Body,
    field: str,
) -> None:
    t = things(client, inspection)
    whole = body(inspection, t)
    command.model_validate(whole)  # the whole body would be accepted
    assert field in whole
    before = reads(client, inspection)
    answer = refused(
        client,
        422,
        sender(command),
        path_of(command, inspection, t),
        {k: v for k, v in whole.items() if k != field},
    )
    named = [error["loc"] for error in answer["detail"]]
    assert named == [["body", field]], answer
    assert answer["detail"][0]["type"] == "missing"
    assert reads(client, inspection) == before


def test_the_commands_choices_have_no_default() -> None:
    """Every field that records a judgement, a classification or how
    something was done is required of the client: none has a default."""
    for command, _, field in CASES:
        assert command.model_fields[field].is_required(), (command, field)


def test_no_command_has_a_default_for_a_choice_of_a_list() -> None:
    """A field whose value is one of a list (a Literal) is never filled in by
    the server: each is required, or may be left out only as null (a rating
    names one of its two), never defaulting to one of its values."""
    commands = [
        model
        for model in vars(m).values()
        if isinstance(model, type) and issubclass(model, m.Command)
    ]
    defaulted = [
        (command.__name__, name, field.default)
        for command in commands
        for name, field in command.model_fields.items()
        if (get_origin(field.annotation) is Literal and not field.is_required())
        or (
            get_origin(field.annotation) in (Union, UnionType)
            and any(get_origin(a) is Literal for a in get_args(field.annotation))
            and field.default is not None
        )
    ]
    # The one default an issue names as a contract: a recipient added by an
    # older client keeps getting the war room's copy of the blog (issue 24).
    # It records no fact about what happened; the page still asks for it.
    assert defaulted == [("AddRecipient", "audience", "war_room")]


def test_a_rating_of_nothing_is_refused_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    t = things(client, inspection)
    path = path_of(m.RateAnnexADocument, inspection, t)
    before = reads(client, inspection)
    answer = refused(client, 422, "gatekeeper", path, {"reason": "Draft only"})
    assert "rate how complete it is, its quality, or both" in str(answer["detail"])
    assert reads(client, inspection) == before


def test_a_notification_of_nobody_is_refused_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    """Who was notified is named as one `party` or a list of `parties`
    (issue 25): either may be left out, never both, and none is filled in."""
    t = things(client, inspection)
    path = f"{inspection.path}/cases/{t.case}/notified"
    before = reads(client, inspection)
    bodies: list[dict[str, Any]] = [{}, {"party": None}, {"parties": []}]
    for body in bodies:
        answer = refused(client, 422, "gatekeeper", path, body)
        assert "parties" in str(answer["detail"])
    assert reads(client, inspection) == before
