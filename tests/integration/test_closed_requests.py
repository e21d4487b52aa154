"""Closed requests (released, declined, withdrawn) are listed, with why.

The tracker lists every request by default; `?state=` narrows it to the open
ones, the closed ones, or one state.
"""

from __future__ import annotations

from typing import Any

from tests.helpers import Inspection, WarRoomClient, new_request, walk_request


def tracker(client: WarRoomClient, inspection: Inspection, **query: Any) -> Any:
    response = client.get("staff", f"{inspection.path}/requests", **query)
    assert response.status_code == 200, response.text
    return response.json()


def closed_requests(client: WarRoomClient, inspection: Inspection) -> dict[str, str]:
    """One request in each closed state, and one still open: title -> id."""
    ids = {
        title: new_request(client, inspection, title=title)
        for title in ("Released", "Declined", "Withdrawn", "Open")
    }
    walk_request(client, inspection, ids["Released"], "released")
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{ids['Declined']}/decline",
        {"reason": "Out of scope of this inspection"},
    )
    client.ok(
        "lead",
        f"{inspection.path}/requests/{ids['Withdrawn']}/withdraw",
        {"reason": "The inspector has what she needs"},
    )
    return ids


def test_closed_requests_are_listed_with_when_and_why_they_closed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    ids = closed_requests(client, inspection)
    closed = tracker(client, inspection, state="closed")["requests"]
    by_title = {r["title"]: r for r in closed}
    assert set(by_title) == {"Released", "Declined", "Withdrawn"}
    assert all(r["open"] is False and r["closed_at"] for r in closed)
    assert by_title["Declined"]["reason"] == "Out of scope of this inspection"
    assert by_title["Withdrawn"]["reason"] == "The inspector has what she needs"
    assert by_title["Released"]["state"] == "released"
    assert by_title["Declined"]["id"] == ids["Declined"]


def test_each_closed_state_can_be_listed_on_its_own(
    client: WarRoomClient, inspection: Inspection
) -> None:
    closed_requests(client, inspection)
    for state in ("released", "declined", "withdrawn"):
        listed = tracker(client, inspection, state=state)["requests"]
        assert [r["state"] for r in listed] == [state]


def test_every_request_is_listed_by_default_and_open_ones_apart(
    client: WarRoomClient, inspection: Inspection
) -> None:
    closed_requests(client, inspection)
    everything = tracker(client, inspection)
    assert len(everything["requests"]) == 4
    every = tracker(client, inspection, state="all")["requests"]
    assert [r["id"] for r in every] == [r["id"] for r in everything["requests"]]
    assert [
        r["title"] for r in tracker(client, inspection, state="open")["requests"]
    ] == ["Open"]


def test_a_state_the_tracker_does_not_know_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    response = client.get("staff", f"{inspection.path}/requests", state="lost")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "state"]
