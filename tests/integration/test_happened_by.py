"""Two clocks of replay (issue 23): `happened_by=<instant>`, the board as it
was by what had happened by then, and `as_of=<instant>`, what the log held
then. An entry written down after the fact counts from when it happened
under the first, and only from when it was written down under the second."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient
from tests.integration.story import (
    WHEN_ASKED,
    act_one,
    act_two,
    read_everything,
    read_routes,
    without,
    without_ages,
)

DAY = iso_day(1)
# Everything below happened on the inspection's second day, and was written
# down (recorded) today, long after: the war room's IT was down.
HAPPENED = {
    "case selected": f"{DAY}T08:00:00+00:00",
    "request asked": f"{DAY}T08:00:00+00:00",
    "meeting scheduled": f"{DAY}T08:01:00+00:00",
    "copy made": f"{DAY}T08:05:00+00:00",
    "copy handed over": f"{DAY}T08:10:00+00:00",
    "post written": f"{DAY}T08:20:00+00:00",
}
BEFORE_HAND_OVER = f"{DAY}T08:09:00+00:00"
TEN = f"{DAY}T10:00:00+00:00"


@dataclass
class BackDated:
    # Instants of the log: just before the hand-over was written down, and after.
    before_recorded: str
    after_recorded: str


def write_down_late(client: WarRoomClient, inspection: Inspection) -> BackDated:
    """A morning's work entered at once, each entry with when it happened."""
    path = inspection.path
    case = client.ok(
        "rapid_response",
        f"{path}/cases",
        {
            "ref": "LAC-7",
            "selection": "tracked",
            "plan": "LAC",
            "social_worker": "Sam",
            "occurred_at": HAPPENED["case selected"],
        },
    )["id"]
    client.ok(
        "gatekeeper",
        f"{path}/requests",
        {
            "title": "Annex A",
            "requested_by": inspection.team_inspector,
            "channel": "kit",
            "due_at": f"{DAY}T08:30:00+00:00",
            "occurred_at": HAPPENED["request asked"],
        },
    )
    client.ok(
        "gatekeeper",
        f"{path}/meetings",
        {
            "title": "Front door",
            "kind": "team_visit",
            "starts_at": f"{DAY}T11:00:00Z",
            "ends_at": f"{DAY}T12:00:00Z",
            "venue": "Room 1",
            "attendees": ["Jo Smith"],
            "inspectors": [inspection.team_inspector],
            "occurred_at": HAPPENED["meeting scheduled"],
        },
    )
    copies = f"{path}/cases/{case}/copies"
    client.ok(
        "rapid_response",
        copies,
        {"copy_for": "council", "occurred_at": HAPPENED["copy made"]},
    )
    client.ok(
        "lead",
        f"{path}/blog",
        {
            "day": DAY,
            "title": "Day 2",
            "body": "On site",
            "occurred_at": HAPPENED["post written"],
        },
    )
    time.sleep(0.01)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    client.ok(
        "rapid_response",
        f"{copies}/hand-over",
        {
            "copy_for": "council",
            "to": "Sam",
            "medium": "electronic",
            "occurred_at": HAPPENED["copy handed over"],
        },
    )
    time.sleep(0.01)
    return BackDated(before, datetime.now(UTC).isoformat())


def ledger_lines(
    client: WarRoomClient, inspection: Inspection, **when: str
) -> list[Any]:
    response = client.get("auditor", f"{inspection.path}/ledger", **when)
    assert response.status_code == 200, response.text
    lines: list[Any] = response.json()["lines"]
    return lines


def test_a_back_dated_hand_over_is_on_the_ledger_from_when_it_happened(
    client: WarRoomClient, inspection: Inspection
) -> None:
    write_down_late(client, inspection)

    at_ten = ledger_lines(client, inspection, happened_by=TEN)
    before = ledger_lines(client, inspection, happened_by=BEFORE_HAND_OVER)

    assert [line["occurred_at"] for line in at_ten] == [HAPPENED["copy handed over"]]
    assert before == []


def test_as_of_still_counts_an_entry_from_when_it_was_written_down(
    client: WarRoomClient, inspection: Inspection
) -> None:
    log = write_down_late(client, inspection)

    # What the log held at ten on the day: nothing, it was written down later.
    assert client.get("auditor", inspection.path, as_of=TEN).status_code == 404
    assert ledger_lines(client, inspection, as_of=log.before_recorded) == []
    after = ledger_lines(client, inspection, as_of=log.after_recorded)
    assert [line["occurred_at"] for line in after] == [HAPPENED["copy handed over"]]


