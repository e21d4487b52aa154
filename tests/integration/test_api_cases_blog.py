"""Cases, the daily blog, and the inspection's phases over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, refused

PHASES = [
    "day2_kick_off",
    "day3_on_site",
    "day4_feedback",
    "week2_off_site",
    "weeks3_4_on_site",
    "closed",
]


def select(
    client: WarRoomClient,
    inspection: Inspection,
    ref: str = "CP-0042",
    selection: str = "audited",
) -> str:
    answer = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {
            "ref": ref,
            "selection": selection,
            "plan": "CP",
            "social_worker": "S. Worker",
        },
    )
    cid: str = answer["id"]
    return cid


def board(client: WarRoomClient, inspection: Inspection) -> dict[str, dict[str, Any]]:
    cases = client.get("staff", f"{inspection.path}/cases").json()["cases"]
    return {c["ref"]: c for c in cases}


# --- cases: select ----------------------------------------------------------


def test_a_selected_case_appears_on_the_case_board(
    client: WarRoomClient, inspection: Inspection
) -> None:
    select(client, inspection, "CP-0042", "audited")
    select(client, inspection, "LAC-7", "tracked")
    cases = board(client, inspection)
    assert set(cases) == {"CP-0042", "LAC-7"}
    assert cases["LAC-7"]["selection"] == "tracked"


def test_selecting_the_same_reference_twice_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    select(client, inspection, "CP-0042")
    answer = refused(
        client,
        409,
        "lead",
        f"{inspection.path}/cases",
        {"ref": "CP-0042", "selection": "tracked", "plan": "CIN"},
    )
    assert answer["rule"] == "case_selected_once"


def test_the_same_reference_may_be_selected_in_another_inspection(
    client: WarRoomClient, inspection: Inspection
) -> None:
    select(client, inspection, "CP-0042")
    other = Inspection.open(client)
    assert select(client, other, "CP-0042") != select(client, inspection, "CP-0043")


# --- cases: notified --------------------------------------------------------


def test_each_party_is_notified_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = select(client, inspection)
    path = f"{inspection.path}/cases/{cid}/notified"
    client.ok("gatekeeper", path, {"party": "social_worker"})
    client.ok("gatekeeper", path, {"party": "iro"})
    answer = refused(client, 409, "lead", path, {"party": "iro"})
    assert answer["rule"] == "notify_once"
    case = board(client, inspection)["CP-0042"]
    assert set(case["notified"]) == {"social_worker", "iro"}
    assert "iro" not in case["not_yet_notified"]


# --- cases: audit -----------------------------------------------------------


def test_an_audited_case_takes_an_audit_judgement(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = select(client, inspection, selection="audited")
    client.ok(
        "rapid_response",
        f"{inspection.path}/cases/{cid}/audit",
        {"judgement": "requires_improvement"},
    )
    assert board(client, inspection)["CP-0042"]["judgement"] == "requires_improvement"


def test_a_tracked_case_takes_no_audit_judgement(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = select(client, inspection, selection="tracked")
    answer = refused(
        client,
        409,
        "rapid_response",
        f"{inspection.path}/cases/{cid}/audit",
        {"judgement": "good"},
    )
    assert answer["rule"] == "audit_audited_cases"


# --- cases: browsed ---------------------------------------------------------


def test_browsing_by_an_inspector_on_the_roster_is_recorded_each_time(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = select(client, inspection)
    path = f"{inspection.path}/cases/{cid}/browsed"
    for item in ("chronology", "latest assessment"):
        client.ok(
            "rapid_response",
            path,
            {"inspector": inspection.team_inspector, "item": item},
        )
    case = board(client, inspection)["CP-0042"]
    assert case["browsed_by"] == {"Tom Bright": 2}


def test_browsing_by_someone_not_on_the_roster_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cid = select(client, inspection)
    stranger = Inspection.open(client).team_inspector
    answer = refused(
        client,
        409,
        "rapid_response",
        f"{inspection.path}/cases/{cid}/browsed",
        {"inspector": stranger, "item": "chronology"},
    )
    assert answer["rule"] == "inspector_on_roster"


# --- blog -------------------------------------------------------------------


def test_a_blog_post_appears_in_the_blog_of_the_day_it_names(
    client: WarRoomClient, inspection: Inspection
) -> None:
    # Written the morning after, as often happens: the post is still that day's.
    day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    answer = client.ok(
        "lead",
        f"{inspection.path}/blog",
        {"day": day, "title": "Day 2", "body": "Inspectors met the DCS."},
    )
    assert answer["version"] == 1
    blog = client.get("staff", f"{inspection.path}/blog/{day}").json()
    assert [(p["title"], p["body"]) for p in blog["posts"]] == [
        ("Day 2", "Inspectors met the DCS.")
    ]
    today = datetime.now(UTC).date().isoformat()
    assert client.get("staff", f"{inspection.path}/blog/{today}").json()["posts"] == []


def test_a_blog_post_needs_a_body(
    client: WarRoomClient, inspection: Inspection
) -> None:
    answer = refused(
        client,
        422,
        "rapid_response",
        f"{inspection.path}/blog",
        {"day": iso_day(1), "title": "Day 2", "body": ""},
    )
    assert answer["detail"][0]["loc"][-1] == "body"


# --- phases -----------------------------------------------------------------


def test_the_inspection_moves_through_its_phases_in_order(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for phase in PHASES:
        client.ok("admin", f"{inspection.path}/phase", {"phase": phase})
        assert client.get("staff", inspection.path).json()["phase"] == phase


def test_a_phase_never_moves_back_nor_is_entered_twice(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok("lead", f"{inspection.path}/phase", {"phase": "day3_on_site"})
    for phase in ("day1_notification", "day2_kick_off", "day3_on_site"):
        answer = refused(
            client, 409, "lead", f"{inspection.path}/phase", {"phase": phase}
        )
        assert answer["rule"] == "phase_moves_forward"


def test_a_phase_may_be_skipped_forward(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.ok("lead", f"{inspection.path}/phase", {"phase": "week2_off_site"})
    assert client.get("staff", inspection.path).json()["phase"] == "week2_off_site"


# --- a closed inspection ----------------------------------------------------


def test_a_closed_inspection_refuses_every_change_but_can_still_be_read(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = new_request(client, inspection)
    cid = select(client, inspection)
    client.ok("lead", f"{inspection.path}/phase", {"phase": "closed"})
    path = inspection.path
    changes: list[tuple[str, str, dict[str, Any]]] = [
        ("lead", "/phase", {"phase": "closed"}),
        ("lead", "/inspectors", {"name": "Late"}),
        (
            "gatekeeper",
            "/requests",
            {"title": "A", "requested_by": inspection.lead_inspector, "channel": "kit"},
        ),
        ("gatekeeper", f"/requests/{rid}/decline", {"reason": "closed"}),
        ("lead", f"/cases/{cid}/audit", {"judgement": "good"}),
        ("lead", "/blog", {"day": iso_day(18), "title": "Done", "body": "Over."}),
        ("lead", "/lines-of-enquiry", {"title": "Late KLOE"}),
        (
            "lead",
            "/meetings",
            {
                "title": "KIT",
                "kind": "kit",
                "starts_at": f"{iso_day(18)}T10:00:00Z",
                "ends_at": f"{iso_day(18)}T11:00:00Z",
                "venue": "Room 1",
            },
        ),
    ]
    for role, suffix, body in changes:
        answer = refused(client, 409, role, f"{path}{suffix}", body)
        assert answer["rule"] == "inspection_closed", suffix
    assert client.get("auditor", f"{path}/events").status_code == 200
    assert client.get("auditor", path).json()["phase"] == "closed"
