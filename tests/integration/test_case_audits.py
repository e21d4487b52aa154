"""Case audits in full: auditor, multi-agency review, form, judgement with its
reason, seen by the social worker and team manager; tracked cases' folders;
the three copies made and handed over."""

from __future__ import annotations

from typing import Any

from commands.models import (
    AssignCaseAuditor,
    ConcludeCaseAudit,
    HandOverCaseCopy,
    ReleaseCaseCopy,
)
from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    refused,
    refused_roles,
)


def select(
    client: WarRoomClient, inspection: Inspection, ref: str, selection: str
) -> str:
    cid: str = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": ref, "selection": selection, "plan": "CP", "social_worker": "Sam"},
    )["id"]
    return cid


def case(client: WarRoomClient, inspection: Inspection, ref: str) -> dict[str, Any]:
    body = client.get("staff", f"{inspection.path}/cases").json()
    found: dict[str, Any] = {c["ref"]: c for c in body["cases"]}[ref]
    return found


def test_an_audit_goes_from_auditor_to_a_judgement_the_worker_and_manager_have_seen(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'CP-1', 'audited')}"
    assert case(client, inspection, "CP-1")["audit_progress"] == {
        "done": 0,
        "of": 12,
        "next": "assign an auditor",
    }
    client.ok("lead", f"{path}/auditor", {"auditor": "Amanda Amesbury"})
    client.ok("rapid_response", f"{path}/multi-agency-review", {"note": "with health"})
    client.ok("rapid_response", f"{path}/audit-form")
    client.ok(
        "lead",
        f"{path}/judgement",
        {"judgement": "requires_improvement", "reason": "plan drifted in March"},
    )
    client.ok("gatekeeper", f"{path}/judgement-seen", {"by": "social_worker"})
    client.ok("gatekeeper", f"{path}/judgement-seen", {"by": "team_manager"})

    shown = case(client, inspection, "CP-1")
    audit = shown["audit"]
    assert shown["judgement"] == "requires_improvement"
    assert (audit["auditor"], audit["multi_agency_note"]) == (
        "Amanda Amesbury",
        "with health",
    )
    assert (audit["form_complete"], audit["reason"], audit["judged_by"]) == (
        True,
        "plan drifted in March",
        "A lead",
    )
    assert audit["seen_by"] == ["social_worker", "team_manager"]
    assert shown["audit_progress"] == {
        "done": 6,
        "of": 12,
        "next": "make the inspector copy",
    }


def test_audit_steps_out_of_order_are_refused_and_store_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'CP-1', 'audited')}"
    assert refused(client, 409, "lead", f"{path}/audit-form")["rule"] == (
        "auditor_before_form"
    )
    judgement = {"judgement": "good", "reason": "r"}
    assert refused(client, 409, "lead", f"{path}/judgement", judgement)["rule"] == (
        "form_before_judgement"
    )
    seen = {"by": "social_worker"}
    assert refused(client, 409, "lead", f"{path}/judgement-seen", seen)["rule"] == (
        "judgement_before_seen"
    )
    client.ok("lead", f"{path}/auditor", {"auditor": "A"})
    client.ok("lead", f"{path}/audit-form")
    assert refused(client, 409, "lead", f"{path}/audit-form")["rule"] == "form_once"
    refused(client, 422, "lead", f"{path}/judgement", {"judgement": "good"})
    refused(
        client, 422, "lead", f"{path}/judgement", {"judgement": "fine", "reason": "r"}
    )
    client.ok("lead", f"{path}/judgement", judgement)
    client.ok("lead", f"{path}/judgement-seen", seen)
    assert refused(client, 409, "lead", f"{path}/judgement-seen", seen)["rule"] == (
        "seen_once"
    )
    # A new judgement is one they have not seen yet.
    client.ok("lead", f"{path}/judgement", {"judgement": "inadequate", "reason": "r2"})
    assert case(client, inspection, "CP-1")["audit"]["seen_by"] == []


def test_a_tracked_case_has_a_folder_and_no_audit(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'LAC-7', 'tracked')}"
    assert refused(client, 409, "lead", f"{path}/auditor", {"auditor": "A"})[
        "rule"
    ] == ("audit_audited_cases")
    client.ok("rapid_response", f"{path}/folder-ready")
    assert case(client, inspection, "LAC-7")["audit"]["folder_ready"] is True
    assert refused(client, 409, "lead", f"{path}/folder-ready")["rule"] == "folder_once"
    audited = f"{inspection.path}/cases/{select(client, inspection, 'CP-2', 'audited')}"
    assert refused(client, 409, "lead", f"{audited}/folder-ready")["rule"] == (
        "folder_for_tracked_cases"
    )