def test_happened_by_answers_say_which_clock_they_answer(
    client: WarRoomClient, inspection: Inspection
) -> None:
    write_down_late(client, inspection)

    answer = client.get("auditor", f"{inspection.path}/ledger", happened_by=TEN).json()
    now = client.get("auditor", f"{inspection.path}/ledger").json()

    assert answer["past"] is True
    assert answer["as_of"] is None
    assert datetime.fromisoformat(answer["happened_by"]) == datetime.fromisoformat(TEN)
    assert answer["position"] == client.stored()
    assert "happened_by" not in now  # an answer not asked so is as it was


def test_every_read_route_answers_the_board_by_what_had_happened(
    client: WarRoomClient, inspection: Inspection
) -> None:
    write_down_late(client, inspection)
    routes = {
        **read_routes(inspection),
        "day two": (f"{inspection.path}/schedule", {"day": DAY}),
        "day two blog": (f"{inspection.path}/blog/{DAY}", {}),
        "playbook": (f"{inspection.path}/playbook", {}),
        "annex a": (f"{inspection.path}/annex-a", {}),
        "debriefs": (f"{inspection.path}/debriefs", {}),
        "calendar links": (f"{inspection.path}/calendar-links", {}),
    }

    for name, (path, query) in routes.items():
        early = client.get("auditor", path, **query, happened_by=BEFORE_HAND_OVER)
        late = client.get("auditor", path, **query, happened_by=TEN)
        assert early.status_code == late.status_code == 200, (name, late.text)
        assert late.json()["happened_by"] is not None, name

    day = client.get(
        "auditor", f"{inspection.path}/schedule", day=DAY, happened_by=TEN
    ).json()
    assert [m["title"] for m in day["meetings"]] == ["Front door"]
    early_day = client.get(
        "auditor",
        f"{inspection.path}/schedule",
        day=DAY,
        happened_by=f"{DAY}T08:00:30Z",
    ).json()
    assert early_day["meetings"] == []
    blog = client.get("auditor", f"{inspection.path}/blog/{DAY}", happened_by=TEN)
    assert [p["title"] for p in blog.json()["posts"]] == ["Day 2"]
    cases = client.get("auditor", f"{inspection.path}/cases", happened_by=TEN).json()
    assert [c["ref"] for c in cases["cases"]] == ["LAC-7"]
    none_yet = client.get(
        "auditor", f"{inspection.path}/cases", happened_by=f"{DAY}T07:59:00Z"
    )
    assert none_yet.status_code == 404  # nothing had happened in it yet


def test_ages_and_overdue_marks_count_to_the_instant_replayed(
    client: WarRoomClient, inspection: Inspection
) -> None:
    log = write_down_late(client, inspection)
    path = f"{inspection.path}/requests"

    at_ten = client.get("auditor", path, happened_by=TEN).json()
    at_quarter_past = client.get(
        "auditor", path, happened_by=f"{DAY}T08:15:00+00:00"
    ).json()
    as_of = client.get("auditor", path, as_of=log.after_recorded).json()

    (request,) = at_ten["requests"]
    assert request["age_seconds"] == 2 * 3600  # asked at 08:00, replayed at 10:00
    assert request["overdue"] is True  # due 08:30
    (early,) = at_quarter_past["requests"]
    assert early["age_seconds"] == 15 * 60
    assert early["overdue"] is False
    # What the log held at an instant: its age is counted to that instant.
    (held,) = as_of["requests"]
    asked = datetime.fromisoformat(HAPPENED["request asked"])
    expected = datetime.fromisoformat(log.after_recorded) - asked
    assert held["age_seconds"] == int(expected.total_seconds())


