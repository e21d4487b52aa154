"""Issue 25: the rapid response team acts on its own work.

Whoever has a KIT action marks it done, and the rapid response team gives
them out; a case's parties are notified in one request; a request is filed
under a line of enquiry after it was recorded. Every refusal stores nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import (
    Inspection,
    WarRoomClient,
    logged_events,
    new_request,
    refused,
    walk_request,
)
from tests.integration.test_kit_actions import (
    action_path,
    actions,
    kit_meeting,
    kit_notes,
)

# --- KIT actions: whoever has one marks it done ------------------------------


def offers_on_action(
    client: WarRoomClient, inspection: Inspection, role: str, n: int
) -> list[str]:
    answer = client.get(role, f"{inspection.path}/kit-notes")
    assert answer.status_code == 200, answer.text
    found: list[str] = actions(answer.json())[n]["actions"]
    return found


def test_the_rapid_response_team_gives_an_action_to_staff_who_mark_it_done(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok(
        "rapid_response",
        action_path(inspection, mid, 1, "assign"),
        {"owner": "A staff"},
    )
    assert "MarkKitActionDone" in offers_on_action(client, inspection, "staff", 1)
    done = client.ok(
        "staff", action_path(inspection, mid, 1, "done"), {"note": "Room booked"}
    )
    assert done["position"] == client.stored()
    second = actions(kit_notes(client, inspection))[1]
    assert (second["owner"], second["done"], second["note"]) == (
        "A staff",
        True,
        "Room booked",
    )
    assert second["done_by"] == "A staff"
    last = logged_events(client, inspection)[-1]
    assert (last["type"], last["actor_name"]) == ("KitActionDone", "A staff")


def test_a_rapid_response_member_marks_done_the_action_they_have(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok(
        "lead", action_path(inspection, mid, 0, "assign"), {"owner": "A preparer"}
    )
    assert "MarkKitActionDone" in offers_on_action(client, inspection, "preparer", 0)
    assert "MarkKitActionDone" not in offers_on_action(
        client, inspection, "rapid_response", 0
    )
    client.ok("preparer", action_path(inspection, mid, 0, "done"), {})
    assert actions(kit_notes(client, inspection))[0]["done"] is True
    # Done: nobody is offered it again, its holder included.
    assert "MarkKitActionDone" not in offers_on_action(
        client, inspection, "preparer", 0
    )


@pytest.mark.parametrize("role", ["rapid_response", "staff"])
def test_an_action_that_is_someone_elses_is_not_theirs_to_mark_done(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok(
        "lead", action_path(inspection, mid, 0, "assign"), {"owner": "A preparer"}
    )
    assert "MarkKitActionDone" not in offers_on_action(client, inspection, role, 0)
    answer = refused(client, 403, role, action_path(inspection, mid, 0, "done"), {})
    assert "not yours" in answer["detail"]
    assert "with someone else" in answer["detail"]
    assert actions(kit_notes(client, inspection))[0]["done"] is False


def test_an_action_given_to_nobody_is_marked_done_by_those_who_follow_kit_up(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    path = action_path(inspection, mid, 2, "done")
    for role in ("staff", "rapid_response"):
        answer = refused(client, 403, role, path, {})
        assert "not given to anyone yet" in answer["detail"]
    for role in ("auditor", "admin"):
        refused(client, 403, role, path, {})
    client.ok("gatekeeper", path, {})


def test_the_holder_cannot_mark_an_action_done_twice(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 0, "assign"), {"owner": "A staff"})
    client.ok("staff", action_path(inspection, mid, 0, "done"), {})
    answer = refused(client, 409, "staff", action_path(inspection, mid, 0, "done"), {})
    assert answer["rule"] == "kit_action_done_once"


def test_an_action_once_given_elsewhere_is_no_longer_its_old_holders(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 0, "assign"), {"owner": "A staff"})
    client.ok(
        "rapid_response",
        action_path(inspection, mid, 0, "assign"),
        {"owner": "A preparer"},
    )
    refused(client, 403, "staff", action_path(inspection, mid, 0, "done"), {})


@pytest.mark.parametrize("owner", ["A auditor", "Admin"])
def test_an_action_goes_only_to_someone_who_can_mark_it_done(
    client: WarRoomClient, inspection: Inspection, owner: str
) -> None:
    mid = kit_meeting(client, inspection)
    answer = refused(
        client,
        409,
        "rapid_response",
        action_path(inspection, mid, 0, "assign"),
        {"owner": owner},
    )
    assert answer["rule"] == "owner_may_do_it"
    assert owner in answer["detail"]


def test_staff_may_not_give_an_action_out_even_one_they_have(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = kit_meeting(client, inspection)
    client.ok("lead", action_path(inspection, mid, 0, "assign"), {"owner": "A staff"})
    assert "AssignKitAction" not in offers_on_action(client, inspection, "staff", 0)
    assert "AssignKitAction" in offers_on_action(
        client, inspection, "rapid_response", 0
    )
    refused(
        client,
        403,
        "staff",
        action_path(inspection, mid, 0, "assign"),
        {"owner": "A preparer"},
    )


# --- a case's parties, notified in one request --------------------------------


def new_case(client: WarRoomClient, inspection: Inspection) -> str:
    body = {"ref": "C-101", "selection": "audited", "plan": "CP"}
    cid: str = client.ok("rapid_response", f"{inspection.path}/cases", body)["id"]
    return cid


def the_case(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    answer = client.get("rapid_response", f"{inspection.path}/cases").json()
    case: dict[str, Any] = answer["cases"][0]
    case["outstanding"] = answer["notifications_outstanding"]
    return case


def test_several_parties_are_notified_in_one_request(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = new_case(client, inspection)
    before = the_case(client, inspection)
    assert "NotifyCaseParty" in before["actions"]
    parties = ["social_worker", "team_manager", "parents_carers"]
    done = client.ok(
        "rapid_response",
        f"{inspection.path}/cases/{cid}/notified",
        {"parties": parties},
    )
    assert done["position"] == client.stored()
    after = the_case(client, inspection)
    assert set(before["not_yet_notified"]) - set(after["not_yet_notified"]) == set(
        parties
    )
    assert after["outstanding"] == before["outstanding"] - 3
    notified = [
        e["data"]["party"]
        for e in logged_events(client, inspection)
        if e["type"] == "CaseNotified"
    ]
    assert notified == parties


def test_one_party_is_still_notified_as_before(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = new_case(client, inspection)
    client.ok("lead", f"{inspection.path}/cases/{cid}/notified", {"party": "iro"})
    assert "iro" not in the_case(client, inspection)["not_yet_notified"]


def test_a_party_already_notified_refuses_the_whole_list_naming_it(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = new_case(client, inspection)
    path = f"{inspection.path}/cases/{cid}/notified"
    client.ok("rapid_response", path, {"party": "team_manager"})
    before = the_case(client, inspection)
    answer = refused(
        client,
        409,
        "rapid_response",
        path,
        {"parties": ["social_worker", "team_manager", "iro"]},
    )
    assert answer["rule"] == "notify_once"
    assert "team manager" in answer["detail"] or "team_manager" in answer["detail"]
    assert (
        the_case(client, inspection)["not_yet_notified"] == before["not_yet_notified"]
    )


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"parties": ["social_worker", "the_neighbours"]}, "the_neighbours"),
        ({"parties": ["iro", "iro"]}, "iro"),
        ({"parties": []}, "parties"),
        ({"party": "iro", "parties": ["team_manager"]}, "either party or parties"),
        ({}, "either party or parties"),
    ],
)
def test_a_list_that_names_no_party_or_one_unknown_or_twice_is_refused(
    client: WarRoomClient, inspection: Inspection, body: dict[str, Any], named: str
) -> None:
    cid = new_case(client, inspection)
    answer = refused(
        client, 422, "rapid_response", f"{inspection.path}/cases/{cid}/notified", body
    )
    assert named in str(answer["detail"])


def test_staff_and_the_auditor_notify_nobody(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = new_case(client, inspection)
    for role in ("staff", "auditor", "admin"):
        refused(
            client,
            403,
            role,
            f"{inspection.path}/cases/{cid}/notified",
            {"parties": ["iro"]},
        )


# --- a request filed under a line of enquiry ----------------------------------


def new_line(client: WarRoomClient, inspection: Inspection, title: str) -> str:
    lid: str = client.ok(
        "lead", f"{inspection.path}/lines-of-enquiry", {"title": title}
    )["id"]
    return lid


def link_path(inspection: Inspection, rid: str) -> str:
    return f"{inspection.path}/requests/{rid}/line-of-enquiry"


def the_request(client: WarRoomClient, inspection: Inspection, rid: str) -> Any:
    rows = client.get("rapid_response", f"{inspection.path}/requests").json()
    return next(r for r in rows["requests"] if r["id"] == rid)


def lines(client: WarRoomClient, inspection: Inspection) -> dict[str, Any]:
    answer = client.get("staff", f"{inspection.path}/lines-of-enquiry").json()
    return {line["id"]: line for line in answer["lines_of_enquiry"]}


def test_a_request_is_linked_to_a_line_of_enquiry_after_it_was_recorded(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    assert (
        "LinkRequestToLineOfEnquiry"
        not in the_request(client, inspection, rid)["actions"]
    ), "with no line of enquiry open, there is nothing to link it to"
    lid = new_line(client, inspection, "Thresholds at the front door")
    assert (
        "LinkRequestToLineOfEnquiry" in the_request(client, inspection, rid)["actions"]
    )
    done = client.ok(
        "rapid_response", link_path(inspection, rid), {"line_of_enquiry": lid}
    )
    assert (done["id"], done["position"]) == (rid, client.stored())
    assert the_request(client, inspection, rid)["line_of_enquiry"] == lid
    evidence = lines(client, inspection)[lid]["evidence"]
    assert [(e["kind"], e["source_id"]) for e in evidence] == [("request", rid)]
    last = logged_events(client, inspection)[-1]
    assert last["type"] == "RequestLinkedToLineOfEnquiry"
    assert last["data"]["line_of_enquiry"] == lid


def test_a_request_moves_to_another_line_with_its_release(
    client: WarRoomClient, inspection: Inspection
) -> None:
    first = new_line(client, inspection, "Thresholds")
    second = new_line(client, inspection, "Supervision")
    rid = new_request(client, inspection)
    client.ok("lead", link_path(inspection, rid), {"line_of_enquiry": first})
    walk_request(client, inspection, rid, "released")
    assert [e["kind"] for e in lines(client, inspection)[first]["evidence"]] == [
        "request",
        "release",
    ]
    # Released, it still answers a line: it may be filed under another.
    client.ok("gatekeeper", link_path(inspection, rid), {"line_of_enquiry": second})
    now = lines(client, inspection)
    assert now[first]["evidence"] == []
    assert [e["kind"] for e in now[second]["evidence"]] == ["request", "release"]


def test_linking_a_request_to_its_own_line_again_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    lid = new_line(client, inspection, "Thresholds")
    rid: str = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {
            "title": "MASH audit",
            "requested_by": inspection.lead_inspector,
            "channel": "kit",
            "line_of_enquiry": lid,
        },
    )["id"]
    assert (
        "LinkRequestToLineOfEnquiry"
        not in the_request(client, inspection, rid)["actions"]
    )
    answer = refused(
        client,
        409,
        "rapid_response",
        link_path(inspection, rid),
        {"line_of_enquiry": lid},
    )
    assert answer["rule"] == "link_to_another_line"
    assert "Thresholds" in answer["detail"]


def test_a_line_of_enquiry_answered_takes_no_more_requests(
    client: WarRoomClient, inspection: Inspection
) -> None:
    lid = new_line(client, inspection, "Thresholds")
    client.ok(
        "lead", f"{inspection.path}/lines-of-enquiry/{lid}/answer", {"response": "Met"}
    )
    rid = new_request(client, inspection)
    assert (
        "LinkRequestToLineOfEnquiry"
        not in the_request(client, inspection, rid)["actions"]
    )
    answer = refused(
        client,
        409,
        "rapid_response",
        link_path(inspection, rid),
        {"line_of_enquiry": lid},
    )
    assert answer["rule"] == "line_of_enquiry_open"
    assert "Thresholds" in answer["detail"]


def test_a_line_that_is_not_this_inspections_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    other = Inspection.open(client)
    elsewhere = new_line(client, other, "Elsewhere")
    rid = new_request(client, inspection)
    path = link_path(inspection, rid)
    refused(client, 404, "rapid_response", path, {"line_of_enquiry": elsewhere})
    refused(client, 404, "rapid_response", path, {"line_of_enquiry": "no-such-line"})
    refused(client, 422, "rapid_response", path, {})


def test_only_those_who_record_requests_link_them(
    client: WarRoomClient, inspection: Inspection
) -> None:
    lid = new_line(client, inspection, "Thresholds")
    rid = new_request(client, inspection)
    for role in ("staff", "auditor", "admin"):
        refused(client, 403, role, link_path(inspection, rid), {"line_of_enquiry": lid})
    row = client.get("staff", f"{inspection.path}/requests").json()["requests"][0]
    assert "LinkRequestToLineOfEnquiry" not in row["actions"]
