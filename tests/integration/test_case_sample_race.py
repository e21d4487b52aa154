"""The template's case sample holds however the selections arrive (issue 23).

The count of cases selected is kept on the write side (`CaseSample`), so two
selections sent at the same moment, or by two server processes, can never
both take the sample's last place: one is stored, the other runs again
against the new count and is refused `sample_full`, storing nothing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from commands.executor import execute
from commands.models import SelectCase
from commands.run import Actor
from tests.days import iso_day
from tests.helpers import WarRoomClient, refused
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.base import Context
from warroom.domain.case import Case

SIF = {
    "title": "SIF",
    "framework": "SIF",
    "starts_on": iso_day(0),
    "template": "SIF",
}


def open_from_sif(client: WarRoomClient) -> str:
    iid: str = client.ok("lead", "/api/inspections", SIF)["id"]
    return iid


def select(client: WarRoomClient, iid: str, ref: str, selection: str) -> Any:
    body = {"ref": ref, "selection": selection, "plan": "CP"}
    return client.post("rapid_response", f"/api/inspections/{iid}/cases", body)


def board(client: WarRoomClient, iid: str) -> dict[str, Any]:
    answer = client.get("staff", f"/api/inspections/{iid}/cases")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def stored_since(client: WarRoomClient, position: int) -> list[Any]:
    return list(
        client.app.recorder.select_notifications(start=position + 1, limit=1000)
    )


def type_of(topic: str) -> str:
    return topic.rsplit(".", 1)[-1]


def race(
    client: WarRoomClient,
    monkeypatch: pytest.MonkeyPatch,
    iid: str,
    refs: list[str],
    selection: str,
) -> list[Any]:
    """Sends a selection of each ref at once, each held before its first save
    until all have passed their checks: what each checked against is the
    count as it stood before any of them was stored."""
    all_checked = threading.Barrier(len(refs), timeout=60)
    first_save_of = threading.local()
    save = client.app.save_and_position

    def save_when_all_checked(*aggregates: Any, **kwargs: Any) -> int:
        # A command runs in one worker thread, its runs again too: only its
        # first save waits for the others.
        if not getattr(first_save_of, "done", False):
            first_save_of.done = True
            all_checked.wait()
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(client.app, "save_and_position", save_when_all_checked)
    with ThreadPoolExecutor(max_workers=len(refs)) as pool:
        answers = list(pool.map(lambda r: select(client, iid, r, selection), refs))
    monkeypatch.undo()
    return answers


@pytest.mark.parametrize(("selection", "size"), [("audited", 18), ("tracked", 12)])
def test_selections_racing_for_the_last_places_fill_the_sample_exactly(
    client: WarRoomClient,
    monkeypatch: pytest.MonkeyPatch,
    selection: str,
    size: int,
) -> None:
    iid = open_from_sif(client)
    for n in range(size - 2):
        assert select(client, iid, f"C-{n:03}", selection).status_code == 201
    before = client.stored()
    racing = [f"R-{n:03}" for n in range(8)]

    answers = race(client, monkeypatch, iid, racing, selection)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 201] + [409] * 6, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["code"] == "sample_full", answer.text
            assert (answer.json()["sample"], answer.json()["selected"]) == (size,) * 2
    cases = board(client, iid)
    assert cases["counts"][selection] == size
    assert all(c["over_reason"] is None for c in cases["cases"])
    stored = {a.json()["id"] for a in answers if a.status_code == 201}
    on_board = {c["id"] for c in cases["cases"] if c["ref"].startswith("R-")}
    assert on_board == stored
    # Each of the two stored: its case and its place; the six refused: nothing.
    # (Counted, not subtracted: PostgreSQL's positions skip those of the
    # transactions rolled back.)
    assert [type_of(n.topic) for n in stored_since(client, before)] == [
        "CaseCounted",
        "CaseSelected",
    ] * 2


def test_a_race_at_the_edge_with_a_reason_stores_it_beyond_the_sample(
    client: WarRoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one sent with a reason is beyond the sample and takes no place:
    of the two sent without, one takes the last place, whichever way the
    race goes."""
    iid = open_from_sif(client)
    for n in range(17):
        assert select(client, iid, f"C-{n:03}", "audited").status_code == 201
    all_checked = threading.Barrier(3, timeout=60)
    first_save_of = threading.local()
    save = client.app.save_and_position

    def save_when_all_checked(*aggregates: Any, **kwargs: Any) -> int:
        if not getattr(first_save_of, "done", False):
            first_save_of.done = True
            all_checked.wait()
        return save(*aggregates, **kwargs)

    reason = "A sibling of C-004, asked for by the lead inspector."
    bodies = [
        {"ref": "R-1", "selection": "audited", "plan": "CP"},
        {"ref": "R-2", "selection": "audited", "plan": "CP"},
        {"ref": "R-3", "selection": "audited", "plan": "CP", "over_reason": reason},
    ]
    monkeypatch.setattr(client.app, "save_and_position", save_when_all_checked)
    path = f"/api/inspections/{iid}/cases"
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(
            pool.map(lambda b: client.post("rapid_response", path, b), bodies)
        )
    monkeypatch.undo()

    assert answers[2].status_code == 201, answers[2].text
    assert sorted(a.status_code for a in answers[:2]) == [201, 409]
    cases = board(client, iid)
    assert cases["counts"]["audited"] == 19
    without_reason = [c for c in cases["cases"] if c["over_reason"] is None]
    assert len(without_reason) == 18
    [beyond] = [c for c in cases["cases"] if c["over_reason"] is not None]
    assert (beyond["ref"], beyond["over_reason"]) == ("R-3", reason)