def test_the_three_copies_are_made_and_handed_over_the_inspectors_by_the_gatekeeper(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'LAC-7', 'tracked')}"
    copies = f"{path}/copies"
    release = {"to": inspection.team_inspector, "medium": "hard_copy"}
    assert refused(client, 409, "gatekeeper", f"{copies}/release", release)["rule"] == (
        "copy_before_hand_over"
    )
    for which in ("inspector", "council", "social_worker"):
        client.ok("rapid_response", copies, {"copy_for": which})
    assert refused(client, 409, "lead", copies, {"copy_for": "council"})["rule"] == (
        "copy_once"
    )
    # The inspector's copy goes only through the gatekeeper, to an inspector.
    for role in refused_roles(ReleaseCaseCopy):
        refused(client, 403, role, f"{copies}/release", release)
    wrong = {"to": "someone", "medium": "hard_copy"}
    refused(client, 409, "gatekeeper", f"{copies}/release", wrong)
    client.ok("gatekeeper", f"{copies}/release", release)
    refused(client, 409, "gatekeeper", f"{copies}/release", release)
    refused(
        client,
        422,
        "rapid_response",
        f"{copies}/hand-over",
        {"copy_for": "inspector", "to": "X", "medium": "hard_copy"},
    )
    client.ok(
        "rapid_response",
        f"{copies}/hand-over",
        {"copy_for": "social_worker", "to": "Sam", "medium": "electronic"},
    )
    client.ok(
        "lead",
        f"{copies}/hand-over",
        {"copy_for": "council", "to": "War room file", "medium": "hard_copy"},
    )
    shown = case(client, inspection, "LAC-7")
    handed = {
        k: (v["handed_to"], v["medium"]) for k, v in shown["audit"]["copies"].items()
    }
    assert handed == {
        "inspector": (inspection.team_inspector, "hard_copy"),
        "social_worker": ("Sam", "electronic"),
        "council": ("War room file", "hard_copy"),
    }
    assert shown["audit"]["copies"]["inspector"]["handed_over_by"] == "A gatekeeper"
    assert shown["audit_progress"] == {"done": 6, "of": 7, "next": "folder ready"}
    client.ok("rapid_response", f"{path}/folder-ready")
    assert case(client, inspection, "LAC-7")["audit_progress"]["next"] is None
    types = [e["type"] for e in logged_events(client, inspection)]
    assert types.count("CaseCopyReleased") == 1
    assert types.count("CaseCopyHandedOver") == 2


def test_case_audit_commands_refuse_other_roles_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'CP-1', 'audited')}"
    for role in refused_roles(AssignCaseAuditor):
        refused(client, 403, role, f"{path}/auditor", {"auditor": "A"})
    for role in refused_roles(ConcludeCaseAudit):
        refused(
            client, 403, role, f"{path}/judgement", {"judgement": "good", "reason": "r"}
        )
    for role in refused_roles(HandOverCaseCopy):
        refused(
            client,
            403,
            role,
            f"{path}/copies/hand-over",
            {"copy_for": "council", "to": "X", "medium": "packet"},
        )
    refused(
        client,
        404,
        "lead",
        f"{inspection.path}/cases/{inspection.id}/auditor",
        {"auditor": "A"},
    )


def test_the_case_board_replays_an_audit_as_it_stood_at_a_past_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/cases/{select(client, inspection, 'CP-1', 'audited')}"
    assigned = client.ok("lead", f"{path}/auditor", {"auditor": "A"})["position"]
    client.ok("lead", f"{path}/audit-form")
    past = client.get("auditor", f"{inspection.path}/cases", at=assigned).json()
    (then,) = past["cases"]
    assert (then["audit"]["auditor"], then["audit"]["form_complete"]) == ("A", False)
    assert case(client, inspection, "CP-1")["audit"]["form_complete"] is True


def test_the_inspectors_judgement_and_ours_are_kept_apart(
    client: WarRoomClient, inspection: Inspection
) -> None:
    """Recording the inspector's judgement never overwrites ours, nor ours
    theirs: the board answers each, and `judgement` the latest of them."""
    path = f"{inspection.path}/cases/{select(client, inspection, 'CP-2', 'audited')}"
    client.ok("rapid_response", f"{path}/audit", {"judgement": "good"})
    client.ok("lead", f"{path}/auditor", {"auditor": "Amanda Amesbury"})
    client.ok("rapid_response", f"{path}/audit-form")
    client.ok(
        "lead",
        f"{path}/judgement",
        {"judgement": "requires_improvement", "reason": "plan drifted in March"},
    )
    judged = case(client, inspection, "CP-2")
    assert judged["inspector_judgement"] == "good"
    assert judged["our_judgement"] == "requires_improvement"
    assert judged["judgement"] == "requires_improvement"
    client.ok("rapid_response", f"{path}/audit", {"judgement": "outstanding"})
    judged = case(client, inspection, "CP-2")
    assert judged["inspector_judgement"] == "outstanding"
    assert judged["our_judgement"] == "requires_improvement"
