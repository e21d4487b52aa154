"""The Annex A register: documents, owners, RAG ratings with their complete
history, submission by the gatekeeper, and the countdown to day 2."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from commands.models import (
    ListAnnexADocument,
    RateAnnexADocument,
    SubmitAnnexADocument,
)
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, refused, refused_roles


def register(
    client: WarRoomClient, inspection: Inspection, **params: Any
) -> dict[str, Any]:
    response = client.get("staff", f"{inspection.path}/annex-a", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listed(
    client: WarRoomClient, inspection: Inspection, title: str = "Sufficiency strategy"
) -> str:
    did: str = client.ok(
        "rapid_response",
        f"{inspection.path}/annex-a",
        {"title": title, "owner": "Paul Dempsey"},
    )["id"]
    return did


def instant() -> str:
    """Now, strictly between two commands' times."""
    time.sleep(0.01)
    now = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    return now


def test_a_listed_document_has_its_owner_and_no_rating_yet(
    client: WarRoomClient, inspection: Inspection
) -> None:
    did = listed(client, inspection)
    (document,) = register(client, inspection)["documents"]
    assert document["id"] == did
    assert (document["title"], document["owner"]) == (
        "Sufficiency strategy",
        "Paul Dempsey",
    )
    assert (document["submitted"], document["rag_complete"]) == (False, None)
    assert (document["rag_quality"], document["history"]) == (None, [])


def test_rag_history_is_complete_and_replays_as_of_any_past_instant(
    client: WarRoomClient, inspection: Inspection
) -> None:
    did = listed(client, inspection)
    rate = f"{inspection.path}/annex-a/{did}/rate"
    moments = [instant()]
    client.ok("lead", rate, {"rag_complete": "red", "reason": "draft only"})
    moments.append(instant())
    client.ok("gatekeeper", rate, {"rag_complete": "amber", "rag_quality": "red"})
    moments.append(instant())
    client.ok("lead", rate, {"rag_complete": "green", "rag_quality": "green"})
    moments.append(instant())

    (document,) = register(client, inspection)["documents"]
    history = document["history"]
    assert [(h["rag_complete"], h["rag_quality"], h["by"]) for h in history] == [
        ("red", None, "A lead"),
        ("amber", "red", "A gatekeeper"),
        ("green", "green", "A lead"),
    ]
    assert history[0]["reason"] == "draft only"
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    assert moments[0] < history[0]["at"] < moments[1] < history[1]["at"]

    expected = [
        (None, None, 0),
        ("red", None, 1),
        ("amber", "red", 2),
        ("green", "green", 3),
    ]
    for moment, (complete, quality, ratings) in zip(moments, expected, strict=True):
        past = register(client, inspection, as_of=moment)
        (then,) = past["documents"]
        assert past["past"] is True
        assert (then["rag_complete"], then["rag_quality"]) == (complete, quality)
        assert then["history"] == history[:ratings]
    # And by position: the register as the log stood after each rating.
    for index, rating in enumerate(history):
        (then,) = register(client, inspection, at=rating["position"])["documents"]
        assert then["history"] == history[: index + 1]


def test_a_document_is_ready_once_submitted_and_green_on_both_counts(
    client: WarRoomClient, inspection: Inspection
) -> None:
    did = listed(client, inspection)
    other = listed(client, inspection, "Children in need list")
    path = f"{inspection.path}/annex-a/{did}"
    client.ok("lead", f"{path}/rate", {"rag_complete": "green", "rag_quality": "green"})
    assert register(client, inspection)["countdown"]["ready"] == 0
    client.ok("gatekeeper", f"{path}/submitted")
    body = register(client, inspection)
    ready = {d["id"]: d["ready"] for d in body["documents"]}
    assert ready == {did: True, other: False}
    countdown = body["countdown"]
    assert (countdown["documents"], countdown["ready"]) == (2, 1)
    assert countdown["outstanding"] == ["Children in need list"]
    assert countdown["all_ready"] is False
    document = {d["id"]: d for d in body["documents"]}[did]
    assert document["submitted_by"] == "A gatekeeper"
    assert refused(client, 409, "gatekeeper", f"{path}/submitted")["rule"] == (
        "submit_once"
    )


def test_the_countdown_runs_to_the_start_of_day_2_as_of_the_moment_asked(
    client: WarRoomClient, inspection: Inspection
) -> None:
    listed(client, inspection)
    # The inspection starts on START in Europe/London: day 2 starts the next day 9am.
    now = register(client, inspection)["countdown"]
    assert now["ready_by"] == f"{iso_day(1)}T09:00:00+00:00"
    then = datetime.now(UTC)
    asked = register(client, inspection, as_of=then.isoformat())["countdown"]
    ready_by = datetime.fromisoformat(asked["ready_by"])
    assert asked["seconds_left"] == int((ready_by - then).total_seconds())


def test_a_summary_of_what_annex_a_says_is_kept_for_the_day_2_presentation(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/annex-a/summary"
    client.ok("lead", path, {"text": "Care leavers in touch: 91%"})
    client.ok("rapid_response", path, {"text": "Care leavers in touch: 93%"})
    body = register(client, inspection)
    assert body["summary"]["text"] == "Care leavers in touch: 93%"
    assert (body["summary"]["by"], body["summaries_written"]) == ("A rapid_response", 2)


def test_annex_a_refusals_store_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    did = listed(client, inspection)
    path = f"{inspection.path}/annex-a"
    for role in refused_roles(ListAnnexADocument):
        refused(client, 403, role, path, {"title": "T", "owner": "O"})
    for role in refused_roles(RateAnnexADocument):
        refused(client, 403, role, f"{path}/{did}/rate", {"rag_complete": "red"})
    for role in refused_roles(SubmitAnnexADocument):
        refused(client, 403, role, f"{path}/{did}/submitted")
    refused(client, 422, "lead", f"{path}/{did}/rate", {})
    refused(client, 422, "lead", f"{path}/{did}/rate", {"rag_quality": "purple"})
    refused(client, 422, "lead", path, {"title": "", "owner": "O"})
    refused(client, 404, "lead", f"{path}/{inspection.id}/rate", {"rag_quality": "red"})
    client.ok("lead", f"{path}/{did}/rate", {"rag_quality": "red"})
    again = refused(client, 409, "lead", f"{path}/{did}/rate", {"rag_quality": "red"})
    assert again["rule"] == "rating_changes"