def test_the_last_place_taken_by_another_server_is_full_here_at_once(
    client: WarRoomClient, database_url: str
) -> None:
    """Another process selects the 18th case; this one, whose read models may
    not have seen it yet, refuses the 19th all the same."""
    iid = open_from_sif(client)
    for n in range(17):
        assert select(client, iid, f"C-{n:03}", "audited").status_code == 201
    other_process = WarRoom(Database.from_url(database_url))
    try:
        actor = Actor(
            id=client.user_ids["rapid_response"],
            name="A rapid_response",
            role="rapid_response",
        )
        execute(
            other_process,
            actor,
            SelectCase(ref="C-017", selection="audited", plan="LAC"),
            inspection_id=iid,
        )
    finally:
        other_process.close()

    body = {"ref": "C-018", "selection": "audited", "plan": "CP"}
    answer = refused(
        client, 409, "rapid_response", f"/api/inspections/{iid}/cases", body
    )

    assert (answer["code"], answer["selected"]) == ("sample_full", 18)


def test_cases_selected_before_the_count_was_kept_are_counted(
    client: WarRoomClient,
) -> None:
    """An inspection whose cases an older war room selected (no count stored
    beside them): the count starts from the cases its log holds."""
    iid = open_from_sif(client)
    ctx = Context(
        actor=client.user_ids["rapid_response"],
        actor_name="A rapid_response",
        occurred_at=datetime.now(UTC),
        inspection_id=iid,
    )
    older = [
        Case(
            inspection_id=iid,
            ref=f"T-{n:03}",
            selection="tracked",
            plan="CIN",
            social_worker=None,
            team_manager=None,
            iro=None,
            meta=ctx.meta(),
        )
        for n in range(12)
    ]
    client.app.save(*older)

    # The audited sample is another count, untouched by the tracked cases.
    assert select(client, iid, "A-001", "audited").status_code == 201
    body = {"ref": "T-100", "selection": "tracked", "plan": "CP"}
    answer = refused(
        client, 409, "rapid_response", f"/api/inspections/{iid}/cases", body
    )
    assert (answer["code"], answer["selected"]) == ("sample_full", 12)
