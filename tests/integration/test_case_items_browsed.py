"""The case board shows a case's newest items browsed, and how many there are;
the whole list is read a page at a time (issue 22).

An access log at the upload limit (50,000 rows, each naming one case and a
new item) made the board carry every item: about 1 MB, `/cases` at p99
348 ms. Now a case's row holds its newest `ITEMS_SHOWN` items whatever the
number of browses, and `GET .../cases/{case_id}/browsed` gives them all,
newest first.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

from pydantic import TypeAdapter

from projections.cases import ITEMS_SHOWN
from tests.days import iso_day, moment
from tests.helpers import Inspection, WarRoomClient
from tests.integration.test_access_log import cases, imported
from web.answers import BrowsedRead
from web.routes.reads import MOST_BROWSED_PER_PAGE

START = moment(1, 9, tzinfo=UTC)
HEADER = "user,case_ref,item,accessed_at\n"


def access_log(first: int, count: int) -> bytes:
    """Helen Ward browsing CP-0042, a new item a second from `first` on."""
    rows = [
        f"Helen Ward,CP-0042,Case note {n:05d},"
        f"{(START + timedelta(seconds=n)).isoformat()}\n"
        for n in range(first, first + count)
    ]
    return (HEADER + "".join(rows)).encode()


def case_row(client: WarRoomClient, inspection: Inspection, **params: Any) -> Any:
    answer = client.get("auditor", f"{inspection.path}/cases", **params)
    assert answer.status_code == 200, answer.text
    return next(c for c in answer.json()["cases"] if c["ref"] == "CP-0042")


def browsed(
    client: WarRoomClient, inspection: Inspection, case_id: str, **params: Any
) -> Any:
    path = f"{inspection.path}/cases/{case_id}/browsed"
    return client.get("auditor", path, **params)


def every_page(
    client: WarRoomClient, inspection: Inspection, case_id: str, limit: int
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = browsed(client, inspection, case_id, offset=len(items), limit=limit)
        assert page.status_code == 200, page.text
        body = page.json()
        assert (body["offset"], body["limit"]) == (len(items), limit)
        if not body["items"]:
            return items
        assert len(body["items"]) <= limit
        items += body["items"]


def test_the_boards_row_stays_the_same_size_whatever_the_number_of_browses(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    imported(client, inspection, access_log(0, 25))
    few = case_row(client, inspection)
    imported(client, inspection, access_log(25, 1500))
    board = client.get("auditor", f"{inspection.path}/cases")
    many = case_row(client, inspection)

    # Only numbers grew a digit or two: the items shown are as many, and
    # their names as long.
    assert len(json.dumps(many)) - len(json.dumps(few)) < 64
    assert len(board.content) < 20_000
    assert (many["items_total"], many["items_shown"]) == (1525, ITEMS_SHOWN)
    assert many["browse_count"] == 1525
    newest = [f"Case note {n:05d}" for n in range(1524, 1524 - ITEMS_SHOWN, -1)]
    assert list(many["items"]) == newest
    assert set(many["items"].values()) == {1}


def test_every_item_is_on_the_pages_once_newest_first(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    imported(client, inspection, access_log(0, 1200))
    before = client.stored()
    # An old item browsed again, at the newest time: it comes first, twice.
    again = f"{HEADER}Helen Ward,CP-0042,Case note 00003,{iso_day(1)}T10:00:00Z\n"
    imported(client, inspection, again.encode())
    row = case_row(client, inspection)

    items = every_page(client, inspection, row["id"], MOST_BROWSED_PER_PAGE)

    names = ["Case note 00003"] + [
        f"Case note {n:05d}" for n in range(1199, -1, -1) if n != 3
    ]
    assert [i["item"] for i in items] == names
    assert items[0] == {
        "item": "Case note 00003",
        "times": 2,
        "last_at": f"{iso_day(1)}T10:00:00+00:00",
    }
    assert items[1]["last_at"] == (START + timedelta(seconds=1199)).isoformat()
    # The board's items are the first page's first items.
    assert list(row["items"].items()) == [
        (i["item"], i["times"]) for i in items[:ITEMS_SHOWN]
    ]
    first = browsed(client, inspection, row["id"]).json()
    assert first["total"] == 1200 and len(first["items"]) == 100  # by default
    # The answer is what its declared type says, nothing coerced or dropped.
    adapter: TypeAdapter[Any] = TypeAdapter(BrowsedRead)
    assert adapter.dump_python(adapter.validate_python(first, strict=True)) == first
    # As the log stood before the browse again: as the board did then.
    past = browsed(client, inspection, row["id"], at=before, limit=2).json()
    assert past["past"] and past["total"] == 1200
    assert [i["item"] for i in past["items"]] == ["Case note 01199", "Case note 01198"]
    assert past["items"] == [
        {"item": i["item"], "times": i["times"]} | {"last_at": i["last_at"]}
        for i in every_page(client, inspection, row["id"], 7)[1:3]
    ]


def test_a_case_never_browsed_has_an_empty_list(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    row = case_row(client, inspection)
    assert (row["items"], row["items_shown"], row["items_total"]) == ({}, 0, 0)
    page = browsed(client, inspection, row["id"]).json()
    assert (page["items"], page["total"], page["ref"]) == ([], 0, "CP-0042")


def test_bad_pages_and_unknown_cases_are_refused_storing_nothing(
    client: WarRoomClient, inspection: Inspection
) -> None:
    cases(client, inspection)
    imported(client, inspection, access_log(0, 30))
    case_id = case_row(client, inspection)["id"]
    stored = client.stored()
    for bad in (
        {"offset": -1},
        {"offset": "first"},
        {"limit": 0},
        {"limit": -5},
        {"limit": MOST_BROWSED_PER_PAGE + 1},
        {"limit": "all"},
        {"offset": 10**10},
    ):
        answer = browsed(client, inspection, case_id, **bad)
        assert answer.status_code == 422, (bad, answer.text)
        named = {p["loc"][-1] for p in answer.json()["detail"]}
        assert named == set(bad), answer.text
    unknown = browsed(client, inspection, "no-such-case")
    assert unknown.status_code == 404 and "no such case" in unknown.json()["detail"]
    path = "/api/inspections/no-such-inspection/cases/" + case_id + "/browsed"
    assert client.get("auditor", path).status_code == 404
    assert client.stored() == stored
    # And the pages themselves read as before.
    assert browsed(client, inspection, case_id, limit=30).json()["total"] == 30