def test_the_print_pages_and_feeds_take_happened_by(
    client: WarRoomClient, inspection: Inspection
) -> None:
    log = write_down_late(client, inspection)
    path = f"/print/inspections/{inspection.id}"
    feeds = inspection.path

    def text(url: str, **query: str) -> str:
        response = client.get("auditor", url, **query)
        assert response.status_code == 200, (url, response.text)
        body: str = response.text
        return body

    printed = text(f"{path}/ledger", happened_by=TEN)
    assert "Our copy of case LAC-7" in printed
    # Its header says which moment, by which clock (in the inspection's zone).
    assert f"as it was at {iso_day(1)} 10:00:00, by what had happened then" in printed
    assert "as written down by" in text(f"{path}/ledger", as_of=log.before_recorded)
    assert "Our copy of case LAC-7" not in text(
        f"{path}/ledger", happened_by=BEFORE_HAND_OVER
    )
    assert "Our copy of case LAC-7" not in text(
        f"{path}/ledger", as_of=log.before_recorded
    )
    assert "LAC-7" in text(f"{path}/cases", happened_by=TEN)
    assert "Day 2" in text(f"{path}/blog/{DAY}", happened_by=TEN)
    assert "Front door" in text(f"{path}/schedule/{DAY}", happened_by=TEN)
    assert "Front door" not in text(
        f"{path}/schedule/{DAY}", happened_by=f"{DAY}T08:00:30Z"
    )
    assert "Front door" in text(f"{feeds}/schedule.ics", happened_by=TEN)
    assert "Front door" not in text(
        f"{feeds}/schedule.ics", happened_by=f"{DAY}T08:00:30Z"
    )
    assert "Front door" in text(f"{feeds}/agenda/Jo Smith.ics", happened_by=TEN)
    assert "Day 2" in text(f"{feeds}/blog.atom", happened_by=TEN)
    assert "Day 2" not in text(f"{feeds}/blog.atom", happened_by=f"{DAY}T08:19:00Z")


def test_a_hand_over_packet_holds_the_lines_that_had_happened_by_then(
    client: WarRoomClient, inspection: Inspection
) -> None:
    write_down_late(client, inspection)
    path = f"{inspection.path}/ledger/packet"

    def names(**when: str) -> list[str]:
        answer = client.get("auditor", path, **when)
        assert answer.status_code == 200, answer.text
        with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
            return sorted(packed.namelist())

    assert "ledger.csv" in names(happened_by=TEN)
    at_ten = client.get("auditor", path, happened_by=TEN).content
    before = client.get("auditor", path, happened_by=BEFORE_HAND_OVER).content
    assert ledger_rows(at_ten) == 1
    assert ledger_rows(before) == 0


def ledger_rows(packet: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(packet)) as packed:
        text = packed.read("ledger.csv").decode()
    return len(list(csv.DictReader(io.StringIO(text))))


def test_with_nothing_written_down_late_both_clocks_agree_on_every_route(
    client: WarRoomClient, inspection: Inspection
) -> None:
    act_one(client, inspection)
    time.sleep(0.01)
    instant = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    act_two(client, inspection)

    as_of = read_everything(client, inspection, as_of=instant)
    happened = read_everything(client, inspection, happened_by=instant)

    for name, answer in as_of.items():
        replayed = happened[name]
        if name in ("requests", "open requests"):
            answer, replayed = without_ages(answer), without_ages(replayed)
        assert without(replayed, WHEN_ASKED) == without(answer, WHEN_ASKED), name


def test_ledger_lines_carry_both_times_in_json_and_csv(
    client: WarRoomClient, inspection: Inspection
) -> None:
    write_down_late(client, inspection)

    (line,) = ledger_lines(client, inspection)
    csv_text = client.get("auditor", f"{inspection.path}/ledger", format="csv").text
    (row,) = csv.DictReader(io.StringIO(csv_text))

    assert line["occurred_at"] == HAPPENED["copy handed over"]
    assert datetime.fromisoformat(line["recorded_at"]) > datetime.fromisoformat(
        HAPPENED["copy handed over"]
    )
    assert row["occurred_at"] == line["occurred_at"]
    assert row["recorded_at"] == line["recorded_at"]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"happened_by": f"{iso_day(2)}T17:00:00"}, "time zone"),
        ({"happened_by": "yesterday"}, "datetime"),
        ({"happened_by": "1700000000"}, "instant"),
        ({"happened_by": "0001-01-01T00:00:00Z"}, "between"),
        ({"happened_by": TEN, "as_of": TEN}, "one of them"),
        ({"happened_by": TEN, "at": "3"}, "one of them"),
    ],
)
def test_happened_by_that_is_no_instant_or_with_another_clock_is_refused(
    client: WarRoomClient, inspection: Inspection, query: dict[str, str], words: str
) -> None:
    stored = client.stored()
    routes = {
        **read_routes(inspection),
        "csv": (f"{inspection.path}/ledger", {"format": "csv"}),
        "print": (f"/print/inspections/{inspection.id}/ledger", {}),
        "ics": (f"{inspection.path}/schedule.ics", {}),
    }

    for name, (path, fixed) in routes.items():
        response = client.get("auditor", path, **fixed, **query)
        assert response.status_code == 422, (name, response.text)
        (problem,) = [d for d in response.json()["detail"]]
        assert problem["loc"] == ["query", "happened_by"], name
        assert words in problem["msg"], (name, problem["msg"])
    assert client.stored() == stored
