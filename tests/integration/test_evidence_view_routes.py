"""What the evidence view reads beyond the routes it shares, on both
databases: each closed day's seal (auditor, lead, admin), and how far the
walk of the whole log has got (auditor, admin); everyone else is refused,
and asking stores nothing."""

from __future__ import annotations

import threading

import pytest

from tests.conftest import TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import ROLES, Inspection, WarRoomClient
from warroom.evidence import merkle
from warroom.evidence.notes import Checkpoint, Verifier
from warroom.evidence.walk import Report
from web.verifications import Verifications

DAYS = (iso_day(0), iso_day(1))


def close_days(client: WarRoomClient, inspection: Inspection) -> None:
    for day in DAYS:
        client.ok("lead", f"{inspection.path}/days/close", {"day": day})


@pytest.mark.parametrize("role", ["auditor", "lead", "admin"])
def test_the_day_seals_are_listed_signed_and_consistent(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    close_days(client, inspection)
    answer = client.get(role, f"{inspection.path}/seals")
    assert answer.status_code == 200, answer.text
    seals = answer.json()["seals"]
    assert [s["day"] for s in seals] == list(DAYS)
    verifier = Verifier.parse(TEST_VERIFIER_KEY)
    first, second = (Checkpoint.verified(s["checkpoint"], verifier) for s in seals)
    assert (first.size, second.size) == (seals[0]["size"], seals[1]["size"])
    proof = client.get(
        role, "/api/log/proof/consistency", **{"from": first.size, "to": second.size}
    ).json()
    hashes = [bytes.fromhex(h) for h in proof["hashes"]]
    assert merkle.verify_consistency(
        first.size, second.size, first.root, second.root, hashes
    )


@pytest.mark.parametrize(
    "role", [r for r in ROLES if r not in ("auditor", "lead", "admin")]
)
def test_no_other_role_may_list_the_day_seals(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    close_days(client, inspection)
    before = client.stored()
    answer = client.get(role, f"{inspection.path}/seals")
    assert answer.status_code == 403, answer.text
    assert "may not list the day seals" in answer.json()["detail"]
    assert client.stored() == before


def test_the_walk_progress_is_nothing_at_rest_for_an_auditor_or_admin(
    client: WarRoomClient, inspection: Inspection
) -> None:
    client.get("auditor", "/api/verify")  # a walk done is no walk running
    for role in ("auditor", "admin"):
        answer = client.get(role, "/api/verify/progress")
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"walking": False, "walked": 0, "of": 0}


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("auditor", "admin")])
def test_no_other_role_may_ask_how_far_the_walk_has_got(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    before = client.stored()
    answer = client.get(role, "/api/verify/progress")
    assert answer.status_code == 403, answer.text
    assert client.stored() == before
    assert client.http.get("/api/verify/progress").status_code == 401


def test_a_walk_running_says_how_far_it_has_got() -> None:
    walks = Verifications()
    reached, go_on = threading.Event(), threading.Event()

    def walk() -> Report:
        walks.note_progress(10_000, 40_000)
        reached.set()
        go_on.wait(timeout=30)
        return Report(events=40_000)

    running = walks.report((40_000, b"root"), walk)
    assert reached.wait(timeout=30)
    assert walks.progress() == (True, 10_000, 40_000)
    go_on.set()
    assert running.result(timeout=30).events == 40_000
    assert walks.progress() == (False, 0, 0)
