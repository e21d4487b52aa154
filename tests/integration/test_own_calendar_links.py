"""Calendar links for oneself (issue 24): POST, GET and DELETE
/api/me/calendar-links, for every council user but the auditor."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import icalendar

from tests.helpers import Inspection, WarRoomClient, new_meeting, refused

MINE = "/api/me/calendar-links"
OWN_ROLES = ("admin", "lead", "gatekeeper", "rapid_response", "staff")


def make(client: WarRoomClient, role: str, **body: Any) -> dict[str, Any]:
    response = client.post(role, MINE, body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def fetch(client: WarRoomClient, url: str) -> Any:
    return client.http.get(urlsplit(url).path)


def listed(client: WarRoomClient, role: str) -> list[dict[str, Any]]:
    response = client.get(role, MINE)
    assert response.status_code == 200, response.text
    links: list[dict[str, Any]] = response.json()["links"]
    return links


def delete(client: WarRoomClient, role: str, link_id: str) -> Any:
    return client.http.delete(f"{MINE}/{link_id}", headers=client.headers(role))


def test_every_council_user_makes_a_link_to_their_own_agenda(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = new_meeting(client, inspection, attendees=["A staff"])["id"]
    for role in OWN_ROLES:
        link = make(client, role)
        assert {"id", "url"} <= link.keys()
        assert link["person"] == (f"A {role}" if role != "admin" else "Admin")
        assert link["inspection_id"] == inspection.id
        response = fetch(client, link["url"])
        assert response.status_code == 200, response.text
        uids = [
            str(e["UID"])
            for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        ]
        assert uids == ([f"{mid}@warroom"] if role == "staff" else [])


def test_the_link_is_the_same_event_as_an_admins_and_keeps_no_secret(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make(client, "staff", inspection_id=inspection.id)
    secret = urlsplit(link["url"]).path.rsplit("/", 1)[1].removesuffix(".ics")
    events = client.get("auditor", f"{inspection.path}/events").json()["events"]
    made = [e for e in events if e["type"] == "CalendarLinkCreated"]
    assert [e["data"]["person"] for e in made] == ["A staff"]
    assert secret not in str(events)
    # The admin's list shows it, as any other link.
    links = client.get("admin", f"{inspection.path}/calendar-links").json()["links"]
    assert [lk["id"] for lk in links] == [link["id"]]


def test_the_list_shows_only_ones_own_links_and_never_their_url(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mine = make(client, "staff")
    theirs = make(client, "gatekeeper")
    # One an admin made for the staff member is theirs too.
    by_admin = client.ok(
        "admin", f"{inspection.path}/calendar-links", {"person": "A staff"}
    )
    found = listed(client, "staff")
    assert [lk["id"] for lk in found] == [mine["id"], by_admin["id"]]
    assert all(lk["person"] == "A staff" for lk in found)
    assert found[0]["inspection_title"] == "SIF"
    assert found[0]["actions"] == ["RevokeOwnCalendarLink"]
    assert found[0]["revoked"] is False
    assert mine["url"] not in str(found) and theirs["id"] not in str(found)
    assert "url" not in found[0] and "secret" not in found[0]
    assert [lk["id"] for lk in listed(client, "gatekeeper")] == [theirs["id"]]


def test_revoking_ones_own_link_ends_it_at_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make(client, "staff")
    assert fetch(client, link["url"]).status_code == 200
    response = delete(client, "staff", link["id"])
    assert response.status_code == 200, response.text
    assert fetch(client, link["url"]).status_code == 404
    (row,) = listed(client, "staff")
    assert row["revoked"] is True and row["actions"] == []
    # Once: a second revocation is refused and stores nothing.
    before = client.stored()
    again = delete(client, "staff", link["id"])
    assert again.status_code == 409, again.text
    assert client.stored() == before


def test_another_persons_link_is_not_found_and_nothing_changes(
    client: WarRoomClient, inspection: Inspection
) -> None:
    theirs = make(client, "gatekeeper")
    for_them = client.ok(
        "admin", f"{inspection.path}/calendar-links", {"person": "A gatekeeper"}
    )
    schedule = client.ok("lead", f"{inspection.path}/calendar-links", {})
    for link_id in (theirs["id"], for_them["id"], schedule["id"]):
        for role in ("staff", "lead", "admin"):
            before = client.stored()
            response = delete(client, role, link_id)
            assert response.status_code == 404, (role, response.text)
            assert client.stored() == before
    assert fetch(client, theirs["url"]).status_code == 200


def test_a_link_that_does_not_exist_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    # (Another council's link: tests/integration/test_organisations.py.)
    link = make(client, "staff")
    for link_id in ("nope", "00000000-0000-4000-8000-000000000000", inspection.id):
        before = client.stored()
        assert delete(client, "staff", link_id).status_code == 404
        assert client.stored() == before
    assert fetch(client, link["url"]).status_code == 200


def test_the_auditor_makes_and_revokes_none_and_nothing_is_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make(client, "staff")
    refused(client, 403, "auditor", MINE, {})
    before = client.stored()
    assert delete(client, "auditor", link["id"]).status_code == 403
    assert client.stored() == before
    assert listed(client, "auditor") == []


def test_bad_input_is_refused_with_422_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for body in (
        {"person": "A gatekeeper"},  # not for anyone else: no such field
        {"inspection_id": ""},
        {"inspection_id": "x" * 101},
    ):
        refused(client, 422, "staff", MINE, body)


def test_an_inspection_not_theirs_is_not_found_and_nothing_stored(
    client: WarRoomClient, inspection: Inspection
) -> None:
    refused(client, 404, "staff", MINE, {"inspection_id": "nope"})
    refused(
        client,
        404,
        "staff",
        MINE,
        {"inspection_id": "00000000-0000-4000-8000-000000000000"},
    )


def test_with_no_open_inspection_there_is_nothing_to_link_to(
    client: WarRoomClient,
) -> None:
    body = refused(client, 404, "staff", MINE, {})
    assert "no open inspection" in body["detail"]


def test_by_default_the_newest_open_inspection(
    client: WarRoomClient, inspection: Inspection
) -> None:
    newer = Inspection.open(client)
    assert make(client, "staff")["inspection_id"] == newer.id
    assert make(client, "staff", inspection_id=inspection.id)["inspection_id"] == (
        inspection.id
    )


def test_a_retry_with_the_same_key_does_not_show_the_url_again(
    client: WarRoomClient, inspection: Inspection
) -> None:
    key = {"Idempotency-Key": "own-1"}
    assert client.post("staff", MINE, {}, **key).status_code == 201
    body = refused(client, 409, "staff", MINE, {}, **key)
    assert body["rule"] == "idempotency_key_reused"


def test_a_revoked_token_ends_ones_own_links_too(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make(client, "staff")
    client.ok("admin", f"/api/users/{client.user_ids['staff']}/rotate", {})
    assert fetch(client, link["url"]).status_code == 404
