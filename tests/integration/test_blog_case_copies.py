"""The daily blog tells the copies of a case file given to the inspectors: the
staff read it in the evening to learn what left the building that day."""

from __future__ import annotations

from typing import Any

import feedparser
from pydantic import TypeAdapter

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from web.answers import SealedBlogAnswer

DAY = iso_day(1)
HEADING = "Case copies released to the inspectors"


def at(hhmm: str, day: str = DAY) -> dict[str, str]:
    return {"occurred_at": f"{day}T{hhmm}:00+00:00"}


def copies_made(client: WarRoomClient, inspection: Inspection, ref: str) -> str:
    """A tracked case with its three copies made; the path of its copies."""
    cid = client.ok(
        "rapid_response",
        f"{inspection.path}/cases",
        {"ref": ref, "selection": "tracked", "plan": "LAC", **at("09:00")},
    )["id"]
    copies = f"{inspection.path}/cases/{cid}/copies"
    for which in ("inspector", "council", "social_worker"):
        client.ok("rapid_response", copies, {"copy_for": which, **at("09:30")})
    return copies


def a_day_of_hand_overs(client: WarRoomClient, inspection: Inspection) -> None:
    """On DAY: a document released, then the inspector's copy of LAC-7 released
    and ours and the social worker's handed over, which stay in the council."""
    rid = new_request(client, inspection, title="Annex A: children in need")
    digest = walk_request(client, inspection, rid, "checked")
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/release",
        {
            "sha256": digest,
            "to": inspection.lead_inspector,
            "medium": "electronic",
            **at("11:00"),
        },
    )
    copies = copies_made(client, inspection, "LAC-7")
    client.ok(
        "gatekeeper",
        f"{copies}/release",
        {"to": inspection.team_inspector, "medium": "hard_copy", **at("14:00")},
    )
    client.ok(
        "rapid_response",
        f"{copies}/hand-over",
        {"copy_for": "social_worker", "to": "Sam", "medium": "electronic"}
        | at("15:00"),
    )
    client.ok(
        "lead",
        f"{copies}/hand-over",
        {"copy_for": "council", "to": "War room file", "medium": "hard_copy"}
        | at("16:00"),
    )


def blog(client: WarRoomClient, inspection: Inspection, day: str) -> dict[str, Any]:
    answer = client.get("staff", f"{inspection.path}/blog/{day}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_released_case_copy_is_told_that_day_with_its_ref_inspector_and_medium(
    client: WarRoomClient, inspection: Inspection
) -> None:
    a_day_of_hand_overs(client, inspection)

    told = blog(client, inspection, DAY)

    assert [
        (e["subject"], e["to_name"], e["data"]["medium"], e["by"], e["type"])
        for e in told["case_copies_released"]
    ] == [("LAC-7", "Tom Bright", "hard_copy", "A gatekeeper", "CaseCopyReleased")]
    [copy] = told["case_copies_released"]
    assert copy["data"]["to"] == inspection.team_inspector
    assert copy["at"].startswith(f"{DAY}T14:00")
    # The document released that day is told as before, in its own section.
    assert [e["subject"] for e in told["requests_released"]] == [
        "Annex A: children in need"
    ]


def test_a_released_case_copy_is_in_no_other_days_blog(
    client: WarRoomClient, inspection: Inspection
) -> None:
    a_day_of_hand_overs(client, inspection)

    for day in (iso_day(0), iso_day(2)):
        assert blog(client, inspection, day)["case_copies_released"] == [], day


def test_the_blog_answer_with_a_case_copy_is_what_its_declared_type_says(
    client: WarRoomClient, inspection: Inspection
) -> None:
    a_day_of_hand_overs(client, inspection)
    body = {
        k: v
        for k, v in blog(client, inspection, DAY).items()
        if k not in ("position", "past", "as_of")
    }

    adapter: TypeAdapter[Any] = TypeAdapter(SealedBlogAnswer)
    # Strict, and dumped back the same: no field the type does not declare.
    checked = adapter.validate_python(body, strict=True)
    assert adapter.dump_python(checked) == body
    schemas = client.http.get("/openapi.json").json()["components"]["schemas"]
    assert "case_copies_released" in schemas["BlogRead"]["required"]
    assert "to_name" in schemas["BlogCaseCopy"]["required"]


def test_the_atom_entry_and_the_print_tell_the_case_copy_after_the_documents(
    client: WarRoomClient, inspection: Inspection
) -> None:
    a_day_of_hand_overs(client, inspection)

    response = client.get("staff", f"{inspection.path}/blog.atom")
    assert response.status_code == 200, response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    [entry] = [e for e in feed.entries if e.title.startswith(DAY)]
    printed = client.get("staff", f"/print/inspections/{inspection.id}/blog/{DAY}")
    assert printed.status_code == 200, printed.text

    for html in (entry.content[0].value, printed.text):
        told = html.split(f"<h2>{HEADING}</h2>")[1].split("<h2>")[0]
        assert "LAC-7 to Tom Bright, hard copy, by A gatekeeper" in told
        assert "Sam" not in told and "War room file" not in told
        # Just after the documents released.
        assert html.index("<h2>Released to the inspectors</h2>") < html.index(HEADING)
