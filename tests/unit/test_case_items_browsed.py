"""A case's newest items browsed, kept as they are folded (issue 22).

The board shows the newest `ITEMS_SHOWN` items of a case; the fold keeps them
without sorting the case's whole map. Whatever order the browses arrive in
(an access log may bring older rows after newer ones, an item may be browsed
again), they are the first items of the whole list sorted newest first, and
the pages of that list hold every item once.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from projections.cases import ITEMS_SHOWN, Cases, browsed_page
from tests.days import moment
from tests.unit.logged import logged_event

START = moment(1, 9, tzinfo=UTC)
CASE = "case-1"

# (item number, minutes after START): few items and few minutes, so that
# items come back and browses share an instant.
browses = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 40)), min_size=0, max_size=300
)


def folded(rows: list[tuple[int, int]]) -> Cases:
    cases = Cases()
    cases.on_CaseSelected(
        logged_event(
            1,
            "CaseSelected",
            {
                "ref": "CP-1",
                "selection": "audited",
                "plan": "CP",
                "social_worker": None,
                "team_manager": None,
                "iro": None,
            },
            at=START,
            inspection_id="i",
            aggregate_id=CASE,
        )
    )
    for n, (item, minutes) in enumerate(rows):
        cases.on_CaseBrowsed(
            logged_event(
                n + 2,
                "CaseBrowsed",
                {"inspector": "helen", "item": f"Item {item}"},
                at=START + timedelta(minutes=minutes),
                inspection_id="i",
                aggregate_id=CASE,
                aggregate_version=n + 2,
            )
        )
    return cases


def expected(rows: list[tuple[int, int]]) -> list[tuple[str, int, str]]:
    """Every item, newest first (then the later stored): (item, times, last_at)."""
    last: dict[str, tuple[int, int]] = {}
    times: dict[str, int] = {}
    for n, (item, minutes) in enumerate(rows):
        name = f"Item {item}"
        last[name] = max(last.get(name, (-1, -1)), (minutes, n))
        times[name] = times.get(name, 0) + 1
    order = sorted(last, key=lambda name: last[name], reverse=True)
    return [
        (
            name,
            times[name],
            (START + timedelta(minutes=last[name][0])).isoformat(),
        )
        for name in order
    ]


@settings(max_examples=200, deadline=None)
@given(browses)
def test_the_board_shows_the_newest_items_whatever_order_they_came_in(
    rows: list[tuple[int, int]],
) -> None:
    cases = folded(rows)
    row = Cases.row(cases.cases[CASE], {})
    every = expected(rows)
    assert list(row["items"].items()) == [(i, t) for i, t, _ in every[:ITEMS_SHOWN]]
    assert row["items_shown"] == min(ITEMS_SHOWN, len(every))
    assert row["items_total"] == len(every)
    assert row["browse_count"] == len(rows)


@settings(max_examples=100, deadline=None)
@given(browses, st.integers(1, 40))
def test_the_pages_hold_every_item_once_newest_first(
    rows: list[tuple[int, int]], limit: int
) -> None:
    case = folded(rows).cases[CASE]
    pages = []
    offset = 0
    while True:
        page = browsed_page(case, offset, limit)
        assert page["total"] == len(expected(rows))
        if not page["items"]:
            break
        assert len(page["items"]) <= limit
        pages += [(i["item"], i["times"], i["last_at"]) for i in page["items"]]
        offset += limit
    assert pages == expected(rows)


def test_the_newest_survive_a_save_and_a_restore() -> None:
    rows = [(n % 45, n % 37) for n in range(200)]
    restored = Cases.from_json(folded(rows).to_json())
    again = [*rows, (7, 39), (50, 1)]  # then folded on, as after a restart
    for n, (item, minutes) in enumerate(again[len(rows) :], start=len(rows)):
        restored.on_CaseBrowsed(
            logged_event(
                n + 2,
                "CaseBrowsed",
                {"inspector": "helen", "item": f"Item {item}"},
                at=START + timedelta(minutes=minutes),
                inspection_id="i",
                aggregate_id=CASE,
                aggregate_version=n + 2,
            )
        )
    assert Cases.row(restored.cases[CASE], {}) == Cases.row(
        folded(again).cases[CASE], {}
    )
