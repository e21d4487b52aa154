"""Feeds over HTTP: calendars (iCalendar), secret calendar links, the blog as Atom.

Each calendar is read by two parsers: `icalendar` (which made it) and
`vobject` (which did not), so a feed only one of them understands fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import feedparser
import icalendar
import pytest
import vobject
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from projections.decoding import logged_event
from projections.events import LoggedEvent
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_meeting, refused
from warroom.config import Settings
from web.app import create_app
from web.routes.feeds import CalendarLinksRead

DAY = iso_day(1)
STAFF = "A staff"  # the staff user's name (tests.helpers.WarRoomClient)


def at(hhmm: str, day: str = DAY) -> str:
    return f"{day}T{hhmm}:00+00:00"


def schedule(
    client: WarRoomClient, inspection: Inspection, **changes: Any
) -> dict[str, Any]:
    return new_meeting(
        client, inspection, **{"topics": ["Annex A gaps", "Front door"], **changes}
    )


def events(ics: bytes) -> dict[str, Any]:
    """The feed's events by UID, after both parsers read it."""
    calendar = icalendar.Calendar.from_ical(ics)
    again = vobject.readOne(ics.decode())
    assert {str(e.uid.value) for e in again.vevent_list} == {
        str(e["UID"]) for e in calendar.walk("VEVENT")
    }
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def agenda_ics(client: WarRoomClient, inspection: Inspection, person: str) -> bytes:
    response = client.get("staff", f"{inspection.path}/agenda/{quote(person)}.ics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    content: bytes = response.content
    return content


def test_an_agenda_feed_has_one_event_per_meeting_with_its_zone_place_and_topics(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    schedule(client, inspection, attendees=[], title="Not hers")
    ics = agenda_ics(client, inspection, STAFF)
    found = events(ics)
    assert list(found) == [f"{mid}@warroom"]
    event = found[f"{mid}@warroom"]
    assert event["SUMMARY"] == "KIT with the lead inspector"
    assert event["LOCATION"] == "Room 1"
    assert "Annex A gaps" in event["DESCRIPTION"]
    assert "Helen Ward" in event["DESCRIPTION"]  # the inspector, by name
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART").tzinfo.key == "Europe/London"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    zones = icalendar.Calendar.from_ical(ics).walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]


def test_a_rescheduled_meeting_keeps_its_uid_and_raises_its_sequence(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    uid = f"{mid}@warroom"
    first = events(agenda_ics(client, inspection, STAFF))[uid]
    client.ok(
        "lead",
        f"{inspection.path}/meetings/{mid}/reschedule",
        {"starts_at": at("14:00"), "ends_at": at("15:00"), "reason": "inspector late"},
    )
    second = events(agenda_ics(client, inspection, STAFF))[uid]
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART").hour == 14
    client.ok("lead", f"{inspection.path}/meetings/{mid}/move", {"venue": "Room 2"})
    third = events(agenda_ics(client, inspection, STAFF))[uid]
    assert third["SEQUENCE"] > second["SEQUENCE"]
    assert third["LOCATION"] == "Room 2"


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    client.ok(
        "lead", f"{inspection.path}/meetings/{mid}/cancel", {"reason": "not needed"}
    )
    event = events(agenda_ics(client, inspection, STAFF))[f"{mid}@warroom"]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_someone_taken_off_a_meeting_sees_it_cancelled_in_their_calendar(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    client.ok(
        "lead", f"{inspection.path}/meetings/{mid}/attendees", {"remove": [STAFF]}
    )
    event = events(agenda_ics(client, inspection, STAFF))[f"{mid}@warroom"]
    assert event["STATUS"] == "CANCELLED"
    assert "taken off" in event["DESCRIPTION"]


def test_the_whole_schedule_is_a_feed_with_every_meeting(
    client: WarRoomClient, inspection: Inspection
) -> None:
    ids = {schedule(client, inspection)["id"], schedule(client, inspection)["id"]}
    response = client.get("auditor", f"{inspection.path}/schedule.ics")
    assert response.status_code == 200
    assert set(events(response.content)) == {f"{i}@warroom" for i in ids}


def test_an_agenda_feed_of_nobody_known_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    response = client.get("staff", f"{inspection.path}/agenda/Nobody%20Here.ics")
    assert response.status_code == 404, response.text


def test_feeds_take_the_token_as_a_query_parameter_but_not_no_token(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/schedule.ics"
    assert client.http.get(path).status_code == 401
    token = client.tokens["staff"]
    assert client.http.get(path, params={"token": token}).status_code == 200


# --- secret links --------------------------------------------------------------


def make_link(
    client: WarRoomClient, inspection: Inspection, role: str, person: str | None
) -> dict[str, Any]:
    body = {} if person is None else {"person": person}
    response = client.post(role, f"{inspection.path}/calendar-links", body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def fetch(client: WarRoomClient, url: str) -> Any:
    """A secret link, fetched as a calendar program would: no token."""
    return client.http.get(urlsplit(url).path)


def test_a_secret_link_opens_the_persons_calendar_without_a_token(
    client: WarRoomClient, inspection: Inspection
) -> None:
    mid = schedule(client, inspection)["id"]
    link = make_link(client, inspection, "admin", STAFF)
    assert link["url"].endswith(".ics") and "/calendar/" in link["url"]
    response = fetch(client, link["url"])
    assert response.status_code == 200, response.text
    assert list(events(response.content)) == [f"{mid}@warroom"]
    # Only the secret's hash is stored: the secret is in no event.
    secret = urlsplit(link["url"]).path.rsplit("/", 1)[1].removesuffix(".ics")
    stored = client.get("auditor", f"{inspection.path}/events").text
    assert secret not in stored


def test_a_link_with_no_person_opens_the_whole_schedule(
    client: WarRoomClient, inspection: Inspection
) -> None:
    ids = {schedule(client, inspection)["id"], schedule(client, inspection)["id"]}
    link = make_link(client, inspection, "lead", None)
    response = fetch(client, link["url"])
    assert set(events(response.content)) == {f"{i}@warroom" for i in ids}


def test_a_revoked_link_answers_404_at_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection)
    link = make_link(client, inspection, "admin", STAFF)
    assert fetch(client, link["url"]).status_code == 200  # now cached
    response = client.http.delete(
        f"/api/calendar-links/{link['id']}", headers=client.headers("admin")
    )
    assert response.status_code == 200, response.text
    assert fetch(client, link["url"]).status_code == 404
    listed = client.get("admin", f"{inspection.path}/calendar-links").json()
    assert [(lk["id"], lk["revoked"]) for lk in listed["links"]] == [(link["id"], True)]
    assert "secret" not in str(listed) and link["url"] not in str(listed)


def test_an_unknown_secret_answers_404(client: WarRoomClient) -> None:
    assert client.http.get("/calendar/not-a-secret.ics").status_code == 404


def test_the_war_room_roles_make_links_for_themselves_only(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/calendar-links"
    refused(client, 403, "gatekeeper", path, {"person": "A staff"})
    refused(client, 403, "rapid_response", path, {})
    make_link(client, inspection, "gatekeeper", "A gatekeeper")


def test_staff_and_auditors_make_no_links_not_even_their_own(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/calendar-links"
    refused(client, 403, "staff", path, {"person": STAFF})
    refused(client, 403, "auditor", path, {"person": "A auditor"})


@pytest.mark.parametrize("person", ["Nobody Here", "helen"])
def test_a_link_for_someone_unknown_is_refused(
    client: WarRoomClient, inspection: Inspection, person: str
) -> None:
    body = refused(
        client, 409, "admin", f"{inspection.path}/calendar-links", {"person": person}
    )
    assert body["rule"] == "known_person"


def test_a_link_for_an_inspector_or_an_attendee_who_is_no_user_is_made(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, attendees=["Jo from Health"])
    make_link(client, inspection, "admin", "Jo from Health")
    make_link(client, inspection, "admin", "Helen Ward")
    make_link(client, inspection, "admin", inspection.lead_inspector)


def test_only_an_admin_revokes_and_only_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make_link(client, inspection, "admin", STAFF)
    path = f"/api/calendar-links/{link['id']}"
    for role in ("lead", "staff", "auditor", "gatekeeper"):
        before = client.stored()
        response = client.http.delete(path, headers=client.headers(role))
        assert response.status_code == 403, response.text
        assert client.stored() == before
    assert fetch(client, link["url"]).status_code == 200
    assert client.http.delete(path, headers=client.headers("admin")).status_code == 200
    before = client.stored()
    again = client.http.delete(path, headers=client.headers("admin"))
    assert again.status_code == 409 and again.json()["rule"] == (
        "calendar_link_revoked_once"
    )
    assert client.stored() == before


def test_revoking_a_link_that_does_not_exist_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for link_id in ("nope", inspection.id):
        before = client.stored()
        response = client.http.delete(
            f"/api/calendar-links/{link_id}", headers=client.headers("admin")
        )
        assert response.status_code == 404, response.text
        assert client.stored() == before


def test_only_admins_and_auditors_list_the_links(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for role in ("lead", "staff", "gatekeeper", "rapid_response"):
        response = client.get(role, f"{inspection.path}/calendar-links")
        assert response.status_code == 403


def test_a_retried_link_with_the_same_key_does_not_show_its_secret_again(
    client: WarRoomClient, inspection: Inspection
) -> None:
    path = f"{inspection.path}/calendar-links"
    first = client.post("admin", path, {"person": STAFF}, **{"Idempotency-Key": "k1"})
    assert first.status_code == 201
    body = refused(
        client, 409, "admin", path, {"person": STAFF}, **{"Idempotency-Key": "k1"}
    )
    assert body["rule"] == "idempotency_key_reused"


def change_token(client: WarRoomClient, role: str, how: str) -> dict[str, Any]:
    """Revokes (`revoke`) or rotates (`rotate`) a user's token, as an admin."""
    path = f"/api/users/{client.user_ids[role]}/{how}"
    response = client.post("admin", path, {})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_revoking_a_user_stops_the_links_made_for_them_at_once(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection)
    theirs = make_link(client, inspection, "admin", STAFF)
    also_theirs = make_link(client, inspection, "lead", STAFF)
    others = [
        make_link(client, inspection, "gatekeeper", "A gatekeeper"),
        make_link(client, inspection, "admin", None),
        make_link(client, inspection, "admin", "Helen Ward"),
    ]
    for link in (theirs, also_theirs, *others):
        assert fetch(client, link["url"]).status_code == 200  # now cached
    before = client.stored()
    change_token(client, "staff", "revoke")
    assert client.stored() == before + 1  # the revocation only: no link event
    assert fetch(client, theirs["url"]).status_code == 404
    assert fetch(client, also_theirs["url"]).status_code == 404
    for link in others:
        assert fetch(client, link["url"]).status_code == 200
    # The list says why they stopped; they were not revoked one by one.
    listed = client.get("admin", f"{inspection.path}/calendar-links").json()
    TypeAdapter(CalendarLinksRead).validate_python(listed, strict=True)
    ended = {lk["id"]: (lk["ended_by_token"], lk["revoked"]) for lk in listed["links"]}
    assert ended == {
        theirs["id"]: (True, False),
        also_theirs["id"]: (True, False),
        **{link["id"]: (False, False) for link in others},
    }
    past = client.get(
        "admin",
        f"{inspection.path}/calendar-links",
        at=listed["position"] - 1,
    ).json()
    assert {lk["ended_by_token"] for lk in past["links"]} == {None}


def test_rotating_a_user_stops_the_links_made_before_but_not_after(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection)
    before = make_link(client, inspection, "gatekeeper", "A gatekeeper")
    assert fetch(client, before["url"]).status_code == 200
    rotated = change_token(client, "gatekeeper", "rotate")
    client.tokens["gatekeeper"] = rotated["token"]
    assert fetch(client, before["url"]).status_code == 404
    after = make_link(client, inspection, "gatekeeper", "A gatekeeper")
    assert fetch(client, after["url"]).status_code == 200


def test_a_link_made_before_its_person_became_a_user_outlives_that_users_token(
    client: WarRoomClient, inspection: Inspection
) -> None:
    schedule(client, inspection, attendees=["Jo from Health"])
    link = make_link(client, inspection, "admin", "Jo from Health")
    user = client.ok("admin", "/api/users", {"name": "Jo from Health", "role": "staff"})
    response = client.post("admin", f"/api/users/{user['id']}/revoke", {})
    assert response.status_code == 200, response.text
    assert fetch(client, link["url"]).status_code == 200


def test_a_link_made_for_a_user_revoked_before_it_was_looked_up_is_not_found(
    client: WarRoomClient, inspection: Inspection
) -> None:
    link = make_link(client, inspection, "admin", STAFF)
    change_token(client, "staff", "revoke")
    assert fetch(client, link["url"]).status_code == 404


# --- the blog as Atom -------------------------------------------------------------


def test_the_blog_feed_parses_with_one_entry_per_day(
    client: WarRoomClient, inspection: Inspection
) -> None:
    for day, title in (
        (iso_day(1), "Day one"),
        (iso_day(2), "Day two & more"),
    ):
        client.ok(
            "lead",
            f"{inspection.path}/blog",
            {"day": day, "title": title, "body": "Inspectors <b>liked</b> it."},
        )
    response = client.get("staff", f"{inspection.path}/blog.atom")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == [
        f"{iso_day(1)}: the day's blog",
        f"{iso_day(2)}: the day's blog",
    ]
    assert len({e.id for e in feed.entries}) == 2
    content = feed.entries[1].content[0].value
    assert "Day two &amp; more" in content  # escaped once, as HTML text
    assert "&lt;b&gt;liked&lt;/b&gt;" in content  # markup in a post stays text
    assert feed.entries[1].link.endswith(f"/blog/{iso_day(2)}")


def test_link_events_decode_on_the_read_side_as_the_library_decodes_them(
    client: WarRoomClient, inspection: Inspection
) -> None:
    make_link(client, inspection, "admin", None)
    link = make_link(client, inspection, "admin", STAFF)
    client.http.delete(
        f"/api/calendar-links/{link['id']}", headers=client.headers("admin")
    )
    app = client.app
    found = [
        n
        for n in app.recorder.select_notifications(start=1, limit=10_000)
        if ".CalendarLink" in n.topic
    ]
    assert len(found) == 3
    for notification in found:
        library = LoggedEvent.from_domain_event(
            app.mapper.to_domain_event(notification), notification.id
        )
        assert logged_event(app.mapper, notification) == library
        assert library.inspection_id == inspection.id


@pytest.fixture
def marked(database_url: str) -> Iterator[WarRoomClient]:
    """As `client`, with a mark every 3 events: a read of the past starts
    from the inspection's mark, after its opening."""
    settings = Settings(
        database_url=database_url, max_body_bytes=1_000_000, checkpoint_every=3
    )
    with TestClient(create_app(settings)) as http:
        war_room = WarRoomClient(http=http)
        war_room.add_users()
        yield war_room


@pytest.mark.parametrize("person", ["Nobody Here", "A auditor"])
def test_an_agenda_feed_as_it_stood_answers_for_anyone_named_never_fails(
    marked: WarRoomClient, person: str
) -> None:
    # Issue 22, finding 5: anyone not at a meeting (a user of the council, or
    # nobody), asked of the past, was a 500 once the inspection had a mark.
    inspection = Inspection.open(marked)
    for _ in range(3):
        schedule(marked, inspection)
    path = f"{inspection.path}/agenda/{quote(person)}.ics"
    expected = 404 if person == "Nobody Here" else 200
    for as_of in (datetime.now(UTC).isoformat(), "2999-01-01T00:00:00+05:00"):
        for _ in range(2):  # the second read starts from the first's marks
            response = marked.get("staff", path, as_of=as_of)
            assert response.status_code == expected, response.text


def test_an_ended_link_offers_no_revoking_and_revoking_it_is_refused(
    client: WarRoomClient, inspection: Inspection
) -> None:
    """Ended, by its user's token or by revoking it, a link opens nothing for
    good: it carries no `RevokeCalendarLink`, and a revoke is refused (409
    `calendar_link_ended`, or `calendar_link_revoked_once`), storing nothing."""
    schedule(client, inspection)
    ended = make_link(client, inspection, "admin", STAFF)
    revoked = make_link(client, inspection, "admin", None)
    live = make_link(client, inspection, "admin", "A gatekeeper")
    path = f"{inspection.path}/calendar-links"
    assert {lk["actions"] == ["RevokeCalendarLink"] for lk in listed(client, path)} == {
        True
    }
    change_token(client, "staff", "revoke")
    gone = client.http.delete(
        f"/api/calendar-links/{revoked['id']}", headers=client.headers("admin")
    )
    assert gone.status_code == 200, gone.text

    actions = {lk["id"]: lk["actions"] for lk in listed(client, path)}

    assert actions == {
        ended["id"]: [],
        revoked["id"]: [],
        live["id"]: ["RevokeCalendarLink"],
    }
    for link, rule in [
        (ended, "calendar_link_ended"),
        (revoked, "calendar_link_revoked_once"),
    ]:
        before = client.stored()
        answer = client.http.delete(
            f"/api/calendar-links/{link['id']}", headers=client.headers("admin")
        )
        assert answer.status_code == 409, answer.text
        assert answer.json()["rule"] == rule
        assert client.stored() == before


def listed(client: WarRoomClient, path: str) -> list[dict[str, Any]]:
    answer = client.get("admin", path)
    assert answer.status_code == 200, answer.text
    links: list[dict[str, Any]] = answer.json()["links"]
    return links
