"""A document request's life over HTTP, on both databases.

requested -> assigned -> attached -> approved -> checked -> released, or
declined / withdrawn; every wrong order and every wrong role is refused with
nothing stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from commands import models as m
from tests.days import iso_day
from tests.helpers import (
    WALK,
    Inspection,
    WarRoomClient,
    logged_events,
    new_request,
    refused,
    refused_attach,
    refused_roles,
    sha256,
    walk_request,
)

CONTENT = b"%PDF-1.7 the document"
DIGEST = sha256(CONTENT)


def request_path(inspection: Inspection, rid: str) -> str:
    return f"{inspection.path}/requests/{rid}"


def release_body(inspection: Inspection, digest: str = DIGEST) -> dict[str, Any]:
    return {"sha256": digest, "to": inspection.team_inspector, "medium": "hard_copy"}


def request_events(
    client: WarRoomClient, inspection: Inspection, rid: str
) -> list[dict[str, Any]]:
    return [e for e in logged_events(client, inspection) if e["aggregate_id"] == rid]


# --- the whole walk ---------------------------------------------------------


def test_a_request_walks_to_released_with_every_wrong_role_refused_at_each_step(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    assign = {"assignee": client.user_ids["preparer"]}
    versions = [
        step(client, m.AssignRequest, "rapid_response", f"{path}/assign", assign)
    ]
    for role in refused_roles(m.AttachDocument):
        refused_attach(client, 403, role, inspection.id, rid, CONTENT)
    attached = client.attach("preparer", inspection.id, rid, CONTENT)
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == DIGEST
    versions.append(attached.json()["version"])
    digest = {"sha256": DIGEST}
    versions += [
        step(client, m.ApproveDocument, "lead", f"{path}/approve", digest),
        step(client, m.CheckDocument, "gatekeeper", f"{path}/check", digest),
        step(
            client,
            m.ReleaseDocument,
            "gatekeeper",
            f"{path}/release",
            release_body(inspection),
        ),
    ]
    assert versions == list(range(versions[0], versions[0] + 5))


def step(
    client: WarRoomClient,
    command: type[m.Command],
    right_role: str,
    path: str,
    body: dict[str, Any],
) -> int:
    """Every role the table refuses is refused; then the right one succeeds."""
    for role in refused_roles(command):
        refused(client, 403, role, path, body)
    version: int = client.ok(right_role, path, body)["version"]
    return version


def test_each_step_answers_the_request_id_its_new_version_and_a_later_position(
    client: WarRoomClient, inspection: Inspection
) -> None:
    created = client.ok(
        "lead",
        f"{inspection.path}/requests",
        {
            "title": "Annex A",
            "requested_by": inspection.lead_inspector,
            "channel": "email",
        },
    )
    rid = created["id"]
    assert isinstance(rid, str)
    assigned = client.ok(
        "rapid_response",
        f"{request_path(inspection, rid)}/assign",
        {"assignee": client.user_ids["preparer"]},
    )
    assert assigned["id"] == rid
    assert assigned["version"] == created["version"] + 1
    assert assigned["position"] > created["position"]
    assert client.stored() == assigned["position"]


def test_the_log_tells_the_walk_in_order_and_the_release_names_the_sha256(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "released", CONTENT)
    events = request_events(client, inspection, rid)
    assert [e["type"] for e in events] == [
        "DocumentRequested",
        "RequestAssigned",
        "DocumentAttached",
        "DocumentApproved",
        "FinalCheckPassed",
        "DocumentReleased",
    ]
    released = events[-1]
    assert released["data"]["sha256"] == DIGEST
    assert released["data"]["to"] == inspection.team_inspector
    assert released["actor"] == client.user_ids["gatekeeper"]


def test_the_ledger_line_names_who_approved_checked_and_released_which_sha256(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "released", CONTENT)
    lines = client.get("staff", f"{inspection.path}/ledger").json()["lines"]
    assert len(lines) == 1
    line = lines[0]
    assert line["sha256"] == DIGEST
    assert line["to"] == inspection.team_inspector
    assert line["version"] == "1"
    assert (line["approved_by"], line["checked_by"], line["released_by"]) == (
        "A lead",
        "A rapid_response",
        "A gatekeeper",
    )


# --- wrong order ------------------------------------------------------------

# What each state refuses, and the rule it names.
OUT_OF_ORDER: dict[str, list[tuple[str, str]]] = {
    "requested": [
        ("attach", "assign_before_attach"),
        ("approve", "approve_needs_attached"),
        ("check", "check_needs_approved"),
        ("release", "release_needs_checked"),
    ],
    "assigned": [
        ("approve", "approve_needs_attached"),
        ("check", "check_needs_approved"),
        ("release", "release_needs_checked"),
    ],
    "attached": [
        ("check", "check_needs_approved"),
        ("release", "release_needs_checked"),
    ],
    "approved": [
        ("approve", "approve_needs_attached"),
        ("release", "release_needs_checked"),
    ],
    "checked": [
        ("approve", "approve_needs_attached"),
        ("check", "check_needs_approved"),
    ],
    "released": [
        ("assign", "request_is_open"),
        ("attach", "request_is_open"),
        ("approve", "approve_needs_attached"),
        ("check", "check_needs_approved"),
        ("release", "release_needs_checked"),
        ("decline", "request_is_open"),
        ("withdraw", "request_is_open"),
        ("escalate", "request_is_open"),
    ],
}


def try_out_of_order(
    client: WarRoomClient, inspection: Inspection, rid: str, action: str, rule: str
) -> None:
    path = request_path(inspection, rid)
    bodies: dict[str, tuple[str, dict[str, Any]]] = {
        "assign": ("gatekeeper", {"assignee": client.user_ids["preparer"]}),
        "approve": ("lead", {"sha256": DIGEST}),
        "check": ("rapid_response", {"sha256": DIGEST}),
        "release": ("gatekeeper", release_body(inspection)),
        "decline": ("gatekeeper", {"reason": "out of scope"}),
        "withdraw": ("lead", {"reason": "no longer wanted"}),
        "escalate": ("gatekeeper", {"reason": "asked a worker"}),
    }
    if action == "attach":
        answer = refused_attach(
            client, 409, "preparer", inspection.id, rid, b"a new version"
        )
    else:
        role, body = bodies[action]
        answer = refused(client, 409, role, f"{path}/{action}", body)
    assert answer["rule"] == rule, (action, answer)


@pytest.mark.parametrize("state", [*OUT_OF_ORDER, "declined", "withdrawn"])
def test_every_step_out_of_order_is_refused_with_its_rule_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection, state: str
) -> None:
    rid = new_request(client, inspection)
    if state in WALK:
        walk_request(client, inspection, rid, state, CONTENT)
        wrong = OUT_OF_ORDER[state]
    else:
        closer = "gatekeeper" if state == "declined" else "lead"
        action = "decline" if state == "declined" else "withdraw"
        client.ok(closer, f"{request_path(inspection, rid)}/{action}", {"reason": "x"})
        wrong = OUT_OF_ORDER["released"]
    for action, rule in wrong:
        try_out_of_order(client, inspection, rid, action, rule)


# --- the release names what was approved and checked ------------------------


def test_a_release_naming_another_sha256_than_the_checked_one_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "checked", CONTENT)
    other = sha256(b"something else")
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{request_path(inspection, rid)}/release",
        release_body(inspection, other),
    )
    assert answer["rule"] == "release_what_was_approved"


def test_approving_or_checking_a_version_that_is_not_the_current_one_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    walk_request(client, inspection, rid, "attached", CONTENT)
    stale = sha256(b"not attached")
    answer = refused(client, 409, "lead", f"{path}/approve", {"sha256": stale})
    assert answer["rule"] == "current_version_only"
    client.ok("lead", f"{path}/approve", {"sha256": DIGEST})
    answer = refused(client, 409, "rapid_response", f"{path}/check", {"sha256": stale})
    assert answer["rule"] == "current_version_only"


def test_attaching_a_new_version_voids_the_approval_of_the_old_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    walk_request(client, inspection, rid, "approved", CONTENT)
    second = b"%PDF-1.7 version two"
    attached = client.attach("preparer", inspection.id, rid, second, version="2")
    assert attached.status_code == 201, attached.text
    answer = refused(client, 409, "rapid_response", f"{path}/check", {"sha256": DIGEST})
    assert answer["rule"] == "check_needs_approved"
    answer = refused(client, 409, "lead", f"{path}/approve", {"sha256": DIGEST})
    assert answer["rule"] == "current_version_only"


def test_attaching_a_new_version_after_the_final_check_voids_approval_and_check(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    walk_request(client, inspection, rid, "checked", CONTENT)
    second = b"%PDF-1.7 version two"
    attached = client.attach("preparer", inspection.id, rid, second, version="2")
    assert attached.status_code == 201, attached.text
    for digest in (DIGEST, sha256(second)):
        refused(
            client,
            409,
            "gatekeeper",
            f"{path}/release",
            release_body(inspection, digest),
        )


def test_what_is_released_after_a_new_version_is_exactly_the_new_approved_one(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    walk_request(client, inspection, rid, "approved", CONTENT)
    second = b"%PDF-1.7 version two"
    new = sha256(second)
    client.attach("preparer", inspection.id, rid, second, version="2")
    client.ok("lead", f"{path}/approve", {"sha256": new})
    client.ok("gatekeeper", f"{path}/check", {"sha256": new})
    refused(client, 409, "gatekeeper", f"{path}/release", release_body(inspection))
    client.ok("gatekeeper", f"{path}/release", release_body(inspection, new))
    lines = client.get("auditor", f"{inspection.path}/ledger").json()["lines"]
    assert [line["sha256"] for line in lines] == [new]


# --- approver is not the attacher -------------------------------------------


def test_the_person_who_attached_a_document_may_not_approve_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = request_path(inspection, rid)
    walk_request(client, inspection, rid, "assigned", CONTENT)
    attached = client.attach("lead", inspection.id, rid, CONTENT)
    assert attached.status_code == 201, attached.text
    answer = refused(client, 409, "lead", f"{path}/approve", {"sha256": DIGEST})
    assert answer["rule"] == "approver_is_not_preparer"


def test_another_lead_may_approve_what_one_lead_attached(
    client: WarRoomClient, inspection: Inspection
) -> None:
    second_lead = client.ok(
        "admin", "/api/users", {"name": "Another lead", "role": "lead"}
    )
    client.tokens["second_lead"] = second_lead["token"]
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned", CONTENT)
    client.attach("lead", inspection.id, rid, CONTENT)
    approved = client.ok(
        "second_lead",
        f"{request_path(inspection, rid)}/approve",
        {"sha256": DIGEST},
    )
    assert approved["id"] == rid


# --- direct to worker: escalated to the lead inspector ----------------------


def test_a_request_made_to_a_worker_directly_is_escalated_to_the_lead_inspector(
    client: WarRoomClient, inspection: Inspection
) -> None:
    before = client.stored()
    answer = client.ok(
        "rapid_response",
        f"{inspection.path}/requests",
        {
            "title": "Copy of a case file",
            "requested_by": inspection.team_inspector,
            "channel": "direct_to_worker",
        },
    )
    events = request_events(client, inspection, answer["id"])
    assert [e["type"] for e in events] == ["DocumentRequested", "RequestEscalated"]
    assert events[1]["data"]["to"] == inspection.lead_inspector
    # Both in one save: the answer's position is the escalation's.
    assert answer["position"] == events[1]["position"] == client.stored()
    assert client.stored() == before + 2


def test_a_direct_request_with_no_lead_inspector_to_escalate_to_stores_nothing(
    client: WarRoomClient,
) -> None:
    iid = client.ok(
        "lead",
        "/api/inspections",
        {"title": "JTAI", "framework": "JTAI", "starts_on": iso_day(0)},
    )["id"]
    team = client.ok(
        "lead", f"/api/inspections/{iid}/inspectors", {"name": "Tom Bright"}
    )["id"]
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"/api/inspections/{iid}/requests",
        {"title": "A file", "requested_by": team, "channel": "direct_to_worker"},
    )
    assert answer["rule"] == "escalate_to_lead_inspector"


def test_a_request_by_email_is_not_escalated(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection, channel="email")
    assert [e["type"] for e in request_events(client, inspection, rid)] == [
        "DocumentRequested"
    ]


def test_escalating_by_hand_names_the_lead_inspector_and_only_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    path = f"{request_path(inspection, rid)}/escalate"
    client.ok("rapid_response", path, {"reason": "asked twice"})
    escalated = request_events(client, inspection, rid)[-1]
    assert escalated["type"] == "RequestEscalated"
    assert escalated["data"]["to"] == inspection.lead_inspector
    answer = refused(client, 409, "gatekeeper", path, {"reason": "again"})
    assert answer["rule"] == "escalate_once"


def test_a_direct_request_cannot_be_escalated_a_second_time(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection, channel="direct_to_worker")
    answer = refused(
        client,
        409,
        "lead",
        f"{request_path(inspection, rid)}/escalate",
        {"reason": "again"},
    )
    assert answer["rule"] == "escalate_once"


# --- releases go to an inspector on the roster -----------------------------


def test_a_release_to_someone_not_on_the_roster_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    other = Inspection.open(client)
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "checked", CONTENT)
    strangers = [
        other.lead_inspector,
        client.user_ids["staff"],
        "00000000-0000-0000-0000-000000000000",
    ]
    for stranger in strangers:
        answer = refused(
            client,
            409,
            "gatekeeper",
            f"{request_path(inspection, rid)}/release",
            {"sha256": DIGEST, "to": stranger, "medium": "packet"},
        )
        assert answer["rule"] == "inspector_on_roster"


def test_a_release_may_go_to_a_team_inspector_on_the_roster_by_any_medium(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for medium in ("electronic", "hard_copy", "packet"):
        rid = new_request(client, inspection, title=f"sent as {medium}")
        walk_request(client, inspection, rid, "checked", CONTENT)
        client.ok(
            "gatekeeper",
            f"{request_path(inspection, rid)}/release",
            {"sha256": DIGEST, "to": inspection.team_inspector, "medium": medium},
        )
    lines = client.get("staff", f"{inspection.path}/ledger").json()["lines"]
    assert sorted(line["medium"] for line in lines) == [
        "electronic",
        "hard_copy",
        "packet",
    ]


# --- decline and withdraw ---------------------------------------------------


@pytest.mark.parametrize("state", ["requested", "assigned", "attached", "checked"])
def test_the_gatekeeper_may_decline_an_open_request_and_no_one_else_may(
    client: WarRoomClient, inspection: Inspection, state: str
) -> None:
    rid = new_request(client, inspection)
    if state != "requested":
        walk_request(client, inspection, rid, state, CONTENT)
    path = f"{request_path(inspection, rid)}/decline"
    for role in refused_roles(m.DeclineRequest):
        refused(client, 403, role, path, {"reason": "outside the framework"})
    client.ok("gatekeeper", path, {"reason": "outside the framework"})
    declined = request_events(client, inspection, rid)[-1]
    assert declined["type"] == "RequestDeclined"
    assert declined["data"]["reason"] == "outside the framework"


@pytest.mark.parametrize("role", ["lead", "gatekeeper"])
def test_a_lead_or_the_gatekeeper_records_that_the_inspector_withdrew_a_request(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "approved", CONTENT)
    path = f"{request_path(inspection, rid)}/withdraw"
    for wrong in refused_roles(m.WithdrawRequest):
        refused(client, 403, wrong, path, {"reason": "no longer needed"})
    client.ok(role, path, {"reason": "no longer needed"})
    assert request_events(client, inspection, rid)[-1]["type"] == "RequestWithdrawn"
    answer = refused(
        client,
        409,
        "gatekeeper",
        f"{request_path(inspection, rid)}/decline",
        {"reason": "too late"},
    )
    assert answer["rule"] == "request_is_open"


def test_a_released_request_can_be_neither_declined_nor_withdrawn(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "released", CONTENT)
    try_out_of_order(client, inspection, rid, "decline", "request_is_open")
    try_out_of_order(client, inspection, rid, "withdraw", "request_is_open")


# --- the documents themselves, byte for byte --------------------------------


def test_every_attached_version_can_be_downloaded_byte_for_byte(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "assigned", CONTENT)
    versions = [bytes(range(256)) * 40, b"\x00\r\n\x1a plain text\r\n"]
    for number, content in enumerate(versions, start=1):
        attached = client.attach(
            "preparer", inspection.id, rid, content, version=str(number)
        )
        assert attached.status_code == 201, attached.text
    for content in versions:
        digest = sha256(content)
        got = client.get(
            "auditor", f"{request_path(inspection, rid)}/documents/{digest}"
        )
        assert got.status_code == 200, got.text
        assert got.content == content
        assert got.headers["X-Content-SHA256"] == digest


def test_a_released_document_can_be_handed_over_again_exactly(
    client: WarRoomClient, inspection: Inspection
) -> None:
    content = "Rapport d\u2019activit\u00e9 \u2013 \u00a3 \u2713".encode() * 1000
    rid = new_request(client, inspection)
    digest = walk_request(client, inspection, rid, "released", content)
    got = client.get(
        "gatekeeper", f"{request_path(inspection, rid)}/documents/{digest}"
    )
    assert got.status_code == 200, got.text
    assert sha256(got.content) == digest
    assert got.content == content


def test_a_document_is_not_found_under_a_request_it_was_not_attached_to(
    client: WarRoomClient, inspection: Inspection
) -> None:
    attached_to = new_request(client, inspection, title="one")
    other = new_request(client, inspection, title="two")
    digest = walk_request(client, inspection, attached_to, "attached", CONTENT)
    got = client.get("auditor", f"{request_path(inspection, other)}/documents/{digest}")
    assert got.status_code == 404, got.text
    unknown = sha256(b"never attached")
    got = client.get(
        "auditor", f"{request_path(inspection, attached_to)}/documents/{unknown}"
    )
    assert got.status_code == 404, got.text
