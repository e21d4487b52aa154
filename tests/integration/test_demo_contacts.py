"""The demo's contact list (issue 24): the seed's roles and groups, with
made-up names and drama numbers, read and printed as a war room would."""

from __future__ import annotations

from entrypoints.demo import Demo
from entrypoints.demo_script import CONTACTS
from tests.helpers import WarRoomClient
from tests.integration.test_demo_working_day import demo_client, demo_path, read

__all__ = ["demo_client"]  # the fixture, shared with the working day's tests


def test_the_demo_loads_the_seeds_contact_list(
    demo_client: tuple[WarRoomClient, Demo],
) -> None:
    client, demo = demo_client
    rows = read(client, demo_path(demo, "/contacts"))["contacts"]
    assert len(rows) == len(CONTACTS) >= 10
    groups = {r["group"] for r in rows}
    # The aide-memoire's contact list, and its rapid response team.
    assert groups >= {
        "Police",
        "Health",
        "Education",
        "Probation",
        "Safeguarding board",
        "Chief Executive's office",
        "Elected members",
        "Rapid response team",
    }
    team = [r for r in rows if r["group"] == "Rapid response team"]
    assert all(r["location"] and r["phone"] for r in team)
    assert all(r["phone"] for r in rows)
    # Fictional numbers only: Ofcom's ranges for drama.
    assert all(r["phone"].startswith(("0161 496 0", "07700 900")) for r in rows), [
        r["phone"] for r in rows
    ]
    assert all(r["added_by"] for r in rows)


def test_the_demos_contact_list_prints(
    demo_client: tuple[WarRoomClient, Demo],
) -> None:
    client, demo = demo_client
    response = client.http.get(
        f"/print/inspections/{demo.kept['inspection']}/contacts",
        params={"token": client.tokens["staff"]},
    )
    assert response.status_code == 200, response.text
    for contact in CONTACTS:
        assert contact["name"] in response.text
    assert "War room, Room 2.14, Town Hall Extension" in response.text
