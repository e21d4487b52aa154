"""Who may do what: 401 without a good token, 403 for a role that may not.

The matrix is derived from `COMMAND_HANDLERS`, the write side's one table of
who may run each command, so these tests follow it wherever it goes; a few
tests pin the domain's first rules independently of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from commands import displays
from commands import models as m
from commands.handlers import COMMAND_HANDLERS
from tests.days import iso_day
from tests.helpers import (
    ROLES,
    Inspection,
    WarRoomClient,
    allowed_roles,
    new_request,
    refused,
    refused_attach,
    refused_roles,
    sha256,
    walk_request,
)

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Sample:
    """Where a command is sent, and a body that is valid for it."""

    path: str
    body: dict[str, Any]


DIGEST = sha256(b"doc")
WHEN = {"starts_at": f"{iso_day(1)}T10:00:00Z", "ends_at": f"{iso_day(1)}T11:00:00Z"}
INS = "/api/inspections/{iid}"
REQ = INS + "/requests/{rid}"
MTG = INS + "/meetings/{mid}"
CASE = INS + "/cases/{cid}"

SAMPLES: dict[type[m.Command], Sample] = {
    m.AddUser: Sample("/api/users", {"name": "New", "role": "staff"}),
    m.OpenInspection: Sample(
        "/api/inspections",
        {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
    ),
    m.AddInspector: Sample(INS + "/inspectors", {"name": "Ann Other"}),
    m.EnterPhase: Sample(INS + "/phase", {"phase": "day2_kick_off"}),
    m.RecordRequest: Sample(
        INS + "/requests",
        {"title": "Annex A", "requested_by": "{lead}", "channel": "kit"},
    ),
    m.AssignRequest: Sample(REQ + "/assign", {"assignee": "{preparer}"}),
    m.AttachDocument: Sample(REQ + "/documents", {}),
    m.ApproveDocument: Sample(REQ + "/approve", {"sha256": DIGEST}),
    m.CheckDocument: Sample(REQ + "/check", {"sha256": DIGEST}),
    m.ReleaseDocument: Sample(
        REQ + "/release", {"sha256": DIGEST, "to": "{lead}", "medium": "electronic"}
    ),
    m.DeclineRequest: Sample(REQ + "/decline", {"reason": "out of scope"}),
    m.WithdrawRequest: Sample(REQ + "/withdraw", {"reason": "not wanted"}),
    m.EscalateRequest: Sample(REQ + "/escalate", {"reason": "asked a worker"}),
    m.ScheduleMeeting: Sample(
        INS + "/meetings",
        {"title": "KIT", "kind": "kit", "venue": "Room 1", **WHEN},
    ),
    m.RescheduleMeeting: Sample(MTG + "/reschedule", {**WHEN, "reason": "late"}),
    m.MoveMeeting: Sample(MTG + "/move", {"venue": "Room 2"}),
    m.ChangeAttendees: Sample(MTG + "/attendees", {"add": ["Ann Cole"]}),
    m.ChangeTopics: Sample(MTG + "/topics", {"topics": ["Thresholds"]}),
    m.CancelMeeting: Sample(MTG + "/cancel", {"reason": "unwell"}),
    m.RecordKitNote: Sample(MTG + "/notes", {"text": "All on track"}),
    m.RaiseLineOfEnquiry: Sample(INS + "/lines-of-enquiry", {"title": "Thresholds"}),
    m.AnswerLineOfEnquiry: Sample(
        INS + "/lines-of-enquiry/{lid}/answer", {"response": "See the audit"}
    ),
    m.SelectCase: Sample(
        INS + "/cases", {"ref": "C-001", "selection": "audited", "plan": "CP"}
    ),
    m.NotifyCaseParty: Sample(CASE + "/notified", {"party": "social_worker"}),
    m.JudgeCase: Sample(CASE + "/audit", {"judgement": "good"}),
    m.RecordCaseBrowsed: Sample(
        CASE + "/browsed", {"inspector": "{lead}", "item": "chronology"}
    ),
    m.AcknowledgeBriefing: Sample(INS + "/agenda/A staff/acknowledge", {}),
    m.WriteBlogPost: Sample(
        INS + "/blog", {"day": iso_day(1), "title": "Day 2", "body": "All well"}
    ),
    m.RevokeToken: Sample("/api/users/{user}/revoke", {}),
    m.RotateToken: Sample("/api/users/{user}/rotate", {}),
    # issue 24: an admin sets a user's email address (a PUT: see `send`)
    m.SetUserEmail: Sample("/api/users/{user}/email", {"email": "ann@council.example"}),
    m.LimitInspections: Sample(
        "/api/users/{user}/inspections", {"inspection_ids": None}
    ),
    # --- KIT actions (issue 11)
    m.AssignKitAction: Sample(MTG + "/kit-actions/0/assign", {"owner": "A preparer"}),
    m.MarkKitActionDone: Sample(MTG + "/kit-actions/0/done", {}),
    # issue 25: a request filed under a line of enquiry after it was recorded
    m.LinkRequestToLineOfEnquiry: Sample(
        REQ + "/line-of-enquiry", {"line_of_enquiry": "{lid}"}
    ),
    # issue 15
    m.CompletePlaybookTask: Sample(INS + "/playbook/tasks/d1-diary/done", {}),
    m.AssignPlaybookTask: Sample(
        INS + "/playbook/tasks/d1-diary/assign", {"owner": "Ann Cole"}
    ),
    m.AssignResponsibility: Sample(
        INS + "/playbook/responsibilities", {"role": "Gatekeeper", "person": "Al"}
    ),
    m.ListAnnexADocument: Sample(INS + "/annex-a", {"title": "T", "owner": "O"}),
    m.RateAnnexADocument: Sample(INS + "/annex-a/{did}/rate", {"rag_quality": "red"}),
    m.SubmitAnnexADocument: Sample(INS + "/annex-a/{did}/submitted", {}),
    m.WriteAnnexASummary: Sample(INS + "/annex-a/summary", {"text": "Good"}),
    m.AssignCaseAuditor: Sample(CASE + "/auditor", {"auditor": "Ann Cole"}),
    m.RecordMultiAgencyReview: Sample(CASE + "/multi-agency-review", {}),
    m.CompleteAuditForm: Sample(CASE + "/audit-form", {}),
    m.ConcludeCaseAudit: Sample(
        CASE + "/judgement", {"judgement": "good", "reason": "well planned"}
    ),
    m.RecordJudgementSeen: Sample(CASE + "/judgement-seen", {"by": "team_manager"}),
    m.MarkFolderReady: Sample(CASE + "/folder-ready", {}),
    m.MakeCaseCopy: Sample(CASE + "/copies", {"copy_for": "council"}),
    m.HandOverCaseCopy: Sample(
        CASE + "/copies/hand-over",
        {"copy_for": "council", "to": "File", "medium": "hard_copy"},
    ),
    m.ReleaseCaseCopy: Sample(
        CASE + "/copies/release", {"to": "{lead}", "medium": "hard_copy"}
    ),
    m.RecordDebrief: Sample(MTG + "/debriefs", {"asked": "About thresholds"}),
    m.ImportAccessLog: Sample(INS + "/access-log", {}),
    # issue 13: feeds (revoking is a DELETE: see `send`)
    m.CreateCalendarLink: Sample(INS + "/calendar-links", {"person": "A staff"}),
    m.RevokeCalendarLink: Sample("/api/calendar-links/{link}", {}),
    # issue 24: one's own calendar links (the newest open inspection's)
    m.CreateOwnCalendarLink: Sample("/api/me/calendar-links", {}),
    m.RevokeOwnCalendarLink: Sample("/api/me/calendar-links/{link}", {}),
    # The verifiable log.
    m.CloseDay: Sample(INS + "/days/close", {"day": iso_day(1)}),
    # issue 13: the blog's distribution list (removing is a DELETE: see `send`)
    m.AddRecipient: Sample(
        INS + "/distribution", {"name": "Pat Partner", "email": "pat@example.org"}
    ),
    m.RemoveRecipient: Sample(INS + "/distribution/pat@example.org", {}),
    # issue 24: the contact list (removing is a DELETE: see `send`)
    m.AddContact: Sample(INS + "/contacts", {"name": "Pat Partner"}),
    m.ChangeContact: Sample(INS + "/contacts/{contact}", {"name": "Pat Other"}),
    m.RemoveContact: Sample(INS + "/contacts/{contact}", {}),
    # issue 11: a line of enquiry's owner
    m.AssignLineOfEnquiry: Sample(
        INS + "/lines-of-enquiry/{lid}/owner", {"owner": "A preparer"}
    ),
    # issue 25: wall screens (the inspection is named in the body)
    displays.ApproveDisplay: Sample(
        "/api/device/approve", {"user_code": "BCDF-GHJK", "inspection_id": "{iid}"}
    ),
    displays.DisconnectDisplay: Sample(INS + "/displays/{display}/disconnect", {}),
}


def fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, dict):
        return {k: fill(v, ids) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, ids) for v in template]
    return template


def real_ids(client: WarRoomClient, inspection: Inspection) -> dict[str, str]:
    """Ids of real things, so that a refusal can only be about the role."""
    path = inspection.path
    meeting = client.ok(
        "lead", f"{path}/meetings", fill(SAMPLES[m.ScheduleMeeting].body, {})
    )
    case = client.ok("lead", f"{path}/cases", SAMPLES[m.SelectCase].body)
    line = client.ok("lead", f"{path}/lines-of-enquiry", {"title": "Thresholds"})
    document = client.ok("lead", f"{path}/annex-a", {"title": "T", "owner": "O"})
    return {
        "did": document["id"],
        "iid": inspection.id,
        "rid": new_request(client, inspection),
        "mid": meeting["id"],
        "cid": case["id"],
        "lid": line["id"],
        "lead": inspection.lead_inspector,
        "preparer": client.user_ids["preparer"],
        "user": client.user_ids["preparer"],
        "link": client.ok(
            "admin", f"{path}/calendar-links", SAMPLES[m.CreateCalendarLink].body
        )["id"],
        "contact": client.ok("lead", f"{path}/contacts", {"name": "Pat Partner"})["id"],
        "display": UNKNOWN,
    }


def unknown_ids(client: WarRoomClient, inspection: Inspection) -> dict[str, str]:
    ids = dict.fromkeys(("iid", "rid", "mid", "cid", "lid", "did"), UNKNOWN)
    return {
        **ids,
        "lead": inspection.lead_inspector,
        "preparer": client.user_ids["preparer"],
        "user": UNKNOWN,
        "link": UNKNOWN,
        "contact": UNKNOWN,
        "display": UNKNOWN,
    }


def send(
    client: WarRoomClient, role: str, command: type[m.Command], ids: dict[str, str]
) -> Any:
    sample = SAMPLES[command]
    if command is m.AttachDocument:
        return client.attach(role, ids["iid"], ids["rid"], b"doc")
    if command is m.ImportAccessLog:
        return client.http.post(
            fill(sample.path, ids),
            files={"file": ("log.csv", b"user,case_ref,item,accessed_at\n")},
            headers=client.headers(role),
        )
    if command in (
        m.RevokeCalendarLink,
        m.RemoveRecipient,
        m.RevokeOwnCalendarLink,
        m.RemoveContact,
    ):
        return client.http.delete(fill(sample.path, ids), headers=client.headers(role))
    if command is m.SetUserEmail:
        return client.http.put(
            fill(sample.path, ids), json=sample.body, headers=client.headers(role)
        )
    return client.post(role, fill(sample.path, ids), fill(sample.body, ids))


COMMANDS = sorted(COMMAND_HANDLERS, key=lambda c: c.__name__)


def test_every_command_of_the_role_table_is_exercised_here() -> None:
    assert set(SAMPLES) == set(COMMAND_HANDLERS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_every_role_the_table_leaves_out_gets_403_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection, command: type[m.Command]
) -> None:
    ids = real_ids(client, inspection)
    for role in refused_roles(command):
        before = client.stored()
        response = send(client, role, command, ids)
        assert response.status_code == 403, (role, response.text)
        assert client.stored() == before, role


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_every_role_the_table_names_gets_past_authorisation(
    client: WarRoomClient, inspection: Inspection, command: type[m.Command]
) -> None:
    # Unknown ids: a role that is let in gets as far as finding nothing.
    ids = unknown_ids(client, inspection)
    path = SAMPLES[command].path
    # Where the inspection is named: in the path, or (a wall screen) the body.
    named = path + str(SAMPLES[command].body)
    expected = 404 if any(i in named for i in ("{iid}", "{user}", "{link}")) else 201
    for role in allowed_roles(command):
        response = send(client, role, command, ids)
        assert response.status_code == expected, (role, response.text)


def test_auditors_change_nothing_and_staff_only_acknowledge_their_briefing() -> None:
    for command, (_, roles) in COMMAND_HANDLERS.items():
        assert "auditor" not in roles
        # Staff only for themselves: their briefing, the meetings they were
        # in, the calendar links to their own agenda, the KIT actions given
        # to them (issue 25).
        assert "staff" not in roles or command in (
            m.MarkKitActionDone,
            m.AcknowledgeBriefing,
            m.RecordDebrief,
            m.CreateOwnCalendarLink,
            m.RevokeOwnCalendarLink,
        )


def test_only_the_gatekeeper_releases_or_declines_and_only_a_lead_approves() -> None:
    # DOMAIN.md's first rule, pinned apart from the table it is written in.
    assert allowed_roles(m.ReleaseDocument) == {"gatekeeper"}
    assert allowed_roles(m.DeclineRequest) == {"gatekeeper"}
    assert allowed_roles(m.ApproveDocument) == {"lead"}
    assert allowed_roles(m.AddUser) == {"admin"}


def test_a_lead_may_not_release_even_a_checked_document(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    digest = walk_request(client, inspection, rid, "checked")
    body = {"sha256": digest, "to": inspection.lead_inspector, "medium": "packet"}
    path = f"{inspection.path}/requests/{rid}/release"
    for role in ("lead", "rapid_response", "admin", "staff", "auditor"):
        refused(client, 403, role, path, body)
    client.ok("gatekeeper", path, body)


def test_a_staff_member_may_not_attach_a_document(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned")
    refused_attach(client, 403, "staff", inspection.id, rid, b"doc")


# --- 401 --------------------------------------------------------------------

BAD_AUTHORIZATIONS = [
    None,
    "Bearer not-a-token",
    "Bearer ",
    "Basic YWRtaW46YWRtaW4=",
    "{token}",
]


def test_a_command_without_a_good_token_gets_401_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    body = SAMPLES[m.OpenInspection].body
    for authorization in BAD_AUTHORIZATIONS:
        headers = {}
        if authorization is not None:
            headers["Authorization"] = authorization.format(token=client.tokens["lead"])
        before = client.stored()
        response = client.http.post("/api/inspections", json=body, headers=headers)
        assert response.status_code == 401, (authorization, response.text)
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert client.stored() == before


def test_reads_and_downloads_without_a_good_token_get_401(
    client: WarRoomClient, inspection: Inspection
) -> None:
    paths = [
        inspection.path,
        f"{inspection.path}/events",
        f"{inspection.path}/ledger",
        f"{inspection.path}/requests/{UNKNOWN}/documents/{DIGEST}",
        "/api/me",
    ]
    for path in paths:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = client.http.get(path, headers=headers)
            assert response.status_code == 401, (path, response.text)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_may_read(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    for path in ("", "/events", "/ledger", "/requests", "/cases", "/schedule"):
        response = client.get(role, f"{inspection.path}{path}")
        assert response.status_code == 200, (path, response.text)


# --- POST /api/users --------------------------------------------------------


def test_an_admin_adds_a_user_and_their_token_signs_them_in(
    client: WarRoomClient,
) -> None:
    before = client.stored()
    response = client.post(
        "admin", "/api/users", {"name": "Gail Keeper", "role": "gatekeeper"}
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert {"id", "name", "role", "token"} <= set(answer)
    assert (answer["name"], answer["role"]) == ("Gail Keeper", "gatekeeper")
    assert isinstance(answer["id"], str) and answer["token"]
    assert client.stored() > before
    me = client.http.get(
        "/api/me", headers={"Authorization": f"Bearer {answer['token']}"}
    ).json()
    assert (
        me.items()
        >= {
            "id": answer["id"],
            "name": "Gail Keeper",
            "role": "gatekeeper",
        }.items()
    )


def test_each_user_gets_a_token_of_their_own(client: WarRoomClient) -> None:
    tokens = {
        client.ok("admin", "/api/users", {"name": name, "role": "staff"})["token"]
        for name in ("One Name", "Another Name")
    }
    assert len(tokens) == 2


def test_a_token_is_never_stored_in_the_log(client: WarRoomClient) -> None:
    token = client.ok("admin", "/api/users", {"name": "Sam", "role": "staff"})["token"]
    stored = [
        str(vars(event))
        for event in client.app.recorder.select_notifications(start=1, limit=10_000)
    ]
    assert stored and not any(token in text for text in stored)


def test_a_user_with_a_role_that_does_not_exist_is_refused(
    client: WarRoomClient,
) -> None:
    answer = refused(client, 422, "admin", "/api/users", {"name": "X", "role": "boss"})
    assert any(error["loc"][-1] == "role" for error in answer["detail"])


def test_only_those_who_assign_work_may_list_the_users(client: WarRoomClient) -> None:
    listing = {"admin", "lead", "gatekeeper", "rapid_response"}
    for role in ROLES:
        response = client.get(role, "/api/users")
        assert response.status_code == (200 if role in listing else 403), role
    names = {u["name"] for u in client.get("lead", "/api/users").json()["users"]}
    assert {"A gatekeeper", "A preparer"} <= names
